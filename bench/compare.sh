#!/bin/bash
# Side-by-side benchmark: herald against nginx-nchan and the floor server (TCP_NODELAY and
# Nagle), one server at a time, each started fresh for every run, server pinned to CPU 0
# and herald-bench to CPU 1. Writes the medians, the ratios and the targets into
# BENCHMARKS.md between the "compare.sh" markers (the rest of the file is kept).
#
#   bench/compare.sh                   # 3 runs of every scenario (~11 min on 2 cores)
#   RUNS=1 bench/compare.sh            # a quick pass
#   SERVERS=herald SCENARIOS=fanout EXTRA='--duration 2' OUT=/tmp/b.md bench/compare.sh
#
# Environment: RUNS, SERVERS (herald nchan floor floor-nagle), SCENARIOS (fanout latency
# idle ingest churn), EXTRA (flags added to every herald-bench run), OUT, BUILD, REF,
# HERALD_PORT, FLOOR_PORT, BENCH_TIMEOUT (s per run), QUIET_LOAD / QUIET_WAIT (wait for
# the 1-minute load average to drop below QUIET_LOAD, at most QUIET_WAIT s; 0 skips).
# Needs: taskset, timeout, python3, nginx + libnginx-mod-nchan, gcc + libssl-dev (floor).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
REF=${REF:-/work/shared/reference}
OUT=${OUT:-$ROOT/BENCHMARKS.md}
RUNS=${RUNS:-3}
SERVERS=${SERVERS:-herald nchan floor floor-nagle}
SCENARIOS=${SCENARIOS:-fanout latency idle ingest churn}
EXTRA=${EXTRA:-}
HERALD_PORT=${HERALD_PORT:-18090}
FLOOR_PORT=${FLOOR_PORT:-18093}
NCHAN_PORT=18081 # fixed in the reference's nchan.conf
BENCH_TIMEOUT=${BENCH_TIMEOUT:-120}
QUIET_LOAD=${QUIET_LOAD:-1.0}
QUIET_WAIT=${QUIET_WAIT:-1200}

HERALD=$BUILD/herald
BENCH=$BUILD/bench/herald-bench
WORK=$(mktemp -d /tmp/herald-compare.XXXXXX)
RESULTS=$WORK/results
mkdir -p "$RESULTS"
SERVER_PID=""

log() { echo "[compare $(date +%T)] $*" >&2; }
die() { log "$*"; exit 2; }

for tool in "$HERALD" "$BENCH"; do [ -x "$tool" ] || die "missing $tool (ninja -C $BUILD herald herald-bench)"; done
command -v python3 >/dev/null || die "python3 is needed to summarise the JSON results"
ulimit -n "$(ulimit -Hn)" # herald holds up to 19,000 subscribers in the idle scenario

# --- servers -------------------------------------------------------------------------

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# True while the process exists and is not a zombie.
alive() { [ -r "/proc/$1/stat" ] && ! grep -q ') Z ' "/proc/$1/stat" 2>/dev/null; }

# Stops $SERVER_PID (and, for nginx, its worker children): SIGTERM, then SIGKILL after 10 s.
stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  local pid=$SERVER_PID children
  SERVER_PID=""
  children=$(pgrep -P "$pid" 2>/dev/null | tr '\n' ' ')
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
  if alive "$pid"; then log "pid $pid ignored SIGTERM; killing it"; kill -KILL "$pid" 2>/dev/null; fi
  for c in $children; do alive "$c" && kill -KILL "$c" 2>/dev/null; done
  wait "$pid" 2>/dev/null # reaps herald (our child); the reference servers are not
  return 0
}
trap 'stop_server; exit 130' INT TERM
trap 'stop_server' EXIT

# Each start_* sets SERVER_PID and the herald-bench flags that reach that server (TARGET).
start_herald() {
  port_open "$HERALD_PORT" && die "port $HERALD_PORT is in use"
  printf '[auth.tokens]\n"dev-token" = "bench"\n' >"$WORK/herald.toml"
  rm -f "$WORK"/herald.db*
  taskset -c 0 "$HERALD" --config "$WORK/herald.toml" --db "$WORK/herald.db" \
    --listen "127.0.0.1:$HERALD_PORT" --log-level warn >>"$WORK/herald.log" 2>&1 </dev/null &
  SERVER_PID=$!
  for _ in $(seq 200); do
    port_open "$HERALD_PORT" && break
    alive "$SERVER_PID" || die "herald exited, see $WORK/herald.log"
    sleep 0.05
  done
  port_open "$HERALD_PORT" || die "herald did not open port $HERALD_PORT"
  TARGET=(--server "127.0.0.1:$HERALD_PORT")
}

