#!/usr/bin/env bash
# Installs the Debian packages cfaug needs (only those missing) and builds
# it into build/.  Used by scripts/quickstart.sh and scripts/test.sh.
#   CFAUG_BUILD_DIR  build directory (default: build)
#   CFAUG_WERROR     ON to treat warnings as errors (default: ON)
#   CFAUG_EXTRA_PKGS more Debian packages to install if missing (the test
#                    command adds valgrind and clang for its tool runs)
set -euo pipefail
cd "$(dirname "$0")/.."

pkgs=(build-essential cmake pkg-config python3
      libcurl4-openssl-dev libjansson-dev libpcre2-dev libyaml-dev libcmocka-dev
      zlib1g-dev libzstd-dev
      ${CFAUG_EXTRA_PKGS:-})
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >/dev/null
fi

build=${CFAUG_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCFAUG_WERROR="${CFAUG_WERROR:-ON}" >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null
