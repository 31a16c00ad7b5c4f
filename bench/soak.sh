#!/bin/bash
# Soak test: one herald, one long herald-bench run of steady publishing with subscriber churn
# (reconnections with ?since=), herald's RSS and open file descriptors sampled every INTERVAL
# seconds. Passes when the run was clean (nothing lost, duplicated or out of order) and both
# are flat: the samples taken while publishing are cut into thirds, the first is warm-up, and
# the last is compared with the middle one (RSS by its mean; fds by the highest sample, since
# under churn the count only dips below its ceiling of one per open connection). Before the
# run, PREFILL messages go to another channel so that SQLite's page cache (2 MB by default) is
# already full: otherwise it grows with the database for the first ~15,000 messages, which at
# 20/s is the whole run. Prints the samples and writes them, with the summary, into the
# "## Soak" section of BENCHMARKS.md; the rest of the file, and notes written after the
# section's end marker, are kept.
#
#   bench/soak.sh                                            # 10 minutes, $ROOT/build
#   BUILD=/tmp/build-x DURATION=60 OUT=none bench/soak.sh    # a quick pass, no file written
#
# Environment: BUILD (holds herald and bench/herald-bench; nothing is built here), DURATION
# (seconds of publishing, default 600), INTERVAL (seconds between samples, default 10),
# SUBSCRIBERS (1000), RATE (publishes/s, 20), CHURN_MIN / CHURN_MAX (seconds a connection
# lives before it reconnects, 1 / 5), PREFILL (messages stored first, 20000; 0: none),
# RSS_LIMIT / FD_LIMIT (allowed growth in %, 10 / 5), EXTRA (flags added to herald-bench),
# OUT (the file to write; "none": do not write), NOTE (a line about the machine for the
# record, e.g. what else was running), COMMIT (the commit the binaries were built from, when
# that is not the checkout's HEAD).
# Exit status: 0 clean and flat, 1 not clean or grew, 2 could not run.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$ROOT/build}
OUT=${OUT:-$ROOT/BENCHMARKS.md}
DURATION=${DURATION:-600}
INTERVAL=${INTERVAL:-10}
SUBSCRIBERS=${SUBSCRIBERS:-1000}
RATE=${RATE:-20}
CHURN_MIN=${CHURN_MIN:-1}
CHURN_MAX=${CHURN_MAX:-5}
PREFILL=${PREFILL:-20000}
RSS_LIMIT=${RSS_LIMIT:-10}
FD_LIMIT=${FD_LIMIT:-5}
EXTRA=${EXTRA:-}
NOTE=${NOTE:-}
DRAIN=10
# Past this the harness is stuck, not slow: connect, drain and finish take well under it.
OVERTIME=120

HERALD=$BUILD/herald
BENCH=$BUILD/bench/herald-bench
WORK=$(mktemp -d /tmp/herald-soak.XXXXXX)
HERALD_PID=""
BENCH_PID=""

log() { echo "[soak $(date +%T)] $*" >&2; }
die() { log "$*"; exit 2; }

for tool in "$HERALD" "$BENCH"; do [ -x "$tool" ] || die "missing $tool (ninja -C $BUILD herald herald-bench)"; done
command -v python3 >/dev/null || die "python3 is needed for the summary"
[[ $DURATION =~ ^[0-9]+$ && $INTERVAL =~ ^[0-9]+$ && $INTERVAL -gt 0 ]] || die "DURATION and INTERVAL are whole seconds"
[[ $PREFILL =~ ^[0-9]+$ ]] || die "PREFILL is a number of messages"
ulimit -n "$(ulimit -Hn)"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
alive() { [ -r "/proc/$1/stat" ] && ! grep -q ') Z ' "/proc/$1/stat" 2>/dev/null; }

# A port nobody listens on now: the kernel picks it, the socket is closed, herald binds it.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# SIGTERM, then SIGKILL after 10 s; sets HERALD_EXIT to herald's exit status.
HERALD_EXIT=""
stop_herald() {
  [ -n "$HERALD_PID" ] || return 0
  local pid=$HERALD_PID
  HERALD_PID=""
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 100); do alive "$pid" || break; sleep 0.1; done
  if alive "$pid"; then log "herald ignored SIGTERM; killing it"; kill -KILL "$pid" 2>/dev/null; fi
  wait "$pid" 2>/dev/null
  HERALD_EXIT=$?
}
stop_bench() {
  [ -n "$BENCH_PID" ] && alive "$BENCH_PID" && kill -TERM "$BENCH_PID" 2>/dev/null
  return 0
}
trap 'stop_bench; stop_herald; exit 130' INT TERM
trap 'stop_bench; stop_herald' EXIT

