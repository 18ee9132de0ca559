#!/usr/bin/env bash
# Records come out as they went in (issue 11): counterfactual rows of
# augmented.jsonl carry the input's other fields byte-exact (numbers keep
# their text); pair_ids are never cut (long and multi-byte ids); duplicate
# and empty ids are warned about once, or are data errors under
# input.unique_ids; texts cut for reasons stay valid UTF-8.
set -u
. "$(dirname "$0")/../lib.sh"

cat >"$T/p.yaml" <<'Y'
input: {path: in.jsonl, id_field: id, text_fields: [text], label_field: label, labels: [negative, positive]}
stages:
  - {type: rules, packs: [gender], label: keep}
output: {dir: out}
Y
run_in() { (cd "$T" && "$CFAUG" run p.yaml -q "$@") >"$T/out.txt" 2>"$T/err"; RC=$?; }
check() {  # check NAME PYTHON (run in $T)
  if (cd "$T" && python3 -c "$2" >"$T/check.out" 2>&1); then ok "$1"
  else bad "$1" "$(tail -5 "$T/check.out")"; fi
}

# --- 5. byte-exact fields -----------------------------------------------------
cat >"$T/in.jsonl" <<'J'
{"id": "a", "ts": 1700000000.123456, "text": "he said it was good", "label": "positive", "w": 1.0e-7, "esc": "caf\u00e9 \/ x", "nested": {"f": 0.10, "l": [1.50, 2]}}
{"ts":-0.0,"id":"b","text":"she left","label":"negative","n":null,"t":true}
J
run_in
[ "$RC" = 0 ] && ok "a run over numbers and escapes (exit 0)" || bad "exit $RC" "$(cat "$T/err")"
check "counterfactual rows carry every other field's bytes as in the input" '
import json, re
raw = [l.rstrip("\n") for l in open("in.jsonl")]
rows = [l.rstrip("\n") for l in open("out/augmented.jsonl")]
cfs = [r for r in rows if "\"source\":\"counterfactual\"" in r]
assert len(cfs) == 2, rows
def members(line):
    # raw "key": value texts at the top level (the lines are simple)
    d = json.loads(line, parse_float=str, parse_int=str)
    return d
for r, c in zip(raw, cfs):
    for piece in ["1700000000.123456", "1.0e-7", "\"caf\\u00e9 \\/ x\"",
                  "{\"f\": 0.10, \"l\": [1.50, 2]}", "-0.0", "null", "true"]:
        if piece in r:
            assert piece in c, (piece, c)
    assert json.loads(c)["text"] != json.loads(r)["text"]
assert cfs[0].startswith("{\"id\":\"a\",\"ts\":1700000000.123456,"), cfs[0]'

# an input with its own `source` field (not spliceable whole) and a numeric
# label: the original keeps its number text too; a kept label stays a number
printf '%s\n' '{"id": "s", "source": "web", "ts": 1.50, "text": "he ran", "label": 1}' >"$T/in.jsonl"
sed 's/labels: \[negative, positive\]/labels: ["0", "1"]/' "$T/p.yaml" >"$T/p1.yaml"
(cd "$T" && "$CFAUG" run p1.yaml -q) 2>"$T/err" || bad "numeric labels run" "$(cat "$T/err")"
check "a record with a source field keeps 1.50, and label 1 stays a number" '
rows = [l.rstrip("\n") for l in open("out/augmented.jsonl")]
assert rows == ["{\"id\":\"s\",\"ts\":1.50,\"text\":\"he ran\",\"label\":1,\"source\":\"original\",\"pair_id\":null,\"orig_id\":\"s\"}",
  "{\"id\":\"s\",\"ts\":1.50,\"text\":\"she ran\",\"label\":1,\"source\":\"counterfactual\",\"pair_id\":\"s#0.0\",\"orig_id\":\"s\"}"], rows'

