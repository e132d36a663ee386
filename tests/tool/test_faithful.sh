#!/bin/sh
# Faithful output: the source's bit depth is kept (24-bit stems to FLAC or
# WAV stay 24-bit), and output with fewer bits than the float mix gets
# libswresample's TPDF dither, the same from run to run.
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"

$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*220*t)*between(t\\,1\\,2):s=48000:d=3" -c:a pcm_s24le d24.wav
$FF -f lavfi -i "anoisesrc=seed=3:d=3:r=48000:a=0.1" -c:a pcm_s24le m24.wav
$FF -i m24.wav -c:a flac m24.flac
$FF -i d24.wav -c:a pcm_s16le d16.wav
$FF -i m24.wav -c:a pcm_s16le m16.wav
# music 100 dB down: under half a 16-bit step, so it truncates to silence
$FF -f lavfi -i "aevalsrc=0.000005*sin(2*PI*300*t):s=48000:d=3" -c:a pcm_f32le faint.wav

# probe FILE FIELD: of the first audio stream
probe() { ffprobe -v error -select_streams a:0 -show_entries "stream=$2" -of csv=p=0 "$1"; }
# rms FILE START END: RMS level (dB) of the span
rms() {
    ffmpeg -nostdin -v info -i "$1" -af "atrim=$2:$3,astats=measure_overall=RMS_level:measure_perchannel=0" \
        -f null - 2>&1 | sed -n 's/.*RMS level dB: //p'
}

# --- bit depth ---------------------------------------------------------------------
expect "24-bit WAV stems to FLAC" "$DD" -q -d d24.wav -m m24.wav -o mix.flac
expect "a 24-bit source stays 24-bit in FLAC ($(probe mix.flac bits_per_raw_sample))" \
    test "$(probe mix.flac bits_per_raw_sample)" = 24
expect "24-bit FLAC music to WAV" "$DD" -q -d d24.wav -m m24.flac -o mix.wav
expect "a 24-bit FLAC source gives 24-bit WAV ($(probe mix.wav codec_name))" \
    test "$(probe mix.wav codec_name)" = pcm_s24le
expect "16-bit stems to FLAC" "$DD" -q -d d16.wav -m m16.wav -o mix16.flac
expect "a 16-bit source stays 16-bit in FLAC ($(probe mix16.flac bits_per_raw_sample))" \
    test "$(probe mix16.flac bits_per_raw_sample)" = 16
expect "the deepest stem sets the depth" "$DD" -q -d d16.wav -m m24.wav -o mixed.flac
expect "16-bit dialogue and 24-bit music give 24-bit FLAC" \
    test "$(probe mixed.flac bits_per_raw_sample)" = 24
expect "the rate is the source's" test "$(probe mix.flac sample_rate)" = 48000

# --- dither --------------------------------------------------------------------------
expect "faint music to 16-bit WAV" "$DD" -q --loudness off -d d16.wav -m faint.wav -o faint16.wav
r=$(rms faint16.wav 2.2 3)
# TPDF dither of one 16-bit step: about -96 dB RMS; truncation: -inf
case $r in
-9[0-9].*|-10[0-4].*) ok ;;
*) fail "16-bit output after the dialogue: RMS $r dB, want TPDF dither near -96" ;;
esac
expect "the dither is the same from run to run" sh -c \
    "'$DD' -q --loudness off -d d16.wav -m faint.wav -o faint16b.wav && cmp -s faint16.wav faint16b.wav"
expect "faint music to 24-bit WAV" "$DD" -q --loudness off -d d24.wav -m faint.wav -o faint24.wav
r=$(rms faint24.wav 2.2 3)
# at 24 bits the music itself shows (a sine of 5e-6 is -109 dB RMS, here
# still ducked), far under the 16-bit dither
case $r in
-1[12][0-9].*) ok ;;
*) fail "24-bit output: RMS $r dB, want the ducked faint music (-110..-130)" ;;
esac

summary
