#!/usr/bin/env bash
# Runs every fuzz target for SECONDS (default 60) from the committed seeds and kept corpus; exits 1
# when any target found a crash, a timeout or an out-of-memory input (saved in
# fuzz/artifacts/<target>/), 2 when the targets do not build.
#
#   scripts/fuzz.sh [SECONDS]
#
# Needs a nightly toolchain and cargo-fuzz: `rustup toolchain install nightly`,
# `cargo install cargo-fuzz`. Environment:
#   FUZZ_TARGETS="feed json"  run only these targets
#   FUZZ_KEEP_GOING=1         do not stop at the first crash: run the whole time, keep them all
#   FUZZ_MERGE=1              first shrink each corpus to the inputs that add coverage
#   FUZZ_SANITIZER=none       build without AddressSanitizer (about four times the runs per second,
#                             for long runs; replay the corpus with the default build after)
#   FUZZ_REPLAY=1             run each corpus input once instead of fuzzing (SECONDS unused)
#   FUZZ_KEEP=1               instead of fuzzing, replace fuzz/kept/<target> (committed) with the
#                             fewest inputs of it and fuzz/corpus/<target> that reach every edge
#                             the two reach
#   FUZZ_GROWTH_SINCE=TIME    instead of fuzzing, replay the corpus as it was at TIME (any `date`
#                             form, e.g. "2026-11-29 23:40") and as it is now, and print which
#                             crates the coverage grew in since (an input's time is when it was
#                             found, or the last FUZZ_MERGE); needs the default sanitizer
set -uo pipefail

# Read as one block before any of it runs: editing this file during a long run cannot change the
# run's remaining steps.
{

seconds="${1:-60}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root" || exit 2

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
# page also starts from three real news pages of 21 to 31 KB: libFuzzer's length limit starts at
# the largest input, and from small seeds alone it stayed near 1 KB for hours. The pages are in
# git once, gzipped, with the extraction benchmark; they are unpacked here on first use.
real_pages=(c00962aa 0ec95c72 14cc2a0c)
# fuzz/kept/<target> is the corpus in git: what earlier runs found, shrunk by FUZZ_KEEP=1, so a
# new working copy continues from there instead of from the seeds.
seed_dirs() {
    local target="$1"
    seeds=("fuzz/seeds/$target")
    [[ -d "fuzz/kept/$target" ]] && seeds+=("fuzz/kept/$target")
    [[ "$target" == page ]] || return 0
    local dir="fuzz/target/seeds/page" id
    mkdir -p "$dir" || return 1
    for id in "${real_pages[@]}"; do
        [[ -s "$dir/$id.html" ]] && continue
        gunzip -c tests/data/article-extraction/html/"$id"*.html.gz >"$dir/$id.html" || return 1
    done
    seeds+=("$dir")
}
targets="${FUZZ_TARGETS:-feed page json timestamp charset facts}"

# Build once, then run the binaries: `cargo fuzz run` would rebuild before every target.
sanitizer="${FUZZ_SANITIZER:-address}"
if [[ -n "${FUZZ_GROWTH_SINCE:-}" && "$sanitizer" != address ]]; then
    echo "FUZZ_GROWTH_SINCE needs the AddressSanitizer build: only it names the code covered" >&2
    exit 2
fi
target_dir=fuzz/target
[[ "$sanitizer" == address ]] || target_dir="fuzz/target/$sanitizer"
cargo +nightly fuzz build --sanitizer "$sanitizer" --target-dir "$target_dir" || exit 2
host="$(rustc +nightly -vV | sed -n 's/^host: //p')"
bin="$target_dir/$host/release"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_odr_violation=0}" RUST_BACKTRACE=1

# Leak checks are off: a leak in safe Rust is no memory error, libFuzzer re-runs every input whose
# allocations outlive it (regex caches fill lazily) and that cost a fifth of the time; memory that
# grows without bound still ends a run through -rss_limit_mb.
common=(-timeout=10 -rss_limit_mb=2048 -detect_leaks=0)

