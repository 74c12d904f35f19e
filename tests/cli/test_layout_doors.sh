#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# One door into a volume's bytes: struct zs_volume and the format interface are defined in
# core/volume_internal.h alone, and only the volume and format files include it (directly or
# through a header that does: tiff_internal.h, zarr_internal.h, hdf5_internal.h). Everything
# else reaches a volume through functions. The unit tests and fuzzers of formats may include it.
# And one loop retries read/pread/write/pwrite after EINTR and short transfers: core/transfer.c;
# one OpenMP region runs work outside a plan (core/parallel.c) beside the executor's
# (scheduler/run.c); and core/ calls nothing that scheduler/ defines (every dependency points down).
. "$(dirname "$0")/common.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)

/usr/bin/python3 - "$SRC" >"$WORK/layout" 2>&1 <<'PY' || fail "a second door into a volume's bytes: $(cat "$WORK/layout")"
import fnmatch, os, re, subprocess, sys

root = sys.argv[1]
files = subprocess.run(['git', '-C', root, 'ls-files', '--cached', '--others', '--exclude-standard', '*.c', '*.h'], capture_output=True, text=True).stdout.split()
if not files:  # not a git checkout: every C file under the tree
    files = [os.path.relpath(os.path.join(d, f), root) for d, _, fs in os.walk(root) if '/build' not in d
             for f in fs if f.endswith(('.c', '.h'))]
allowed = ['core/volume_internal.h', 'core/volume.c', 'core/volume_*.c', 'core/formats.c', 'core/fmt_*.c',
           'core/tiff_*', 'core/zarr_*', 'core/hdf5_*',
           'tests/fuzz/*'] + [f'tests/unit/test_{t}.c' for t in ('hdf5', 'nifti', 'npy', 'text_formats', 'tiff', 'zarr')]
text = {f: open(os.path.join(root, f), errors='replace').read() for f in files}
body = {f for f, s in text.items() if re.search(r'^struct zs_volume\s*\{', s, re.M)}
bad = [f'{f}: defines struct zs_volume' for f in sorted(body - {'core/volume_internal.h'})]
# the headers that bring struct zs_volume in, directly or through one another
inner, grew = {os.path.basename(f) for f in body if f.endswith('.h')}, True
while grew:
    grew = False
    for f, s in text.items():
        name = os.path.basename(f)
        if f.endswith('.h') and name not in inner and \
                any(re.search(r'#\s*include\s*"' + re.escape(h) + '"', s) for h in inner):
            inner.add(name)
            grew = True
for f, s in sorted(text.items()):
    seen = [h for h in sorted(inner) if re.search(r'#\s*include\s*"' + re.escape(h) + '"', s)]
    if seen and not any(fnmatch.fnmatch(f, a) for a in allowed):
        bad.append(f'{f}: includes {", ".join(seen)}')
# a call retried after EINTR in a loop, in the library (cli/ and bench/ see only include/)
for f, s in sorted(text.items()):
    if f.split('/')[0] in ('core', 'scheduler', 'kernels') and f != 'core/transfer.c':
        for m in re.finditer(r'\b(p?read|p?write)\([^;]*;\s*\n\s*if \(\w+ < 0 && errno == EINTR\) continue', s):
            bad.append(f'{f}:{s.count(chr(10), 0, m.start()) + 1}: a {m.group(1)} retry loop of its own (zs__{"read" if "read" in m.group(1) else "write"}_full)')
# OpenMP regions: the executor's and the parallel-slabs helper's
regions = ('core/parallel.c', 'scheduler/run.c')
for f, s in sorted(text.items()):
    if f.split('/')[0] in ('core', 'scheduler') and f not in regions:
        for m in re.finditer(r'#\s*pragma omp parallel', s):
            bad.append(f'{f}:{s.count(chr(10), 0, m.start()) + 1}: an OpenMP region of its own (zs__slab_loop_run)')
# core/ below scheduler/: no function or variable defined in scheduler/ named in core/
nocomment = re.compile(r'"(?:\\.|[^"\\\n])*"|/\*.*?\*/|//[^\n]*', re.S)
code = {f: nocomment.sub(' ', s) for f, s in text.items() if f.endswith('.c')}
upper = {}
for f, s in code.items():
    if f.startswith('scheduler/'):
        for m in re.finditer(r'^(?!static)[A-Za-z_][^\n;=(]*?\b(zs_\w+)\s*\(', s, flags=re.M):
            upper.setdefault(m.group(1), f)
for f, s in sorted(code.items()):
    if f.startswith('core/'):
        for name in sorted(set(re.findall(r'\b(zs_\w+)\s*\(', s)) & upper.keys()):
            bad.append(f'{f}: calls {name} ({upper[name]}): core/ depends on nothing above it')
print('\n'.join(bad) if bad else f'{len(text)} files; headers with the volume body: {", ".join(sorted(inner))}')
sys.exit(1 if bad else 0)
PY
CHECKS=$((CHECKS + 1))
cat "$WORK/layout"
done_ok