# --- herald --------------------------------------------------------------------------

PORT=$(free_port) || die "no free port"
printf '[auth.tokens]\n"dev-token" = "bench"\n' >"$WORK/herald.toml"
HERALD_CMD=("$HERALD" --config "$WORK/herald.toml" --db "$WORK/herald.db" --listen "127.0.0.1:$PORT" --log-level warn)
"${HERALD_CMD[@]}" >>"$WORK/herald.log" 2>&1 </dev/null &
HERALD_PID=$!
HERALD_PID_SAVED=$HERALD_PID # for the record, after stop_herald has cleared HERALD_PID
for _ in $(seq 200); do
  port_open "$PORT" && break
  alive "$HERALD_PID" || die "herald exited, see $WORK/herald.log"
  sleep 0.05
done
port_open "$PORT" || die "herald did not open port $PORT"

# --- sampling ------------------------------------------------------------------------

vm_rss_kb() { # pid -> VmRSS in KB, empty if gone
  awk '/^VmRSS:/ { print $2 }' "/proc/$1/status" 2>/dev/null
}
fd_count() {
  local fds=("/proc/$1/fd/"*)
  [ -e "${fds[0]}" ] && echo "${#fds[@]}"
}
# The harness: herald-bench and its subscriber processes, if it forked any.
harness_rss_kb() {
  local total=0 pid kb
  for pid in "$BENCH_PID" $(pgrep -P "$BENCH_PID" 2>/dev/null); do
    kb=$(vm_rss_kb "$pid")
    total=$((total + ${kb:-0}))
  done
  echo "$total"
}
# One line of samples.tsv: seconds since herald-bench started, herald RSS, herald fds, harness RSS.
sample() {
  local rss fds
  rss=$(vm_rss_kb "$HERALD_PID")
  fds=$(fd_count "$HERALD_PID")
  [ -n "$rss" ] && [ -n "$fds" ] || return 1
  printf '%s\t%s\t%s\t%s\n' "$1" "$rss" "$fds" "$2" >>"$WORK/samples.tsv"
}

COMMIT=${COMMIT:-$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)}
STARTED=$(date -u '+%Y-%m-%d %H:%M UTC')
LOAD_AT_START=$(cut -d' ' -f1-3 /proc/loadavg)
sample -1 0 || die "cannot read /proc/$HERALD_PID" # herald before any connection

PREFILL_CMD=("$BENCH" --scenario ingest --server "127.0.0.1:$PORT" --channel soak-prefill --max-publishes "$PREFILL"
             --duration 600 --quiet)
if [ "$PREFILL" -gt 0 ]; then
  log "prefill: $PREFILL messages to channel soak-prefill"
  "${PREFILL_CMD[@]}" >"$WORK/prefill.log" 2>&1 </dev/null || die "the prefill run failed, see $WORK/prefill.log"
  sample prefilled 0 || die "herald is gone after the prefill"
fi

# shellcheck disable=SC2206 # EXTRA is split into words on purpose
BENCH_CMD=("$BENCH" --scenario churn --server "127.0.0.1:$PORT" --subscribers "$SUBSCRIBERS" --rate "$RATE"
           --churn-min "$CHURN_MIN" --churn-max "$CHURN_MAX" --duration "$DURATION" --drain "$DRAIN"
           $EXTRA --server-pid "$HERALD_PID" --json)
log "herald pid $HERALD_PID on 127.0.0.1:$PORT; herald-bench for $DURATION s; files in $WORK"
"${BENCH_CMD[@]}" >"$WORK/bench.json" 2>"$WORK/bench.log" </dev/null &
BENCH_PID=$!
START=${EPOCHREALTIME/./}
HERALD_DIED=0
for ((k = 0; ; k++)); do
  # Sleep to the k-th tick, counted from the start so the samples do not drift.
  while :; do
    now=${EPOCHREALTIME/./}
    ((now >= START + k * INTERVAL * 1000000)) && break
    alive "$BENCH_PID" || break 2
    sleep 0.2
  done
  alive "$BENCH_PID" || break
  if ! sample $((k * INTERVAL)) "$(harness_rss_kb)"; then
    HERALD_DIED=1
    log "herald is gone; stopping herald-bench"
    stop_bench
    break
  fi
  [ $((k % 6)) -eq 0 ] && log "t=$((k * INTERVAL)) s: $(tail -1 "$WORK/samples.tsv" | cut -f2-3 | tr '\t' ' ') (RSS KB, fds)"
  if ((k * INTERVAL > DURATION + DRAIN + OVERTIME)); then
    log "herald-bench overran by more than $OVERTIME s; stopping it"
    stop_bench
  fi
