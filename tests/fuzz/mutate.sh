#!/bin/sh
# The "mutate" fuzz target: the whole program, built with ASan + UBSan, on
# media files with random bytes changed (or cut short), for a bounded time.
# Every run must end with exit 0 and a readable output, or exit 2/3 with
# one line on stderr; never a signal, a sanitizer report or exit 4, and
# never a temporary file left behind. Deterministic: run N uses seed N,
# from MUTATE_FIRST on (default 1; change it to explore other mutations).
#
# Usage: mutate.sh DIALOGUEDUCK SECONDS WORKDIR ARTIFACTS
# Prints "mutate: N executions ..." and exits non-zero on a finding
# (the input and the command line are kept in ARTIFACTS).
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
set -u
DD=$1 SECONDS_MAX=$2 WORK=$3 ART=$4
mkdir -p "$WORK" "$ART" || exit 1
case $DD in /*) ;; *) DD=$PWD/$DD ;; esac
case $ART in /*) ;; *) ART=$PWD/$ART ;; esac
[ -x "$DD" ] || { echo "mutate: $DD is not a program" >&2; exit 1; }
cd "$WORK" || exit 1
FF="ffmpeg -nostdin -v error -y"
S="0.3*sin(2*PI*220*t)*between(t\\,0.3\\,0.8)"

# seeds: small files of each kind the program reads
[ -f seed_s16.wav ] || {
    $FF -f lavfi -i "aevalsrc=$S:s=16000:d=1" seed_s16.wav
    $FF -f lavfi -i "aevalsrc=$S|$S:s=48000:d=1" -c:a pcm_f32le seed_f32.wav
    $FF -f lavfi -i "aevalsrc=$S:s=96000:d=1" -c:a pcm_s24le seed_s24.wav
    $FF -f lavfi -i "anoisesrc=d=1:a=0.1:r=44100" -ac 2 seed.mp3
    $FF -f lavfi -i "anoisesrc=d=1:a=0.1:r=22050" seed.flac
    $FF -f lavfi -i "anoisesrc=d=1:a=0.1:r=48000" -ac 2 -c:a libopus seed.opus
    $FF -f lavfi -i testsrc=d=1:s=32x24:r=5 -f lavfi -i "aevalsrc=$S:s=48000:d=1" \
        -c:v mpeg4 -c:a aac seed.mp4
    $FF -f lavfi -i testsrc=d=1:s=32x24:r=5 -f lavfi -i "aevalsrc=$S:s=48000:d=1" \
        -c:v mpeg4 -c:a pcm_s16le seed.mkv
    $FF -f lavfi -i "anoisesrc=d=1:a=0.1:r=48000" -ac 2 music.wav
} || exit 1
seeds=$(ls seed*)
nb_seeds=$(echo "$seeds" | wc -l)

export ASAN_OPTIONS=exitcode=99:detect_leaks=1
export UBSAN_OPTIONS=exitcode=99:print_stacktrace=1

# mutate SEED IN OUT: 1-8 bytes changed (half the time in the first 512
# bytes, where headers are), and one time in four the file cut short
mutate() {
    cp "$2" "$3"
    size=$(wc -c < "$3")
    awk -v seed="$1" -v size="$size" 'BEGIN {
        srand(seed)
        n = 1 + int(rand() * 8)
        for (i = 0; i < n; i++) {
            lim = rand() < 0.5 && size > 512 ? 512 : size
            printf "%d %d\n", int(rand() * lim), int(rand() * 256)
        }
        if (rand() < 0.25)
            printf "cut %d\n", int(rand() * size)
    }' | while read -r off val; do
        if [ "$off" = cut ]; then
            head -c "$val" "$3" > "$3.cut" && mv "$3.cut" "$3"
        else
            printf "$(printf '\\%03o' "$val")" |
                dd of="$3" bs=1 seek="$off" conv=notrunc status=none
        fi
    done
}

start=$(date +%s)
n=$((${MUTATE_FIRST:-1} - 1)) first=${MUTATE_FIRST:-1}
found=0 processed=0 refused=0
while [ $(($(date +%s) - start)) -lt "$SECONDS_MAX" ]; do
    n=$((n + 1))
    seed=$(echo "$seeds" | sed -n "$((n % nb_seeds + 1))p")
    in=in_$n.${seed##*.}
    mutate "$n" "$seed" "$in"
    case $((n % 3)) in
    0) set -- -d "$in" -m music.wav -o out.wav ;;
    1) set -- -d music.wav -m "$in" -o out.wav --music-out out_m.wav ;;
    2) set -- -i "$in" -m music.wav -o "out.${seed##*.}" ;;
    esac
    rm -f out* .out*
    "$DD" -q "$@" > /dev/null 2> err.txt
    rc=$?
    why=
    if [ "$rc" -ne 0 ] && [ "$rc" -ne 2 ] && [ "$rc" -ne 3 ]; then
        why="exit $rc"      # a signal, a sanitizer (99), usage or internal
    elif [ "$rc" -ne 0 ] && [ "$(wc -l < err.txt)" -ne 1 ]; then
        why="exit $rc with $(wc -l < err.txt) lines on stderr"
    elif [ "$rc" -ne 0 ] && ls out* > /dev/null 2>&1; then
        why="exit $rc but an output was left"
    elif [ "$rc" -eq 0 ] && ! ffprobe -v error out.* > /dev/null 2>&1; then
        why="exit 0 but the output is unreadable"
    elif ls -A | grep -q '^\.out'; then
        why="temporary file left"
    fi
    [ "$rc" -eq 0 ] && processed=$((processed + 1))
    [ "$rc" -eq 2 ] || [ "$rc" -eq 3 ] && refused=$((refused + 1))
    if [ -n "$why" ]; then
        found=$((found + 1))
        cp "$in" "$ART/"
        { echo "$why: dialogueduck $*"; cat err.txt; } > "$ART/$in.txt"
        echo "    finding: $why: dialogueduck $* (input kept in $ART$in)"
        head -n 5 err.txt | sed 's/^/      /'
    fi
    rm -f "$in"
done
rm -f out* .out*
echo "mutate: $((n - first + 1)) executions (seeds $first..$n) in $SECONDS_MAX s ($processed processed, $refused refused with exit 2/3), $found findings"
[ "$found" -eq 0 ]
