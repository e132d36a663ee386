#!/bin/sh
# Dialogue as it is delivered: the core engine (DDEngine streaming,
# defaults) on every scene's dialogue stem after a trip through a lossy
# codec (a finished video's AAC, an MP3, a call's Opus), delivered at
# another level (20, 30 and 40 dB under ours: a stem kept at its field
# gain), as a stereo pair in opposite polarity (a microphone wired the
# wrong way round), or processed as dialogue often is (a dialogue EQ's
# or a lavalier's high-pass, a telephone's band, a broadcast compressor, FFT noise
# reduction, two early reflections), scored against the same truth as the
# stem as built, one table per scene set.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
#
#   sh tests/eval/run.sh           first: builds the scenes in build/eval
#   sh tests/eval/codec.sh [-v]    then: one row per condition and set
#
# Each codec is FFmpeg's encoder in a container that records the
# encoder's delay (MP4 edit list, LAME header, Matroska codec delay), so
# the decoded stem lines up with the truth; a stem that comes back
# shorter than it went in is an error. A level is FFmpeg's volume filter
# on the float stem (no container), the pair its aeval filter (the first
# channel, and it inverted), a processing FFmpeg's filter of that name. The stems are kept in
# $OUT/<scene>/codec/ and made again only when missing.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
OUT=${EVAL_OUT:-build/eval}
DEPTH=-15
verbose=
for arg in "$@"; do
    case "$arg" in
    -v) verbose=-v ;;
    *) echo "usage: sh tests/eval/codec.sh [-v]" >&2; exit 2 ;;
    esac
done

die() { echo "codec: $*" >&2; exit 1; }

[ -x "$OUT/engine_run" ] && [ -x "$OUT/score" ] ||
    die "run sh tests/eval/run.sh first (no $OUT/engine_run or $OUT/score)"
command -v ffmpeg > /dev/null || die "ffmpeg not found: apt-get install ffmpeg"

# name, container extension (f32: none), encoder or filter options; the
# engine reads the stem with the scene's channel count (antiphase: 2)
CODECS="aac128 m4a -c:a_aac_-b:a_128k
mp3-64 mp3 -c:a_libmp3lame_-b:a_64k
opus32 mka -c:a_libopus_-b:a_32k
opus16 mka -c:a_libopus_-b:a_16k
level-20 f32 -af_volume=-20dB
level-30 f32 -af_volume=-30dB
level-40 f32 -af_volume=-40dB
antiphase f32 -af_aeval=val(0)|-val(0):c=stereo
highpass120 f32 -af_highpass=f=120,highpass=f=120
highpass250 f32 -af_highpass=f=250,highpass=f=250
telephone f32 -af_highpass=f=300,highpass=f=300,lowpass=f=3400,lowpass=f=3400
compressor f32 -af_acompressor=threshold=0.03:ratio=8:attack=5:release=100:makeup=4
afftdn f32 -af_afftdn=nr=20:nf=-50
echo f32 -af_aecho=0.8:0.7:40|70:0.4|0.3"

ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }

# coded SCENE_DIR CH NAME EXT OPTIONS: the scene's dialogue through the
# codec (or the filter, EXT f32), raw float 48 kHz, path on stdout.
coded() {
    dir=$1 ch=$2 name=$3 ext=$4 opts=$(echo "$5" | tr _ ' ')
    out=$dir/codec/$name.f32
    if [ ! -s "$out" ]; then
        mkdir -p "$dir/codec" || die "cannot create $dir/codec"
        in="-f f32le -ar 48000 -ac $ch -i $dir/dialogue48.f32"
        if [ "$ext" = f32 ]; then
            # shellcheck disable=SC2086
            ff $in $opts -f f32le "$out" || die "$name failed on $dir"
        else
            # shellcheck disable=SC2086
            ff $in $opts "$dir/codec/$name.$ext" &&
                ff -i "$dir/codec/$name.$ext" -ar 48000 -ac "$ch" -f f32le \
                    "$out" || die "$name failed on $dir"
            rm -f "$dir/codec/$name.$ext"
        fi
        [ "$(wc -c < "$out")" -ge "$(wc -c < "$dir/dialogue48.f32")" ] ||
            die "$name: $dir's stem came back shorter"
    fi
    echo "$out"
}

# score_set SET_DIR NAME: one table for the set's scenes through codec or
# level NAME (uncoded: the engine's render run.sh made). The renders are
# removed once scored: kept, each condition's took 4 GB.
score_set() {
    set_dir=$1 name=$2 args= renders=
    line=$(echo "$CODECS" | grep "^$name ")
    for spec in "$set_dir"/*.scene; do
        s=$(basename "$spec" .scene) dir=$OUT/$s
        [ -s "$dir/engine.f32" ] || die "no $dir/engine.f32: run run.sh"
        render=$dir/engine.f32
        if [ -n "$line" ]; then
            ch=$(sed -n 's/^dialogue_channels //p' "$dir/scene.spec")
            # shellcheck disable=SC2086
            dlg=$(coded "$dir" "$ch" $line) || exit 1
            [ "$name" = antiphase ] && ch=2
            render=$dir/codec/render.f32
            "$OUT/engine_run" "$ch" "$dlg" "$dir/original.f32" "$render" ||
                die "engine_run failed on $s ($name)"
            renders="$renders $render"
        fi
        args="$args $dir/truth.txt $dir/original.f32 $render"
    done
    # shellcheck disable=SC2086
    "$OUT/score" $verbose --depth "$DEPTH" --name "engine, $name dialogue" \
        $args || die "scorer failed"
    # shellcheck disable=SC2086
    rm -f $renders
}

for set_dir in tests/eval/scenes tests/eval/hard/tune tests/eval/hard/held-out; do
    echo
    echo "######## $set_dir"
    for name in uncoded $(echo "$CODECS" | cut -d' ' -f1); do
        score_set "$set_dir" "$name"
    done
done
