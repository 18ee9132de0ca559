#!/usr/bin/env bash
# Exact resume at scale (issue 11): N records of the CAD sentiment training
# originals (/work/shared/data/cad-sentiment/orig_train.tsv, Kaushik et al.,
# Apache-2.0) through an llm stage (samples 3) against the tests' mock
# server ignoring n (the mode that used to duplicate samples), killed with
# SIGKILL at several points of a run and resumed; each resumed output is
# compared byte for byte with an uninterrupted run, and the requests sent
# by kill + resume with the uninterrupted run's.
# usage: [CFAUG=build/cfaug] bench/resume_cad.sh [N=1000] [POINTS="10 30 50 70 90"]
# Run from the project root after building.
set -eu
N=${1:-1000}
POINTS=${POINTS:-10 30 50 70 90}
CFAUG=${CFAUG:-build/cfaug}
DATA=${DATA:-/work/shared/data/cad-sentiment/orig_train.tsv}
T=$(mktemp -d /tmp/cfaug-resume-bench-XXXXXX)
MP=""
trap '[ -n "$MP" ] && kill $MP 2>/dev/null; rm -rf "$T"' EXIT

head -n $((N + 1)) "$DATA" >"$T/in.tsv"
python3 tests/mock_openai.py --port 0 --port-file "$T/port" --log "$T/mock.log" \
  --ignore-n --latency-ms 20 2>/dev/null &
MP=$!
for i in $(seq 1 100); do [ -s "$T/port" ] && break; sleep 0.05; done
export MOCK_PORT=$(cat "$T/port")

pipeline() {  # pipeline NAME
  cat >"$T/$1.yaml" <<EOF
seed: 11
input: {path: $T/in.tsv, text_fields: [Text], label_field: Sentiment, labels: [Negative, Positive]}
stages:
  - type: llm
    base_url: http://127.0.0.1:\${MOCK_PORT}/v1
    model: mock-1
    prompt: prompts/sentiment-flip.txt
    fields: [Text]
    target: {Positive: Negative, Negative: Positive}
    parse: {between: ["<new>", "</new>"]}
    samples: 3
    concurrency: 16
    cache: $T/cache-$1
output: {dir: $T/out-$1}
EOF
}
requests() { wc -l <"$T/mock.log" | tr -d ' '; }

pipeline ref
r0=$(requests)
t0=$(date +%s.%N)
"$CFAUG" run "$T/ref.yaml" -q
secs=$(python3 -c "import time; print(time.time() - $t0)")
ref_requests=$(( $(requests) - r0 ))
echo "uninterrupted: $N records, $(wc -l <"$T/out-ref/pairs.jsonl") pairs, $ref_requests requests, $(printf %.1f "$secs") s"
echo "kill at | entries cached at the kill | requests (kill + resume) | extra vs uninterrupted | output"
for p in $POINTS; do
  pipeline "k$p"
  r0=$(requests)
  "$CFAUG" run "$T/k$p.yaml" -q >/dev/null 2>&1 &
  pid=$!
  sleep "$(python3 -c "print($secs * $p / 100)")"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  cached=$(find "$T/cache-k$p" -type f 2>/dev/null | wc -l)
  "$CFAUG" run "$T/k$p.yaml" -q
  used=$(( $(requests) - r0 ))
  same=identical
  for f in pairs.jsonl augmented.jsonl rejected.jsonl; do
    cmp -s "$T/out-ref/$f" "$T/out-k$p/$f" || same="DIFFERS ($f)"
  done
  echo "$p% | $cached | $used | $((used - ref_requests)) | $same"
done
