#!/usr/bin/env python3
"""Print the shell commands of a Markdown file's code blocks, one per line
(continuations joined), for tests that run a document's examples
(tests/cli/test_readme.sh, test_tutorial.sh).

Commands are the lines of indented (4-space) blocks and of ```sh/```bash
fences.  A block right after `<!-- readme-test: skip (why) -->` is left out.
Lines that are comments, or YAML (indented blocks that do not start with a
command word), are left out.
"""
import re, sys

WORDS = ('cfaug ', './build/cfaug ', './scripts/', 'python3 ', 'gzip ', 'zcat ',
         'head ', 'mkdir ', 'cp ', 'cat ', 'ls ', 'source ', 'cd ', 'export ', 'zstd ', 'printf ')


def commands(text):
    lines = text.split('\n')
    out, skip, i, fence = [], False, 0, None
    while i < len(lines):
        l = lines[i]
        if l.strip().startswith('<!-- readme-test: skip'):
            skip = True
            i += 1
            continue
        if fence is None and re.match(r'^```(sh|bash|console)\s*$', l):
            fence, block = 'sh', []
            i += 1
            while i < len(lines) and not lines[i].startswith('```'):
                block.append(lines[i])
                i += 1
            i += 1
            if not skip:
                out += join(block)
            skip = False
            continue
        if l.startswith('```'):          # another fence: skip its body
            i += 1
            while i < len(lines) and not lines[i].startswith('```'):
                i += 1
            i += 1
            skip = False
            continue
        if l.startswith('    ') and (i == 0 or lines[i - 1].strip() == ''):
            block = []
            while i < len(lines) and (lines[i].startswith('    ') or lines[i].strip() == ''):
                block.append(lines[i][4:])
                i += 1
            if not skip:
                out += join(block)
            skip = False
            continue
        if l.strip():
            skip = skip and l.strip().startswith('<!--')
        i += 1
    return out


def join(block):
    cmds, cur = [], ''
    for l in block:
        if cur:
            cur += ' ' + l.strip()
        elif l.startswith(WORDS):
            cur = l.strip()
        else:
            continue
        if cur.endswith('\\'):
            cur = cur[:-1].rstrip()
            continue
        cmds.append(cur)
        cur = ''
    return cmds


if __name__ == '__main__':
    for c in commands(open(sys.argv[1]).read()):
        print(c)
