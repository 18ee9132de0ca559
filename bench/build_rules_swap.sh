#!/bin/sh
# Build bench/rules_swap against the core library of a build dir.
# Usage: bench/build_rules_swap.sh [BUILD_DIR]   (default: build)
set -e
B=${1:-build}
cmake --build "$B" --target cfaug_core -j2 >/dev/null
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude \
  -o "$B/rules_swap" bench/rules_swap.c "$B/libcfaug_core.a" \
  $(pkg-config --cflags --libs jansson libpcre2-8)
echo "$B/rules_swap"
