#!/usr/bin/env bash
# N --shard runs on this machine, one output directory each, then one
# `cfaug merge` into OUTDIR/merged (full outputs, one report, one card).
#   examples/distributed/shards-local.sh PIPELINE.yaml INPUT OUTDIR [N]
# The binary: $CFAUG if set, else `cfaug` on PATH, else this checkout's
# build/cfaug -- no PATH change needed.
set -euo pipefail
pipeline=$1 input=$2 out=$3 n=${4:-$(nproc)}
here=$(cd "$(dirname "$0")" && pwd)
cfaug=${CFAUG:-$(command -v cfaug || echo "$here/../../build/cfaug")}
pids=()
for k in $(seq 1 "$n"); do
  "$cfaug" run "$pipeline" -i "$input" -o "$out/shard-$k" --shard "$k/$n" -q &
  pids+=($!)
done
for p in "${pids[@]}"; do wait "$p"; done
dirs=()
for k in $(seq 1 "$n"); do dirs+=("$out/shard-$k"); done
exec "$cfaug" merge -o "$out/merged" "${dirs[@]}"
