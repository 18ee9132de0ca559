#!/usr/bin/env bash
# Resume is exact in every mode (issue 11): each sample of the llm stage is
# answered by one request identity (seed, n, choice) whatever is cached and
# however the server treats n, so a re-run over any part of the cache
# writes what an uninterrupted run writes.
#   1. a cache written with samples: 1, reused with samples: 3;
#   2. a server that ignores n: the cache cut at many "kill points" (random
#      subsets of its entries: an entry is written whole or not at all, so
#      a kill -9 leaves a subset) and one real kill -9;
#   3. a foreign entry (another record's answer under this key) and a
#      truncated one are counted misses, never answers; a cache that
#      cannot be written is a warning on stderr.
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../mock_lib.sh"

python3 - "$T/in.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(16):
        f.write(json.dumps({"id": "r%02d" % i, "text": "review %d was good" % i,
                            "label": "positive" if i % 2 else "negative"}) + "\n")
PY
pipeline() {  # pipeline FILE CACHE OUTDIR [extra llm lines...]
  local f=$1 cache=$2 out=$3; shift 3
  {
    echo "seed: 5"
    echo "input: {path: $T/in.jsonl, text_fields: [text], label_field: label, id_field: id, labels: [negative, positive]}"
    echo "stages:"
    echo "  - type: llm"
    echo "    base_url: http://127.0.0.1:\${MOCK_PORT}/v1"
    echo "    model: mock-1"
    echo "    prompt: prompts/sentiment-flip.txt"
    echo "    target: {positive: negative, negative: positive}"
    echo "    parse: {between: [\"<new>\", \"</new>\"]}"
    echo "    cache: $cache"
    for l in "$@"; do echo "    $l"; done
    echo "output: {dir: $out}"
  } >"$f"
}
# same_output A B NAME: pairs, augmented and rejected byte-equal
same_output() {
  local f d=""
  for f in pairs.jsonl augmented.jsonl rejected.jsonl; do
    cmp -s "$1/$f" "$2/$f" || d="$d $f"
  done
  if [ -z "$d" ]; then ok "$3"; else bad "$3: differs in$d" "$(diff "$1/pairs.jsonl" "$2/pairs.jsonl" | head -4)"; fi
}
no_duplicates() {  # no two candidates of one record with the same text
  if python3 - "$1/pairs.jsonl" <<'PY'
import json, sys, collections
seen = collections.Counter((p["orig_id"], p["counterfactual"]["text"]) for p in map(json.loads, open(sys.argv[1])))
dup = [k for k, v in seen.items() if v > 1]
sys.exit(1 if dup else 0)
PY
  then ok "$2"; else bad "$2"; fi
}

# --- 1. samples: 1 then samples: 3 (a server that honours n) ----------------
start_mock
pipeline "$T/s3.yaml" "$T/c_fresh" "$T/fresh" "samples: 3"
expect 0 "samples 3, fresh cache" -- run "$T/s3.yaml" -q
pipeline "$T/s1.yaml" "$T/c_reuse" "$T/s1out" "samples: 1"
expect 0 "samples 1" -- run "$T/s1.yaml" -q
pipeline "$T/s3r.yaml" "$T/c_reuse" "$T/reuse" "samples: 3"
expect 0 "samples 3 over the samples-1 cache" -- run "$T/s3r.yaml" -q
same_output "$T/fresh" "$T/reuse" "samples 1 -> 3: the output of a fresh samples-3 run"
no_duplicates "$T/reuse" "samples 1 -> 3: no sample is a copy of another"

