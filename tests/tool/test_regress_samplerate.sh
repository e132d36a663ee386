#!/bin/sh
# Regression test from the mutate fuzz target (tests/fuzz/mutate.sh): a
# stem whose header claims a sample rate the loudness meter or the engine
# cannot take is either processed (resampled to a rate they take) or an
# input error (exit 2) naming that file; never an internal error. Seen: 768000 Hz gave "loudness
# meter failed: Invalid argument" (exit 4), 1000000 and 687913856 Hz gave
# "analyzer failed: parameter out of range" (exit 4), and 2147483647 Hz
# blamed the other stem ("dlg.wav: cannot set up resampling").
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"
$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*220*(t-0.0042*cos(6*PI*t)))*between(t\\,0.3\\,0.8):s=48000:d=1" dlg.wav
$FF -f lavfi -i "anoisesrc=d=1:a=0.1:r=48000" -ac 2 music.wav

# set_rate RATE OUT: music.wav with the rate field of its header replaced
set_rate() {
    cp music.wav "$2"
    printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) $((($1 >> 8) & 255)) \
        $((($1 >> 16) & 255)) $((($1 >> 24) & 255)))" |
        dd of="$2" bs=1 seek=24 conv=notrunc status=none
}

for rate in 768000 1000000 687913856 2147483647; do
    set_rate $rate r$rate.wav
    [ "$(ffprobe -v error -show_entries stream=sample_rate -of csv=p=0 r$rate.wav)" = $rate ] ||
        { fail "could not make a $rate Hz header"; continue; }
    rm -f out.wav .out.wav.*
    "$DD" -q -d dlg.wav -m r$rate.wav -o out.wav 2> err.txt
    rc=$?
    if [ $rc -eq 0 ]; then
        ffprobe -v error out.wav > /dev/null 2>&1 && ok ||
            fail "$rate Hz music: exit 0 but out.wav unreadable"
    elif [ $rc -ne 2 ] || [ "$(wc -l < err.txt)" -ne 1 ] || ! grep -q "r$rate.wav" err.txt; then
        fail "$rate Hz music: exit $rc, want 0, or 2 and one line naming r$rate.wav: $(cat err.txt)"
    elif [ -n "$(ls -A | grep '^\.\{0,1\}out')" ]; then
        fail "$rate Hz music: output left"
    else
        ok
    fi
done

summary
