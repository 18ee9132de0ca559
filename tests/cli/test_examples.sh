#!/usr/bin/env bash
# Every pipeline in examples/ runs from the project root, as the README
# says, and its report reconciles: records read = processed + errors,
# candidates = accepted + rejected, and the files hold those many lines.
set -u
. "$(dirname "$0")/../lib.sh"

for y in examples/*.yaml; do
  name=$(basename "$y" .yaml)
  # examples needing a trained model or a server say so in a first-line tag
  if head -1 "$y" | grep -q 'cfaug-test: skip'; then
    echo "skip - $name ($(head -1 "$y" | sed 's/.*cfaug-test: skip *//'))"; continue
  fi
  expect 0 "example $name" -- run "$y" -o "$T/$name" -q
  python3 - "$T/$name" >"$T/check" 2>&1 <<'PY'
import json, sys, os
d = sys.argv[1]
r = json.load(open(os.path.join(d, "report.json")))
t = r["totals"]
lines = lambda f: sum(1 for _ in open(os.path.join(d, f), encoding="utf-8"))
assert t["records_read"] == t["records_processed"] + t["records_errors"], t
assert t["candidates"] == t["accepted"] + t["rejected"], t
assert lines("pairs.jsonl") == t["accepted"], "pairs"
assert lines("rejected.jsonl") == t["rejected"], "rejected"
assert lines("errors.jsonl") == t["records_errors"], "errors"
assert lines("augmented.jsonl") == t["originals_written"] + t["accepted"], "augmented"
print("reconciles")
PY
  contains "$T/check" "reconciles" "example $name reconciles"
done
finish
