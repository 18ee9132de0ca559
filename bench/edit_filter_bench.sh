#!/usr/bin/env bash
# The quickstart pipeline against the rules stage alone (issue 15: within
# 1.3x), for one or two builds side by side: examples/quickstart.yaml's
# stages (gender + names CDA, round_trip on, edit_filter max_ratio 0.3,
# ratio_min_tokens 10) and the same rules stage without edit_filter, on
# ~MB megabytes of CAD reviews (bench/make_corpus.sh), every row run RUNS
# times, interleaved run by run; prints medians of wall time and of user +
# sys CPU, edit_filter's own seconds (report.json), and the ratios
# quickstart / rules alone per build.  Then callgrind instruction counts
# (noise-free) of the same rows on bench/work/cad2.jsonl unless NO_CG=1.
# Byte-identity of the outputs: bench/edit_filter_checksum.sh.
#
#   [BEFORE=/path/to/old/cfaug] [RUNS=5] bench/edit_filter_bench.sh [MB]
#
# BEFORE is any earlier build, e.g. main's:
#   git worktree add /tmp/old main && cd /tmp/old && scripts/setup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
AFTER=${AFTER:-build/cfaug}
mb=${1:-60}; runs=${RUNS:-5}
w=bench/work; mkdir -p "$w"
corpus=$w/cad$mb.jsonl
[ -f "$corpus" ] || bench/make_corpus.sh "$mb" "$corpus"
[ -f "$w/cad2.jsonl" ] || bench/make_corpus.sh 2 "$w/cad2.jsonl"

yaml() {   # NAME CORPUS EDIT_FILTER(0/1)
  { echo "seed: 13"
    echo "input: {path: $2, format: jsonl, id_field: id, text_fields: [text], label_field: label, labels: [negative, positive]}"
    echo "stages:"
    echo "  - {type: rules, name: gender-cda, packs: [gender, names], mode: augment, direction: both, label: keep}"
    [ "$3" = 1 ] && echo "  - {type: edit_filter, max_ratio: 0.3, ratio_min_tokens: 10}"
    echo "output: {dir: $w/ef_out}"; } >"$w/ef_$1.yaml"
}
yaml quick "$corpus" 1; yaml rules "$corpus" 0
yaml quick2mb "$w/cad2.jsonl" 1; yaml rules2mb "$w/cad2.jsonl" 0

bins="after"; [ -n "${BEFORE:-}" ] && bins="before after"
bin_of() { if [ "$1" = before ]; then echo "$BEFORE"; else echo "$AFTER"; fi; }

# one BIN ROW TAG: appends "wall cpu edit_filter_s" to $w/ef_TAG.times
one() {
  rm -rf "$w/ef_out"
  /usr/bin/time -f '%e %U %S' -o "$w/ef_t" "$1" run "$w/ef_$2.yaml" -q
  python3 - "$w/ef_out/report.json" "$(cat "$w/ef_t")" >>"$w/ef_$3.times" <<'P'
import json, sys
r = json.load(open(sys.argv[1]))
wall, user, sys_ = (float(x) for x in sys.argv[2].split())
ef = [s["seconds"] for s in r["stages"] if s["type"] == "edit_filter"]
print(wall, user + sys_, ef[0] if ef else 0)
P
}
rm -f "$w"/ef_*.times
for i in $(seq "$runs"); do
  for b in $bins; do
    one "$(bin_of $b)" rules "$b-rules"
    one "$(bin_of $b)" quick "$b-quick"
  done
done
python3 - "$w" "$mb" "$runs" $bins <<'P'
import statistics as st, sys
w, mb, runs, bins = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
def med(tag, col):
    return st.median(float(l.split()[col]) for l in open(f"{w}/ef_{tag}.times"))
print(f"| {mb} MB, medians of {runs} interleaved | wall s | user+sys s | edit_filter s (its clock) |")
print("|---|---|---|---|")
for b in bins:
    for row, name in (("rules", "rules stage alone"), ("quick", "quickstart")):
        t = f"{b}-{row}"
        print(f"| {b}: {name} | {med(t,0):.2f} | {med(t,1):.2f} | {med(t,2):.2f} |")
print()
for b in bins:
    print(f"{b}: quickstart / rules alone, CPU {med(b+'-quick',1)/med(b+'-rules',1):.3f}x, "
          f"wall {med(b+'-quick',0)/med(b+'-rules',0):.3f}x (target: within 1.3x)")
P
[ "${NO_CG:-0}" = 1 ] && exit 0
echo
echo "callgrind Ir, cad2 (2 MB), files out:"
for b in $bins; do
  for row in rules2mb quick2mb; do
    rm -rf "$w/ef_out"
    ir=$(valgrind --tool=callgrind --callgrind-out-file="$w/ef_cg" "$(bin_of $b)" run "$w/ef_$row.yaml" -q 2>&1 |
         sed -n 's/.*Collected : *//p')
    echo "$b $row $ir"
  done
done | awk '{ir[$1" "$2] = $3; print} END {
  for (b in ir) {}
  if (("after quick2mb") in ir) printf "after: quickstart / rules alone Ir %.3fx\n", ir["after quick2mb"] / ir["after rules2mb"]
  if (("before quick2mb") in ir) printf "before: quickstart / rules alone Ir %.3fx\n", ir["before quick2mb"] / ir["before rules2mb"]
}'