done
wait "$BENCH_PID"
BENCH_RC=$?
BENCH_PID=""
LOAD_AT_END=$(cut -d' ' -f1-3 /proc/loadavg)
sample after 0 || HERALD_DIED=1 # herald once every subscriber has gone
stop_herald
log "herald-bench exit $BENCH_RC, herald exit ${HERALD_EXIT:-?}"

# --- the record ----------------------------------------------------------------------

{
  echo "started=$STARTED"
  echo "commit=$COMMIT"
  echo "duration=$DURATION"
  echo "interval=$INTERVAL"
  echo "prefill=$PREFILL"
  echo "rss_limit=$RSS_LIMIT"
  echo "fd_limit=$FD_LIMIT"
  echo "bench_rc=$BENCH_RC"
  echo "herald_died=$HERALD_DIED"
  echo "herald_exit=${HERALD_EXIT:-?}"
  echo "load=1/5/15-min load $LOAD_AT_START at the start, $LOAD_AT_END at the end"
  echo "machine=$(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), Linux $(uname -r)"
  echo "note=$NOTE"
  echo "herald_version=$("$HERALD" --version 2>&1 | head -1)"
  echo "herald_cmd=$HERALD --config CONFIG --db TMPDB --listen 127.0.0.1:PORT --log-level warn  (CONFIG: [auth.tokens] \"dev-token\" = \"bench\")"
  echo "bench_cmd=$(printf '%q ' "${BENCH_CMD[@]}" | sed -e "s/127.0.0.1:$PORT/127.0.0.1:PORT/" -e "s/--server-pid $HERALD_PID_SAVED/--server-pid HERALD_PID/")"
  [ "$PREFILL" -gt 0 ] && echo "prefill_cmd=$(printf '%q ' "${PREFILL_CMD[@]}" | sed -e "s/127.0.0.1:$PORT/127.0.0.1:PORT/")"
  echo "soak_cmd=$(for v in BUILD DURATION INTERVAL SUBSCRIBERS RATE CHURN_MIN CHURN_MAX PREFILL RSS_LIMIT FD_LIMIT EXTRA; do printf '%s=%q ' "$v" "${!v}"; done)bench/soak.sh"
} >"$WORK/meta.txt"

python3 - "$WORK" "$OUT" <<'PY'
# Judges the samples and writes the "## Soak" section; exit status 0 clean and flat, 1 otherwise.
import json, os, re, statistics, sys, textwrap

work, out = sys.argv[1], sys.argv[2]
meta = dict(l.rstrip("\n").split("=", 1) for l in open(os.path.join(work, "meta.txt")) if "=" in l)
duration, interval = int(meta["duration"]), int(meta["interval"])
limits = {"rss": float(meta["rss_limit"]), "fds": float(meta["fd_limit"])}
rows = []  # (t or label, herald RSS KB, herald fds, harness RSS KB)
for line in open(os.path.join(work, "samples.tsv")):
    t, rss, fds, harness = line.rstrip("\n").split("\t")
    rows.append((t, int(rss), int(fds), int(harness)))
before = next((r for r in rows if r[0] == "-1"), None)
after = next((r for r in rows if r[0] == "after"), None)
prefilled = next((r for r in rows if r[0] == "prefilled"), None)
timed = [(int(r[0]),) + r[1:] for r in rows if r[0] not in ("-1", "prefilled", "after")]
# Samples while publishing; those of the drain that follows are shown but not judged.
window = [r for r in timed if r[0] < duration]
third = len(window) // 3
parts = {"warm-up": window[:third], "middle": window[third:2 * third], "last": window[2 * third:3 * third]}
part_of = {r[0]: name for name, rs in parts.items() for r in rs}

try:
    bench = json.load(open(os.path.join(work, "bench.json")))
except (OSError, ValueError):
    bench = None  # herald-bench could not run or was stopped
