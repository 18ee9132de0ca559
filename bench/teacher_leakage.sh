#!/bin/sh
# teacher_leakage.sh - the teacher stage's leakage warning on CAD sentiment
# (issue 13).  A built-in teacher trained on orig_train judges rules
# (antonyms) candidates of orig_train (records it was trained on) and of
# orig_dev (records it was not): the report's orig_accuracy per judge, the
# warning, and how many candidates each run keeps.
#
#   bench/teacher_leakage.sh     # needs ./build/cfaug and ../shared/data
#
# Data: cad-sentiment (Kaushik et al. 2020, /work/shared/data, Apache-2.0).
set -eu
CF=${CFAUG:-$(pwd)/build/cfaug}
D=${DATA:-/work/shared/data}/cad-sentiment
W=$(mktemp -d /tmp/cfaug-leak-XXXXXX)
trap 'rm -rf "$W"' EXIT
"$CF" teacher train -i "$D/orig_train.tsv" --text-field Text \
	--label-field Sentiment -o "$W/m.cft" 2>&1 | tail -1
for split in train dev; do
	cat >"$W/$split.yaml" <<YAML
seed: 1
input:
  path: $D/orig_$split.tsv
  text_fields: [Text]
  label_field: Sentiment
  labels: [Negative, Positive]
stages:
  - type: rules
    packs: [antonyms]
    label: {Positive: Negative, Negative: Positive}
  - type: teacher
    model: $W/m.cft
    accept: {policy: flip}
output:
  dir: $W/out-$split
YAML
	echo "== orig_$split"
	"$CF" run "$W/$split.yaml" -q 2>&1 | grep warning || echo "(no warning)"
	python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
s = [x for x in r["stages"] if x["type"] == "teacher"][0]
j = s["judges"][0]
n = s["accepted"] + sum(s["rejected_by_reason"].values())
print("orig_accuracy %.3f over %d originals; kept %d of %d candidates (%.1f%%)"
      % (j["orig_accuracy"], j["orig_n"], s["accepted"], n, 100 * s["accepted"] / n))
' "$W/out-$split/report.json"
done
