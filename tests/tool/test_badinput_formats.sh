#!/bin/sh
# 24-bit, 32-bit float and 96 kHz stems come out right: the working rate
# and the PCM format carry through, silent dialogue leaves the music
# bit-exact, and speech ducks the music by --depth, measured by FFmpeg's
# astats as an independent meter.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"
SPEECH="0.3*sin(2*PI*220*(t-0.0042*cos(6*PI*t)))*(1+0.5*sin(2*PI*3*(t-0.0042*cos(6*PI*t))))*between(t\\,1\\,3)"

probe() { # FILE: codec,rate,channels
    ffprobe -v error -show_entries stream=codec_name,sample_rate,channels \
        -of csv=p=0 "$1"
}
pcm() { # FILE: checksum and byte count of the samples as float
    ffmpeg -nostdin -v error -i "$1" -c:a pcm_f32le -f f32le - | cksum
}
raw() { # FILE CODEC: the same in the samples' own format (pcm_s24le: s24le)
    ffmpeg -nostdin -v error -i "$1" -c:a "$2" -f "${2#pcm_}" - | cksum
}
nonempty() { # "CKSUM COUNT"
    [ "${1#* }" -gt 0 ]
}
rms() { # FILE START DURATION: RMS level in dB over all channels
    ffmpeg -nostdin -v info -ss "$2" -t "$3" -i "$1" \
        -af astats=measure_perchannel=none -f null - 2>&1 |
        sed -n 's/.*RMS level dB: //p' | tail -n 1
}
near() { # A B TOL
    awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; exit !(d <= t && -d <= t) }'
}

for fmt in "pcm_s24le 48000" "pcm_f32le 48000" "pcm_s24le 96000" "pcm_f32le 96000" "pcm_s16le 96000"; do
    set -- $fmt
    codec=$1 rate=$2 tag="$1 at $2 Hz"
    $FF -f lavfi -i "anoisesrc=d=4:c=pink:a=0.1:r=$rate" -ac 2 -c:a $codec music.wav
    $FF -f lavfi -i "aevalsrc=$SPEECH:s=$rate:d=4" -c:a $codec dlg.wav
    $FF -f lavfi -i "anullsrc=r=$rate:cl=mono" -t 4 -c:a $codec silent.wav
    sums=$(md5sum music.wav dlg.wav silent.wav)

    # silent dialogue, no loudness gain: the mix is the music, bit for bit,
    # in the source's own PCM format and rate
    rm -f out*
    "$DD" -q -d silent.wav -m music.wav -o out.wav --music-out out_music.wav \
        --loudness off 2> err.txt
    rc=$?
    [ $rc -eq 0 ] && ok || fail "$tag, silent dialogue: exit $rc: $(cat err.txt)"
    [ "$(probe out.wav)" = "$codec,$rate,2" ] && ok ||
        fail "$tag: the mix is $(probe out.wav), want $codec,$rate,2"
    a=$(raw out.wav $codec) b=$(raw music.wav $codec)
    nonempty "$b" && [ "$a" = "$b" ] && ok ||
        fail "$tag, silent dialogue: the mix differs from the music"
    a=$(pcm out_music.wav) b=$(pcm music.wav)
    nonempty "$b" && [ "$a" = "$b" ] && ok ||
        fail "$tag, silent dialogue: the ducked music differs from the music"

    # speech from 1 s to 3 s: the music is down by --depth in the middle of
    # it and untouched before the fade-down (lookahead 0.5 s)
    rm -f out*
    "$DD" -q -d dlg.wav -m music.wav -o out.wav --music-out out_music.wav \
        --loudness off --depth -15 2> err.txt
    rc=$?
    [ $rc -eq 0 ] && ok || fail "$tag, speech: exit $rc: $(cat err.txt)"
    [ "$(probe out.wav)" = "$codec,$rate,1" ] || [ "$(probe out.wav)" = "$codec,$rate,2" ] && ok ||
        fail "$tag, speech: the mix is $(probe out.wav)"
    in_mid=$(rms music.wav 1.6 1.2) out_mid=$(rms out_music.wav 1.6 1.2)
    near "$(awk -v a="$out_mid" -v b="$in_mid" 'BEGIN { print a - b }')" -15 0.2 && ok ||
        fail "$tag: ducked by $out_mid - $in_mid dB in the speech, want -15"
    in_pre=$(rms music.wav 0.1 0.3) out_pre=$(rms out_music.wav 0.1 0.3)
    near "$out_pre" "$in_pre" 0.01 && ok ||
        fail "$tag: music before the speech changed: $in_pre -> $out_pre dB"
    [ "$(md5sum music.wav dlg.wav silent.wav)" = "$sums" ] && ok || fail "$tag: an input changed"
done

summary