log_lines = open(os.path.join(work, "herald.log"), errors="replace").read().splitlines()
levels = {}
for l in log_lines:
    m = re.search(r"\[(warning|error|critical)\]", l)
    levels[m.group(1) if m else "other"] = levels.get(m.group(1) if m else "other", 0) + 1


def mean(rs, i):
    return statistics.mean(r[i] for r in rs) if rs else None


def highest(rs, i):
    return max(r[i] for r in rs) if rs else None


# What each third is summarised by. RSS: the mean. Open fds: the highest sample, because under
# churn the count only dips below its ceiling (herald's own files + one per open connection),
# by however many connections are being replaced at that instant, while a leak raises the ceiling.
MEASURES = [  # key (None: shown, not judged), row, column, statistic, format
    ("rss", "herald RSS (MB), mean", 1, mean, lambda v: f"{v / 1024:.1f}"),
    ("fds", "herald open fds, highest", 2, highest, lambda v: f"{v:.0f}"),
    (None, "herald open fds, mean", 2, mean, lambda v: f"{v:.0f}"),
    (None, "harness RSS (MB), mean", 3, mean, lambda v: f"{v / 1024:.1f}"),
]


def growth(i, stat):
    m, l = stat(parts["middle"], i), stat(parts["last"], i)
    return None if m is None or l is None or m == 0 else (l - m) / m * 100


judged = third >= 2
checks = {key: growth(i, stat) for key, _, i, stat, _ in MEASURES if key}
flat = {k: (g is not None and g <= limits[k]) for k, g in checks.items()}
clean = meta["bench_rc"] == "0" and meta["herald_died"] == "0"
passed = clean and (not judged or all(flat.values()))

mb = lambda kb: f"{kb / 1024:.1f}"
span = lambda rs: f"{rs[0][0]}–{rs[-1][0]} s" if rs else "–"
pct = lambda g: "–" if g is None else f"{g:+.1f} %"

# What the thresholds could have caught: the growth allowed, spread over the events between the
# middles of the two judged thirds (a leak per event of at least this size would have failed).
sensitivity = []
if bench and judged:
    dt = statistics.mean(r[0] for r in parts["last"]) - statistics.mean(r[0] for r in parts["middle"])
    secs = max(bench["publishes"]["seconds"], 1e-9)
    rss_bytes = limits["rss"] / 100 * mean(parts["middle"], 1) * 1024
    fd_allowed = limits["fds"] / 100 * highest(parts["middle"], 2)
    per = {"reconnection": bench["subscribers"]["churn_reconnects"] / secs,
           "publish": bench["publishes"]["acked"] / secs,
           "delivery": bench["deliveries"]["received"] / secs}
    size = lambda b: f"{b:,.0f} B" if b >= 100 else f"{b:.1f} B"
    parts_txt = [f"{size(rss_bytes / (rate * dt))} per {name}" for name, rate in per.items() if rate > 0]
    if parts_txt:
        sensitivity.append(f"over the {dt:.0f} s between the middles of the two judged thirds the RSS limit "
                           f"({limits['rss']:g} % = {rss_bytes / 1024:,.0f} KB) would be reached by a leak of "
                           + ", or ".join(parts_txt))
    if per["reconnection"] > 0:
        sensitivity.append(f"the fd limit ({limits['fds']:g} % = {fd_allowed:.0f} fds) would be reached by one "
                           f"descriptor kept per {per['reconnection'] * dt / max(fd_allowed, 1):,.0f} reconnections")


def sample_table(every):
    t = ["| t (s) | third | herald RSS (MB) | herald fds | harness RSS (MB) |", "|---|---|---|---|---|"]
    if before:
        t.append(f"| before | idle, no connections | {mb(before[1])} | {before[2]} | – |")
    if prefilled:
        t.append(f"| prefilled | {int(meta['prefill']):,} messages stored | {mb(prefilled[1])} | {prefilled[2]} | – |")
    for i, r in enumerate(timed):
        if i % every and i != len(timed) - 1:
            continue
        third_name = part_of.get(r[0], "drain" if r[0] >= duration else "–")
        t.append(f"| {r[0]} | {third_name} | {mb(r[1])} | {r[2]} | {mb(r[3]) if r[3] else '–'} |")
    if after:
        t.append(f"| after | herald-bench gone | {mb(after[1])} | {after[2]} | – |")
    return "\n".join(t)


