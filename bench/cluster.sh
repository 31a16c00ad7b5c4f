#!/bin/bash
# Cluster benchmark: two herald nodes sharing one Redis on this machine, against one herald
# on SQLite under the same load, in the same run. For every run, a fresh redis-server (temp
# dir, free loopback port, AOF fsynced on every write) and two fresh nodes with `[cluster]
# redis` take `herald-bench --scenario cluster` with subscribers spread over both nodes and
# publishes sent to both; then a fresh single herald takes the same scenario. The service
# side (both nodes and Redis, or the single herald) is pinned to SERVER_CPUS and herald-bench
# to BENCH_CPUS, so both setups get the same CPU budget. Writes the medians and the ratios
# cluster / single into BENCHMARKS.md between the "cluster.sh" markers (the rest of the file,
# and notes written after the block, are kept).
#
#   bench/cluster.sh                                   # 3 runs of each setup (~2 min)
#   RUNS=1 EXTRA='--duration 3' OUT=none bench/cluster.sh   # a quick pass, no file written
#
# Environment: BUILD (holds herald and bench/herald-bench; nothing is built here), RUNS (3),
# EXTRA (flags added to every herald-bench run), OUT (the file to write; "none": do not write),
# SERVER_CPUS / BENCH_CPUS (taskset lists, "0" / "1"; empty: not pinned), BENCH_TIMEOUT
# (seconds per herald-bench run, 120), QUIET_LOAD / QUIET_WAIT (wait for the 1-minute load
# average to drop below QUIET_LOAD, at most QUIET_WAIT s; 0 skips), REDIS_SERVER, NOTE (a line
# about the machine for the record), COMMIT (what the binaries were built from, when that is not
# the checkout's HEAD).
# Exit status: 0 every run clean, 1 some run not clean, 2 could not run.
# Needs: redis-server, python3, timeout, taskset (unless both CPU lists are empty).
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
OUT=${OUT:-$ROOT/BENCHMARKS.md}
RUNS=${RUNS:-3}
EXTRA=${EXTRA:-}
SERVER_CPUS=${SERVER_CPUS-0}
BENCH_CPUS=${BENCH_CPUS-1}
BENCH_TIMEOUT=${BENCH_TIMEOUT:-120}
QUIET_LOAD=${QUIET_LOAD:-2.5}
QUIET_WAIT=${QUIET_WAIT:-900}
REDIS_SERVER=${REDIS_SERVER:-redis-server}
NOTE=${NOTE:-}
SCENARIO=cluster
NODES=2

HERALD=$BUILD/herald
BENCH=$BUILD/bench/herald-bench
WORK=$(mktemp -d /tmp/herald-cluster.XXXXXX)
RESULTS=$WORK/results
mkdir -p "$RESULTS"
PIDS=()      # every server this script started and has not stopped yet
BENCH_PID=""

log() { echo "[cluster $(date +%T)] $*" >&2; }
die() { log "$*"; exit 2; }

for tool in "$HERALD" "$BENCH"; do [ -x "$tool" ] || die "missing $tool (ninja -C $BUILD herald herald-bench)"; done
command -v "$REDIS_SERVER" >/dev/null || die "missing $REDIS_SERVER (apt-get install redis-server)"
command -v python3 >/dev/null || die "python3 is needed for free ports and the summary"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS is a positive number"
"$HERALD" --help 2>&1 | grep -q -- '--redis' || die "$HERALD has no cluster mode (no --redis in its --help)"
if [ -n "$SERVER_CPUS$BENCH_CPUS" ]; then command -v taskset >/dev/null || die "taskset is needed to pin (or SERVER_CPUS= BENCH_CPUS=)"; fi
ulimit -n "$(ulimit -Hn)"

