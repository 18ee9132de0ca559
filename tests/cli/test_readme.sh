#!/usr/bin/env bash
# The README's command examples, run (as jq runs its manual's): every
# command of its code blocks (tests/doc_commands.py) runs in a scratch
# directory holding the repository's examples, prompts and lexicons and
# small stand-ins for the data files the commands name; each must exit 0.
# Blocks after `<!-- readme-test: skip (why) -->` are left out.
set -u
. "$(dirname "$0")/../lib.sh"
ROOT=$(pwd)
C=$(realpath "$CFAUG")
S="$T/sandbox"
mkdir -p "$S/build" "$S/bin"
ln -s "$ROOT/examples" "$S/examples"; ln -s "$ROOT/prompts" "$S/prompts"
ln -s "$ROOT/lexicons" "$S/lexicons"; ln -s "$ROOT/scripts" "$S/scripts"
ln -s "$C" "$S/build/cfaug"; ln -s "$C" "$S/bin/cfaug"
cp tests/data/readme/*.tsv "$S/"
# sentiment stand-ins from the sample reviews (CAD, see tests/data/readme/NOTICE)
python3 - "$S" examples/data/reviews.jsonl <<'P'
import csv, json, sys, os
d, src = sys.argv[1], sys.argv[2]
rows = [json.loads(l) for l in open(src)]
def tsv(name, rs, cols):
    with open(os.path.join(d, name), 'w', newline='') as f:
        w = csv.writer(f, delimiter='\t', lineterminator='\n')
        w.writerow(cols)
        for r in rs:
            # CAD's own label names: Negative, Positive
            w.writerow([{'Text': r['text'], 'Sentiment': r['label'].capitalize(), 'batch_id': r['batch_id']}[c] for c in cols])
tsv('train.tsv', rows[:160], ['Text', 'Sentiment'])
tsv('dev.tsv', rows[160:], ['Text', 'Sentiment'])
tsv('paired_dev.tsv', rows[160:], ['Sentiment', 'Text', 'batch_id'])
with open(os.path.join(d, 'new.jsonl'), 'w') as f:
    for r in rows[:20]:
        f.write(json.dumps({'id': r['id'], 'Text': r['text']}) + '\n')
P
# what a command later in the README reads from an earlier step of the
# reader's own: the sentiment-flip example's output and an NLI model that
# knows the three labels (the stand-in originals are all neutral)
(cd "$S" && "$C" run examples/sentiment-flip.yaml -q \
  && { cat revised_dev.tsv; tail -n +2 original_dev.tsv; } >nli_train.tsv \
  && "$C" teacher train -i nli_train.tsv --text-field sentence1 --text-field sentence2 \
       --label-field gold_label -o nli.cft >/dev/null 2>&1) || bad "sandbox set-up"

n=0
while IFS= read -r cmd; do
  n=$((n+1))
  (cd "$S" && PATH="$S/bin:$PATH" bash -c "set -o pipefail; $cmd" >"$T/out" 2>"$T/err")
  rc=$?
  [ $rc -eq 0 ] && ok "README: $cmd" || bad "README: $cmd (exit $rc)" "$(tail -3 "$T/err")"
done < <(python3 tests/doc_commands.py README.md)
[ "$n" -ge 10 ] && ok "$n README commands found" || bad "only $n README commands found"
finish
