#!/usr/bin/env python3
"""Data-driven cases for behaviour that talks to a server: the llm stage,
the teacher's remote judges and `cfaug eval`, against the scripted loopback
mock (tests/mock_openai.py).  A case is a folder tests/netcases/NAME/:

  case.json   {"about": "...", "mock": [MOCK ARGS], "env": {VAR: VALUE},
               "steps": [STEP, ...]}
  *.yaml, input files, ...   copied into a scratch folder W, which is the
              working directory of every step.  In text files (.yaml .txt
              .json .jsonl .csv .tsv) @PORT@ becomes the mock's port, @W@ the scratch folder and
              @ROOT@ the project root (for prompts/, lexicons/);
              @REPEAT(N,TEXT)@ is TEXT N times (a big record, not committed).
  expected/   files that `same` compares byte for byte.

A STEP is {"name": "...", "cmd": [cfaug ARGS], "exit": 0 (null: unchecked),
           "mock": [ARGS] (restart the mock with these before the step),
           "env": {VAR: VALUE}, "cwd": "@ROOT@" (to run an example as
           documented; default @W@), "check": [CHECK, ...],
           "same": {"res/pairs.jsonl": "expected/pairs.jsonl"},
           "sh": "ONE LINE" (bash in W before cmd: cut or spoil a cache),
           "kill_after": SECONDS or {"files": DIR, "at_least": N, "max_s": S}
           (SIGKILL the run then; no exit code),
           "max_seconds": S, "max_rss_mb": M (bounds on the run's wall time
           and peak RSS: for resource limits, never for speed),
           "save": {NAME: LEFT} (later checks read @NAME@ as its value),
           "write": {FILE: RIGHT} (a list, as JSON lines: input made from
           an output, for the next step)}.
"cmd" may be omitted: a step of checks only.  In the output of `same`, the
scratch folder reads $W and the mock's port $PORT.

A CHECK is one line:  LEFT OP RIGHT
  OP     == != < <= > >= ~= (numbers within 1e-6, or RIGHT tol T)
         contains !contains each== each!= each_in (item by item, a list
         against a list or a value)
  RIGHT  a JSON literal or a term like LEFT, or a sum of them:
         A + B - C (60 - @cached@)
  LEFT   a selector, or FUNC(selector[, selector...])[JSONPATH] with FUNC one of
         len max min sum sorted rsorted set (sorted, unique) keys values
         num (text to number) join (lines to one text) json (text to
         value) argmax (the key of an object's largest value)
         map(FUNC, SELECTOR) (FUNC on every item) mode (a path's
         permission bits as "0700") modes (of the files under a folder)
         files (number of files under a folder) entries (the same, but
         not .tmp* files) badjson (entries that are not one JSON value)
         findall(SELECTOR, "REGEX") (every match in a text)
         missing(SELECTOR) (no such key or index) exists text (every file
         under the paths, concatenated: for "nowhere" checks)
         reconciles (report totals add up and match the files' lines)
         gaps (mock requests in time order: each start - the previous end)
  selector  stdout | stderr | mock | mocklog | PATH[:JSONPATH]
         mock is the requests the mock logged during this step, mocklog
         all of them since it started; a .json file is its value, a .jsonl
         file the list of its lines, a .csv/.tsv file its rows as objects,
         another file its text.
  JSONPATH  dot-separated keys; [N] indexes; [*] maps what follows over a
         list ([*][0] is the first item, [*].a[0] every item's a[0]);
         [KEY=VALUE] keeps the items whose KEY is VALUE (as text),
         [KEY~TEXT] those whose KEY contains TEXT, [KEY] those that have
         KEY (all three map what follows).

Run: CFAUG=/abs/build/cfaug tests/run_netcases.py [CASE_DIR...] (default: all).
CFAUG_UPDATE_GOLDEN=1 rewrites the expected/ files named in `same`;
CFAUG_KEEP=1 keeps a failing case's scratch folder; CFAUG_WRAP runs cfaug
under a tool (valgrind).  Each check prints one line; exit 1 if any failed.
"""
import csv
import difflib
import http.client
import json
import math
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MOCK_PY = os.path.join(ROOT, "tests", "mock_openai.py")
SUBST_EXT = (".yaml", ".yml", ".txt", ".jsonl", ".json", ".tsv", ".csv")


class CheckError(Exception):
    pass


