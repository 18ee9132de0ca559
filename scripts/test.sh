#!/usr/bin/env bash
# One command: install what is missing, build, and run every test:
#   1. the normal build (warnings are errors): unit, CLI, golden end-to-end,
#      fuzz corpora replayed, and the golden cases under valgrind memcheck;
#   2. the same suite under AddressSanitizer + UndefinedBehaviorSanitizer;
#   3. every libFuzzer target for CFAUG_FUZZ_SECONDS (default 15) with clang.
#   CFAUG_TEST_ARGS  extra arguments for ctest (e.g. "-L unit")
# A failing test prints its output (--output-on-failure); every test has a
# time limit (tests/CMakeLists.txt), so a hang fails in minutes, not at the
# CI's 90-minute limit.  Each step says how long it took.
set -euo pipefail
cd "$(dirname "$0")/.."
CFAUG_EXTRA_PKGS="valgrind clang libclang-rt-14-dev parallel" scripts/setup.sh
jobs=$(nproc)

step() { echo "== $* (at ${SECONDS}s)"; }

step "tests (build/)"
(cd build && ctest --output-on-failure -j"$jobs" ${CFAUG_TEST_ARGS:-})

step "tests under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCFAUG_WERROR=ON \
  -DCFAUG_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs" >/dev/null
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure -j"$jobs" ${CFAUG_TEST_ARGS:-})

step "fuzzing: every libFuzzer target for ${CFAUG_FUZZ_SECONDS:-15}s (build-fuzz/, clang)"
CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCFAUG_WERROR=ON \
  -DCFAUG_FUZZ=ON -DCFAUG_FUZZ_SECONDS="${CFAUG_FUZZ_SECONDS:-15}" >/dev/null
cmake --build build-fuzz -j"$jobs" --target fuzzers >/dev/null
(cd build-fuzz && ctest --output-on-failure -j"$jobs" -L '^fuzz$')
step "done"
