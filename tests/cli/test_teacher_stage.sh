#!/usr/bin/env bash
# The teacher stage end to end: a model trained by `cfaug teacher train`
# judges case-perturbed candidates (label kept) with the preserve policy.
# Casing does not change the model's features, so a candidate is kept
# exactly when the model gets its original right: the accepted count must
# equal the diagonal of `cfaug teacher eval`.  Then the config errors.
set -u
. "$(dirname "$0")/../lib.sh"

DATA=tests/data/teacher
run_cf teacher train -i $DATA/train.jsonl --label-field label -o "$T/m.cftm" --dev-split 0
[ "$RC" -eq 0 ] && ok "train" || bad "train: exit $RC" "$(cat "$T/err")"

pipeline() {  # pipeline FILE TEACHER-OPTIONS-YAML
  cat >"$1" <<YAML
seed: 1
input:
  path: $DATA/heldout.jsonl
  format: jsonl
  text_fields: [text]
  label_field: label
  labels: [Negative, Positive]
stages:
  - type: case
    to: upper
  - type: teacher
$2
output:
  dir: $T/res
YAML
}

pipeline "$T/p.yaml" "    model: $T/m.cftm
    accept: {policy: preserve}"
expect 0 "run with the teacher" -- run "$T/p.yaml" -q
run_cf teacher eval -m "$T/m.cftm" -i $DATA/heldout.jsonl
diag=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["confusion"]["matrix"]; print(m[0][0]+m[1][1])' "$T/out")
read -r acc rej lc <<<"$(python3 -c '
import json,sys
r=json.load(open(sys.argv[1]))
s=[x for x in r["stages"] if x["type"]=="teacher"][0]
print(s["accepted"], s["rejected"], s["rejected_by_reason"]["label_changed"])' "$T/res/report.json")"
[ "$acc" = "$diag" ] && ok "accepted ($acc) = correctly classified originals" \
  || bad "accepted $acc, eval diagonal $diag"
[ $((acc + rej)) -eq 80 ] && [ "$rej" = "$lc" ] && ok "every rejection is label_changed" \
  || bad "accepted $acc + rejected $rej ($lc label_changed) != 80"
python3 - "$T/res" <<'PY' && ok "teacher object on pairs and rejections" || bad "teacher object"
import json, sys
d = sys.argv[1]
for name, want in (("pairs.jsonl", True), ("rejected.jsonl", False)):
    for line in open(f"{d}/{name}"):
        rec = json.loads(line)
        if "counterfactual" not in rec:
            continue
        t = rec["teacher"]
        assert t["accepted"] is want and t["policy"] == "preserve"
        assert t["target"] == rec["original"]["label"]
        j = t["judges"][0]
        assert j["kind"] == "builtin" and j["orig"] == j["cf"]  # casing is invisible
        assert abs(sum(j["cf"].values()) - 1) < 1e-9
        assert (max(j["cf"], key=j["cf"].get) == t["target"]) is want
        if not want:
            assert rec["reason"] == "label_changed"
PY

# a threshold no probability reaches: every candidate is rejected, with the
# threshold's reason and the judge's own name
pipeline "$T/f.yaml" "    judges:
      - {kind: builtin, model: $T/m.cftm, name: small}
    accept: {policy: threshold, min_prob: 1.0}"
expect 0 "threshold 1.0" -- run "$T/f.yaml" -q
contains "$T/res/rejected.jsonl" '"reason":"below_threshold"' "below_threshold reason"
contains "$T/res/rejected.jsonl" '"name":"small"' "judge name"

pipeline "$T/e1.yaml" "    judges:
      - {kind: oracle, url: http://localhost:1}"
expect 3 "unknown judge kind" -- validate "$T/e1.yaml"
contains "$T/err" "unknown judge kind 'oracle' (builtin, tei, vllm or llm)" "unknown kind message"
contains "$T/err" "e1.yaml:13:16:" "unknown kind message has a location"
pipeline "$T/e2.yaml" "    judges:
      - {kind: llm, model: x}"
expect 3 "llm judge without base_url" -- validate "$T/e2.yaml"
contains "$T/err" "e2.yaml:13:9: missing required key 'base_url'" "missing base_url has a location"
pipeline "$T/e3.yaml" "    model: $T/nope.cftm"
expect 3 "missing model" -- validate "$T/e3.yaml"
contains "$T/err" "nope.cftm" "missing model named"
pipeline "$T/e4.yaml" "    model: $T/m.cftm
    accept: {policy: maybe}"
expect 3 "unknown policy" -- validate "$T/e4.yaml"
pipeline "$T/e5.yaml" "    model: $T/m.cftm
    accept: {band: [0.9, 0.1]}"
expect 3 "bad band" -- validate "$T/e5.yaml"
contains "$T/err" "band" "band message"
pipeline "$T/e6.yaml" "    accept: {policy: flip}"
expect 3 "no judge" -- validate "$T/e6.yaml"
contains "$T/err" "model: PATH or judges:" "no judge message"
printf 'junk' >"$T/junk.cftm"
pipeline "$T/e7.yaml" "    model: $T/junk.cftm"
expect 3 "foreign model file" -- validate "$T/e7.yaml"
contains "$T/err" "not a cfaug teacher model" "foreign model message"
finish
