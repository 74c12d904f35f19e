#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# The shape of cli/'s sources: no function over 60 lines, no circle of more than two files
# calling each other (a file calls another when it names a function or variable the other
# defines), and no run of six lines repeated between two files (#include lines aside).
. "$(dirname "$0")/common.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)

/usr/bin/python3 - "$SRC/cli" >"$WORK/layout" 2>&1 <<'PY' || fail "cli/ is out of shape: $(cat "$WORK/layout")"
import collections, glob, os, re, sys

# the sources without comments (code: and without the contents of strings and characters)
token = re.compile(r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|/\*.*?\*/|//[^\n]*', re.S)
def clean(s, strings):
    def one(m):
        t = m.group()
        if t.startswith('/'):
            return '\n' * t.count('\n')
        return t if strings else t[0] * 2
    return token.sub(one, s)
source = {os.path.basename(f): open(f).read() for f in sorted(glob.glob(os.path.join(sys.argv[1], '*.c')))}
text = {n: clean(s, False) for n, s in source.items()}
bad = []

# functions: from a definition's first line at column 0 to the closing brace at column 0
for name, s in text.items():
    lines, start = s.split('\n'), None
    for i, l in enumerate(lines):
        if start is None and re.match(r'[A-Za-z_].*\(', l) and not l.rstrip().endswith(';'):
            start = i
        elif start is not None and l.startswith('}'):
            if i - start + 1 > 60:
                bad.append(f'{name}:{start + 1}: a function of {i - start + 1} lines (at most 60)')
            start = None
        elif start is not None and l.rstrip().endswith(';') and not l.startswith((' ', '{')):
            start = None

# calls between files, and their circles (Tarjan's strongly connected components)
defines = {}
for name, s in text.items():
    for m in re.finditer(r'^(?!static)[A-Za-z_][^\n;=(]*?\b(\w+)\s*(\(|=|;|\[)', s, flags=re.M):
        if not s[m.start():].startswith(('typedef', 'struct', 'enum', 'extern', '#')):
            defines.setdefault(m.group(1), name)
graph = {n: sorted({defines[w] for w in set(re.findall(r'\b\w+\b', s)) if w in defines and defines[w] != n})
         for n, s in text.items()}
index, low, stack, on, comps = {}, {}, [], set(), []
def visit(v):
    index[v] = low[v] = len(index)
    stack.append(v), on.add(v)
    for w in graph[v]:
        if w not in index:
            visit(w)
            low[v] = min(low[v], low[w])
        elif w in on:
            low[v] = min(low[v], index[w])
    if low[v] == index[v]:
        comp = []
        while not comp or comp[-1] != v:
            comp.append(stack.pop())
            on.discard(comp[-1])
        comps.append(comp)
for v in graph:
    if v not in index:
        visit(v)
for c in comps:
    if len(c) > 2:
        bad.append('files calling each other in a circle: ' + ', '.join(sorted(c)))

# six-line runs found in two files
runs = collections.defaultdict(set)
for name, s in source.items():
    lines = [' '.join(l.split()) for l in clean(s, True).split('\n')]
    lines = [l for l in lines if l and l not in ('{', '}', '};', 'break;') and not l.startswith('#include')]
    for i in range(len(lines) - 5):
        runs['\n'.join(lines[i:i + 6])].add(name)
for run, where in runs.items():
    if len(where) > 1:
        bad.append('six lines in ' + ', '.join(sorted(where)) + ':\n    ' + run.replace('\n', '\n    '))

print('\n'.join(bad) if bad else f'{len(text)} files, {len(defines)} names shared, largest circle {max(map(len, comps))}')
sys.exit(1 if bad else 0)
PY
CHECKS=$((CHECKS + 1))
cat "$WORK/layout"
done_ok
