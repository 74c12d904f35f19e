# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# One help text of the zslab tool (zslab --help, zslab COMMAND --help, zslab list) into man(7)
# roff, so that the manual page says what --help says. POSIX awk (mawk, gawk, busybox).
#   -v part=usage     the "usage:" lines, one synopsis line each
#   -v part=main      zslab --help: its description and the list of commands
#   -v part=command   zslab COMMAND --help after its usage lines: prose, options (a tag in
#                     columns 3-23, its text from column 25 on, continued at column 25)
#   -v part=kernels   zslab list: each kernel, its summary and parameters
# Help lines are at most ~95 columns and indented by 0, 2 or 24 spaces (15 in zslab list).

# Text for roff: backslashes escaped, the hyphens of an option (a word that starts with one)
# and a minus as \- (not a place to break the line), and a line that would start with a
# control character protected by \&.
function esc(s,    out, i, c, prev, opt) {
    gsub(/\\/, "\\e", s)
    out = ""
    prev = " "
    opt = 0
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c == "-" && (opt || index(" (/,[|'`=-:", prev) > 0)) {
            out = out "\\-"
            opt = 1
        } else {
            out = out c
            if (c !~ /[A-Za-z0-9_]/) opt = 0
        }
        prev = c
    }
    if (out ~ /^[.']/) out = "\\&" out
    return out
}

# "-q, --quiet", "--in-shape AxBxC[xT]", "info FILE...": words that are flags (or the first
# word, a command) in bold, the others in italics.
function tag(s, first_bold,    n, w, i, out) {
    n = split(s, w, " ")
    out = ""
    for (i = 1; i <= n; i++) {
        if (w[i] ~ /^-/ || (i == 1 && first_bold)) out = out (i > 1 ? " " : "") "\\fB" esc(w[i]) "\\fR"
        else out = out (i > 1 ? " " : "") "\\fI" esc(w[i]) "\\fR"
    }
    return out
}

function trim(s) { sub(/^ +/, "", s); sub(/ +$/, "", s); return s }

# A line "  TAG<spaces>TEXT" with TEXT in column 25: sets TAG and TEXT.
function is_item(line) {
    if (line !~ /^  [^ ]/ || length(line) < 25) return 0
    if (substr(line, 24, 1) != " " || substr(line, 25, 1) == " ") return 0
    TAG = trim(substr(line, 3, 21))
    TEXT = substr(line, 25)
    return part == "main" || TAG ~ /^-/ || TAG ~ /^[A-Z_]+=/
}

# Paragraph state: 0 none open, 1 prose, 2 an option's text.
function para(kind) {
    if (state != kind || kind == 2) print (kind == 2 ? ".TP" : ".PP")
    state = kind
}

BEGIN { state = 0; in_usage = 1; done = 0 }

part == "usage" {
    if ($0 ~ /^usage: / || $0 ~ /^       zslab /) {
        line = $0
        sub(/^(usage:)? +/, "", line)
        n = split(line, w, " ")
        out = "\\fBzslab\\fR"
        for (i = 2; i <= n; i++) out = out " " (i == 2 || w[i] ~ /^-/ ? "\\fB" esc(w[i]) "\\fR" : esc(w[i]))
        print out
        print ".br"
    }
    next
}

part == "kernels" {
    if ($0 ~ /^[a-z]/) {
        if (state) print ".RE"
        name = $1
        sub(/^[^ ]+ +/, "")
        print ".TP"
        print "\\fB" esc(name) "\\fR"
        print esc($0)
        state = 0
    } else if ($0 ~ /^    [a-z]/) {
        if (!state) print ".RS"
        state = 1
        pname = $1; ptype = $2; pdef = $4
        line = $0
        sub(/^ *[^ ]+ +[^ ]+ +default +[^ ]+ +/, "", line)
        print ".TP"
        print "\\fI" esc(pname) "\\fR"
        print esc(ptype ", default " pdef ", " line) ":"
    } else if ($0 ~ /^ +[^ ]/) {
        print esc(trim($0))
    }
    next
}

END { if (part == "kernels" && state) print ".RE" }

# part main and command: the usage lines come first and are skipped here.
in_usage && ($0 ~ /^usage: / || $0 ~ /^       /) { next }
{ in_usage = 0 }
done { next }
part == "main" && /^(options|environment|exit codes):/ { done = 1; next }
part == "main" && /^commands:/ { para(1); print esc($0); next }
/^$/ { if (state) state = -1; next }
is_item($0) {
    para(2)
    print tag(TAG, part == "main")
    print esc(TEXT)
    next
}
/^                        [^ ]/ {
    if (state != 2) para(1)
    print esc(trim($0))
    next
}
/^  [^ ]/ {
    line = trim($0)
    # a line of its own (a sentence or a flag first) or the rest of the paragraph before
    if (state != 1) para(1)
    else if (line ~ /^[A-Z-]/) print ".br"
    print esc(line)
    next
}
{
    para(1)
    print esc(trim($0))
}
