#!/usr/bin/env python3
"""A mock OpenAI-compatible Chat Completions server for cfaug's tests and bench.

A real HTTP/1.1 server (keep-alive) on 127.0.0.1, Python 3 stdlib only
(asyncio).  Start it with --port 0 --port-file F: it writes the port it got
to F once it listens.  Every request is logged as one JSON line to --log
(never the Authorization header).

Answers: POST /v1/chat/completions with {"messages", "n", "seed", ...}.
The "original" is the text between the last <text> and </text> of the last
user message (else that whole message); choice j answers
    <new>NOT {original} [{seed}.{j}]</new>
(or {"FIELD": "NOT ..."} with --answer-json FIELD), so tests can check
pairing and determinism.  Usage counts are bytes / 4.

Scripted faults, from markers in the last user message: MOCK:FAULTxK makes
the first K requests that carry this exact user message fail with FAULT:
  429        429 with Retry-After (--retry-after, seconds)
  500        500 Internal Server Error
  500alt     500 whose body alternates: an error body ("boom, attempt 1"),
             then an empty one, then a body again (the client must not read
             an empty answer as the last attempt's)
  timeout    the answer comes after --hang-s seconds (the client times out;
             the wait ends early when the client closes the connection)
  trunc      Content-Length larger than the body, then the connection closes
  gzip       200 whose body is gzip-compressed (Content-Encoding: gzip)
  drop       the connection closes without an answer
  malformed  200 with a body that is not JSON
  empty      200 whose answer is blank: <new> </new>
  same       200 whose answer is the original unchanged
  nomarker   200 whose content has no <new> markers
  nochoices  200 with "choices": []
  badindex   200 whose choice has an index nobody asked for (7)
  refusal    200 whose answer is an apology: <new>I'm sorry, ...</new>
  markers    200 whose answer holds a second <new> marker
  long       200 whose answer is the original 40 times
  echohdr    200 whose answer echoes the request headers (Authorization too)
  ansi       400 whose body is raw text with terminal escapes (ESC, BEL, C1
             CSI) and a Latin-1 byte
Judges (the teacher stage's remote judges): POST .../predict answers as a
Hugging Face TEI classifier ({"inputs": TEXT} or {"inputs": [[A, B]]} ->
[{"label": "LABEL_1", "score": p}, {"label": "LABEL_0", ...}]; ?names=plain
names them negative/positive), POST .../classify as vLLM's /classify
({"model", "input": [TEXT]} -> {"data": [{"probs": [p_neg, p_pos], ...}]}),
and chat completions under a path holding /judge/ (base_url
http://127.0.0.1:PORT/judge/v1) answer as a judge (labels
--judge-labels NEG,POS, default negative,positive) of the
text between <text> and </text>: the top label, with logprobs (top
alternatives "pos"/"Pos"/"neg"/" Neg"/"The") when asked unless
--no-logprobs, as {"label": L} when a response_format is asked.  Every
judge scores p(positive) = sigmoid(bias + 2 * (#positive words - #negative
words)), negated when the text holds an odd number of "not", with the
word lists below; "bias=B" anywhere in the URL's path or query sets B (default 0),
so two judges on one mock can disagree.  Fault markers work on the judged
text too; MOCK:badlabelxK answers a label no map knows (LABEL_7, a third
class, "maybe"); MOCK:echohdrxK makes an LLM judge's label echo the
request headers, Authorization included.
Scoring (perplexity): POST .../completions (not chat) with {"prompt": TEXT,
"echo": true, "max_tokens": 0, "logprobs": 1} answers as vLLM/llama.cpp do
for an echoed prompt: choices[0].logprobs {tokens, token_logprobs,
text_offset, top_logprobs}, the tokens being the prompt's whitespace-
separated words (a word after the first carries its leading space), the
first token's logprob null and every other word's -len(word)/2 (so the
perplexity of a text is exp(mean over words 2.. of len/2)).
--idle-close-s S closes a kept-alive connection left idle for S seconds.
Test harness: GET /_mock/idle?wait=S answers once no request is being
served (each is logged when it ends) or after S seconds (default 10), with
{"active": N, "logged": N}; it is not counted, not logged and takes no
sequence number, so a test reads the log after it without racing the
server (tests/run_netcases.py, mock_idle in tests/mock_lib.sh).
Global: --status CODE [--error-code C] answers every request with that
error; --key K answers 401 unless "Authorization: Bearer K" (--echo-key:
the 401 message repeats the key it got after 180 bytes of padding, as
servers that echo a key do); --fail-frac F answers a share F of the chat
requests 500 (deterministic from --rng-seed); --ignore-n
returns one choice whatever n is; --latency-ms / --tail-frac /
--tail-mult give a latency, a few percent of requests tail-mult times
slower (deterministic from --rng-seed).
"""
import argparse
import asyncio
import gzip
import json
import math
import os
import random
import re
import sys
import time

