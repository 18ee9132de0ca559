#!/usr/bin/env bash
# A Slurm array job: every task reads the whole input and keeps its shard
# (records whose id hashes to it), writing a full output directory.
#   sbatch --array=1-16 examples/distributed/slurm-array.sh PIPELINE.yaml INPUT.jsonl OUTDIR
# Afterwards, one directory with one report (a job that waits for the array):
#   sbatch --dependency=afterok:JOBID --wrap "cfaug merge -o OUTDIR/merged OUTDIR/shard-*"
# The binary: $CFAUG if set, else `cfaug` on PATH, else this checkout's build/.
#SBATCH --job-name=cfaug
#SBATCH --cpus-per-task=1
#SBATCH --mem=512M
set -euo pipefail
pipeline=$1 input=$2 out=$3
k=${SLURM_ARRAY_TASK_ID:?run as an array job}
n=${SLURM_ARRAY_TASK_COUNT:?run as an array job}
here=$(cd "$(dirname "$0")" && pwd)
cfaug=${CFAUG:-$(command -v cfaug || echo "$here/../../build/cfaug")}
exec "$cfaug" run "$pipeline" -i "$input" -o "$out/shard-$k" --shard "$k/$n" -q
