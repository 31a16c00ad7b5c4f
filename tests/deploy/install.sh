#!/bin/bash
# The install target and the systemd unit: installs into a temp DESTDIR as a
# Debian package would (prefix /usr) and checks where everything lands, that
# systemd accepts the unit as written, that the installed binary starts with
# the installed config the way the unit starts it, stops cleanly on SIGTERM,
# and that a reinstall keeps an operator's edited config.
#   install.sh BUILD_DIR
set -uo pipefail
BUILD=$1
WORK=$(mktemp -d /tmp/herald-install.XXXXXX)
PID=""
cleanup() {
  [ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

D=$WORK/root
DESTDIR=$D cmake --install "$BUILD" --prefix /usr >"$WORK/install.log" 2>&1 \
  || { cat "$WORK/install.log"; echo "FAIL: cmake --install"; exit 1; }

for f in usr/bin/herald etc/herald/herald.toml usr/lib/systemd/system/herald.service \
         usr/share/doc/herald/README.md usr/share/doc/herald/api.md \
         usr/share/doc/herald/herald.toml; do
  [ -f "$D/$f" ] && ok "/$f installed" || fail "/$f not installed"
done
[ -x "$D/usr/bin/herald" ] || fail "/usr/bin/herald is not executable"

UNIT=$D/usr/lib/systemd/system/herald.service
grep -qx 'ExecStart=/usr/bin/herald --config /etc/herald/herald.toml' "$UNIT" \
  && ok "ExecStart has the /usr paths" || fail "ExecStart: $(grep '^ExecStart=' "$UNIT")"
for key in DynamicUser=yes StateDirectory=herald NoNewPrivileges=yes 'LimitNOFILE=[0-9]+' \
           ProtectSystem=strict 'ExecReload=/bin/kill -HUP \$MAINPID' KillSignal=SIGTERM; do
  grep -Eqx "$key" "$UNIT" && ok "unit has $key" || fail "unit lacks $key"
done

# systemd's own check of the unit (unknown keys, bad values, missing
# executables), with the executables at their DESTDIR paths.
sed "s#/usr/bin/herald#$D/usr/bin/herald#g; s#/etc/herald/#$D/etc/herald/#g" "$UNIT" \
  >"$WORK/herald.service"
verify=$(systemd-analyze verify "$WORK/herald.service" 2>&1)
rc=$?
if [ $rc -eq 0 ] && [ -z "$verify" ]; then ok "systemd-analyze verify"; else
  fail "systemd-analyze verify (rc $rc): $verify"; fi

# The unit's ExecStartPre: the installed config is valid as installed.
"$D/usr/bin/herald" --check-config "$D/etc/herald/herald.toml" >"$WORK/check.log" 2>&1 \
  && ok "installed config passes --check-config" \
  || fail "--check-config of the installed config: $(cat "$WORK/check.log")"

# ExecStart as the unit has it, in a state directory of our own (the config's
# database path is systemd's /var/lib/herald) and on a free loopback port.
mkdir -p "$WORK/state"
(cd "$WORK/state" && exec "$D/usr/bin/herald" --config "$D/etc/herald/herald.toml" \
   --db "$WORK/state/herald.db" --listen 127.0.0.1:0 >"$WORK/herald.log" 2>&1) &
PID=$!
port=""
for _ in $(seq 1 100); do
  port=$(sed -n 's#.*listening on http://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$WORK/herald.log" | head -1)
  [ -n "$port" ] && break
  sleep 0.1
done
if [ -z "$port" ]; then
  fail "the installed herald did not start: $(cat "$WORK/herald.log")"
else
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf 'GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' >&3
  status=$(head -1 <&3 | tr -d '\r')
  exec 3>&-
  [ "$status" = "HTTP/1.1 200 OK" ] && ok "installed herald answers /healthz" \
    || fail "/healthz: $status"
  # No token is configured: publishing is refused until the operator adds one.
  exec 3<>"/dev/tcp/127.0.0.1/$port"
  printf 'POST /api/channels/a/messages HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer dev-token\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 9\r\nConnection: close\r\n\r\nmessage=x' >&3
  status=$(head -1 <&3 | tr -d '\r')
  exec 3>&-
  [ "$status" = "HTTP/1.1 401 Unauthorized" ] && ok "installed config has no token" \
    || fail "publish with the demo token: $status"
fi
kill -TERM "$PID" 2>/dev/null
code=""
for _ in $(seq 1 150); do
  if ! kill -0 "$PID" 2>/dev/null; then wait "$PID"; code=$?; break; fi
  sleep 0.1
done
PID_DONE=$PID
PID=""
[ "$code" = "0" ] && ok "SIGTERM: exit 0" || fail "SIGTERM: exit '${code:-still running}' (pid $PID_DONE)"

# A reinstall keeps the operator's config and puts the new default beside it.
echo '# edited by the operator' >>"$D/etc/herald/herald.toml"
DESTDIR=$D cmake --install "$BUILD" --prefix /usr >"$WORK/install2.log" 2>&1 || fail "reinstall"
grep -q 'edited by the operator' "$D/etc/herald/herald.toml" \
  && ok "reinstall keeps the edited config" || fail "reinstall overwrote the edited config"
[ -f "$D/etc/herald/herald.toml.new" ] && ok "reinstall writes herald.toml.new" \
  || fail "no herald.toml.new after reinstall"

# Under /usr/local the unit and the config follow the prefix.
L=$WORK/local
DESTDIR=$L cmake --install "$BUILD" --prefix /usr/local >"$WORK/install3.log" 2>&1 \
  || fail "install under /usr/local"
grep -qx 'ExecStart=/usr/local/bin/herald --config /usr/local/etc/herald/herald.toml' \
  "$L/usr/local/lib/systemd/system/herald.service" \
  && ok "/usr/local: the unit has the /usr/local paths" || fail "/usr/local unit paths"
[ -f "$L/usr/local/etc/herald/herald.toml" ] && ok "/usr/local/etc/herald/herald.toml" \
  || fail "no /usr/local/etc/herald/herald.toml"

echo "failures: $failures"
[ "$failures" -eq 0 ]
