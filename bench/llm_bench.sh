#!/usr/bin/env bash
# llm stage benchmarks against the loopback mock (tests/mock_openai.py):
#  1. throughput at 50 ms latency with 64 in flight, vs the ideal 64/0.05 s
#     = 1280 requests/s; CPU time of cfaug per request;
#  2. a heavy tail (3% of requests 20x slower) with 50 in flight: cfaug vs
#     a batch-synchronous client (batches of 50, bench/llm_batch_client.py).
# usage: bench/llm_bench.sh [N_THROUGHPUT=4000] [N_TAIL=1000]
# Run from the project root after building (build/cfaug).
set -eu
N1=${1:-4000}
N2=${2:-1000}
CFAUG=${CFAUG:-build/cfaug}
T=$(mktemp -d /tmp/cfaug-llm-bench-XXXXXX)
MP=""
trap '[ -n "$MP" ] && kill $MP 2>/dev/null; rm -rf "$T"' EXIT

python3 - "$T" "$N1" "$N2" <<'PY'
import json, sys
d, n1, n2 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
src = [json.loads(l) for l in open("examples/data/reviews.jsonl")]
for name, n in (("in1.jsonl", n1), ("in2.jsonl", n2)):
    with open("%s/%s" % (d, name), "w") as f:
        for i in range(n):
            r = src[i % len(src)]
            f.write(json.dumps({"id": "b%d" % i, "text": r["text"][:600] + " #%d" % i,
                                "label": r["label"]}) + "\n")
PY

mock() {
  [ -n "$MP" ] && kill $MP 2>/dev/null && wait $MP 2>/dev/null || true
  rm -f "$T/port"
  python3 tests/mock_openai.py --port-file "$T/port" "$@" & MP=$!
  for i in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
  PORT=$(cat "$T/port")
}

pipe() {  # pipe INPUT CONCURRENCY
  cat >"$T/p.yaml" <<Y
input: {path: $1, id_field: id, text_fields: [text], label_field: label}
stages:
  - type: llm
    base_url: http://127.0.0.1:$PORT/v1
    model: mock
    prompt: prompts/sentiment-flip.txt
    target: {positive: negative, negative: positive}
    parse: {mode: text, between: ["<new>", "</new>"]}
    temperature: 0.7
    concurrency: $2
    timeout_s: 30
output: {dir: $T/out}
Y
}

# cfaug's own CPU (user+sys) and wall time; requests/s from its report
run_cfaug() {
  python3 - "$CFAUG" "$T/p.yaml" "$T/out/report.json" <<'PY'
import json, resource, subprocess, sys, time
cf, pipe, rep = sys.argv[1:4]
t0 = time.time()
subprocess.run([cf, "run", pipe, "-q", "--no-cache"], check=True)
wall = time.time() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
s = json.load(open(rep))["stages"][0]
n = s["requests"]
print("%d requests in %.2f s: %.1f req/s; cfaug CPU %.1f us/request; "
      "latency p50 %.0f ms p99 %.0f ms; max in flight %d"
      % (n, wall, n / wall, (ru.ru_utime + ru.ru_stime) / n * 1e6,
         s["latency_ms"]["p50"], s["latency_ms"]["p99"], s["max_in_flight"]))
PY
}

echo "== 1. throughput: 50 ms latency, concurrency 64, ideal 1280 req/s"
mock --latency-ms 50
pipe "$T/in1.jsonl" 64
run_cfaug

echo "== 2. heavy tail: 50 ms, 3% of requests x20 (1 s), 50 in flight"
mock --latency-ms 50 --tail-frac 0.03 --tail-mult 20 --rng-seed 7
pipe "$T/in2.jsonl" 50
printf "cfaug (concurrency 50):        "; run_cfaug
mock --latency-ms 50 --tail-frac 0.03 --tail-mult 20 --rng-seed 7
printf "batch-synchronous (batch 50):  "; python3 bench/llm_batch_client.py "$PORT" "$T/in2.jsonl" 50