# Command prefixes that pin to the CPU lists (empty: unpinned). Prefixes, not a function: a
# function run with & is a subshell, and $! would be its pid instead of the server's.
PIN_SERVER=()
PIN_BENCH=()
[ -n "$SERVER_CPUS" ] && PIN_SERVER=(taskset -c "$SERVER_CPUS")
[ -n "$BENCH_CPUS" ] && PIN_BENCH=(taskset -c "$BENCH_CPUS")

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
alive() { [ -r "/proc/$1/stat" ] && ! grep -q ') Z ' "/proc/$1/stat" 2>/dev/null; }

# A port nobody listens on now: the kernel picks it, the socket is closed, the server binds it.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# SIGTERM, then SIGKILL after 10 s.
stop_pid() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
  if alive "$pid"; then log "pid $pid ignored SIGTERM; killing it"; kill -KILL "$pid" 2>/dev/null; fi
  wait "$pid" 2>/dev/null
  return 0
}
# The nodes before Redis, so that they do not spend their shutdown waiting for it.
stop_servers() {
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop_pid "${PIDS[i]}"; done
  PIDS=()
}
stop_bench() {
  [ -n "$BENCH_PID" ] && alive "$BENCH_PID" && kill -TERM "$BENCH_PID" 2>/dev/null
  [ -n "$BENCH_PID" ] && wait "$BENCH_PID" 2>/dev/null
  BENCH_PID=""
  return 0
}
cleanup() {
  stop_bench
  stop_servers
  rm -rf "$WORK/data" # Redis's AOF and the SQLite files; logs and results stay
}
trap 'cleanup; exit 130' INT TERM
trap 'cleanup' EXIT

# Waits up to 10 s for the port; fails when the process is gone or the port stays closed.
await_port() { # pid port log name
  for _ in $(seq 200); do
    port_open "$2" && return 0
    alive "$1" || die "$4 exited, see $3"
    sleep 0.05
  done
  die "$4 did not open port $2 in 10 s, see $3"
}

# --- servers -------------------------------------------------------------------------

REDIS_PORT=""
start_redis() { # run-dir
  REDIS_PORT=$(free_port) || die "no free port"
  mkdir -p "$1/redis"
  "${PIN_SERVER[@]}" "$REDIS_SERVER" --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$1/redis" \
    --appendonly yes --appendfsync always --save "" --daemonize no --logfile "$1/redis.log" </dev/null &
  REDIS_PID=$!
  PIDS+=("$REDIS_PID")
  await_port "$REDIS_PID" "$REDIS_PORT" "$1/redis.log" redis-server
}

# Starts one herald; sets HERALD_PID and HERALD_PORT. With a Redis URL it is a cluster node.
start_herald() { # run-dir name [redis-url]
  local dir=$1 name=$2 redis=${3:-}
  HERALD_PORT=$(free_port) || die "no free port"
  {
    printf '[auth.tokens]\n"dev-token" = "bench"\n'
    [ -n "$redis" ] && printf '\n[cluster]\nredis = "%s"\n' "$redis"
  } >"$dir/$name.toml"
  "${PIN_SERVER[@]}" "$HERALD" --config "$dir/$name.toml" --db "$dir/$name.db" \
    --listen "127.0.0.1:$HERALD_PORT" --log-level warn >>"$dir/$name.log" 2>&1 </dev/null &
  HERALD_PID=$!
  PIDS+=("$HERALD_PID")
  await_port "$HERALD_PID" "$HERALD_PORT" "$dir/$name.log" "herald $name"
}

# CPU seconds (user + system) of a process so far, from /proc/PID/stat; empty if gone.
cpu_seconds() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
  stat=${stat##*) } # after the command name, which may hold spaces
  # shellcheck disable=SC2086 # split into fields on purpose
  set -- $stat
  echo "${12} ${13}" | awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($1 + $2) / hz }'
}

# --- runs ----------------------------------------------------------------------------

