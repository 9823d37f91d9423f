#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 60) from the committed seeds; exits 1 when any
# target found a crash, a timeout or an out-of-memory input (saved in fuzz/artifacts/<target>/),
# 2 when the targets do not build.
#
#   scripts/fuzz.sh [SECONDS]
#
# Needs a nightly toolchain and cargo-fuzz: `rustup toolchain install nightly`,
# `cargo install cargo-fuzz`. Environment:
#   FUZZ_TARGETS="feed json"  run only these targets
#   FUZZ_KEEP_GOING=1         do not stop at the first crash: run the whole time, keep them all
set -uo pipefail

seconds="${1:-60}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# Longest input per target: long enough for a real feed or page, short enough to stay fast.
declare -A max_len=(
    [feed]=32768
    [page]=32768
    [json]=8192
    [timestamp]=128
    [charset]=4096
    [facts]=16384
)
# Extra flags per target. rs-trafilatura prints its debug lines to stderr when built with debug
# assertions (as fuzz builds are): `page` runs with the target's stderr closed, or the printing
# costs more than the fuzzing. libFuzzer's own output still shows; replay a finding with
# `cargo +nightly fuzz run page ARTIFACT` to see its panic message.
declare -A extra=(
    [page]="-close_fd_mask=2"
)
targets="${FUZZ_TARGETS:-feed page json timestamp charset facts}"

# Build once, then run the binaries: `cargo fuzz run` would rebuild before every target.
cargo +nightly fuzz build || exit 2
host="$(rustc +nightly -vV | sed -n 's/^host: //p')"
bin="fuzz/target/$host/release"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_odr_violation=0}" RUST_BACKTRACE=1

keep_going=()
if [[ "${FUZZ_KEEP_GOING:-0}" == 1 ]]; then
    keep_going=(-fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1)
fi

count_findings() {
    find "fuzz/artifacts/$1" -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \) |
        wc -l
}

# One line per target: the coverage reached, and when it last grew. A corpus is stable when
# nothing new was found for a long stretch at the end of the run.
summarize() {
    awk -v target="$1" '
        /[ \t](NEW|REDUCE|pulse|DONE)[ \t]/ && match($0, /cov: [0-9]+/) {
            cov = substr($0, RSTART + 5, RLENGTH - 5) + 0
            if (cov > best) { best = cov; grew = $1 }
            match($0, /ft: [0-9]+/); ft = substr($0, RSTART + 4, RLENGTH - 4) + 0
            if (ft > best_ft) { best_ft = ft; ft_grew = $1 }
            if (match($0, /^[0-9]+ #[0-9]+/)) { runs = substr($0, RSTART, RLENGTH); sub(/^[0-9]+ #/, "", runs) }
            last = $1
        }
        END {
            printf "== %s summary: %d runs in %d s; coverage %d, last grew at %d s; features %d, last grew at %d s\n",
                target, runs, last, best, grew, best_ft, ft_grew
        }' "$2" | tee -a fuzz/artifacts/summary.log
}

failed=()
for target in $targets; do
    mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
    before="$(count_findings "$target")"
    echo "== $target: ${seconds}s, -max_len=${max_len[$target]}"
    # The first directory collects new inputs; the seeds are only read.
    log="fuzz/artifacts/$target/last-run.log"
    started=$SECONDS
    # Each line of libFuzzer's output goes to the terminal and, with the second it came at, to
    # the log the summary below reads.
    "$bin/$target" -artifact_prefix="fuzz/artifacts/$target/" \
        -max_total_time="$seconds" -max_len="${max_len[$target]}" -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 ${extra[$target]:-} "${keep_going[@]}" \
        "fuzz/corpus/$target" "fuzz/seeds/$target" 2>&1 |
        while IFS= read -r line; do
            printf '%s\n' "$line" >&2
            printf '%s %s\n' "$((SECONDS - started))" "$line"
        done >"$log"
    status=${PIPESTATUS[0]}
    summarize "$target" "$log"
    if ((status != 0)) || (($(count_findings "$target") > before)); then
        failed+=("$target")
    fi
done

if ((${#failed[@]})); then
    echo "findings in: ${failed[*]} (inputs in fuzz/artifacts/)" >&2
    exit 1
fi
echo "no crashes"
