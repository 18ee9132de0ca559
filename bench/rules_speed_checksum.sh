#!/usr/bin/env bash
# Byte-identity check for record-path speed work (issue 15): runs one build
# over a CAD corpus in the configurations the speed table measures and
# prints a sha256 prefix of every output file (report.json without its
# timings and paths).  Run it with the old and the new build and diff the
# two outputs: identical lines = identical bytes.
# Configurations: gender at each provenance level; gender with
# output.files [augmented]; gender+names; the sentiment packs (negation +
# antonyms, scope 3); the quickstart pipeline (gender+names, round_trip,
# edit_filter); the same corpus as CSV and as TSV; and an "odd" JSONL copy
# (spaces between tokens, \u escapes, numbers, a reserved `source` key, a
# duplicate key) that exercises the slow paths of the raw splice.
# Usage: bench/rules_speed_checksum.sh CFAUG [CORPUS]
#   (default bench/work/cad6.jsonl, from bench/make_corpus.sh 6 bench/work/cad6.jsonl)
#   RULES_THREADS=N: every rules stage gets `threads: N` (rthreads, session 5;
#   the output must not change with N)
set -eu
cd "$(dirname "$0")/.."
bin=$1; in=${2:-bench/work/cad6.jsonl}
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
python3 - "$in" "$w" <<'PY'
import csv, json, sys
src, w = sys.argv[1], sys.argv[2]
with open(src, encoding="utf-8") as f, \
     open(w + "/in.csv", "w", newline="", encoding="utf-8") as c, \
     open(w + "/in.tsv", "w", newline="", encoding="utf-8") as t, \
     open(w + "/odd.jsonl", "w", encoding="utf-8") as o:
    cw = csv.writer(c); tw = csv.writer(t, delimiter="\t")
    cw.writerow(["id", "text", "label"]); tw.writerow(["id", "text", "label"])
    for i, line in enumerate(f):
        r = json.loads(line)
        cw.writerow([r["id"], r["text"], r["label"]])
        tw.writerow([r["id"], r["text"].replace("\t", " "), r["label"]])
        k = i % 4
        if k == 0:     # spaces between tokens, non-ASCII escaped
            o.write(json.dumps(r, ensure_ascii=True, separators=(", ", ": ")) + "\n")
        elif k == 1:   # extra number fields, a float as written
            o.write('{"score": 1.50, "id": %s, "text": %s, "n": -0, "label": %s}\n'
                    % (json.dumps(r["id"]), json.dumps(r["text"], ensure_ascii=False),
                       json.dumps(r["label"])))
        elif k == 2:   # a reserved key the splice cannot keep, and nesting
            o.write('{"source":"x","id":%s,"meta":{"a":[1,"}"]},"text":%s,"label":%s}\n'
                    % (json.dumps(r["id"]), json.dumps(r["text"], ensure_ascii=False),
                       json.dumps(r["label"])))
        else:          # an escaped key and a slash escape
            o.write('{"i\\u0064":%s,"te\\u0078t":%s,"label":%s,"u":"a\\/b"}\n'
                    % (json.dumps(r["id"]), json.dumps(r["text"], ensure_ascii=False),
                       json.dumps(r["label"])))
PY
run() {   # NAME INPUT FORMAT STAGES OUTPUT_EXTRA
  cat >"$w/p.yaml" <<Y
seed: 13
input: {path: $2, format: $3, id_field: id, text_fields: [text], label_field: label, labels: [negative, positive]}
stages:
$4
output: {dir: $w/out$5}
Y
  [ -n "${RULES_THREADS:-}" ] &&
    sed -i "s/{type: rules, /{type: rules, threads: $RULES_THREADS, /" "$w/p.yaml"
  rm -rf "$w/out"
  "$bin" run "$w/p.yaml" -q || true
  local sums="" f
  for f in pairs.jsonl augmented.jsonl augmented.csv rejected.jsonl errors.jsonl; do
    [ -e "$w/out/$f" ] && sums="$sums $f $(sha256sum <"$w/out/$f" | cut -c1-12)"
  done
  rep=$(python3 -c 'import json,sys
def strip(j):
    if isinstance(j, dict):
        return {k: strip(v) for k, v in j.items()
                if "second" in k and False or not any(s in k for s in ("second", "path", "sha256", "bytes_per", "rss"))}
    if isinstance(j, list):
        return [strip(v) for v in j]
    return j
print(json.dumps(strip(json.load(open(sys.argv[1]))), sort_keys=True))' "$w/out/report.json" | sha256sum | cut -c1-12)
  printf '%-22s%s report %s\n' "$1" "$sums" "$rep"
}
G='  - {type: rules, name: r, packs: [gender]}'
run gender-full "$in" jsonl "$G" ""
run gender-rules "$in" jsonl '  - {type: rules, name: r, packs: [gender], provenance: rules}' ""
run gender-none "$in" jsonl '  - {type: rules, name: r, packs: [gender], provenance: none}' ""
run gender-aug-only "$in" jsonl "$G" ", files: [augmented, report]"
run gender-names "$in" jsonl '  - {type: rules, name: r, packs: [gender, names]}' ""
run sentiment "$in" jsonl '  - {type: rules, name: r, packs: [negation, antonyms], negation_scope: 3, label: {positive: negative, negative: positive}}' ""
run quickstart "$in" jsonl '  - {type: rules, name: r, packs: [gender, names], round_trip: true}
  - {type: edit_filter, max_ratio: 0.3, ratio_min_tokens: 10}' ""
run gender-csv "$w/in.csv" csv "$G" ""
run gender-tsv "$w/in.tsv" tsv "$G" ""
run gender-aug-csv "$w/in.csv" csv "$G" ", augmented_format: csv"
run odd-gender "$w/odd.jsonl" jsonl "$G" ""
run odd-names-none "$w/odd.jsonl" jsonl '  - {type: rules, name: r, packs: [gender, names], provenance: none}' ""
