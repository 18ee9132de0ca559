#!/usr/bin/env bash
# cfaug eval reads flat files with the label field its judge model was
# trained with when --label-field is not given (told once on stderr); an
# explicit --label-field still wins; pairs.jsonl is not affected.
set -u
. "$(dirname "$0")/../lib.sh"
# the bundled reviews with the label under another name (and a second,
# inverted one to show which field was read)
python3 - examples/data/reviews.jsonl "$T/sent.jsonl" <<'PY'
import json, sys
flip = {'positive': 'negative', 'negative': 'positive'}
with open(sys.argv[1]) as f, open(sys.argv[2], 'w') as o:
    for line in f:
        r = json.loads(line)
        r['sentiment'] = r.pop('label')
        r['inverted'] = flip[r['sentiment']]
        o.write(json.dumps(r) + '\n')
PY
expect 0 "a teacher trained with --label-field sentiment" -- teacher train -i "$T/sent.jsonl" \
  --text-field text --label-field sentiment -o "$T/s.cft"
expect 0 "eval of the flat file without --label-field" -- eval -i "$T/sent.jsonl" --pair-key batch_id \
  --judge "$T/s.cft" -o "$T/ev"
contains "$T/err" "cfaug eval: label field 'sentiment', the one judge" "the field taken from the model is told"
n=$(grep -c "label field 'sentiment'" "$T/err")
[ "$n" -eq 1 ] && ok "told once" || bad "told once" "$n lines"
grep -q "skipped:" "$T/err" && bad "no record skipped" "$(grep -m1 skipped: "$T/err")" \
  || ok "no record skipped"
python3 - "$T/ev/report.json" >"$T/check" 2>&1 <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
i = r['input']
assert i['label_field'] == 'sentiment' and i['label_field_from_judge'], i
assert r['counts']['bad_records'] == 0 and r['counts']['pairs'] > 100, r['counts']
# the judge agrees with the labels it was trained on
assert r['judges'][0]['original_accuracy']['rate'] > 0.9, r['judges'][0]['original_accuracy']
print('report ok')
PY
contains "$T/check" "report ok" "report.json: label_field sentiment, every record read"
# an explicit flag wins, and nothing is told
expect 0 "eval with --label-field inverted" -- eval -i "$T/sent.jsonl" --pair-key batch_id \
  --judge "$T/s.cft" --label-field inverted -o "$T/ev2"
grep -q "label field '" "$T/err" && bad "no note with an explicit flag" "$(grep -m1 "label field" "$T/err")" \
  || ok "no note with an explicit flag"
python3 - "$T/ev2/report.json" >"$T/check" 2>&1 <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert r['input']['label_field'] == 'inverted' and 'label_field_from_judge' not in r['input'], r['input']
assert r['judges'][0]['original_accuracy']['rate'] < 0.1, r['judges'][0]['original_accuracy']
print('report ok')
PY
contains "$T/check" "report ok" "report.json: the explicit field was read"
# a model trained on "label": nothing to tell
expect 0 "a teacher trained on label" -- teacher train -i examples/data/reviews.jsonl \
  --text-field text --label-field label -o "$T/l.cft"
expect 0 "eval of reviews.jsonl with it" -- eval -i examples/data/reviews.jsonl --pair-key batch_id \
  --judge "$T/l.cft" -o "$T/ev3"
grep -q "label field '" "$T/err" && bad "no note when the model's field is label" \
  "$(grep -m1 "label field" "$T/err")" || ok "no note when the model's field is label"
finish
