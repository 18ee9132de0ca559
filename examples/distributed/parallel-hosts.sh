#!/usr/bin/env bash
# The same across hosts over ssh: every host needs cfaug on its PATH (or
# CFAUG=/path/to/cfaug set here, the same path on every host) and the
# pipeline file (and lexicons, and a shared LLM cache directory if the
# pipeline calls a model) at the same path.
#   examples/distributed/parallel-hosts.sh PIPELINE.yaml INPUT.jsonl host1,host2 > pairs.jsonl
set -euo pipefail
pipeline=$1 input=$2 hosts=$3
exec parallel --pipepart -a "$input" --block 64M --sshlogin "$hosts" --keep-order \
  --workdir "$PWD" "${CFAUG:-cfaug}" run "$pipeline" -i - -o - -q
