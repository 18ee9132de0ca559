#!/usr/bin/env bash
# zfilter's end-of-input filter, side by side: OLD (a build of main before
# the speed-up; required) and NEW (this tree's build) and optionally GREEDY
# (a build of the greedy zfilter without the check, 9a5b477^) on the
# antonym flips of MB megabytes of replicated CAD reviews
# (bench/make_corpus.sh); prints user CPU, peak RSS and whether OLD and NEW
# wrote byte-identical rejected.jsonl and augmented.jsonl (sha256); then the
# same check on CAD NLI original_train (3 labels) at tau 1.0, 1.5, 2.0.
#
#   OLD=/path/to/main/cfaug [GREEDY=/path/to/greedy/cfaug] bench/zfilter_scale.sh [MB...]
#   (default sizes: 5 10 20 100)
set -euo pipefail
cd "$(dirname "$0")/.."
NEW=${NEW:-build/cfaug}
: "${OLD:?set OLD to a cfaug built from main before the change}"
sizes=("$@"); [ ${#sizes[@]} -eq 0 ] && sizes=(5 10 20 100)
w=bench/work; mkdir -p "$w"
echo "| input | version | user CPU | peak RSS | rejected.jsonl sha256 | augmented.jsonl sha256 |"
echo "|---|---|---|---|---|---|"
for mb in "${sizes[@]}"; do
  corpus=$w/cad$mb.jsonl
  [ -f "$corpus" ] || bench/make_corpus.sh "$mb" "$corpus" >/dev/null
  for b in old new ${GREEDY:+greedy}; do
    case $b in old) bin=$OLD;; new) bin=$NEW;; greedy) bin=$GREEDY;; esac
    cat >"$w/zs_$b.yaml" <<Y
seed: 13
window: 1000000
input: {path: $corpus, id_field: id, text_fields: [text], label_field: label, labels: [negative, positive]}
stages:
  - {type: rules, name: antonyms, packs: [antonyms], label: {positive: negative, negative: positive}}
  - {type: zfilter, max_held: 1000000}
output: {dir: $w/zs_out_$b}
Y
    rm -rf "$w/zs_out_$b"
    /usr/bin/time -f '%M %U' -o "$w/zs.time" "$bin" run "$w/zs_$b.yaml" -q 2>/dev/null
    read -r rss user <"$w/zs.time"
    rj=$(sha256sum <"$w/zs_out_$b/rejected.jsonl" | cut -c1-12)
    au=$(sha256sum <"$w/zs_out_$b/augmented.jsonl" | cut -c1-12)
    echo "| $mb MB | $b | $user s | $((rss / 1024)) MB | $rj | $au |"
  done
  if cmp -s "$w/zs_out_old/rejected.jsonl" "$w/zs_out_new/rejected.jsonl" &&
     cmp -s "$w/zs_out_old/augmented.jsonl" "$w/zs_out_new/augmented.jsonl"; then
    echo "| $mb MB | old = new | | | identical | identical |"
  else
    echo "| $mb MB | old = new | | | **DIFFER** | **DIFFER** |"; status=1
  fi
done
# three labels: CAD NLI original_train, negation flips, several tau
nli=${DATA:-../shared/data}/cad-nli/original_train.tsv
for tau in 1.0 1.5 2.0; do
  for b in old new; do
    bin=$OLD; [ $b = new ] && bin=$NEW
    cat >"$w/zn_$b.yaml" <<Y
seed: 7
input: {path: $nli, format: tsv, text_fields: [sentence1, sentence2], label_field: gold_label, labels: [entailment, neutral, contradiction]}
stages:
  - {type: rules, name: neg, packs: [negation], fields: [sentence2], label: {entailment: contradiction, contradiction: entailment, neutral: neutral}}
  - {type: zfilter, tau: $tau, min_count: 3}
output: {dir: $w/zn_out_$b}
Y
    rm -rf "$w/zn_out_$b"
    "$bin" run "$w/zn_$b.yaml" -q 2>/dev/null
  done
  if cmp -s "$w/zn_out_old/rejected.jsonl" "$w/zn_out_new/rejected.jsonl" &&
     cmp -s "$w/zn_out_old/augmented.jsonl" "$w/zn_out_new/augmented.jsonl"; then
    same=identical; else same="**DIFFER**"; status=1; fi
  echo "| NLI train, tau $tau | old = new | $(wc -l <"$w/zn_out_new/rejected.jsonl") rejected | | $same | $same |"
done
exit "${status:-0}"