# One herald-bench run, in the background so that a signal reaches the trap at once; bounded
# by timeout. Appends a line to runs.tsv.
bench_run() { # setup run-number flags...
  local setup=$1 i=$2 base rc
  shift 2
  base=$RESULTS/$setup.$i
  # shellcheck disable=SC2206 # EXTRA is split into words on purpose
  local cmd=(timeout -k 10 "$BENCH_TIMEOUT" "$BENCH" --scenario "$SCENARIO" "$@" $EXTRA --json --quiet)
  "${PIN_BENCH[@]}" "${cmd[@]}" >"$base.json" 2>"$base.txt" </dev/null &
  BENCH_PID=$!
  wait "$BENCH_PID"
  rc=$?
  BENCH_PID=""
  printf '%s\t%s\t%s\t%s\n' "$setup" "$i" "$rc" "$(printf '%q ' "${cmd[@]}")" >>"$RESULTS/runs.tsv"
  log "$setup run $i: herald-bench exit $rc"
}

run_cluster() { # run-number
  local i=$1 dir=$WORK/data/cluster.$1 flags=() cpu_pids=() k
  mkdir -p "$dir"
  start_redis "$dir"
  cpu_pids+=("$REDIS_PID")
  local redis_url="redis://127.0.0.1:$REDIS_PORT"
  for ((k = 1; k <= NODES; k++)); do
    start_herald "$dir" "node$k" "$redis_url"
    flags+=(--server "127.0.0.1:$HERALD_PORT" --server-pid "$HERALD_PID")
    cpu_pids+=("$HERALD_PID")
  done
  flags+=(--server-pid "$REDIS_PID") # the service's CPU and memory include Redis's
  local before=() after=() p
  for p in "${cpu_pids[@]}"; do before+=("$(cpu_seconds "$p")"); done
  bench_run cluster "$i" "${flags[@]}"
  for p in "${cpu_pids[@]}"; do after+=("$(cpu_seconds "$p")"); done
  # CPU seconds each process spent over the whole herald-bench run: redis, node1, node2.
  printf 'cluster\t%s\t%s\t%s\n' "$i" "${before[*]}" "${after[*]}" >>"$RESULTS/cpu.tsv"
  for f in "$dir"/*.log; do cp "$f" "$RESULTS/cluster.$i.$(basename "$f")"; done
  stop_servers
}

run_single() { # run-number
  local i=$1 dir=$WORK/data/single.$1
  mkdir -p "$dir"
  start_herald "$dir" single
  bench_run single "$i" --server "127.0.0.1:$HERALD_PORT" --server-pid "$HERALD_PID"
  cp "$dir/single.log" "$RESULTS/single.$i.herald.log"
  stop_servers
}

wait_quiet() {
  local start=$SECONDS load
  while :; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    awk -v l="$load" -v q="$QUIET_LOAD" 'BEGIN { exit !(l < q) }' && { QUIET_NOTE="load $load after waiting $((SECONDS - start)) s"; return; }
    if ((SECONDS - start >= QUIET_WAIT)); then
      QUIET_NOTE="gave up waiting for a quiet machine after $((SECONDS - start)) s; load was $load"
      log "$QUIET_NOTE"
      return
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
# Alternating, so that a change in the machine's load weighs on both setups alike.
for i in $(seq "$RUNS"); do
  run_cluster "$i"
  run_single "$i"
done
LOAD_AT_END=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the record ----------------------------------------------------------------------

COMMIT=${COMMIT:-commit \`$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)\`}
{
  echo "started=$STARTED"
  echo "finished=$(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "commit=$COMMIT"
  echo "runs=$RUNS"
  echo "nodes=$NODES"
  echo "quiet=$QUIET_NOTE; 1/5/15-min load $LOAD_AT_START at the start, $LOAD_AT_END at the end"
  echo "note=$NOTE"
  echo "machine=$(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), Linux $(uname -r)"
  echo "herald=$("$HERALD" --version 2>&1 | head -1)"
  echo "redis=$("$REDIS_SERVER" --version 2>&1 | head -1 | sed 's/ sha=.*//')"
  echo "pinning=$([ -n "$SERVER_CPUS" ] && echo "servers on CPU $SERVER_CPUS" || echo "servers unpinned"), $([ -n "$BENCH_CPUS" ] && echo "herald-bench on CPU $BENCH_CPUS" || echo "herald-bench unpinned")"
  echo "extra=$EXTRA"
  echo "script_cmd=$(for v in BUILD RUNS EXTRA SERVER_CPUS BENCH_CPUS; do printf '%s=%q ' "$v" "${!v}"; done)bench/cluster.sh"
  echo "redis_cmd=$([ -n "$SERVER_CPUS" ] && echo "taskset -c $SERVER_CPUS ")$REDIS_SERVER --port REDIS_PORT --bind 127.0.0.1 --dir TMPDIR --appendonly yes --appendfsync always --save \"\" --daemonize no"
  echo "node_cmd=$([ -n "$SERVER_CPUS" ] && echo "taskset -c $SERVER_CPUS ")$HERALD --config NODE.toml --db TMPDB --listen 127.0.0.1:PORT --log-level warn  (NODE.toml: [auth.tokens] \"dev-token\" = \"bench\"; [cluster] redis = \"redis://127.0.0.1:REDIS_PORT\")"
  echo "single_cmd=$([ -n "$SERVER_CPUS" ] && echo "taskset -c $SERVER_CPUS ")$HERALD --config SINGLE.toml --db TMPDB --listen 127.0.0.1:PORT --log-level warn  (SINGLE.toml: [auth.tokens] \"dev-token\" = \"bench\")"
  echo "bench_pin=$([ -n "$BENCH_CPUS" ] && echo "taskset -c $BENCH_CPUS ")"
} >"$RESULTS/meta.txt"

