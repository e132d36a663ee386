#!/bin/sh
# Loudness normalization checked by an independent meter, FFmpeg's ebur128
# filter (peak=true): integrated loudness within 0.2 LU of the target and
# true peak at most the ceiling + 0.1 dB, for each preset; the limiter acts
# only when needed; the dialogue gate; the report's figures.
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"

# Dialogue lines (a buzzy pulse train) over pink-noise music with a short
# loud click every 2 s: loud targets push the clicks over the ceiling, so
# the limiter has work to do without changing the programme's loudness.
line="if(between(t\\,1\\,4)+between(t\\,5\\,8)+between(t\\,9\\,12)\\,1\\,0)"
$FF -f lavfi -i "aevalsrc=0.5*pow(abs(sin(2*PI*110*(t-0.0042*cos(6*PI*t))))\\,12)*$line:s=48000:d=14" dlg.wav
$FF -f lavfi -i "anoisesrc=seed=7:d=14:c=pink:a=0.05:r=48000" \
    -f lavfi -i "aevalsrc=1.0*sin(2*PI*900*t)*lt(mod(t\\,2)\\,0.004):s=48000:d=14" \
    -filter_complex "amix=inputs=2:normalize=0" -ac 2 -c:a pcm_f32le music.wav

# ebur128 FILE -> "I TP" (LUFS, dBTP)
ebur128() {
    ffmpeg -nostdin -v info -i "$1" -af ebur128=peak=true -f null - 2>&1 |
        awk '/Integrated loudness:/ { s = 1 } s && /I:/ { i = $2 }
             /True peak:/ { t = 1 } t && /Peak:/ { p = $2 } END { print i, p }'
}
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; }
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a <= b) }'; }

