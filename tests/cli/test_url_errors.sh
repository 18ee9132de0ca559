#!/usr/bin/env bash
# A URL that is not http(s) is a config error at its own key's location
# (FILE:LINE:COL: KEY ...), for the llm stage and for teacher judges, and
# the message never echoes the URL (it may hold a secret from ${VAR}).
set -u
. "$(dirname "$0")/../lib.sh"
IN="$PWD/examples/data/reviews.jsonl"
cat >"$T/judge.yaml" <<Y
input: {path: $IN, id_field: id, text_fields: [text], label_field: label, labels: [negative, positive]}
stages:
  - type: rules
    packs: [gender]
  - type: teacher
    judges:
      - kind: tei
        url: ftp://secret-host.example/x
output: {dir: $T/out1}
Y
expect 3 "teacher judge with an ftp url" -- run "$T/judge.yaml"
contains "$T/err" "judge.yaml:8:14: url must start with http:// or https://" "judge url error has FILE:LINE:COL and the key"
if grep -q "secret-host" "$T/err"; then bad "judge url error does not echo the URL" "$(cat "$T/err")"
else ok "judge url error does not echo the URL"; fi
cat >"$T/llm.yaml" <<Y
input: {path: $IN, id_field: id, text_fields: [text], label_field: label, labels: [negative, positive]}
stages:
  - type: llm
    base_url: "http://secret-host.example:/v1"
    model: m
    prompt: prompts/sentiment-flip.txt
    target: {positive: negative, negative: positive}
output: {dir: $T/out2}
Y
expect 3 "llm stage with an empty port" -- run "$T/llm.yaml"
contains "$T/err" "llm.yaml:4:15: base_url has an empty port" "llm base_url error has FILE:LINE:COL and the key"
if grep -q "secret-host" "$T/err"; then bad "llm url error does not echo the URL" "$(cat "$T/err")"
else ok "llm url error does not echo the URL"; fi
finish
