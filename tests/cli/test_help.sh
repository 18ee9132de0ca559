#!/usr/bin/env bash
# Help and starters (issue 14): every command has help with every option the
# parser accepts, each with a description; cfaug init writes starters that
# validate; cfaug schema is a JSON Schema made from the option tables that
# accepts every example; bash completion knows commands, options and stage
# types.  Run from the project root.
set -u
. "$(dirname "$0")/../lib.sh"

# --- help for every command ----------------------------------------------------
for c in run validate teacher eval merge init schema completion help version; do
  expect 0 "help $c" -- help $c
  [ -s "$T/out" ] && ok "help $c prints something" || bad "help $c is empty"
done
expect 0 "help teacher" -- help teacher
cp "$T/out" "$T/teacher.help"
# every option the teacher's parser accepts is documented with a description
for o in $(grep -oE 'O\("--[a-zA-Z-]+"' cli/cmd_teacher.c | sed 's/O("//; s/"//' | sort -u); do
  grep -qE -- "^  (-[a-z], )?$o( [A-Z|0-9=,.]+)? +[a-z0-9(]" "$T/teacher.help" \
    && ok "help teacher documents $o" || bad "help teacher: $o undocumented"
done
for o in --dev-split --buckets --C --no-refit --human; do
  grep -qE -- "^  $o( [A-Z]+)? +[a-z0-9]" "$T/teacher.help" && ok "$o has a description" || bad "$o has no description"
done
expect 0 "teacher train --help" -- teacher train --help
contains "$T/out" "--no-refit" "teacher train --help lists train's options"
grep -q -- "--human" "$T/out" && bad "train --help lists eval's --human" || ok "train --help is train's"
expect 0 "help teacher eval" -- help teacher eval
contains "$T/out" "--human" "help teacher eval lists --human"
expect 0 "help eval" -- help eval
# (eval documents --input/--output as -i/-o; --help is not listed)
for o in $(grep -oE '"--[a-z-]+"' cli/cmd_eval.c | tr -d '"' | grep -vxE -- '--(help|input|output)' | sort -u); do
  grep -q -- "$o" "$T/out" && ok "help eval documents $o" || bad "help eval: $o undocumented"
done
# run: help is generated from the parser's table, so each option has a line
expect 0 "help run" -- help run
for o in input output set shard window limit seed overwrite dry-run no-cache quiet; do
  grep -qE -- "^  (-[a-z], )?--$o( [A-Z/=]+|\[=[A-Z]+\])? +[a-z(]" "$T/out" && ok "help run: --$o described" \
    || bad "help run: --$o"
done
grep -q ' $' "$T/out" && bad "help has trailing spaces" || ok "help lines have no trailing spaces"

# --- init -----------------------------------------------------------------------
for k in gender-cda sentiment-flip nli llm; do
  expect 0 "init $k" -- init $k -o "$T/$k.yaml"
  case $k in nli) data=examples/data/nli.tsv;; *) data=examples/data/reviews.jsonl;; esac
  expect 0 "the $k starter validates" -- validate "$T/$k.yaml" --set input.path=$data
  contains "$T/$k.yaml" "# yaml-language-server: \$schema=" "$k starter has the schema line"
done
expect 0 "init with no kind (gender-cda)" -- init -o "$T/default.yaml"
# the same starter, its header naming the file written
cmp -s <(sed "s|$T/default.yaml|F|g" "$T/default.yaml") <(sed "s|$T/gender-cda.yaml|F|g" "$T/gender-cda.yaml") \
  && ok "default starter is gender-cda" || bad "default starter"
expect 1 "init refuses to overwrite" -- init nli -o "$T/default.yaml"
contains "$T/err" "--force" "init says how to replace"
expect 0 "init --force" -- init nli -o "$T/default.yaml" --force
expect 2 "init unknown kind" -- init poetry
expect 0 "init to stdout" -- init llm -o -
contains "$T/out" "type: llm" "init - prints the starter"

# --- schema -----------------------------------------------------------------------
expect 0 "schema" -- schema
cp "$T/out" "$T/schema.json"
python3 - "$T/schema.json" <<'P' && ok "schema is JSON naming every section and stage type" || bad "schema content"
import json, sys
s = json.load(open(sys.argv[1]))
p = s["properties"]
assert set(p["input"]["properties"]) >= {"path", "format", "columns", "quotes", "text_fields"}
assert "files" in p["output"]["properties"] and "card" in p["output"]["properties"]
kinds = p["stages"]["items"]["properties"]["type"]["enum"]
assert {"rules", "teacher", "llm", "edit_filter", "zfilter"} <= set(kinds), kinds
assert p["input"]["properties"]["format"]["enum"] == ["auto", "jsonl", "csv", "tsv"]
P
if python3 -c "import jsonschema, yaml" 2>/dev/null; then
  python3 - "$T/schema.json" examples/*.yaml "$T"/gender-cda.yaml "$T"/llm.yaml <<'P' && ok "every example and starter is valid under the schema" || bad "schema rejects an example"
import json, sys, yaml, jsonschema
s = json.load(open(sys.argv[1]))
for f in sys.argv[2:]:
    jsonschema.validate(yaml.safe_load(open(f)), s)
bad = yaml.safe_load("input: {path: x, text_fields: [t], pth: 1}\noutput: {dir: o}")
try:
    jsonschema.validate(bad, s); sys.exit(1)
except jsonschema.ValidationError:
    pass
bad = yaml.safe_load("input: {path: x, text_fields: [t]}\nstages: [{type: rules, pakcs: [gender]}]\noutput: {dir: o}")
try:
    jsonschema.validate(bad, s); sys.exit(1)
except jsonschema.ValidationError:
    pass
P
else
  echo "skip - python3-jsonschema not installed"
fi
cmp -s "$T/schema.json" docs/cfaug.schema.json && ok "docs/cfaug.schema.json is what cfaug schema prints" \
  || bad "docs/cfaug.schema.json is stale: build/cfaug schema > docs/cfaug.schema.json"
grep -l "yaml-language-server: \$schema=../docs/cfaug.schema.json" examples/*.yaml | wc -l | grep -qx "$(ls examples/*.yaml | wc -l)" \
  && ok "every example has the yaml-language-server line" || bad "an example lacks the schema line"

# --- bash completion ------------------------------------------------------------------
expect 0 "completion bash" -- completion bash
cp "$T/out" "$T/comp.bash"
bash -n "$T/comp.bash" && ok "completion script is valid bash" || bad "completion syntax"
comp() {   # comp WORDS...: what completion offers for the last word
  bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($#-1)); _cfaug; printf "%s\n" "${COMPREPLY[@]}"' _ "$T/comp.bash" "$@"
}
comp cfaug va | grep -qx validate && ok "completes commands" || bad "command completion"
comp cfaug run p.yaml --li | grep -qx -- --limit && ok "completes run's options" || bad "run option completion"
comp cfaug teacher tr | grep -qx train && ok "completes teacher subcommands" || bad "teacher subcommands"
comp cfaug teacher train --no | grep -qx -- --no-refit && ok "completes teacher options" || bad "teacher option completion"
comp cfaug eval --rev | grep -qx -- --review-n && ok "completes eval options" || bad "eval option completion"
comp cfaug run p.yaml --set stages.0.type=zf | grep -qx "stages.0.type=zfilter" && ok "completes stage types" || bad "stage type completion"
comp cfaug run p.yaml --set input.fo | grep -qx "input.format=" && ok "completes --set keys" || bad "--set key completion"
finish
