#!/bin/sh
# Analysis-only runs: --analyze-only, or --report (--keyframes, --plot)
# without -o and --music-out, render nothing. The report then says
# "rendered": false, gives every figure the analysis knows (no null
# among them) and no "after" figures; what it shares with a full run is
# the same, and so are the exported keyframes.
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"
command -v jq > /dev/null || { fail "jq not installed"; summary; exit 1; }

$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*220*(t-0.0042*cos(6*PI*t)))*between(mod(t\\,6)\\,2\\,4.5):s=48000:d=20" dlg.wav
$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*440*t)|0.2*sin(2*PI*330*t):s=48000:d=20" music.flac

"$DD" -d dlg.wav -m music.flac -o full.wav --report full.json --keyframes full.csv 2> err.txt ||
    fail "full run: $(cat err.txt)"
expect "a full run says rendered: true" test "$(jq .rendered full.json)" = true
expect "a full run has after figures" test "$(jq .loudness.after.integrated full.json)" != null

for how in "" --analyze-only; do
    rm -f ao.json ao.csv
    "$DD" $how -d dlg.wav -m music.flac --report ao.json --keyframes ao.csv > out.txt 2> err.txt ||
        fail "analysis only ($how): $(cat err.txt)"
    expect "analysis only ($how): rendered: false" test "$(jq .rendered ao.json)" = false
    for f in integrated integrated_program integrated_dialogue unducked \
             loudness_range sample_peak true_peak; do
        v=$(jq ".loudness.before.$f" ao.json)
        case $v in
        null|"") fail "analysis only ($how): before.$f is $v" ;;
        *) ok ;;
        esac
    done
    expect "analysis only ($how): a gain" test "$(jq .loudness.gain_db ao.json)" != null
    expect "analysis only ($how): no after figures" test "$(jq '.loudness | has("after")' ao.json)" = false
    expect "analysis only ($how): limiter decision" test "$(jq .limiter.used ao.json)" != null
    expect "analysis only ($how): nothing rendered" test "$(jq .timings.render ao.json)" = 0
    expect "analysis only ($how): no output entry" test "$(jq 'has("output")' ao.json)" = false
    # the same figures as the full run's
    for f in duration sample_rate keyframe_count regions loudness.before.integrated \
             loudness.before.integrated_dialogue loudness.before.loudness_range \
             loudness.before.sample_peak loudness.before.true_peak loudness.gain_db \
             limiter.used streams; do
        a=$(jq -c ".$f" full.json) b=$(jq -c ".$f" ao.json)
        [ "$a" = "$b" ] && ok || fail "analysis only ($how): $f is $b, the full run's $a"
    done
    expect "analysis only ($how): the keyframes of the full run" cmp -s full.csv ao.csv
    expect "analysis only ($how): no progress or summary on stdout" test ! -s out.txt
done
# the unducked mix is louder than the ducked one where dialogue ducks it
awk -v u="$(jq .loudness.before.unducked ao.json)" \
    -v d="$(jq .loudness.before.integrated_program ao.json)" 'BEGIN { exit !(u > d) }' &&
    ok || fail "unducked $(jq .loudness.before.unducked ao.json) not above ducked"

# --analyze-only with something to render is a contradiction
"$DD" --analyze-only -d dlg.wav -m music.flac -o x.wav --report y.json 2> err.txt
rc=$?
expect "--analyze-only -o: exit 1 (got $rc)" test $rc -eq 1
expect "--analyze-only -o: one line ($(cat err.txt))" test "$(wc -l < err.txt)" -eq 1
grep -q -- "--analyze-only" err.txt && ok || fail "--analyze-only -o: $(cat err.txt)"
expect "--analyze-only -o: nothing written" test ! -e x.wav -a ! -e y.json
"$DD" --analyze-only -d dlg.wav -m music.flac --music-out x.wav 2> err.txt
expect "--analyze-only --music-out: exit 1" test $? -eq 1

summary
