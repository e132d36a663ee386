# The option sections of `dialogueduck --help` (or `batch --help`) as troff,
# for the man page: one fact, the option list, kept in one place (the
# program's help) and copied here by `make man`.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
#
# Input conventions of the help text: a heading is an unindented line
# ending in ':'; an option starts with '-' indented by at most 6 spaces
# and is separated from its description by two spaces or more; an exit
# code is a number indented by 2; a line indented by more continues the
# entry above. Text before the first heading is skipped (the man page has
# its own synopsis and description).

# troff text: backslashes, a leading control character, and '-' at the
# start of a word (options, negative numbers) as a minus sign.
function esc(s,    i, c, prev, out) {
    out = ""
    prev = " "
    for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c == "\\")
            c = "\\e"
        else if (c == "-" && index(" ([/'-", prev))
            c = "\\-"
        else if (c == "-")
            prev = "x"
        if (c != "\\-")
            prev = substr(s, i, 1)
        out = out c
    }
    if (out ~ /^[.']/)
        out = "\\&" out
    return out
}

# "-i, --input FILE": options bold, placeholders (capitals) italic.
function term(s,    n, i, w, out, sep, comma) {
    n = split(s, w, / +/)
    out = ""
    for (i = 1; i <= n; i++) {
        comma = ""
        if (w[i] ~ /,$/) {
            comma = ","
            w[i] = substr(w[i], 1, length(w[i]) - 1)
        }
        out = out sep (w[i] ~ /[A-Z]/ ? "\\fI" : "\\fB") esc(w[i]) "\\fR" comma
        sep = " "
    }
    return out
}

# A long placeholder leaves one space before the description
# ("--report FILE.json inputs, ..."): the description starts at the first
# lowercase word after a placeholder. Sets t and d.
function split_term(line, rest,    n, w, i, k) {
    n = split(line, w, / +/)
    t = w[1]
    for (k = 2; k <= n; k++) {
        if (w[k - 1] ~ /[A-Z]/ && w[k] !~ /[A-Z]/ && w[k] !~ /^[-[]/)
            break
        t = t " " w[k]
    }
    d = ""
    for (i = k; i <= n; i++)
        d = d (d == "" ? "" : " ") w[i]
    if (rest != "")
        d = d (d == "" ? "" : " ") rest
}

function heading(h) {
    sub(/:$/, "", h)
    if (h ~ /^Exit (codes|status)/)
        print ".SH \"EXIT STATUS\""
    else
        print ".SS \"" esc(h) "\""
}

/^[^ ].*:$/ { started = 1; para = 0; heading($0); next }
!started    { next }
/^$/        { para = 0; next }
/^ -/ || /^  -/ || /^   -/ || /^    -/ || /^     -/ || /^      -/ || /^  [0-9]/ {
    para = 0
    line = $0
    sub(/^ +/, "", line)
    if (match(line, /  +/)) {
        t = substr(line, 1, RSTART - 1)
        d = substr(line, RSTART + RLENGTH)
    } else {
        t = line
        d = ""
    }
    split_term(t, d)
    print ".TP"
    print (t ~ /^-/ ? term(t) : "\\fB" esc(t) "\\fR")
    if (d != "")
        print esc(d)
    next
}
/^ / { line = $0; sub(/^ +/, "", line); print esc(line); next }
{
    if (!para)
        print ".PP"
    para = 1
    print esc($0)
}
