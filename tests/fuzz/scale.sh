#!/bin/sh
# Scale: peak memory of dialogueduck on a 10-minute and a 3-hour stem set
# (stereo 48 kHz music, mono 48 kHz dialogue with a line every 10 s). The
# memory must be flat in duration. Slow (minutes): not part of make check.
#
# The stems are generated WAV files (about 3 GB for 3 hours, removed at
# the end).
#
#   SCALE_LONG=10800   seconds of the long run
#   SCALE_SHORT=600    seconds of the reference run
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
DD=${DD:-$TOP/dialogueduck}
LONG=${SCALE_LONG:-10800}
SHORT=${SCALE_SHORT:-600}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ddscale.XXXXXX")
trap 'rm -rf "$TMP"' EXIT INT TERM
cd "$TMP" || exit 1

gen() { # SECONDS
    ffmpeg -nostdin -v error -y -f lavfi -t "$1" \
        -i "sine=f=220:r=48000,volume='0.3*lt(mod(t,10),4)':eval=frame" d.wav &&
    ffmpeg -nostdin -v error -y -f lavfi -t "$1" \
        -i "anoisesrc=c=pink:a=0.1:r=48000" -ac 2 m.wav
}

# max RSS in KiB of a command (GNU time if present, else /proc polling)
peak_rss() {
    if [ -x /usr/bin/time ]; then
        /usr/bin/time -f '%M' -o rss.txt "$@" 2> err.txt
        rc=$?
        tail -n 1 rss.txt
    else
        "$@" 2> err.txt &
        p=$!
        hwm=0
        while kill -0 $p 2>/dev/null; do
            v=$(sed -n 's/^VmHWM: *\([0-9]*\).*/\1/p' /proc/$p/status 2>/dev/null)
            [ -n "$v" ] && hwm=$v
            sleep 0.2
        done
        wait $p
        rc=$?
        echo "$hwm"
    fi
    return $rc
}

run() { # SECONDS NAME
    rm -f d.wav m.wav out.wav report.json
    gen "$1" || exit 1
    start=$(date +%s)
    rss=$(peak_rss "$DD" -q -d d.wav -m m.wav -o out.wav --report report.json)
    rc=$?
    end=$(date +%s)
    dur=$(jq -r .duration report.json 2>/dev/null)
    regions=$(jq '[.. | objects | select(has("regions")) | .regions | length] | first' report.json 2>/dev/null)
    echo "$1 s of stems: exit $rc, max RSS $rss KiB, $((end - start)) s wall, output $dur s, $regions duck regions"
    [ "$rc" -eq 0 ] || { cat err.txt; exit 1; }
    eval "rss_$2=$rss"
}

run "$SHORT" short
run "$LONG" long
awk -v s="$rss_short" -v l="$rss_long" -v ds="$SHORT" -v dl="$LONG" 'BEGIN {
    printf "peak memory: %.1f MiB for %g s, %.1f MiB for %g s: ratio %.2f for %gx the duration\n",
           s / 1024, ds, l / 1024, dl, l / s, dl / ds
    exit !(l / s < 1.25 && l < 64 * 1024)
}'