def summary_table():
    t = [f"| measure | warm-up ({span(parts['warm-up'])}) | middle ({span(parts['middle'])}) | "
         f"last ({span(parts['last'])}) | growth, last vs middle | limit | verdict |",
         "|---|---|---|---|---|---|---|"]
    for key, name, i, stat, fmt in MEASURES:
        cells = [("–" if stat(parts[p], i) is None else fmt(stat(parts[p], i))) for p in ("warm-up", "middle", "last")]
        if key is None:
            lim, verdict = "–", "shown, not judged"
        elif not judged:
            lim, verdict = f"+{limits[key]:g} %", "not judged (fewer than 6 samples)"
        else:
            lim, verdict = f"+{limits[key]:g} %", "**flat**" if flat[key] else "**grew**"
        t.append(f"| {name} | " + " | ".join(cells) + f" | {pct(growth(i, stat))} | {lim} | {verdict} |")
    return "\n".join(t)


def run_lines():
    L = []
    if bench is None:
        L.append(f"- herald-bench: exit {meta['bench_rc']}, no results (see its log)")
        return L
    s, p, d, lat = bench["subscribers"], bench["publishes"], bench["deliveries"], bench["latency"]["end_to_end"]
    L.append(f"- herald-bench: exit {meta['bench_rc']} ({'clean' if bench['clean'] else 'NOT CLEAN'}); "
             f"{s['open']:,} subscribers, {s['churn_reconnects']:,} reconnections with `?since=` "
             f"({s['churn_reconnects'] / max(p['seconds'], 1e-9):,.0f}/s), {s['reconnect_failures']} failed, "
             f"{s['disconnects']} dropped by the server")
    L.append(f"- publishes: {p['acked']:,} acknowledged of {p['sent']:,} sent over {p['seconds']:.0f} s "
             f"({p['per_s']:.1f}/s), {p['failed']} failed, {p['unanswered']} unanswered")
    L.append(f"- deliveries: {d['received']:,} received of {d['expected']:,} expected, lost {d['lost']}, "
             f"duplicated {d['duplicated']}, out of order {d['out_of_order']}; end to end p50 {lat['p50_ms']:.1f} ms, "
             f"p99 {lat['p99_ms']:.1f} ms, max {lat['max_ms']:.0f} ms")
    srv = bench["server"]
    cpu = (srv["published"]["cpu_s"] - srv["connected"]["cpu_s"]) / max(p["seconds"], 1e-9)
    L.append(f"- herald CPU while publishing: {cpu:.0%} of a core; publish acknowledgement p99 "
             f"{bench['latency']['publish_ack']['p99_ms']:.1f} ms")
    h = bench["harness"]
    L.append(f"- harness CPU while publishing: main process {h['main_cpu_ratio']:.0%} of a core"
             + (" (**SATURATED**: fewer reconnections were offered than asked for)" if h["saturated"] else ""))
    return L


def herald_lines():
    died = meta["herald_died"] == "1"
    L = [f"- herald: {'**died during the run**' if died else 'ran throughout'}, exit status {meta['herald_exit']}"
         f"{'' if died else ' after SIGTERM'}; log at `--log-level warn`: {levels.get('warning', 0)} warnings, "
         f"{levels.get('error', 0)} errors, {levels.get('critical', 0)} critical, {levels.get('other', 0)} other lines"]
    if before and window:
        L.append(f"- herald RSS: {mb(before[1])} MB before any connection, "
                 + (f"{mb(prefilled[1])} MB after the prefill, " if prefilled else "") + f"{mb(window[min(1, len(window) - 1)][1])} MB at "
                 f"{window[min(1, len(window) - 1)][0]} s, {mb(window[-1][1])} MB at {window[-1][0]} s"
                 + (f", {mb(after[1])} MB once every subscriber had gone" if after else ""))
        L.append(f"- herald fds: {before[2]} before, {window[min(1, len(window) - 1)][2]} at "
                 f"{window[min(1, len(window) - 1)][0]} s, {window[-1][2]} at {window[-1][0]} s"
                 + (f", {after[2]} after" if after else ""))
    return L


verdict = "**passed**" if passed and judged else "**passed** (run clean; too short to judge flatness)" if passed else "**failed**"
every = 1 if len(timed) <= 30 else max(1, round(30 / interval))
print(sample_table(1) + "\n\n" + summary_table() + "\n")
for l in herald_lines() + run_lines() + [f"- {s}" for s in sensitivity]:
    print(l)
