#!/usr/bin/env bash
# zfilter's peak memory and time (issue 11): the antonym flips of MB
# megabytes of replicated CAD reviews (bench/make_corpus.sh) through
# zfilter with its defaults, by BEFORE (optional) and AFTER side by side;
# prints peak RSS, user CPU, the stage's own memory estimate and its
# objective.  The earlier zfilter needs the window above the input's length,
# so both get `window: 1000000`.
#
#   [BEFORE=/path/to/old/cfaug] bench/zfilter_mem.sh [MB...]   (default 10 20)
set -euo pipefail
cd "$(dirname "$0")/.."
AFTER=${AFTER:-build/cfaug}
sizes=("$@"); [ ${#sizes[@]} -eq 0 ] && sizes=(10 20)
w=bench/work; mkdir -p "$w"
for mb in "${sizes[@]}"; do
  corpus=$w/cad$mb.jsonl
  [ -f "$corpus" ] || bench/make_corpus.sh "$mb" "$corpus"
  cat >"$w/zm.yaml" <<Y
seed: 13
window: 1000000
input: {path: $corpus, id_field: id, text_fields: [text], label_field: label, labels: [negative, positive]}
stages:
  - {type: rules, name: antonyms, packs: [antonyms], label: {positive: negative, negative: positive}}
  - {type: zfilter, max_held: 1000000}
output: {dir: $w/zm_out}
Y
  for b in ${BEFORE:+before} after; do
    bin=$AFTER; [ $b = before ] && bin=$BEFORE
    rm -rf "$w/zm_out"
    /usr/bin/time -f '%M %U %e' -o "$w/zm.time" "$bin" run "$w/zm.yaml" -q 2>/dev/null
    read -r rss user wall <"$w/zm.time"
    python3 - "$w/zm_out/report.json" "$mb" "$b" "$rss" "$user" "$wall" <<'P'
import json, sys
r = json.load(open(sys.argv[1])); mb, b, rss, user, wall = sys.argv[2:]
z = [s for s in r["stages"] if s["type"] == "zfilter"][0]
est = z.get("held_mb_estimate")
print(f"| {mb} MB | {b} | {int(rss)//1024} MB | {float(user):.1f} s | {wall} s | "
      f"{'%.0f MB' % est if est is not None else '-'} | {z['before']['tokens_above_tau']} -> "
      f"{z['after']['tokens_above_tau']} | {z['candidates_dropped']} of {z['in_candidates']} |")
P
  done
done
