#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Checks the Markdown files given on the command line (scripts/check-tree passes README.md,
CHANGELOG.md, CONTRIBUTING.md and docs/*.md):

- every link and image resolves inside the repository: a relative path to a file or directory
  that exists, and an anchor (`#...`, alone or after a .md path) naming a heading of that page
  (GitHub's rule: lower case, punctuation dropped, spaces to '-', '-1', '-2' for repeats);
- no link leaves the tree: no http(s)/mailto URL, no path climbing out of the repository;
- no path of a particular machine (/work/, /home/, /root/, /tmp/) and no placeholder left in
  (a line that is only RESULTS, TODO, TBD, FIXME or XXX).

Code blocks and `code spans` are not looked at. Prints one line per problem; exits 1 if any.
Usage: check_docs.py ROOT FILE.md...
"""
import os
import re
import sys

root = os.path.realpath(sys.argv[1])
files = sys.argv[2:]

LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"]*\")?\s*\)")
REF_DEF = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+.*)?$")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
MACHINE = re.compile(r"(?<![\w.~-])/(work|home|root|tmp)/")
PLACEHOLDER = re.compile(r"^\s*(RESULTS|TODO|TBD|FIXME|XXX)\s*$")


def prose_lines(text, keep_code_spans=False):
    """(line number, line) outside fenced code blocks, with `code spans` blanked (or kept)."""
    fence = None
    for n, line in enumerate(text.splitlines(), 1):
        m = re.match(r"^\s{0,3}(`{3,}|~{3,})", line)
        if m:
            if fence is None:
                fence = m.group(1)[0] * len(m.group(1))
            elif line.strip().startswith(fence):
                fence = None
            continue
        if fence is None and keep_code_spans:
            yield n, line
        elif fence is None:
            yield n, re.sub(r"(`+)(?:(?!\1).)+?\1", lambda c: " " * len(c.group(0)), line)


def slug(heading):
    s = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link in a heading: its text
    s = s.lower().replace("`", "")
    s = re.sub(r"[^\w\- ]", "", s)
    return s.replace(" ", "-")


anchors_cache = {}


def anchors(path):
    if path not in anchors_cache:
        seen = {}
        out = set()
        with open(path, encoding="utf-8") as f:
            for _, line in prose_lines(f.read(), keep_code_spans=True):
                m = HEADING.match(line)
                if not m:
                    continue
                base = slug(m.group(2))
                k = seen.get(base, 0)
                out.add(base if k == 0 else f"{base}-{k}")
                seen[base] = k + 1
        anchors_cache[path] = out
    return anchors_cache[path]


problems = 0


def problem(path, n, msg):
    global problems
    problems += 1
    print(f"check-docs: {os.path.relpath(path, root)}:{n}: {msg}")


for md in files:
    path = os.path.realpath(md)
    with open(path, encoding="utf-8") as f:
        text = f.read()
    # Machine paths count in code blocks too: a command line is as wrong as a link.
    for n, line in enumerate(text.splitlines(), 1):
        if MACHINE.search(line):
            problem(path, n, f"a path of a particular machine: {line.strip()}")
    for n, line in prose_lines(text):
        if PLACEHOLDER.match(line):
            problem(path, n, f"a placeholder: {line.strip()}")
        targets = [m.group(1) for m in LINK.finditer(line)]
        m = REF_DEF.match(line)
        if m:
            targets.append(m.group(1))
        for target in targets:
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I) or target.startswith("//"):
                problem(path, n, f"a link outside the repository: {target}")
                continue
            file_part, _, anchor = target.partition("#")
            dest = path if file_part == "" else os.path.realpath(
                os.path.join(os.path.dirname(path), file_part))
            if dest != root and not dest.startswith(root + os.sep):
                problem(path, n, f"a link that leaves the repository: {target}")
                continue
            if not os.path.exists(dest):
                problem(path, n, f"a link to a missing file: {target}")
                continue
            if anchor and dest.endswith(".md") and anchor not in anchors(dest):
                problem(path, n, f"no heading '#{anchor}' in {os.path.relpath(dest, root)}")

sys.exit(1 if problems else 0)