# --- 2. a server that ignores n: many kill points ---------------------------
start_mock --ignore-n --latency-ms 5
pipeline "$T/full.yaml" "$T/c_full" "$T/full" "samples: 3" "concurrency: 4"
expect 0 "ignore-n: uninterrupted run" -- run "$T/full.yaml" -q
no_duplicates "$T/full" "ignore-n: no sample is a copy of another"
n_entries=$(find "$T/c_full" -type f | wc -l)
[ "$n_entries" -ge 48 ] && ok "ignore-n: $n_entries cache entries" || bad "ignore-n: $n_entries entries"
for cut in 1 2 3 4 5 6 7 8; do
  rm -rf "$T/c_cut" "$T/cut"
  cp -r "$T/c_full" "$T/c_cut"
  # keep a seeded random subset (from none to all but one)
  find "$T/c_cut" -type f | sort | python3 -c "
import os, random, sys
files = sys.stdin.read().split()
rng = random.Random($cut)
keep = rng.randint(0, len(files) - 1)
for f in rng.sample(files, len(files) - keep):
    os.unlink(f)"
  kept=$(find "$T/c_cut" -type f | wc -l)
  pipeline "$T/cut.yaml" "$T/c_cut" "$T/cut" "samples: 3" "concurrency: 4"
  run_cf run "$T/cut.yaml" -q
  [ "$RC" -eq 0 ] || bad "kill point $cut: exit $RC" "$(head -c 300 "$T/err")"
  same_output "$T/full" "$T/cut" "ignore-n: resumed from kill point $cut ($kept of $n_entries entries cached)"
done
# a real kill -9 in the middle of a slow run, then the resume
start_mock --ignore-n --latency-ms 60
pipeline "$T/k.yaml" "$T/c_kill" "$T/k" "samples: 3" "concurrency: 2"
"$CFAUG" run "$T/k.yaml" -q >/dev/null 2>&1 &
pid=$!
for i in $(seq 1 100); do
  [ "$(find "$T/c_kill" -type f 2>/dev/null | wc -l)" -ge 15 ] && break
  sleep 0.02
done
kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
got=$(find "$T/c_kill" -type f | wc -l)
expect 0 "ignore-n: resume after kill -9 with $got entries cached" -- run "$T/k.yaml" -q
same_output "$T/full" "$T/k" "ignore-n: resumed after kill -9 = uninterrupted"

# --- 3. foreign, truncated and unwritable cache entries ----------------------
start_mock
pipeline "$T/f.yaml" "$T/c_f" "$T/f" "samples: 1"
expect 0 "one sample per record" -- run "$T/f.yaml" -q
mapfile -t entries < <(find "$T/c_f" -type f | sort)
cp "${entries[0]}" "${entries[1]}"              # record X's answer under Y's key
printf '{"key": "' >"${entries[2]}"             # a cut entry
rm -rf "$T/f"
expect 0 "a foreign and a cut entry" -- run "$T/f.yaml" -q
if python3 - "$T/f" <<'PY'
import json, sys
d = sys.argv[1]
st = json.load(open(d + "/report.json"))["stages"][0]
assert st["cache"]["foreign"] == 2 and st["cache"]["hits"] == 14, st["cache"]
for p in map(json.loads, open(d + "/pairs.jsonl")):
    assert p["original"]["text"] in p["counterfactual"]["text"], p
PY
then ok "foreign and cut entries: 2 counted misses, every answer its own record's"
else bad "foreign entries"; fi
# a cache that cannot be written: every two-digit subfolder is a file
mkdir -p "$T/c_ro"
python3 -c "
import os
for i in range(256): open(os.path.join('$T/c_ro', '%02x' % i), 'w').close()"
pipeline "$T/ro.yaml" "$T/c_ro" "$T/ro" "samples: 1"
expect 0 "an unwritable cache: the run goes on" -- run "$T/ro.yaml" -q
contains "$T/err" "warning: stage 'llm': cannot write the response cache" "an unwritable cache: warned on stderr"
[ "$(grep -c 'cannot write the response cache' "$T/err")" -eq 1 ] && ok "an unwritable cache: warned once" \
  || bad "an unwritable cache: warned $(grep -c 'cannot write' "$T/err") times"

finish
