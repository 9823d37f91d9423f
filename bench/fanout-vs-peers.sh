#!/usr/bin/env bash
# Herald's fan-out against the established Web Push senders (npm web-push, PyPI pywebpush),
# in the same run, against the same loopback TLS sink (sink.js from the shared peers folder),
# with the same N subscriptions (real P-256 keys, gen_subs.js).
#
#   bench/fanout-vs-peers.sh [N=20000] [REPS=3] [PEERS_DIR=../shared/bench/peers]
#
# Each rep runs, one after the other (interleaved, so drift in machine load hits every row):
#   herald     bench fanout --subs FILE --sink https://127.0.0.1:PORT --ca-cert CERT   sink: --proto h1 --tls
#   node       node_webpush_fanout.js --subs FILE --conc 64                             sink: --proto h1 --tls
#   herald-h2  as herald, sink --proto h2 --tls (ALPN h2 + http/1.1, like FCM)
#   pyshared   pywebpush_fanout.py --conc 64 --session shared                          sink: --proto h1 --tls
#   pydefault  pywebpush_fanout.py --conc 64 (webpush() without a session: its default)  sink: --proto h1 --tls
# Every sender runs under /usr/bin/time -v (whole-process wall clock, CPU, peak RSS); the sink
# verifies 1 in 100 pushes (decrypts the body, checks the VAPID JWT) and counts everything.
#
# Env: PEER_DIR (/tmp/peerbench), PORT (8443), SENDERS ("herald node herald-h2 pyshared pydefault"),
#      NODE_CONC (64), PY_CONC (64), HERALD_BIN (default: cargo build --release, target/release/herald),
#      HERALD_ARGS (extra args for herald bench fanout), RUN_TIMEOUT (600 s per run),
#      WAIT_IDLE (30: wait up to this many s for the machine to be >= 85 % idle before each run).
# Output: $PEER_DIR/out/herald-vs-peers.tsv (one row per run), herald-vs-peers.jsonl (raw sender
# and sink lines), logs in $PEER_DIR/out/herald-vs-peers/, and a Markdown table of medians on stdout.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${1:-20000}"
REPS="${2:-3}"
PEERS="${3:-$REPO/../shared/bench/peers}"
PEER_DIR="${PEER_DIR:-/tmp/peerbench}"
PORT="${PORT:-8443}"
SENDERS="${SENDERS:-herald node herald-h2 pyshared pydefault}"
NODE_CONC="${NODE_CONC:-64}"
PY_CONC="${PY_CONC:-64}"
RUN_TIMEOUT="${RUN_TIMEOUT:-600}"
WAIT_IDLE="${WAIT_IDLE:-30}"
HERALD_ARGS="${HERALD_ARGS:-}"

die() { echo "fanout-vs-peers: $*" >&2; exit 1; }
[[ "$N" =~ ^[0-9]+$ && "$N" -gt 0 ]] || die "N must be a positive integer (got '$N')"
[[ "$REPS" =~ ^[0-9]+$ && "$REPS" -gt 0 ]] || die "REPS must be a positive integer (got '$REPS')"
if [ ! -d "$PEERS" ] || [ ! -f "$PEERS/sink.js" ] || [ ! -f "$PEERS/gen_subs.js" ]; then
  die "peer benchmark folder not found: $PEERS
  (expected sink.js, gen_subs.js, node_webpush_fanout.js, pywebpush_fanout.py, setup.sh there;
   pass its path as the third argument)"
fi
PEERS="$(cd "$PEERS" && pwd)"
for tool in node npm python3 openssl /usr/bin/time timeout; do
  command -v "$tool" >/dev/null || die "missing prerequisite: $tool"
done

# ---- peers' dependencies (npm web-push + http_ece, pywebpush venv, self-signed cert) ----
export PEER_DIR
export NODE_PATH="$PEER_DIR/node_modules${NODE_PATH:+:$NODE_PATH}"
CERT="$PEER_DIR/certs/cert.pem"
KEY="$PEER_DIR/certs/key.pem"
PY="$PEER_DIR/venv/bin/python"
needs_py=0; [[ " $SENDERS " == *" py"* ]] && needs_py=1
if [ ! -f "$PEER_DIR/node_modules/web-push/package.json" ] || [ ! -f "$PEER_DIR/node_modules/http_ece/package.json" ] \
   || [ ! -f "$CERT" ] || [ ! -f "$KEY" ] || { [ "$needs_py" = 1 ] && ! "$PY" -c 'import pywebpush' 2>/dev/null; }; then
  echo "== $PEER_DIR is not set up: running $PEERS/setup.sh"
  "$PEERS/setup.sh"