python3 - "$RESULTS" "$OUT" <<'PY'
# Summarises results/ (runs.tsv, cpu.tsv, meta.txt, one JSON per run) into the marked block
# of OUT; exit status 0 when every run was clean, 1 otherwise.
import json, os, re, statistics, sys, traceback

# A crash is exit status 3, told apart from 1 (some run not clean).
sys.excepthook = lambda *e: (traceback.print_exception(*e), os._exit(3))
res, out = sys.argv[1], sys.argv[2]
meta = dict(l.rstrip("\n").split("=", 1) for l in open(os.path.join(res, "meta.txt")) if "=" in l)
SETUPS = ["single", "cluster"]
NAMES = {"single": "single node (SQLite)", "cluster": f"cluster: {meta['nodes']} nodes + Redis"}
runs, cmds = {s: [] for s in SETUPS}, {}
for line in open(os.path.join(res, "runs.tsv")):
    setup, i, rc, cmd = line.rstrip("\n").split("\t")
    try:
        j = json.load(open(os.path.join(res, f"{setup}.{i}.json")))
    except (OSError, ValueError):
        j = None  # timed out, or the harness could not run
    runs[setup].append((int(rc), j))
    cmds.setdefault(setup, cmd)
cpu_split = []  # per cluster run: CPU seconds of redis, node1, node2 over the herald-bench run
if os.path.exists(os.path.join(res, "cpu.tsv")):
    for line in open(os.path.join(res, "cpu.tsv")):
        _, _, before, after = line.rstrip("\n").split("\t")
        b, a = before.split(), after.split()
        if len(a) == len(b) and all(a):
            cpu_split.append([float(y) - float(x) for x, y in zip(b, a)])


def get(j, path):
    for k in path.split("."):
        j = j[k]
    return j


def values(setup, f):
    out = []
    for _, j in runs[setup]:
        if j is not None:
            v = f(j) if callable(f) else get(j, f)
            if v is not None:
                out.append(v)
    return out


def med(setup, f):
    v = values(setup, f)
    return statistics.median(v) if v else None


def worst(setup, f):
    v = values(setup, f)
    return max(v) if v else None


def server_cpu(j):  # the service's CPU seconds per second while publishing
    s = j["server"]
    return (s["published"]["cpu_s"] - s["connected"]["cpu_s"]) / max(j["publishes"]["seconds"], 1e-9)


def us_per_delivery(j):
    s = j["server"]
    n = j["deliveries"]["per_s"] * j["publishes"]["seconds"]
    return (s["published"]["cpu_s"] - s["connected"]["cpu_s"]) / n * 1e6 if n else None


