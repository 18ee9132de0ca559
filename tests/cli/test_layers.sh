#!/usr/bin/env bash
# The layers hold (pipeline/README.md): each library's cf_* symbols come
# from itself or the layers under it, never from above -- so the core
# (cfaug_pipeline) links without stages/, util without the judge, ... --
# and no source reaches another folder by a relative include ("../x.h",
# "judge/x.h"): only the include path, which CMake gives per layer, decides
# what a file can see, so an upward include does not compile.
set -u
B=${CFAUG_BUILD:?set CFAUG_BUILD to the build directory}
fail=0

# layer: the layers it may use (all of them, transitively)
declare -A below=(
  [base]=""
  [util]="base"
  [input]="util base"
  [stats]="util base"
  [judge]="input util base"
  [eval]="judge stats input util base"
  [pipeline]="input util base"
  [stages]="pipeline judge stats input util base"
)

lib() { echo "$B/libcfaug_$1.a"; }
defined() { nm -g --defined-only "$(lib "$1")" 2>/dev/null | awk 'NF == 3 { print $3 }' | grep '^cf_'; }

for L in "${!below[@]}"; do
  [ -f "$(lib "$L")" ] || { echo "FAIL: no $(lib "$L")"; fail=1; continue; }
  have=$(for M in $L ${below[$L]}; do defined "$M"; done | sort -u)
  need=$(nm -u "$(lib "$L")" | awk '{ print $NF }' | grep '^cf_' | sort -u)
  up=$(comm -23 <(echo "$need") <(echo "$have") | grep . || true)
  if [ -n "$up" ]; then
    echo "FAIL: layer $L uses symbols from above it (or undefined):"
    echo "$up" | sed 's/^/  /'
    fail=1
  fi
done

# the check itself must be able to fail: the stages layer does use the core
if [ -z "$(nm -u "$(lib stages)" | grep -w cf_emit)" ]; then
  echo "FAIL: nm saw no cf_emit used by the stages layer: the check is blind"
  fail=1
fi

bad=$(grep -rn '#include "' pipeline stages cli --include='*.c' --include='*.h' |
      grep -v '#include "[^/"]*"' | grep -v '#include "cfaug/' || true)
if [ -n "$bad" ]; then
  echo "FAIL: includes that reach another folder by path:"
  echo "$bad" | sed 's/^/  /'
  fail=1
fi
[ $fail -eq 0 ] && echo "ok: layers hold"
exit $fail
