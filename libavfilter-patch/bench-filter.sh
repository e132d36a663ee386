#!/bin/sh
# Benchmark: the dialogueduck filter against sidechaincompress in the same
# patched FFmpeg build, on 10-minute stereo 48 kHz stems, for three kinds
# of dialogue: continuous (a synthetic voice in lines over a -60 dBFS bed,
# never an exact zero), half digital silence (the same lines with exact
# zeros between them, as editors export stems) and real speech over real
# music (the recordings make bench uses: pocketsphinx-testdata speech with
# exact zeros between clips, lincity-ng-data music).
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
#
# Usage: sh libavfilter-patch/bench-filter.sh [RUNS]
#   FFMPEG=PATH  the patched ffmpeg to time (default: ffmpeg-build/9.0/ffmpeg,
#                else the make fate build, else make ffmpeg builds one)
#   MINUTES=N    stem length (default 10)
#   PIN=0        do not pin ffmpeg to one CPU (see below)
#   FFMPEG_ARGS=...  global ffmpeg options for every run: "-cpuflags 0"
#                times the C routines instead of FFmpeg's and the filter's
#                x86 SIMD
#   COUNT=1      count instructions instead (valgrind's callgrind, on the
#                first minute of each stem, one run each): the same table
#                in millions of instructions, the same from run to run,
#                where CPU time on a shared machine moves by a tenth
#
# The configurations take turns, RUNS rounds (default 3); the fastest run
# of each counts. Times are user + system CPU seconds from ffmpeg -benchmark. The
# decode floor (both stems decoded, nothing filtered) is subtracted, so the
# ratio compares the filters themselves; the floors are printed too.
# Every run is pinned to one CPU with taskset (util-linux) when it is
# there: ffmpeg hands every frame from thread to thread (demuxer, decoder,
# filtergraph, encoder, muxer), and on a loaded machine with its threads
# spread over CPUs most of the floor is futex system time that varies by
# +-30 % from run to run; on one CPU the system time halves (10-minute
# floor on a loaded 2-CPU machine, three runs: 0.93-1.32 s spread over
# CPUs, 0.56-0.65 s pinned). Goals:
# dialogueduck (mix=0) >= 3x the throughput of sidechaincompress on every
# kind, mix=1 (dialogue mixed back in) within 1.2x of mix=0. The last line
# is "ratio R": the smallest of the three throughput ratios.
# A benchmark, never a test: it prints figures and fails only if a run
# fails.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
export TOP
. "$TOP/libavfilter-patch/ffmpeg-src.sh"

RUNS=${1:-3}
MINUTES=${MINUTES:-10}
count=${COUNT:-0}
if [ "$count" = 1 ]; then
    command -v valgrind > /dev/null 2>&1 ||
        ffsrc_die "COUNT=1 needs valgrind (apt-get install valgrind)"
    RUNS=1 # the count does not move from run to run
fi

ff=${FFMPEG:-}
if [ -z "$ff" ]; then
    for c in "$TOP/ffmpeg-build/9.0/ffmpeg" "$FFSRC_CACHE/build-9.0/ffmpeg"; do
        [ -x "$c" ] && { ff=$c; break; }
    done
fi
if [ -z "$ff" ]; then
    ff=$(sh "$TOP/libavfilter-patch/build-ffmpeg.sh" | tail -n 1)
fi
pin=
if [ "${PIN:-1}" != 0 ] && command -v taskset > /dev/null 2>&1; then
    cpu0=$(taskset -cp $$ 2> /dev/null | sed -n 's/.*: *\([0-9]*\).*/\1/p')
    [ -n "$cpu0" ] && pin="taskset -c $cpu0"
fi
"$ff" -hide_banner -h filter=dialogueduck > /dev/null 2>&1 ||
    ffsrc_die "$ff has no dialogueduck filter"

dir=$DD_CACHE/bench-filter
mkdir -p "$dir"
secs=$((MINUTES * 60))
music=$dir/music-$MINUTES.wav
# the stems come from the system's ffmpeg where there is one: the small
# patched build has no anoisesrc
gen=$(command -v ffmpeg || echo "$ff")
make_wav() { # OUT FILTERGRAPH
    [ -s "$1" ] && return 0
    "$gen" -nostdin -v error -y -filter_complex "$2" -c:a pcm_s16le "$1.tmp.wav" &&
        mv "$1.tmp.wav" "$1"
}
# Music: two tones. Dialogue: a voice around 140 Hz (five harmonics, the
# pitch moving 8 % at 3 Hz, syllables at 4 Hz) in 3 s lines every 6 s, with
# exact zeros between lines (half) or over a -60 dBFS bed (continuous). A
# steady tone would be no voice to the detector: the music would never be
# ducked, and mix=1 would be timed at unity gain only.
voice="aevalsrc=exprs='st(0\,2*PI*140*(t-0.08/(2*PI*3)*cos(2*PI*3*t)));0.15*between(mod(t\,6)\,1\,4)*(0.6+0.4*sin(2*PI*4*t))*(sin(ld(0))+sin(2*ld(0))/2+sin(3*ld(0))/3+sin(4*ld(0))/4+sin(5*ld(0))/5)':s=48000:d=$secs"
make_wav "$music" \
    "sine=f=220:r=48000:d=$secs[a];sine=f=331:r=48000:d=$secs[b];[a][b]amerge=inputs=2,volume=0.5"
