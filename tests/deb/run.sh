#!/bin/sh
# make deb: builds the Debian package with dpkg-buildpackage -us -uc -b in
# a copy of the tree (the tree's own build and config.mak stay as they
# are) and checks what a Debian build needs from configure and make
# install: dh_auto_configure's options accepted, the hardening flags and
# -std=c11 -Wall together on every compile line, the program, man page,
# bash completion and copyright in the package, and lintian's verdict.
# Slow (a full build): never part of make check.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
#
#   sh tests/deb/run.sh      output in build/deb (DEB_OUT to change it)

TOP=$(cd "$(dirname "$0")/../.." && pwd)
export TOP
. "$TOP/tests/lib.sh"
cd "$TOP" || exit 1
OUT=${DEB_OUT:-$TOP/build/deb}

finish() { summary; exit $?; }

for c in dpkg-buildpackage dh; do
    command -v $c >/dev/null 2>&1 ||
        { fail "$c not found: sh tests/deps.sh install deb"; finish; }
done

version=$(dpkg-parsechangelog -S Version)
rm -rf "$OUT"
src=$OUT/dialogueduck-$version
mkdir -p "$src"

# The tree as git sees it (tracked files and new ones not ignored), with
# the working tree's content; outside git, everything but what the build
# and the caches make.
tree_files() {
    if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
        git ls-files -z --cached --others --exclude-standard
    else
        find . \( -name .git -o -path ./.cache -o -path './build*' -o -path ./demo \
                  -o -name config.mak -o -name config.h -o -path ./dialogueduck \) \
               -prune -o -type f -print0
    fi
}
tree_files |
    xargs -0 sh -c 'for f; do [ -f "$f" ] && printf "%s\0" "$f"; done' sh |
    tar --null -T - -cf - | tar -xf - -C "$src" ||
    { fail "cannot copy the tree to $src"; finish; }

echo "deb: dpkg-buildpackage -us -uc -b in $src (log: $OUT/build.log)"
if (cd "$src" && dpkg-buildpackage -us -uc -b) > "$OUT/build.log" 2>&1; then
    ok
else
    fail "dpkg-buildpackage failed:"; tail -n 30 "$OUT/build.log" >&2
    finish
fi

deb=$(ls "$OUT"/dialogueduck_"$version"_*.deb 2>/dev/null | head -n 1)
expect "the .deb exists" [ -n "$deb" ]
[ -n "$deb" ] || finish
ls "$OUT"/dialogueduck-dbgsym_"$version"_*.*deb > /dev/null 2>&1 ||
    fail "no debug symbols package (is the program installed stripped?)"
ok

# configure: dh_auto_configure's options went through, and every compile
# line has both the flags the build needs and Debian's hardening flags.
expect "configure took dh_auto_configure's options" \
    grep -q -- "./configure --build=.*--disable-dependency-tracking" "$OUT/build.log"
compiles=$(grep -c -- ' -c -o build/' "$OUT/build.log")
hardened=$(grep -- ' -c -o build/' "$OUT/build.log" |
           grep -- '-std=c11' | grep -- '-Wall' | grep -- '-Wextra' |
           grep -- '-D_FORTIFY_SOURCE=' | grep -- '-fstack-protector-strong' |
           grep -c -- '-O2')
if [ "$compiles" -gt 0 ] && [ "$compiles" -eq "$hardened" ]; then
    ok
else
    fail "$hardened of $compiles compile lines have -std=c11 -Wall -Wextra and the hardening flags"
fi
expect "the link has Debian's LDFLAGS" \
    grep -q -- '-Wl,-z,relro.*-o build/dialogueduck' "$OUT/build.log"

# What the package holds.
list=$OUT/contents
dpkg-deb -c "$deb" | awk '{ print $6 }' > "$list"
for f in ./usr/bin/dialogueduck ./usr/share/man/man1/dialogueduck.1.gz \
         ./usr/share/bash-completion/completions/dialogueduck \
         ./usr/share/doc/dialogueduck/copyright; do
    expect "the package holds $f" grep -qx -- "$f" "$list"
done
expect "no licence file beside debian/copyright" \
    sh -c "! grep -q COPYING '$list'"

root=$OUT/root
dpkg-deb -x "$deb" "$root"
expect "the packaged program runs" \
    sh -c "'$root/usr/bin/dialogueduck' --version > /dev/null"
expect "the packaged program is stripped" \
    sh -c "! readelf -S '$root/usr/bin/dialogueduck' | grep -q '\.symtab'"
expect "the packaged program is PIE with full RELRO" \
    sh -c "readelf -d '$root/usr/bin/dialogueduck' | grep -q 'FLAGS.*BIND_NOW' &&
           readelf -h '$root/usr/bin/dialogueduck' | grep -q 'DYN'"
if command -v man > /dev/null; then
    expect "man -l reads the packaged page" \
        sh -c "MANWIDTH=80 man -l '$root/usr/share/man/man1/dialogueduck.1.gz' 2>&1 |
               grep -q '^NAME'"
fi

# lintian: no error, no warning (information tags are listed).
if command -v lintian > /dev/null; then
    changes=$(ls "$OUT"/dialogueduck_"$version"_*.changes | head -n 1)
    lintian --info "$changes" > "$OUT/lintian.log" 2>&1
    sed 's/^/    /' "$OUT/lintian.log"
    if grep -q '^[EW]:' "$OUT/lintian.log"; then
        fail "lintian found errors or warnings (see above)"
    else
        ok
    fi
else
    echo "deb: lintian not installed, not run (sh tests/deps.sh install deb)"
fi
finish
