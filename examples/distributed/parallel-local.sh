#!/usr/bin/env bash
# Split a JSONL file into chunks at line boundaries and run one cfaug per
# core; pairs of all chunks are concatenated on stdout.
#   examples/distributed/parallel-local.sh PIPELINE.yaml INPUT.jsonl > pairs.jsonl
# --pipepart reads the file directly (no copy through parallel), --block -1
# makes one chunk per job slot; --keep-order is not needed for correctness
# (every line depends only on its record) but keeps the output stable.
# The binary: $CFAUG if set, else `cfaug` on PATH, else this checkout's build/.
set -euo pipefail
pipeline=$1 input=$2
here=$(cd "$(dirname "$0")" && pwd)
cfaug=${CFAUG:-$(command -v cfaug || echo "$here/../../build/cfaug")}
exec parallel --pipepart -a "$input" --block -1 --jobs "${JOBS:-$(nproc)}" --keep-order \
  "$cfaug" run "$pipeline" -i - -o - -q
