#!/bin/sh
# Keyframe export, import and the plot, through the whole program:
# every --keyframes format read back by an independent reader, the .cmd
# script run through stock ffmpeg against the program's own ducked music,
# the JSON export rendered back with --apply-keyframes, an edited CSV,
# malformed imports, and the --plot SVG rendered by headless Chromium.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).

. "$(dirname "$0")/../lib.sh"

ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }

# A 16 s scene: two lines of a voiced, syllabic "voice" (harmonics of
# 140 Hz, 4 Hz modulation) over room tone, and pink-noise music.
voice='sin(2*PI*140*(t-0.0042*cos(6*PI*t)))+sin(2*PI*280*(t-0.0042*cos(6*PI*t)))/2+sin(2*PI*420*(t-0.0042*cos(6*PI*t)))/3+sin(2*PI*560*(t-0.0042*cos(6*PI*t)))/4+sin(2*PI*700*(t-0.0042*cos(6*PI*t)))/5+sin(2*PI*840*(t-0.0042*cos(6*PI*t)))/6+sin(2*PI*980*(t-0.0042*cos(6*PI*t)))/7+sin(2*PI*1120*(t-0.0042*cos(6*PI*t)))/8'
lines='(between(t,2,5)+between(t,9,12.5))'
ff -f lavfi -i "aevalsrc='0.12*$lines*(0.6+0.4*sin(2*PI*4*t))*($voice)+0.0005*(2*random(0)-1)':s=48000:d=16" \
   -c:a pcm_f32le "$TMP/dlg.wav" || fail "making the dialogue stem"
ff -f lavfi -i "anoisesrc=c=pink:a=0.2:r=48000:d=16:seed=7" -ac 2 \
   -c:a pcm_f32le "$TMP/music.wav" || fail "making the music stem"

run() { "$DD" -q -y -d "$TMP/dlg.wav" -m "$TMP/music.wav" "$@"; }

# --- analysis with the JSON export and the plot ------------------------
expect "analysis run" run -o "$TMP/mix1.wav" --music-out "$TMP/duck1.wav" \
    --keyframes "$TMP/kf.json" --plot "$TMP/plot.svg"
expect "JSON parses with jq" sh -c "jq -e . '$TMP/kf.json' > /dev/null"
nkf=$(jq '.keyframes | length' "$TMP/kf.json" 2>/dev/null)
nreg=$(jq '.regions | length' "$TMP/kf.json" 2>/dev/null)
echo "analysis: ${nreg:-?} regions, ${nkf:-?} keyframes"
expect "two duck regions found" test "${nreg:-0}" -ge 2
expect "at most four keyframes per region" test "${nkf:-0}" -le $((4 * ${nreg:-0}))
expect "keyframes present" test "${nkf:-0}" -ge 2
expect "times are whole samples, gains 0.1 dB steps within range" test \
    "$(jq '[.keyframes[] | (.t | floor == .) and ((.gain_db * 10 | round) / 10 == .gain_db)
            and .gain_db <= 0 and .gain_db >= -60] | all' "$TMP/kf.json")" = true
expect "times do not decrease" test \
    "$(jq '[.keyframes | range(1; length) as $i | .[$i].t >= .[$i - 1].t] | all' "$TMP/kf.json")" = true
expect "sample rate and time base" test \
    "$(jq -r '"\(.sample_rate) \(.time_base)"' "$TMP/kf.json")" = "48000 1/48000"

# --- every other format ----------------------------------------------
for f in csv cmd xml fcpxml txt; do
    expect "--keyframes kf.$f" run --music-out "$TMP/m_$f.wav" --keyframes "$TMP/kf.$f"
done
expect "--keyframes-format overrides the extension" \
    run --music-out "$TMP/m_f.wav" --keyframes "$TMP/kf.dat" --keyframes-format csv
expect "forced format written as CSV" cmp -s "$TMP/kf.dat" "$TMP/kf.csv"
same_json() {
    run --music-out "$TMP/m_j.wav" --keyframes "$TMP/kf2.json" &&
        cmp -s "$TMP/kf.json" "$TMP/kf2.json"
}
expect "same input, same JSON" same_json

expect "CSV rows match the JSON" test \
    "$(awk -F, 'NR > 1 && NF == 2 { n++ } END { print n + 0 }' "$TMP/kf.csv")" = "$nkf"
expect "CSV header" test "$(head -n 1 "$TMP/kf.csv")" = "time_s,gain_db"
expect "CSV times equal JSON times" test \
    "$(awk -F, 'NR > 1 { printf "%.0f\n", $1 * 48000 }' "$TMP/kf.csv" | paste -sd,)" = \
    "$(jq -r '[.keyframes[].t] | map(tostring) | join(",")' "$TMP/kf.json")"
expect "labels: one per region" test "$(grep -c . "$TMP/kf.txt")" = "$nreg"
expect "labels: start/end of region 1" test \
    "$(awk -F'\t' 'NR == 1 { printf "%.0f %.0f", $1 * 48000, $2 * 48000 }' "$TMP/kf.txt")" = \
    "$(jq -r '"\(.regions[0].start) \(.regions[0].end)"' "$TMP/kf.json")"