MARK = re.compile(r"MOCK:([a-z0-9]+)x(\d+)")
POS_WORDS = set("good great best better excellent wonderful amazing fantastic superb "
                "brilliant outstanding awesome beautiful interesting exciting "
                "enjoyable funny clever".split())
NEG_WORDS = set("bad terrible worst worse awful horrible dreadful lousy abysmal dire "
                "mediocre atrocious ugly boring dull tedious unbearable stupid".split())


def p_positive(text, bias):
    words = re.findall(r"[a-z]+", text.lower())
    score = 2.0 * (sum(w in POS_WORDS for w in words) - sum(w in NEG_WORDS for w in words))
    if words.count("not") % 2:
        score = -score
    score += bias
    return 1.0 / (1.0 + math.exp(-score))


class Mock:
    def __init__(self, a):
        self.a = a
        self.inflight = 0
        self.max_inflight = 0
        self.nreq = 0
        self.active = 0       # requests read and not yet logged
        self.logged = 0
        self.fault_seen = {}
        self.rng = random.Random(a.rng_seed)
        self.log = open(a.log, "a", buffering=1) if a.log else None

    def latency(self):
        lat = self.a.latency_ms / 1000.0
        if self.a.tail_frac > 0 and self.rng.random() < self.a.tail_frac:
            lat *= self.a.tail_mult
        return lat

    def fault_for(self, user):
        m = MARK.search(user)
        if not m:
            return None
        fault, k = m.group(1), int(m.group(2))
        seen = self.fault_seen.get(user, 0)
        self.fault_seen[user] = seen + 1
        return fault if seen < k else None


def original_of(user):
    i = user.rfind("<text>")
    if i >= 0:
        j = user.find("</text>", i)
        if j > i:
            return user[i + 6:j].strip()
    return user.strip()


def error_body(status, code, message):
    return json.dumps({"error": {"message": message, "type": code, "code": code}})


