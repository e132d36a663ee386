#!/bin/sh
# make check-long: memory stays flat however long the input is. The same
# job runs on a 1-hour pair of stems and on a LONG_HOURS pair (24 by
# default, a day of audio as a broadcaster's logger or a festival recording
# gives); the peak RSS of the long run may exceed the short run's by at
# most LONG_SLACK_KB (8 MiB by default: allocator noise, not growth). A
# report, keyframes and a FLAC mix are written, so every part that keeps
# something per line (regions, keyframes, the loudness histogram) runs.
# Not a timed test: the figures are printed for the record only.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
#
#   sh tests/bench/long_memory.sh
#
# Environment: LONG_HOURS (default 24), LONG_SLACK_KB (default 8192),
# BENCH_CACHE (where stems.sh builds the inputs; a 24-hour pair of FLAC
# stems is about 10 GB), DD (the program, default ./dialogueduck).
# Needs the recordings make bench uses (pocketsphinx-testdata,
# lincity-ng-data), ffmpeg and /usr/bin/time. About 20 minutes for 24 h on
# an idle 2-core machine.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
CACHE=${BENCH_CACHE:-build/bench/cache}
DD=${DD:-./dialogueduck}
HOURS=${LONG_HOURS:-24}
SLACK=${LONG_SLACK_KB:-8192}

die() { echo "long_memory: $*" >&2; exit 1; }

command -v ffmpeg > /dev/null || die "ffmpeg not found: apt-get install ffmpeg"
[ -x /usr/bin/time ] || die "/usr/bin/time not found: apt-get install time"
[ -x "$DD" ] || die "$DD not built: run make"
case $HOURS in ''|*[!0-9]*|0) die "LONG_HOURS must be a whole number of hours" ;; esac

. "$TOP/tests/bench/stems.sh"
. "$TOP/tests/lib.sh"

# stem_hours S H: the bench's 10-minute stem S (dlg or mus) looped to H
# hours, made once into the cache
stem_hours() {
    f="$CACHE/${1}h$2.flac"
    if [ ! -f "$f" ]; then
        echo "long_memory: generating the $2-hour $1 stem" >&2
        ff -stream_loop $(($2 * 6 - 1)) -i "$CACHE/${1}10.flac" -c:a flac \
            -compression_level 0 -f flac "$f.tmp" && mv "$f.tmp" "$f" ||
            die "cannot build $f"
    fi
    echo "$f"
}

mkdir -p "$CACHE" || die "cannot create $CACHE"
if [ ! -f "$CACHE/dlg10.flac" ] || [ ! -f "$CACHE/mus10.flac" ]; then
    stem_dialogue "$CACHE/dlg_pass.wav" || die "cannot build the dialogue stem"
    loop_to "$CACHE/dlg_pass.wav" 600 "$CACHE/dlg10.flac" || die "cannot build dlg10.flac"
    stem_music || die "cannot build the music stem"
    loop_to "$CACHE/mus_pass.wav" 600 "$CACHE/mus10.flac" || die "cannot build mus10.flac"
    rm -f "$CACHE/dlg_pass.wav" "$CACHE/mus_pass.wav"
fi

# lib.sh made $TMP and removes it on exit
trap 'exit 130' INT
trap 'exit 143' TERM

# run_hours H: peak RSS in KiB of one job on H-hour stems
run_hours() {
    d=$(stem_hours dlg "$1") && m=$(stem_hours mus "$1") || exit 1
    if ! /usr/bin/time -f '%M %e %U %S' -o "$TMP/time$1" "$DD" -y -q \
        -d "$d" -m "$m" --loudness ebu -o "$TMP/mix$1.flac" \
        --report "$TMP/report$1.json" --keyframes "$TMP/kf$1.csv" \
        2> "$TMP/err$1"; then
        fail "$1 h: the program failed: $(head -n 1 "$TMP/err$1")"
        return 1
    fi
    read -r kb wall user sys < "$TMP/time$1"
    dur=$(ffprobe -v error -show_entries format=duration -of csv=p=0 "$TMP/mix$1.flac")
    echo "long_memory: $1 h: peak RSS $((kb / 1024)) MiB, wall ${wall} s," \
        "CPU $(awk "BEGIN { print $user + $sys }") s, output ${dur} s" >&2
    expect "$1 h: the mix lasts $1 h" \
        awk "BEGIN { exit !($dur >= $1 * 3600 - 1 && $dur <= $1 * 3600 + 1) }"
    rm -f "$TMP/mix$1.flac"
    eval "rss$1=\$kb"
}

run_hours 1
run_hours "$HOURS"
if [ -n "$rss1" ] && eval "[ -n \"\$rss$HOURS\" ]"; then
    eval "long=\$rss$HOURS"
    expect "peak RSS for $HOURS h ($long KiB) within $SLACK KiB of 1 h ($rss1 KiB)" \
        test "$((long - rss1 <= SLACK))" = 1
fi
summary
