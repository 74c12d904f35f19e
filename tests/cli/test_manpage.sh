#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# The manual page (zslab.1) and the bash completion (zslab.bash) the build writes beside the
# tool: the page shows every command `zslab --help` lists with every option of its table, every
# kernel of `zslab list`, every exit code of `zslab --help` and every variable the code reads,
# and groff has no warning about it; the completion completes commands, options, kernel names
# and parameters. ZS_MANPAGE and ZS_COMPLETION name the files (tests/CMakeLists.txt).
. "$(dirname "$0")/common.sh"
SRC=$(cd "$(dirname "$0")/../.." && pwd)
page=${ZS_MANPAGE:-$(dirname "$ZSLAB")/zslab.1}
comp=${ZS_COMPLETION:-$(dirname "$ZSLAB")/zslab.bash}
if ! command -v man >/dev/null 2>&1; then
    echo "SKIP: no man (Debian's man-db; scripts/install-deps.sh installs it)"
    exit 77
fi
[ -s "$page" ] || fail "no manual page $page"
[ -s "$comp" ] || fail "no bash completion $comp"

txt="$WORK/page.txt"
LC_ALL=C MANWIDTH=80 man -P cat -l "$page" >"$txt" 2>"$WORK/man.err" || fail "man -l $page failed: $(cat "$WORK/man.err")"
[ ! -s "$WORK/man.err" ] || fail "man -l $page: $(cat "$WORK/man.err")"
groff -man -ww -z "$page" 2>"$WORK/groff.err" || fail "groff failed on $page"
[ ! -s "$WORK/groff.err" ] || fail "groff warns about $page: $(head -5 "$WORK/groff.err")"

# section NAME (a man(7) .SH) and subsection "zslab CMD" of the rendered page
section() { awk -v h="$1" '/^[A-Z]/ { on = ($0 == h); next } on' "$txt"; }
subsection() { section COMMANDS | awk -v h="   zslab $1" '/^   [^ ]/ { on = ($0 == h); next } on'; }
for h in NAME SYNOPSIS DESCRIPTION COMMANDS KERNELS "EXIT STATUS" ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
    grep -qx "$h" "$txt" || fail "the page has no section $h"
done

run --help
expect_rc 0
commands=$(awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }' "$WORK/.out" | sort -u)
[ "$(printf '%s\n' "$commands" | grep -c .)" -ge 8 ] || fail "zslab --help lists too few commands: $commands"
for c in $commands; do
    sub=$(subsection "$c")
    [ -n "$sub" ] || fail "the page has no section for the command $c"
    printf '%s\n' "$sub" | grep -q "zslab $c" || fail "the section of $c has no synopsis"
    "$ZSLAB" "$c" --list-options >"$WORK/opts" || fail "zslab $c --list-options failed"
    for o in $(grep -- '^--' "$WORK/opts" | tr -d =); do
        printf '%s\n' "$sub" | grep -qe "$o\b" || fail "the section of $c does not show its option $o"
    done
done

run list --names
expect_rc 0
kernels=$(cat "$WORK/.out")
for k in $kernels; do
    section KERNELS | grep -qE "^       $k( |$)" || fail "the KERNELS section lacks the kernel $k"
done

# every exit code zslab --help names, and every variable the code reads (not the test hooks)
codes=$("$ZSLAB" --help | sed -n '/^exit codes:/,$p' | grep -oE '(^|[:,] *|^ +)[0-9]+ [a-z]' | grep -oE '[0-9]+')
[ -n "$codes" ] || fail "no exit codes in zslab --help"
for n in $codes; do
    section "EXIT STATUS" | grep -qE "^       $n( |$)" || fail "EXIT STATUS lacks the code $n"
done
vars=$(grep -rhoE '(getenv|env_int|env_long)\("[A-Z_]+"' "$SRC/cli" "$SRC/core" "$SRC/scheduler" "$SRC/kernels" |
    grep -oE '[A-Z_]{3,}' | grep -v '^ZS_TEST_' | sort -u)
[ "$(printf '%s\n' "$vars" | grep -c .)" -ge 5 ] || fail "too few variables found in the sources: $vars"
for v in $vars; do
    section ENVIRONMENT | grep -qw "$v" || fail "ENVIRONMENT lacks $v, which the code reads"
done

# the completion, in a bash of its own; complete NAME WORDS... prints COMPREPLY one a line
cat >"$WORK/complete.sh" <<'SH'
. "$1" || exit 1
shift
complete -p zslab >/dev/null || exit 1
COMP_WORDS=("$@")
COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
_zslab
printf '%s\n' "${COMPREPLY[@]}"
SH
completes() { # completes "WORDS" EXPECTED: EXPECTED is one of the completions
    # shellcheck disable=SC2086
    bash --norc --noprofile "$WORK/complete.sh" "$comp" $1 >"$WORK/.out" 2>"$WORK/.err" ||
        fail "sourcing $comp and completing '$1' failed: $(cat "$WORK/.err")"
    grep -qx -- "$2" "$WORK/.out" || fail "completing '$1' does not give '$2': $(tr '\n' ' ' <"$WORK/.out")"
}
completes "zslab fi" filter
completes "zslab filter in.npy out.npy --op ga" gaussian
completes "zslab filter in.npy out.npy --th" --threads
completes "zslab bench in.npy --op med" median
completes "zslab filter in.npy out.npy --op gaussian : si" sigma=
completes "zslab filter in.npy out.npy --op gaussian : mode = ne" nearest
completes "zslab list white" white_tophat
touch "$WORK/stack_a.npy"
completes "zslab filter $WORK/stack_" "$WORK/stack_a.npy"
# every command and every kernel completes
for c in $commands; do completes "zslab ${c:0:3}" "$c"; done
for k in $kernels; do completes "zslab filter a b --op $k" "$k"; done
count() { printf '%s\n' "$1" | grep -c .; }
echo "ok: $(count "$commands") commands, $(count "$kernels") kernels, $(count "$vars") variables on the page; completion checked"