start_nchan() {
  port_open "$NCHAN_PORT" && die "port $NCHAN_PORT is in use (another nginx-nchan running?)"
  SERVER_PID=$(taskset -c 0 "$REF/start-nchan.sh") || die "nginx-nchan did not start"
  TARGET=(--url "ws://127.0.0.1:$NCHAN_PORT/sub?id=bench" --pub-url "http://127.0.0.1:$NCHAN_PORT/pub?id=bench"
          --body '{payload}' --content-type '' --auth '')
}

start_floor() { # $1: "" (TCP_NODELAY) or nagle
  port_open "$FLOOR_PORT" && die "port $FLOOR_PORT is in use"
  SERVER_PID=$(PORT=$FLOOR_PORT MODE=$1 LOG=$WORK/floor.log taskset -c 0 "$REF/start-floor.sh") ||
    die "floor server did not start"
  TARGET=(--url "ws://127.0.0.1:$FLOOR_PORT/ws" --pub-url "http://127.0.0.1:$FLOOR_PORT/send"
          --body '{payload}' --content-type '' --auth '')
}

start_server() {
  case $1 in
    herald) start_herald ;;
    nchan) start_nchan ;;
    floor) start_floor "" ;;
    floor-nagle) start_floor nagle ;;
    *) die "unknown server $1" ;;
  esac
}

# --- runs ----------------------------------------------------------------------------

# Scenario variants: name and herald-bench flags. churn needs ?since=, which only herald has.
variants_of() {
  case $1 in
    fanout | latency | ingest | churn) echo "$1" ;;
    idle) echo "idle10k idle19k" ;;
    *) die "unknown scenario $1" ;;
  esac
}
flags_of() {
  case $1 in
    idle10k) echo "--scenario idle --subscribers 10000" ;;
    idle19k) echo "--scenario idle --subscribers 19000" ;;
    *) echo "--scenario $1" ;;
  esac
}

# One fresh server, one bounded herald-bench run; the JSON goes to results/, the table to .txt.
run_one() { # server variant run-number
  local server=$1 variant=$2 i=$3 base rc
  base=$RESULTS/$variant.$server.$i
  start_server "$server"
  # shellcheck disable=SC2206,SC2207 # the flags and EXTRA are split into words on purpose
  local cmd=(taskset -c 1 timeout -k 10 "$BENCH_TIMEOUT" "$BENCH" $(flags_of "$variant") "${TARGET[@]}"
             $EXTRA --server-pid "$SERVER_PID" --json --quiet)
  "${cmd[@]}" >"$base.json" 2>"$base.txt"
  rc=$?
  stop_server
  printf '%s\t%s\t%s\t%s\t%s\n' "$variant" "$server" "$i" "$rc" "$(printf '%q ' "${cmd[@]}")" >>"$RESULTS/runs.tsv"
  log "$variant $server run $i: exit $rc"
}

wait_quiet() {
  local start=$SECONDS load
  while :; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    awk -v l="$load" -v q="$QUIET_LOAD" 'BEGIN { exit !(l < q) }' && { QUIET_NOTE="load $load after waiting $((SECONDS - start)) s"; return; }
    if ((SECONDS - start >= QUIET_WAIT)); then
      QUIET_NOTE="gave up waiting for a quiet machine after $((SECONDS - start)) s; load was $load"
      log "$QUIET_NOTE"; return
    fi
    log "load $load >= $QUIET_LOAD, waiting"
    sleep 30
  done
}

QUIET_NOTE="no wait"
[ "$QUIET_WAIT" -gt 0 ] && wait_quiet
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
log "results in $RESULTS"

for scenario in $SCENARIOS; do
  for variant in $(variants_of "$scenario"); do
    for server in $SERVERS; do
      [ "$variant" = churn ] && [ "$server" != herald ] && continue
      for i in $(seq "$RUNS"); do run_one "$server" "$variant" "$i"; done
    done
  done
done

# --- the record ----------------------------------------------------------------------

