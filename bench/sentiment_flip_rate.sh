#!/usr/bin/env bash
# Targeted flip rate of the sentiment packs on CAD sentiment DEV, judged by
# the built-in teacher trained on CAD orig_train (cross-fitted): the old
# build (without label_direction, which it does not know), the new one
# without it, and the new one as configured.
# Usage: bench/sentiment_flip_rate.sh OLD_CFAUG NEW_CFAUG
# (a fourth run: the old build as configured, when it knows label_direction;
# a fifth: the new build with full_flip (examples/sentiment-flip.yaml since
# session 4); the kept pairs of the last run stay in /tmp/neg_out/flip_new)
set -euo pipefail
cd "$(dirname "$0")/.."
data=${CAD:-/work/shared/data/cad-sentiment}
"$2" teacher train -i "$data/orig_train.tsv" --text-field Text \
  --label-field Sentiment -o /tmp/sent_orig_train.cft >/dev/null 2>&1
grep -v label_direction bench/sentiment_flip_teacher_cad.yaml >/tmp/flip_undirected.yaml
sed 's/^    label_direction: .*/&\n    full_flip: true/' bench/sentiment_flip_teacher_cad.yaml >/tmp/flip_full.yaml
for run in "$1|/tmp/flip_undirected.yaml" "$2|/tmp/flip_undirected.yaml" \
           "$1|bench/sentiment_flip_teacher_cad.yaml" \
           "$2|bench/sentiment_flip_teacher_cad.yaml" "$2|/tmp/flip_full.yaml"; do
  b=${run%|*}; y=${run#*|}
  rm -rf /tmp/neg_out/flip
  "$b" run "$y" -q || { echo "$b: cannot run $y" >&2; continue; }
  python3 - "$b $(basename "$y")" <<'PY'
import json, sys
r = json.load(open("/tmp/neg_out/flip/report.json"))
t = r["totals"]; st = r["stages"]
cand = st[0]["generated"]; kept = t["accepted"]
print("%s: records %d, candidates %d (coverage %.3f), teacher says target label: %d = %.3f of candidates; pairs kept after the filter %d = %.3f of records"
      % (sys.argv[1], st[0]["records"], cand, cand / st[0]["records"], kept, kept / max(cand, 1), kept, kept / st[0]["records"]))
print("  pairs_by_rule:", json.dumps(r.get("pairs_by_rule", {})))
left = st[0].get("decisions", {}).get("rejected_source_stance_left")
if left is not None:
    print("  rejected source_stance_left:", left)
PY
done
rm -rf /tmp/neg_out/flip_new
mv /tmp/neg_out/flip /tmp/neg_out/flip_new