async def handle(mock, reader, writer):
    a = mock.a
    first = True
    writer.mock_reader = reader     # hang() sees the client leave
    try:
        while True:
            try:
                if first:
                    head = b""
                elif a.idle_close_s:
                    # a server that drops kept-alive connections left idle
                    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"),
                                                  a.idle_close_s)
                else:
                    head = await reader.readuntil(b"\r\n\r\n")
                if first:
                    # a TLS handshake (0x16) to this plain server: answer in
                    # plain text at once, as a misconfigured server would
                    b = await reader.readexactly(1)
                    if b == b"\x16":
                        writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                        await writer.drain()
                        return
                    head = b + await reader.readuntil(b"\r\n\r\n")
                    first = False
            except (asyncio.IncompleteReadError, ConnectionError, asyncio.TimeoutError):
                return
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            hdr = {}
            for ln in lines[1:]:
                if ":" in ln:
                    k, v = ln.split(":", 1)
                    hdr[k.strip().lower()] = v.strip()
            if method == "GET" and path.startswith("/_mock/idle"):
                await answer_idle(mock, writer, path)
                continue
            mock.active += 1
            try:
                body = b""
                if "content-length" in hdr:
                    body = await reader.readexactly(int(hdr["content-length"]))
                await serve(mock, writer, method, path, hdr, body)
            finally:
                mock.active -= 1
            if writer.is_closing():
                return
    except (ConnectionError, asyncio.IncompleteReadError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


async def hang(mock, writer):
    """The timeout fault: no answer for --hang-s seconds, or until the
    client gives up and closes the connection (then nobody waits for the
    answer, and the request is logged at once)."""
    t_end = time.monotonic() + mock.a.hang_s
    reader = getattr(writer, "mock_reader", None)
    while time.monotonic() < t_end and not (reader and reader.at_eof()):
        await asyncio.sleep(min(0.01, max(0.0, t_end - time.monotonic())))


async def answer_idle(mock, writer, path):
    """The harness's handshake: answer once no request has been active for
    three checks in a row (a request whose bytes arrived before this probe
    is read in between), or when the wait is up."""
    m = re.search(r"wait=([0-9.]+)", path)
    t_end = time.monotonic() + (float(m.group(1)) if m else 10.0)
    quiet = 0
    while quiet < 3 and time.monotonic() < t_end:
        quiet = quiet + 1 if mock.active == 0 else 0
        await asyncio.sleep(0.01)
    send(writer, 200, json.dumps({"active": mock.active, "logged": mock.logged}))
    await writer.drain()


def send(writer, status, body, extra=None, ctype="application/json"):
    reason = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
              404: "Not Found", 429: "Too Many Requests", 500: "Internal Server Error"}
    b = body.encode() if isinstance(body, str) else body
    h = "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n" % (
        status, reason.get(status, "Status"), ctype, len(b))
    for k, v in (extra or {}).items():
        h += "%s: %s\r\n" % (k, v)
    writer.write(h.encode() + b"\r\n" + b)
    writer.mock_t_sent = time.time()   # the log's t1: the client may have it now


