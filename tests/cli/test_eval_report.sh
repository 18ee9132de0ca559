#!/usr/bin/env bash
# cfaug eval, issue 13's report items: the review import counts its items
# (an unordered read used to report garbage), report.html has a Human
# review section, --originals that do not fit their blocks are warned
# about, and a judge that is wrong on the originals is flagged next to the
# flip rates (stderr, report.json "warnings", report.html).  Toy judge as
# in test_eval.sh: "good great fine" pos, "bad awful poor" neg.
set -u
. "$(dirname "$0")/../lib.sh"

python3 - "$T" <<'PY'
import json, sys
d = sys.argv[1]
with open(f"{d}/train.jsonl", "w") as w, open(f"{d}/wrong.jsonl", "w") as x:
    for _ in range(30):
        for t in ["good film", "great plot", "fine acting good", "great good fine"]:
            w.write(json.dumps({"text": t, "label": "pos"}) + "\n")
            x.write(json.dumps({"text": t, "label": "neg"}) + "\n")
        for t in ["bad film", "awful plot", "poor acting bad", "awful bad poor"]:
            w.write(json.dumps({"text": t, "label": "neg"}) + "\n")
            x.write(json.dumps({"text": t, "label": "pos"}) + "\n")
rules = {"stage": "antonyms", "kind": "rules"}
def pair(oid, o, ol, c, cl):
    return json.dumps({"pair_id": oid + "#0.0", "orig_id": oid,
                       "original": {"text": o, "label": ol},
                       "counterfactual": {"text": c, "label": cl}, "generator": rules})
with open(f"{d}/pairs.jsonl", "w") as w:
    for r in [("a", "good film", "pos", "bad film", "neg"),
              ("b", "great film", "pos", "great film ok", "neg"),
              ("c", "awful plot", "neg", "fine plot", "pos"),
              ("d", "bad film", "neg", "good film", "pos"),
              ("e", "fine acting", "pos", "poor acting", "neg")]:
        w.write(pair(*r) + "\n")
with open(f"{d}/orig.tsv", "w") as w:
    w.write("text\tlabel\ngood film today\tpos\nawful plot twist\tneg\n")
with open(f"{d}/more.tsv", "w") as w:      # one original too many
    w.write("text\tlabel\ngood film today\tpos\nawful plot twist\tneg\ngood\tpos\n")
with open(f"{d}/other.tsv", "w") as w:     # originals of some other data
    w.write("text\tlabel\nthe cast of this long picture is fine\tpos\n"
            "every single scene of it drags on\tneg\n")
with open(f"{d}/rev.tsv", "w") as w:
    w.write("text\tlabel\nbad film today\tneg\npoor film today\tneg\n"
            "fine plot twist\tpos\ngood plot twist\tpos\n")
PY
expect 0 "train the toy judge" -- teacher train -i "$T/train.jsonl" --label-field label -o "$T/m.cft"
expect 0 "train a judge with the labels swapped" -- teacher train -i "$T/wrong.jsonl" --label-field label -o "$T/w.cft"

# ---- review import: items, and the Human review section -------------------
printf 'id,original,counterfactual,target,transition,generator,human_label,comment\n1,x,x,neg,,,neg,\n2,x,x,neg,,,pos,\n3,x,x,pos,,,pos,\n4,x,x,pos,,,pos,\n5,x,x,neg,,,neg,\n' >"$T/ann.csv"
expect 0 "review import" -- eval -q -i "$T/pairs.jsonl" --judge "$T/m.cft" --review-import "$T/ann.csv" -o "$T/rv"
python3 - "$T/rv/report.json" >"$T/check" 2>&1 <<'PY'
import json, sys
im = json.load(open(sys.argv[1]))["human_review"]["import"]
assert im["matched"] == 5, im
j = im["judges"][0]
assert j["items"] == 5 and j["accuracy"]["n"] == 5, j
print("items ok")
PY
contains "$T/check" "items ok" "review import: items = the 5 annotated pairs"
contains "$T/rv/report.html" "<h2>Human review</h2>" "report.html: a Human review section"
contains "$T/rv/report.html" "Human flip rate" "the section shows the human flip rate"
contains "$T/rv/report.html" "accuracy vs humans" "and each judge against the humans"

# ---- --originals that do not fit ------------------------------------------
expect 0 "originals that fit" -- eval -i "$T/rev.tsv" --block 2 --originals "$T/orig.tsv" --judge "$T/m.cft" -o "$T/o1"
if grep -q "warning" "$T/err"; then bad "no warning when the originals fit" "$(cat "$T/err")"
else ok "no warning when the originals fit"; fi
expect 0 "one original too many" -- eval -i "$T/rev.tsv" --block 2 --originals "$T/more.tsv" --judge "$T/m.cft" -o "$T/o2"
contains "$T/err" "has 1 more records than the blocks of 2" "originals outnumbering the blocks: warned"
contains "$T/o2/report.json" "right --block" "and in report.json"
expect 0 "originals of other data" -- eval -i "$T/rev.tsv" --block 2 --originals "$T/other.tsv" --judge "$T/m.cft" -o "$T/o3"
contains "$T/err" "barely overlap" "originals that barely overlap: warned"
contains "$T/o3/report.html" "class=\"warn\"" "the warning is on the page"

