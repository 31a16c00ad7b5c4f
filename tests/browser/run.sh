#!/bin/sh
# Runs the browser suite (CTest test "browser"): installs its npm packages when
# node_modules is missing or package-lock.json changed since the last install,
# then runs node's test runner. After the first install it needs no network.
#   run.sh HERALD_BINARY NODE NPM CHROMIUM SCREENSHOT
# The paths of node, npm and chromium are the ones cmake found; a missing one
# fails the test (scripts/install-deps.sh --test installs them). SCREENSHOT is
# where the page's screenshot goes unless HERALD_SCREENSHOT says otherwise
# (HERALD_SCREENSHOT=$PWD/docs/tool-page.png refreshes the README's picture).
set -eu
if [ $# -ne 5 ]; then
  echo "usage: $0 HERALD_BINARY NODE NPM CHROMIUM SCREENSHOT" >&2
  exit 2
fi
binary=$1 node=$2 npm=$3 chromium=$4 screenshot=$5
here=$(cd "$(dirname "$0")" && pwd)

for tool in "node=$node" "npm=$npm" "chromium=$chromium" "herald=$binary"; do
  name=${tool%%=*} path=${tool#*=}
  case "$path" in
    "" | *-NOTFOUND)
      echo "browser test: $name was not found when cmake ran; install it" \
           "(scripts/install-deps.sh --test) and configure again" >&2
      exit 1 ;;
  esac
  if [ ! -x "$path" ]; then
    echo "browser test: $name at $path is not an executable" >&2
    exit 1
  fi
done

# One install at a time, whichever build directory's ctest asks: the lock is on
# this directory. The copy of the lock file marks a finished install.
exec 9<"$here"
flock 9
stamp="$here/node_modules/.herald-package-lock.json"
if ! cmp -s "$here/package-lock.json" "$stamp"; then
  echo "browser test: npm ci in $here"
  (cd "$here" && "$npm" ci --no-audit --no-fund --prefer-offline)
  cp "$here/package-lock.json" "$stamp"
fi
flock -u 9
exec 9<&-

cd "$here"
export HERALD_BINARY="$binary" HERALD_CHROMIUM="$chromium"
export HERALD_SCREENSHOT="${HERALD_SCREENSHOT:-$screenshot}"
exec "$node" --test page.test.mjs herald_js.test.mjs
