#!/usr/bin/env bash
# Feedback (issue 14): the progress line on a timer with network figures
# (tty only), the summary (seed, per-stage counts, top rejection reasons),
# one line per bad record and floods summarised, path messages that say
# what they are relative to, output-directory errors naming the directory,
# --overwrite, --limit, --seed.  Run from the project root.
set -u
. "$(dirname "$0")/../lib.sh"
Q=examples/quickstart.yaml
R=examples/data/reviews.jsonl

# --- summary ---------------------------------------------------------------------
expect 0 "run" -- run examples/sentiment-flip.yaml -o "$T/sf"
grep -qE "^cfaug: seed 13; stages [a-z-]+: 240 in, [0-9]+ made" "$T/out" && ok "summary: seed and per-stage counts" || bad "summary line" "$(cat "$T/out")"
rej=$(python3 -c "import json; r=json.load(open('$T/sf/report.json'))['rejected_by_reason']; print(max(r, key=r.get) + ' ' + str(max(r.values())) if r else '')")
if [ -n "$rej" ]; then contains "$T/out" "top rejection reasons: $rej" "summary: top rejection reason"; fi
contains "$T/out" "$T/sf/README.md" "summary names the card"
cat >"$T/rej.yaml" <<Y
input: {path: $R, id_field: id, text_fields: [text], label_field: label}
stages: [{type: rules, packs: [gender, names]}, {type: edit_filter, max_ratio: 0.01}]
output: {dir: $T/rej}
Y
expect 0 "run with rejections" -- run "$T/rej.yaml"
contains "$T/out" "top rejection reasons: " "summary lists rejection reasons"

# --- one line per bad record, floods counted --------------------------------------------
{ for i in $(seq 1 12); do echo "not json $i"; done; head -3 $R; echo '{"id": "x"}'; } >"$T/bad.jsonl"
"$CFAUG" run $Q -i "$T/bad.jsonl" -o - -q >"$T/out" 2>"$T/err"
n=$(grep -c "cfaug: $T/bad.jsonl:[0-9]*: record [0-9]*: " "$T/err")
[ "$n" -eq 6 ] && ok "5 lines of the flooding kind + 1 of the other kind" || bad "error lines: $n" "$(cat "$T/err")"
grep -q "^cfaug:   " "$T/err" && bad "an error is split over two lines" || ok "each error is one line"
contains "$T/err" "... and 7 more records with" "the flood is counted"

# --- path messages ------------------------------------------------------------------------
mkdir -p "$T/elsewhere"
C=$(realpath "$CFAUG")
(cd "$T/elsewhere" && "$C" run "$OLDPWD/$Q" -o "$T/x" -q) >/dev/null 2>"$T/err"; RC=$?
contains "$T/err" "input file 'examples/data/reviews.jsonl' (relative to $T/elsewhere): No such file" "relative input path says relative to what"
grep -q "^cfaug: [^ ]*\.yaml:[0-9]*:[0-9]*: input file" "$T/err" && ok "run: a missing input names file:line:col" || bad "no location" "$(cat "$T/err")"
[ "$RC" -eq 1 ] && ok "run: a missing input is an input failure (exit 1)" || bad "run exit $RC for a missing input"
[ -e "$T/x" ] && bad "run created its output directory for a missing input" || ok "run: nothing created for a missing input"
mkdir -p "$T/locked/.cfaug.lock"
run_cf run $Q -o "$T/locked" -q
contains "$T/err" "output directory $T/locked: " "output-dir error names the directory"

# --- --overwrite ---------------------------------------------------------------------------
expect 0 "first run" -- run $Q -o "$T/done" -q
expect 0 "same pipeline re-runs into its directory" -- run $Q -o "$T/done" -q
expect 1 "another pipeline into a completed directory" -- run examples/sentiment-flip.yaml -o "$T/done" -q
contains "$T/err" "output directory $T/done holds the completed output of another pipeline (examples/quickstart.yaml" "refusal names the dir and the pipeline"
contains "$T/err" "--overwrite" "refusal says how to go on"
cmp -s "$T/done/pairs.jsonl" <("$CFAUG" run $Q -o - -q) && ok "refused run left the output alone" || bad "output changed"
expect 0 "--overwrite" -- run examples/sentiment-flip.yaml -o "$T/done" -q --overwrite
contains "$T/done/report.json" "sentiment-flip.yaml" "--overwrite replaced it"
# a pipeline file's own output.dir is trusted (pipelines may share a directory)
sed "s|^  dir: .*|  dir: $T/done|" $Q >"$T/own.yaml"
expect 0 "output.dir from the pipeline file is not refused" -- run "$T/own.yaml" -q