{
  echo "started=$STARTED"
  echo "finished=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "runs=$RUNS"
  echo "quiet=$QUIET_NOTE; 1/5/15-min load at start $LOAD_AT_START"
  echo "nproc=$(nproc)"
  echo "kernel=$(uname -r)"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "herald=$("$HERALD" --version 2>&1 | head -1)"
  echo "nginx=$(nginx -v 2>&1 | head -1)"
  echo "nchan=libnginx-mod-nchan $(dpkg-query -W -f '${Version}' libnginx-mod-nchan 2>/dev/null)"
  echo "gcc=$(gcc --version | head -1)"
  echo "extra=$EXTRA"
  echo "herald_start=taskset -c 0 $HERALD --config CONFIG --db TMPDB --listen 127.0.0.1:$HERALD_PORT --log-level warn  (CONFIG: [auth.tokens] \"dev-token\" = \"bench\")"
  echo "nchan_start=taskset -c 0 $REF/start-nchan.sh"
  echo "floor_start=PORT=$FLOOR_PORT taskset -c 0 $REF/start-floor.sh"
  echo "floor-nagle_start=PORT=$FLOOR_PORT MODE=nagle taskset -c 0 $REF/start-floor.sh"
} >"$RESULTS/meta.txt"

python3 - "$RESULTS" "$OUT" <<'PY' || die "could not write $OUT"
# Summarises results/ (runs.tsv, meta.txt, one JSON per run) into the marked block of OUT.
import json, os, statistics, sys

res, out = sys.argv[1], sys.argv[2]
meta = dict(l.rstrip("\n").split("=", 1) for l in open(os.path.join(res, "meta.txt")) if "=" in l)
SERVERS = ["herald", "nchan", "floor", "floor-nagle"]
NAMES = {"herald": "herald", "nchan": "nginx-nchan", "floor": "floor, TCP_NODELAY", "floor-nagle": "floor, Nagle on"}
runs, cmds = {}, {}
for line in open(os.path.join(res, "runs.tsv")):
    variant, server, i, rc, cmd = line.rstrip("\n").split("\t")
    try:
        j = json.load(open(os.path.join(res, f"{variant}.{server}.{i}.json")))
    except (OSError, ValueError):
        j = None  # the run timed out or the harness could not run
    runs.setdefault((variant, server), []).append((int(rc), j))
    cmds.setdefault((variant, server), cmd)


def get(j, path):
    for k in path.split("."):
        j = j[k]
    return j


def server_cpu(j):  # server CPU seconds per second while publishing
    s = j["server"]
    return (s["published"]["cpu_s"] - s["connected"]["cpu_s"]) / max(j["publishes"]["seconds"], 1e-9)


def us_per_delivery(j):
    s = j["server"]
    n = j["deliveries"]["per_s"] * j["publishes"]["seconds"]
    return (s["published"]["cpu_s"] - s["connected"]["cpu_s"]) / n * 1e6 if n else None


def values(variant, server, f):
    out = []
    for _, j in runs.get((variant, server), []):
        if j is None:
            continue
        v = f(j) if callable(f) else get(j, f)
        if v is not None:
            out.append(v)
    return out


def med(variant, server, f):
    v = values(variant, server, f)
    return statistics.median(v) if v else None


def worst(variant, server, f):
    v = values(variant, server, f)
    return max(v) if v else None


def rate(v):
    if v is None:
        return "–"
    return f"{v / 1000:.0f}k" if v >= 1e5 else f"{v / 1000:.1f}k" if v >= 1e3 else f"{v:.0f}"


def num(v, fmt="{:.0f}"):
    return "–" if v is None else fmt.format(v)


def harness(variant, server):
    r = runs.get((variant, server), [])
    js = [j for _, j in r if j]
    if not r:
        return "–"
    sat = sum(1 for j in js if j["harness"]["saturated"])
    main = max((j["harness"]["main_cpu_ratio"] for j in js), default=0)
    work = max((j["harness"]["worker_cpu_ratio_max"] for j in js), default=0)
    return f"{'**SATURATED** ' if sat else ''}{sat}/{len(r)} saturated (main ≤ {main:.0%}, worker ≤ {work:.0%})"


def clean(variant, server):
    r = runs.get((variant, server), [])
    return f"{sum(1 for rc, _ in r if rc == 0)}/{len(r)}" if r else "–"


def ratio(a, b):
    return None if a is None or not b else a / b


def verdict(ok):
    return "–" if ok is None else ("**met**" if ok else "**not met**")


def table(variant, header, cols):
    rows = ["| server | " + " | ".join(header) + " | clean runs | harness CPU |",
            "|---|" + "---|" * (len(header) + 2)]
    for s in SERVERS:
        if (variant, s) in runs:
            rows.append(f"| {NAMES[s]} | " + " | ".join(c(variant, s) for c in cols)
                        + f" | {clean(variant, s)} | {harness(variant, s)} |")
    return "\n".join(rows)