expect "xmeml well-formed" xmllint --noout "$TMP/kf.xml"
xkf=$(xmllint --xpath 'count((//clipitem)[1]/filter/effect[effectid="audiolevels"]/parameter[parameterid="level"]/keyframe)' "$TMP/kf.xml" 2>/dev/null)
expect "xmeml: one Audio Levels keyframe per keyframe (frames may merge)" \
    sh -c "[ '${xkf:-0}' -ge 2 ] && [ '${xkf:-0}' -le '$nkf' ]"
expect "xmeml: two linked clip items for stereo music" test \
    "$(xmllint --xpath 'count(//clipitem)' "$TMP/kf.xml")" = 2
g2=$(jq '.keyframes[1].gain_db' "$TMP/kf.json")
expect "xmeml: keyframe 2 level is the linear gain" test \
    "$(xmllint --xpath 'string((//clipitem)[1]//keyframe[2]/value)' "$TMP/kf.xml")" = \
    "$(awk -v g="$g2" 'BEGIN { printf "%.6f", exp(g / 20 * log(10)) }')"
expect "fcpxml well-formed" xmllint --noout "$TMP/kf.fcpxml"
expect "fcpxml: every keyframe" test "$(xmllint --xpath \
    'count(//asset-clip/adjust-volume/param[@name="amount"]/keyframeAnimation/keyframe)' \
    "$TMP/kf.fcpxml")" = "$nkf"
expect "fcpxml: keyframe 2 time and value" test \
    "$(xmllint --xpath 'concat((//keyframe)[2]/@time, " ", (//keyframe)[2]/@value)' "$TMP/kf.fcpxml")" = \
    "$(jq -r '"\(.keyframes[1].t)/48000s \(.keyframes[1].gain_db | tostring | if test("\\.") then . else . + ".0" end)dB"' "$TMP/kf.json")"

# --- the .cmd script through stock ffmpeg ------------------------------
# RMS per 10 ms hop of the left channel, one "time level" line per hop.
hop_levels() {
    ff -i "$1" -af "pan=mono|c0=c0,asetnsamples=n=480:p=0,astats=metadata=1:reset=1,ametadata=print:key=lavfi.astats.Overall.RMS_level:file=$2.txt" -f null - &&
    awk -F'[=: ]+' '/^frame/ { t = $6 } /RMS_level/ { print t, $2 }' "$2.txt" > "$2"
}
expect "ffmpeg runs the .cmd" ff -i "$TMP/music.wav" \
    -af "asendcmd=f=$TMP/kf.cmd,volume@duck" -c:a pcm_f32le "$TMP/cmd.wav"
