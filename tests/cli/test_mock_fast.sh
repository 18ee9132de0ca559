#!/usr/bin/env bash
# The bench's C mock server (bench/mock_fast.c, build/mock_fast) speaks
# enough OpenAI for cfaug: every record of an input with quotes,
# backslashes, newlines and non-ASCII gets its samples (n = 2), each the
# echo of its original text; the latency option holds answers back.
set -u
. "$(dirname "$0")/../lib.sh"
MF="${CFAUG_BUILD:-build}/mock_fast"
[ -x "$MF" ] || { echo "no $MF: skipped"; exit 0; }
MP=""
trap '[ -n "$MP" ] && kill "$MP" 2>/dev/null; rm -rf "$T"' EXIT

python3 - "$T/in.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    for i in range(40):
        lab = "positive" if i % 2 else "negative"
        text = 'review %d: "quoted" \\ back\nslash, ünïcødé 🎬 </new>?' % i
        f.write(json.dumps({"id": "r%02d" % i, "text": text, "label": lab}) + "\n")
PY
"$MF" --port-file "$T/port" --latency-ms 20 2>"$T/mock.err" & MP=$!
for i in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
PORT=$(cat "$T/port" 2>/dev/null)
[ -n "$PORT" ] || { bad "mock_fast starts" "$(cat "$T/mock.err")"; finish; exit 1; }
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
    samples: 2
    concurrency: 8
output: {dir: $T/res}
Y
expect 0 "run against mock_fast" -- run "$T/p.yaml" -q --no-cache
if python3 - "$T" <<'PY' >"$T/check.out" 2>&1
import json, sys
d = sys.argv[1]
ins = {json.loads(l)["id"]: json.loads(l) for l in open(d + "/in.jsonl")}
pairs = [json.loads(l) for l in open(d + "/res/pairs.jsonl")]
assert len(pairs) == 80, len(pairs)
s = json.load(open(d + "/res/report.json"))["stages"][0]
assert s["requests"] == 40, s["requests"]            # n = 2: one request each
assert s["latency_ms"]["p50"] >= 19, s["latency_ms"]
for p in pairs:
    o = ins[p["orig_id"]]["text"]
    # the answer is cut at the first </new>, which the text itself holds
    want = "NOT " + o[:o.index("</new>")]
    assert p["counterfactual"]["text"] == want.strip(), (p["counterfactual"]["text"], want)
    assert p["generator"]["finish_reason"] == "stop"
PY
then ok "80 pairs, each the echo of its original"; else bad "pairs" "$(tail -c 600 "$T/check.out")"; fi
finish
