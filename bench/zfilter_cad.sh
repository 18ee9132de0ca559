#!/usr/bin/env bash
# zfilter on CAD sentiment train (issue 13): the sentiment flips of
# examples/sentiment-flip.yaml (negation + antonyms packs) on orig_train,
# with and without zfilter (defaults tau 3, min_count 5), the
# shortcut tokens of both augmented sets measured by `cfaug eval --spurious`
# (independent counting code; Bonferroni critical z, alpha 0.01, over the
# tokens in >= 5 documents), and the built-in teacher trained on originals
# only / unfiltered / filtered, evaluated once on orig_dev and revised_dev
# (nothing here was tuned on dev: zfilter runs with its defaults).
#
#   bench/zfilter_cad.sh [DATA_DIR]      (default ../shared/data)
#   OLD=/path/to/earlier/cfaug bench/zfilter_cad.sh   adds the earlier
#   zfilter's output (spurious tokens and accuracy) as a third set
#   PACKS=antonyms: the antonyms pack alone, label flipped (what main had at
#   2607e43, which OLD=a build of 2607e43 can run)
#
# Training uses the teacher's default options.  Work files go to
# bench/work/zf/.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:-$(cd .. && pwd)/shared/data}/cad-sentiment
bin=${CFAUG:-build/cfaug}
w=bench/work/zf; rm -rf "$w"; mkdir -p "$w"

for v in nozf zf; do
  {
    echo "seed: 13"
    echo "window: 1000000"
    echo "input: {path: $data/orig_train.tsv, format: tsv, text_fields: [Text], label_field: Sentiment, labels: [Negative, Positive]}"
    echo "stages:"
    if [ "${PACKS:-}" = antonyms ]; then
      echo "  - {type: rules, name: antonyms, packs: [antonyms], label: {Positive: Negative, Negative: Positive}}"
    else   # examples/sentiment-flip.yaml's rules stage, with CAD's label names
      echo "  - {type: rules, name: sentiment-flip, packs: [negation, antonyms], negation_scope: 3, label: {Positive: Negative, Negative: Positive}, label_direction: {Positive: a_to_b, Negative: b_to_a}}"
    fi
    [ $v = zf ] && echo "  - {type: zfilter}"
    echo "output: {dir: $w/out_$v}"
  } >"$w/$v.yaml"
  /usr/bin/time -f "%e %U %M" -o "$w/$v.time" "$bin" run "$w/$v.yaml" -q 2>"$w/$v.err" || { cat "$w/$v.err"; exit 1; }
done
"$bin" eval --spurious "$w/out_nozf/augmented.jsonl" "$w/out_zf/augmented.jsonl" \
  --text-field Text --label-field Sentiment --min-count 5 --top 1000 -o "$w/spurious" 2>/dev/null
if [ -n "${OLD:-}" ]; then
  sed 's#out_zf#out_old#' "$w/zf.yaml" >"$w/old.yaml"
  "$OLD" run "$w/old.yaml" -q 2>"$w/old.err" || { echo "OLD cannot run this pipeline:" >&2; cat "$w/old.err" >&2; exit 1; }
  "$bin" eval --spurious "$w/out_nozf/augmented.jsonl" "$w/out_old/augmented.jsonl" \
    --text-field Text --label-field Sentiment --min-count 5 --top 1000 -o "$w/spurious_old" 2>/dev/null
fi

train() {   # NAME DATA
  "$bin" teacher train -i "$2" --text-field Text --label-field Sentiment \
    -o "$w/$1.cft" 2>>"$w/train.log"
  for s in orig_dev revised_dev; do
    "$bin" teacher eval -m "$w/$1.cft" -i "$data/$s.tsv" >"$w/$1.$s.json"
  done
}
train originals "$data/orig_train.tsv"
train unfiltered "$w/out_nozf/augmented.jsonl"
train zfiltered "$w/out_zf/augmented.jsonl"
[ -n "${OLD:-}" ] && train zfiltered_old "$w/out_old/augmented.jsonl"

python3 - "$w" <<'P'
import json, sys
w = sys.argv[1]
sp = json.load(open(f"{w}/spurious/report.json"))["spurious"]
zr = json.load(open(f"{w}/out_zf/report.json"))
z = [s for s in zr["stages"] if s["type"] == "zfilter"][0]
def rows(t): return t["top"]
print("| augmented set (CAD orig_train + sentiment flips) | rows | tokens tested (n >= 5) | critical z | tokens above critical z | tokens above 3.0 | largest z |")
print("|---|---|---|---|---|---|---|")
for key, name, docs in (("top_before", "unfiltered", sp["docs_before"]), ("top_after", "zfilter (tau 3, min_count 5)", sp["docs_after"])):
    t = sp[key]
    above3 = sum(1 for r in t["top"] if abs(r["z"]) > 3.0)
    print(f"| {name} | {docs} | {t['tokens_tested']} | {t['z_critical']:.2f} | {t['tokens_over']} | {above3} | {abs(t['top'][0]['z']):.2f} ({t['top'][0]['token']}) |")
import os
if os.path.exists(f"{w}/spurious_old/report.json"):
    so = json.load(open(f"{w}/spurious_old/report.json"))["spurious"]
    t = so["top_after"]
    above3 = sum(1 for r in t["top"] if abs(r["z"]) > 3.0)
    print(f"| earlier zfilter (OLD) | {so['docs_after']} | {t['tokens_tested']} | {t['z_critical']:.2f} | {t['tokens_over']} | {above3} | {abs(t['top'][0]['z']):.2f} ({t['top'][0]['token']}) |")
print()
print(f"zfilter: {z['in_candidates']} candidates, {z['candidates_dropped']} dropped; objective "
      f"(tokens above tau, excess) {z['before']['tokens_above_tau']}, {z['before']['excess']:.1f} -> "
      f"{z['after']['tokens_above_tau']}, {z['after']['excess']:.1f}")
print()
print("| teacher trained on | orig_dev accuracy | revised_dev accuracy |")
print("|---|---|---|")
for m in ("originals", "unfiltered", "zfiltered", "zfiltered_old"):
    if not os.path.exists(f"{w}/{m}.orig_dev.json"):
        continue
    a = [json.load(open(f"{w}/{m}.{s}.json"))["accuracy"] for s in ("orig_dev", "revised_dev")]
    print(f"| {m} | {a[0]:.3f} | {a[1]:.3f} |")
for v in ("nozf", "zf"):
    e, u, m = open(f"{w}/{v}.time").read().split()
    print(f"\n{v}: {e} s wall, {u} s user, {int(m)//1024} MB peak RSS", end="")
print()
P
