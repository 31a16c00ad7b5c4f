#!/bin/sh
# Installs the Debian 12 packages herald needs to build and test, when any is
# missing. Idempotent: does nothing (and needs no network) when all are there.
set -eu

PACKAGES="g++ cmake ninja-build ccache pkg-config \
libcaf-dev libboost1.81-dev libboost-json1.81-dev \
libsqlite3-dev libspdlog-dev libtomlplusplus-dev libssl-dev libhiredis-dev"
if [ "${1:-}" = "--test" ]; then
  PACKAGES="$PACKAGES sqlite3 openssl"
  # systemd-analyze checks deploy/herald.service (tests/deploy).
  PACKAGES="$PACKAGES systemd"
  # The cluster suites run against a real Redis.
  PACKAGES="$PACKAGES redis-server"
  # The fuzz stage of scripts/test.sh: clang, and libFuzzer's runtime
  # (libclang_rt.fuzzer), which clang only recommends.
  PACKAGES="$PACKAGES clang libclang-rt-14-dev"
  # The browser suite (tests/browser): Debian's Chromium driven from node.
  # A node from elsewhere (NodeSource) brings its own npm and conflicts with
  # Debian's npm package: ask for npm only when there is none.
  PACKAGES="$PACKAGES chromium nodejs"
  command -v npm >/dev/null 2>&1 || PACKAGES="$PACKAGES npm"
fi

missing=""
for p in $PACKAGES; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  case "$status" in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
  esac
done
[ -z "$missing" ] && exit 0

echo "installing:$missing"
if [ "$(id -u)" -eq 0 ]; then
  SUDO=""
elif command -v sudo >/dev/null 2>&1; then
  SUDO="sudo"
else
  echo "herald: missing packages:$missing (run as root or install sudo)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing
