#!/usr/bin/env bash
# examples/llm-sentiment.yaml (skipped by test_examples.sh: it needs a
# server) runs against the loopback mock, reconciles, and resumes from its
# cache; its dry run sends nothing.
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../mock_lib.sh"

start_mock --latency-ms 5
args=(run examples/llm-sentiment.yaml -q -o "$T/res"
      --set "stages.0.base_url=http://127.0.0.1:$MOCK_PORT/v1"
      --set "stages.0.cache=$T/cache")
expect 0 "example llm-sentiment against the mock" -- "${args[@]}" --dry-run
[ "$(mock_requests)" = 0 ] && ok "its dry run sends nothing" || bad "dry run sent requests"
expect 0 "example llm-sentiment against the mock" -- "${args[@]}"
python3 - "$T/res" >"$T/check" 2>&1 <<'PY'
import json, os, sys
d = sys.argv[1]
r = json.load(open(os.path.join(d, "report.json")))
t = r["totals"]
n = sum(1 for _ in open("examples/data/reviews.jsonl"))
assert t["records_read"] == n == t["records_processed"], t
assert t["candidates"] == 2 * n == t["accepted"] + t["rejected"], t
assert t["accepted"] > 0
assert sum(1 for _ in open(os.path.join(d, "pairs.jsonl"))) == t["accepted"]
llm = r["stages"][0]
assert llm["requests"] == n and llm["usage"]["total_tokens"] > 0, llm
print("reconciles")
PY
contains "$T/check" "reconciles" "example llm-sentiment reconciles"
sent=$(mock_requests)
expect 0 "example re-run" -- "${args[@]}"
[ "$(mock_requests)" = "$sent" ] && ok "example re-run is served from the cache" \
  || bad "example re-run sent $(( $(mock_requests) - sent )) requests"
finish