fi

# ---- Herald ----
if [ -z "${HERALD_BIN:-}" ]; then
  echo "== cargo build --release"
  (cd "$REPO" && cargo build --release --quiet)
  HERALD_BIN="$REPO/target/release/herald"
fi
[ -x "$HERALD_BIN" ] || die "no herald binary at $HERALD_BIN"

# ---- subscriptions: N lines, endpoints https://127.0.0.1:PORT/push/<id> ----
SUBS="$PEER_DIR/herald-vs-peers-subs-$N-$PORT.jsonl"
if [ ! -f "$SUBS" ] || [ "$(wc -l <"$SUBS")" -ne "$N" ] || ! head -1 "$SUBS" | grep -q "\"https://127.0.0.1:$PORT/push/"; then
  echo "== generating $N subscriptions"
  rm -f "$SUBS" "${SUBS%.jsonl}.vapid.json"
  (cd "$PEERS" && node gen_subs.js --n "$N" --port "$PORT" --scheme https --out "$SUBS")
fi

OUT="$PEER_DIR/out"
LOGS="$OUT/herald-vs-peers"
TSV="$OUT/herald-vs-peers.tsv"
RAW="$OUT/herald-vs-peers.jsonl"
mkdir -p "$LOGS"
[ ! -f "$TSV" ] || mv -f "$TSV" "$TSV.prev"
[ ! -f "$RAW" ] || mv -f "$RAW" "$RAW.prev"

sink_pid=""
cleanup() { if [ -n "$sink_pid" ]; then kill -TERM "$sink_pid" 2>/dev/null || true; wait "$sink_pid" 2>/dev/null || true; fi; }
trap cleanup EXIT
trap 'exit 130' INT TERM

idle_pct() { # CPU idle % over 1 s, from /proc/stat
  local a1 b1 c1 d1 e1 f1 g1 h1 a2 b2 c2 d2 e2 f2 g2 h2 tot
  read -r _ a1 b1 c1 d1 e1 f1 g1 h1 _ < /proc/stat; sleep 1; read -r _ a2 b2 c2 d2 e2 f2 g2 h2 _ < /proc/stat
  tot=$(( (a2+b2+c2+d2+e2+f2+g2+h2) - (a1+b1+c1+d1+e1+f1+g1+h1) ))
  echo $(( 100 * (d2-d1) / (tot>0?tot:1) ))
}

busy_note() { # other heavy processes (e.g. a cargo build) at the start of a run
  ps -eo pcpu=,comm= --sort=-pcpu | awk '$1 >= 20 {printf "%s%s:%s%%", sep, $2, $1; sep=","}'
}

