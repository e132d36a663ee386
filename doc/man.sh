#!/bin/sh
# Keeps the option sections of the man page equal to the program's help:
# rewrites (update) or compares (check) every block between the
# "BEGIN GENERATED from: COMMAND" and "END GENERATED" markers of
# doc/dialogueduck.1 with COMMAND's output converted by help2troff.awk,
# and the version on the title line with --version's.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
#
#   sh doc/man.sh update PROGRAM [MANPAGE]   (make man)
#   sh doc/man.sh check PROGRAM [MANPAGE]    exit 1 and a diff when stale

DOC=$(cd "$(dirname "$0")" && pwd)
mode=$1
prog=$2
man=${3:-$DOC/dialogueduck.1}
case "$mode" in
update|check) ;;
*) echo "usage: sh doc/man.sh update|check PROGRAM [MANPAGE]" >&2; exit 2 ;;
esac
[ -x "$prog" ] || { echo "man.sh: $prog is not an executable" >&2; exit 2; }
[ -r "$man" ] || { echo "man.sh: cannot read $man" >&2; exit 2; }

tmp=$(mktemp "${TMPDIR:-/tmp}/ddman.XXXXXX") || exit 2
trap 'rm -f "$tmp" "$tmp.help"' EXIT

version=$("$prog" --version | head -n 1) || { echo "man.sh: $prog --version failed" >&2; exit 2; }

# Copy the page, replacing each generated block by fresh output and the
# version in the title line by the program's.
while IFS= read -r line; do
    case "$line" in
    '.\" BEGIN GENERATED from: dialogueduck'*)
        printf '%s\n' "$line"
        args=${line#*from: dialogueduck}
        # shellcheck disable=SC2086
        "$prog" $args > "$tmp.help" ||
            { echo "man.sh: $prog$args failed" >&2; exit 2; }
        awk -f "$DOC/help2troff.awk" "$tmp.help"
        skip=1 ;;
    '.TH '*)
        printf '%s\n' "$line" | sed "s/\"dialogueduck [^\"]*\"/\"$version\"/" ;;
    '.\" END GENERATED'*)
        printf '%s\n' "$line"
        skip= ;;
    *)
        [ -n "$skip" ] || printf '%s\n' "$line" ;;
    esac
done < "$man" > "$tmp"

if [ "$mode" = check ]; then
    if ! cmp -s "$tmp" "$man"; then
        echo "man.sh: $man differs from $prog's help; run make man" >&2
        diff -u "$man" "$tmp" | head -n 40 >&2
        exit 1
    fi
    exit 0
fi
cmp -s "$tmp" "$man" || cat "$tmp" > "$man"
