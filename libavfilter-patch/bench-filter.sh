#!/bin/sh
# Benchmark: the dialogueduck filter against sidechaincompress in the same
# patched FFmpeg build, on 10-minute stereo 48 kHz stems.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
#
# Usage: sh libavfilter-patch/bench-filter.sh [RUNS]
#   FFMPEG=PATH  the patched ffmpeg to time (default: ffmpeg-build/9.0/ffmpeg,
#                else the make fate build, else make ffmpeg builds one)
#   MINUTES=N    stem length (default 10)
#
# The configurations take turns, RUNS rounds (default 3); the fastest run
# of each counts. Times are user + system CPU seconds from ffmpeg -benchmark. The
# decode floor (both stems decoded, nothing filtered) is subtracted, so the
# ratio compares the filters themselves; the totals are printed too. The
# last line is "ratio R" (dialogueduck throughput / sidechaincompress).
# A benchmark, never a test: it prints figures and fails only if a run
# fails.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
export TOP
. "$TOP/libavfilter-patch/ffmpeg-src.sh"

RUNS=${1:-3}
MINUTES=${MINUTES:-10}

ff=${FFMPEG:-}
if [ -z "$ff" ]; then
    for c in "$TOP/ffmpeg-build/9.0/ffmpeg" "$FFSRC_CACHE/build-9.0/ffmpeg"; do
        [ -x "$c" ] && { ff=$c; break; }
    done
fi
if [ -z "$ff" ]; then
    ff=$(sh "$TOP/libavfilter-patch/build-ffmpeg.sh" | tail -n 1)
fi
"$ff" -hide_banner -h filter=dialogueduck > /dev/null 2>&1 ||
    ffsrc_die "$ff has no dialogueduck filter"

dir=$DD_CACHE/bench-filter
mkdir -p "$dir"
secs=$((MINUTES * 60))
music=$dir/music-$MINUTES.wav
dialogue=$dir/dialogue-$MINUTES.wav
if [ ! -s "$music" ] || [ ! -s "$dialogue" ]; then
    echo "bench-filter: making $MINUTES-minute stems in $dir" >&2
    # Music: two tones. Dialogue: a 140 Hz voice in 3 s lines every 6 s.
    "$ff" -nostdin -v error -y -filter_complex \
        "sine=f=220:r=48000:d=$secs[a];sine=f=331:r=48000:d=$secs[b];[a][b]amerge=inputs=2,volume=0.5" \
        -c:a pcm_s16le "$music.tmp.wav" && mv "$music.tmp.wav" "$music"
    "$ff" -nostdin -v error -y -filter_complex \
        "sine=f=140:r=48000:d=$secs,volume=volume='between(mod(t\,6)\,1\,4)':eval=frame,pan=stereo|c0=c0|c1=c0" \
        -c:a pcm_s16le "$dialogue.tmp.wav" && mv "$dialogue.tmp.wav" "$dialogue"
fi

# CPU seconds (user + system) of one run of a filtergraph (its outputs
# labelled [m] and optionally [d]).
cpu() {
    maps="-map [m]"
    case "$1" in *"[d]"*) maps="$maps -map [d]" ;; esac
    t=$("$ff" -nostdin -hide_banner -nostats -benchmark -i "$music" -i "$dialogue" \
            -filter_complex "$1" $maps -f null - 2>&1 |
        sed -n 's/^bench: utime=\([0-9.]*\)s stime=\([0-9.]*\)s.*/\1 \2/p' |
        awk '{ printf "%.3f", $1 + $2 }')
    [ -n "$t" ] || ffsrc_die "ffmpeg failed on: $1"
    echo "$t"
}

min() {
    awk -v a="$1" -v b="${2:-$1}" 'BEGIN { print (a < b ? a : b) }'
}

# The three configurations take turns, so that a change of load on the
# machine hits them alike; the fastest run of each counts.
floor= sc= dd=
i=0
while [ $i -lt "$RUNS" ]; do
    floor=$(min "$(cpu "[0]anull[m];[1]anull[d]")" "$floor")
    sc=$(min "$(cpu "[0][1]sidechaincompress[m]")" "$sc")
    dd=$(min "$(cpu "[0][1]dialogueduck=mix=0[m]")" "$dd")
    i=$((i + 1))
done

echo "bench-filter: $MINUTES-minute stereo 48 kHz stems, $ff, best of $RUNS"
echo "  decode floor        $floor s"
echo "  sidechaincompress   $sc s (filter $(awk -v a="$sc" -v f="$floor" 'BEGIN { printf "%.3f", a - f }') s)"
echo "  dialogueduck        $dd s (filter $(awk -v a="$dd" -v f="$floor" 'BEGIN { printf "%.3f", a - f }') s)"
ratio=$(awk -v s="$sc" -v d="$dd" -v f="$floor" 'BEGIN {
    fs = s - f; fd = d - f; if (fd < 0.001) fd = 0.001; printf "%.2f", fs / fd }')
total=$(awk -v s="$sc" -v d="$dd" 'BEGIN { printf "%.2f", s / d }')
echo "  dialogueduck throughput: ${ratio}x sidechaincompress (filter time; ${total}x on the totals; goal >= 3x)"
echo "ratio $ratio"
