#!/usr/bin/env bash
# cfaug eval: the three input layouts, the figures in report.json on a small
# case worked out by hand, the self-contained report.html, and the error
# paths.  The judge is a model trained here on a toy set where "good great
# fine" mean pos and "bad awful poor" neg, so its verdicts are known.
set -u
. "$(dirname "$0")/../lib.sh"

python3 - "$T" <<'PY'
import json, sys
d = sys.argv[1]
with open(f"{d}/train.jsonl", "w") as w:
    for _ in range(30):
        for t in ["good film", "great plot", "fine acting good", "great good fine"]:
            w.write(json.dumps({"text": t, "label": "pos"}) + "\n")
        for t in ["bad film", "awful plot", "poor acting bad", "awful bad poor"]:
            w.write(json.dumps({"text": t, "label": "neg"}) + "\n")
rules = {"stage": "antonyms", "kind": "rules", "rules": ["antonyms"]}
def pair(oid, n, o, ol, c, cl, gen):
    return json.dumps({"pair_id": f"{oid}#0.{n}", "orig_id": oid,
                       "original": {"text": o, "label": ol},
                       "counterfactual": {"text": c, "label": cl},
                       "generator": gen})
with open(f"{d}/pairs.jsonl", "w") as w:
    for line in [
        pair("a", 0, "good film", "pos", "bad film", "neg", rules),
        pair("a", 1, "good film", "pos", "good movie", "pos",
             {"stage": "para", "kind": "paraphrase"}),
        pair("b", 0, "great film", "pos", "great film ok", "neg",
             {"stage": "antonyms", "kind": "rules", "rules": ["neg"]}),
        pair("c", 0, "awful plot", "neg", "fine plot", "pos",
             {"stage": "llm", "kind": "llm", "prompt": "flip-v1", "model": "m"}),
        pair("d", 0, "bad film", "neg", "good film", "pos", rules),
        pair("d", 1, "bad film", "neg", "great film", "pos", rules),
    ]:
        w.write(line + "\n")
# the same pairs as a flat TSV sharing a key, plus a one-sided group
rows = [("a", "good film", "pos", "edit"), ("a", "bad film", "neg", "edit"),
        ("a", "good movie", "pos", "paraphrase"),
        ("b", "great film", "pos", "edit"), ("b", "great film ok", "neg", "edit"),
        ("c", "awful plot", "neg", "edit"), ("c", "fine plot", "pos", "edit"),
        ("d", "bad film", "neg", "edit"), ("d", "good film", "pos", "edit"),
        ("d", "great film", "pos", "edit"), ("e", "alone", "neg", "edit")]
with open(f"{d}/flat.tsv", "w") as w:
    w.write("key\ttext\tlabel\tkind\n")
    for r in rows:
        w.write("\t".join(r) + "\n")
# CAD-NLI-like: originals apart, blocks of 2 revisions
with open(f"{d}/orig.tsv", "w") as w:
    w.write("text\tlabel\ngood film\tpos\nawful plot\tneg\n")
with open(f"{d}/rev.tsv", "w") as w:
    w.write("text\tlabel\nbad film\tneg\npoor film\tneg\nfine plot\tpos\ngood plot\tpos\n")
PY

expect 0 "train the toy judge" -- teacher train -i "$T/train.jsonl" --label-field label -o "$T/m.cft"

# ---- pairs.jsonl -----------------------------------------------------------
expect 0 "eval pairs.jsonl" -- eval -i "$T/pairs.jsonl" --judge "$T/m.cft" -o "$T/r1"
contains "$T/err" "targeted flip 0.800" "summary line on stderr"
python3 - "$T/r1/report.json" >"$T/check" 2>&1 <<'PY'
import json, sys, math
r = json.load(open(sys.argv[1]))
c = r["counts"]
assert (c["groups"], c["pairs"], c["edit_pairs"], c["control_pairs"],
        c["label_changing_pairs"]) == (4, 6, 5, 1, 5), c
