#!/usr/bin/env bash
# Where the CPU of a threaded rules run goes, by thread (rthreads, session
# 5): `perf record -e cpu-clock` of gender CDA, gender + names, the
# sentiment packs and the quickstart pipeline at `threads: N` (default 2),
# samples per thread.  The first thread is the run's own (read, parse,
# candidates, write), the others the workers (apply).  On free cores the
# wall time of a run is at least its busiest thread's CPU: this bounds
# what threads can give where the machine is too loaded to time it.
# Usage: bench/rules_threads_split.sh CFAUG [CORPUS] [N]
set -eu
cd "$(dirname "$0")/.."
bin=$(realpath "$1"); in=${2:-bench/work/cad60.jsonl}; n=${3:-2}
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
G='{type: rules, name: r, packs: [gender]'
GN='{type: rules, name: r, packs: [gender, names]'
S='{type: rules, name: r, packs: [negation, antonyms], negation_scope: 3, label: {positive: negative, negative: positive}'
for row in "gender|  - $G, threads: $n}" "gender-names|  - $GN, threads: $n}" \
           "sentiment|  - $S, threads: $n}" \
           "quickstart|  - $GN, threads: $n}
  - {type: edit_filter, max_ratio: 0.3, ratio_min_tokens: 10}"; do
  name=${row%%|*}
  printf 'seed: 13\ninput: {path: %s, format: jsonl, id_field: id, text_fields: [text], label_field: label, labels: [negative, positive]}\nstages:\n%s\noutput: {dir: %s/out}\n' \
    "$in" "${row#*|}" "$w" >"$w/p.yaml"
  rm -rf "$w/out"
  perf record -q -e cpu-clock -F 1000 -o "$w/perf.data" "$bin" run "$w/p.yaml" -q 2>/dev/null
  # samples per thread, the run's thread (lowest tid = the pid) first
  perf report -i "$w/perf.data" --sort pid --stdio 2>/dev/null |
    awk -v r="$name" '/^ +[0-9.]+%/ {sub(/%/, "", $1); split($2, a, ":"); print a[1], $1}' |
    sort -n | awk -v r="$name" '{s = s sprintf(" %s%.1f%%", NR == 1 ? "run thread " : "worker ", $2);
      if (NR == 1) m = $2; else if ($2 > x) x = $2}
      END {printf "%-14s%s   busiest thread %.1f%% of the CPU\n", r, s, (m > x ? m : x)}'
done
