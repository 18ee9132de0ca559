#!/usr/bin/env bash
# A 10 MB prompt variable (issue 7): a JSONL record whose text field is
# 10 MB, between two good records, through an llm stage against the
# loopback mock.  With the default max_record_bytes (1 MiB) the reader
# reports it as an input error; with max_record_bytes raised to 16 MB the
# llm stage fails that record because its rendered prompt is over
# max_prompt_kb, without sending it.  Either way the good records are
# processed, the totals reconcile, and the run stays within MAX_RSS_KB
# and MAX_SECONDS.  Prints each run's peak RSS and time.
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../mock_lib.sh"
MAX_RSS_KB=524288    # measured at most 80 MB, 262 MB under ASan (docs/RELIABILITY.md)
MAX_SECONDS=60
export CFAUG_TEST_KEY="sk-test-big-$$"

python3 - "$T/in.jsonl" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    f.write(json.dumps({"id": "g1", "text": "a fine film", "label": "positive"}) + "\n")
    f.write(json.dumps({"id": "big", "text": "great " * (10 * 1024 * 1024 // 6 + 1),
                        "label": "positive"}) + "\n")
    f.write(json.dumps({"id": "g2", "text": "a bad film", "label": "negative"}) + "\n")
PY

cat >"$T/p.yaml" <<EOF
seed: 5
input: {path: $T/in.jsonl, text_fields: [text], label_field: label, id_field: id, labels: [negative, positive]}
stages:
  - type: llm
    base_url: http://127.0.0.1:\${MOCK_PORT}/v1
    model: mock-1
    api_key_env: CFAUG_TEST_KEY
    prompt: prompts/sentiment-flip.txt
    target: {positive: negative, negative: positive}
    parse: {mode: text, between: ["<new>", "</new>"]}
    max_retries: 0
    cache: $T/cache
output: {dir: $T/res}
EOF

# brun NAME [args...]: cfaug run, timed; RC, RSS (KB), SECS
brun() {
  local name=$1; shift
  rm -rf "$T/res" "$T/cache"
  /usr/bin/time -f '%M %e' -o "$T/$name.time" "$CFAUG" run "$T/p.yaml" -q "$@" \
    >"$T/out" 2>"$T/err" </dev/null
  RC=$?
  read -r RSS SECS < <(tail -n 1 "$T/$name.time")
  if [ "$RC" -eq 0 ]; then ok "$name: exit 0"
  else bad "$name: exit $RC" "$(head -c 300 "$T/err")"; fi
  if [ "$RSS" -le "$MAX_RSS_KB" ] && awk "BEGIN{exit !($SECS <= $MAX_SECONDS)}"; then
    ok "$name: bounded (peak RSS $((RSS / 1024)) MB, ${SECS} s)"
  else
    bad "$name: peak RSS ${RSS} KB (max $MAX_RSS_KB), ${SECS} s (max $MAX_SECONDS)"
  fi
}

# verify REASON: one error for record 'big' with REASON, g1 and g2 edited,
# totals reconcile, no request carried the big text
verify() {
  if python3 - "$T/res" "$1" "$MOCK_LOG" >"$T/verify" 2>&1 <<'PY'
import json, sys
d, want, log = sys.argv[1:4]
lines = lambda p: [json.loads(l) for l in open(p, encoding="utf-8")]
errs = lines(d + "/errors.jsonl")
assert len(errs) == 1 and errs[0]["line"] == 2, [{k: str(v)[:80] for k, v in e.items()} for e in errs]
assert want in errs[0]["reason"], errs[0]["reason"][:300]
pairs = lines(d + "/pairs.jsonl")
assert sorted(p["orig_id"] for p in pairs) == ["g1", "g2"], [p["orig_id"] for p in pairs]
t = json.load(open(d + "/report.json"))["totals"]
assert t["records_read"] == 3 and t["records_errors"] == 1, t
assert t["records_read"] == t["records_processed"] + t["records_errors"], t
reqs = lines(log)
assert len(reqs) == 2 and all("great great" not in r["user_tail"] for r in reqs), reqs
PY
  then ok "$2"
  else bad "$2" "$(tail -c 600 "$T/verify")"; fi
}

start_mock
brun "10 MB record, default max_record_bytes"
verify "record exceeds max_record_bytes (1048576)" \
  "10 MB record: input error at line 2, good records edited, nothing big sent"

start_mock
brun "10 MB record, max_record_bytes 16 MB" --set input.max_record_bytes=16000000
verify "is larger than max_prompt_kb (2048): not sent" \
  "10 MB prompt: record failed unsent (max_prompt_kb), good records edited"

start_mock
brun "10 MB record, max_record_bytes and max_prompt_kb raised" \
  --set input.max_record_bytes=16000000 --set stages.0.max_prompt_kb=16384 \
  --set stages.0.max_response_kb=1024
# the mock echoes the text: the answer is over max_response_kb, so the
# request fails with that reason and the record's candidate is rejected
if python3 - "$T/res" >"$T/verify" 2>&1 <<'PY'
import json, sys
d = sys.argv[1]
lines = lambda p: [json.loads(l) for l in open(p, encoding="utf-8")]
rej = lines(d + "/rejected.jsonl")
assert len(rej) == 1 and rej[0]["orig_id"] == "big" and rej[0]["reason"] == "request_failed", rej
assert "response larger than 1048576 bytes" in rej[0]["detail"]["error"], rej[0]["detail"]
assert sorted(p["orig_id"] for p in lines(d + "/pairs.jsonl")) == ["g1", "g2"]
PY
then ok "10 MB prompt sent when allowed: bounded, answer over max_response_kb rejected with its reason, good records edited"
else bad "10 MB prompt sent when allowed" "$(tail -c 600 "$T/verify")"; fi

finish
