#!/bin/sh
# make demo: build a short dialogue + music scene, duck it, and say where
# the results are. Speech comes from Debian's pocketsphinx-testdata when it
# is installed (else a synthetic voice-like buzz); the music, room tone and
# a breath-like noise burst are made by stock ffmpeg.
set -e
TOP=$(cd "$(dirname "$0")/.." && pwd)
DD=${DD:-$TOP/dialogueduck}
OUT=$TOP/demo
FF="ffmpeg -nostdin -v error -y"
SPEECH=${SPEECH:-/usr/share/pocketsphinx/test/data}

mkdir -p "$OUT"
cd "$OUT"

# Dialogue: three lines at 2 s, 7 s and 13.5 s over quiet room tone, and a
# breath-like burst at 11 s that must not duck the music.
if [ -r "$SPEECH/goforward.raw" ] && [ -r "$SPEECH/numbers.raw" ] &&
   [ -r "$SPEECH/something.raw" ]; then
    echo "demo: speech from $SPEECH"
    raw="-f s16le -ar 16000 -ac 1 -i"
    $FF $raw "$SPEECH/goforward.raw" $raw "$SPEECH/numbers.raw" \
        $raw "$SPEECH/something.raw" -filter_complex \
        "[0]adelay=2000[a];[1]adelay=7000[b];[2]adelay=13500[c];[a][b][c]amix=inputs=3:normalize=0:duration=longest" \
        lines.wav
else
    echo "demo: pocketsphinx-testdata not installed; using a synthetic voice"
    on="between(t\\,2\\,4.5)+between(t\\,7\\,10)+between(t\\,13.5\\,16)"
    $FF -f lavfi -i "aevalsrc=0.3*pow(abs(sin(2*PI*120*(t-0.0042*cos(6*PI*t))))\\,8)*(0.6+0.4*sin(2*PI*4*(t-0.0042*cos(6*PI*t))))*($on):s=16000:d=18" lines.wav
fi
$FF -i lines.wav \
    -f lavfi -i "anoisesrc=seed=7:d=20:c=pink:a=0.003:r=16000" \
    -f lavfi -i "anoisesrc=seed=7:d=0.3:c=brown:a=0.05:r=16000,afade=t=in:d=0.1,afade=t=out:st=0.15:d=0.15,adelay=12200" \
    -filter_complex "[0][1][2]amix=inputs=3:normalize=0:duration=longest" \
    -t 20 dialogue.wav

# Music: a stereo pad changing chords every 2.5 s, 20 s.
chord="if(lt(mod(t\\,5)\\,2.5)\\,sin(2*PI*261.6*t)+sin(2*PI*329.6*t)+sin(2*PI*392*t)\\,sin(2*PI*220*t)+sin(2*PI*261.6*t)+sin(2*PI*329.6*t))"
$FF -f lavfi -i "aevalsrc=0.08*($chord)*(0.8+0.2*sin(2*PI*0.5*t))|0.08*($chord)*(0.8+0.2*cos(2*PI*0.5*t)):s=44100:d=20" \
    -c:a libmp3lame -b:a 192k music.mp3

"$DD" -y -d dialogue.wav -m music.mp3 -o mix.wav --music-out music_ducked.wav \
    --report report.json --keyframes keyframes.json --plot plot.svg

echo "demo: wrote"
echo "  $OUT/mix.wav            the mix (dialogue + ducked music, EBU R128 -23 LUFS)"
echo "  $OUT/music_ducked.wav   the ducked music alone"
echo "  $OUT/report.json        report: duck regions, loudness, timings"
echo "  $OUT/keyframes.json     the gain envelope (editable, --apply-keyframes)"
echo "  $OUT/plot.svg           picture of activity, gain and loudness"
