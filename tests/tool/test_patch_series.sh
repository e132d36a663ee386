#!/bin/sh
# The committed af_dialogueduck series (libavfilter-patch/series/*/) must be
# what libavfilter-patch/make-series.sh generates from the current core/,
# glue, docs, FATE definitions and fate-refs/.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
#
# Needs no FFmpeg tree: the generator writes what the series adds (the new
# files and the text inserted into FFmpeg's files), and this test compares
# that with the added lines of the committed patches. The byte-exact check
# of whole patches, which needs the pristine trees, runs in make fate.
. "$(dirname "$0")/../lib.sh"

SERIES=$TOP/libavfilter-patch/series
GEN=$TOP/libavfilter-patch/make-series.sh
STALE="run: sh libavfilter-patch/make-series.sh"

sh "$GEN" --print-new "$TMP/expect" > "$TMP/gen.log" 2>&1
expect "generator writes the added files" test -f "$TMP/expect/libavfilter/af_dialogueduck.c"

# Splits a patch into the files it adds (DIR/path) and the lines it adds
# to existing files (DIR/.inserts/path).
split_patch() {
    awk -v dir="$2" '
        /^diff --git / {
            path = substr($3, 3); out = ""; newfile = 0; inhunk = 0; next
        }
        /^new file mode/ { newfile = 1; next }
        /^@@ / {
            inhunk = 1
            out = dir "/" (newfile ? "" : ".inserts/") path
            d = out; sub(/\/[^\/]*$/, "", d); system("mkdir -p \"" d "\"")
            next
        }
        inhunk && /^\+/ { print substr($0, 2) >> out; next }
        inhunk && /^[ -\\]/ { next }
        { inhunk = 0 }' "$1"
}

branches=0
for b in "$SERIES"/*/; do
    [ -d "$b" ] || continue
    b=${b%/}
    name=$(basename "$b")
    branches=$((branches + 1))
    got=$TMP/got-$name
    mkdir -p "$got"

    expect "$name: 0001 is the filter patch" test -f "$b/0001-avfilter-add-dialogueduck-filter.patch"
    expect "$name: 0002 is the FATE patch" test -f "$b/0002-fate-filter-audio-add-dialogueduck-tests.patch"
    expect "$name: 0003 is the checkasm patch" test -f "$b/0003-checkasm-add-dialogueduck-test.patch"
    n=$(ls "$b"/*.patch | wc -l)
    if [ "$n" -eq 3 ]; then ok; else fail "$name: $n patches, expected 3"; fi

    for p in "$b"/*.patch; do
        split_patch "$p" "$got"
    done

    # Every added file, byte for byte, and no file more or less.
    (cd "$TMP/expect" && find . -path ./.inserts -prune -o -type f -print | sort) > "$TMP/want.list"
    (cd "$got" && find . -path ./.inserts -prune -o -type f -print | sort) > "$TMP/got.list"
    if cmp -s "$TMP/want.list" "$TMP/got.list"; then
        ok
    else
        fail "$name: the series adds other files than the generator ($STALE)"
        diff "$TMP/want.list" "$TMP/got.list" | sed 's/^/    /' >&2
    fi
    while read -r f; do
        if [ -f "$got/$f" ] && cmp -s "$TMP/expect/$f" "$got/$f"; then
            ok
        else
            fail "$name: ${f#./} in the series is stale ($STALE)"
        fi
    done < "$TMP/want.list"

    # The text inserted into FFmpeg's files.
    for f in Changelog libavfilter/Makefile libavfilter/allfilters.c \
             doc/filters.texi tests/fate/filter-audio.mak \
             libavfilter/x86/Makefile tests/checkasm/Makefile \
             tests/checkasm/checkasm.c tests/checkasm/checkasm.h \
             tests/fate/checkasm.mak; do
        if [ -f "$got/.inserts/$f" ] && cmp -s "$TMP/expect/.inserts/$f" "$got/.inserts/$f"; then
            ok
        else
            fail "$name: the lines added to $f are stale ($STALE)"
        fi
    done

    # The minor version bump: one MINOR line, MICRO reset to 100.
    v=$got/.inserts/libavfilter/version.h
    if [ -f "$v" ] && grep -q '^#define LIBAVFILTER_VERSION_MINOR *[0-9]*$' "$v" &&
       grep -q '^#define LIBAVFILTER_VERSION_MICRO *100$' "$v"; then
        ok
    else
        fail "$name: no libavfilter minor version bump"
    fi

    # Mechanical renames: no dd_ symbols left, FFmpeg include guards and
    # license wording in the files added to libavfilter.
    # (assembly is left out: cglobal gives its names FFmpeg's ff_ prefix)
    if grep -rl --exclude='*.asm' '\bdd_' "$got"/libavfilter "$got"/tests/checkasm > "$TMP/dd.list"; then
        fail "$name: dd_ symbols left in $(cat "$TMP/dd.list" | xargs -n1 basename | tr '\n' ' ')"
    else
        ok
    fi
    for h in "$got"/libavfilter/*.h; do
        # FFmpeg's rule (tests/fate/source-check.sh): an af_ prefix goes
        g=AVFILTER_$(basename "$h" .h | sed 's/^af_//' | tr 'a-z' 'A-Z')_H
        expect "$name: $(basename "$h") has the guard $g" grep -q "^#define $g\$" "$h"
    done
    for c in $(find "$got"/libavfilter "$got"/tests/checkasm -type f); do
        expect "$name: $(basename "$c") has FFmpeg's LGPL header" \
            grep -q 'This file is part of FFmpeg' "$c"
    done

    # FFmpeg's commit subject rule: "component: description".
    for p in "$b"/*.patch; do
        s=$(sed -n 's/^Subject: \[PATCH[^]]*\] //p' "$p")
        if echo "$s" | grep -qE '^[a-zA-Z][a-zA-Z0-9_./-]+: [^[:space:]]' &&
           grep -q '^Signed-off-by: ' "$p"; then
            ok
        else
            fail "$name: $(basename "$p"): subject '$s' or Signed-off-by"
        fi
    done
done

if [ "$branches" -ge 2 ]; then ok; else fail "series for $branches FFmpeg branches, expected 2"; fi

summary
