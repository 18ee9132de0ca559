#!/usr/bin/env bash
# Evaluate the human counterfactuals of CAD sentiment (dev split) with the
# built-in teacher trained on the original training reviews: targeted flip
# rate, consistency, minimality, and the spurious tokens of the original dev
# reviews against originals + counterfactuals.
#
#   examples/eval-cad-sentiment.sh [OUT_DIR]      (default out/eval-cad-sentiment)
#
# The data: Counterfactually-Augmented Data (CAD) of Kaushik, Hovy and
# Lipton, "Learning the Difference that Makes a Difference with
# Counterfactually-Augmented Data", ICLR 2020, Apache-2.0, at
# https://github.com/acmi-lab/counterfactually-augmented-data.  Clone it and
# set CFAUG_CAD to the clone: sentiment/orig/train.tsv, sentiment/orig/dev.tsv
# and sentiment/combined/paired/dev_paired.tsv are read.  CFAUG_CAD may also
# name a folder holding them as orig_train.tsv, orig_dev.tsv and
# paired_dev.tsv (the project's workplace layout, and the default:
# ../shared/data/cad-sentiment from the project root).  A relative
# CFAUG_CAD is taken from the directory the script is run in.
#
# CFAUG is the binary (default ./build/cfaug, from the project root).
# Figures are recorded in docs/BENCHMARKS.md ("Evaluation").
set -euo pipefail
CAD=${CFAUG_CAD:-}
case $CAD in ''|/*) ;; *) CAD=$PWD/$CAD;; esac
cd "$(dirname "$0")/.."
CFAUG=${CFAUG:-./build/cfaug}
CAD=${CAD:-../shared/data/cad-sentiment}
OUT=${1:-out/eval-cad-sentiment}

if [ -f "$CAD/sentiment/orig/train.tsv" ]; then      # a clone of the repository
  train=$CAD/sentiment/orig/train.tsv
  dev=$CAD/sentiment/orig/dev.tsv
  paired=$CAD/sentiment/combined/paired/dev_paired.tsv
else
  train=$CAD/orig_train.tsv dev=$CAD/orig_dev.tsv paired=$CAD/paired_dev.tsv
fi
for f in "$train" "$dev" "$paired"; do
  if [ ! -f "$f" ]; then
    echo "eval-cad-sentiment.sh: $f not found: this example needs the CAD" \
         "sentiment data (Kaushik et al., ICLR 2020, Apache-2.0):" \
         "git clone https://github.com/acmi-lab/counterfactually-augmented-data" \
         "and set CFAUG_CAD to the clone (now: ${CFAUG_CAD:-unset, default $CAD})" >&2
    exit 2
  fi
done
mkdir -p "$OUT"

"$CFAUG" teacher train -i "$train" --text-field Text \
  --label-field Sentiment -o "$OUT/teacher.cft"
"$CFAUG" eval -i "$paired" --pair-key batch_id --text-field Text \
  --label-field Sentiment --judge "$OUT/teacher.cft" \
  --spurious "$dev" "$paired" -o "$OUT"