class Mock:
    """One mock server on a free loopback port, stopped by its pid."""

    def __init__(self, work, args, n):
        self.log = os.path.join(work, ".mock%d.log" % n)
        portf = os.path.join(work, ".mock.port")
        if os.path.exists(portf):
            os.unlink(portf)
        open(self.log, "w").close()
        self.err = open(os.path.join(work, ".mock%d.err" % n), "w")
        self.proc = subprocess.Popen(
            [sys.executable, MOCK_PY, "--port", "0", "--port-file", portf,
             "--log", self.log] + args, stderr=self.err)
        # the port file appears (renamed into place) once the mock listens;
        # bounded by time, not by a count of naps: a loaded machine or a
        # sanitizer build may take seconds to start Python
        t_end = time.monotonic() + 60
        while not (os.path.exists(portf) and os.path.getsize(portf)):
            if self.proc.poll() is not None or time.monotonic() > t_end:
                self.stop()
                raise CheckError("mock server did not start (exit %s)" % self.proc.poll())
            time.sleep(0.02)
        self.port = open(portf).read().strip()

    def wait_idle(self, wait_s=15):
        """Until every request the mock has read is answered and logged:
        it logs a request when it ends, which can come after the client
        has its answer (or was killed).  A handshake, not a nap."""
        c = http.client.HTTPConnection("127.0.0.1", int(self.port), timeout=wait_s + 30)
        try:
            c.request("GET", "/_mock/idle?wait=%g" % wait_s)
            state = json.loads(c.getresponse().read())
        finally:
            c.close()
        if state["active"]:
            print("     - mock: %d requests still being served after %g s "
                  "(a hanging fault): the log may not hold them yet" % (state["active"], wait_s))

    def lines(self):
        with open(self.log) as f:
            return [json.loads(l) for l in f if l.strip()]

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.err.close()


# ---- selectors ---------------------------------------------------------------
SEG = re.compile(r"\.?([^.\[\]]+)|\[([^\]]*)\]")


def walk(value, path):
    """Follow JSONPATH.  After [*] or a filter, keys and indexes apply to
    every item; an index right after a filter picks one of its items."""
    mapped = just_filtered = False
    for m in SEG.finditer(path):
        key, idx = m.group(1), m.group(2)
        if key is not None:
            value = [v[key] for v in value] if mapped else value[key]
            just_filtered = False
        elif idx == "*":
            mapped = just_filtered = True
        elif re.fullmatch(r"-?\d+", idx):
            if mapped and not just_filtered:
                value = [v[int(idx)] for v in value]
            else:
                value, mapped = value[int(idx)], False
            just_filtered = False
        elif re.fullmatch(r"\w+", idx):       # [KEY]: the items that have KEY
            value = [v for v in value if isinstance(v, dict) and idx in v]
            mapped = just_filtered = True
        else:
            k, op, want = re.fullmatch(r"([^=~]+)([=~])(.*)", idx).groups()
            keep = (lambda v: str(v.get(k)) == want) if op == "=" else \
                   (lambda v: want in str(v.get(k, "")))
            value = [v for v in value if isinstance(v, dict) and keep(v)]
            mapped = just_filtered = True
    return value


def load(ctx, name):
    if name in ("stdout", "stderr"):
        return ctx[name]
    if name == "mock":
        return ctx["mock_lines"]
    if name == "mocklog":
        return ctx["mock_all"]
    path = os.path.join(ctx["work"], name)
    with open(path, encoding="utf-8") as f:
        if name.endswith(".jsonl"):
            return [json.loads(l) for l in f if l.strip()]
        if name.endswith(".json"):
            return json.load(f)
        if name.endswith((".csv", ".tsv")):
            return list(csv.DictReader(f, delimiter="\t" if name.endswith(".tsv") else ","))
        return f.read()


def select(ctx, sel):
    sel = sel.strip()
    m = re.fullmatch(r"(stdout|stderr|mocklog|mock)((?:[.\[].*)?)", sel)
    if m:
        return walk(load(ctx, m.group(1)), m.group(2))
    name, _, path = sel.partition(":")
    return walk(load(ctx, name), path)


def all_files(ctx, paths):
    out = []
    for p in paths:
        full = os.path.join(ctx["work"], p)
        if os.path.isdir(full):
            for r, _, fs in os.walk(full):
                out += [os.path.join(r, f) for f in sorted(fs)]
        elif os.path.exists(full):
            out.append(full)
    return out


def parses(path):
    try:
        with open(path, encoding="utf-8") as f:
            json.load(f)
        return True
    except ValueError:
        return False


