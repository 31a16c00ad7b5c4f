#!/bin/sh
# Installs what is missing, builds, and runs herald with config/herald.toml
# (SQLite storage in ./herald.db; no other service needed). Extra arguments go
# to herald, e.g. ./scripts/run.sh --listen 127.0.0.1:8080
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
exec ./build/herald --config config/herald.toml "$@"
