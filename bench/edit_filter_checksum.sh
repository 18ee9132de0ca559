#!/usr/bin/env bash
# edit_filter byte-identity (issue 15, quick2): sha256 prefixes of every
# output file (report.json without timings, paths and stage clocks) for
# pipelines that end in edit_filter, so that two builds can be compared:
#
#   bench/edit_filter_checksum.sh CFAUG [SENTIMENT_JSONL] > a.out
#   diff a.out b.out
#
# SENTIMENT_JSONL defaults to bench/work/cad60.jsonl (bench/make_corpus.sh
# 60 bench/work/cad60.jsonl).  The NLI corpus is CAD NLI original_train +
# revised_train (/work/shared/data/cad-nli, or DATA=dir).  The llm rows
# start tests/mock_openai.py on a loopback port (its answers are
# "NOT <original> [seed.j]": candidates with no edit spans, measured by the
# full computation) on the first 3,000 records.  Configurations:
#   quickstart        examples/quickstart.yaml's stages (gender + names,
#                     round_trip, max_ratio 0.3, ratio_min_tokens 10)
#   strict            max_ratio 0.02 (most candidates rejected with their distance)
#   edits             min_edits 2, max_edits 3
#   prov_none         quickstart with provenance: none
#   max_tokens        max_tokens 60 (long texts compared on their first 60
#                     tokens: the spans path declines, the full one answers)
#   mixed             gender + names, then negation + antonyms (label flip),
#                     case (lower), all into edit_filter 0.3
#   nli_gender        NLI premise + hypothesis, gender + names, max_ratio 0.3
#   nli_negation      NLI hypothesis negation (label map), case on premise, 0.4
#   llm               llm (mock) alone into edit_filter 0.5
#   llm_rules         llm (mock) + gender + names into edit_filter 0.3
set -euo pipefail
cd "$(dirname "$0")/.."
CFAUG=$(realpath "${1:?usage: $0 CFAUG [SENTIMENT_JSONL]}")
SENT=$(realpath "${2:-bench/work/cad60.jsonl}")
DATA=${DATA:-/work/shared/data}
w=$(mktemp -d /tmp/efsum.XXXXXX)
mock_pid=""
trap '[ -n "$mock_pid" ] && kill "$mock_pid" 2>/dev/null; rm -rf "$w"' EXIT

# NLI: the two train files under one header
{ cat "$DATA/cad-nli/original_train.tsv"; tail -n +2 "$DATA/cad-nli/revised_train.tsv"; } >"$w/nli.tsv"
head -3000 "$SENT" >"$w/small.jsonl"

python3 tests/mock_openai.py --port 0 --port-file "$w/port" --log /dev/null 2>/dev/null &
mock_pid=$!
for _ in $(seq 100); do [ -s "$w/port" ] && break; sleep 0.05; done
port=$(cat "$w/port")

sent_in="input: {path: $SENT, format: jsonl, id_field: id, text_fields: [text], label_field: label, labels: [negative, positive]}"
small_in="input: {path: $w/small.jsonl, format: jsonl, id_field: id, text_fields: [text], label_field: label, labels: [negative, positive]}"
nli_in="input: {path: $w/nli.tsv, format: tsv, text_fields: [sentence1, sentence2], label_field: gold_label, labels: [entailment, neutral, contradiction]}"
gn="{type: rules, name: gender-cda, packs: [gender, names], mode: augment, direction: both, label: keep"
llm="{type: llm, base_url: 'http://127.0.0.1:$port/v1', model: mock, prompt: prompts/sentiment-flip.txt, target: {positive: negative, negative: positive}, samples: 2, parse: {mode: text, between: ['<new>', '</new>']}, concurrency: 16}"

conf() {   # NAME INPUT STAGES...
  local name=$1 input=$2; shift 2
  { echo "seed: 13"; echo "$input"; echo "stages:"
    for s in "$@"; do echo "  - $s"; done
    echo "output: {dir: $w/out_$name}"; } >"$w/$name.yaml"
}
conf quickstart "$sent_in" "$gn}" "{type: edit_filter, max_ratio: 0.3, ratio_min_tokens: 10}"
conf strict "$sent_in" "$gn}" "{type: edit_filter, max_ratio: 0.02}"
conf edits "$sent_in" "$gn}" "{type: edit_filter, max_ratio: 1, min_edits: 2, max_edits: 3}"
conf prov_none "$sent_in" "$gn, provenance: none}" "{type: edit_filter, max_ratio: 0.3, ratio_min_tokens: 10}"
conf max_tokens "$sent_in" "$gn}" "{type: edit_filter, max_ratio: 0.3, max_tokens: 60}"
conf mixed "$sent_in" "$gn}" \
  "{type: rules, name: flip, packs: [negation, antonyms], label: {positive: negative, negative: positive}}" \
  "{type: case, to: lower}" "{type: edit_filter, max_ratio: 0.3}"
conf nli_gender "$nli_in" "$gn}" "{type: edit_filter, max_ratio: 0.3}"
conf nli_negation "$nli_in" \
  "{type: rules, name: neg, packs: [negation], fields: [sentence2], label: {entailment: contradiction, neutral: neutral}}" \
  "{type: case, to: upper, fields: [sentence1]}" "{type: edit_filter, max_ratio: 0.4}"
conf llm "$small_in" "$llm" "{type: edit_filter, max_ratio: 0.5}"
conf llm_rules "$small_in" "$llm" "$gn}" "{type: edit_filter, max_ratio: 0.3}"

for name in ${ONLY:-quickstart strict edits prov_none max_tokens mixed nli_gender nli_negation llm llm_rules}; do
  "$CFAUG" run "$w/$name.yaml" -q --no-cache || { echo "$name: cfaug failed ($?)"; continue; }
  o=$w/out_$name
  python3 - "$o/report.json" >"$o/report.stable" <<'P'
import json, sys
r = json.load(open(sys.argv[1]))
r.pop("pipeline", None)   # its path and sha256 name the temporary directory
def strip(x):
    if isinstance(x, dict):
        return {k: strip(v) for k, v in x.items()
                if k not in ("seconds", "elapsed_s", "started", "finished", "wall_s",
                             "cpu_s", "user_s", "sys_s", "records_per_s", "mb_per_s",
                             "output_dir", "input_path", "config", "path", "dir",
                             "created", "timing", "rss_mb", "peak_rss_mb",
                             "latency_ms", "max_in_flight")}
    if isinstance(x, list):
        return [strip(v) for v in x]
    return x
print(json.dumps(strip(r), sort_keys=True))
P
  [ -n "${KEEP:-}" ] && mkdir -p "$KEEP" && cp "$o/report.stable" "$KEEP/$name.report.json"
  for f in pairs.jsonl augmented.jsonl rejected.jsonl errors.jsonl report.stable; do
    printf '%-13s %-16s %s %s\n' "$name" "$f" "$(wc -l <"$o/$f")" "$(sha256sum <"$o/$f" | cut -c1-16)"
  done
done
