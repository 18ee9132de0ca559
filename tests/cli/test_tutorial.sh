#!/usr/bin/env bash
# docs/TUTORIAL.md, run: every command of its code blocks, in order, in a
# scratch directory holding the repository's examples, with cfaug on PATH;
# each must exit 0, and the files the tutorial talks about must exist.
set -u
. "$(dirname "$0")/../lib.sh"
ROOT=$(pwd)
C=$(realpath "$CFAUG")
S="$T/sandbox"
mkdir -p "$S/bin" "$S/build"
ln -s "$ROOT/examples" "$S/examples"; ln -s "$ROOT/prompts" "$S/prompts"
ln -s "$C" "$S/bin/cfaug"; ln -s "$C" "$S/build/cfaug"
n=0
while IFS= read -r cmd; do
  n=$((n+1))
  (cd "$S" && PATH="$S/bin:$PATH" bash -c "set -o pipefail; $cmd" >"$T/out" 2>"$T/err")
  rc=$?
  [ $rc -eq 0 ] && ok "TUTORIAL: $cmd" || bad "TUTORIAL: $cmd (exit $rc)" "$(tail -3 "$T/err")"
done < <(python3 tests/doc_commands.py docs/TUTORIAL.md)
[ "$n" -ge 8 ] && ok "$n tutorial commands found" || bad "only $n tutorial commands found"
for f in out/quickstart/augmented.jsonl out/cda/augmented.csv.gz out/cda/README.md cda.cft \
         out/cda-eval/report.html out/cda-eval/report.json; do
  [ -s "$S/$f" ] && ok "the tutorial's $f exists" || bad "no $f"
done
python3 - "$S" <<'P' && ok "augmented.csv.gz: the CSV's columns, originals and counterfactuals" || bad "augmented.csv.gz content"
import csv, gzip, sys
rows = list(csv.DictReader(gzip.open(sys.argv[1] + '/out/cda/augmented.csv.gz', 'rt', newline='')))
assert list(rows[0].keys()) == ['id', 'text', 'label', 'source', 'pair_id'], rows[0].keys()
src = [r['source'] for r in rows]
assert src.count('original') == 240 and src.count('counterfactual') > 100, (src.count('original'), src.count('counterfactual'))
P
finish
