#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# Writes the manual page and the bash completion of a built zslab tool from what the tool
# itself prints, so that neither can drift from it: the page from `zslab --help`, each
# `zslab COMMAND --help` and `zslab list`; the completion from each command's option table
# (`zslab COMMAND --list-options`) and the kernel registry (`zslab list`).
#   zslab-doc.sh ZSLAB DOCDIR OUT.1 OUT.bash
# DOCDIR holds help2roff.awk, zslab.1.tail (the page's hand-written sections) and
# zslab.bash.in (the completion function).
set -eu
zslab=$1 doc=$2 man=$3 bash_out=$4
LC_ALL=C
export LC_ALL

# the commands, in the order zslab --help lists them
commands=$("$zslab" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 } on && /^$/ { exit }' |
    awk '!seen[$0]++')
[ -n "$commands" ] || { echo "zslab-doc.sh: no commands in '$zslab --help'" >&2; exit 1; }
version=$("$zslab" --version | awk '{ print $2; exit }')
roff() { awk -v part="$1" -f "$doc/help2roff.awk"; }

{
    printf '.\\" Written by cli/doc/zslab-doc.sh from the help texts of zslab %s: edit those.\n' "$version"
    printf '.TH ZSLAB 1 "" "zslab %s" "User Commands"\n' "$version"
    printf '.nh\n.ad l\n'
    printf '.SH NAME\nzslab \\- filter 3\\-D volumes far larger than memory, slab by slab\n'
    printf '.SH SYNOPSIS\n.nf\n'
    for c in $commands; do "$zslab" "$c" --help | roff usage; done
    printf '\\fBzslab\\fR \\fBhelp\\fR [\\fICOMMAND\\fR]\n.br\n\\fBzslab\\fR \\fB\\-\\-version\\fR\n.fi\n'
    printf '.SH DESCRIPTION\n'
    "$zslab" --help | roff main
    printf '.PP\n\\fBzslab\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR (or \\fBzslab help\\fR \\fICOMMAND\\fR) prints the\n'
    printf 'help of a command, which is its section below.\n'
    printf '.SH COMMANDS\n'
    for c in $commands; do
        printf '.SS "zslab %s"\n.nf\n' "$c"
        "$zslab" "$c" --help | roff usage
        printf '.fi\n'
        "$zslab" "$c" --help | roff command
    done
    printf '.SH KERNELS\nThe stages of \\fB\\-\\-op\\fR \\fINAME\\fR[:\\fIkey\\fR=\\fIvalue\\fR...], as \\fBzslab list\\fR shows them:\n'
    printf 'each kernel, then its parameters with their type, default and bounds.\n'
    "$zslab" list | roff kernels
    cat "$doc/zslab.1.tail"
} >"$man.tmp"
mv "$man.tmp" "$man"

# bash: tables for the completion function
q() { printf "'%s'" "$1"; } # no help text or name holds a quote
line() { tr '\n' ' ' | sed 's/ $//'; } # the lines of stdin as one line
{
    printf '# Written by cli/doc/zslab-doc.sh from zslab %s (its option tables and kernels).\n' "$version"
    printf '_zslab_commands=%s\n' "$(q "$(printf '%s\n' "$commands" | line)")"
    printf 'declare -gA _zslab_options=() _zslab_params=() _zslab_choices=()\n'
    for c in $commands; do
        printf '_zslab_options[%s]=%s\n' "$c" "$(q "$("$zslab" "$c" --list-options | line)")"
    done
    "$zslab" list | awk '
        function flush() { if (k != "") printf "_zslab_params[%s]=\x27%s\x27\n", k, p }
        /^[a-z]/ { flush(); k = $1; p = ""; next }
        /^    [a-z]/ {
            p = p (p == "" ? "" : " ") $1
            if ($2 ~ /^choice/) { c = $5; gsub(/\|/, " ", c); printf "_zslab_choices[%s:%s]=\x27%s\x27\n", k, $1, c }
        }
        END { flush() }'
    cat "$doc/zslab.bash.in"
} >"$bash_out.tmp"
mv "$bash_out.tmp" "$bash_out"
