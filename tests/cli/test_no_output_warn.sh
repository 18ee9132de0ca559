#!/usr/bin/env bash
# A run that makes no counterfactual says so (exit 0: the records were
# processed), a negation scope with no other pack is named at load, and a
# filter keeping the flips of one direction only is told (flips_by_target).
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
# one-sided flips: the teacher keeps far more flips to one label
expect 0 "a teacher on the bundled reviews" -- teacher train -i examples/data/reviews.jsonl \
  --text-field text --label-field label -o "$T/t.cft"
sed "s|models/sentiment.cft|$T/t.cft|; s|path: examples/|path: $PWD/examples/|" \
  examples/sentiment-flip-teacher.yaml >"$T/sft.yaml"
expect 0 "sentiment flips filtered by the teacher" -- run "$T/sft.yaml" -o "$T/sft"
contains "$T/err" "warning: one-sided flips:" "one-sided flips are told"
python3 - "$T/sft/report.json" >"$T/check" 2>&1 <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); by = r['flips_by_target']
assert set(by) == {'negative', 'positive'}, by
assert sum(v['candidates'] for v in by.values()) == r['totals']['candidates'], (by, r['totals'])
assert sum(v['accepted'] for v in by.values()) == r['totals']['accepted'], (by, r['totals'])
print('counts ok')
PY
contains "$T/check" "counts ok" "flips_by_target reconciles with the totals"
expect 0 "the same flips with no filter" -- run examples/sentiment-flip.yaml -o "$T/sf"
if grep -q "one-sided" "$T/err"; then bad "no one-sided warning when every flip is kept" "$(grep one-sided "$T/err")"
else ok "no one-sided warning when every flip is kept"; fi
finish
