#!/usr/bin/env bash
# Gender + names against gender alone (issue 15: within 1.5x), builds side
# by side: CPU (task-clock of perf stat = user + sys, ms resolution, where
# bench/rules_speed.sh's /usr/bin/time has 10 ms) of the rules stage over
# bench/work/cad20.jsonl (bench/make_corpus.sh 20 bench/work/cad20.jsonl),
# round_trip off, RUNS runs interleaved; prints the medians and the ratio.
# Needs perf.  Usage: bench/gender_names_cpu.sh CFAUG [MORE_CFAUG...]
# (builds with distinct file names: the name keys the timings)
set -eu
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}; in=${IN:-bench/work/cad20.jsonl}
w=$(mktemp -d); trap 'rm -rf "$w"' EXIT
for cfg in "gender" "gender, names"; do
  t=$(echo "$cfg" | tr -d ', ')
  cat >"$w/$t.yaml" <<Y
input: {path: $in, format: jsonl, id_field: id, text_fields: [text], label_field: label, labels: [negative, positive]}
stages:
  - {type: rules, name: r, packs: [$cfg], negation_scope: 0, round_trip: false}
output: {dir: $w/out}
Y
done
for i in $(seq "$RUNS"); do
  for b in "$@"; do for t in gender gendernames; do
    rm -rf "$w/out"
    perf stat -x, -e task-clock -o "$w/p" "$b" run "$w/$t.yaml" -q; awk -F, '/task-clock/{print $1/1000}' "$w/p" >>"$w/t.$(basename "$b").$t"
  done; done
done
for b in "$@"; do
  g=$(awk '{print $1}' "$w/t.$(basename "$b").gender" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  n=$(awk '{print $1}' "$w/t.$(basename "$b").gendernames" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  echo "$(basename "$b") gender $g s, gender+names $n s, ratio $(awk -v a=$n -v b=$g 'BEGIN{printf "%.3f", a/b}')"
done
