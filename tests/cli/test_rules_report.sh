#!/usr/bin/env bash
# The rules report of issue 12: pairs_by_rule (per rule, candidates kept
# and rejected downstream, here by an edit_filter), coverage_by_rule and
# decisions of the sentiment packs, rules named in one canonical order (by
# name) whatever the configuration's: [negation, antonyms] and [antonyms,
# negation] name their pairs alike.
set -u
. "$(dirname "$0")/../lib.sh"

cat >"$T/in.jsonl" <<'J'
{"id":"1","text":"It is good.","label":"positive"}
{"id":"2","text":"A great film, I loved it, and the plot is good and the cast is great too. We saw it on a Sunday afternoon in the small cinema next to the station, with two friends from work and their children.","label":"positive"}
{"id":"3","text":"It was released in 1985.","label":"negative"}
{"id":"4","text":"An actor called Best. I fell in love.","label":"negative"}
J
cat >"$T/p.yaml" <<Y
input: {path: $T/in.jsonl, id_field: id, text_fields: [text], label_field: label, labels: [negative, positive]}
stages:
  - {type: rules, name: flip, packs: [negation, antonyms], negation_scope: 3, label: {positive: negative, negative: positive}}
  - {type: edit_filter, max_ratio: 0.2}
output: {dir: $T/res}
Y
expect 0 "rules + edit_filter" -- run "$T/p.yaml" -q
python3 - "$T/res" >"$T/check" 2>&1 <<'PY'
import json, sys
d = sys.argv[1]
r = json.load(open(d + "/report.json"))
br = r["pairs_by_rule"]
# record 1: negation only, 1 edit in 3 words: rejected by max_ratio 0.2;
# record 2: negation + antonyms, long enough: kept
assert br["negation"] == {"accepted": 1, "rejected": 1, "accepted_share": 0.5}, br
assert br["antonyms"] == {"accepted": 1, "rejected": 0, "accepted_share": 1.0}, br
st = r["stages"][0]
assert st["coverage_by_rule"] == {"negation": 0.5, "antonyms": 0.25}, st["coverage_by_rule"]
dec = st["decisions"]
assert dec["skipped_capitalised_word"] == 1 and dec["skipped_idiom"] == 1, dec
pairs = [json.loads(l) for l in open(d + "/pairs.jsonl")]
assert pairs[0]["generator"]["rules"] == ["antonyms", "negation"], pairs[0]["generator"]
print("report ok")
PY
contains "$T/check" "report ok" "pairs_by_rule, coverage_by_rule, decisions, rule order"
sed 's/packs: \[negation, antonyms\]/packs: [antonyms, negation]/; s#res}#res2}#' "$T/p.yaml" >"$T/p2.yaml"
expect 0 "the other order" -- run "$T/p2.yaml" -q
python3 - "$T/res" "$T/res2" >"$T/check2" 2>&1 <<'PY'
import json, sys
names = [[json.loads(l)["generator"]["rules"] for l in open(d + "/pairs.jsonl")]
         for d in sys.argv[1:]]
assert names[0] == names[1] and ["antonyms", "negation"] in names[0], names
for d in sys.argv[1:]:   # the report's per-rule objects list rules by name
    r = json.load(open(d + "/report.json"))
    st = r["stages"][0]
    for k in (st["edits_by_rule"], st["coverage_by_rule"], r["pairs_by_rule"]):
        assert list(k) == sorted(k), (d, list(k))
print("order ok")
PY
contains "$T/check2" "order ok" "one rule order for both configuration orders"
finish