for preset in ebu:-23 atsc:-24 streaming:-16 -14:-14; do
    name=${preset%%:*} target=${preset#*:}
    out=mix_$name.wav
    if "$DD" -q -d dlg.wav -m music.wav -o "$out" --loudness "$name" --report "$name.json" 2>err.txt; then
        ok
    else
        fail "--loudness $name: exit $?: $(cat err.txt)"; continue
    fi
    set -- $(ebur128 "$out")
    i=$1 tp=$2
    echo "loudness $name: target $target, measured $i LUFS, true peak $tp dBTP"
    near "$i" "$target" 0.2 && ok || fail "--loudness $name: ebur128 reads $i LUFS, target $target"
    le "$tp" -0.9 && ok || fail "--loudness $name: true peak $tp dBTP over -1 + 0.1"
    r=$(jq -r '.loudness.after.integrated' "$name.json")
    near "$r" "$target" 0.1 && ok || fail "--loudness $name: report says $r after"
done

# the loud targets needed the limiter; at -23 it limited nothing (it may
# still run: the sample-peak bound that skips it is conservative)
[ "$(jq -r .limiter.samples_limited ebu.json)" = 0 ] && ok || fail "limiter limited at -23"
[ "$(jq -r .limiter.used -- -14.json)" = true ] && ok || fail "limiter not used at -14"
[ "$(jq -r '.limiter.samples_limited > 0' -- -14.json)" = true ] && ok || fail "limiter used but limited nothing at -14"
# gain is linear: before + gain = after (to the meter's precision) at -23
b=$(jq -r .loudness.before.integrated ebu.json)
g=$(jq -r .loudness.gain_db ebu.json)
near "$(awk -v b="$b" -v g="$g" 'BEGIN { print b + g }')" -23 0.05 && ok || fail "before $b + gain $g is not -23"

# real music that peaks at 0 dBFS (Debian's lincity-ng-data): at -14 the
# limiter takes off enough that linear gain alone lands short; the gain is
# corrected (by the predicted loss, then by what the checks measure)
song="/usr/share/games/lincity-ng/music/default/01 - pronobozo - lincity.ogg"
$FF -ss 30 -t 14 -i "$song" -ar 48000 -c:a pcm_f32le song.wav
"$DD" -q -d dlg.wav -m song.wav -o song14.wav --loudness -14 --report song.json ||
    fail "song -14: exit $?"
set -- $(ebur128 song14.wav)
echo "loudness song -14: measured $1 LUFS, true peak $2 dBTP, corrections $(jq -r .limiter.loudness_corrections song.json)"
near "$1" -14 0.2 && ok || fail "song -14: ebur128 reads $1 LUFS"
le "$2" -0.9 && ok || fail "song -14: true peak $2 dBTP"
[ "$(jq -r '.limiter.loudness_corrections > 0' song.json)" = true ] && ok ||
    fail "song -14: limiting cost loudness but the gain was not corrected"
# the analysis predicts what the limiter takes: the first gain tried is
# already corrected and lands, so no pass measures the linear gain
"$DD" -v -y -d dlg.wav -m song.wav -o song14v.wav --loudness -14 2> v.txt ||
    fail "song -14 -v: exit $?"
grep -q "limiting predicted; gain raised" v.txt && ok ||
    fail "song -14: no predicted correction: $(cat v.txt)"
grep -q "limiting left" v.txt && fail "song -14: the predicted gain missed: $(cat v.txt)" || ok
# after a correction the write pass checks the gain itself (a file can
# start again); a pipe cannot, so dry passes check it: the same gains are
# tried either way (the prediction first), so the same bytes,
# at -14 and at -7 (about 20 dB of limiting: the predicted gain misses
# and the file is started again)
for t in -14 -7; do
    "$DD" -q -y -d dlg.wav -m song.wav -o "song$t.wav" --loudness $t &&
        "$DD" -q -d dlg.wav -m song.wav -o - -f wav --loudness $t > "pipe$t.wav" ||
        fail "song $t: exit $?"
    # (a piped WAV header has no sizes: compare the samples)
    a=$($FF -i "song$t.wav" -f md5 -) b=$($FF -i "pipe$t.wav" -f md5 -)
    [ -n "$a" ] && [ "$a" = "$b" ] && ok ||
        fail "song $t: the file (checked by its write pass) and the pipe (dry passes) differ"
done
ls -A | grep -q '^\.song' && fail "song: a temporary file was left: $(ls -A | grep '^\.song')" || ok

# a lower ceiling is honoured
"$DD" -q -d dlg.wav -m music.wav -o tp3.wav --loudness -16 --true-peak -3 || fail "--true-peak -3 exit $?"
set -- $(ebur128 tp3.wav)
le "$2" -2.9 && ok || fail "--true-peak -3: true peak $2 dBTP"
near "$1" -16 0.3 && ok || fail "--true-peak -3: loudness $1 LUFS"

# --loudness off: no gain at all; the mix equals dialogue + ducked music
"$DD" -q -d dlg.wav -m music.wav -o off.wav --loudness off --report off.json || fail "--loudness off exit $?"
[ "$(jq -r ".loudness.gain_db == 0" off.json)" = true ] && ok || fail "--loudness off applied gain"

# dialogue gate: the lines themselves reach the target
"$DD" -q -d dlg.wav -m music.wav -o gate.wav --loudness -27 --gate dialogue --report gate.json || fail "--gate dialogue exit $?"
$FF -i gate.wav -af "aselect='between(t,1.2,3.8)+between(t,5.2,7.8)+between(t,9.2,11.8)',asetpts=N/SR/TB" lines.wav
set -- $(ebur128 lines.wav)
near "$1" -27 0.7 && ok || fail "--gate dialogue: the lines read $1 LUFS, target -27"
[ "$(jq -r .loudness.gate gate.json)" = dialogue ] && ok || fail "report gate"
r=$(jq -r .loudness.after.integrated_dialogue gate.json)
near "$r" -27 0.1 && ok || fail "--gate dialogue: report says $r"

summary
