#!/usr/bin/env bash
# report.html opens in headless Chromium (Debian's chromium package) and
# renders its charts: the DOM Chromium builds holds every SVG, and a
# screenshot is produced (kept in the test's temporary directory, never in
# the repository).  Chromium is installed with apt-get when missing and the
# test runs as root; otherwise the test is skipped with a message.
set -u
. "$(dirname "$0")/../lib.sh"

if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing chromium with apt-get (needed to render report.html)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      chromium >"$T/apt.log" 2>&1 || tail -5 "$T/apt.log"
  fi
fi
if ! command -v chromium >/dev/null 2>&1; then
  echo "skip - chromium is not installed and cannot be installed here" \
       "(not root, or apt-get failed): report.html not rendered"
  finish; exit $?
fi

python3 - "$T" <<'PY'
import json, sys
d = sys.argv[1]
with open(f"{d}/train.jsonl", "w") as w:
    for _ in range(20):
        for t, l in [("good film", "pos"), ("great plot", "pos"),
                     ("bad film", "neg"), ("awful plot", "neg")]:
            w.write(json.dumps({"text": t, "label": l}) + "\n")
with open(f"{d}/pairs.jsonl", "w") as w:
    for i, (o, ol, c, cl, k) in enumerate([
            ("good film", "pos", "bad film", "neg", "rules"),
            ("great plot", "pos", "awful plot", "neg", "llm"),
            ("bad film", "neg", "good film <b>&amp;</b>", "pos", "rules"),
            ("awful plot", "neg", "awful story", "neg", "paraphrase")]):
        w.write(json.dumps({"pair_id": f"{i}#0.0", "orig_id": str(i),
            "original": {"text": o, "label": ol},
            "counterfactual": {"text": c, "label": cl},
            "generator": {"stage": f"<{k}>", "kind": k}}) + "\n")
PY
expect 0 "train" -- teacher train -i "$T/train.jsonl" --label-field label -o "$T/m.cft"
expect 0 "eval with spurious" -- eval -q -i "$T/pairs.jsonl" --judge "$T/m.cft" \
  --spurious "$T/train.jsonl" "$T/train.jsonl" --min-count 2 -o "$T/r"

chrome() {
  timeout 120 chromium --headless --no-sandbox --disable-gpu \
    --disable-background-networking --disable-component-update --no-first-run \
    --user-data-dir="$(mktemp -d "$T/profile.XXXXXX")" "$@" 2>"$T/chrome.err"
}
want=$(grep -o '<svg' "$T/r/report.html" | wc -l)
if chrome --dump-dom "file://$T/r/report.html" >"$T/dom.html"; then
  ok "chromium loads report.html"
else bad "chromium failed on report.html" "$(tail -3 "$T/chrome.err")"; fi
got=$(grep -o '<svg' "$T/dom.html" | wc -l)
if [ "$want" -ge 6 ] && [ "$got" -eq "$want" ]; then ok "all $want SVG charts are in the rendered DOM"
else bad "SVG charts: $got rendered of $want in the file (want >= 6)"; fi
# an SVG element must not swallow the next (unclosed <rect>): every chart's
# bars are children of its <svg>, and no <rect> holds another
python3 - "$T/dom.html" >"$T/check" 2>&1 <<'PY'
import sys
from html.parser import HTMLParser
class P(HTMLParser):
    def __init__(s):
        super().__init__(); s.stack = []; s.bad = 0; s.rects = 0; s.text = []
    def handle_starttag(s, t, a):
        if t == "rect":
            s.rects += 1
            if "rect" in s.stack: s.bad += 1
        if t not in ("meta", "br", "line"): s.stack.append(t)
    def handle_startendtag(s, t, a):
        if t == "rect": s.rects += 1
    def handle_endtag(s, t):
        while s.stack and s.stack.pop() != t: pass
    def handle_data(s, d): s.text.append(d)
p = P(); p.feed(open(sys.argv[1]).read())
txt = "".join(p.text)
assert p.rects > 10 and p.bad == 0, (p.rects, p.bad)
# escaped data shows as text (the example pairs print the counterfactual
# "good film <b>&amp;</b>" word by word); unescaped, the DOM would hold a
# <b> element and the text "&" instead
assert "<rules>" in txt and "<b>&amp;</b>" in txt, "escaping"
assert "Counterfactual evaluation" in txt
print("dom ok")
PY
contains "$T/check" "dom ok" "rendered DOM: charts well-formed, data escaped"
if chrome --screenshot="$T/shot.png" --window-size=1200,2000 "file://$T/r/report.html" &&
   [ -s "$T/shot.png" ] && [ "$(head -c 8 "$T/shot.png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ]; then
  ok "screenshot taken ($(wc -c <"$T/shot.png") bytes, kept out of the repository)"
else bad "no screenshot" "$(tail -3 "$T/chrome.err")"; fi
finish
