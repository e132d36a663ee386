#!/bin/sh
# valgrind memcheck on a few short dialogueduck runs: stems to a WAV with a
# report and keyframes, a video remux, rendering edited keyframes, and the
# error paths (missing input, bad option, unwritable output). Any invalid
# access, use of uninitialised memory or definite leak fails the run.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
. "$(dirname "$0")/../lib.sh"

if ! command -v valgrind > /dev/null 2>&1; then
    echo "valgrind not installed (Debian: valgrind): skipped"
    summary
    exit 0
fi

# valgrind cannot run an AddressSanitizer build (make check BUILD=build-asan
# SANITIZE_FORCE=1): that build is checked by ASan itself.
if nm "$DD" 2>/dev/null | grep -q __asan_init ||
   ldd "$DD" 2>/dev/null | grep -q libasan; then
    echo "$DD is a sanitizer build: valgrind skipped"
    summary
    exit 0
fi

# valgrind 3.19 does not decode every instruction a system library may run
# at load time (libhwy, pulled in by libavcodec, issues rdtscp on CPUs whose
# CPUID does not advertise it): the program is killed before main, so there
# is nothing of ours to check on such a machine.
valgrind "$DD" --help > /dev/null 2> "$TMP/vg-probe.txt"
if grep -q 'unhandled instruction' "$TMP/vg-probe.txt"; then
    echo "valgrind cannot run a library the program loads on this CPU:"
    grep -m 1 -A 1 'Illegal opcode' "$TMP/vg-probe.txt"
    echo "skipped"
    summary
    exit 0
fi

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"
$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*220*(t-0.0042*cos(6*PI*t)))*between(t\\,0.5\\,1.2):s=16000:d=2" dlg.wav
$FF -f lavfi -i "anoisesrc=d=2:c=pink:a=0.1:r=16000" -ac 2 music.mp3
$FF -f lavfi -i testsrc=d=2:s=32x24:r=5 -i dlg.wav -map 0 -map 1 \
    -c:v mpeg4 -c:a aac film.mp4

VG="valgrind -q --error-exitcode=9 --leak-check=full --errors-for-leak-kinds=definite"

# vg DESC EXIT ARGS...: exit EXIT and no valgrind error
vg() {
    desc=$1 want=$2; shift 2
    rm -f out*
    $VG "$DD" -q "$@" > /dev/null 2> vg.txt
    rc=$?
    if [ "$rc" -eq 9 ]; then
        fail "$desc: valgrind errors:"
        grep -E "^==[0-9]+== (Invalid|Conditional|Use of|[0-9,]+ bytes in|Syscall|Mismatched)|^==[0-9]+==    (at|by) " vg.txt | head -n 40 >&2
    elif [ "$rc" -ne "$want" ]; then
        fail "$desc: exit $rc, want $want: $(head -c 300 vg.txt)"
    else
        ok
    fi
}

vg "stems to WAV, report, keyframes" 0 -d dlg.wav -m music.mp3 -o out.wav \
    --report out.json --keyframes out_kf.json --music-out out_music.wav
cp out_kf.json edited.json
vg "apply keyframes" 0 -d dlg.wav -m music.mp3 -o out.wav --apply-keyframes edited.json
vg "video remux"     0 -i film.mp4 -m music.mp3 -o out.mp4 --loudness off
vg "missing input"   2 -d nope.wav -m music.mp3 -o out.wav
vg "bad option"      1 -d dlg.wav -m music.mp3 -o out.wav --depth 3
vg "unwritable output" 3 -d dlg.wav -m music.mp3 -o missing/out.wav

summary
