#!/usr/bin/env bash
# Behaviour lock for the judge engine and eval refactor (issue 10): byte
# comparisons against tests/golden/engine/ of
#   teacher_builtin/  examples/sentiment-flip-teacher.yaml with a model
#                     trained here from tests/data/teacher (offline)
#   teacher_remote/   rules -> teacher with builtin + tei + vllm + llm judges
#                     (combine: vote) against the loopback mock
#   llm_teacher/      examples/llm-teacher.yaml (llm stage + llm judge) on the mock
#   eval/             cfaug eval of the rules-only pairs with the four judge
#                     kinds, --fluency and --review-export (report.json,
#                     report.html, review.csv and the stderr summary)
#   help_stages.txt   the text of `cfaug help stages`
# The three runs also lock the dataset card (README.md: stages with their
# packs, models, prompts, endpoints and judges), pipeline sha256 left out.
# Timings are dropped from report.json files; the mock's port and the temp
# dir are replaced by PORT and TMP.  CFAUG_UPDATE_GOLDEN=1 rewrites the
# expected files from the current binary: review the diff before committing.
set -u
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../mock_lib.sh"
G=tests/golden/engine
PROMPT="$(pwd)/prompts/judge-sentiment.txt"

# normalise FILE: port, temp dir and timing fields out
norm() {
  python3 - "$1" "$T" "${MOCK_PORT:-0}" <<'PY'
import json, re, sys
path, tmp, port = sys.argv[1], sys.argv[2], sys.argv[3]
text = open(path, encoding="utf-8").read()
text = text.replace(tmp, "TMP").replace("127.0.0.1:" + port, "127.0.0.1:PORT")
if path.endswith("report.json"):
    # timings, and figures that depend on them or on the temp dir
    drop = re.compile(r"seconds|per_second|latency_ms|max_in_flight")
    def strip(v):
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items()
                    if not drop.search(k) and not (k == "sha256" and "path" in v)}
        if isinstance(v, list):
            return [strip(x) for x in v]
        return v
    text = json.dumps(strip(json.loads(text)), indent=1, sort_keys=True) + "\n"
if path.endswith("README.md"):
    text = re.sub(r"sha256 `[0-9a-f]{64}`", "sha256 `SHA`", text)
if path.endswith(".html"):
    text = re.sub(r"[0-9.]+ s\b", "N s", text)
sys.stdout.write(text)
PY
}

# same NAME DIR FILES...: each DIR/FILE, normalised, equals $G/NAME/FILE
same() {
  local name=$1 dir=$2 f diffs=""; shift 2
  mkdir -p "$G/$name"
  for f in "$@"; do
    norm "$dir/$f" >"$T/got" 2>&1
    if [ -n "${CFAUG_UPDATE_GOLDEN:-}" ]; then cp "$T/got" "$G/$name/$f"; fi
    cmp -s "$T/got" "$G/$name/$f" || diffs="$diffs $f"
  done
  if [ -z "$diffs" ]; then ok "$name: byte-identical ($*)"
  else bad "$name: differs:$diffs" "$(diff "$T/got" "$G/$name/${diffs##* }" | head -8)"; fi
}
OUTS=(pairs.jsonl augmented.jsonl rejected.jsonl errors.jsonl report.json README.md)
# 40 reviews keep the expected files small
head -40 examples/data/reviews.jsonl >"$T/reviews.jsonl"
IN=(--set "input.path=$T/reviews.jsonl")

run_cf teacher train -i tests/data/teacher/train.jsonl --text-field text \
  --label-field label -o "$T/m.cft" --dev-split 0
[ "$RC" -eq 0 ] && ok "train the sample model" || bad "train: exit $RC" "$(cat "$T/err")"

expect 0 "builtin teacher run" -- run examples/sentiment-flip-teacher.yaml -q \
  -o "$T/tb" --set "stages.1.judges.0.model=$T/m.cft" "${IN[@]}" \
  --set stages.1.accept.min_delta=0.05
same teacher_builtin "$T/tb" "${OUTS[@]}"

start_mock --latency-ms 1
U="http://127.0.0.1:$MOCK_PORT"
cat >"$T/remote.yaml" <<Y
seed: 5
input: {path: "$T/reviews.jsonl", text_fields: [text], label_field: label, id_field: id, labels: [negative, positive]}
stages:
  - type: rules
    packs: [antonyms]
    label: {positive: negative, negative: positive}
  - type: teacher
    combine: vote
    judges:
      - {kind: builtin, name: m, model: "$T/m.cft", fields: [text], labels: {Negative: negative, Positive: positive}}
      - {kind: tei, name: a, url: "$U/predict", labels: {LABEL_0: negative, LABEL_1: positive}}
      - {kind: vllm, name: b, url: "$U/classify?bias=1", model: clf-1, labels: {0: negative, 1: positive}}
      - {kind: llm, name: c, base_url: "$U/judge/v1", model: judge-1, prompt: "$PROMPT"}
    accept: {policy: delta, min_delta: 0.2}
Y
expect 0 "teacher with four judge kinds" -- run "$T/remote.yaml" -q -o "$T/tr"
same teacher_remote "$T/tr" "${OUTS[@]}"

args=(run examples/llm-teacher.yaml -q -o "$T/lt"
      --set "stages.0.base_url=$U/v1" --set "stages.0.cache=$T/cache"
      --set "stages.1.judges.0.base_url=$U/judge/v1" "${IN[@]}")
expect 0 "llm stage + llm judge" -- "${args[@]}"
same llm_teacher "$T/lt" "${OUTS[@]}"

# eval: the rules-only pairs, four judges, fluency, review sample
expect 0 "rules-only pairs for eval" -- run examples/sentiment-flip.yaml -q -o "$T/sf" "${IN[@]}"
cat >"$T/j_m.yaml" <<Y
kind: builtin
name: m
model: "$T/m.cft"
fields: [text]
labels: {Negative: negative, Positive: positive}
Y
cat >"$T/j_tei.yaml" <<Y
{kind: tei, name: tei, url: "$U/predict", labels: {LABEL_0: negative, LABEL_1: positive}}
Y
cat >"$T/j_vllm.yaml" <<Y
{kind: vllm, name: v, url: "$U/classify?bias=2", model: clf-1, labels: {0: negative, 1: positive}}
Y
cat >"$T/j_llm.yaml" <<Y
{kind: llm, name: chat, base_url: "$U/judge/v1", model: judge-1, prompt: "$PROMPT"}
Y
cat >"$T/lm.yaml" <<Y
{base_url: "$U/v1", model: lm-1}
Y
run_cf eval -i "$T/sf/pairs.jsonl" --judge "$T/j_m.yaml" --judge "$T/j_tei.yaml" \
  --judge "$T/j_vllm.yaml" --judge "$T/j_llm.yaml" --fluency "$T/lm.yaml" \
  --review-export "$T/ev/review.csv" --review-n 20 --seed 3 -o "$T/ev"
[ "$RC" -eq 0 ] && ok "eval with four judge kinds" || bad "eval: exit $RC" "$(cat "$T/err")"
cp "$T/err" "$T/ev/stderr.txt"
same eval "$T/ev" report.json report.html review.csv stderr.txt

run_cf help stages
mkdir -p "$T/h" && cp "$T/out" "$T/h/help_stages.txt"
same help "$T/h" help_stages.txt
finish
