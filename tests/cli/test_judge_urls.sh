#!/usr/bin/env bash
# Remote judges' URLs (issue 11): a judge URL that is not http(s) is a
# config error at load that does not echo it; userinfo and query values of
# a judge URL never reach pairs.jsonl, rejected.jsonl or the eval report.
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../mock_lib.sh"

head -6 examples/data/reviews.jsonl >"$T/reviews.jsonl"
start_mock --latency-ms 1
U="http://127.0.0.1:$MOCK_PORT"
pipeline() {  # pipeline URL: rules -> teacher with one vllm judge at URL
  cat >"$T/p.yaml" <<Y
input: {path: "$T/reviews.jsonl", text_fields: [text], label_field: label, id_field: id, labels: [negative, positive]}
stages:
  - {type: rules, packs: [antonyms], label: {positive: negative, negative: positive}}
  - type: teacher
    judges:
      - {kind: vllm, name: v, url: "$1", model: clf-1, labels: {0: negative, 1: positive}}
    accept: {policy: delta, min_delta: 0.01}
Y
}

pipeline "file:///etc/passwd"
run_cf run "$T/p.yaml" -q -o "$T/bad"
[ "$RC" -eq 3 ] && ok "a file:// judge URL is a config error (exit 3)" || bad "file:// judge: exit $RC" "$(cat "$T/err")"
grep -q "passwd" "$T/err" && bad "the refused URL is echoed" "$(cat "$T/err")" || ok "the refused URL is not echoed"
[ -e "$T/bad/pairs.jsonl" ] && bad "a refused config wrote output" || ok "nothing written"

pipeline "http://user:s3cr3tpw@127.0.0.1:$MOCK_PORT/classify?token=qqsecretqq"
run_cf run "$T/p.yaml" -q -o "$T/ok"
[ "$RC" -eq 0 ] && ok "userinfo + query URL runs (exit 0)" || bad "run: exit $RC" "$(cat "$T/err")"
grep -q '"url":"http://127.0.0.1:[0-9]*/classify?token=\*\*\*"' "$T/ok/pairs.jsonl" "$T/ok/rejected.jsonl" \
  && ok "the judge's url is written redacted" || bad "no redacted url in the outputs"
grep -rqE "s3cr3tpw|qqsecretqq" "$T/ok" "$T/err" && bad "userinfo or query value leaked" \
  "$(grep -rlE 's3cr3tpw|qqsecretqq' "$T/ok" "$T/err")" || ok "no userinfo or query value in any output or stderr"

# cfaug eval's report: the judge endpoint redacted too
cat >"$T/j.yaml" <<Y
kind: vllm
name: v
url: "http://user:s3cr3tpw@127.0.0.1:$MOCK_PORT/classify?token=qqsecretqq"
model: clf-1
labels: {0: negative, 1: positive}
Y
run_cf eval -i "$T/ok/pairs.jsonl" --judge "$T/j.yaml" -o "$T/ev"
[ "$RC" -eq 0 ] && ok "eval with the judge (exit 0)" || bad "eval: exit $RC" "$(cat "$T/err")"
grep -rqE "s3cr3tpw|qqsecretqq" "$T/ev" "$T/err" && bad "eval leaked userinfo or a query value" || ok "eval report redacted"
finish
