#!/usr/bin/env bash
# No figure is made up over nothing, no option silently replaces another:
#   - edit_filter that keeps no candidate reports a null mean, not 0.0;
#   - a second --field-map / --label-map is refused, not a silent replace.
set -u
. "$(dirname "$0")/../lib.sh"
expect 0 "quickstart with an edit_filter that keeps nothing" -- run examples/quickstart.yaml \
  -o "$T/q" -q --set stages.1.max_ratio=0.0001 --set stages.1.ratio_min_tokens=0
python3 - "$T/q/report.json" >"$T/check" 2>&1 <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ef = [s for s in r['stages'] if s.get('type') == 'edit_filter'][0]
assert r['totals']['accepted'] == 0, r['totals']
assert ef['mean_edit_ratio_kept'] is None, ef
print('null ok')
PY
contains "$T/check" "null ok" "edit_filter keeping nothing: mean_edit_ratio_kept is null"
expect 0 "a teacher" -- teacher train -i examples/data/reviews.jsonl --text-field text \
  --label-field label -o "$T/t.cft"
expect 2 "--field-map given twice" -- teacher eval -m "$T/t.cft" -i examples/data/reviews.jsonl \
  --field-map text=text --field-map label=label
contains "$T/err" "--field-map given twice" "a second --field-map is refused with its reason"
expect 2 "--label-map given twice" -- teacher eval -m "$T/t.cft" -i examples/data/reviews.jsonl \
  --label-map negative=negative --label-map positive=positive
contains "$T/err" "--label-map given twice" "a second --label-map is refused with its reason"
finish
