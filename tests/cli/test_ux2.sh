#!/usr/bin/env bash
# New-user items of session 4 (ux2): the commands a starter's header gives
# run as written; the "no counterfactual" warning only where one was meant;
# teacher eval tells an over-fitted model; the CAD example says where its
# data comes from.
set -u
. "$(dirname "$0")/../lib.sh"
ROOT=$PWD

# --- 1. cfaug init -o NAME: the header's commands name NAME --------------
mkdir -p "$T/w"
cp examples/data/reviews.jsonl "$T/w/data.jsonl"
(cd "$T/w" && "$CFAUG" init gender-cda -o my.yaml >/dev/null)
cmd=$(sed -n 's/^#   \(cfaug validate .*\)$/\1/p' "$T/w/my.yaml")
case $cmd in
  "cfaug validate my.yaml && cfaug run my.yaml") ok "init -o my.yaml: the header names my.yaml";;
  *) bad "init -o my.yaml: header command" "$cmd";;
esac
(cd "$T/w" && eval "${cmd//cfaug /\"\$CFAUG\" }") >"$T/out" 2>"$T/err" \
  && [ -s "$T/w/out/gender-cda/augmented.jsonl" ] \
  && ok "the header's commands, run as written, validate and run" \
  || bad "the header's commands failed" "$(tail -3 "$T/err")"
(cd "$T/w" && "$CFAUG" init llm -o "my llm.yaml" >/dev/null)
grep -qF "cfaug run 'my llm.yaml' --dry-run" "$T/w/my llm.yaml" \
  && ok "init llm: a name with a space is quoted in the dry-run command" \
  || bad "init llm header" "$(grep dry-run "$T/w/my llm.yaml")"
(cd "$T/w" && "$CFAUG" init llm -o - | grep -q "cfaug run pipeline.yaml --dry-run") \
  && ok "init -o -: the header keeps the default name" || bad "init -o - header"

finish
