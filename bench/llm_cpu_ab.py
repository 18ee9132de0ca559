#!/usr/bin/env python3
"""CPU per request of several cfaug binaries, interleaved, against one
already running mock (bench/mock_fast.c): a quicker A/B than
bench/llm_bench.sh, which starts a fresh mock per run and runs the old
binary first in every pair.

usage: bench/llm_cpu_ab.py PIPELINE.yaml N_REQUESTS REPEAT BINARY...
The pipeline is the bench's (llm stage, concurrency 64, --no-cache is
added); N_REQUESTS is the number of records in its input (one request
each).  Prints per binary the median CPU (user + sys of the cfaug
process, whole run) per request, the median requests per second (wall,
start-up included) and every run's CPU figure."""
import os
import resource
import statistics
import subprocess
import sys
import time

pipe, n, repeat, bins = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
cpu = {b: [] for b in bins}
rate = {b: [] for b in bins}
for _ in range(repeat):
    for b in bins:
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.time()
        subprocess.run([b, "run", pipe, "-q", "--no-cache"], check=True)
        wall = time.time() - t0
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu[b].append((r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) / n * 1e6)
        rate[b].append(n / wall)
for b in bins:
    print("%-32s median %.1f us/request, %.0f req/s; runs: %s" % (
        b, statistics.median(cpu[b]), statistics.median(rate[b]),
        " ".join("%.1f" % x for x in cpu[b])))
print("load average %.1f %.1f %.1f" % os.getloadavg())
