#!/usr/bin/env bash
# The teacher stage's leakage warning (issue 13): a model judging the very
# records it was trained on is right on nearly every original, and keeps
# almost no flips.  rules -> teacher over the training sample must warn and
# report orig_accuracy >= 0.98; over held-out records it must not warn, and
# orig_accuracy/orig_n must agree with `cfaug teacher eval` on the originals
# the stage judged.
set -u
. "$(dirname "$0")/../lib.sh"

DATA=tests/data/teacher
run_cf teacher train -i $DATA/train.jsonl --label-field label -o "$T/m.cftm" --dev-split 0
[ "$RC" -eq 0 ] && ok "train" || bad "train: exit $RC" "$(cat "$T/err")"

pipeline() {  # pipeline FILE INPUT
  cat >"$1" <<YAML
seed: 1
input:
  path: $2
  format: jsonl
  text_fields: [text]
  label_field: label
  labels: [Negative, Positive]
stages:
  - type: rules
    packs: [antonyms]
    label: {Positive: Negative, Negative: Positive}
  - type: teacher
    judges:
      - {kind: builtin, model: $T/m.cftm, name: small}
    accept: {policy: flip}
output:
  dir: $T/res
YAML
}

figures() {  # orig_accuracy orig_n of the teacher's judge
  python3 -c '
import json,sys
r=json.load(open(sys.argv[1]))
j=[x for x in r["stages"] if x["type"]=="teacher"][0]["judges"][0]
print(j["orig_accuracy"], j["orig_n"])' "$T/res/report.json"
}

pipeline "$T/same.yaml" $DATA/train.jsonl
expect 0 "rules -> teacher over the training records" -- run "$T/same.yaml" -q
read -r acc n <<<"$(figures)"
echo "# training records: orig_accuracy $acc over $n originals" >&2
python3 -c "import sys; sys.exit(not ($n >= 20 and $acc >= 0.98))" \
  && ok "report: orig_accuracy $acc >= 0.98 over $n >= 20 originals" \
  || bad "report: orig_accuracy $acc over $n originals"
contains "$T/err" "judge 'small' is right on" "leakage warning names the judge"
contains "$T/err" "of the $n originals" "leakage warning gives n"
contains "$T/err" "likely seen these records" "leakage warning says why"
[ "$(grep -c 'likely seen' "$T/err")" = 1 ] && ok "warned once" \
  || bad "warned $(grep -c 'likely seen' "$T/err") times"

pipeline "$T/other.yaml" $DATA/heldout.jsonl
expect 0 "rules -> teacher over held-out records" -- run "$T/other.yaml" -q
read -r acc n <<<"$(figures)"
echo "# held-out records: orig_accuracy $acc over $n originals" >&2
python3 -c "import sys; sys.exit(not ($n >= 20 and $acc < 0.98))" \
  && ok "report: orig_accuracy $acc < 0.98 over $n originals" \
  || bad "report: orig_accuracy $acc over $n originals"
if grep -q "likely seen" "$T/err"; then bad "no leakage warning on held-out data" "$(cat "$T/err")"
else ok "no leakage warning on held-out data"; fi

# orig_accuracy is the model's accuracy on the originals the stage judged:
# the originals of the pairs and teacher rejections, scored by teacher eval
python3 - "$T/res" >"$T/judged.jsonl" <<'PY'
import json, sys
seen = set()
for name in ("pairs.jsonl", "rejected.jsonl"):
    for line in open(f"{sys.argv[1]}/{name}"):
        rec = json.loads(line)
        if "teacher" not in rec or "original" not in rec:
            continue
        o = rec["original"]
        key = json.dumps(o, sort_keys=True)
        if key not in seen:
            seen.add(key)
            print(json.dumps({"text": o["text"], "label": o["label"]}))
PY
run_cf teacher eval -m "$T/m.cftm" -i "$T/judged.jsonl"
python3 - "$T/out" "$acc" "$n" <<'PY' && ok "orig_accuracy agrees with teacher eval" || bad "orig_accuracy disagrees with teacher eval" "$(cat "$T/out")"
import json, sys
m = json.load(open(sys.argv[1]))["confusion"]["matrix"]
tot = sum(map(sum, m))
assert tot == int(sys.argv[3]), (tot, sys.argv[3])
assert abs((m[0][0] + m[1][1]) / tot - float(sys.argv[2])) < 1e-5  # the report rounds reals
PY
finish
