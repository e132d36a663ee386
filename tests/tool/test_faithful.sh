#!/bin/sh
# Faithful output: the source's bit depth is kept (24-bit stems to FLAC or
# WAV stay 24-bit), and output with fewer bits than the mix gets
# libswresample's TPDF dither, the same from run to run. What ffmpeg users
# ask for: -ar, --sample-fmt, -c:a, -b:a, --codec-opt KEY=VALUE.
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"

$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*220*(t-0.0042*cos(6*PI*t)))*between(t\\,1\\,2):s=48000:d=3" -c:a pcm_s24le d24.wav
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

# --- -ar, --sample-fmt, -c:a, -b:a, --codec-opt -------------------------------------
# rc EXPECTED DESCRIPTION ARGS...: the exit code; stderr in err.txt
rc() {
    want=$1 desc=$2; shift 2
    "$DD" -q "$@" 2> err.txt
    got=$?
    [ "$got" -eq "$want" ] && ok || fail "$desc: exit $got, not $want: $(cat err.txt)"
}
rc 0 "-ar 44100 -c:a flac" -d d24.wav -m m24.wav -o ar.mka -ar 44100 -c:a flac
expect "-ar 44100 ($(probe ar.mka sample_rate))" test "$(probe ar.mka sample_rate)" = 44100
expect "-c:a flac ($(probe ar.mka codec_name))" test "$(probe ar.mka codec_name)" = flac
rc 0 "--sample-rate 96000" -d d24.wav -m m24.wav -o up.wav --sample-rate 96000
expect "--sample-rate 96000" test "$(probe up.wav sample_rate)" = 96000
for f in "s16 pcm_s16le" "s32 pcm_s32le" "flt pcm_f32le" "u8 pcm_u8"; do
    set -- $f
    rc 0 "--sample-fmt $1 to WAV" -d d24.wav -m m24.wav -o fmt_$1.wav --sample-fmt $1
    expect "--sample-fmt $1 in WAV is $2 ($(probe fmt_$1.wav codec_name))" \
        test "$(probe fmt_$1.wav codec_name)" = "$2"
done
rc 0 "--sample-fmt s16 to FLAC" -d d24.wav -m m24.wav -o s16.flac --sample-fmt s16
expect "--sample-fmt s16 gives 16-bit FLAC" test "$(probe s16.flac bits_per_raw_sample)" = 16
rc 3 "--sample-fmt flt to FLAC" -d d24.wav -m m24.wav -o flt.flac --sample-fmt flt
grep -q 'flac encoder cannot take --sample-fmt flt' err.txt && ok || fail "--sample-fmt flt: $(cat err.txt)"
rc 1 "--sample-fmt s15" -d d24.wav -m m24.wav -o s15.flac --sample-fmt s15
rc 3 "-ar 12345 to MP3" -d d24.wav -m m24.wav -o odd.mp3 -ar 12345
grep -q 'cannot take 12345 Hz' err.txt && ok || fail "-ar 12345: $(cat err.txt)"
rc 1 "-ar 1000" -d d24.wav -m m24.wav -o low.wav -ar 1000
for b in 64k 192k; do
    rc 0 "-b:a $b" -d d24.wav -m m24.wav -o b$b.m4a -b:a $b
done
r64=$(probe b64k.m4a bit_rate) r192=$(probe b192k.m4a bit_rate)
expect "-b:a 64k and 192k: $r64 and $r192 bit/s" \
    awk -v a="$r64" -v b="$r192" 'BEGIN { exit !(a > 56000 && a < 72000 && b > 170000 && b < 210000) }'
rc 0 "--codec-opt compression_level=0" -d d24.wav -m m24.wav -o c0.flac --codec-opt compression_level=0
rc 0 "--codec-opt compression_level=12" -d d24.wav -m m24.wav -o c12.flac --codec-opt compression_level=12
expect "--codec-opt reaches the encoder (sizes $(wc -c < c0.flac), $(wc -c < c12.flac))" \
    test "$(wc -c < c12.flac)" -lt "$(wc -c < c0.flac)"
expect "the same samples either way" sh -c \
    "[ \"\$(ffmpeg -v error -i c0.flac -f s32le - | cksum)\" = \"\$(ffmpeg -v error -i c12.flac -f s32le - | cksum)\" ]"
rc 3 "--codec-opt bogus=1" -d d24.wav -m m24.wav -o bogus.flac --codec-opt bogus=1
grep -q -- '--codec-opt bogus: not an option of the flac encoder' err.txt && ok ||
    fail "--codec-opt bogus=1: $(cat err.txt)"
expect "no output from refused options" sh -c '! ls flt.flac s15.flac odd.mp3 low.wav bogus.flac .*.flac 2> /dev/null'
rc 1 "--codec-opt without =" -d d24.wav -m m24.wav -o x.flac --codec-opt level

# --- stream titles and languages ------------------------------------------------------
$FF -f lavfi -i testsrc=d=3:s=64x48 -i d16.wav -i m16.wav -map 0 -map 1 -map 2 -c:v mpeg4 \
    -c:a aac -metadata:s:a:0 title=DX -metadata:s:a:0 language=eng \
    -metadata:s:a:1 title=MX -metadata:s:a:1 language=eng film.mkv
rc 0 "--keep-stems into MKV" -i film.mkv -m 0:a:1 -o stems.mkv --keep-stems
tag() { ffprobe -v error -select_streams "$2" -show_entries "stream_tags=$3" -of csv=p=0 "$1"; }
expect "the mix is titled Mix, not DX ($(tag stems.mkv a:0 title))" test "$(tag stems.mkv a:0 title)" = Mix
expect "the mix keeps the dialogue's language" test "$(tag stems.mkv a:0 language)" = eng
expect "the ducked music is titled" test "$(tag stems.mkv a:1 title)" = "Ducked music"
expect "the ducked music is not tagged with the dialogue's language ($(tag stems.mkv a:1 language))" \
    test -z "$(tag stems.mkv a:1 language)"

# --- --dual-mono ----------------------------------------------------------------------
# a mono programme measured as on two loudspeakers reads 3.01 dB louder
# (so normalization takes 3 dB more off); a stereo one is unchanged
li() { jq '.loudness.before.integrated' "$1"; }
if command -v jq > /dev/null; then
    rc 0 "mono" -d d16.wav -m faint.wav -o mono.wav --report mono.json
    rc 0 "mono --dual-mono" -d d16.wav -m faint.wav -o dual.wav --report dual.json --dual-mono
    expect "--dual-mono: $(li mono.json) -> $(li dual.json) LUFS, +3.01" \
        awk -v a="$(li mono.json)" -v b="$(li dual.json)" 'BEGIN { d = b - a - 3.01; exit !(d < 0.02 && d > -0.02) }'
    $FF -i d16.wav -ac 2 d2.wav
    rc 0 "stereo" -d d2.wav -m faint.wav -o st.wav --report st.json
    rc 0 "stereo --dual-mono" -d d2.wav -m faint.wav -o st2.wav --report st2.json --dual-mono
    expect "--dual-mono leaves stereo alone" test "$(li st.json)" = "$(li st2.json)"
    expect "and its mix" cmp -s st.wav st2.wav
else
    fail "jq not installed"
fi

summary
