#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""The README as a front door, and the documentation pages kept true against the tool.

- README.md has at most 200 lines and states the two newcomer commands as the lines
  `make demo    # installs what is missing, ...` and `make test    # installs what is missing, ...`
  of a sh block; `make -n` of each runs scripts/install-deps.sh (and ctest for `make test`).
- Every relative link of README.md and docs/*.md names a file that exists, and an anchor
  (`cli.md#batches`) a heading of that page; README links every page of docs/.
- docs/cli.md has a section `### \`zslab CMD\`` for every command `zslab --help` lists, holding
  every option `zslab CMD --list-options` prints; every exit code of `zslab --help`; every
  variable the sources read (getenv in cli/, core/, scheduler/, kernels/; os.environ in
  python/zslab), and no test hook (ZS_TEST_*), in its Environment section.
- The README's "command line in 30 seconds" block runs as it is, with `zslab` the tool under
  test, in an empty folder: every line exits 0 (the Python examples are run by
  python/tests/test_docs_examples.py, where the package is importable).

Environment: ZSLAB (the zslab tool). Exit 1 on any failure.
"""
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zstest import FAILURES, ZSLAB, fail, finish, workdir, zs  # noqa: E402

SRC = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
README = os.path.join(SRC, "README.md")
DOCS = os.path.join(SRC, "docs")
MAX_README_LINES = 200


def ok(before, msg):
    """Prints msg when no check failed since FAILURES had `before` entries."""
    if len(FAILURES) == before:
        print("ok: " + msg)


def text(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def section(md, heading):
    """The text under the markdown heading line `heading`, up to the next heading of its level or above."""
    level = len(heading) - len(heading.lstrip("#"))
    lines = md.split("\n")
    try:
        i = lines.index(heading)
    except ValueError:
        return None
    out = []
    for line in lines[i + 1:]:
        m = re.match(r"^(#+) ", line)
        if m and len(m.group(1)) <= level:
            break
        out.append(line)
    return "\n".join(out)


def code_block(md, heading, lang="sh"):
    """The first ```lang block under `heading`, as a list of lines."""
    body = section(md, heading)
    m = re.search(r"```" + lang + r"\n(.*?)```", body or "", re.S)
    return m.group(1).splitlines() if m else None


def slug(heading):
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to dashes."""
    s = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return s.replace(" ", "-")


def test_front_door():
    n0 = len(FAILURES)
    readme = text(README)
    n = readme.count("\n")
    if n > MAX_README_LINES:
        fail(f"README.md has {n} lines, more than {MAX_README_LINES}: move the detail to a page of docs/")
    start = code_block(readme, "## Start here") or []
    for target in ("demo", "test"):
        if not any(re.match(rf"^make {target} +# installs what is missing, builds", line) for line in start):
            fail(f"README's Start here block lacks the line `make {target}    # installs what is missing, builds ...`")
        if not shutil.which("make"):
            continue
        r = subprocess.run(["make", "-n", "-C", SRC, target, f"BUILD={os.path.join(W, 'build')}"],
                           capture_output=True, text=True)
        if r.returncode != 0 or "scripts/install-deps.sh" not in r.stdout:
            fail(f"make -n {target} does not run scripts/install-deps.sh: {r.stdout[-300:]} {r.stderr[-300:]}")
        if target == "test" and "ctest" not in r.stdout:
            fail("make -n test does not run ctest")
    ok(n0, "README is short and states make demo and make test, which install what is missing")


def test_links():
    n0 = len(FAILURES)
    pages = sorted(f for f in os.listdir(DOCS) if f.endswith(".md"))
    files = [README] + [os.path.join(DOCS, f) for f in pages]
    readme = text(README)
    for p in pages:
        if f"](docs/{p}" not in readme:
            fail(f"README.md does not link docs/{p}")
    for f in files:
        md = text(f)
        for target in re.findall(r"\]\(([^)\s]+)\)", md):
            if re.match(r"^[a-z]+:", target):
                continue
            path, _, anchor = target.partition("#")
            dest = os.path.normpath(os.path.join(os.path.dirname(f), path)) if path else f
            if not os.path.exists(dest):
                fail(f"{os.path.relpath(f, SRC)} links {target}: no such file")
                continue
            if anchor and dest.endswith(".md"):
                heads = [slug(h) for h in re.findall(r"^#+ (.*)$", text(dest), re.M)]
                if anchor not in heads:
                    page = os.path.relpath(dest, SRC)
                    fail(f"{os.path.relpath(f, SRC)} links {target}: {page} has no heading #{anchor}")
    ok(n0, f"the links of README.md and {len(pages)} pages resolve, and README links every page")


def source_variables():
    """The environment variables the sources read, test hooks left out."""
    names = set()
    for folder in ("cli", "core", "scheduler", "kernels"):
        for root, _, fs in os.walk(os.path.join(SRC, folder)):
            for f in fs:
                if f.endswith((".c", ".h")):
                    code = text(os.path.join(root, f))
                    names |= set(re.findall(r'(?:getenv|env_int|env_long)\("([A-Z_]{3,})"', code))
    for root, _, fs in os.walk(os.path.join(SRC, "python", "zslab")):
        for f in fs:
            if f.endswith(".py"):
                names |= set(re.findall(r'environ(?:\.get\(|\[)"([A-Z_]{3,})"', text(os.path.join(root, f))))
    return sorted(n for n in names if not n.startswith("ZS_TEST_"))


def test_cli_page():
    n0 = len(FAILURES)
    if not os.path.exists(os.path.join(DOCS, "cli.md")):
        fail("there is no docs/cli.md")
        return
    cli = text(os.path.join(DOCS, "cli.md"))
    r = zs("--help")
    commands = re.findall(r"^  ([a-z]+) ", r.stdout.split("commands:", 1)[-1].split("\n\n", 1)[0], re.M)
    if len(set(commands)) < 8:
        fail(f"zslab --help lists too few commands: {commands}")
    for c in sorted(set(commands)):
        body = section(cli, f"### `zslab {c}`")
        if body is None:
            fail(f"docs/cli.md has no section ### `zslab {c}`")
            continue
        opts = zs(c, "--list-options")
        if opts.returncode != 0:
            fail(f"zslab {c} --list-options: exit {opts.returncode}")
        for o in opts.stdout.split():
            o = o.rstrip("=")
            if not re.search(r"`" + re.escape(o) + r"[` /=]", body):
                fail(f"docs/cli.md, zslab {c}: the option {o} is not described")
    codes = re.findall(r"(?:^|[:,] *|^ +)(\d+) [a-z]", r.stdout.split("exit codes:", 1)[-1], re.M)
    table = section(cli, "## Exit codes") or ""
    if not codes:
        fail("no exit codes in zslab --help")
    for n in codes:
        if not re.search(rf"^\| {n} \|", table, re.M):
            fail(f"docs/cli.md, Exit codes: no row for {n}")
    env = section(cli, "## Environment") or ""
    variables = source_variables()
    if len(variables) < 8:
        fail(f"too few variables found in the sources: {variables}")
    for v in variables:
        if f"`{v}`" not in env:
            fail(f"docs/cli.md, Environment: {v}, which the code reads, is not described")
    listed = re.findall(r"`(ZS_TEST_[A-Z_]+)`", env)
    if listed:
        fail(f"docs/cli.md, Environment lists test hooks as variables for users: {listed}")
    ok(n0, f"docs/cli.md describes {len(set(commands))} commands with their options, {len(codes)} exit codes,"
          f" {len(variables)} variables")


def test_readme_cli_example():
    n0 = len(FAILURES)
    lines = code_block(text(README), "## The command line in 30 seconds")
    if not lines:
        fail("README has no sh block under ## The command line in 30 seconds")
        return
    run = os.path.join(W, "example")
    os.makedirs(run)
    for line in lines:
        cmd = line.split("  #", 1)[0].strip()
        if not cmd:
            continue
        if not cmd.startswith("zslab "):
            fail(f"README's example line does not start with zslab: {line}")
            continue
        p = subprocess.run(["bash", "-c", 'zslab() { "$ZSLAB_TOOL" "$@"; }; ' + cmd], cwd=run, capture_output=True,
                           text=True, timeout=300, env=dict(os.environ, ZSLAB_TOOL=os.path.abspath(ZSLAB)))
        if p.returncode != 0:
            fail(f"README's example `{cmd}` exits {p.returncode}: {p.stderr.strip()[-400:]}")
    ok(n0, f"the README's command-line example runs ({len(lines)} lines)")


def test_formats_page():
    """Every format of the registry (zslab info --formats) and each of its names is on docs/formats.md."""
    n0 = len(FAILURES)
    page = text(os.path.join(DOCS, "formats.md"))
    r = zs("info", "--formats")
    rows = [line.split() for line in r.stdout.splitlines()[1:] if line[:1].strip()]
    if r.returncode != 0 or len(rows) < 8:
        fail(f"zslab info --formats: exit {r.returncode}, {len(rows)} formats")
    suffixes = 0
    for row in rows:
        names = []
        for w in row[1:]:  # the names column: the suffixes before the `can` column
            if not w.startswith("."):
                break
            names.append(w)
        for suffix in names:
            suffixes += 1
            if not re.search(r"`" + re.escape(suffix) + r"`", page):
                fail(f"docs/formats.md does not name the suffix {suffix} (format {row[0]})")
    ok(n0, f"docs/formats.md names the {suffixes} suffixes of {len(rows)} formats")


W = workdir("docs")


def main():
    test_front_door()
    test_links()
    test_cli_page()
    test_readme_cli_example()
    test_formats_page()
    finish("all documentation checks passed", W)


if __name__ == "__main__":
    main()