# --- --limit, --seed -------------------------------------------------------------------------
expect 0 "--limit 7" -- run $Q -o "$T/lim" -q --limit 7
contains "$T/lim/report.json" '"records_read": 7' "--limit 7 reads 7 records"
contains "$T/lim/report.json" '"cut": true' "report says the input was cut"
head -7 $R >"$T/seven.jsonl"
"$CFAUG" run $Q -i "$T/seven.jsonl" -o "$T/seven" -q
cmp -s "$T/lim/pairs.jsonl" "$T/seven/pairs.jsonl" && ok "--limit 7 = the first 7 records" || bad "--limit output"
expect 0 "--limit on TSV" -- run examples/nli-negation.yaml -o "$T/limt" -q --limit 3
contains "$T/limt/report.json" '"records_read": 3' "--limit works on TSV"
expect 2 "--limit 0" -- run $Q --limit 0
expect 0 "--seed 99" -- run $Q -o "$T/seed" -q --seed 99
contains "$T/seed/report.json" '"seed": 99' "--seed sets the seed"
expect 2 "--seed abc" -- run $Q --seed abc

# --- one-way swaps: "Mom and mom" is counted and warned about --------------------------------
printf '{"id":"1","text":"Mom and dad went home.","label":"x"}\n{"id":"2","text":"Dad went home.","label":"x"}\n' >"$T/mom.jsonl"
for d in a_to_b both; do
  cat >"$T/mom-$d.yaml" <<Y
input: {path: $T/mom.jsonl, id_field: id, text_fields: [text], label_field: label}
stages: [{type: rules, packs: [gender], direction: $d}]
output: {dir: $T/mom-$d}
Y
done
expect 0 "one-way swap" -- run "$T/mom-a_to_b.yaml"
contains "$T/mom-a_to_b/pairs.jsonl" '"Mom and mom went home."' "a_to_b makes 'Mom and mom' (documented)"
python3 -c "import json,sys; s=json.load(open('$T/mom-a_to_b/report.json'))['stages'][0]['one_way_collisions']; sys.exit(not (s['records']==1 and s['examples'][0]['id']=='1' and s['examples'][0]['word']=='mom'))" \
  && ok "report counts the record holding both members of a pair" || bad "one_way_collisions"
contains "$T/err" "warning: stage rules: 1 records hold both members of a pair" "the run warns on stderr"
expect 0 "both-ways swap" -- run "$T/mom-both.yaml"
grep -q "one_way_collisions" "$T/mom-both/report.json" && bad "both-ways swap reports collisions" || ok "no collision report for direction: both"
grep -q "warning" "$T/err" && bad "both-ways swap warns" || ok "no warning for direction: both"

# --- progress line: a pty, a slow mock LLM ---------------------------------------------------------
if command -v script >/dev/null && python3 -c "import asyncio" 2>/dev/null; then
  . "$(dirname "$0")/../mock_lib.sh"
  start_mock --latency-ms 300
  for i in $(seq 1 8); do echo "{\"id\": \"r$i\", \"text\": \"good film $i\", \"label\": \"positive\"}"; done >"$T/llm.jsonl"
  cat >"$T/llm.yaml" <<Y
input: {path: $T/llm.jsonl, id_field: id, text_fields: [text], label_field: label}
stages:
  - {type: llm, base_url: "http://127.0.0.1:$MOCK_PORT/v1", model: m, prompt: prompts/sentiment-flip.txt,
     target: {positive: negative}, parse: {mode: text, between: ["<new>", "</new>"]}, concurrency: 2,
     cache: $T/cache}
output: {dir: $T/llm}
Y
  script -qec "$CFAUG run $T/llm.yaml" /dev/null >"$T/tty" 2>&1
  stop_mock
  n=$(tr '\r' '\n' <"$T/tty" | grep -c "requests: .* in flight")
  [ "$n" -ge 4 ] && ok "progress redrawn on a timer while waiting on the network ($n lines in ~1.2 s)" \
    || bad "progress lines: $n" "$(tr '\r' '\n' <"$T/tty" | head -5)"
  tr '\r' '\n' <"$T/tty" | grep -q "candidates: [0-9]* accepted, [0-9]* rejected" && ok "progress shows candidates" || bad "progress candidates"
  tr '\r' '\n' <"$T/tty" | grep -q "% ETA " && ok "progress shows an ETA" || bad "no ETA"
  "$CFAUG" run "$T/llm.yaml" --overwrite 2>"$T/err" >/dev/null
  grep -q "in flight" "$T/err" && bad "progress drawn without a tty" || ok "no progress line when stderr is not a tty"
fi
finish
