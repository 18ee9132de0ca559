#!/usr/bin/env bash
# cmake --install (issue 14): binary, man page, lexicons, prompts and bash
# completion land under the prefix (and under DESTDIR), the installed
# binary runs a pipeline from another directory with the installed packs,
# and docs/cfaug.1 is current (scripts/gen_man.py --check) and covers every
# command.  Needs CFAUG_BUILD (set by ctest).
set -u
. "$(dirname "$0")/../lib.sh"
B=${CFAUG_BUILD:?set CFAUG_BUILD to the build directory}
cmake --install "$B" --prefix "$T/prefix" >"$T/log" 2>&1 && ok "cmake --install --prefix" || bad "install failed" "$(tail -3 "$T/log")"
for f in bin/cfaug share/man/man1/cfaug.1 share/cfaug/lexicons/gender.tsv \
         share/cfaug/prompts/sentiment-flip.txt share/bash-completion/completions/cfaug; do
  [ -f "$T/prefix/$f" ] && ok "installed $f" || bad "missing $f"
done
DESTDIR="$T/stage" cmake --install "$B" --prefix /opt/cfaug >"$T/log" 2>&1
[ -x "$T/stage/opt/cfaug/bin/cfaug" ] && [ -f "$T/stage/opt/cfaug/share/man/man1/cfaug.1" ] \
  && ok "DESTDIR staging" || bad "DESTDIR staging" "$(tail -3 "$T/log")"
"$T/prefix/bin/cfaug" --version >"$T/out" && contains "$T/out" "cfaug 0." "installed binary runs"
mkdir -p "$T/work" && cp examples/data/reviews.jsonl "$T/work/"
"$T/prefix/bin/cfaug" init gender-cda -o "$T/work/p.yaml" >/dev/null
(cd "$T/work" && CFAUG_LEXICONS="$T/prefix/share/cfaug/lexicons" "$T/prefix/bin/cfaug" run p.yaml \
   -i reviews.jsonl -o out -q) && ok "installed binary runs a starter with the installed packs" \
   || bad "installed run"
[ -s "$T/work/out/pairs.jsonl" ] && ok "installed run made pairs" || bad "no pairs"
if command -v man >/dev/null; then
  MANWIDTH=80 man -l "$T/prefix/share/man/man1/cfaug.1" >"$T/man" 2>/dev/null
  contains "$T/man" "cfaug - counterfactual text augmentation" "installed man page renders"
fi
python3 scripts/gen_man.py "$CFAUG" --check 2>"$T/err" && ok "docs/cfaug.1 is current (generated parts)" \
  || bad "$(cat "$T/err")"
for c in run validate teacher eval merge init schema completion help version; do
  grep -q "^\.B $c\$" docs/cfaug.1 && ok "man page describes $c" || bad "man page lacks $c"
done
for e in CFAUG_LEXICONS api_key_env "EXIT STATUS" "OUTPUT FILES" "share/cfaug/prompts"; do
  grep -q "$e" docs/cfaug.1 && ok "man page covers $e" || bad "man page lacks $e"
done
finish