def rate(v):
    if v is None:
        return "–"
    return f"{v / 1000:.0f}k" if v >= 1e5 else f"{v / 1000:.1f}k" if v >= 1e3 else f"{v:.0f}"


def num(v, fmt="{:.0f}"):
    return "–" if v is None else fmt.format(v)


def ratio(a, b):
    return None if a is None or not b else a / b


def span(v, fmt):  # "a" when every run gave a, else "lowest–highest"
    lo, hi = fmt.format(min(v)), fmt.format(max(v))
    return lo if lo == hi else f"{lo}–{hi}"


# The herald-bench command of a setup with its ports and pids named.
def named(cmd, ports, pids):
    ports, pids = iter(ports), iter(pids)
    cmd = re.sub(r"127\.0\.0\.1:\d+", lambda m: "127.0.0.1:" + next(ports, "PORT"), cmd)
    return re.sub(r"--server-pid \d+", lambda m: "--server-pid " + next(pids, "PID"), cmd)


def clean(setup):
    r = runs[setup]
    return f"{sum(1 for rc, _ in r if rc == 0)}/{len(r)}"


def harness(setup):
    js = [j for _, j in runs[setup] if j]
    if not js:
        return "–"
    sat = sum(1 for j in js if j["harness"]["saturated"])
    main = max(j["harness"]["main_cpu_ratio"] for j in js)
    return f"{'**SATURATED** ' if sat else ''}{sat}/{len(runs[setup])} saturated (main ≤ {main:.0%})"


COLUMNS = [  # header, statistic, format, ratio shown
    ("deliveries/s", lambda s: med(s, "deliveries.per_s"), rate, True),
    ("acknowledged publishes/s", lambda s: med(s, "publishes.per_s"), rate, True),
    ("publish ack p50", lambda s: med(s, "latency.publish_ack.p50_ms"), lambda v: num(v, "{:.2f} ms"), True),
    ("publish ack p99", lambda s: med(s, "latency.publish_ack.p99_ms"), lambda v: num(v, "{:.2f} ms"), True),
    ("delivery p99 (end to end)", lambda s: med(s, "latency.end_to_end.p99_ms"), lambda v: num(v, "{:.2f} ms"), True),
    ("service CPU", lambda s: med(s, server_cpu), lambda v: num(v, "{:.0%}"), True),
    ("CPU per delivery", lambda s: med(s, us_per_delivery), lambda v: num(v, "{:.2f} µs"), True),
]

L = []
w = L.append
w("## Cluster\n")
w(f"Generated by `bench/cluster.sh` from {meta['started']} to {meta['finished']}; rerun it to refresh this block. "
  f"Two herald nodes sharing one Redis, against one herald on SQLite, under the same load: `herald-bench "
  f"--scenario cluster` (the fanout load: 1,000 subscribers, closed loop with 64 publishes in flight, 100-byte "
  f"messages, 10 s). In the cluster runs the subscribers alternate between the nodes and each node gets half of "
  f"the publisher's connections, so every message is published on one node and delivered by both; "
  f"each subscriber must get every acknowledged message once and in the one global order. Medians of "
  f"**{meta['runs']}** run(s) per setup, the two setups alternating, every server started fresh for every run "
  f"(Redis with an empty temp dir, `--appendonly yes --appendfsync always --save \"\"`); {meta['pinning']}: the "
  f"cluster's two nodes and Redis share the single node's CPU budget, so the ratios show what the cluster costs "
  f"on one machine, not what it gains on several.\n")
w(f"- machine: {meta['machine']}; {meta['quiet']}" + (f"; {meta['note']}" if meta["note"] else ""))
w(f"- versions: {meta['herald']}, built from {meta['commit']}; {meta['redis']}")
if meta.get("extra"):
    w(f"- extra herald-bench flags on every run: `{meta['extra']}` (not the standard scenario)")
