#!/bin/sh
# Installing like a Debian package would: configure takes autoconf's and
# dh_auto_configure's options and the user's CFLAGS/CPPFLAGS/LDFLAGS
# without losing the flags the build needs; make install puts the
# program (stripped only when asked), the man page, the bash completion
# and the licence under DESTDIR; the man page says what --help says and
# reads cleanly; the completion offers what --help lists; the package list
# names every missing package at once. (make deb builds the package.)

. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
# The make of make check must not reach the makes below (BUILD=build-asan,
# SANITIZE_FORCE=1, CFLAGS=... on its command line or in the environment).
unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES BUILD SANITIZE_FORCE \
    CFLAGS CPPFLAGS LDFLAGS INSTALL_STRIP DESTDIR PREFIX

# A copy of what configure and the Makefile need: the tree is not touched.
mkdir src
(cd "$TOP" && tar -cf - configure Makefile doc core tool tests/unit \
     COPYING.LGPLv2.1) | (cd src && tar -xf -)
cp "$DD" src/dialogueduck

# --- configure ----------------------------------------------------------------
# exactly what dh_auto_configure passes on Debian 12 (compat 13)
DH_OPTS="--build=x86_64-linux-gnu --prefix=/usr --includedir=\${prefix}/include
--mandir=\${prefix}/share/man --infodir=\${prefix}/share/info --sysconfdir=/etc
--localstatedir=/var --disable-option-checking --disable-silent-rules
--libdir=\${prefix}/lib/x86_64-linux-gnu --runstatedir=/run
--disable-maintainer-mode --disable-dependency-tracking"
# shellcheck disable=SC2086
if (cd src && env CFLAGS="-O1 -fstack-protector-strong" \
        CPPFLAGS="-D_FORTIFY_SOURCE=2" LDFLAGS="-Wl,-z,relro" \
        ./configure $DH_OPTS) > conf.log 2>&1; then
    ok
else
    fail "configure with dh_auto_configure's options:"; cat conf.log >&2
fi
mak=src/config.mak
grepx() { grep -qxF -- "$1" "$2" || { fail "$2 lacks '$1'"; return 1; }; ok; }
grepx 'PREFIX ?= /usr' $mak
grepx 'MANDIR ?= $(PREFIX)/share/man' $mak
grepx 'LIBDIR ?= $(PREFIX)/lib/x86_64-linux-gnu' $mak
grepx 'CFLAGS = -O1 -fstack-protector-strong' $mak
grepx 'CPPFLAGS = -D_FORTIFY_SOURCE=2' $mak
grepx 'LDFLAGS = -Wl,-z,relro' $mak

# unknown options: one line naming the option, exit 1
out=$(cd src && ./configure --enable-frobnication 2>&1 >/dev/null); rc=$?
if [ $rc -eq 1 ] && [ "$(printf '%s\n' "$out" | wc -l)" -eq 1 ] &&
   printf '%s' "$out" | grep -q -- '--enable-frobnication'; then
    ok
else
    fail "unknown configure option: exit $rc, '$out'"
fi

# make's compile and link lines: the build's flags, then the user's,
# whether the user's come from configure or from make's command line
line() { (cd src && make -n -B "$@" 2>&1); }
compile=$(line build/core/dialogueduck_util.o | grep -- '-c -o build/core/')
for f in -std=c11 -Wall -Wextra -D_FORTIFY_SOURCE=2 -fstack-protector-strong; do
    case " $compile " in
    *" $f "*) ok ;;
    *) fail "configure's flags: the compile line lacks $f: $compile" ;;
    esac
done
compile=$(line CFLAGS=-O0 CPPFLAGS=-DDD_TEST build/tool/cli.o | grep -- '-c -o build/tool/')
for f in -std=c11 -Wall -Wextra -O0 -DDD_TEST; do
    case " $compile " in
    *" $f "*) ok ;;
    *) fail "make CFLAGS=-O0 CPPFLAGS=-DDD_TEST: the compile line lacks $f: $compile" ;;
    esac