async def serve(mock, writer, method, path, hdr, body):
    a = mock.a
    mock.nreq += 1
    seq = mock.nreq
    mock.inflight += 1
    mock.max_inflight = max(mock.max_inflight, mock.inflight)
    inflight_at_start = mock.inflight
    t0 = time.time()
    writer.mock_t_sent = None
    status, fault, n, seed, user = 200, None, 1, None, ""
    try:
        route = path.split("?", 1)[0]
        bm = re.search(r"bias=(-?[0-9.]+)", path)
        query = {"bias": bm.group(1)} if bm else {}
        query["plain"] = "names=plain" in path
        if method == "POST" and (route.endswith("/predict") or route.endswith("/classify")):
            status, fault, user = await serve_classifier(mock, writer, route, query, hdr, body)
            return
        if method == "GET" and path.endswith("/stats"):
            send(writer, 200, json.dumps({"requests": mock.nreq - 1,
                                          "max_inflight": mock.max_inflight}))
            return
        if method == "POST" and route.endswith("/completions") and \
                not route.endswith("/chat/completions"):
            status = serve_scoring(mock, writer, hdr, body)
            return
        try:
            req = json.loads(body)
            msgs = req["messages"]
            user = [m for m in msgs if m.get("role") == "user"][-1]["content"]
            n = int(req.get("n", 1))
            seed = req.get("seed")
        except Exception:
            status = 400
            send(writer, 400, error_body(400, "invalid_request_error", "bad JSON body"))
            return
        if a.key is not None and hdr.get("authorization") != "Bearer " + a.key:
            status = 401
            got = hdr.get("authorization", "")[7:]
            send(writer, 401, error_body(401, "invalid_api_key",
                                         "Incorrect API key provided." +
                                         ("x" * 180 + " key: " + got if a.echo_key else "")))
            return
        if a.status:
            status = a.status
            extra = {"Retry-After": str(a.retry_after)} if a.status == 429 else None
            send(writer, a.status, error_body(a.status, a.error_code or "error",
                                              "scripted error"), extra)
            return
        if "/judge/" in route:
            status, fault = await serve_judge(mock, writer, req, user, query, hdr)
            return
        if a.fail_frac > 0 and mock.rng.random() < a.fail_frac:
            status = 500
            send(writer, 500, error_body(500, "server_error", "scripted 500"))
            return
        fault = mock.fault_for(user)
        lat = mock.latency()
        if fault == "timeout":
            await hang(mock, writer)
        elif lat > 0:
            await asyncio.sleep(lat)
        if fault == "429":
            status = 429
            send(writer, 429, error_body(429, "rate_limit_exceeded", "slow down"),
                 {"Retry-After": str(a.retry_after)})
            return
        if fault == "500":
            status = 500
            send(writer, 500, error_body(500, "server_error", "boom"))
            return
        if fault == "500alt":
            status = 500
            k = mock.fault_seen[user]
            send(writer, 500, error_body(500, "server_error", "boom, attempt %d" % k)
                 if k % 2 else "")
            return
        if fault == "drop":
            status = 0
            writer.transport.abort()
            return
        if fault == "malformed":
            send(writer, 200, '{"id": "x", "choices": [ {"message": ')
            return
        if fault == "ansi":
            status = 400
            send(writer, 400, b"\x1b[2J\x1b]0;owned\x07bad \x1b[31mrequest\x1b[0m\r\nX: y caf\xe9 \xc2\x9b2J",
                 ctype="text/plain")
            return
        orig = original_of(user)
        choices = []
        for j in range(1 if a.ignore_n else n):
            if fault == "empty":
                content = "<new> </new>"
            elif fault == "same":
                content = "<new>%s</new>" % orig
            elif fault == "nomarker":
                content = "I cannot do that."
            elif fault == "refusal":
                content = "<new>I'm sorry, but I can't help with rewriting this review.</new>"
            elif fault == "markers":
                content = "<new>NOT %s <new>or this</new>" % orig
            elif fault == "long":
                content = "<new>%s</new>" % (" ".join([orig] * 40))
            elif fault == "echohdr":
                content = "<new>NOT %s %s</new>" % (orig, "; ".join(
                    "%s: %s" % kv for kv in sorted(hdr.items())))
            else:
                new = "NOT %s [%s.%d]" % (orig, seed, j)
                if a.answer_json:
                    content = "```json\n" + json.dumps({a.answer_json: new}) + "\n```"
                else:
                    content = "<new>%s</new>" % new
            ch = {"index": 7 if fault == "badindex" else j,
                  "message": {"role": "assistant", "content": content},
                  "finish_reason": "stop"}
            if req.get("logprobs"):
                ch["logprobs"] = {"content": [{"token": "NOT", "logprob": -0.01}]}
            choices.append(ch)
        if fault == "nochoices":
            choices = []
        out = json.dumps({
            "id": "chatcmpl-%d" % seq, "object": "chat.completion",
            "created": int(t0), "model": req.get("model", "mock"),
            "choices": choices,
            "usage": {"prompt_tokens": len(body) // 4,
                      "completion_tokens": sum(len(c["message"]["content"]) // 4 for c in choices),
                      "total_tokens": len(body) // 4 + sum(len(c["message"]["content"]) // 4 for c in choices)}})
        if fault == "trunc":
            b = out.encode()
            writer.write(("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                          "Content-Length: %d\r\n\r\n" % (len(b) + 100)).encode() + b[:len(b) // 2])
            await writer.drain()
            writer.transport.abort()
            return
        if fault == "gzip":
            send(writer, 200, gzip.compress(out.encode()), {"Content-Encoding": "gzip"})
            return
        send(writer, 200, out)
    finally:
        mock.inflight -= 1
        try:
            await writer.drain()
        except Exception:
            pass
        if mock.log:
            mock.log.write(json.dumps({"seq": seq, "path": path, "status": status,
                                       "fault": fault, "n": n, "seed": seed,
                                       "inflight": inflight_at_start,
                                       "user_tail": user[-60:],
                                       "t0": round(t0, 4),
                                       "t1": round(writer.mock_t_sent or time.time(), 4)}) + "\n")
        mock.logged += 1


async def faulted(mock, writer, fault):
    """Sleep, or answer a scripted fault; returns the status sent, or None."""
    a = mock.a
    if fault == "timeout":
        await hang(mock, writer)
    else:
        lat = mock.latency()
        if lat > 0:
            await asyncio.sleep(lat)
    if fault == "429":
        send(writer, 429, error_body(429, "rate_limit_exceeded", "slow down"),
             {"Retry-After": str(a.retry_after)})
        return 429
    if fault == "500":
        send(writer, 500, error_body(500, "server_error", "boom"))
        return 500
    if fault == "drop":
        writer.transport.abort()
        return 0
    if fault == "malformed":
        send(writer, 200, '[{"label": ')
        return 200
    return None


def auth_refused(mock, writer, hdr):
    a = mock.a
    if a.key is not None and hdr.get("authorization") != "Bearer " + a.key:
        send(writer, 401, error_body(401, "invalid_api_key", "Incorrect API key provided."))
        return True
    return False


async def serve_classifier(mock, writer, route, query, hdr, body):
    """TEI /predict or vLLM /classify.  Returns (status, fault, text)."""
    a = mock.a
    try:
        req = json.loads(body)
        if route.endswith("/predict"):
            inp = req["inputs"]
            pair = isinstance(inp, list)
            text = " ".join(inp[0]) if pair else inp
        else:
            inp = req["input"]
            pair = False
            text = inp[0] if isinstance(inp, list) else inp
            assert isinstance(text, str) and req.get("model")
    except Exception:
        send(writer, 400, error_body(400, "invalid_request_error", "bad request body"))
        return 400, None, ""
    if auth_refused(mock, writer, hdr):
        return 401, None, text
    if a.status:
        send(writer, a.status, error_body(a.status, a.error_code or "error", "scripted error"))
        return a.status, None, text
    fault = mock.fault_for(text)
    st = await faulted(mock, writer, fault)
    if st is not None:
        return st, fault, text
    p = p_positive(text, float(query.get("bias", 0)))
    if route.endswith("/predict"):
        plain = query["plain"]
        pos, neg = ("positive", "negative") if plain else ("LABEL_1", "LABEL_0")
        preds = sorted([{"label": pos, "score": p}, {"label": neg, "score": 1 - p}],
                       key=lambda d: -d["score"])
        if fault == "badlabel":
            preds = [{"label": "LABEL_7", "score": 0.5}] + preds
        out = [preds] if pair else preds
    else:
        probs = [1 - p, p]
        if fault == "badlabel":
            probs = [(1 - p) / 2, p / 2, 0.5]
        out = {"id": "classify-1", "object": "list", "created": int(time.time()),
               "model": req["model"],
               "data": [{"index": 0, "label": "LABEL_1" if p >= 0.5 else "LABEL_0",
                         "probs": probs, "num_classes": len(probs)}],
               "usage": {"prompt_tokens": len(text) // 4, "total_tokens": len(text) // 4}}
    send(writer, 200, json.dumps(out))
    return 200, fault, text


def serve_scoring(mock, writer, hdr, body):
    """Legacy completions with echo: the prompt's token logprobs.  Status."""
    a = mock.a
    try:
        req = json.loads(body)
        prompt = req["prompt"]
        assert isinstance(prompt, str)
    except Exception:
        send(writer, 400, error_body(400, "invalid_request_error", "bad JSON body"))
        return 400
    if a.key is not None and hdr.get("authorization") != "Bearer " + a.key:
        send(writer, 401, error_body(401, "invalid_api_key", "Incorrect API key provided."))
        return 401
    if not req.get("echo") or req.get("max_tokens", 16) != 0 or not req.get("logprobs"):
        send(writer, 400, error_body(400, "invalid_request_error",
                                     "scoring needs echo, max_tokens 0 and logprobs"))
        return 400
    if "MOCK:500" in prompt:
        send(writer, 500, error_body(500, "server_error", "scripted error"))
        return 500
    tokens, offsets, pos = [], [], 0
    for m in re.finditer(r"\S+", prompt):
        start = m.start() if not tokens else pos
        tokens.append(prompt[start:m.end()])
        offsets.append(start)
        pos = m.end()
    lps = [None] + [-len(t.strip()) / 2.0 for t in tokens[1:]]
    tops = [None] + [{t: lp} for t, lp in zip(tokens[1:], lps[1:])]
    send(writer, 200, json.dumps({
        "id": "cmpl-score", "object": "text_completion", "created": int(time.time()),
        "model": req.get("model", "mock"),
        "choices": [{"index": 0, "text": prompt, "finish_reason": "length",
                     "logprobs": {"tokens": tokens, "token_logprobs": lps,
                                  "top_logprobs": tops, "text_offset": offsets}}],
        "usage": {"prompt_tokens": len(tokens), "completion_tokens": 0,
                  "total_tokens": len(tokens)}}))
    return 200


async def serve_judge(mock, writer, req, user, query, hdr=None):
    """A chat completion answering as a sentiment judge.  (status, fault)."""
    a = mock.a
    neg, pos = a.judge_labels.split(",")
    fault = mock.fault_for(user)
    st = await faulted(mock, writer, fault)
    if st is not None:
        return st, fault
    text = original_of(user)
    p = p_positive(text, float(query.get("bias", 0)))
    top = pos if p >= 0.5 else neg
    if fault == "badlabel":
        top = "maybe"
    if fault == "echohdr":   # a label that echoes the request's headers
        top = "maybe; " + "; ".join("%s: %s" % kv for kv in sorted((hdr or {}).items()))
    if req.get("response_format"):
        content = json.dumps({"label": top})
    else:
        content = top
    ch = {"index": 0, "message": {"role": "assistant", "content": content},
          "finish_reason": "stop"}
    if req.get("logprobs") and not a.no_logprobs and fault != "badlabel":
        def lp(x):
            return math.log(max(x, 1e-300))
        rest = 0.99
        tops = [{"token": pos[:3], "logprob": lp(rest * p * 0.9)},
                {"token": pos[:3].capitalize(), "logprob": lp(rest * p * 0.1)},
                {"token": neg[:3], "logprob": lp(rest * (1 - p) * 0.9)},
                {"token": " " + neg[:3].capitalize(), "logprob": lp(rest * (1 - p) * 0.1)},
                {"token": "The", "logprob": lp(0.01)}]
        tops.sort(key=lambda t: -t["logprob"])
        tops = tops[:int(req.get("top_logprobs", 5))]
        ch["logprobs"] = {"content": [{"token": tops[0]["token"], "logprob": tops[0]["logprob"],
                                       "top_logprobs": tops}]}
    send(writer, 200, json.dumps({
        "id": "chatcmpl-judge", "object": "chat.completion", "created": int(time.time()),
        "model": req.get("model", "mock"), "choices": [ch],
        "usage": {"prompt_tokens": len(user) // 4, "completion_tokens": 2,
                  "total_tokens": len(user) // 4 + 2}}))
    return 200, fault


async def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--port-file")
    p.add_argument("--log")
    p.add_argument("--latency-ms", type=float, default=0)
    p.add_argument("--tail-frac", type=float, default=0)
    p.add_argument("--tail-mult", type=float, default=20)
    p.add_argument("--rng-seed", type=int, default=1)
    p.add_argument("--retry-after", default="1")
    p.add_argument("--hang-s", type=float, default=30)
    p.add_argument("--idle-close-s", type=float, default=0)
    p.add_argument("--key")
    p.add_argument("--echo-key", action="store_true")
    p.add_argument("--fail-frac", type=float, default=0)
    p.add_argument("--status", type=int, default=0)
    p.add_argument("--error-code")
    p.add_argument("--ignore-n", action="store_true")
    p.add_argument("--answer-json")
    p.add_argument("--judge-labels", default="negative,positive")
    p.add_argument("--no-logprobs", action="store_true")
    a = p.parse_args()
    mock = Mock(a)
    server = await asyncio.start_server(lambda r, w: handle(mock, r, w),
                                        "127.0.0.1", a.port, backlog=1024)
    port = server.sockets[0].getsockname()[1]
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, a.port_file)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
