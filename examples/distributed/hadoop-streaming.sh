#!/usr/bin/env bash
# Hadoop Streaming: cfaug as a map-only job (no reducer: each output line
# depends only on its input line).
#   examples/distributed/hadoop-streaming.sh /data/in.jsonl /data/pairs
set -euo pipefail
in=$1 out=$2
exec hadoop jar "${HADOOP_STREAMING_JAR:?path to hadoop-streaming.jar}" \
  -D mapreduce.job.reduces=0 \
  -files cfaug,pipeline.yaml \
  -input "$in" -output "$out" \
  -mapper "./cfaug run pipeline.yaml -i - -o - -q"
