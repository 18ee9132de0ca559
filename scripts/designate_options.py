#!/usr/bin/env python3
"""Rewrite positional cf_option rows as designated initializers.

    scripts/designate_options.py FILE.c...

A positional row { "key", TYPE, offset, def, flags, choices, min, max, set,
"help"[, release] } becomes { .key = "key", .type = TYPE, .offset = ...,
.help = "..." } with the zero fields left out; { NULL } becomes
{ .key = NULL }.  Only rows inside `cf_option NAME[] = { ... };` tables are
touched.  Once every table is designated, -Wno-missing-field-initializers
can leave CMakeLists.txt (issue 10).  Prints the files it changed.
"""
import re
import sys

FIELDS = ["key", "type", "offset", "def", "flags", "choices", "min", "max",
          "set", "help", "release"]
ZERO = {"NULL", "0", "0.0", "0u"}


def split_top(s):
    """Split s at commas outside strings, parentheses and braces."""
    out, depth, cur, i = [], 0, "", 0
    while i < len(s):
        c = s[i]
        if c == '"':
            j = i + 1
            while s[j] != '"':
                j += 2 if s[j] == "\\" else 1
            cur += s[i:j + 1]
            i = j + 1
            continue
        if c in "({":
            depth += 1
        elif c in ")}":
            depth -= 1
        if c == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
        else:
            cur += c
        i += 1
    if cur.strip():
        out.append(cur.strip())
    return out


LITERAL = r'"(?:[^"\\\n]|\\.)*"'


def join_literals(v):
    """"a " "b" -> "a b": a value made only of adjacent string literals
    becomes one literal; anything else (one literal, even "   ") is kept."""
    if not re.fullmatch(r"\s*(?:%s\s*){2,}" % LITERAL, v):
        return v
    return '"' + "".join(m[1:-1] for m in re.findall(LITERAL, v)) + '"'


def designate(body, indent):
    vals = split_top(body)
    if vals and vals[0].startswith("."):
        return None                      # already designated
    parts = []
    for name, v in zip(FIELDS, vals):
        v = join_literals(v)            # "a " "b" -> "a b"
        v = re.sub(r"\s*\n\s*", " ", v)
        if name == "key" or v not in ZERO:
            parts.append(".%s = %s" % (name, v))
    lines, cur = [], indent + "{ "
    for p in parts:
        piece = p + ", "
        if len(cur.expandtabs(8)) + len(piece) > 80 and cur.strip() != "{":
            lines.append(cur.rstrip())
            cur = indent + "  "
        while len(cur.expandtabs(8)) + len(piece) > 80 and '"' in piece:
            # a long string: cut it at a space that fits, go on next line
            room = 80 - len(cur.expandtabs(8)) - 1
            cut = piece.rfind(" ", 0, room)
            if cut <= piece.find('"'):
                break
            lines.append(cur + piece[:cut + 1] + '"')
            cur = indent + "  "
            piece = '"' + piece[cut + 1:]
        cur += piece
    return "\n".join(lines + [cur.rstrip().rstrip(",") + " }"])


def convert(text):
    def table(m):
        head, rows, tail = m.group(1), m.group(2), m.group(3)
        out, i = "", 0
        while i < len(rows):
            j = rows.find("{", i)
            if j < 0:
                out += rows[i:]
                break
            k, depth = j, 0
            while True:                   # the matching brace
                c = rows[k]
                if c == '"':
                    k += 1
                    while rows[k] != '"':
                        k += 2 if rows[k] == "\\" else 1
                elif c == "{":
                    depth += 1
                elif c == "}":
                    depth -= 1
                    if depth == 0:
                        break
                k += 1
            line_start = rows.rfind("\n", 0, j) + 1
            indent = rows[line_start:j]
            new = designate(rows[j + 1:k], indent) if indent.strip() == "" else None
            if new is None:
                out += rows[i:k + 1]
            else:
                out += rows[i:line_start] + new
            i = k + 1
        return head + out + tail
    return re.sub(r"(cf_option \w+\[\] = \{)(.*?)(\n\};)", table, text, flags=re.S)


for path in sys.argv[1:]:
    old = open(path, encoding="utf-8").read()
    new = convert(old)
    if new != old:
        open(path, "w", encoding="utf-8").write(new)
        print(path)
