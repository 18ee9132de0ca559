#!/usr/bin/env python3
"""The batch-synchronous client the llm bench compares cfaug against: how
popular Python pipelines call an LLM API.  Sends BATCH requests together
(one thread and one keep-alive connection each), waits until all of them
have returned, then sends the next batch.  Same request bodies as cfaug's
sentiment-flip prompt (rendered the same way), same mock server.

usage: llm_batch_client.py PORT INPUT.jsonl [BATCH]   -> prints req/s
"""
import http.client
import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

port, path = int(sys.argv[1]), sys.argv[2]
batch = int(sys.argv[3]) if len(sys.argv) > 3 else 50
tpl = open("prompts/sentiment-flip.txt").read()
system = tpl.split("### system\n", 1)[1].split("### user", 1)[0].strip()
local = threading.local()


def conn():
    if not hasattr(local, "c"):
        local.c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    return local.c


def ask(rec):
    body = json.dumps({"model": "mock", "seed": 1, "temperature": 0.7, "messages": [
        {"role": "system", "content": system},
        {"role": "user", "content": "Sentiment: %s. Target sentiment: flipped.\n<text>%s</text>"
         % (rec["label"], rec["text"])}]})
    c = conn()
    c.request("POST", "/v1/chat/completions", body, {"Content-Type": "application/json"})
    r = c.getresponse()
    data = r.read()
    assert r.status == 200, r.status
    return json.loads(data)["choices"][0]["message"]["content"]


recs = [json.loads(l) for l in open(path)]
t0 = time.time()
with ThreadPoolExecutor(batch) as ex:
    for i in range(0, len(recs), batch):
        list(ex.map(ask, recs[i:i + batch]))    # the barrier
dt = time.time() - t0
print("%d requests in %.2f s: %.1f req/s" % (len(recs), dt, len(recs) / dt))