def reconciles(ctx, d):
    t = load(ctx, d + "/report.json")["totals"]
    got = (t["records_read"] == t["records_processed"] + t["records_errors"]
           and t["candidates"] == t["accepted"] + t["rejected"]
           and len(load(ctx, d + "/pairs.jsonl")) == t["accepted"]
           and len(load(ctx, d + "/rejected.jsonl")) == t["rejected"])
    return got or "totals %s" % json.dumps(t)


def text_of(ctx, paths):
    parts = []
    for p in paths:
        if p in ("stdout", "stderr"):
            parts.append(ctx[p])
    for f in all_files(ctx, [p for p in paths if p not in ("stdout", "stderr")]):
        with open(f, "rb") as h:
            parts.append(h.read().decode("utf-8", "replace"))
    return "\n".join(parts)


FUNCS = {
    "len": len, "max": max, "min": min, "sum": sum, "sorted": sorted,
    "set": lambda v: sorted({json.dumps(x, sort_keys=True): x for x in v}.values(),
                            key=lambda x: json.dumps(x, sort_keys=True)),
    # keys of an object, or every key of a list of objects
    "keys": lambda v: sorted({k for x in v for k in x} if isinstance(v, list) else v),
    "values": lambda v: list(v.values()),
    "rsorted": lambda v: sorted(v, reverse=True),
    "num": float,
    "json": json.loads,
    "argmax": lambda d: max(d, key=d.get),
    "join": lambda v: "\n".join(v),
    # gaps between requests in time order: each one's start - the previous end
    "gaps": lambda v: [b["t0"] - a["t1"] for a, b in
                       zip(sorted(v, key=lambda r: r["t0"]),
                           sorted(v, key=lambda r: r["t0"])[1:])],
}


def split_args(text):
    """Split FUNC's arguments at the commas outside brackets and quotes."""
    out, depth, quoted, cur, i = [], 0, False, "", 0
    while i < len(text):
        ch = text[i]
        if quoted and ch == "\\":
            cur += text[i:i + 2]
            i += 2
            continue
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "([":
            depth += 1
        elif not quoted and ch in ")]":
            depth -= 1
        if ch == "," and depth == 0 and not quoted:
            out.append(cur.strip())
            cur = ""
        else:
            cur += ch
        i += 1
    return out + [cur.strip()]


def term(ctx, text):
    text = text.strip()
    m = re.fullmatch(r"([a-z]+)\((.*)\)((?:\[[^\]]*\]|\.[A-Za-z_]\w*)*)", text)
    if m and m.group(3):     # FUNC(...)[0].key: a path into the function's value
        return walk(term(ctx, text[:len(text) - len(m.group(3))]), m.group(3))
    if m and (m.group(1) in FUNCS or m.group(1) in
              ("mode", "modes", "files", "entries", "badjson", "exists", "text",
               "findall", "missing", "map", "reconciles")):
        fn, arg = m.group(1), m.group(2)
        args = split_args(arg)
        if fn == "findall":
            return re.findall(json.loads(args[1]), term(ctx, args[0]))
        if fn == "missing":
            try:
                term(ctx, arg)
                return False
            except (KeyError, IndexError):
                return True
        if fn == "map":      # map(FUNC, SELECTOR): FUNC on every item
            return [FUNCS[args[0]](x) for x in term(ctx, args[1])]
        if fn == "exists":
            return os.path.exists(os.path.join(ctx["work"], arg.strip()))
        if fn == "mode":
            return "%04o" % stat.S_IMODE(os.stat(os.path.join(ctx["work"], arg.strip())).st_mode)
        if fn == "modes":
            return sorted({"%04o" % stat.S_IMODE(os.stat(f).st_mode)
                           for f in all_files(ctx, args)})
        if fn == "files":
            return len(all_files(ctx, args))
        if fn in ("entries", "badjson"):
            fs = [f for f in all_files(ctx, args) if not os.path.basename(f).startswith(".tmp")]
            if fn == "entries":
                return len(fs)
            return sum(1 for f in fs if not parses(f))
        if fn == "text":
            return text_of(ctx, args)
        if fn == "reconciles":
            return reconciles(ctx, arg.strip())
        return FUNCS[fn](right_value(ctx, arg))
    return select(ctx, text)


OPS = ["!contains", "contains", "each==", "each!=", "each_in",
       "==", "!=", "<=", ">=", "~=", "<", ">"]