make_wav "$dir/half-voice-$MINUTES.wav" "$voice,pan=stereo|c0=c0|c1=c0"
make_wav "$dir/cont-voice-$MINUTES.wav" \
    "$voice[v];anoisesrc=r=48000:d=$secs:a=0.001:seed=3[n];[v][n]amix=inputs=2:normalize=0,pan=stereo|c0=c0|c1=c0"
# Real speech and music: the make bench stems, cut to length
speech=$dir/speech-$MINUTES.wav rmusic=$dir/rmusic-$MINUTES.wav
if [ ! -s "$speech" ] || [ ! -s "$rmusic" ]; then
    echo "bench-filter: making $MINUTES-minute real-speech stems in $dir" >&2
    CACHE=$dir
    die() { ffsrc_die "$*"; }
    . "$TOP/tests/bench/stems.sh"
    stem_dialogue "$dir/dlg_pass.wav" && stem_music &&
        loop_to "$dir/dlg_pass.wav" "$secs" "$speech" &&
        loop_to "$dir/mus_pass.wav" "$secs" "$rmusic" ||
        ffsrc_die "cannot build the real-speech stems"
    rm -f "$dir/dlg_pass.wav" "$dir/mus_pass.wav"
fi

# CPU seconds (user + system) of one run of a filtergraph on MUSIC and
# DIALOGUE (its outputs labelled [m] and optionally [d]); with COUNT=1
# millions of instructions on their first minute.
cpu() {
    maps="-map [m]"
    case "$3" in *"[d]"*) maps="$maps -map [d]" ;; esac
    if [ "$count" = 1 ]; then
        t=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
                "$ff" ${FFMPEG_ARGS:-} -nostdin -hide_banner -nostats -t 60 -i "$1" -t 60 -i "$2" \
                -filter_complex "$3" $maps -f null - 2>&1 |
            sed -n 's/.*Collected : \([0-9]*\).*/\1/p' |
            awk '{ printf "%.3f", $1 / 1e6 }')
    else
        t=$($pin "$ff" ${FFMPEG_ARGS:-} -nostdin -hide_banner -nostats -benchmark -i "$1" -i "$2" \
                -filter_complex "$3" $maps -f null - 2>&1 |
            sed -n 's/^bench: utime=\([0-9.]*\)s stime=\([0-9.]*\)s.*/\1 \2/p' |
            awk '{ printf "%.3f", $1 + $2 }')
    fi
    [ -n "$t" ] || ffsrc_die "ffmpeg failed on: $3"
    echo "$t"
}

min() {
    awk -v a="$1" -v b="${2:-$1}" 'BEGIN { print (a < b ? a : b) }'
}
sub() { awk -v a="$1" -v b="$2" 'BEGIN { d = a - b; if (d < 0.001) d = 0.001; printf "%.3f", d }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

if [ "$count" = 1 ]; then
    echo "bench-filter: the first minute of $MINUTES-minute stereo 48 kHz stems, $ff, instructions (callgrind)"
    unit="dialogue (M instr.)"
else
    echo "bench-filter: $MINUTES-minute stereo 48 kHz stems, $ff, best of $RUNS${pin:+, on one CPU ($pin)}"
    unit="dialogue (CPU s)"
fi
printf '%-24s %7s %7s %7s %7s %9s %9s\n' "$unit" floor sc mix=0 mix=1 \
    "sc/mix=0" "mix1/mix0"
worst=
for kind in cont half speech; do
    case $kind in
    cont)   m=$music d=$dir/cont-voice-$MINUTES.wav label="continuous" ;;
    half)   m=$music d=$dir/half-voice-$MINUTES.wav label="half digital silence" ;;
    speech) m=$rmusic d=$speech label="real speech and music" ;;
    esac
    # the configurations take turns, so that a change of load on the
    # machine hits them alike; the fastest run of each counts
    floor= sc= dd= dd1=
    i=0
    while [ $i -lt "$RUNS" ]; do
        floor=$(min "$(cpu "$m" "$d" "[0]anull[m];[1]anull[d]")" "$floor")
        sc=$(min "$(cpu "$m" "$d" "[0][1]sidechaincompress[m]")" "$sc")
        dd=$(min "$(cpu "$m" "$d" "[0][1]dialogueduck=mix=0[m]")" "$dd")
        dd1=$(min "$(cpu "$m" "$d" "[0][1]dialogueduck=mix=1[m]")" "$dd1")
        i=$((i + 1))
    done
    fs=$(sub "$sc" "$floor") fd=$(sub "$dd" "$floor") fd1=$(sub "$dd1" "$floor")
    r=$(div "$fs" "$fd")
    printf '%-24s %7s %7s %7s %7s %8sx %8sx\n' "$label" "$floor" "$fs" "$fd" \
        "$fd1" "$r" "$(div "$fd1" "$fd")"
    worst=$(min "$r" "$worst")
done
echo "  (sc, mix=0, mix=1: filter time, the decode floor subtracted; goals:"
echo "  sc/mix=0 >= 3x on every kind, mix1/mix0 <= 1.2x)"
echo "ratio $worst"