# run_one REP LABEL SINK_PROTO -- COMMAND...
run_one() {
  local rep="$1" label="$2" proto="$3"; shift 3; [ "${1:-}" = "--" ] && shift
  local tag; tag="$(echo "$label" | tr '/ ' '__')-r$rep-$(date +%s)"
  local sink_log="$LOGS/$tag.sink.log" sink_json="$LOGS/$tag.sink.json"
  local out_log="$LOGS/$tag.out" err_log="$LOGS/$tag.err" time_log="$LOGS/$tag.time"
  local pre_idle waited=0 rc busy
  pre_idle="$(idle_pct)"
  while [ "$pre_idle" -lt 85 ] && [ "$waited" -lt "$WAIT_IDLE" ]; do sleep 4; waited=$((waited + 5)); pre_idle="$(idle_pct)"; done
  busy="$(busy_note)"

  timeout $((RUN_TIMEOUT + 60)) node "$PEERS/sink.js" --port "$PORT" --proto "$proto" --tls \
    --cert "$CERT" --key "$KEY" --subs "$SUBS" --verify --sample 100 \
    --idle 30 --max-seconds $((RUN_TIMEOUT + 30)) --stats-file "$sink_json" >"$sink_log" 2>&1 &
  sink_pid=$!
  for _ in $(seq 100); do grep -q listening "$sink_log" 2>/dev/null && break; sleep 0.1; done
  if ! grep -q listening "$sink_log"; then
    cat "$sink_log" >&2; cleanup; sink_pid=""
    die "sink did not start on port $PORT (in use? set PORT=...)"
  fi

  rc=0
  (cd "$PEERS" && NODE_EXTRA_CA_CERTS="$CERT" /usr/bin/time -v -o "$time_log" timeout "$RUN_TIMEOUT" "$@") \
    >"$out_log" 2>"$err_log" || rc=$?
  sleep 0.3
  kill -TERM "$sink_pid" 2>/dev/null || true
  wait "$sink_pid" 2>/dev/null || true
  sink_pid=""

  python3 - "$rep" "$label" "$proto" "$N" "$rc" "$pre_idle" "${busy:--}" "$out_log" "$err_log" "$time_log" \
    "$sink_log" "$sink_json" "$TSV" "$RAW" <<'PY'
import json, os, re, sys
(rep, label, proto, n, rc, pre_idle, busy, out_log, err_log, time_log,
 sink_log, sink_json, tsv, raw) = sys.argv[1:]
n = int(n)
out = open(out_log).read()
err = open(err_log).read() if os.path.exists(err_log) else ""

# sender's own line: Herald prints one JSON object; the peers print "name key=value ..."
sender_line, s = "", {}
for line in out.splitlines():
    line = line.strip()
    if line.startswith("{"):
        try:
            s = json.loads(line); sender_line = line
        except ValueError:
            pass
    elif re.match(r"^(node-web-push|pywebpush)\b", line):
        sender_line = line
        s = dict(kv.split("=", 1) for kv in line.split()[1:] if "=" in kv)
def num(v):
    try: return float(v)
    except (TypeError, ValueError): return None
if "seconds" in s:      # herald
    msgs, secs, cpu = num(s.get("msgs_per_s")), num(s.get("seconds")), num(s.get("cpu_seconds"))
    delivered, failed, self_rss = num(s.get("delivered")), num(s.get("failed")), num(s.get("peak_rss_mb"))
else:                   # peers
    msgs, secs, cpu = num(s.get("msgs_per_s")), num(s.get("secs")), num(s.get("cpu_s"))
    delivered, failed, self_rss = num(s.get("ok")), num(s.get("fail")), num(s.get("rss_mb"))

tv = {}
if os.path.exists(time_log):
    for line in open(time_log):
        if ":" in line:
            k, v = line.strip().rsplit(": ", 1) if ": " in line else (line.strip(), "")
            tv[k.strip()] = v.strip()
def wall_s(v):
    if not v: return None
    parts = [float(p) for p in v.split(":")]
    t = 0.0
    for p in parts: t = t * 60 + p
    return t
wall = wall_s(tv.get("Elapsed (wall clock) time (h:mm:ss or m:ss)"))
ucpu, scpu = num(tv.get("User time (seconds)")), num(tv.get("System time (seconds)"))
proc_cpu = (ucpu or 0) + (scpu or 0) if ucpu is not None else None
rss = num(tv.get("Maximum resident set size (kbytes)"))
rss = rss / 1024 if rss is not None else None

try:
    k = json.load(open(sink_json))
except (OSError, ValueError):
    k = {}
sink_line = ""
for line in open(sink_log):
    if line.startswith("sink ") or line.startswith("sink errors"):
        sink_line += line
g = lambda key: k.get(key, "?")

problems = []
if rc != "0": problems.append(f"sender_rc={rc}")
if delivered is None or int(delivered) != n: problems.append(f"sender_ok={delivered}")
if failed: problems.append(f"sender_failed={int(failed)}")
if g("requests") != n: problems.append(f"sink_got={g('requests')}")
if k.get("status", {}) != {"201": n}: problems.append(f"sink_status={json.dumps(k.get('status'))}")
for key in ("missing_vapid", "bad_content_encoding", "missing_ttl", "decrypt_fail", "vapid_fail"):
    if g(key) != 0: problems.append(f"{key}={g(key)}")
if not k.get("decrypt_ok") or not k.get("vapid_ok"): problems.append(f"verified={g('decrypt_ok')}/{g('vapid_ok')}")
check = "ok" if not problems else ",".join(problems)

f = lambda v, d=2: "" if v is None else f"{v:.{d}f}"
row = {
    "rep": rep, "sender": label, "sink_proto": proto + "+tls", "N": n,
    "msgs_per_s": f(msgs, 0), "fanout_s": f(secs, 3), "fanout_cpu_s": f(cpu),
    "wall_s": f(wall), "whole_msgs_per_s": f(n / wall if wall else None, 0),
    "proc_cpu_s": f(proc_cpu), "peak_rss_mb": f(rss, 1), "self_rss_mb": f(self_rss, 1),
    "delivered": "" if delivered is None else int(delivered), "failed": "" if failed is None else int(failed),
    "sink_requests": g("requests"), "sink_status": json.dumps(k.get("status", {}), separators=(",", ":")),
    "sink_conns": g("tcp_conns"), "sink_tls_handshakes": g("tls_handshakes"),
    "sink_h2_sessions": g("h2_sessions"), "sink_alpn": json.dumps(k.get("alpn", {}), separators=(",", ":")),
    "sink_cpu_s": f((k.get("cpu_user_s") or 0) + (k.get("cpu_sys_s") or 0)) if k else "",
    "sampled": g("sampled"), "decrypt_ok": g("decrypt_ok"), "decrypt_fail": g("decrypt_fail"),
    "vapid_ok": g("vapid_ok"), "vapid_fail": g("vapid_fail"),
    "sink_errors": json.dumps(k.get("errors", [])), "idle_before_pct": pre_idle, "busy_at_start": busy,
    "check": check,
}
new = not os.path.exists(tsv)
with open(tsv, "a") as t:
    if new: t.write("\t".join(row) + "\n")
    t.write("\t".join(str(v).replace("\t", " ") for v in row.values()) + "\n")
with open(raw, "a") as r:
    r.write(json.dumps({"rep": int(rep), "sender": label, "sink_proto": proto + "+tls",
                        "sender_line": sender_line, "sink_line": sink_line.strip(),
                        "time_v": {"wall_s": wall, "cpu_s": proc_cpu, "peak_rss_mb": rss}, "check": check}) + "\n")

print(f"  {label:<24} rep {rep}: {f(msgs,0):>6} msgs/s  fan-out {f(secs,2)} s  wall {f(wall,2)} s  "
      f"CPU {f(proc_cpu)} s  RSS {f(rss,0)} MB  conns {g('tcp_conns')}  "
      f"verify decrypt {g('decrypt_ok')}/{g('sampled')} vapid {g('vapid_ok')}/{g('sampled')}  [{check}]")
print("    " + (sender_line or "(no result line from the sender)"))
print("    " + sink_line.strip().replace("\n", "\n    "))
if check != "ok":
    tail = "\n".join((err.strip().splitlines() or [])[-5:])
    print(f"    !! {label}: {check}")
    if k.get("errors"): print(f"    !! sink verification messages: {json.dumps(k['errors'])}")
    if tail: print("    !! sender stderr (tail):\n      " + tail.replace("\n", "\n      "))
PY
}