OP_RE = re.compile(r"\s(%s)\s" % "|".join(re.escape(o) for o in OPS))


def right_value(ctx, text):
    """A JSON literal or a term; A + B - C adds and subtracts them."""
    parts = split_top(text.strip())
    total = operand(ctx, parts[0])
    for op, part in zip(parts[1::2], parts[2::2]):
        total = total + operand(ctx, part) if op == "+" else total - operand(ctx, part)
    return total


def split_top(text):
    """TEXT split at " + " and " - " outside brackets and quotes:
    [A, "+", B, "-", C]."""
    out, depth, quoted, start, i = [], 0, False, 0, 0
    while i < len(text):
        ch = text[i]
        if quoted and ch == "\\":
            i += 2
            continue
        if ch == '"':
            quoted = not quoted
        elif not quoted and ch in "([":
            depth += 1
        elif not quoted and ch in ")]":
            depth -= 1
        elif (not quoted and depth == 0 and ch in "+-" and text[i - 1:i] == " "
              and text[i + 1:i + 2] == " "):
            out += [text[start:i - 1], ch]
            start = i + 2
        i += 1
    return out + [text[start:]]


def operand(ctx, text):
    try:
        return json.loads(text)
    except ValueError:
        return term(ctx, text)


def each(left, right, test):
    """Item by item: a list against a list of the same length or a value."""
    if not isinstance(right, list):
        right = [right] * len(left)
    return len(left) == len(right) and all(test(a, b) for a, b in zip(left, right))


def close(a, b, tol):
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(close(x, y, tol) for x, y in zip(a, b))
    return isinstance(a, (int, float)) and isinstance(b, (int, float)) \
        and math.isclose(a, b, rel_tol=0, abs_tol=tol)


def check(ctx, line):
    """Evaluate one CHECK line: None when it holds, else what was found."""
    m = OP_RE.search(line)
    if not m:
        raise CheckError("no operator in check: %s" % line)
    op = m.group(1)
    tol = 1e-6
    rtext = line[m.end():]
    tm = re.fullmatch(r"(.*)\s+tol\s+(\S+)\s*", rtext)
    if op == "~=" and tm:
        rtext, tol = tm.group(1), float(tm.group(2))
    try:
        left = term(ctx, line[:m.start()])
        right = right_value(ctx, rtext)
    except (KeyError, IndexError, TypeError, ValueError, OSError,
            AttributeError) as e:
        return "cannot evaluate: %s: %s" % (type(e).__name__, e)
    if isinstance(left, str) and left.startswith("totals "):
        return left       # reconciles() says why
    try:
        held = {
            "==": lambda: left == right, "!=": lambda: left != right,
            "<": lambda: left < right, "<=": lambda: left <= right,
            ">": lambda: left > right, ">=": lambda: left >= right,
            "~=": lambda: close(left, right, tol),
            "each==": lambda: each(left, right, lambda a, b: a == b),
            "each!=": lambda: each(left, right, lambda a, b: a != b),
            "each_in": lambda: each(left, right, lambda a, b: a in b),
            "contains": lambda: right in left,
            "!contains": lambda: right not in left,
        }[op]()
    except TypeError as e:
        return "cannot compare: %s" % e
    if held:
        return None
    shown = json.dumps(left, ensure_ascii=False)
    return "found %s" % (shown if len(shown) < 400 else shown[:400] + "...")


# ---- running a case ----------------------------------------------------------
REPEAT = re.compile(r"@REPEAT\((\d+),(.*?)\)@")


def subst(text, ctx):
    text = REPEAT.sub(lambda m: m.group(2) * int(m.group(1)), text)
    return (text.replace("@PORT@", ctx.get("port", "0"))
                .replace("@W@", ctx["work"]).replace("@ROOT@", ROOT))


def wait_to_kill(when, work):
    """SECONDS, or {"files": DIR, "at_least": N, "max_s": S}: until DIR
    holds N files (a run part done), at most S seconds."""
    if not isinstance(when, dict):
        time.sleep(when)
        return
    t_end = time.time() + when.get("max_s", 5)
    while time.time() < t_end:
        if len(all_files({"work": work}, [when["files"]])) >= when["at_least"]:
            return
        time.sleep(0.02)