L = []  # the generated block
w = L.append
w(f"## Results (bench/compare.sh, {meta['started']} – {meta['finished']})\n")
w(f"Medians of **{meta['runs']}** run(s) per cell; every server started fresh for every run, pinned to CPU 0 "
  f"(`taskset -c 0`), herald-bench pinned to CPU 1, loopback, 100-byte messages.\n")
w(f"- machine: {meta['nproc']} CPUs, {meta['cpu']}, Linux {meta['kernel']}")
w(f"- versions: {meta['herald']}; {meta['nginx']} with {meta['nchan']}; {meta['gcc']}")
w(f"- machine load before measuring: {meta['quiet']}")
if meta.get("extra"):
    w(f"- extra herald-bench flags on every run: `{meta['extra']}` (not the standard scenarios)")
w("")

# ---- figures
fan = {s: med("fanout", s, "deliveries.per_s") for s in SERVERS}
lat99 = {s: med("latency", s, "latency.end_to_end.p99_ms") for s in SERVERS}
idle = {v: med(v, "herald", "server.rss_per_connection_kb") for v in ("idle10k", "idle19k")}
ing_rate = med("ingest", "herald", "publishes.per_s")
ing_lost = worst("ingest", "herald", "deliveries.lost")
churn_lost = worst("churn", "herald", "deliveries.lost")
churn_dup = worst("churn", "herald", "deliveries.duplicated")

def both(a, b):
    return None if a is None or b is None else (a and b)

def cmp(v, f):
    return None if v is None else f(v)

w("### Targets\n")
w("| target | herald | reference | ratio | verdict |")
w("|---|---|---|---|---|")
r = ratio(fan["herald"], fan["nchan"])
w(f"| fanout ≥ 2× nchan deliveries/s | {rate(fan['herald'])}/s | {rate(fan['nchan'])}/s | {num(r, '{:.2f}×')} | {verdict(cmp(r, lambda x: x >= 2))} |")
r = ratio(fan["herald"], fan["floor-nagle"])
w(f"| fanout ≥ ½ floor (Nagle) deliveries/s | {rate(fan['herald'])}/s | {rate(fan['floor-nagle'])}/s | {num(r, '{:.2f}×')} | {verdict(cmp(r, lambda x: x >= 0.5))} |")
r = ratio(lat99["herald"], lat99["nchan"])
w(f"| latency p99 below nchan's | {num(lat99['herald'], '{:.2f} ms')} | {num(lat99['nchan'], '{:.2f} ms')} | {num(r, '{:.2f}×')} | {verdict(cmp(r, lambda x: x < 1))} |")
for s in ("floor-nagle", "floor"):
    r = ratio(lat99["herald"], lat99[s])
    w(f"| latency p99 ≤ 1.5× {NAMES[s]} | {num(lat99['herald'], '{:.2f} ms')} | {num(lat99[s], '{:.2f} ms')} | {num(r, '{:.2f}×')} | {verdict(cmp(r, lambda x: x <= 1.5))} |")
for v, n in (("idle10k", "10,000"), ("idle19k", "19,000")):
    w(f"| idle ≤ 5 KB RSS per connection ({n}) | {num(idle[v], '{:.2f} KB')} | 5 KB | – | {verdict(cmp(idle[v], lambda x: x <= 5))} |")
ing_ok = both(cmp(ing_rate, lambda x: x >= 100e3), cmp(ing_lost, lambda x: x == 0))
w(f"| ingest ≥ 100k committed publishes/s, all delivered | {rate(ing_rate)}/s, {num(ing_lost)} lost (worst run) | 100k/s | – | {verdict(ing_ok)} |")
w(f"| churn: zero lost, zero duplicated | {num(churn_lost)} lost, {num(churn_dup)} duplicated (worst run) | 0 / 0 | – | {verdict(both(cmp(churn_lost, lambda x: x == 0), cmp(churn_dup, lambda x: x == 0)))} |")
w("")

w("### fanout: 1,000 subscribers, closed loop (64 in flight), 10 s\n")
w(table("fanout", ["deliveries/s", "lost (median / worst)", "server CPU", "server CPU per delivery"], [
    lambda v, s: rate(med(v, s, "deliveries.per_s")),
    lambda v, s: f"{num(med(v, s, 'deliveries.lost'))} / {num(worst(v, s, 'deliveries.lost'))}",
    lambda v, s: num(med(v, s, server_cpu), "{:.0%}"),
    lambda v, s: num(med(v, s, us_per_delivery), "{:.2f} µs")]))
