#!/bin/sh
# Broadcast WAV: the bext chunk of the music stem carried to its ducked
# version (--music-out), and the dialogue stem's to the mix (-o), when
# they are WAV: time reference (01:00:00:00 at 48 kHz = 172800000, scaled
# when -ar changes the rate), originator, description, originator
# reference, origination date and time, and the coding history with one
# line naming dialogueduck appended. Read back with ffprobe.
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"
command -v jq > /dev/null || { fail "jq not installed"; summary; exit 1; }

$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*220*(t-0.0042*cos(6*PI*t)))*between(mod(t\\,6)\\,2\\,4.5):s=48000:d=12" \
    -c:a pcm_s24le -write_bext 1 -metadata time_reference=172800000 \
    -metadata originator="Boom 2" -metadata description="Scene 12 take 3 DX" \
    -metadata originator_reference="DXREF0001" -metadata origination_date=2026-11-29 \
    -metadata origination_time=09:15:00 dlg.wav
$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*440*t)|0.2*sin(2*PI*330*t):s=48000:d=12" \
    -c:a pcm_s24le -write_bext 1 -metadata time_reference=172800000 \
    -metadata originator="Score stage" -metadata description="M12 cue" \
    -metadata originator_reference="MUSREF0042" -metadata origination_date=2026-11-30 \
    -metadata origination_time=10:20:30 \
    -metadata coding_history="A=PCM,F=48000,W=24,M=stereo,T=score mix" music.wav
$FF -f lavfi -i "sine=f=440:d=12:r=48000" -c:a pcm_s24le plain.wav

tags() { ffprobe -v error -show_entries format_tags -of json "$1" | jq -r ".format.tags.$2"; }
# has FILE KEY VALUE
has() {
    v=$(tags "$1" "$2")
    [ "$v" = "$3" ] && ok || fail "$1: $2 is '$v', not '$3'"
}

"$DD" -d dlg.wav -m music.wav -o mix.wav --music-out ducked.wav 2> err.txt ||
    fail "BWF stems: $(cat err.txt)"
# the ducked music: the music stem's bext (ffprobe names some fields
# generically: description = comment, originator = encoded_by,
# origination date and time = date, creation_time)
has ducked.wav time_reference 172800000
has ducked.wav encoded_by "Score stage"
has ducked.wav comment "M12 cue"
has ducked.wav originator_reference MUSREF0042
has ducked.wav date 2026-11-30
has ducked.wav creation_time 10:20:30
hist=$(tags ducked.wav coding_history)
printf '%s' "$hist" | head -n 1 | grep -q '^A=PCM,F=48000,W=24,M=stereo,T=score mix' && ok ||
    fail "ducked.wav: the source's coding history is not first: $hist"
printf '%s' "$hist" | grep -Eq '^A=PCM,F=48000,W=32,M=stereo,T=dialogueduck [0-9.]+: ducked music' && ok ||
    fail "ducked.wav: no line of ours in the coding history: $hist"
# the mix: the dialogue stem's
has mix.wav time_reference 172800000
has mix.wav encoded_by "Boom 2"
has mix.wav comment "Scene 12 take 3 DX"
has mix.wav originator_reference DXREF0001
has mix.wav date 2026-11-29
has mix.wav creation_time 09:15:00
tags mix.wav coding_history | grep -Eq '^A=PCM,F=48000,W=24,M=stereo,T=dialogueduck [0-9.]+: mix' && ok ||
    fail "mix.wav: coding history: $(tags mix.wav coding_history)"
# the audio itself is what it was without bext
"$DD" -d dlg.wav -m plain.wav -o plain_mix.wav 2> err.txt || fail "plain music: $(cat err.txt)"
expect "plain music: the mix still carries the dialogue's bext" test "$(tags plain_mix.wav time_reference)" = 172800000

# -ar: the time reference counts samples at the file's rate
"$DD" -d dlg.wav -m music.wav -o mix44.wav -ar 44100 2> err.txt || fail "-ar 44100: $(cat err.txt)"
has mix44.wav time_reference 158760000
tags mix44.wav coding_history | grep -q '^A=PCM,F=44100,W=24,' && ok ||
    fail "mix44.wav: coding history: $(tags mix44.wav coding_history)"

# a stem without bext gives none (no time reference invented)
"$DD" -d plain.wav -m plain.wav -o none.wav --music-out none_m.wav 2> err.txt || fail "no bext: $(cat err.txt)"
has none.wav time_reference null
has none_m.wav time_reference null
grep -c bext none.wav > /dev/null && fail "none.wav has a bext chunk" || ok
# other containers are left as they were
"$DD" -d dlg.wav -m music.wav -o mix.flac 2> err.txt || fail "FLAC: $(cat err.txt)"
has mix.flac time_reference null

summary
