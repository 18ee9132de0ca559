#!/usr/bin/env bash
# The negation pack without a scope, on CAD sentiment orig_dev and
# orig_train (negation + antonyms, direction both), plus the sentiment-flip
# and NLI bench pipelines, into OUT/{s_orig_dev,s_orig_train,flip,nli}.
# Run it with two builds, then compare the edits with
# bench/pair_edits_diff.py OLD/s_orig_dev/pairs.jsonl NEW/s_orig_dev/pairs.jsonl
# Usage: bench/negation_runs.sh CFAUG OUT
set -eu
cd "$(dirname "$0")/.."
b=$1; o=$2; data=${CFAUG_DATA:-../shared/data}
mkdir -p "$o"
for split in orig_dev orig_train; do
  cat >"$o/s_$split.yaml" <<Y
input: {path: $data/cad-sentiment/$split.tsv, format: tsv, text_fields: [Text], label_field: Sentiment, labels: [Negative, Positive]}
stages:
  - {type: rules, name: s, packs: [negation, antonyms]}
output: {dir: $o/s_$split}
Y
  "$b" run "$o/s_$split.yaml" -q --overwrite
done
sed "s#dir: .*#dir: $o/flip#" bench/sentiment_packs_cad.yaml >"$o/flip.yaml"
"$b" run "$o/flip.yaml" -q --overwrite
sed "s#dir: .*#dir: $o/nli#" bench/nli_negation_cad.yaml >"$o/nli.yaml"
"$b" run "$o/nli.yaml" -q --overwrite
