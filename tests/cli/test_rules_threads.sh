#!/usr/bin/env bash
# The rules stage on worker threads (issue 15, `threads`): the same
# pipeline at threads 1 (all in the run's thread), 2 and 3 (one and two
# workers, batches of 32 records finishing in any order) writes the same
# bytes: pairs, augmented, rejected, errors, the dataset card and
# report.json (timings left out: every counter, her/his decision,
# protected skip, round-trip figure, one-way example and rejection reason
# must match).  Inputs: examples/data/reviews.jsonl four times with fresh
# ids (960 records, 30 batches) with bad lines among them (errors.jsonl,
# duplicate ids), and examples/data/nli.tsv ten times (two text fields).
set -u
. "$(dirname "$0")/../lib.sh"

python3 - "$T" <<'PY'
import json, sys
t = sys.argv[1]
rows = [json.loads(l) for l in open("examples/data/reviews.jsonl", encoding="utf-8")]
with open(t + "/in.jsonl", "w", encoding="utf-8") as o:
    n = 0
    for rep in range(4):
        for r in rows:
            r = dict(r, id="%s-%d" % (r["id"], rep))
            o.write(json.dumps(r, ensure_ascii=False) + "\n")
            n += 1
            if n % 97 == 0:
                o.write('{"id": "broken", "text": \n')          # bad JSON
            if n % 211 == 0:
                o.write(json.dumps({"id": r["id"], "text": "A duplicate: he and his wife.",
                                    "label": "positive"}) + "\n")
            if n % 151 == 0:
                o.write(json.dumps({"id": "nt%d" % n, "label": "negative"}) + "\n")  # no text
lines = open("examples/data/nli.tsv", encoding="utf-8").read().splitlines()
with open(t + "/nli.tsv", "w", encoding="utf-8") as o:
    o.write(lines[0] + "\n")
    for rep in range(10):
        for l in lines[1:]:
            o.write(l + "\n")
PY

IN="input: {path: $T/in.jsonl, id_field: id, text_fields: [text], label_field: label, labels: [negative, positive], on_error: skip}"
NLI="input: {path: $T/nli.tsv, format: tsv, text_fields: [premise, hypothesis], label_field: label, labels: [entailment, neutral, contradiction], on_error: skip}"

# the output of DIR, report.json without timings, to compare
norm() {
  python3 - "$1" <<'PY'
import json, os, re, sys
d = sys.argv[1]
drop = re.compile(r"seconds|per_second")
def strip(v):
    if isinstance(v, dict):
        return {k: strip(x) for k, x in v.items() if not drop.search(k)}
    if isinstance(v, list):
        return [strip(x) for x in v]
    return v
for f in sorted(os.listdir(d)):
    p = os.path.join(d, f)
    if f == "report.json":
        print("== report.json"); print(json.dumps(strip(json.load(open(p))), indent=1))
    elif os.path.isfile(p):
        print("== " + f); sys.stdout.write(open(p, encoding="utf-8").read())
PY
}

# check NAME "INPUT" "STAGES" [run args...]: threads 2 and 3 against 1,
# set with --set on every rules stage (the pipeline file stays the same
# bytes: its sha256 is in the card and the report)
check() {
  local name=$1 input=$2 stages=$3 n i line sets; shift 3
  printf '%s\nseed: 13\nstages:\n%s\noutput: {dir: %s}\n' "$input" \
    "$stages" "$T/res" >"$T/p.yaml"
  for n in 1 2 3; do
    sets=(); i=-1
    while IFS= read -r line; do
      case $line in "  - "*) i=$((i+1));; esac
      case $line in *"type: rules"*) sets+=(--set "stages.$i.threads=$n");; esac
    done <<<"$stages"
    rm -rf "$T/res"
    run_cf run "$T/p.yaml" -q "${sets[@]}" "$@"
    if [ "$RC" -ne 0 ]; then
      bad "$name at threads $n: exit $RC" "$(head -c 300 "$T/err")"; return
    fi
    norm "$T/res" >"$T/norm-$n"
  done
  if ! grep -q '"generator"' "$T/norm-1"; then   # a candidate was made
    bad "$name: no candidate to compare"; return
  fi
  for n in 2 3; do
    if cmp -s "$T/norm-1" "$T/norm-$n"; then ok "$name: threads $n = threads 1"
    else bad "$name: threads $n differs from threads 1" \
      "$(diff "$T/norm-1" "$T/norm-$n" | head -c 600)"; fi
  done
}

check "gender, defaults" "$IN" \
  "  - {type: rules, name: g, packs: [gender]}"
check "gender + names one-way, provenance rules" "$IN" \
  "  - {type: rules, name: g, packs: [gender, names], direction: a_to_b, provenance: rules}"
check "CDS substitute p 0.5, provenance none" "$IN" \
  "  - {type: rules, name: g, packs: [gender, names], mode: substitute, p: 0.5, provenance: none}"
check "sentiment flip, label_direction, full_flip" "$IN" \
  "  - {type: rules, name: s, packs: [negation, antonyms], negation_scope: 3, label: {positive: negative, negative: positive}, label_direction: {positive: a_to_b, negative: b_to_a}, full_flip: true}"
check "quickstart: gender + names, edit_filter" "$IN" \
  "  - {type: rules, name: g, packs: [gender, names]}
  - {type: edit_filter, max_ratio: 0.3, ratio_min_tokens: 10}"
check "two rules stages, a user pattern" "$IN" \
  "  - {type: rules, name: g, packs: [gender], patterns: [{match: '\\\\b(movie|film)\\\\b', replace: 'picture'}]}
  - {type: rules, name: n, packs: [names], label: keep}"
check "gender, window 5 (part-filled batches)" "$IN" \
  "  - {type: rules, name: g, packs: [gender]}" --window 5
check "NLI, two text fields, negation" "$NLI" \
  "  - {type: rules, name: neg, packs: [negation], label: {entailment: contradiction, neutral: neutral}}"
check "NLI, both fields, gender" "$NLI" \
  "  - {type: rules, name: g, packs: [gender, names]}"

# the option itself
printf '%s\nstages:\n  - {type: rules, packs: [gender], threads: 0}\noutput: {dir: %s}\n' \
  "$IN" "$T/o" >"$T/bad.yaml"
expect 3 "threads: 0 is refused" -- run "$T/bad.yaml" -q
contains "$T/err" "bad.yaml:3:45: 'threads' must be auto or a number from 1 to 64" \
  "threads: 0: file:line:col and what is allowed"
sed -i 's/threads: 0/threads: many/' "$T/bad.yaml"
expect 3 "threads: many is refused" -- run "$T/bad.yaml" -q
sed -i 's/threads: many/threads: auto/' "$T/bad.yaml"
expect 0 "threads: auto runs" -- run "$T/bad.yaml" -q

# the progress line (a terminal) counts no worker-held record as a request
if command -v script >/dev/null; then
  sed -i 's/threads: auto/threads: 3/' "$T/bad.yaml"
  script -qec "$CFAUG run $T/bad.yaml --overwrite" /dev/null >"$T/tty" 2>&1
  if tr '\r' '\n' <"$T/tty" | grep -q "read (.*done"; then
    tr '\r' '\n' <"$T/tty" | grep -q "requests:" &&
      bad "progress line shows requests for the rules stage" "$(tr '\r' '\n' <"$T/tty" | grep -a read | head -2)" ||
      ok "progress line: no requests for the rules stage's threads"
  else
    bad "no progress line on a terminal" "$(head -c 300 "$T/tty")"
  fi
fi
finish