hop_levels "$TMP/music.wav" "$TMP/lv_orig"
hop_levels "$TMP/duck1.wav" "$TMP/lv_prog"
hop_levels "$TMP/cmd.wav" "$TMP/lv_cmd"
# Outside transitions (50 ms slack): |gain via .cmd - program's gain| <= 0.5 dB.
paste -d' ' "$TMP/lv_orig" "$TMP/lv_prog" "$TMP/lv_cmd" > "$TMP/lv_all"
cmp_out=$(awk 'BEGIN { n = 0 } NR == FNR { if (FNR > 1) { split($0, f, ","); t[n] = f[1]; g[n] = f[2] + 0; n++ } next }
    {
        s = $1; near = 0
        for (i = 0; i + 1 < n; i++)
            if (g[i] != g[i + 1] && s + 0.01 > t[i] - 0.05 && s < t[i + 1] + 0.05)
                near = 1
        d = ($6 - $2) - ($4 - $2); if (d < 0) d = -d
        if (near) { nin++; if (d > min) min = d } else { nout++; if (d > mout) mout = d }
        pd = $4 - $2; if (!near && pd < -3) ducked++
    }
    END { printf "%d %.3f %d %.3f %d\n", nout, mout, nin, min, ducked }' \
    "$TMP/kf.csv" "$TMP/lv_all")
set -- $cmp_out
echo ".cmd through ffmpeg: outside transitions $1 hops, max |error| $2 dB; in transitions $3 hops, max $4 dB; $5 ducked hops"
expect "most hops compared" test "${1:-0}" -ge 1200
expect "the music was ducked somewhere" test "${5:-0}" -ge 100
expect ".cmd within 0.5 dB of the program outside transitions" \
    awk -v e="${2:-99}" 'BEGIN { exit !(e <= 0.5) }'

# --- analyse, (tweak,) render ----------------------------------------
expect "--apply-keyframes JSON" run -o "$TMP/mix2.wav" --music-out "$TMP/duck2.wav" \
    --apply-keyframes "$TMP/kf.json"
expect "JSON round trip: ducked music identical" cmp -s "$TMP/duck1.wav" "$TMP/duck2.wav"
diff_peak=$(ff -i "$TMP/mix1.wav" -i "$TMP/mix2.wav" -filter_complex \
    "[0][1]amerge=inputs=2,pan=stereo|c0=c0-c2|c1=c1-c3,astats=metadata=1:reset=0,ametadata=print:key=lavfi.astats.Overall.Peak_level:file=-" \
    -f null - 2>/dev/null | awk -F= '/Peak_level/ { v = $2 } END { print v }')
echo "JSON round trip: mix difference peak ${diff_peak:-?} dBFS"
expect "JSON round trip: mix within -90 dBFS" sh -c \
    "cmp -s '$TMP/mix1.wav' '$TMP/mix2.wav' || awk -v p='$diff_peak' 'BEGIN { exit !(p == \"-inf\" || p + 0 <= -90) }'"
csv_round_trip() {
    run --music-out "$TMP/duck3.wav" --apply-keyframes "$TMP/kf.csv" &&
        cmp -s "$TMP/duck1.wav" "$TMP/duck3.wav"
}
expect "--apply-keyframes CSV gives the same music" csv_round_trip

# An editor's tweak: the first line's dip taken down to -30 dB.
awk -F, 'NR == 3 || NR == 4 { print $1 ",-30.0"; next } { print }' "$TMP/kf.csv" > "$TMP/edit.csv"
expect "--apply-keyframes edited CSV" run --music-out "$TMP/duck4.wav" \
    --apply-keyframes "$TMP/edit.csv"
hop_levels "$TMP/duck4.wav" "$TMP/lv_edit"
t2=$(awk -F, 'NR == 3 { print $1 }' "$TMP/kf.csv")
t3=$(awk -F, 'NR == 4 { print $1 }' "$TMP/kf.csv")
edit_gain=$(paste -d' ' "$TMP/lv_orig" "$TMP/lv_edit" | awk -v a="$t2" -v b="$t3" \
    '$1 >= a + 0.05 && $1 + 0.01 <= b - 0.05 { s += $4 - $2; n++ } END { if (n) printf "%.2f", s / n }')
echo "edited dip: mean gain ${edit_gain:-?} dB where -30 dB was set"
expect "edited dip rendered at -30 dB" awk -v g="${edit_gain:-0}" \
    'BEGIN { exit !(g <= -29.5 && g >= -30.5) }'

# Malformed imports: one line naming the file and the place, no output.
printf 'time_s,gain_db\n0,0\n1.5,abc\n' > "$TMP/bad.csv"
"$DD" -q -y -d "$TMP/dlg.wav" -m "$TMP/music.wav" --music-out "$TMP/bad.wav" \
    --apply-keyframes "$TMP/bad.csv" 2> "$TMP/bad.err"
rc=$?
expect "malformed CSV refused" test "$rc" -ne 0
expect "error names the line and field" grep -q "bad.csv: line 3: gain_db 'abc' is not a number" "$TMP/bad.err"
expect "nothing written on error" test ! -e "$TMP/bad.wav"
printf '{"sample_rate": 48000, "keyframes": [{"t": 96000, "gain_db": -6}, {"t": 48000, "gain_db": 0}]}' > "$TMP/bad.json"
"$DD" -q -y -d "$TMP/dlg.wav" -m "$TMP/music.wav" --music-out "$TMP/bad.wav" \
    --apply-keyframes "$TMP/bad.json" 2> "$TMP/bad.err"
expect "out-of-order JSON refused" test $? -ne 0
expect "error names the keyframe" grep -q "bad.json: keyframes\[1\]: time 1.000000 s is before the previous keyframe" "$TMP/bad.err"

# --- the plot -----------------------------------------------------------
expect "plot is well-formed SVG" xmllint --noout "$TMP/plot.svg"
expect "plot has the direct labels" sh -c "grep -q '>dialogue<' '$TMP/plot.svg' &&
    grep -q '>music gain<' '$TMP/plot.svg' && grep -q '>mix after ducking<' '$TMP/plot.svg' &&
    grep -q '>mix before ducking<' '$TMP/plot.svg' && grep -q 'target -23.0 LUFS' '$TMP/plot.svg'"
if timeout 120 chromium --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking --disable-component-update \
        --disable-sync --user-data-dir="$TMP/chromium" --hide-scrollbars \
        --screenshot="$TMP/plot.png" --window-size=1600,900 "file://$TMP/plot.svg" \
        > /dev/null 2>&1; then
    ok
    # Pixels of the gain curve's and the activity band's colours.
    counts=$(ff -i "$TMP/plot.png" -vf "crop=1330:340:90:70,format=rgb24" -f rawvideo - |
        od -An -v -tu1 -w3 | awk '
        function near(r, g, b) { return ($1 - r)^2 + ($2 - g)^2 + ($3 - b)^2 < 600 }
        near(31, 111, 180) { gain++ } near(242, 142, 28) { act++ } near(10, 42, 87) { kf++ }
        END { printf "%d %d %d", gain, act, kf }')
    set -- $counts
    echo "plot rendered: gain curve $1 px, activity $2 px, keyframe marks $3 px"
    expect "plot shows the gain curve" test "${1:-0}" -gt 1000
    expect "plot shows dialogue activity" test "${2:-0}" -gt 1000
    expect "plot shows keyframe marks" test "${3:-0}" -gt 50
else
    fail "chromium could not render the plot"
fi

summary