def run_measured(argv, cwd, env, timeout, ctx):
    """Run cfaug; its exit code, seconds and peak RSS (MB, from wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.time()
        p = subprocess.Popen(argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
                             stdout=out, stderr=err)
        timer = threading.Timer(timeout, p.kill)
        timer.start()
        _, status, usage = os.wait4(p.pid, 0)
        timer.cancel()
        p.returncode = os.waitstatus_to_exitcode(status)
        secs = time.time() - t0
        out.seek(0)
        err.seek(0)
        ctx["stdout"] = out.read().decode("utf-8", "replace")
        ctx["stderr"] = err.read().decode("utf-8", "replace")
    return p.returncode, secs, usage.ru_maxrss // 1024


def normalise(data, ctx):
    data = data.replace(ctx["work"], "$W").replace(ROOT, "$ROOT")
    if ctx.get("port"):
        data = data.replace("127.0.0.1:%s" % ctx["port"], "127.0.0.1:$PORT")
    return data


def copy_case(src, work):
    """Copy the case's files into the scratch folder; its text files are
    kept as NAME.in templates, written out by write_substituted()."""
    for name in os.listdir(src):
        if name in ("expected", "case.json"):
            continue
        s, d = os.path.join(src, name), os.path.join(work, name)
        if os.path.isdir(s):
            shutil.copytree(s, d)
        else:
            shutil.copy(s, d)
    for r, _, fs in os.walk(work):
        for f in fs:
            if f.endswith(SUBST_EXT):
                os.rename(os.path.join(r, f), os.path.join(r, f + ".in"))


def write_substituted(work, ctx):
    """Replace @PORT@/@W@/@ROOT@ in the case's text files (again after a
    mock restart: the templates are kept as NAME.in)."""
    for r, _, fs in os.walk(work):
        for f in fs:
            if f.endswith(".in") and f[:-3].endswith(SUBST_EXT):
                with open(os.path.join(r, f), encoding="utf-8") as h:
                    text = h.read()
                with open(os.path.join(r, f[:-3]), "w", encoding="utf-8") as h:
                    h.write(subst(text, ctx))


class Tally:
    """Counts and prints one line per assertion of a case."""

    def __init__(self, case):
        self.case, self.passed, self.failed = case, 0, 0

    def ok(self, what):
        self.passed += 1
        print("ok   - %s: %s" % (self.case, what))

    def bad(self, what, detail=""):
        self.failed += 1
        print("FAIL - %s: %s" % (self.case, what))
        for line in detail.splitlines()[:20]:
            print("       " + line)

    def expect(self, held, what, detail=""):
        if held:
            self.ok(what)
        else:
            self.bad(what, detail)


def run_sh(step, sname, ctx, tally):
    """A file operation between runs (cut or spoil a cache): one line of
    bash in the scratch folder."""
    sh = subprocess.run(["bash", "-euo", "pipefail", "-c", subst(step["sh"], ctx)],
                        cwd=ctx["work"], capture_output=True, text=True)
    if sh.returncode:
        tally.bad("%s: sh exit %d" % (sname, sh.returncode), sh.stderr[-300:])


def run_cmd(step, sname, ctx, env, cfaug, wrap, tally):
    """Run the step's cfaug command: its exit code and resource bounds."""
    senv = dict(env)
    senv.update({k: subst(v, ctx) for k, v in step.get("env", {}).items()})
    argv = wrap + [cfaug] + [subst(a, ctx) for a in step["cmd"]]
    cwd = subst(step.get("cwd", "@W@"), ctx)
    if "kill_after" in step:
        # SIGKILL mid-run: what a crash or an OOM kill leaves behind
        p = subprocess.Popen(argv, cwd=cwd, env=senv, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_to_kill(step["kill_after"], ctx["work"])
        p.kill()
        p.wait()           # requests in flight are logged: mock.wait_idle()
        ctx["stdout"] = ctx["stderr"] = ""
        tally.ok("%s (killed after %s)" % (sname, step["kill_after"]))
        return
    rc, secs, rss_mb = run_measured(argv, cwd, senv, step.get("timeout", 120), ctx)
    want = step.get("exit", 0)
    if want is None:        # "exit": null: not part of the case
        print("     - %s: %s (exit %d, not checked)" % (tally.case, sname, rc))
    else:
        tally.expect(rc == want, "%s (exit %d, wanted %d; %.1f s, peak RSS %d MB)" % (
            sname, rc, want, secs, rss_mb), ctx["stderr"][-600:])
    for key, got in (("max_seconds", secs), ("max_rss_mb", rss_mb)):
        if key in step:
            tally.expect(got <= step[key], "%s: %s %.1f <= %s" % (sname, key, got, step[key]))


def run_checks(step, ctx, tally):
    for line in step.get("check", []):
        line = subst(line, ctx)
        for k, v in ctx["saved"].items():
            line = line.replace("@%s@" % k, json.dumps(v))
        why = check(ctx, line)
        tally.expect(why is None, line if why is None else "%s: %s" % (line, why))


def save_and_write(step, ctx):
    for k, sel in step.get("save", {}).items():
        ctx["saved"][k] = term(ctx, sel)
    for fname, expr in step.get("write", {}).items():
        with open(os.path.join(ctx["work"], fname), "w", encoding="utf-8") as h:
            for item in right_value(ctx, expr):
                h.write(json.dumps(item, ensure_ascii=False) + "\n")


def compare_same(step, cdir, ctx, tally):
    """Golden files: the output (scratch folder and port normalised) must
    equal expected/; CFAUG_UPDATE_GOLDEN=1 rewrites expected/ first."""
    for got, exp in step.get("same", {}).items():
        gpath, epath = os.path.join(ctx["work"], got), os.path.join(cdir, exp)
        data = "(missing)\n"
        if os.path.exists(gpath):
            with open(gpath, encoding="utf-8") as h:
                data = normalise(h.read(), ctx)
        if os.environ.get("CFAUG_UPDATE_GOLDEN"):
            os.makedirs(os.path.dirname(epath), exist_ok=True)
            with open(epath, "w", encoding="utf-8") as h:
                h.write(data)
        want = ""
        if os.path.exists(epath):
            with open(epath, encoding="utf-8") as h:
                want = h.read()
        diff = difflib.unified_diff(want.splitlines(), data.splitlines(), lineterm="")
        tally.expect(data == want, "%s same as %s" % (got, exp), "\n".join(list(diff)[:20]))


def run_case(cdir, cfaug, wrap):
    """Run one case folder; returns (passed, failed)."""
    name = os.path.basename(os.path.normpath(cdir))
    with open(os.path.join(cdir, "case.json"), encoding="utf-8") as h:
        spec = json.load(h)
    work = tempfile.mkdtemp(prefix="cfaug-net-%s-" % name)
    ctx = {"work": work, "stdout": "", "stderr": "", "mock_lines": [], "mock_all": [],
           "saved": {}}
    tally = Tally(name)
    copy_case(cdir, work)
    mock, nmock = None, 0
    env = dict(os.environ)
    env.update(spec.get("env", {}))
    try:
        margs = spec.get("mock")
        for i, step in enumerate(spec["steps"]):
            sname = step.get("name", "step %d" % (i + 1))
            if "mock" in step:      # a fresh mock: new arguments, new fault counts
                margs = step["mock"]
                if mock:
                    mock.stop()
                    mock = None
            if margs is not None and mock is None:
                nmock += 1
                mock = Mock(work, [subst(a, ctx) for a in margs], nmock)
                ctx["port"] = env["MOCK_PORT"] = mock.port
            write_substituted(work, ctx)
            before = len(mock.lines()) if mock else 0
            if "sh" in step:
                run_sh(step, sname, ctx, tally)
            if "cmd" in step:
                run_cmd(step, sname, ctx, env, cfaug, wrap, tally)
            if mock:
                mock.wait_idle()
                ctx["mock_all"] = mock.lines()
                ctx["mock_lines"] = ctx["mock_all"][before:]
            run_checks(step, ctx, tally)
            save_and_write(step, ctx)
            compare_same(step, cdir, ctx, tally)
    except CheckError as e:
        tally.bad(str(e))
    finally:
        if mock:
            mock.stop()
        if tally.failed and os.environ.get("CFAUG_KEEP"):
            print("       (kept %s)" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    return tally.passed, tally.failed


def main():
    cfaug = os.environ.get("CFAUG")
    if not cfaug:
        sys.exit("set CFAUG to the cfaug binary")
    cfaug = os.path.abspath(cfaug)
    wrap = os.environ.get("CFAUG_WRAP", "").split()
    dirs = sys.argv[1:] or sorted(
        os.path.join(ROOT, "tests", "netcases", d)
        for d in os.listdir(os.path.join(ROOT, "tests", "netcases"))
        if os.path.isfile(os.path.join(ROOT, "tests", "netcases", d, "case.json")))
    passed = failed = 0
    for d in dirs:
        p, f = run_case(d, cfaug, wrap)
        passed += p
        failed += f
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
