#!/usr/bin/env bash
# Results depend only on the record, never on its chunk or process: GNU
# parallel with 4 jobs over a few thousand records, and 4 --shard runs,
# each give the same multiset of output lines as one process.
set -u
. "$(dirname "$0")/../lib.sh"

# 3,600 records: the sample reviews 15 times over with fresh ids
for i in $(seq 1 15); do
  sed "s/\"id\": \"dev/\"id\": \"c$i-dev/" examples/data/reviews.jsonl
done >"$T/big.jsonl"
[ "$(wc -l <"$T/big.jsonl")" -eq 3600 ] && ok "3600 input records" || bad "input size"

"$CFAUG" run examples/quickstart.yaml -i "$T/big.jsonl" -o - -q >"$T/single" 2>"$T/err"
[ $? -eq 0 ] && ok "single process runs" || bad "single run failed" "$(cat "$T/err")"
n=$(wc -l <"$T/single")
[ "$n" -gt 1000 ] && ok "single run makes $n pairs" || bad "single run made only $n pairs"
sort "$T/single" >"$T/single.sorted"

if command -v parallel >/dev/null; then
  parallel --pipepart -a "$T/big.jsonl" --block -1 --jobs 4 \
    "$CFAUG" run examples/quickstart.yaml -i - -o - -q >"$T/par" 2>"$T/err"
  [ $? -eq 0 ] && ok "GNU parallel with 4 jobs runs" || bad "parallel failed" "$(cat "$T/err")"
  sort "$T/par" | cmp -s - "$T/single.sorted" && ok "parallel output = single output (as multisets)" \
    || bad "parallel output differs" "$(sort "$T/par" | diff - "$T/single.sorted" | head -3)"
else
  echo "skip - GNU parallel is not installed (Debian package 'parallel')"
fi

: >"$T/shards"
for k in 1 2 3 4; do
  "$CFAUG" run examples/quickstart.yaml -i "$T/big.jsonl" -o - -q --shard "$k/4" >"$T/s$k" 2>>"$T/err" \
    || bad "shard $k/4 failed"
  [ -s "$T/s$k" ] || bad "shard $k/4 is empty"
  cat "$T/s$k" >>"$T/shards"
done
sort "$T/shards" | cmp -s - "$T/single.sorted" && ok "4 shards concatenated = single output" \
  || bad "shards differ from the single run"
# no pair appears in two shards
dups=$(sort "$T/shards" | uniq -d | wc -l)
[ "$dups" -eq 0 ] && ok "no pair in two shards" || bad "$dups pairs in two shards"

finish
