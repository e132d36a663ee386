#!/bin/sh
# No function in the engine, the program or the filter is longer than 80
# lines (from the line naming it to its closing brace), so that each one
# has one job a reader can hold at once. Tables and help text are not
# functions of that kind: the few that are long anyway are listed below,
# each with its reason, and an entry that no longer applies is an error
# too, so that the list stays short.
#
# The code is K&R/FFmpeg style: a function body opens and closes with a
# brace in column 0, and its name is the first "name(" after the previous
# declaration. A scanner that relies on that is checked first on a
# synthetic file, so a long function cannot slip through unseen.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).

. "$(dirname "$0")/../lib.sh"

MAX_LINES=80

# file function reason: one entry per line.
ALLOW='
tool/cli_help.c cli_print_help help text: one printf per option of the table
'

# scan FILE...: "file:line name N" for every function body.
scan() {
    awk '
    FNR == 1 { inbody = 0; incomment = 0; pending = ""; cont = 0 }
    inbody {
        if ($0 ~ /^}/) {
            print FILENAME ":" nameline " " name " " (FNR - nameline + 1)
            inbody = 0
            pending = ""
        }
        next
    }
    cont { cont = /\\$/; next }
    /^[ \t]*#/ { cont = /\\$/; next }
    {
        # the line without comments
        line = $0
        s = ""
        while (line != "") {
            if (incomment) {
                i = index(line, "*/")
                if (!i)
                    break
                line = substr(line, i + 2)
                incomment = 0
                continue
            }
            i = index(line, "/*")
            j = index(line, "//")
            if (j && (!i || j < i)) {
                s = s substr(line, 1, j - 1)
                break
            }
            if (!i) {
                s = s line
                break
            }
            s = s substr(line, 1, i - 1)
            line = substr(line, i + 2)
            incomment = 1
        }
        if (s ~ /^{/) {
            inbody = 1
            name = pending == "" ? "(no-name)" : pending
            if (pending == "")
                nameline = FNR
            next
        }
        if (pending == "" && match(s, /[A-Za-z_][A-Za-z0-9_]*[ \t]*\(/)) {
            pending = substr(s, RSTART, RLENGTH)
            sub(/[ \t]*\($/, "", pending)
            nameline = FNR
        }
        if (s ~ /[;{}][ \t]*$/)
            pending = ""
    }' "$@"
}

# The awk rule both passes below start with: allowed["file name"] from
# the allow-list in the variable allow.
READ_ALLOW='
    BEGIN {
        n = split(allow, a, "\n")
        for (i = 1; i <= n; i++)
            if (split(a[i], w, " ") >= 2)
                allowed[w[1] " " w[2]] = 1
    }
'

# check FILE...: prints each function over MAX_LINES that the allow-list
# does not name, and each allow-list entry that is not over it any more.
# Exits 1 if it printed anything.
check() {
    scan "$@" | awk -v max=$MAX_LINES -v allow="$ALLOW" "$READ_ALLOW"'
    {
        loc = $1
        file = loc
        sub(/:[0-9]+$/, "", file)
        key = file " " $2
        if (key in allowed)
            seen[key] = 1
        else if ($3 > max) {
            print loc " " $2 " " $3 " lines"
            bad = 1
        }
    }
    END {
        for (key in allowed)
            if (!(key in seen)) {
                print key ": in the allow-list but not found (remove the entry)"
                bad = 1
            }
        exit bad
    }'
}

# An allow-list entry whose function got short enough is stale too.
stale() {
    scan "$@" | awk -v max=$MAX_LINES -v allow="$ALLOW" "$READ_ALLOW"'
    {
        file = $1
        sub(/:[0-9]+$/, "", file)
        if ((file " " $2) in allowed && $3 <= max)
            print file " " $2 " " $3 " lines: in the allow-list but not over " max " (remove the entry)"
    }'
}

# ---- the scanner on a synthetic file -----------------------------------
demo=$TMP/demo.c
{
    printf '/* A table (brace at the end of a line) and comments (a). */\n'
    printf 'static const int table[] = {\n    1, 2,\n};\n\n'
    printf '/* short() is not the name (it is in a comment) */\n'
    printf 'static int\nlong_one(int a,\n         int b)\n{\n'
    i=0; while [ $i -lt 76 ]; do printf '    a += b; /* } */\n'; i=$((i + 1)); done
    printf '    return a;\n}\n\n'
    printf 'static int just_fits(int a)\n{\n'
    i=0; while [ $i -lt 76 ]; do printf '    a++;\n'; i=$((i + 1)); done
    printf '    return a;\n}\n\n'
    printf '#define MACRO(x) \\\n    do { (x); } while (0)\n'
    printf 'int last(void)\n{\n    return 0;\n}\n'
} > "$demo"
out=$(cd "$TMP" && scan demo.c)
expect "scanner: finds the three functions (got: $out)" \
    test "$(printf '%s\n' "$out" | wc -l)" -eq 3
expect "scanner: an 81-line function across a 3-line signature" \
    test "$(printf '%s\n' "$out" | sed -n 1p)" = "demo.c:8 long_one 81"
expect "scanner: an 80-line function" \
    test "$(printf '%s\n' "$out" | sed -n 2p)" = "demo.c:90 just_fits 80"
expect "scanner: a function after a macro" \
    test "$(printf '%s\n' "$out" | sed -n 3p)" = "demo.c:173 last 4"
out=$(cd "$TMP" && check demo.c)
expect "check: reports the 81-line function as file:line name N lines" \
    sh -c "printf '%s\n' \"\$1\" | grep -qx 'demo.c:8 long_one 81 lines'" sh "$out"
expect "check: leaves the 80-line function alone" \
    sh -c "! printf '%s\n' \"\$1\" | grep -q just_fits" sh "$out"

# ---- the tree ----------------------------------------------------------
cd "$TOP" || exit 1
files=$(find core tool -name '*.[ch]' | LC_ALL=C sort)
files="$files libavfilter-patch/af_dialogueduck.c"
nb=$(scan $files | wc -l)
echo "scanned $nb functions in $(echo $files | wc -w) files"
expect "the scanner finds functions in the tree" test "$nb" -gt 100
expect "every column-0 brace opens a named function" \
    test "$(scan $files | grep -c '(no-name)')" -eq 0
if out=$(check $files); then
    ok
else
    fail "functions over $MAX_LINES lines (split them into named steps):"
    printf '%s\n' "$out" >&2
fi
out=$(stale $files)
expect "every allow-list entry is still over $MAX_LINES lines${out:+: $out}" \
    test -z "$out"

summary
