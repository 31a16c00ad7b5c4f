#!/bin/sh
# Installs what is missing, builds, and runs the tests in three stages, in
# this order, each in its own build directory:
#   unit  every CTest suite of the normal build (build/, or $BUILD_DIR)
#   asan  the same suites built with AddressSanitizer and UBSan (build-asan/)
#   fuzz  bounded libFuzzer runs of the parsers, built with clang (build-fuzz/;
#         only the fuzz targets are built)
# HERALD_TEST_STAGES picks stages, space-separated; the default is all
# three. A quick pass without the sanitizer build:
#   HERALD_TEST_STAGES="unit fuzz" ./scripts/test.sh
# The first stage that fails stops the script.
set -eu
cd "$(dirname "$0")/.."

stages=${HERALD_TEST_STAGES:-unit asan fuzz}
for s in $stages; do
  case "$s" in
    unit | asan | fuzz) ;;
    *) echo "HERALD_TEST_STAGES: unknown stage \"$s\" (known: unit asan fuzz)" >&2; exit 2 ;;
  esac
done
stage() { case " $stages " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

./scripts/install-deps.sh --test

if stage unit; then
  echo "== unit"
  ./scripts/build.sh
  ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j 2 --timeout 300
fi

if stage asan; then
  echo "== asan"
  BUILD_DIR=build-asan ./scripts/build.sh -DHERALD_SANITIZE=ON
  # One suite at a time: the sanitizers slow herald several times over, and
  # the integration suites' time bounds assume a core of their own.
  ctest --test-dir build-asan --output-on-failure -j 1 --timeout 300
fi

if stage fuzz; then
  echo "== fuzz"
  if [ ! -f build-fuzz/build.ninja ]; then
    CC=clang CXX=clang++ cmake -G Ninja -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DHERALD_FUZZ=ON
  fi
  cmake --build build-fuzz --target herald_fuzz -- -j 2
  ctest --test-dir build-fuzz -L fuzz --output-on-failure -j 2
fi
