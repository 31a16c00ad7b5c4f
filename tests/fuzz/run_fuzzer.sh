#!/bin/sh
# One bounded fuzz run, as a CTest test:
#   run_fuzzer.sh FUZZER SEEDS WORK SECONDS [libFuzzer options...]
# SEEDS (the committed corpus) is only read; inputs that find new coverage go
# to WORK/corpus, kept between runs so later runs start further on. A crash
# leaves its input in WORK/ (crash-*, leak-*, timeout-*) and fails the test;
# reproduce it with `FUZZER WORK/crash-...`.
set -eu
fuzzer=$1
seeds=$2
work=$3
seconds=$4
shift 4
mkdir -p "$work/corpus"
exec "$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="$work/" -print_final_stats=1 "$@" "$work/corpus" "$seeds"
