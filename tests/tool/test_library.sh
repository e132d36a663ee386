#!/bin/sh
# libdialogueduck as a third party gets it: `make install-lib` into a
# DESTDIR, then a C and a C++ program (tests/lib/client.c, client.cpp)
# built with nothing but `pkg-config --cflags --libs dialogueduck`, against
# the shared and the static library, and run. Both libraries must export
# exactly the functions dialogueduck.h declares: an internal dd_* symbol
# does not link, and the program itself includes no internal header.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
. "$(dirname "$0")/../lib.sh"

BUILD=${BUILD:-build}
CC=${CC:-cc}
CXX=${CXX:-c++}
# a sanitizer build's library needs the sanitizer runtime in the client
FLAGS=${LIB_CLIENT_FLAGS:-}
DEST=$TMP/dest
PREFIX=/opt/dd
LIBDIR=$DEST$PREFIX/lib
VERSION=$(sed -n 's/^VERSION = //p' "$TOP/config.mak")
MAJOR=${VERSION%%.*}

make -s -C "$TOP" --no-print-directory BUILD="$BUILD" DESTDIR="$DEST" \
    PREFIX="$PREFIX" install-lib > "$TMP/install.log" 2>&1
expect "make install-lib into DESTDIR" test $? -eq 0
for f in include/dialogueduck.h lib/libdialogueduck.a \
         "lib/libdialogueduck.so.$VERSION" lib/pkgconfig/dialogueduck.pc; do
    expect "installed $f" test -f "$DEST$PREFIX/$f"
done
expect "soname link" test "$(readlink "$LIBDIR/libdialogueduck.so.$MAJOR")" = \
    "libdialogueduck.so.$VERSION"
expect "development link" test "$(readlink "$LIBDIR/libdialogueduck.so")" = \
    "libdialogueduck.so.$MAJOR"
expect "soname recorded" sh -c "objdump -p '$LIBDIR/libdialogueduck.so.$VERSION' |
    grep -q 'SONAME *libdialogueduck.so.$MAJOR'"
expect "pkg-config prefix is PREFIX, not DESTDIR" \
    grep -qx "prefix=$PREFIX" "$LIBDIR/pkgconfig/dialogueduck.pc"

# pkg-config as a cross or staging build uses it: the sysroot is DESTDIR
PKG_CONFIG_LIBDIR=$LIBDIR/pkgconfig
PKG_CONFIG_SYSROOT_DIR=$DEST
export PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR
expect "pkg-config knows the version" \
    test "$(pkg-config --modversion dialogueduck)" = "$VERSION"
CFLAGS_PC=$(pkg-config --cflags dialogueduck | sed 's/ *$//')
LIBS_PC=$(pkg-config --libs dialogueduck)
expect "pkg-config points into the installed tree" \
    test "$CFLAGS_PC" = "-I$DEST$PREFIX/include"

# exported symbols: the header's functions, no more, no fewer
sed -n 's/^[a-z][a-z0-9_ ]*[ *]\(dd_[a-z0-9_]*\)(.*/\1/p' \
    "$DEST$PREFIX/include/dialogueduck.h" | sort > "$TMP/api"
nm -D --defined-only "$LIBDIR/libdialogueduck.so.$VERSION" |
    awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort > "$TMP/so"
nm -g --defined-only "$LIBDIR/libdialogueduck.a" 2>/dev/null |
    awk '$2 ~ /^[A-Z]$/ { print $3 }' | sort > "$TMP/a"
expect "the header declares the API" test "$(wc -l < "$TMP/api")" -ge 20
expect "shared library exports exactly the API" cmp -s "$TMP/api" "$TMP/so"
expect "static library exports exactly the API" cmp -s "$TMP/api" "$TMP/a"
if ! cmp -s "$TMP/api" "$TMP/so"; then
    diff "$TMP/api" "$TMP/so" | sed 's/^/    /' >&2
fi

# the C program, shared then static
if $CC -std=c11 -Wall -Wextra -Werror $FLAGS $CFLAGS_PC \
        -o "$TMP/client_shared" "$TOP/tests/lib/client.c" $LIBS_PC -lm \
        2> "$TMP/cc.log"; then
    ok
    expect "C client (shared) runs" sh -c "LD_LIBRARY_PATH='$LIBDIR' \
        '$TMP/client_shared' > '$TMP/c.out' 2>&1"
    expect "C client uses the installed shared library" sh -c \
        "LD_LIBRARY_PATH='$LIBDIR' ldd '$TMP/client_shared' |
         grep -q '$LIBDIR/libdialogueduck.so.$MAJOR'"
else
    fail "C client builds against the shared library"; head -5 "$TMP/cc.log" >&2
fi
if $CC -std=c11 -Wall -Wextra -Werror $FLAGS $CFLAGS_PC \
        -o "$TMP/client_static" "$TOP/tests/lib/client.c" \
        $(pkg-config --libs-only-L dialogueduck) -Wl,-Bstatic -ldialogueduck \
        -Wl,-Bdynamic -lm 2> "$TMP/cc.log"; then
    ok
    expect "C client (static) runs" sh -c "'$TMP/client_static' > '$TMP/cs.out' 2>&1"
    expect "static client needs no shared libdialogueduck" sh -c \
        "! ldd '$TMP/client_static' | grep -q libdialogueduck"
else
    fail "C client builds against the static library"; head -5 "$TMP/cc.log" >&2
fi

# the C++ program: extern "C" linkage
if $CXX -std=c++11 -Wall -Wextra -Werror $FLAGS $CFLAGS_PC \
        -o "$TMP/client_cxx" "$TOP/tests/lib/client.cpp" $LIBS_PC \
        2> "$TMP/cxx.log"; then
    ok
    expect "C++ client runs" sh -c "LD_LIBRARY_PATH='$LIBDIR' \
        '$TMP/client_cxx' > '$TMP/cxx.out' 2>&1"
else
    fail "C++ client builds"; head -5 "$TMP/cxx.log" >&2
fi

# an internal function is out of reach through either library
cat > "$TMP/internal.c" <<'EOC'
int dd_detector_hops(const void *d);
int main(void) { return dd_detector_hops(0); }
EOC
expect "internal symbol does not link (shared)" sh -c "! $CC $FLAGS \
    -o '$TMP/internal' '$TMP/internal.c' $LIBS_PC -lm 2>/dev/null"
expect "internal symbol does not link (static)" sh -c "! $CC $FLAGS \
    -o '$TMP/internal' '$TMP/internal.c' \
    $(pkg-config --libs-only-L dialogueduck) -Wl,-Bstatic -ldialogueduck \
    -Wl,-Bdynamic -lm 2>/dev/null"
expect "the program includes no internal header" sh -c \
    "! grep -rl 'dialogueduck_internal.h' '$TOP/tool'"

summary
