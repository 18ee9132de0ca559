#!/bin/sh
# Build bench/rules_swap against the core libraries of a build dir.
# Usage: bench/build_rules_swap.sh [BUILD_DIR]   (default: build)
set -e
B=${1:-build}
cmake --build "$B" --target cfaug -j2 >/dev/null
# the layers are separate static libraries (CMakeLists.txt); the core and
# the stage registry refer to each other, hence the group
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -Iinclude \
  -o "$B/rules_swap" bench/rules_swap.c \
  -Wl,--start-group "$B"/libcfaug_*.a -Wl,--end-group \
  $(pkg-config --cflags --libs jansson libpcre2-8 libcurl yaml-0.1 zlib libzstd) -lpthread -lm
echo "$B/rules_swap"
