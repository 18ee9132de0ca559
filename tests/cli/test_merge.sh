#!/usr/bin/env bash
# cfaug merge (issue 14): --shard outputs combined into one directory whose
# report totals reconcile and equal the single run's, data files equal as
# multisets, compressed files too; mismatches refused.
set -u
. "$(dirname "$0")/../lib.sh"
Q=examples/quickstart.yaml
for i in 1 2 3; do
  sed "s/\"id\": \"dev/\"id\": \"m$i-dev/" examples/data/reviews.jsonl
done >"$T/in.jsonl"
"$CFAUG" run $Q -i "$T/in.jsonl" -o "$T/single" -q || bad "single run"
for k in 1 2 3; do
  "$CFAUG" run $Q -i "$T/in.jsonl" -o "$T/s$k" --shard "$k/3" -q || bad "shard $k"
done
expect 0 "merge three shards" -- merge -o "$T/m" "$T/s1" "$T/s2" "$T/s3"
contains "$T/out" "merged 3 directories" "merge says what it did"
python3 - "$T/single/report.json" "$T/m/report.json" <<'P' && ok "merged totals = single run's totals" || bad "totals differ"
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
assert a["totals"] == b["totals"], (a["totals"], b["totals"])
assert a["rejected_by_reason"] == b["rejected_by_reason"]
for sa, sb in zip(a["stages"], b["stages"]):
    for k in ("in_originals", "in_candidates", "generated", "emitted", "rejected"):
        assert sa[k] == sb[k], k
t = b["totals"]
assert t["records_read"] == t["records_processed"] + t["records_errors"]
assert t["candidates"] == t["accepted"] + t["rejected"]
assert b["merged_from"] and b["shard"] is None
P
for f in pairs augmented rejected errors; do
  sort "$T/single/$f.jsonl" >"$T/a"; sort "$T/m/$f.jsonl" >"$T/b"
  cmp -s "$T/a" "$T/b" && ok "$f.jsonl: merged = single (as multisets)" || bad "$f.jsonl differs"
done
[ -f "$T/m/README.md" ] && ok "merged directory has a dataset card" || bad "no card"
contains "$T/m/README.md" "merged by \`cfaug merge\`" "card says it was merged"

# compressed shards
for k in 1 2; do
  "$CFAUG" run $Q -i "$T/in.jsonl" -o "$T/z$k" --shard "$k/2" -q --set output.compress=gzip || bad "gz shard $k"
done
expect 0 "merge gzip shards" -- merge -o "$T/mz" "$T/z1" "$T/z2"
gzip -dc "$T/mz/pairs.jsonl.gz" | sort | cmp -s - <(sort "$T/single/pairs.jsonl") \
  && ok "merged pairs.jsonl.gz = single pairs" || bad "merged gz differs"

# refusals
expect 1 "a shard given twice" -- merge -o "$T/x" "$T/s1" "$T/s1"
contains "$T/err" "given twice" "duplicate shard named"
"$CFAUG" run examples/sentiment-flip.yaml -o "$T/other" -q --shard 2/3 -i "$T/in.jsonl" 2>/dev/null
expect 1 "runs of another pipeline" -- merge -o "$T/x" "$T/s1" "$T/other"
contains "$T/err" "made by another pipeline" "other pipeline refused"
expect 0 "two of three shards" -- merge -o "$T/part" "$T/s1" "$T/s3"
contains "$T/err" "shard 2/3 is not among the directories" "missing shard is warned"
expect 1 "a directory without a report" -- merge -o "$T/x" "$T/s1" "$T"
echo '{"tampered": true}' >>"$T/s2/pairs.jsonl"
expect 1 "line counts disagree with the report" -- merge -o "$T/y" "$T/s1" "$T/s2" "$T/s3"
contains "$T/err" "merged pairs.jsonl has" "tampered directory detected"
[ ! -e "$T/y/report.json" ] && ok "nothing committed after a refused merge" || bad "report written"
# the recipe: shards then one merge, found binary without PATH changes
env -u CFAUG PATH=/usr/bin:/bin bash examples/distributed/shards-local.sh $Q "$T/in.jsonl" "$T/recipe" 3 >"$T/out" 2>"$T/err" \
  && ok "shards-local.sh runs (binary found without PATH)" || bad "shards-local.sh" "$(cat "$T/err")"
python3 -c "import json,sys; a=json.load(open('$T/single/report.json'))['totals']; b=json.load(open('$T/recipe/merged/report.json'))['totals']; sys.exit(a!=b)" \
  && ok "recipe's merged totals = single run's" || bad "recipe totals"
expect 2 "merge without -o" -- merge "$T/s1"
expect 0 "help merge" -- help merge
finish
