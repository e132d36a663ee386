#!/bin/sh
# The report's loudness range (LRA, EBU Tech 3342, by libebur128 on the
# meters that already run), sample peak and true peak, before and after
# the normalization gain. The music is the programme (the dialogue stem
# is silent, so nothing is ducked): EBU Tech 3342's test signals give
# their stated LRA, and a sine at a quarter of the sample rate, 45 degrees
# off its peaks, has a true peak 3 dB above its sample peak. The range
# is measured once, before the gain, unless the limiter changes the mix
# (then on the output: "loudness_range_from"); either way FFmpeg's ebur128
# reads the same range from the file written.
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"
command -v jq > /dev/null || { fail "jq not installed"; summary; exit 1; }

$FF -f lavfi -i "anullsrc=r=48000:cl=mono" -t 40 -c:a pcm_f32le silence.wav

# within WANT TOL VALUE DESCRIPTION
within() {
    if awk -v w="$1" -v t="$2" -v v="$3" \
            'BEGIN { exit !(v != "null" && v - w <= t && w - v <= t) }'; then
        ok
    else
        fail "$4: $3, not $1 +- $2"
    fi
}

# FFmpeg's ebur128 reading of a file's loudness range (LU)
fflra() {
    ffmpeg -nostdin -hide_banner -nostats -i "$1" -af ebur128 -f null - 2>&1 |
        awk '/Summary:/ { s = 1 } s && /LRA:/ { print $2; exit }'
}

# Tech 3342 cases 1-3: 1 kHz sine on both channels, 20 s at A dBFS then 20 s at B.
for c in "-20 -30 10" "-20 -15 5" "-40 -20 20"; do
    set -- $c
    a=$1 b=$2 lra=$3
    e="if(lt(t\\,20)\\,pow(10\\,$a/20)\\,pow(10\\,$b/20))*sin(2*PI*1000*t)"
    $FF -f lavfi -i "aevalsrc=$e|$e:s=48000:d=40" -c:a pcm_f32le m.wav
    "$DD" -y -d silence.wav -m m.wav -o out.wav --report r.json 2> err.txt ||
        fail "$a/$b dBFS: $(cat err.txt)"
    within "$lra" 1 "$(jq .loudness.before.loudness_range r.json)" "LRA before, $a then $b dBFS"
    within "$lra" 1 "$(jq .loudness.after.loudness_range r.json)" "LRA after, $a then $b dBFS"
    # a linear gain leaves the range as it was
    within "$(jq .loudness.before.loudness_range r.json)" 0.1 \
        "$(jq .loudness.after.loudness_range r.json)" "LRA kept by the gain, $a then $b dBFS"
    # no limiter: the range is measured once, before the gain, and it is
    # the delivered file's, as FFmpeg's own meter reads it
    [ "$(jq -r .loudness.after.loudness_range_from r.json)" = analysis ] && ok ||
        fail "LRA after, $a then $b dBFS: not the analysis's figure"
    within "$(fflra out.wav)" 0.1 "$(jq .loudness.after.loudness_range r.json)" \
        "LRA after, $a then $b dBFS, as ffmpeg reads out.wav"
done

# The limiter changes the mix: the range after is measured on the output.
# Pink noise in three 20 s steps (-20, 0, -10 dB), driven to -9 LUFS under
# a -1 dBTP ceiling: the loud step is limited hard and the range shrinks
# (20 LU before, about 10 after).
$FF -f lavfi -i "anoisesrc=d=60:c=pink:a=0.25:r=48000:s=1" \
    -af "volume='if(lt(t,20),0.1,if(lt(t,40),1,0.3))':eval=frame" \
    -ac 2 -c:a pcm_f32le loud.wav
$FF -f lavfi -i "anullsrc=r=48000:cl=mono" -t 60 -c:a pcm_f32le silence60.wav
"$DD" -y -d silence60.wav -m loud.wav -o out.wav --loudness -9 --report r.json 2> err.txt ||
    fail "limited: $(cat err.txt)"
[ "$(jq .limiter.used r.json)" = true ] && [ "$(jq .limiter.samples_limited r.json)" -gt 0 ] &&
    ok || fail "limited: the limiter did not act, the case tests nothing"
[ "$(jq -r .loudness.after.loudness_range_from r.json)" = output ] && ok ||
    fail "limited: the range after is not measured on the output"
within "$(fflra out.wav)" 0.1 "$(jq .loudness.after.loudness_range r.json)" \
    "limited: LRA after, as ffmpeg reads out.wav"
awk -v b="$(jq .loudness.before.loudness_range r.json)" \
    -v a="$(jq .loudness.after.loudness_range r.json)" 'BEGIN { exit !(b - a > 5) }' &&
    ok || fail "limited: the range after is not the limited mix's"

# peaks: 0.5 * sin(pi/2 n + pi/4): samples at +-0.354 (-9.03 dBFS), the
# wave between them at 0.5 (-6.02 dBTP)
e="0.5*sin(2*PI*12000*t+PI/4)"
$FF -f lavfi -i "aevalsrc=$e|$e:s=48000:d=20" -c:a pcm_f32le peak.wav
"$DD" -y -d silence.wav -m peak.wav -o out.wav --loudness -30 --report r.json 2> err.txt ||
    fail "peaks: $(cat err.txt)"
within -9.03 0.02 "$(jq .loudness.before.sample_peak r.json)" "sample peak before"
within -6.02 0.1 "$(jq .loudness.before.true_peak r.json)" "true peak before"
gain=$(jq .loudness.gain_db r.json)
within "$(awk -v g="$gain" 'BEGIN { print -9.03 + g }')" 0.02 \
    "$(jq .loudness.after.sample_peak r.json)" "sample peak after ($gain dB)"
within "$(awk -v g="$gain" 'BEGIN { print -6.02 + g }')" 0.1 \
    "$(jq .loudness.after.true_peak r.json)" "true peak after ($gain dB)"
# the file as written: ffmpeg's own meter reads the same peak
ffpk=$(ffmpeg -nostdin -i out.wav -af ebur128=peak=sample -f null - 2>&1 |
       awk '/Sample peak:/ { s = 1 } s && /Peak:/ { print $2; exit }')
within "$ffpk" 0.05 "$(jq .loudness.after.sample_peak r.json)" "sample peak after, as ffmpeg reads out.wav"

summary