done
case " $compile " in
*" -O1 "*|*" -fstack-protector-strong "*) fail "make CFLAGS=...: configure's CFLAGS kept: $compile" ;;
*) ok ;;
esac
link=$(line LDFLAGS=-Wl,--as-needed SANITIZE_FORCE=1 build/dialogueduck |
       grep -- '-o build/dialogueduck ')
case " $link " in
*" -fsanitize=address,undefined -Wl,--as-needed "*) ok ;;
*) fail "make LDFLAGS=... SANITIZE_FORCE=1: link line: $link" ;;
esac

# --- make install ---------------------------------------------------------
symtab() { readelf -S "$1" 2>/dev/null | grep -q '\.symtab'; }
inst() { (cd src && make -o dialogueduck "$@") > inst.log 2>&1 ||
         { fail "make $*:"; cat inst.log >&2; }; }
R=$TMP/root
inst install DESTDIR=$R
for f in usr/bin/dialogueduck:755 usr/share/man/man1/dialogueduck.1:644 \
         usr/share/bash-completion/completions/dialogueduck:644 \
         usr/share/doc/dialogueduck/COPYING.LGPLv2.1:644; do
    p=$R/${f%:*}
    if [ -f "$p" ] && [ "$(stat -c %a "$p")" = "${f#*:}" ]; then
        ok
    else
        fail "make install: $p missing or not mode ${f#*:}"
    fi
done
expect "the installed program runs" sh -c "'$R/usr/bin/dialogueduck' --version > /dev/null"
if symtab "$DD"; then
    expect "make install keeps the symbols" symtab "$R/usr/bin/dialogueduck"
    inst install DESTDIR=$TMP/root2 INSTALL_STRIP=1
    expect "INSTALL_STRIP=1 strips" sh -c "! readelf -S '$TMP/root2/usr/bin/dialogueduck' | grep -q symtab"
    inst install-strip DESTDIR=$TMP/root3
    expect "make install-strip strips" sh -c "! readelf -S '$TMP/root3/usr/bin/dialogueduck' | grep -q symtab"
    expect "the stripped program runs" sh -c "'$TMP/root3/usr/bin/dialogueduck' --version > /dev/null"
fi
inst install DESTDIR=$TMP/root4 PREFIX=/opt/dd
expect "PREFIX on make's command line moves the man page" \
    test -f "$TMP/root4/opt/dd/share/man/man1/dialogueduck.1"
inst uninstall DESTDIR=$R
left=$(find "$R" -type f | head -n 5)
expect "make uninstall removes every file it installed ($left)" test -z "$left"
expect "COPYING.LGPLv2.1 is the LGPL 2.1" \
    sh -c "head -n 3 '$TOP/COPYING.LGPLv2.1' | grep -q 'LESSER GENERAL PUBLIC LICENSE' &&
           grep -q 'Version 2.1, February 1999' '$TOP/COPYING.LGPLv2.1'"

# --- man page -----------------------------------------------------------------
MAN=$TOP/doc/dialogueduck.1
expect "doc/dialogueduck.1 matches --help (make man)" sh "$TOP/doc/man.sh" check "$DD" "$MAN"
w=$(groff -ww -z -man "$MAN" 2>&1)
expect "groff -ww -z reports nothing ($w)" test -z "$w"
if command -v man > /dev/null; then
    MANWIDTH=80 man -l "$MAN" > man.txt 2> man.err
    for s in NAME SYNOPSIS DESCRIPTION OPTIONS "EXIT STATUS" "BATCH MODE" EXAMPLES; do
        expect "man -l shows $s" grep -qx "$s" man.txt
    done
    expect "man -l says nothing on stderr ($(head -n 3 man.err))" test ! -s man.err
    # every option of both helps is in the rendered page
    for o in $({ "$DD" --help; "$DD" batch --help; } |
               grep -oE '(^|[ ,])--?[a-z][a-z_-]*' | tr -d ' ,' | sort -u); do
        grep -q -- "$o\b" man.txt || fail "man page lacks $o"
    done
    ok