run_sender() { # rep sender
  local rep="$1" who="$2"
  # shellcheck disable=SC2086
  case "$who" in
    herald)    run_one "$rep" "herald" h1 -- "$HERALD_BIN" bench fanout --subscriptions "$N" --subs "$SUBS" \
                 --sink "https://127.0.0.1:$PORT" --ca-cert "$CERT" $HERALD_ARGS ;;
    herald-h2) run_one "$rep" "herald" h2 -- "$HERALD_BIN" bench fanout --subscriptions "$N" --subs "$SUBS" \
                 --sink "https://127.0.0.1:$PORT" --ca-cert "$CERT" $HERALD_ARGS ;;
    node)      run_one "$rep" "node web-push c$NODE_CONC" h1 -- node node_webpush_fanout.js --subs "$SUBS" --conc "$NODE_CONC" ;;
    pyshared)  run_one "$rep" "pywebpush c$PY_CONC shared-session" h1 -- "$PY" pywebpush_fanout.py --subs "$SUBS" \
                 --conc "$PY_CONC" --session shared --ca "$CERT" ;;
    pydefault) run_one "$rep" "pywebpush c$PY_CONC default" h1 -- "$PY" pywebpush_fanout.py --subs "$SUBS" \
                 --conc "$PY_CONC" --ca "$CERT" ;;
    *) die "unknown sender '$who' in SENDERS (herald, herald-h2, node, pyshared, pydefault)" ;;
  esac
}

