#!/usr/bin/env bash
# Evaluate the human counterfactuals of CAD sentiment (Kaushik et al. 2020,
# dev split) with the built-in teacher trained on the original training
# reviews: targeted flip rate, consistency, minimality, and the spurious
# tokens of the original dev reviews against originals + counterfactuals.
#
#   examples/eval-cad-sentiment.sh [OUT_DIR]      (default out/eval-cad-sentiment)
#
# CFAUG is the binary (default ./build/cfaug), CFAUG_CAD the data directory
# (default ../shared/data/cad-sentiment, relative to the project root).
# Figures are recorded in docs/BENCHMARKS.md ("Evaluation").
set -euo pipefail
cd "$(dirname "$0")/.."
CFAUG=${CFAUG:-./build/cfaug}
CAD=${CFAUG_CAD:-../shared/data/cad-sentiment}
OUT=${1:-out/eval-cad-sentiment}
mkdir -p "$OUT"

"$CFAUG" teacher train -i "$CAD/orig_train.tsv" --text-field Text \
  --label-field Sentiment -o "$OUT/teacher.cft"
"$CFAUG" eval -i "$CAD/paired_dev.tsv" --pair-key batch_id --text-field Text \
  --label-field Sentiment --judge "$OUT/teacher.cft" \
  --spurious "$CAD/orig_dev.tsv" "$CAD/paired_dev.tsv" -o "$OUT"
