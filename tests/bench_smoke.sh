#!/bin/sh
# The load harness against the real server, small and bounded: 200
# subscribers for 3 s, then 300 subscribers reconnecting with ?since= for
# 3 s. herald-bench exits non-zero on any loss, duplicate or reordering.
# Usage: bench_smoke.sh HERALD HERALD_BENCH
set -eu
HERALD=$1
BENCH=$2
DIR=$(mktemp -d /tmp/herald-smoke-XXXXXX)
PID=
cleanup() {
  [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null || true
  rm -rf "$DIR"
}
trap cleanup EXIT

cat >"$DIR/herald.toml" <<TOML
[auth.tokens]
"dev-token" = "bench"
TOML
# Port 0: the kernel picks a free port and herald logs it.
"$HERALD" --config "$DIR/herald.toml" --listen 127.0.0.1:0 --db "$DIR/herald.db" \
  --log-level info >"$DIR/herald.log" 2>&1 &
PID=$!
PORT=
for _ in $(seq 200); do
  PORT=$(sed -n 's|.*listening on http://127.0.0.1:\([0-9]*\).*|\1|p' "$DIR/herald.log")
  [ -n "$PORT" ] && break
  kill -0 "$PID" 2>/dev/null || { cat "$DIR/herald.log"; exit 1; }
  sleep 0.05
done
[ -n "$PORT" ] || { echo "herald did not start"; cat "$DIR/herald.log"; exit 1; }

timeout 60 "$BENCH" --scenario smoke --server "127.0.0.1:$PORT" --server-pid "$PID"
timeout 60 "$BENCH" --scenario churn --subscribers 300 --duration 3 --server "127.0.0.1:$PORT" \
  --channel churn --server-pid "$PID"
kill -TERM "$PID"
wait "$PID"
PID=