w("")
hdr = [c[0] for c in COLUMNS]
w("| setup | " + " | ".join(hdr) + " | lost / duplicated / out of order (worst) | clean runs | harness CPU |")
w("|---|" + "---|" * (len(hdr) + 3))
figures = {s: [c[1](s) for c in COLUMNS] for s in SETUPS}
for s in SETUPS:
    faults = " / ".join(num(worst(s, k)) for k in ("deliveries.lost", "deliveries.duplicated", "deliveries.out_of_order"))
    w(f"| {NAMES[s]} | " + " | ".join(c[2](v) for c, v in zip(COLUMNS, figures[s]))
      + f" | {faults} | {clean(s)} | {harness(s)} |")
w("| **cluster / single** | " + " | ".join(
    f"**{num(ratio(c, s), '{:.2f}×')}**" if col[3] else "–"
    for col, c, s in zip(COLUMNS, figures["cluster"], figures["single"])) + " | – | – | – |")
w("")
w("\"service CPU\" is the CPU of both nodes and Redis (or of the single herald) per second of publishing, from "
  "`/proc` (`--server-pid` for each); \"publish ack\" is the time from sending a publish to its 2xx answer.\n")
splits = values("cluster", lambda j: j["publishes"].get("acked_per_url") or None)
extra_lines = []
if splits:
    shares = [100 * s[0] / max(sum(s), 1) for s in splits if len(s) >= 2]
    if shares:
        extra_lines.append(f"- publishes acknowledged by node 1: {span(shares, '{:.1f}')} % of all (the rest by node 2)")
if cpu_split:
    tot = [sum(c) for c in cpu_split]
    names = ["Redis"] + [f"node {k}" for k in range(1, len(cpu_split[0]))]
    parts = [f"{n} {statistics.median([c[k] / t * 100 for c, t in zip(cpu_split, tot)]):.0f} %"
             for k, n in enumerate(names)] if all(t > 0 for t in tot) else []
    if parts:
        extra_lines.append("- where the cluster's CPU went over each whole herald-bench run (median share): " + ", ".join(parts))
open_subs = values("cluster", "subscribers.open")
if open_subs:
    wanted = values("cluster", "subscribers.wanted")
    extra_lines.append(f"- subscribers open when publishing started: {span(open_subs, '{:,}')} of {span(wanted, '{:,}')}, "
                       f"alternating between the nodes")
for l in extra_lines:
    w(l)
if extra_lines:
    w("")
w("Commands:\n")
w("```")
w(meta["script_cmd"])
w(meta["redis_cmd"])
w(meta["node_cmd"])
w(meta["single_cmd"])
if "cluster" in cmds:
    nodes = range(1, int(meta["nodes"]) + 1)
    w(meta["bench_pin"] + named(cmds["cluster"].strip(), [f"NODE{k}_PORT" for k in nodes],
                                [f"NODE{k}_PID" for k in nodes] + ["REDIS_PID"]))
if "single" in cmds:
    w(meta["bench_pin"] + named(cmds["single"].strip(), ["PORT"], ["HERALD_PID"]))
w("```")

print("\n".join(L))
all_clean = all(rc == 0 for s in SETUPS for rc, _ in runs[s])
if out != "none":
    begin, end = "<!-- cluster.sh:begin (generated; rerun bench/cluster.sh to refresh) -->", "<!-- cluster.sh:end -->"
    block = begin + "\n" + "\n".join(L) + "\n" + end
    try:
        doc = open(out).read()
    except OSError:
        doc = "# Benchmarks\n\n"
    b, e = doc.find("<!-- cluster.sh:begin"), doc.find(end)
    if b >= 0 and e > b:
        doc = doc[:b] + block + doc[e + len(end):]
    else:
        doc = doc.rstrip("\n") + "\n\n" + block + "\n"
    open(out, "w").write(doc)
    print(f"wrote the Cluster section of {out}", file=sys.stderr)
sys.exit(0 if all_clean else 1)
PY
rc=$?
[ "$rc" -le 1 ] || die "could not summarise the results in $RESULTS"
log "raw results in $RESULTS"
exit "$rc"