print(f"\nverdict: {verdict.replace('**', '')}")
if any(levels.get(k) for k in ("warning", "error", "critical")):
    print("herald's log, first lines:\n  " + "\n  ".join(log_lines[:10]))

if out != "none":
    L = []
    w = L.append
    w("## Soak\n")
    w(f"Generated by `bench/soak.sh` on {meta['started']} at commit `{meta['commit']}`; rerun it to refresh this "
      f"section. One herald, one {duration} s herald-bench run of steady publishing with subscriber churn; herald's "
      f"VmRSS and open descriptors (`/proc/PID/status`, `/proc/PID/fd`) sampled every {interval} s. "
      + (f"Before it, {int(meta['prefill']):,} messages were stored on another channel, so that SQLite's page cache "
         f"(2 MB by default) was already full rather than growing with the database during the run. "
         if int(meta["prefill"]) else "")
      + f"The samples taken while publishing are cut into thirds: the first is warm-up (connections, caches and "
      f"malloc arenas filling up), and the last is compared with the middle one: herald's mean RSS, and its highest "
      f"open-fd count.\n")
    w(f"Verdict: {verdict}.\n")
    w(summary_table() + "\n")
    L.extend(herald_lines() + run_lines() + [f"- {s}" for s in sensitivity])
    w(f"- machine: {meta['machine']}; {meta['load']}" + (f"; {meta['note']}" if meta["note"] else ""))
    w(f"- versions: {meta['herald_version']}; herald and herald-bench unpinned (flatness, not speed, is measured)\n")
    w(f"Why these limits (+{limits['rss']:g} % RSS, +{limits['fds']:g} % fds): without leaking, RSS moves by a few "
      "per cent between samples (how many connections are open at that instant, malloc keeping freed memory, "
      "queues after a stall), so the RSS limit stays clear of that noise and still catches the per-event leaks "
      "listed above. The fd count dips below its ceiling (herald's own files and one per open connection) while "
      "connections are being replaced, by a tenth or more on a busy machine, so a third is judged by its highest "
      "sample, which is that ceiling; it moves by a few descriptors at most, and a leak raises it.\n")
    w(f"Samples{' every ' + str(every * interval) + ' s (every ' + str(interval) + ' s in the printed output)' if every > 1 else ''}:\n")
    w(sample_table(every) + "\n")
    w("Commands:\n")
    w("```")
    w(meta["soak_cmd"])
    w(meta["herald_cmd"])
    if "prefill_cmd" in meta:
        w(meta["prefill_cmd"].strip())
    w(meta["bench_cmd"].strip())
    w("```")
    # Prose and bullets wrapped like the hand-written parts of the file; tables and code as they are.
    def wrap(block):
        text = block.rstrip("\n")
        bullet = text.startswith("- ")
        return textwrap.fill(text, 115, subsequent_indent="  " if bullet else "", break_long_words=False,
                             break_on_hyphens=False) + block[len(text):]
    in_code, wrapped = False, []
    for b in L:
        if b.startswith("```"):
            in_code = not in_code
        wrapped.append(b if in_code or b.startswith(("|", "```")) else wrap(b))
    section = "\n".join(wrapped) + "\n"
    try:
        doc = open(out).read()
    except OSError:
        doc = "# Benchmarks\n"
    # The generated part runs from the heading to the end marker; notes written by hand after the
    # marker, up to the next level-2 heading, are kept. Without the marker: up to that heading.
    end_marker = "<!-- soak.sh:end (notes below, up to the next section, are kept) -->"
    section += "\n" + end_marker + "\n"
    m = re.search(r"^## Soak[ \t]*\n", doc, re.M)
    if m:
        nxt = re.search(r"^## ", doc[m.end():], re.M)
        limit = m.end() + nxt.start() if nxt else len(doc)
        marker = doc.find(end_marker, m.end(), limit)
        end = marker + len(end_marker) + 1 if marker >= 0 else limit
        rest = doc[end:]
        doc = doc[:m.start()] + section + ("\n" if rest and not rest.startswith("\n") else "") + rest
    else:
        doc = doc.rstrip("\n") + "\n\n" + section
    open(out, "w").write(doc)
    print(f"wrote the Soak section of {out}", file=sys.stderr)
sys.exit(0 if passed else 1)
PY