w("\nherald / " + ", herald / ".join(f"{NAMES[s]}: {num(ratio(fan['herald'], fan[s]), '{:.2f}×')}" for s in SERVERS[1:]) + "\n")

w("### latency: 1,000 subscribers, 100 publishes/s, 10 s (end to end)\n")
w(table("latency", ["p50", "p99", "max", "lost (worst)"], [
    lambda v, s: num(med(v, s, "latency.end_to_end.p50_ms"), "{:.2f} ms"),
    lambda v, s: num(med(v, s, "latency.end_to_end.p99_ms"), "{:.2f} ms"),
    lambda v, s: num(med(v, s, "latency.end_to_end.max_ms"), "{:.2f} ms"),
    lambda v, s: num(worst(v, s, "deliveries.lost"))]))
w("\np99 herald / " + ", herald / ".join(f"{NAMES[s]}: {num(ratio(lat99['herald'], lat99[s]), '{:.2f}×')}" for s in SERVERS[1:]) + "\n")

w("### idle: server RSS per connection (connected − before) / connections\n")
w(table("idle10k", ["10,000: KB per connection", "open"], [
    lambda v, s: num(med(v, s, "server.rss_per_connection_kb"), "{:.2f}"),
    lambda v, s: num(med(v, s, "subscribers.open"))]))
w("")
w(table("idle19k", ["19,000: KB per connection", "open"], [
    lambda v, s: num(med(v, s, "server.rss_per_connection_kb"), "{:.2f}"),
    lambda v, s: num(med(v, s, "subscribers.open"))]))
w("")

w("### ingest: 1 subscriber, closed loop (64 in flight), 10 s\n")
w(table("ingest", ["acknowledged publishes/s", "delivered/s", "lost (median / worst)", "ack p99"], [
    lambda v, s: rate(med(v, s, "publishes.per_s")),
    lambda v, s: rate(med(v, s, "deliveries.per_s")),
    lambda v, s: f"{num(med(v, s, 'deliveries.lost'))} / {num(worst(v, s, 'deliveries.lost'))}",
    lambda v, s: num(med(v, s, "latency.publish_ack.p99_ms"), "{:.2f} ms")]))
w("\nacknowledged publishes/s, herald / " + ", herald / ".join(
    f"{NAMES[s]}: {num(ratio(ing_rate, med('ingest', s, 'publishes.per_s')), '{:.2f}×')}" for s in SERVERS[1:]) + "\n")

if ("churn", "herald") in runs:
    w("### churn: 5,000 subscribers reconnecting with ?since=, 100 publishes/s, 10 s (herald only: the references cannot resume)\n")
    w(table("churn", ["lost (worst)", "duplicated (worst)", "out of order (worst)", "reconnects", "reconnect failures (worst)"], [
        lambda v, s: num(worst(v, s, "deliveries.lost")),
        lambda v, s: num(worst(v, s, "deliveries.duplicated")),
        lambda v, s: num(worst(v, s, "deliveries.out_of_order")),
        lambda v, s: num(med(v, s, "subscribers.churn_reconnects")),
        lambda v, s: num(worst(v, s, "subscribers.reconnect_failures"))]))
    w("")

w("### Commands\n")
w("Servers (one at a time, stopped with SIGTERM after each run):\n")
w("```")
for s in SERVERS:
    if f"{s}_start" in meta and any(k[1] == s for k in runs):
        w(meta[f"{s}_start"])
w("```\n")
w("herald-bench, one line per scenario and server (`--server-pid` is the server started for that run):\n")
w("```")
for (v, s), c in cmds.items():
    w(c.strip())
w("```")

block = "<!-- compare.sh:begin (generated; rerun bench/compare.sh to refresh) -->\n" + "\n".join(L) + "\n<!-- compare.sh:end -->"
try:
    doc = open(out).read()
except OSError:
    doc = "# Benchmarks\n\n"
b, e = doc.find("<!-- compare.sh:begin"), doc.find("<!-- compare.sh:end -->")
if b >= 0 and e > b:
    doc = doc[:b] + block + doc[e + len("<!-- compare.sh:end -->"):]
else:
    doc = doc.rstrip("\n") + "\n\n" + block + "\n"
open(out, "w").write(doc)
PY
log "wrote $OUT (raw results in $RESULTS)"
