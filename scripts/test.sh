#!/bin/sh
# Installs what is missing, builds, and runs every test suite with CTest.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh --test
./scripts/build.sh
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j 2 --timeout 300