j = r["judges"][0]
P = lambda p: (p["k"], p["n"])
# edits: bad film (hit), great film ok (judge stays pos: miss),
# fine plot, good film, great film (hits); all originals right
assert P(j["targeted_flip"]) == (4, 5), j["targeted_flip"]
assert P(j["untargeted_flip"]) == (4, 5)
assert P(j["consistency"]) == (4, 5)
assert P(j["original_accuracy"]) == (4, 4)
# Wilson 4/5: p .8, z^2/n .76829 -> [.3755, .9638]
t = j["targeted_flip"]
assert abs(t["lo"] - 0.3755) < 1e-3 and abs(t["hi"] - 0.9638) < 1e-3, t
tr = {x["key"]: P(x["targeted"]) for x in j["by"]["transition"]}
assert tr == {"pos \u2192 neg": (1, 2), "neg \u2192 pos": (3, 3)}, tr
st = {x["key"]: P(x["targeted"]) for x in j["by"]["stage"]}
assert st == {"antonyms": (3, 4), "llm": (1, 1)}, st
ru = {x["key"]: P(x["targeted"]) for x in j["by"]["rule"]}
assert ru == {"antonyms": (3, 3), "neg": (0, 1)}, ru
assert [x["key"] for x in j["by"]["prompt"]] == ["flip-v1"]
assert [x["key"] for x in j["by"]["model"]] == ["m"]
# paraphrase control: edits 4/5 changed vs 0/1; pooled 4/6,
# se sqrt(2/9 * 6/5) = .5164, z 1.5492, p .1213
pc = j["paraphrase_control"]
assert P(pc["paraphrases"]) == (0, 1) and P(pc["edits"]) == (4, 5), pc
assert abs(pc["difference"] - 0.8) < 1e-9
assert abs(pc["z"] - 1.549193) < 1e-5 and abs(pc["p_value"] - 0.12134) < 1e-4, pc
# kappa vs labels over 10 texts, 9 agree: po .9, pe .7*.6 + .3*.4 = .54
k = j["kappa_vs_labels"]
assert k["items"] == 10 and abs(k["kappa"] - 0.36 / 0.46) < 1e-9, k
# minimality: every edit changes 1 of 2 tokens (control left out)
m = r["minimality"]
assert m["distance"]["n"] == 5 and m["distance"]["mean"] == 1.0, m
assert m["normalized"]["mean"] == 0.5 and m["normalized"]["median"] == 0.5
assert sum(m["normalized_histogram"]["counts"]) == 5
# diversity: only d has two edits: good film / great film -> 1/2;
# distinct-1 3/4, distinct-2 2/2
dv = r["diversity"]
assert dv["groups"] == 1 and dv["pairwise_distance"]["mean"] == 0.5, dv
assert dv["distinct_1"] == 0.75 and dv["distinct_2"] == 1.0, dv
# Δp(target): a mean over 5 edit pairs, within [-1, 1]
s = j["target_prob_change"]["summary"]
assert s["n"] == 5 and -1 <= s["mean"] <= 1
assert r["judge_agreement"] == []
assert "fluency" in r["not_computed"]
print("figures ok")
PY
contains "$T/check" "figures ok" "pairs.jsonl figures match the hand-worked values"

# the page is self-contained: no scripts, no external references
h="$T/r1/report.html"
if [ "$(grep -o '<svg' "$h" | wc -l)" -ge 4 ]; then ok "report.html has the SVG charts"
else bad "report.html: fewer than 4 SVG charts"; fi
if grep -qiE '<script|<link|<img|src=|href=|@import|url\(' "$h"; then
  bad "report.html references something external or has a script"
else ok "report.html is self-contained"; fi
if [ "$(grep -oE 'https?://[^"]*' "$h" | sort -u)" = "http://www.w3.org/2000/svg" ]; then
  ok "report.html names no URL but the SVG namespace"
else bad "report.html has URLs" "$(grep -oE 'https?://[^"]*' "$h" | sort -u)"; fi

# two judges: kappa between them (the same model twice: 1)
cp "$T/m.cft" "$T/m2.cft"
expect 0 "two judges" -- eval -q -i "$T/pairs.jsonl" --judge "$T/m.cft" --judge "$T/m2.cft" -o "$T/r2"
python3 -c "
import json,sys; a=json.load(open('$T/r2/report.json'))['judge_agreement']
assert len(a)==1 and a[0]['kappa']==1.0 and a[0]['items']==10, a; print('kappa ok')" >"$T/check" 2>&1
contains "$T/check" "kappa ok" "kappa between two judges"

# a judge YAML for a builtin model works (remote kinds: test_eval_judges.sh)
printf 'kind: builtin\nmodel: %s\nname: toy\n' "$T/m.cft" >"$T/j.yaml"
expect 0 "judge YAML (builtin)" -- eval -q -i "$T/pairs.jsonl" --judge "$T/j.yaml" -o "$T/r3"
contains "$T/r3/report.json" '"name": "toy"' "judge YAML name is used"
printf 'kind: llm\nurl: http://127.0.0.1:1/v1\n' >"$T/llm.yaml"
expect 3 "judge YAML kind llm" -- eval -i "$T/pairs.jsonl" --judge "$T/llm.yaml" -o "$T/r4"
contains "$T/err" "llm.yaml:2:1: unknown key 'url'" "llm judge YAML: the teacher's options, with location"

