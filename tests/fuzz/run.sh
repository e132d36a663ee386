#!/bin/sh
# make fuzz: builds the libFuzzer targets with clang (ASan + UBSan) and runs
# each one for a bounded time, starting from the seed corpus committed in
# tests/fuzz/corpus/<target>/. Prints the executions per target and any
# crash artifacts, then "N passed, N failed" (one test per target).
# The "mutate" target runs the whole program, built with the same
# sanitizers, on randomly damaged media files (tests/fuzz/mutate.sh).
#
#   FUZZ_SECONDS=60      run time per target (0: replay the seeds only)
#   FUZZ_TARGETS="engine json keyframes kf_roundtrip cli manifest mutate"
#   FUZZ_BUILD=build/fuzz
#   FUZZ_CC=clang
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_TARGETS=${FUZZ_TARGETS:-"engine json keyframes kf_roundtrip cli manifest mutate"}
FUZZ_BUILD=${FUZZ_BUILD:-build/fuzz}
CC=${FUZZ_CC:-clang}

if ! command -v "$CC" >/dev/null 2>&1; then
    echo "fuzz: $CC not found (Debian: apt-get install clang)" >&2
    exit 1
fi
[ -f config.mak ] || ./configure >/dev/null || exit 1
PKG_CFLAGS=$(sed -n 's/^PKG_CFLAGS = //p' config.mak)
PKG_LIBS=$(sed -n 's/^PKG_LIBS = //p' config.mak)

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE -g -O1 -Wall -Wextra $SAN"
OBJ=$FUZZ_BUILD/obj
TOOL_INC="-I. -Icore -Itool -Itool/batch -Itool/keyframes -Itool/util"
mkdir -p "$OBJ/core" "$OBJ/tool/batch" "$OBJ/tool/keyframes" "$OBJ/tool/util"

# The library, instrumented for coverage (fuzzer-no-link). Objects are
# rebuilt when their source or any header is newer.
newest_header=$(ls -t core/*.h tool/*.h tool/*/*.h config.h 2>/dev/null | head -n 1)
objs=
for src in core/*.c tool/*.c tool/*/*.c; do
    [ "$src" = tool/main.c ] && continue
    o=$OBJ/${src%.c}.o
    if [ ! -f "$o" ] || [ "$src" -nt "$o" ] || [ "$newest_header" -nt "$o" ]; then
        if ! $CC $CFLAGS -fsanitize=fuzzer-no-link $TOOL_INC \
                $PKG_CFLAGS -c -o "$o" "$src" 2>"$o.log"; then
            echo "fuzz: $src does not compile, left out:" >&2
            head -n 5 "$o.log" >&2
            rm -f "$o"
            continue
        fi
    fi
    objs="$objs $o"
done
rm -f "$FUZZ_BUILD/libdd-fuzz.a"
ar rcs "$FUZZ_BUILD/libdd-fuzz.a" $objs

passed=0
failed=0
for t in $FUZZ_TARGETS; do
    if [ "$t" = mutate ]; then
        bin=$FUZZ_BUILD/dialogueduck
        if ! $CC $CFLAGS $TOOL_INC $PKG_CFLAGS -o "$bin" tool/main.c \
                "$FUZZ_BUILD/libdd-fuzz.a" $PKG_LIBS -lm 2>"$bin.log"; then
            echo "mutate: the program does not build"
            head -n 10 "$bin.log"
            failed=$((failed + 1))
        elif sh tests/fuzz/mutate.sh "$bin" "$FUZZ_SECONDS" \
                "$FUZZ_BUILD/mutate" "$FUZZ_BUILD/artifacts/mutate/"; then
            passed=$((passed + 1))
        else
            failed=$((failed + 1))
        fi
        continue
    fi
    bin=$FUZZ_BUILD/fuzz_$t
    if ! $CC $CFLAGS -fsanitize=fuzzer $TOOL_INC $PKG_CFLAGS \
            -o "$bin" "tests/fuzz/fuzz_$t.c" "$FUZZ_BUILD/libdd-fuzz.a" \
            $PKG_LIBS -lm 2>"$bin.log"; then
        echo "fuzz_$t: does not build"
        head -n 10 "$bin.log"
        failed=$((failed + 1))
        continue
    fi
    seeds=tests/fuzz/corpus/$t
    work=$FUZZ_BUILD/corpus/$t
    art=$FUZZ_BUILD/artifacts/$t/
    mkdir -p "$seeds" "$work" "$art"
    opts="-print_final_stats=1 -timeout=20 -rss_limit_mb=2048 -artifact_prefix=$art"
    [ -f "tests/fuzz/$t.dict" ] && opts="$opts -dict=tests/fuzz/$t.dict"
    # the parser prints usage errors and --help: keep the log readable
    [ "$t" = cli ] && opts="$opts -close_fd_mask=3"
    if [ "$FUZZ_SECONDS" -gt 0 ]; then
        opts="$opts -max_total_time=$FUZZ_SECONDS"
    else
        opts="$opts -runs=0"
    fi
    before=$(ls "$art" | wc -l)
    log=$FUZZ_BUILD/fuzz_$t.out
    # shellcheck disable=SC2086
    "$bin" $opts "$work" "$seeds" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    corpus=$(ls "$work" | wc -l)
    new_art=$(($(ls "$art" | wc -l) - before))
    echo "fuzz_$t: ${execs:-?} executions in ${FUZZ_SECONDS} s (${rate:-?}/s), corpus $corpus inputs, exit $rc, new artifacts $new_art"
    if [ "$rc" -ne 0 ] || [ "$new_art" -gt 0 ]; then
        grep -E 'ERROR:|contract broken|SUMMARY' "$log" | head -n 5 | sed 's/^/    /'
        ls -t "$art" | head -n 3 | sed "s|^|    artifact: $art|"
        failed=$((failed + 1))
    else
        passed=$((passed + 1))
    fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
