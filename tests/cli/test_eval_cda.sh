#!/usr/bin/env bash
# cfaug eval on label-keeping (CDA) pairs: the flip figures are over no
# pairs, so the summary must not print them as 0.000; the label-kept rate
# (judge gives the original label to the edit) is what is measured.
set -u
. "$(dirname "$0")/../lib.sh"
expect 0 "gender+names CDA on the bundled reviews" -- run examples/quickstart.yaml -o "$T/cda" -q
expect 0 "teacher trained on the bundled reviews" -- teacher train -i examples/data/reviews.jsonl \
  --text-field text --label-field label -o "$T/t.cft"
expect 0 "eval of the CDA pairs" -- eval -i "$T/cda/pairs.jsonl" --judge "$T/t.cft" -o "$T/ev"
cp "$T/err" "$T/ev.err"
contains "$T/ev.err" "label kept" "the summary gives the label-kept rate"
if grep -q "targeted flip\|consistency" "$T/ev.err"; then
  bad "no flip figures over 0 label-changing pairs" "$(grep -m1 'targeted' "$T/ev.err")"
else ok "no flip figures over 0 label-changing pairs"; fi
python3 - "$T/ev/report.json" "$T/cda/report.json" >"$T/check" 2>&1 <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); run = json.load(open(sys.argv[2]))
j = r['judges'][0]
pairs = r['counts']['pairs']
assert pairs > 0 and r['counts']['label_changing_pairs'] == 0, r['counts']
assert j['targeted_flip']['n'] == 0 and j['targeted_flip']['rate'] is None
assert j['label_kept']['n'] == pairs, j['label_kept']
# the judge keeps the label of most gender/name swaps, never more than all
assert 0.8 * pairs <= j['label_kept']['k'] <= pairs, j['label_kept']
print('report ok')
PY
contains "$T/check" "report ok" "report.json: label_kept over every pair, no targeted flips"
contains "$T/ev/report.html" "Label kept" "report.html shows the label-kept card"
# a wrong field name: one message with what the record has, not one per record
expect 4 "eval with a label field the data lacks" -- eval -i examples/data/reviews.jsonl --block 2 \
  --judge "$T/t.cft" --label-field gold -o "$T/ev2"
contains "$T/err" "label field 'gold' is missing or empty (the record has: id, text, label, batch_id; set --label-field)" \
  "the message names the record's keys and the option"
[ "$(grep -c "skipped:" "$T/err")" -eq 1 ] && ok "the same reason is told once" \
  || bad "the same reason is told once" "$(grep -c "skipped:" "$T/err") lines"
finish