duration=(-max_total_time="$seconds")
[[ "${FUZZ_REPLAY:-0}" == 1 ]] && duration=(-runs=0)

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
    awk -v target="$1" -v replay="${FUZZ_REPLAY:-0}" '
        /[ \t](NEW|REDUCE|pulse|DONE)[ \t]/ && match($0, /cov: [0-9]+/) {
            cov = substr($0, RSTART + 5, RLENGTH - 5) + 0
            if (cov > best) { best = cov; grew = $1 }
            match($0, /ft: [0-9]+/); ft = substr($0, RSTART + 4, RLENGTH - 4) + 0
            if (ft > best_ft) { best_ft = ft; ft_grew = $1 }
            if (match($0, /^[0-9]+ #[0-9]+/)) { runs = substr($0, RSTART, RLENGTH); sub(/^[0-9]+ #/, "", runs) }
            last = $1
        }
        END {
            # Stable: no new coverage in the second half of a run of ten minutes or more.
            quiet = last - grew
            verdict = (last >= 600 && quiet * 2 >= last) ? "stable" : "still growing"
            if (replay == 1) verdict = "replayed, not fuzzed"
            printf "== %s summary: %d runs in %d s; coverage %d, last grew at %d s (%s); features %d, last grew at %d s\n",
                target, runs, last, best, grew, verdict, best_ft, ft_grew
        }' "$2" | tee -a fuzz/artifacts/summary.log
}

# Edges covered per crate (the standard library and Herald count as crates) in libFuzzer's
# -print_coverage output: "COVERED_FUNC: hits: H edges: COVERED/ALL FUNCTION FILE:LINE".
edges_by_crate() {
    awk -v root="$root" '
        /^COVERED_FUNC:/ {
            for (i = 1; i < NF; i++) if ($i == "edges:") { split($(i + 1), e, "/"); break }
            file = $NF
            if (match(file, /registry\/src\/[^\/]+\/[^\/]+\//)) {
                crate = substr(file, RSTART, RLENGTH - 1); sub(/.*\//, "", crate)
            } else if (match(file, /\/library\/[a-z_]+\//)) {
                crate = substr(file, RSTART + 9, RLENGTH - 10)
            } else if (match(file, /\/rust\/deps\/[^\/]+\//)) {
                crate = substr(file, RSTART + 11, RLENGTH - 12)
            } else if (index(file, root "/vendor/") == 1) {
                crate = substr(file, length(root) + 2); match(crate, /^vendor\/[^\/]+/)
                crate = substr(crate, 1, RLENGTH)
            } else if (index(file, root "/src/") == 1) {
                crate = "herald"
            } else {
                crate = "other"
            }
            edges[crate] += e[1]
        }
        END { for (c in edges) print c, edges[c] }' | LC_ALL=C sort
}

# Replays the corpus as it was at FUZZ_GROWTH_SINCE and as it is now; prints the crates whose
# covered edges changed.
growth() {
    local target="$1" work
    work="$(mktemp -d)"
    mkdir "$work/corpus"
    find "fuzz/corpus/$target" -type f ! -newermt "$FUZZ_GROWTH_SINCE" -exec cp -t "$work/corpus" {} +
    # The replay doubles as a check under the sanitizer: a crash ends it with the output kept.
    replay() {
        "$bin/$target" -runs=0 -print_coverage=1 -max_len="${max_len[$target]}" "${common[@]}" \
            ${extra[$target]:-} "$1" >"$work/log" 2>&1 || {
            cp "$work/log" "fuzz/artifacts/$target/growth.log"
            echo "== $target: replaying $1 failed; output in fuzz/artifacts/$target/growth.log" >&2
            return 1
        }
        edges_by_crate <"$work/log"
    }
    if ! replay "$work/corpus" >"$work/then" || ! replay "fuzz/corpus/$target" >"$work/now"; then
        rm -rf "$work"
        return 1
    fi
    echo "== $target coverage growth since $FUZZ_GROWTH_SINCE: $(ls "$work/corpus" | wc -l)" \
        "inputs then, $(ls "fuzz/corpus/$target" | wc -l) now; edges covered, by crate:"
    LC_ALL=C join -a1 -a2 -e0 -o 0,1.2,2.2 "$work/then" "$work/now" |
        awk '{ then += $2; now += $3 }
             $2 != $3 { printf "   %-28s %6d -> %6d (%+d)\n", $1, $2, $3, $3 - $2 }
             END { printf "   %-28s %6d -> %6d (%+d)\n", "all", then, now, now - then }'
    rm -rf "$work"
}

if [[ -n "${FUZZ_GROWTH_SINCE:-}" ]]; then
    status=0
    for target in $targets; do
        mkdir -p "fuzz/artifacts/$target"
        growth "$target" || status=1
    done
    exit "$status"
fi

# Keeps a corpus in git: the fewest inputs (greedy set cover) of the kept corpus and the working
# one that reach every edge the two reach. Edges, not libFuzzer's finer features (an edge taken
# 1, 2, 3, 4-7, ... times): on a page corpus of 2,104 inputs that reach every feature, 548 kept
# 26,143 of their 26,158 edges in a quarter of the bytes; a run finds the features again. Inputs
# are named by their SHA-1, so an input kept before keeps its file.
keep() {
    local target="$1" merged="fuzz/corpus/.$target-kept" from
    mkdir -p "fuzz/corpus/$target" "fuzz/kept/$target" "fuzz/artifacts/$target"
    rm -rf "$merged" && mkdir -p "$merged/in" "$merged/out" || return 1
    # A copy: a fuzzer still running on the target replaces inputs it shrinks, so an input of the
    # working corpus may be gone by the time it is copied (its shorter form is there instead).
    find "fuzz/kept/$target" -type f -exec cp -t "$merged/in" {} + || return 1
    find "fuzz/corpus/$target" -type f -exec cp -t "$merged/in" {} + 2>/dev/null
    from=$(ls "$merged/in" | wc -l)
    "$bin/$target" -set_cover_merge=1 -use_counters=0 -max_len="${max_len[$target]}" "${common[@]}" \
        ${extra[$target]:-} "$merged/out" "$merged/in" >"fuzz/artifacts/$target/keep.log" 2>&1 || {
        echo "== $target: shrinking failed; output in fuzz/artifacts/$target/keep.log" >&2
        return 1
    }
    rm -rf "fuzz/kept/$target" && mv "$merged/out" "fuzz/kept/$target" && rm -rf "$merged" || return 1
    echo "== $target: kept $(ls "fuzz/kept/$target" | wc -l) of $from inputs," \
        "$(find "fuzz/kept/$target" -type f -printf '%s\n' | awk '{ b += $1 } END { printf "%.0f", b / 1024 }')" \
        "KB in fuzz/kept/$target"
}

if [[ "${FUZZ_KEEP:-0}" == 1 ]]; then
    status=0
    for target in $targets; do
        keep "$target" || status=1
    done
    exit "$status"
fi

failed=()
for target in $targets; do
    mkdir -p "fuzz/corpus/$target" "fuzz/artifacts/$target"
    before="$(count_findings "$target")"
    seed_dirs "$target" || { echo "cannot unpack the seeds of $target" >&2; exit 2; }
    if [[ "${FUZZ_MERGE:-0}" == 1 ]]; then
        merged="fuzz/corpus/.$target-merged"
        rm -rf "$merged" && mkdir -p "$merged"
        "$bin/$target" -merge=1 -max_len="${max_len[$target]}" "${common[@]}" ${extra[$target]:-} \
            "$merged" "fuzz/corpus/$target" "${seeds[@]}" >"fuzz/artifacts/$target/merge.log" 2>&1 &&
            echo "== $target: corpus $(ls "fuzz/corpus/$target" | wc -l) -> $(ls "$merged" | wc -l) inputs" &&
            rm -rf "fuzz/corpus/$target" && mv "$merged" "fuzz/corpus/$target"
    fi
    echo "== $target: ${duration[*]}, -max_len=${max_len[$target]}, sanitizer $sanitizer"
    # The first directory collects new inputs; the seeds are only read.
    # Words the target's code compares with (scripts/fuzz-dict.py), spliced into inputs.
    dict=()
    [[ -f "fuzz/dict/$target.dict" ]] && dict=(-dict="fuzz/dict/$target.dict")
    log="fuzz/artifacts/$target/last-run.log"
    started=$SECONDS
    # Each line of libFuzzer's output goes to the terminal and, with the second it came at, to
    # the log the summary below reads.
    "$bin/$target" -artifact_prefix="fuzz/artifacts/$target/" \
        "${duration[@]}" -max_len="${max_len[$target]}" "${common[@]}" \
        -print_final_stats=1 ${extra[$target]:-} "${dict[@]}" "${keep_going[@]}" \
        "fuzz/corpus/$target" "${seeds[@]}" 2>&1 |
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
exit
}