# ---- human review ----------------------------------------------------------
# Edit pairs of pairs.jsonl (input line = id): 1 a pos->neg antonyms,
# 3 b pos->neg antonyms, 4 c neg->pos llm, 5 d neg->pos antonyms,
# 6 d neg->pos antonyms (line 2 is a paraphrase control, never exported).
# Strata: "pos → neg | antonyms" 2, "neg → pos | llm" 1, "neg → pos |
# antonyms" 2; a sample of 3: 3*2/5 = 1.2, 0.6, 1.2 -> 1, (min) 1, 1.
expect 0 "review export" -- eval -q -i "$T/pairs.jsonl" --judge "$T/m.cft" --review-export "$T/rv.csv" --review-n 3 --seed 7 -o "$T/rv1"
python3 - "$T" >"$T/check" 2>&1 <<'PY'
import csv, json, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(f"{d}/rv.csv", newline="")))
assert len(rows) == 3, rows
assert sorted(r["transition"] + "|" + r["generator"] for r in rows) == \
    ["neg → pos|antonyms", "neg → pos|llm", "pos → neg|antonyms"], rows
assert all(r["human_label"] == "" and r["comment"] == "" for r in rows)
by = {r["id"]: r for r in rows}
assert "4" in by and by["4"]["original"] == "awful plot" and by["4"]["counterfactual"] == "fine plot" and by["4"]["target"] == "pos", by
assert "2" not in by
ex = json.load(open(f"{d}/rv1/report.json"))["human_review"]["export"]
assert ex["rows"] == 3 and ex["strata"] == 3, ex
print("review export ok")
PY
contains "$T/check" "review export ok" "stratified sample: one per stratum"
expect 0 "review export again" -- eval -q -i "$T/pairs.jsonl" --judge "$T/m.cft" --review-export "$T/rv2.csv" --review-n 3 --seed 7 -o "$T/rv2"
cmp -s "$T/rv.csv" "$T/rv2.csv" && ok "same seed, same sample" || bad "same seed, same sample"
expect 0 "review export, all" -- eval -q -i "$T/pairs.jsonl" --judge "$T/m.cft" --review-export "$T/rv3.csv" --review-n 50 -o "$T/rv3"
python3 -c "import csv; r=list(csv.DictReader(open('$T/rv3.csv'))); assert sorted(x['id'] for x in r)==['1','3','4','5','6'], r; print('all five')" >"$T/check" 2>&1
contains "$T/check" "all five" "a sample larger than the data: every edit pair"
# Import.  The judge says (test above): 1 neg, 3 pos, 4 pos, 5 pos, 6 pos.
# Humans: 1 neg, 3 neg, 4 pos, 5 neg, 6 pos; row 2 (a control) and an
# unlabelled row are not counted.  Human flip (human = target): 1, 3, 4, 6
# -> 4/5.  Judge vs human: agree on 1, 4, 6 -> accuracy 3/5; kappa: po 0.6,
# judge neg 1/5 pos 4/5, human neg 3/5 pos 2/5, pe = 0.12 + 0.32 = 0.44,
# kappa = 0.16 / 0.56 = 2/7.
printf 'id,original,counterfactual,target,transition,generator,human_label,comment\n1,x,x,neg,,,neg,\n3,x,x,neg,,,neg,"looks, fine"\n4,x,x,pos,,,pos,\n5,x,x,pos,,,neg,\n6,x,x,pos,,,pos,\n2,x,x,pos,,,pos,\n7,x,x,pos,,,,\n' >"$T/ann.csv"
expect 0 "review import" -- eval -q -i "$T/pairs.jsonl" --judge "$T/m.cft" --review-import "$T/ann.csv" -o "$T/rv4"
python3 - "$T" >"$T/check" 2>&1 <<'PY'
import json, sys
im = json.load(open(sys.argv[1] + "/rv4/report.json"))["human_review"]["import"]
assert im["annotated"] == 6 and im["matched"] == 5 and im["unmatched"] == 1, im
assert im["human_flip"]["k"] == 4 and im["human_flip"]["n"] == 5, im
j = im["judges"][0]
assert j["accuracy"]["k"] == 3 and j["accuracy"]["n"] == 5, j
assert abs(j["kappa"] - 2 / 7) < 1e-12, j
print("review import ok")
PY
contains "$T/check" "review import ok" "judge-vs-human kappa, accuracy, human flip rate"
printf 'a,b\n1,2\n' >"$T/bad.csv"
expect 4 "import without the columns" -- eval -q -i "$T/pairs.jsonl" --judge "$T/m.cft" --review-import "$T/bad.csv" -o "$T/rv5"
contains "$T/err" "expected the columns id (a number) and human_label" "import: says which columns"

# ---- --pair-key ------------------------------------------------------------
expect 0 "eval --pair-key" -- eval -q -i "$T/flat.tsv" --pair-key key --control kind=paraphrase --judge "$T/m.cft" -o "$T/r5"
python3 - "$T/r5/report.json" >"$T/check" 2>&1 <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
c = r["counts"]
assert (c["groups"], c["groups_without_counterfactual"], c["pairs"],
        c["control_pairs"]) == (5, 1, 6, 1), c
