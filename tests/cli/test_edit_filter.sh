#!/usr/bin/env bash
# edit_filter's limits (issue 14): max_ratio alone rejects "He won." ->
# "She won." (1 edit in 3 tokens); ratio_min_tokens lifts the ratio for
# short originals, max_edits caps edits at any length, a max_edits below
# min_edits is a located config error, and the quickstart's choice keeps
# the short flip while still rejecting a long text that changed too much.
set -u
. "$(dirname "$0")/../lib.sh"

cat >"$T/in.jsonl" <<'J'
{"id":"short","text":"He won.","label":"pos"}
{"id":"long","text":"He said he saw him and his brother and his father with him at his house.","label":"pos"}
J
# pipe OPTS: rules gender CDA then edit_filter with OPTS
pipe() {
  cat >"$T/p.yaml" <<Y
input: {path: $T/in.jsonl, id_field: id, text_fields: [text], label_field: label}
stages:
  - {type: rules, packs: [gender], label: keep}
  - {type: edit_filter, $1}
output: {dir: $T/o}
Y
}
# reason ID: the rejection reason of record ID's candidate, or "accepted"
reason() {
  python3 - "$T/o" "$1" <<'P'
import json, sys
d, rid = sys.argv[1], sys.argv[2]
for line in open(d + "/rejected.jsonl"):
    r = json.loads(line)
    if r["orig_id"] == rid:
        print(r["reason"], r["detail"]["token_edits"]); sys.exit()
for line in open(d + "/pairs.jsonl"):
    r = json.loads(line)
    if r["orig_id"] == rid:
        print("accepted", r["generator"]["token_edits"]); sys.exit()
print("none")
P
}
check() {   # NAME ID WANT
  local got; got=$(reason "$2")
  if [ "$got" = "$3" ]; then ok "$1: $2 $3"; else bad "$1: $2 got '$got', wanted '$3'"; fi
}

pipe "max_ratio: 0.3"
expect 0 "ratio alone" -- run "$T/p.yaml" -q
check "ratio alone" short "too_many_edits 1"
check "ratio alone" long "too_many_edits 9"

pipe "max_ratio: 0.3, ratio_min_tokens: 10"
expect 0 "ratio from 10 tokens" -- run "$T/p.yaml" -q
check "ratio from 10 tokens" short "accepted 1"
check "ratio from 10 tokens" long "too_many_edits 9"

pipe "max_ratio: 1.0, max_edits: 5"
expect 0 "max_edits" -- run "$T/p.yaml" -q
check "max_edits" short "accepted 1"
check "max_edits" long "too_many_edits 9"

pipe "min_edits: 2, max_edits: 1"
expect 3 "max_edits below min_edits" -- run "$T/p.yaml" -q
contains "$T/err" "p.yaml:4:" "max_edits error is located"
contains "$T/err" "max_edits (1) is below min_edits (2)" "max_edits error says why"

# the quickstart's own edit_filter settings, on this input
q=$(sed -n '/type: edit_filter/,/^output:/p' examples/quickstart.yaml | grep -v -e type: -e '^output:' \
    | sed 's/#.*//; s/^ *//; s/ *$//' | grep . | paste -sd, | sed 's/,/, /g')
pipe "$q"
expect 0 "quickstart settings ($q)" -- run "$T/p.yaml" -q
check "quickstart settings" short "accepted 1"
check "quickstart settings" long "too_many_edits 9"
finish
