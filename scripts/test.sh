#!/usr/bin/env bash
# One command: install what is missing, build, and run every test twice:
# in the normal build (warnings are errors) and under ASan+UBSan.
#   CFAUG_TEST_ARGS  extra arguments for ctest (e.g. "-L unit")
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
jobs=$(nproc)

echo "== tests (build/)"
(cd build && ctest --output-on-failure -j"$jobs" ${CFAUG_TEST_ARGS:-})

echo "== tests under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan/)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCFAUG_WERROR=ON \
  -DCFAUG_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs" >/dev/null
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
(cd build-asan && ctest --output-on-failure -j"$jobs" ${CFAUG_TEST_ARGS:-})
