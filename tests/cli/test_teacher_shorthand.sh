#!/usr/bin/env bash
# The teacher stage's `model:` shorthand takes `fields:` and `labels:` with
# the meaning they have in a builtin judge entry (issue 13): a model trained
# on Text/Positive judges data with text/positive without a judges: list.
# A case-only mismatch is named as such, once (a config error, not one line
# per record), and fields:/labels: beside judges: are refused.
set -u
. "$(dirname "$0")/../lib.sh"

DATA=tests/data/teacher
# the training sample with capitalised names: Text, Sentiment
sed 's/^{"text": /{"Text": /; s/, "label": "\([A-Za-z]*\)"}$/, "Sentiment": "\1"}/' \
  $DATA/train.jsonl >"$T/Train.jsonl"
# held-out records with lower-case labels
sed 's/"label": "Positive"}$/"label": "positive"}/; s/"label": "Negative"}$/"label": "negative"}/' \
  $DATA/heldout.jsonl >"$T/low.jsonl"
run_cf teacher train -i "$T/Train.jsonl" --text-field Text \
  --label-field Sentiment -o "$T/m.cftm" --dev-split 0
[ "$RC" -eq 0 ] && ok "train on Text/Sentiment" || bad "train: exit $RC" "$(cat "$T/err")"

pipeline() {  # pipeline FILE TEACHER_EXTRA_LINES...
  local f=$1; shift
  {
    cat <<YAML
seed: 1
input:
  path: $T/low.jsonl
  format: jsonl
  text_fields: [text]
  label_field: label
  labels: [negative, positive]
stages:
  - type: rules
    packs: [antonyms]
    label: {positive: negative, negative: positive}
  - type: teacher
    model: $T/m.cftm
YAML
    for l in "$@"; do echo "    $l"; done
    echo "output:"
    echo "  dir: $T/res"
  } >"$f"
}

# fields + labels on the shorthand: the run works and the judge scores
pipeline "$T/ok.yaml" "fields: [text]" \
  "labels: {Positive: positive, Negative: negative}"
expect 0 "shorthand with fields: and labels:" -- run "$T/ok.yaml" -q
python3 - "$T/res/report.json" <<'PY' && ok "teacher judged every original and accepted some flips" || bad "teacher figures" "$(cat "$T/res/report.json" | head -c 600)"
import json, sys
r = json.load(open(sys.argv[1]))
t = [x for x in r["stages"] if x["type"] == "teacher"][0]
j = t["judges"][0]
# 80 held-out records, each with antonym candidates; better than chance
assert j["orig_n"] >= 60, j
assert j["orig_accuracy"] > 0.6, j
assert t["accepted"] > 0, t
PY

# the same without fields: one message naming the case-only difference
pipeline "$T/nofields.yaml" "labels: {Positive: positive, Negative: negative}"
expect 3 "model field Text, data field text: config error" -- run "$T/nofields.yaml" -q
contains "$T/err" "nofields.yaml:13:12: $T/m.cftm reads text field 'Text', which is not in input.text_fields: 'text' there differs only in case (feed it with fields: [text])" \
  "message names the case-only mismatch and the fix that works"
[ "$(wc -l <"$T/err")" -eq 1 ] && ok "one line, not one per record" \
  || bad "stderr has $(wc -l <"$T/err") lines" "$(head -5 "$T/err")"

# and without labels:
pipeline "$T/nolabels.yaml" "fields: [text]"
expect 3 "model labels Positive/Negative, data positive/negative" -- run "$T/nolabels.yaml" -q
contains "$T/err" "has the label 'Negative', which is not one of the stage's labels (map it with labels: {Negative: negative}; they differ only in case)" \
  "label message names the case-only mismatch"
[ "$(wc -l <"$T/err")" -eq 1 ] && ok "one line" || bad "stderr has $(wc -l <"$T/err") lines"

# a fields: with the wrong count points at fields:
pipeline "$T/two.yaml" "fields: [text, text]" \
  "labels: {Positive: positive, Negative: negative}"
expect 3 "fields: with two names for a one-field model" -- run "$T/two.yaml" -q
contains "$T/err" "two.yaml:14:13: $T/m.cftm reads 1 text fields, and fields: names 2" \
  "count message points at fields:"

# beside judges:, fields:/labels: belong to the judge
cat >"$T/judges.yaml" <<YAML
input: {path: $T/low.jsonl, format: jsonl, text_fields: [text], label_field: label, labels: [negative, positive]}
stages:
  - type: rules
    packs: [antonyms]
    label: {positive: negative, negative: positive}
  - type: teacher
    judges: [{kind: builtin, model: $T/m.cftm}]
    fields: [text]
output: {dir: $T/res2}
YAML
expect 3 "fields: beside judges:" -- run "$T/judges.yaml" -q
contains "$T/err" "judges.yaml:8:13: fields: goes with model:; with judges:, give it to the judge" \
  "fields: beside judges: is refused with a location"

finish
