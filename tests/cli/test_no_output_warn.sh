#!/usr/bin/env bash
# A run that makes no counterfactual says so (exit 0: the records were
# processed), and a negation scope with no other pack is named at load.
set -u
. "$(dirname "$0")/../lib.sh"
IN="$PWD/examples/data/reviews.jsonl"
cat >"$T/neg.yaml" <<Y
input: {path: $IN, id_field: id, text_fields: [text], label_field: label, labels: [negative, positive]}
stages:
  - type: rules
    packs: [negation]
    negation_scope: 3
output: {dir: $T/res}
Y
expect 0 "negation with a scope and no other pack" -- run "$T/neg.yaml"
contains "$T/err" "neg.yaml:5:21: negation_scope 3 with no other pack" "the scope without a partner pack is named with its location"
contains "$T/err" "no stage made a counterfactual from the 240 records" "a run with no counterfactual says so"
sed -i 's/packs: \[negation\]/packs: [negation, antonyms]/' "$T/neg.yaml"
expect 0 "negation + antonyms with a scope" -- run "$T/neg.yaml" --overwrite
if grep -q "no other pack\|no stage made" "$T/err"; then bad "no warning when the packs make candidates" "$(cat "$T/err")"
else ok "no warning when the packs make candidates"; fi
finish