j = r["judges"][0]
assert (j["targeted_flip"]["k"], j["targeted_flip"]["n"]) == (4, 5)
assert (j["paraphrase_control"]["paraphrases"]["n"]) == 1
assert r["input"]["layout"] == "pair-key"
assert [x["key"] for x in j["by"]["kind"]] == ["given"]
print("pair-key ok")
PY
contains "$T/check" "pair-key ok" "pair-key: same figures, one-sided group counted"

# a group whose original is bad is skipped whole: its edit is not promoted
printf 'key\ttext\tlabel\nz\tgood film\t\nz\tbad film\tneg\ny\tgood film\tpos\ny\tbad film\tneg\n' >"$T/badorig.tsv"
expect 0 "eval with a bad original" -- eval -q -i "$T/badorig.tsv" --pair-key key --judge "$T/m.cft" -o "$T/r9"
contains "$T/err" "label field 'label' is missing or empty" "bad original told"
python3 -c "
import json; c=json.load(open('$T/r9/report.json'))['counts']
assert (c['groups'], c['pairs'], c['bad_records'])==(1,1,1), c; print('badorig ok')" >"$T/check" 2>&1
contains "$T/check" "badorig ok" "bad original: its group skipped, not re-rooted"

# ---- --block with --originals (the CAD NLI layout) -------------------------
expect 0 "eval --block --originals" -- eval -q -i "$T/rev.tsv" --originals "$T/orig.tsv" --block 2 --judge "$T/m.cft" -o "$T/r6"
python3 - "$T/r6/report.json" >"$T/check" 2>&1 <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
c = r["counts"]
assert (c["groups"], c["pairs"]) == (2, 4), c
j = r["judges"][0]
assert (j["targeted_flip"]["k"], j["targeted_flip"]["n"]) == (4, 4), j["targeted_flip"]
# good film -> bad film / poor film: 1 of 2 each; diversity bad/poor film 1/2
assert r["diversity"]["groups"] == 2
assert r["diversity"]["pairwise_distance"]["mean"] == 0.5
print("block ok")
PY
contains "$T/check" "block ok" "block + originals"
# --block N alone: the first of N is the original
# (here both pairs keep their label: no targeted figure, null not 0)
expect 0 "eval --block 2" -- eval -q -i "$T/rev.tsv" --block 2 --judge "$T/m.cft" -o "$T/r7"
python3 -c "
import json; r=json.load(open('$T/r7/report.json')); c=r['counts']
assert (c['groups'], c['pairs'], c['label_changing_pairs'])==(2,2,0), c
j=r['judges'][0]; t=j['targeted_flip']
assert t['n']==0 and t['rate'] is None and t['lo'] is None, t
assert j['untargeted_flip']['n']==2; print('block2 ok')" >"$T/check" 2>&1
contains "$T/check" "block2 ok" "block without originals; label-keeping pairs"

# ---- spurious tokens -------------------------------------------------------
expect 0 "eval --spurious alone" -- eval -q --spurious "$T/train.jsonl" "$T/train.jsonl" --min-count 5 -o "$T/r8"
python3 -c "
import json; s=json.load(open('$T/r8/report.json'))['spurious']
t=s['top_before']['top']; assert t and t[0]['z']==t[0]['z_other'], t
assert s['docs_before']==240; print('spurious ok')" >"$T/check" 2>&1
contains "$T/check" "spurious ok" "spurious: before/after tables"
if [ "$(grep -o '<svg' "$T/r8/report.html" | wc -l)" -eq 2 ]; then ok "spurious page has its two charts"
else bad "spurious page: expected 2 SVG charts"; fi

# ---- errors ----------------------------------------------------------------
expect 2 "no judge" -- eval -i "$T/pairs.jsonl" -o "$T/x"
expect 2 "no -o" -- eval -i "$T/pairs.jsonl" --judge "$T/m.cft"
expect 2 "pair-key and block" -- eval -i "$T/flat.tsv" --pair-key key --block 2 --judge "$T/m.cft" -o "$T/x"
expect 2 "unknown option" -- eval --frobnicate -o "$T/x"
expect 1 "missing model" -- eval -i "$T/pairs.jsonl" --judge "$T/nope.cft" -o "$T/x"
expect 4 "flat file read as pairs" -- eval -i "$T/flat.tsv" --judge "$T/m.cft" -o "$T/x"
contains "$T/err" "use --pair-key or --block" "flat file: says what to do"
expect 0 "help" -- eval --help
contains "$T/out" "--pair-key" "help lists the options"

finish