else
    fail "man not found (Debian package man-db)"
fi

# --- bash completion ------------------------------------------------------
BC=/usr/share/bash-completion/bash_completion
if [ -r "$BC" ] && command -v bash > /dev/null; then
    mkdir cdir bin && touch cdir/talk.wav cdir/notes.txt
    ln -s "$DD" bin/dialogueduck
    # complete WORD...: the candidates for the last word
    complete_words() {
        (cd cdir && PATH="$TMP/bin:$PATH" bash -c '
            . "$1"; . "$2"; shift 2
            COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
            COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
            _dialogueduck dialogueduck "${COMP_WORDS[COMP_CWORD]}" \
                "${COMP_WORDS[COMP_CWORD - 1]}"
            [ ${#COMPREPLY[@]} -eq 0 ] || printf "%s\n" "${COMPREPLY[@]}"' sh "$BC" "$TOP/doc/dialogueduck.bash" "$@")
    }
    ccheck() {
        want=$1; shift
        got=$(complete_words "$@" | sort | tr '\n' ' ')
        [ "$got" = "$want" ] && ok || fail "completion of '$*': '$got', want '$want'"
    }
    ccheck "--depth " dialogueduck --dep
    ccheck "atsc ebu netflix off streaming " dialogueduck --loudness ""
    ccheck "dialogue " dialogueduck --gate d
    ccheck "talk.wav " dialogueduck -d ta
    ccheck "--force " dialogueduck batch --forc
    ccheck "batch " dialogueduck ba
    ccheck "" dialogueduck --depth ""
    # every long option of --help, and no option --help does not list
    offered=$(complete_words dialogueduck -- | sort -u)
    listed=$("$DD" --help | grep -oE '^ +(-[a-z], )?--[a-z][a-z_-]*' |
             grep -oE -- '--[a-z][a-z_-]*' | sort -u)
    printf '%s\n' "$offered" > offered
    d=$(printf '%s\n' "$listed" | grep -vxF -f offered | tr '\n' ' ')
    expect "completion offers every option of --help (missing: $d)" test -z "$d"
    expect "completion offers nothing --help lacks" \
        test "$(printf '%s\n' "$offered" | grep -c -- '^--')" -eq "$(printf '%s\n' "$listed" | wc -l)"
else
    fail "bash-completion not installed (Debian package bash-completion)"
fi

# --- the package list -----------------------------------------------------
printf '%s\n' '# test list' 'gcc               build' \
    'dd-nosuch-one     check eval' 'dd-nosuch-two     check' \
    'dd-nosuch-three   bench' > pkgs
out=$(DD_PACKAGES=pkgs sh "$TOP/tests/deps.sh" check check 2>&1); rc=$?
case "$rc:$out" in
1:*"dd-nosuch-one dd-nosuch-two"*) ok ;;
*) fail "deps check names every missing package at once: exit $rc, '$out'" ;;
esac
case "$out" in *dd-nosuch-three*) fail "deps check check names a bench package" ;; *) ok ;; esac
expect "deps list: build packages come with every tier" \
    test "$(DD_PACKAGES=pkgs sh "$TOP/tests/deps.sh" list bench | tr '\n' ' ')" = "gcc dd-nosuch-three "
DD_PACKAGES=pkgs sh "$TOP/tests/deps.sh" check nosuchtier > /dev/null 2>&1
expect "deps: an unknown tier is refused" test $? -eq 2
expect "every package of .ci/packages is a Debian package name" \
    sh -c "! sh '$TOP/tests/deps.sh' list | grep -v '^[a-z0-9][a-z0-9.+-]*\$'"

summary
