#!/usr/bin/env bash
# edit_filter before/after (issue 15): the quickstart pipeline (gender +
# names CDA, round_trip on, edit_filter max_ratio 0.3) on ~60 MB of CAD
# reviews (bench/make_corpus.sh), run by two binaries side by side,
# interleaved, RUNS times each; prints medians of wall time, user CPU and
# edit_filter's own seconds (report.json), the rules stage alone for scale,
# and whether the two binaries' outputs are byte-identical (sha256, also
# with max_ratio 0.02 so that many rejections and their distances count).
#
#   BEFORE=/path/to/old/cfaug bench/edit_filter_bench.sh [MB]
#
# BEFORE is any earlier build, e.g. of main before the change:
#   git archive 2607e43 | tar -x -C /tmp/old && cd /tmp/old &&
#   cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo && cmake --build build -j2 --target cfaug
set -euo pipefail
cd "$(dirname "$0")/.."
: "${BEFORE:?set BEFORE to the cfaug binary to compare with}"
AFTER=${AFTER:-build/cfaug}
mb=${1:-60}; runs=${RUNS:-3}
w=bench/work; mkdir -p "$w"
corpus=$w/cad$mb.jsonl
[ -f "$corpus" ] || bench/make_corpus.sh "$mb" "$corpus"
# the quickstart as it was (max_ratio only, so both binaries accept it)
cat >"$w/ef_quick.yaml" <<Y
seed: 13
input: {path: $corpus, format: jsonl, id_field: id, text_fields: [text], label_field: label, labels: [negative, positive]}
stages:
  - {type: rules, name: gender-cda, packs: [gender, names], mode: augment, direction: both, label: keep}
  - {type: edit_filter, max_ratio: 0.3}
output: {dir: $w/ef_out}
Y
sed '/edit_filter/d' "$w/ef_quick.yaml" >"$w/ef_rules.yaml"
# a strict ratio, so that rejected.jsonl (with every exact distance) is
# compared too
sed 's/max_ratio: 0.3/max_ratio: 0.02/' "$w/ef_quick.yaml" >"$w/ef_strict.yaml"

# one BIN YAML TAG: appends "wall user edit_filter_s" to $w/TAG.times
one() {
  rm -rf "$w/ef_out"
  /usr/bin/time -f '%e %U' -o "$w/t" "$1" run "$2" -q
  python3 - "$w/ef_out/report.json" "$(cat "$w/t")" >>"$w/$3.times" <<'P'
import json, sys
r = json.load(open(sys.argv[1]))
ef = [s["seconds"] for s in r["stages"] if s["type"] == "edit_filter"]
print(sys.argv[2], ef[0] if ef else 0)
P
}
rm -f "$w"/ef_*.times
for i in $(seq "$runs"); do
  one "$BEFORE" "$w/ef_quick.yaml" ef_before
  [ "$i" = 1 ] && (cd "$w/ef_out" && sha256sum pairs.jsonl augmented.jsonl rejected.jsonl) >"$w/ef_before.sha"
  one "$AFTER" "$w/ef_quick.yaml" ef_after
  [ "$i" = 1 ] && (cd "$w/ef_out" && sha256sum pairs.jsonl augmented.jsonl rejected.jsonl) >"$w/ef_after.sha"
  one "$AFTER" "$w/ef_rules.yaml" ef_rules
done
for b in before after; do
  bin=$BEFORE; [ $b = after ] && bin=$AFTER
  rm -rf "$w/ef_out"; "$bin" run "$w/ef_strict.yaml" -q
  (cd "$w/ef_out" && sha256sum pairs.jsonl augmented.jsonl rejected.jsonl) >>"$w/ef_$b.sha"
done
python3 - "$w" "$mb" <<'P'
import statistics as st, sys
w, mb = sys.argv[1], sys.argv[2]
def med(tag, col):
    return st.median(float(l.split()[col]) for l in open(f"{w}/{tag}.times"))
print(f"| {mb} MB, medians | wall s | user CPU s | edit_filter s |")
print("|---|---|---|---|")
for tag, name in (("ef_before", "quickstart, before"), ("ef_after", "quickstart, after"),
                  ("ef_rules", "rules stage alone (after)")):
    print(f"| {name} | {med(tag,0):.2f} | {med(tag,1):.2f} | {med(tag,2):.2f} |")
same = open(f"{w}/ef_before.sha").read() == open(f"{w}/ef_after.sha").read()
print("\noutputs byte-identical (pairs, augmented, rejected; max_ratio 0.3 and 0.02):",
      "yes" if same else "NO")
print(open(f"{w}/ef_after.sha").read())
P