echo "== $(date -u +%FT%TZ)  N=$N REPS=$REPS  senders: $SENDERS  $(nproc) cores  load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "   $("$HERALD_BIN" --version 2>/dev/null || echo herald) | node $(node --version) | subs $SUBS"
started=$SECONDS
for rep in $(seq "$REPS"); do
  echo "== rep $rep/$REPS"
  for who in $SENDERS; do run_sender "$rep" "$who"; done
done
echo "== done in $((SECONDS - started)) s; rows: $TSV; raw lines: $RAW; logs: $LOGS"
echo

# ---- medians as a Markdown table ----
python3 - "$TSV" <<'PY'
import csv, statistics as st, sys
from collections import OrderedDict
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
groups = OrderedDict()
for r in rows:
    groups.setdefault((r["sender"], r["sink_proto"], int(r["N"])), []).append(r)
def med(rs, k):
    v = [float(r[k]) for r in rs if r[k] not in ("", "?")]
    return st.median(v) if v else float("nan")
base = next((med(rs, "msgs_per_s") for (s, _, _), rs in groups.items() if s.startswith("node web-push")), None)
base_whole = next((med(rs, "whole_msgs_per_s") for (s, _, _), rs in groups.items() if s.startswith("node web-push")), None)
print("| sender | sink | N | runs | msgs/s median (all runs) | × node web-push | whole process: wall s / N÷wall msgs/s (× node) "
      "| fan-out CPU ms/msg | process CPU ms/msg | peak RSS MB | sink TCP conns | sink verify (decrypt / VAPID ok of sampled) | checks |")
print("|---|---|---:|---:|---|---:|---|---:|---:|---:|---:|---|---|")
for (sender, proto, n), rs in groups.items():
    m = med(rs, "msgs_per_s"); w = med(rs, "whole_msgs_per_s")
    ratio = f"{m / base:.1f}×" if base else "–"
    wratio = f" ({w / base_whole:.1f}×)" if base_whole else ""
    dec = sum(int(r["decrypt_ok"]) for r in rs if r["decrypt_ok"].isdigit())
    vap = sum(int(r["vapid_ok"]) for r in rs if r["vapid_ok"].isdigit())
    smp = sum(int(r["sampled"]) for r in rs if r["sampled"].isdigit())
    checks = ",".join(sorted({r["check"] for r in rs}))
    print(f"| {sender} | {proto} | {n} | {len(rs)} | **{m:.0f}** ({' / '.join(r['msgs_per_s'] or '?' for r in rs)}) | {ratio} "
          f"| {med(rs, 'wall_s'):.1f} s / {w:.0f}{wratio} | {med(rs, 'fanout_cpu_s') * 1000 / n:.2f} "
          f"| {med(rs, 'proc_cpu_s') * 1000 / n:.2f} | {med(rs, 'peak_rss_mb'):.0f} | {med(rs, 'sink_conns'):.0f} "
          f"| {dec} / {vap} of {smp} | {checks} |")
bad = [r for r in rows if r["check"] != "ok"]
print()
if bad:
    print(f"**{len(bad)} run(s) failed a check:**")
    for r in bad:
        print(f"- {r['sender']} ({r['sink_proto']}) rep {r['rep']}: {r['check']} {r['sink_errors']}")
else:
    print(f"All {len(rows)} runs: every push arrived with 201, every sampled body decrypted and every sampled VAPID JWT verified.")
busy = sorted({r["busy_at_start"] for r in rows if r["busy_at_start"] not in ("", "-")})
idle = [int(r["idle_before_pct"]) for r in rows if r["idle_before_pct"].isdigit()]
if idle:
    print(f"CPU idle before each run: {min(idle)}–{max(idle)} %" + (f"; busy processes seen at start: {'; '.join(busy)}" if busy else ""))
PY
