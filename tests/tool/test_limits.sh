#!/bin/sh
# Resource limits.
#
# - A full disk (a 256 KiB tmpfs as the output folder) mid-write: exit 3, one
#   line naming the file, nothing under the final name (an old file there is
#   kept whole), no temporary file left. Needs root to mount the tmpfs;
#   skipped (and said so) otherwise.
# - The output folder on another file system than TMPDIR works (the
#   temporary file lives next to the output, so the rename never crosses).
# - Address-space limits (ulimit -v) from where the program can barely load
#   upwards in 4 MiB steps: every run either succeeds or exits 4 with one
#   line saying what could not be allocated; never a crash, never a partial
#   output, and at least one limit does fail allocation.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"
$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*220*(t-0.0042*cos(6*PI*t)))*lt(mod(t\\,3)\\,1.5):s=48000:d=6" dlg.wav
$FF -f lavfi -i "anoisesrc=d=6:c=pink:a=0.1:r=48000:s=7" -ac 2 music.wav

# ---------------------------------------------------------------- full disk
mkdir -p small
if [ "$(id -u)" -eq 0 ] && mount -t tmpfs -o size=256k tmpfs small 2> /dev/null; then
    trap 'umount "$TMP/small" 2> /dev/null; rm -rf "$TMP"' EXIT
    # 6 s of 48 kHz stereo 16-bit WAV is 1.1 MB: cannot fit
    "$DD" -q -d dlg.wav -m music.wav -o small/mix.wav --report small/mix.json 2> err.txt
    rc=$?
    [ $rc -eq 3 ] && ok || fail "full disk: exit $rc, want 3"
    [ "$(wc -l < err.txt)" -eq 1 ] && grep -q 'small/mix.wav' err.txt &&
        grep -qi 'no space' err.txt && ok ||
        fail "full disk: the message does not name the file and the cause: $(cat err.txt)"
    [ -z "$(ls -A small)" ] && ok || fail "full disk: left $(ls -A small)"
    # an old file under the final name stays whole
    printf 'old output\n' > small/mix.wav
    "$DD" -q -y -d dlg.wav -m music.wav -o small/mix.wav 2> err.txt
    rc=$?
    [ $rc -eq 3 ] && [ "$(cat small/mix.wav)" = "old output" ] && ok ||
        fail "full disk over an old file: exit $rc, old file $(head -c 20 small/mix.wav)"
    [ "$(ls -A small)" = "mix.wav" ] && ok || fail "full disk: left $(ls -A small)"
    # the mix fits (FLAC of a quiet scene) but the disk fills on the way:
    # which file hits the wall varies; none may be partial
    rm -f small/mix.wav
    dd if=/dev/zero of=small/filler bs=1k count=120 2> /dev/null
    "$DD" -q -d dlg.wav -m music.wav -o small/mix.flac --plot small/plot.svg \
        --keyframes small/kf.json --report small/r.json 2> err.txt
    rc=$?
    left=$(ls -A small | grep '^\.')
    [ -z "$left" ] && ok || fail "full disk, several outputs: left $left"
    if [ $rc -eq 0 ]; then ok; else
        [ $rc -eq 3 ] && [ "$(wc -l < err.txt)" -eq 1 ] && grep -q 'small/' err.txt &&
            ok || fail "full disk, several outputs: exit $rc: $(cat err.txt)"
    fi
    umount small
else
    echo "SKIP: full disk (needs root and a tmpfs mount)"
fi

# ---------------------------------------------------------------- TMPDIR
mkdir -p tmpdir out
if [ -d /dev/shm ] && [ "$(stat -f -c %T /dev/shm)" != "$(stat -f -c %T "$TMP")" ]; then
    other=$(mktemp -d /dev/shm/ddlimits.XXXXXX)
    TMPDIR=$other "$DD" -q -d dlg.wav -m music.wav -o out/mix.wav \
        --report out/r.json 2> err.txt && [ -s out/mix.wav ] && ok ||
        fail "output on another file system than TMPDIR: $(cat err.txt)"
    "$DD" -q -d dlg.wav -m music.wav -o "$other/mix.wav" 2> err.txt &&
        [ -s "$other/mix.wav" ] && ok ||
        fail "output on /dev/shm, TMPDIR elsewhere: $(cat err.txt)"
    rm -rf "$other"
else
    echo "SKIP: no second file system (/dev/shm) to put TMPDIR on"
fi

# ---------------------------------------------------------------- ulimit -v
# AddressSanitizer reserves terabytes of shadow address space at start-up:
# a sanitizer build cannot run under any ulimit -v (the plain build is
# tested by make check itself).
if nm "$DD" 2>/dev/null | grep -q __asan_init ||
   ldd "$DD" 2>/dev/null | grep -q libasan; then
    echo "SKIP: ulimit -v on a sanitizer build"
    summary
    exit $?
fi
# the smallest limit (KiB) at which the program starts at all
lo=50000
hi=2000000
while [ $((hi - lo)) -gt 4096 ]; do
    mid=$(((lo + hi) / 2))
    if (ulimit -v $mid && "$DD" --help > /dev/null 2>&1); then hi=$mid; else lo=$mid; fi
done
v=$hi
tries=0
enomem=0
succeeded=0
while [ $tries -lt 40 ] && [ $succeeded -eq 0 ]; do
    rm -f lim.wav .lim.wav.*
    (ulimit -v $v && exec "$DD" -q -d dlg.wav -m music.wav -o lim.wav) 2> err.txt
    rc=$?
    tries=$((tries + 1))
    case $rc in
    0)  succeeded=1; ok ;;
    4)  enomem=$((enomem + 1))
        [ "$(wc -l < err.txt)" -eq 1 ] && grep -qi 'allocate\|memory' err.txt &&
            [ ! -e lim.wav ] && [ -z "$(ls -A | grep '^\.lim')" ] && ok ||
            fail "ulimit -v $v: exit 4 but: $(cat err.txt), $(ls -A | grep lim)" ;;
    *)  fail "ulimit -v $v: exit $rc (a crash or the wrong code): $(head -c 300 err.txt)" ;;
    esac
    v=$((v + 4096))
done
echo "ulimit -v: $tries limits tried from $hi KiB, $enomem failed allocation (exit 4)"
[ $enomem -gt 0 ] && ok || fail "no limit made an allocation fail (started at $hi KiB)"
[ $succeeded -eq 1 ] && ok || fail "no limit up to $v KiB let the job succeed"

summary
