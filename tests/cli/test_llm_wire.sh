#!/usr/bin/env bash
# The llm stage end to end against answers shaped the ways HTTP/1.1 allows,
# from the bench's C mock (bench/mock_fast.c, build/mock_fast): chunked
# bodies cut every few bytes (with an extension and a trailer), responses
# written a few bytes per write() (headers and chunk sizes split across
# reads), and Connection: close on every second or third answer (the
# client must open a new connection, never send on the closed one).  Each
# run writes the same files as the plain run, byte for byte, with no
# retry and no failed request; and the plain run through libcurl
# (CFAUG_HTTP_CLIENT=curl) writes them too.
set -u
. "$(dirname "$0")/../lib.sh"
MF="${CFAUG_BUILD:-build}/mock_fast"
[ -x "$MF" ] || { echo "no $MF: skipped"; exit 0; }
MP=""
trap '[ -n "$MP" ] && kill "$MP" 2>/dev/null; rm -rf "$T"' EXIT

python3 - "$T/in.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(60):
        lab = "positive" if i % 2 else "negative"
        text = 'review %d: "quoted" \\ back\nslash, ünïcødé 🎬 %s' % (i, "long " * (i * 7))
        f.write(json.dumps({"id": "r%02d" % i, "text": text, "label": lab}) + "\n")
PY

# run_shape NAME ENV=VALUE|"" -- MOCK ARGS...: one run against a fresh mock
run_shape() {
  local name=$1 envv=$2; shift 3
  [ -n "$MP" ] && { kill "$MP" 2>/dev/null; wait "$MP" 2>/dev/null; }
  rm -f "$T/port"
  "$MF" --port-file "$T/port" --latency-ms 5 "$@" 2>"$T/mock.err" & MP=$!
  for i in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
  PORT=$(cat "$T/port" 2>/dev/null)
  cat >"$T/p.yaml" <<Y
seed: 3
input: {path: $T/in.jsonl, id_field: id, text_fields: [text], label_field: label}
stages:
  - type: llm
    base_url: http://127.0.0.1:$PORT/v1
    model: m
    prompt: prompts/sentiment-flip.txt
    target: {positive: negative, negative: positive}
    parse: {mode: text, between: ["<new>", "</new>"]}
    concurrency: 8
    max_retries: 0
output: {dir: $T/res-$name}
Y
  [ -n "$envv" ] && export "${envv?}"
  expect 0 "$name: run" -- run "$T/p.yaml" -q --no-cache
  unset CFAUG_HTTP_CLIENT
}

run_shape plain "" -- 
for shape in "chunked:--chunked 7" "pieces:--piece 3" "close:--close-every 3" \
             "all:--chunked 5 --piece 2 --close-every 2"; do
  name=${shape%%:*}
  # shellcheck disable=SC2086
  run_shape "$name" "" -- ${shape#*:}
done
run_shape curl CFAUG_HTTP_CLIENT=curl -- --chunked 7 --close-every 3

for name in chunked pieces close all curl; do
  same=1
  for f in pairs.jsonl augmented.jsonl rejected.jsonl errors.jsonl; do
    cmp -s "$T/res-plain/$f" "$T/res-$name/$f" || same=0
  done
  [ $same = 1 ] && ok "$name: the same files as the plain run" || \
    bad "$name: outputs differ from the plain run" "$(diff "$T/res-plain/pairs.jsonl" "$T/res-$name/pairs.jsonl" | head -c 400)"
  if python3 - "$T/res-$name/report.json" <<'PY' >"$T/check.out" 2>&1
import json, sys
s = json.load(open(sys.argv[1]))["stages"][0]
assert s["requests"] == 60 and s["retries"] == 0 and s["requests_failed"] == 0, s
PY
  then ok "$name: 60 requests, no retry, none failed"; else bad "$name: report" "$(tail -c 400 "$T/check.out")"; fi
done
[ "$(wc -l < "$T/res-plain/pairs.jsonl")" = 60 ] && ok "plain: 60 pairs" || bad "plain: 60 pairs"
finish