# ---- a judge wrong on the originals ---------------------------------------
expect 0 "eval with a good judge" -- eval -i "$T/pairs.jsonl" --judge "$T/m.cft" -o "$T/j1"
contains "$T/err" "(judge right on 1.000 of the originals)" "judge accuracy next to its flip rate"
if grep -q "warning" "$T/err"; then bad "a good judge: no warning" "$(cat "$T/err")"
else ok "a good judge: no warning"; fi
expect 0 "eval with a judge wrong on the originals" -- eval -i "$T/pairs.jsonl" --judge "$T/w.cft" -o "$T/j2"
contains "$T/err" "is right on 0.000 of the originals" "low judge accuracy: warned"
python3 - "$T/j2/report.json" >"$T/check" 2>&1 <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
assert any("right on 0.000 of the originals" in w for w in r["warnings"]), r.get("warnings")
print("warned in json")
PY
contains "$T/check" "warned in json" "report.json lists the warning"
contains "$T/j2/report.html" "class=\"s bad\">judge right on 0.000 of the originals" "report.html flags it under the flip rate"

# ---- example pairs, the edit as a word diff --------------------------------
python3 - "$T/j1/report.json" >"$T/check" 2>&1 <<'PY'
import json, sys
ex = json.load(open(sys.argv[1]))["examples"]
top = [x["prob_change"] for x in ex["largest_prob_change"]]
low = [x["prob_change"] for x in ex["smallest_prob_change"]]
assert top == sorted(top, reverse=True) and low == sorted(low), (top, low)
assert len(top) == 5 and max(top) >= max(low), (top, low)
# the judge gives 'pos' for "great film ok" (target neg): the one failed flip
assert [x["line"] for x in ex["failed_flips"]] == [2], ex["failed_flips"]
assert list(ex["by_generator"]) == ["antonyms"] and len(ex["by_generator"]["antonyms"]) == 2
print("examples ok")
PY
contains "$T/check" "examples ok" "report.json: example pairs (largest and smallest change, failed flips, by generator)"
contains "$T/j1/report.html" "<del>good </del>film" "report.html: removed words struck"
contains "$T/j1/report.html" "<ins>bad </ins>film" "report.html: added words marked"

# ---- the spurious-token chart: a numeric z axis and a table ---------------
expect 0 "spurious tokens" -- eval --spurious "$T/train.jsonl" "$T/wrong.jsonl" --min-count 2 -o "$T/sp"
contains "$T/sp/report.html" "text-anchor=\"middle\">0</text>" "the z axis has numbered ticks"
contains "$T/sp/report.html" "z of the token for the label" "and a title"
python3 - "$T/sp/report.html" "$T/sp/report.json" >"$T/check" 2>&1 <<'PY'
import json, re, sys
html, r = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
top = r["spurious"]["top_before"]["top"]
rows = re.findall(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td class=\"r\">([^<]*)</td>", html)
assert len(rows) == len(top) + len(r["spurious"]["top_after"]["top"]), (len(rows), len(top))
assert rows[0][0] == top[0]["token"] and float(rows[0][2]) == round(top[0]["z"], 2), (rows[0], top[0])
print("z table ok")
PY
contains "$T/check" "z table ok" "a table of the tokens' z before and after"

# ---- NLI-like data: a breakdown by the field the edit changed -------------
python3 - "$T" <<'PY'
import sys
d = sys.argv[1]
with open(f"{d}/nli_train.tsv", "w") as w:
    w.write("premise\thypothesis\tlabel\n")
    for _ in range(20):
        w.write("a film\tgood great\tpos\nthe plot\tbad awful\tneg\n"
                "good film\tit is fine\tpos\nawful plot\tit is poor\tneg\n")
with open(f"{d}/nli.tsv", "w") as w:   # blocks of 3: original, premise edit, hypothesis edit
    w.write("premise\thypothesis\tlabel\n"
            "good film\tit is fine\tpos\nbad film\tit is fine\tneg\ngood film\tit is poor\tneg\n"
            "awful plot\tit is poor\tneg\ngreat plot\tit is poor\tpos\nawful plot\tit is great\tpos\n")
PY
expect 0 "train a two-field judge" -- teacher train -i "$T/nli_train.tsv" --text-field premise --text-field hypothesis --label-field label -o "$T/nli.cft" --dev-split 0
expect 0 "eval NLI-like blocks" -- eval -i "$T/nli.tsv" --block 3 --text-field premise --text-field hypothesis --judge "$T/nli.cft" -o "$T/nli"
python3 - "$T/nli/report.json" >"$T/check" 2>&1 <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
by = r["judges"][0]["by"]["edited_field"]
assert sorted((x["key"], x["pairs"]) for x in by) == [("hypothesis", 2), ("premise", 2)], by
print("edited field ok")
PY
contains "$T/check" "edited field ok" "report.json: a row per edited field (premise, hypothesis)"
contains "$T/nli/report.html" "<h2>By edited field</h2>" "report.html: the By edited field table"
if grep -q edited_field "$T/j1/report.json"; then bad "one text field: no edited-field breakdown"
else ok "one text field: no edited-field breakdown"; fi
finish