# --- 6. pair_id whole --------------------------------------------------------
python3 - "$T/in.jsonl" <<'PY'
import json, sys
long1 = "x" * 300 + "1"; long2 = "x" * 300 + "2"
multi = "\u00e9" * 130          # 260 bytes: the old 256-byte buffer cut inside one
with open(sys.argv[1], "w") as f:
    for i, t in [(long1, "he is here"), (long2, "he is there"), (multi, "his cat")]:
        f.write(json.dumps({"id": i, "text": t, "label": "positive"}, ensure_ascii=False) + "\n")
PY
run_in
check "pair_ids are whole: long ids do not collide, multi-byte ids stay valid" '
import json
ids = ["x" * 300 + "1", "x" * 300 + "2", "\u00e9" * 130]
for f in ["out/pairs.jsonl", "out/augmented.jsonl"]:
    rows = [json.loads(l) for l in open(f, encoding="utf-8")]
pairs = [json.loads(l) for l in open("out/pairs.jsonl", encoding="utf-8")]
assert [p["pair_id"] for p in pairs] == [i + "#0.0" for i in ids], [p["pair_id"][-8:] for p in pairs]'

# --- 6. duplicate and empty ids ---------------------------------------------
printf '%s\n' '{"id": "a", "text": "he ran", "label": "positive"}' \
  '{"id": "a", "text": "he sat", "label": "positive"}' \
  '{"id": 1, "text": "he ate", "label": "positive"}' \
  '{"id": "1", "text": "he slept", "label": "positive"}' \
  '{"id": "", "text": "he sang", "label": "positive"}' \
  '{"id": "a", "text": "he sat", "label": "positive"}' >"$T/in.jsonl"
run_in
[ "$RC" = 0 ] && ok "duplicate ids: the run completes (exit 0)" || bad "exit $RC"
[ "$(grep -c warning "$T/err")" = 1 ] && ok "one warning" || bad "warnings: $(cat "$T/err")"
contains "$T/err" "3 records with an id seen before (the first at line 2), 1 with an empty id" \
  "the warning counts duplicates (1 and \"1\" are the same id) and empty ids"
run_in --set input.unique_ids=true
[ "$RC" = 0 ] && ok "input.unique_ids: the run completes (exit 0)" || bad "exit $RC"
check "input.unique_ids: duplicates and the empty id are data errors" '
import json
e = [json.loads(l) for l in open("out/errors.jsonl")]
assert [(x["line"], x["reason"]) for x in e] == [(2, "duplicate id (seen before in the input)"),
  (4, "duplicate id (seen before in the input)"), (5, "empty id"),
  (6, "duplicate id (seen before in the input)")], e
r = json.load(open("out/report.json"))
assert r["errors_by_kind"] == {"duplicate_id": 3, "empty_id": 1}, r["errors_by_kind"]'
grep -q warning "$T/err" && bad "a warning besides the errors" || ok "no warning then"

# --- 7. cuts on UTF-8 boundaries ---------------------------------------------
python3 - "$T/in.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"id": "a", "text": "he ran", "label": "positive"}) + "\n")
    f.write(json.dumps({"id": "b", "text": "he ran", "label": "y" * 99 + "\u00e9\u00e9"}, ensure_ascii=False) + "\n")
PY
run_in
check "an unknown label cut at 100 bytes keeps its reason, valid UTF-8" '
import json
e = [json.loads(l) for l in open("out/errors.jsonl", encoding="utf-8")]
assert len(e) == 1 and e[0]["reason"].startswith("unknown label '"'"'" + "y" * 99 + "'"'"'"), e'

# errors.jsonl's raw (first 512 bytes): a character at the cut is left out
# whole, never turned into U+FFFD
python3 -c "import json; print(json.dumps({'id': 'c', 'text': 5, 'pad': 'x' * 480 + '\u00e9' * 3}, ensure_ascii=False))" >"$T/in.jsonl"
run_in
check "raw is cut before a character that does not fit" '
import json
e = [json.loads(l) for l in open("out/errors.jsonl", encoding="utf-8")]
assert e[0]["raw"].endswith("x" * 20) and "\ufffd" not in e[0]["raw"] and len(e[0]["raw"].encode()) == 511, e[0]["raw"][-5:]'

finish
