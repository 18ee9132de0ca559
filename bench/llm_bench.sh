#!/usr/bin/env bash
# llm stage benchmarks against a loopback mock server:
#  1. throughput at 50 ms latency with 64 in flight, vs the ideal 64/0.05 s
#     = 1280 requests/s; CPU time of cfaug per request;
#  2. a heavy tail (3% of requests 20x slower) with 50 in flight: cfaug vs
#     a batch-synchronous client (batches of 50, bench/llm_batch_client.py).
# Two servers, side by side: "c" = bench/mock_fast.c (epoll, C; built as
# build/mock_fast), so the figure measures the client, and "py" =
# tests/mock_openai.py (asyncio, the tests' mock; near its limit at 1280
# req/s on 2 cores).  Every cfaug binary in $CFAUGS runs against every
# server, REPEAT times, interleaved; the summary gives medians.
# usage: [CFAUGS="old/cfaug build/cfaug"] [SERVERS="c py"] [REPEAT=3] \
#        [BATCH=1] bench/llm_bench.sh [N_THROUGHPUT=4000] [N_TAIL=1000]
# Run from the project root after building.
set -eu
N1=${1:-4000}
N2=${2:-1000}
CFAUGS=${CFAUGS:-${CFAUG:-build/cfaug}}
SERVERS=${SERVERS:-c py}
REPEAT=${REPEAT:-3}
BATCH=${BATCH:-1}
MOCK_FAST=${MOCK_FAST:-build/mock_fast}
T=$(mktemp -d /tmp/cfaug-llm-bench-XXXXXX)
MP=""
trap '[ -n "$MP" ] && kill $MP 2>/dev/null; rm -rf "$T"' EXIT
if [ ! -x "$MOCK_FAST" ]; then
  MOCK_FAST=$T/mock_fast
  cc -O2 -o "$MOCK_FAST" bench/mock_fast.c
fi

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

mock() {  # mock c|py ARGS...
  local kind=$1; shift
  if [ -n "$MP" ]; then kill $MP 2>/dev/null; wait $MP 2>/dev/null || true; fi
  rm -f "$T/port"
  if [ "$kind" = c ]; then
    "$MOCK_FAST" --port-file "$T/port" "$@" 2>/dev/null & MP=$!
  else
    python3 tests/mock_openai.py --port-file "$T/port" "$@" & MP=$!
  fi
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

# cfaug's own CPU (user+sys) and wall time; requests/s from its report;
# the mock's CPU (from /proc, 10 ms ticks) over the same run.  Appends
# "scenario server binary req/s us/req p50 p99 mock_us/req" to $T/results.
run_cfaug() {  # run_cfaug BINARY SCENARIO SERVER
  python3 - "$1" "$T/p.yaml" "$T/out/report.json" "$2" "$3" "$T/results" "$MP" <<'PY'
import json, os, resource, subprocess, sys, time
cf, pipe, rep, scen, srv, res, mp = sys.argv[1:8]
def mock_cpu():
    f = open("/proc/%s/stat" % mp).read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
m0 = mock_cpu()
t0 = time.time()
subprocess.run([cf, "run", pipe, "-q", "--no-cache"], check=True)
wall = time.time() - t0
m1 = mock_cpu()
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
s = json.load(open(rep))["stages"][0]
n = s["requests"]
cpu = (ru.ru_utime + ru.ru_stime) / n * 1e6
mcpu = (m1 - m0) / n * 1e6
print("%-6s %-3s %-28s %d requests in %.2f s: %.1f req/s; CPU %.1f us/request "
      "(mock %.0f); latency p50 %.0f ms p99 %.0f ms; max in flight %d; load %.1f"
      % (scen, srv, cf, n, wall, n / wall, cpu, mcpu,
         s["latency_ms"]["p50"], s["latency_ms"]["p99"], s["max_in_flight"],
         os.getloadavg()[0]), flush=True)
with open(res, "a") as f:
    f.write("%s %s %s %.1f %.1f %.0f %.0f %.1f\n" % (scen, srv, cf, n / wall, cpu,
            s["latency_ms"]["p50"], s["latency_ms"]["p99"], mcpu))
PY
}

echo "== 1. throughput: 50 ms latency, concurrency 64, ideal 1280 req/s"
for r in $(seq "$REPEAT"); do
  for srv in $SERVERS; do
    for cf in $CFAUGS; do
      mock "$srv" --latency-ms 50
      pipe "$T/in1.jsonl" 64
      run_cfaug "$cf" thru "$srv"
    done
  done
done

echo "== 2. heavy tail: 50 ms, 3% of requests x20 (1 s), 50 in flight"
for srv in $SERVERS; do
  for cf in $CFAUGS; do
    mock "$srv" --latency-ms 50 --tail-frac 0.03 --tail-mult 20 --rng-seed 7
    pipe "$T/in2.jsonl" 50
    run_cfaug "$cf" tail "$srv"
  done
  if [ "$BATCH" = 1 ]; then
    mock "$srv" --latency-ms 50 --tail-frac 0.03 --tail-mult 20 --rng-seed 7
    printf "tail   %-3s batch-synchronous (batch 50): " "$srv"
    python3 bench/llm_batch_client.py "$PORT" "$T/in2.jsonl" 50
  fi
done

echo "== medians (req/s, cfaug CPU us/request, latency p50/p99 ms, mock CPU us/request)"
python3 - "$T/results" <<'PY'
import statistics, sys
rows = {}
for l in open(sys.argv[1]):
    sc, srv, cf, *v = l.split()
    rows.setdefault((sc, srv, cf), []).append([float(x) for x in v])
for (sc, srv, cf), vs in rows.items():
    m = [statistics.median(c) for c in zip(*vs)]
    extra = " = %.0f%% of ideal" % (m[0] / 12.8) if sc == "thru" else ""
    print("%-6s %-3s %-28s runs %d: %.0f req/s%s, %.0f us/request, p50 %.0f p99 %.0f ms, "
          "mock %.0f us/request" % (sc, srv, cf, len(vs), m[0], extra, m[1], m[2], m[3], m[4]))
PY
