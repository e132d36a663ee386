#!/bin/sh
# dialogueduck on audio stems: formats, sample rates, channel layouts,
# padding to the longest stem, ducking depth, --music-out, effects,
# determinism. Media are made by stock ffmpeg; ffprobe/ffmpeg check.
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"

# Dialogue: two "lines" (2-4 s, 5.5-7 s) of a 220 Hz tone with harmonics.
line="if(between(t\\,2\\,4)+between(t\\,5.5\\,7)\\,1\\,0)"
$FF -f lavfi -i "aevalsrc=0.3*(sin(2*PI*220*(t-0.0042*cos(6*PI*t)))+0.5*sin(2*PI*440*(t-0.0042*cos(6*PI*t)))+0.25*sin(2*PI*660*(t-0.0042*cos(6*PI*t))))*$line:s=48000:d=8" dlg.wav
# Music: 10 s of stereo pink noise.
$FF -f lavfi -i "anoisesrc=seed=7:d=10:c=pink:a=0.1:r=44100,pan=stereo|c0=c0|c1=c0" music.wav

duration() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$1"; }
stream() { ffprobe -v error -select_streams a:0 -show_entries "stream=$2" -of csv=p=0 "$1"; }
# mean volume (dB) of FILE between START and END seconds
meanvol() {
    ffmpeg -nostdin -v info -i "$1" -af "atrim=$2:$3,volumedetect" -f null - 2>&1 |
        sed -n 's/.*mean_volume: \(-*[0-9.]*\) dB/\1/p'
}
# |a - b| <= tol
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; }

# --- plain WAV stems: exit 0, output as long as the longest stem -------------
if "$DD" -q -d dlg.wav -m music.wav -o mix.wav --music-out duck.wav 2>err.txt; then ok; else fail "wav stems: exit $?: $(cat err.txt)"; fi
[ ! -s err.txt ] && ok || fail "-q printed: $(cat err.txt)"
d=$(duration mix.wav)
near "$d" 10 0.02 && ok || fail "mix lasts $d s, not 10 (longest stem)"
[ "$(stream mix.wav channels)" = 2 ] && ok || fail "mix is not stereo"
[ "$(stream mix.wav sample_rate)" = 48000 ] && ok || fail "working rate is not the highest stem rate (48000)"
[ "$(stream duck.wav codec_name)" = pcm_f32le ] && ok || fail "--music-out .wav is not float"

# --- the music is ducked under the lines and back up between them ------------
# Reference: the music at the working rate, same channels.
$FF -i music.wav -ar 48000 -c:a pcm_f32le music48.wav
under=$(meanvol duck.wav 2.5 3.5)
orig=$(meanvol music48.wav 2.5 3.5)
free=$(meanvol duck.wav 0.2 1.2)
origfree=$(meanvol music48.wav 0.2 1.2)
depth=$(awk -v a="$under" -v b="$orig" 'BEGIN { print a - b }')
near "$depth" -15 1.0 && ok || fail "music under dialogue moved $depth dB, not -15"
rest=$(awk -v a="$free" -v b="$origfree" 'BEGIN { print a - b }')
near "$rest" 0 0.2 && ok || fail "music before the first line moved $rest dB"
tail=$(meanvol duck.wav 9 10)
origtail=$(meanvol music48.wav 9 10)
near "$tail" "$origtail" 0.2 && ok || fail "music after the last line is not back up ($tail vs $origtail)"

# --- --depth changes the depth ---------------------------------------------------
"$DD" -q -d dlg.wav -m music.wav --music-out duck6.wav --depth -6 --loudness off || fail "--depth -6 exit $?"
under=$(meanvol duck6.wav 2.5 3.5)
depth=$(awk -v a="$under" -v b="$orig" 'BEGIN { print a - b }')
near "$depth" -6 1.0 && ok || fail "--depth -6 ducked $depth dB"

# --- --loudness off: the mix is dialogue + ducked music, sample for sample ------
"$DD" -q -d dlg.wav -m music.wav -o mixoff.wav --codec pcm_f32le --music-out duckoff.wav --loudness off || fail "--loudness off exit $?"
$FF -i dlg.wav -i duckoff.wav -filter_complex "[0]pan=stereo|c0=0.70710678*c0|c1=0.70710678*c0[d];[d][1]amix=inputs=2:normalize=0,aresample=48000" -c:a pcm_f32le ref.wav
$FF -i mixoff.wav -i ref.wav -filter_complex "[1]volume=-1[n];[0][n]amix=inputs=2:normalize=0,volumedetect" -f null - 2>/dev/null
diffmax=$(ffmpeg -nostdin -v info -i mixoff.wav -i ref.wav -filter_complex "[1]volume=-1[n];[0][n]amix=inputs=2:normalize=0,volumedetect" -f null - 2>&1 | sed -n 's/.*max_volume: \(-*[0-9.inf]*\) dB/\1/p')
awk -v v="$diffmax" 'BEGIN { exit !(v == "-inf" || v + 0 < -90) }' && ok ||
    fail "mix differs from dialogue (-3 dB into L and R) + ducked music by $diffmax dB"

# --- every input format libavformat reads ---------------------------------------
$FF -i music.wav -c:a flac music.flac
$FF -i music.wav -c:a libmp3lame -b:a 128k music.mp3
$FF -i music.wav -c:a aac -b:a 128k music.m4a
$FF -i music.wav -c:a libvorbis music.ogg
$FF -i music.wav -c:a libopus -b:a 96k music.opus
$FF -i dlg.wav -c:a flac dlg.flac
for m in flac mp3 m4a ogg opus; do
    if "$DD" -q -d dlg.flac -m music.$m -o mix_$m.wav --loudness off 2>err.txt; then
        d=$(duration mix_$m.wav)
        # lossy codecs may add or trim a few ms of padding
        near "$d" 10 0.06 && ok || fail "$m music: mix lasts $d s"
    else
        fail "$m music: exit $?: $(cat err.txt)"
    fi
done
# the opus stem is decoded at 48 kHz: the working rate follows
[ "$(stream mix_opus.wav sample_rate)" = 48000 ] && ok || fail "opus: working rate"

# --- different rates and channel counts; dialogue longer than the music --------
$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*200*(t-0.0042*cos(6*PI*t)))*if(between(t\\,1\\,3)+between(t\\,9\\,11)\\,1\\,0):s=16000:d=12" dlg16k.wav
$FF -f lavfi -i "anoisesrc=seed=7:d=6:c=pink:a=0.05:r=22050" music22k_mono.wav
"$DD" -q -d dlg16k.wav -m music22k_mono.wav -o long.wav --loudness off || fail "16k/22k exit $?"
d=$(duration long.wav)
near "$d" 12 0.02 && ok || fail "dialogue 12 s + music 6 s: mix lasts $d s, not 12"
[ "$(stream long.wav sample_rate)" = 22050 ] && ok || fail "rate is not 22050"
[ "$(stream long.wav channels)" = 1 ] && ok || fail "mono music + mono dialogue is not mono"
# the music ends at 6 s: the mix there is the dialogue alone
v=$(meanvol long.wav 9.5 10.5)
dv=$(meanvol dlg16k.wav 9.5 10.5)
near "$v" "$dv" 0.3 && ok || fail "padding: mix after the music ended ($v) is not the dialogue ($dv)"

# --- 5.1 music: mono dialogue lands in the centre ---------------------------------
$FF -f lavfi -i "anoisesrc=seed=7:d=8:c=pink:a=0.01:r=48000" -af "pan=5.1|FL=c0|FR=c0|FC=0*c0|LFE=c0|BL=c0|BR=c0" music51.flac
"$DD" -q -d dlg.wav -m music51.flac -o mix51.wav --loudness off || fail "5.1 exit $?"
[ "$(stream mix51.wav channels)" = 6 ] && ok || fail "5.1 music: mix has $(stream mix51.wav channels) channels"
$FF -i mix51.wav -af "pan=mono|c0=c2" fc.wav
$FF -i mix51.wav -af "pan=mono|c0=c0" fl.wav
fcv=$(meanvol fc.wav 2.5 3.5)
flv=$(meanvol fl.wav 2.5 3.5)
dv=$(meanvol dlg.wav 2.5 3.5)
near "$fcv" "$dv" 0.3 && ok || fail "5.1: centre during the line is $fcv dB, dialogue $dv dB"
awk -v a="$flv" -v b="$dv" 'BEGIN { exit !(a < b - 20) }' && ok || fail "5.1: dialogue leaked into FL ($flv dB)"

# --- 5.1 dialogue is detected from its centre channel -----------------------------
$FF -i dlg.wav -af "pan=5.1|FC=c0" dlg51.wav
"$DD" -q -d dlg51.wav -m music.wav --music-out duck51.wav --loudness off || fail "5.1 dialogue exit $?"
# the mix takes the widest layout (5.1); the stereo music sits in FL/FR
$FF -i duck51.wav -af "pan=stereo|c0=c0|c1=c1" duck51fl.wav
under=$(meanvol duck51fl.wav 2.5 3.5)
depth=$(awk -v a="$under" -v b="$orig" 'BEGIN { print a - b }')
near "$depth" -15 1.0 && ok || fail "5.1 dialogue: music moved $depth dB under the line"

# --- effects are mixed in unchanged -----------------------------------------------
$FF -f lavfi -i "sine=f=3000:d=10:r=48000,volume=0.1" fx.wav
"$DD" -q -d dlg.wav -m music.wav -e fx.wav -o mixfx.wav --codec pcm_f32le --loudness off || fail "effects exit $?"
$FF -i mixfx.wav -af "pan=mono|c0=c0,bandpass=f=3000:w=50" fxband.wav
$FF -i fx.wav -af "bandpass=f=3000:w=50" fxref.wav
a=$(meanvol fxband.wav 2.5 3.5)
b=$(meanvol fxref.wav 2.5 3.5)
# mono effects go to L and R at -3 dB each
near "$a" "$(awk -v b="$b" 'BEGIN { print b - 3.01 }')" 0.5 && ok ||
    fail "effects under a line: $a dB in L, source $b dB (must not be ducked)"

# --- two music stems are summed ------------------------------------------------
"$DD" -q -d dlg.wav -m music.wav -m music.flac --music-out duck2.wav --loudness off || fail "two music stems exit $?"
a=$(meanvol duck2.wav 0.2 1.2)
b=$(meanvol duck.wav 0.2 1.2)
near "$a" "$(awk -v b="$b" 'BEGIN { print b + 6.02 }')" 0.3 && ok || fail "two identical music stems: $a dB, one: $b dB"

# --- determinism: same input, same bytes --------------------------------------
"$DD" -q -d dlg.wav -m music.mp3 -o det1.flac && "$DD" -q -d dlg.wav -m music.mp3 -o det2.flac &&
    cmp -s det1.flac det2.flac && ok || fail "two runs differ (flac)"
"$DD" -q -d dlg.wav -m music.mp3 -o det1.m4a && "$DD" -q -d dlg.wav -m music.mp3 -o det2.m4a &&
    cmp -s det1.m4a det2.m4a && ok || fail "two runs differ (m4a)"

"$DD" -q -d dlg.wav -m music.mp3 -o det3.m4a --threads 1 && cmp -s det1.m4a det3.m4a && ok ||
    fail "--threads 1 changes the output"

# --- MP4/MOV: fast-start with the index's room reserved up front -------------
# (moov, the free box left of the room, the muxer's own free or wide box,
# mdat: +faststart, which moves the data at the end, leaves no room); one
# track, and interleaved tracks (--keep-stems: mix, music)
boxes() { ffprobe -v trace "$1" 2>&1 | sed -n "s/.*type:'\([a-z]*\)' parent:'root'.*/\1/p" | tr '\n' ' '; }
case $(boxes det1.m4a) in "ftyp moov free "?*" mdat ") ok ;; *) fail "det1.m4a boxes: $(boxes det1.m4a)" ;; esac
"$DD" -q -d dlg.wav -m music.mp3 -o stems.mov -c:a aac --keep-stems 2>err.txt &&
    case $(boxes stems.mov) in "ftyp moov free "?*" mdat ") ok ;; *) fail "stems.mov boxes: $(boxes stems.mov)" ;; esac ||
    fail "--keep-stems .mov: $(cat err.txt)"
codecs=$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 stems.mov | tr '\n' ' ')
[ "$codecs" = "aac aac " ] && ok || fail "stems.mov streams: $codecs"
errs=$(ffmpeg -nostdin -v error -i stems.mov -map 0:a -f null - 2>&1)
[ -z "$errs" ] && ok || fail "stems.mov does not decode cleanly: $errs"

# --- -y overwrites; without it an existing output is refused ----------------------
"$DD" -q -d dlg.wav -m music.wav -o mix.wav 2>/dev/null
[ $? -eq 3 ] && ok || fail "existing output without -y is not exit 3"
"$DD" -q -y -d dlg.wav -m music.wav -o mix.wav && ok || fail "-y did not overwrite"

# --- --report ------------------------------------------------------------------
"$DD" -q -y -d dlg.wav -m music.mp3 -o rep.wav --report rep.json || fail "--report exit $?"
[ "$(jq -c .command rep.json)" = '["-q","-y","-d","dlg.wav","-m","music.mp3","-o","rep.wav","--report","rep.json"]' ] &&
    ok || fail "report command: $(jq -c .command rep.json)"
[ "$(jq -r '.inputs[1].path' rep.json)" = music.mp3 ] &&
    [ "$(jq -r '.inputs[1].size' rep.json)" = "$(stat -c %s music.mp3)" ] &&
    [ "$(jq -r '.inputs[1].mtime' rep.json)" = "$(stat -c %Y music.mp3)" ] && ok || fail "report inputs"
[ "$(jq -r '.regions | length' rep.json)" = 2 ] && ok || fail "report: $(jq -r '.regions | length' rep.json) regions, want 2"
jq -e '.regions[0].start > 1.5 and .regions[0].start < 2.2 and .regions[1].end > 6.9 and .regions[1].end < 7.5' rep.json > /dev/null &&
    ok || fail "report regions: $(jq -c .regions rep.json)"
jq -e '.keyframe_count >= 4 and .parameters.depth == -15 and .duration == 10
       and (.loudness.after.integrated + 23 | fabs) < 0.1
       and (.loudness.before.integrated + .loudness.gain_db + 23 | fabs) < 0.05
       and .loudness.after.true_peak < -1 and .limiter.used == false
       and .timings.total > 0 and .streams[0].role == "dialogue"' rep.json > /dev/null &&
    ok || fail "report fields: $(jq -c '[.keyframe_count, .duration, .loudness, .limiter.used]' rep.json)"

# --- progress: on a terminal only ----------------------------------------------
"$DD" -y -d dlg.wav -m music.wav -o prog.wav 2> noterm.txt
grep -q "ETA" noterm.txt && fail "progress printed to a non-terminal" || ok
if command -v script > /dev/null; then
    script -qec "'$DD' -y -d dlg.wav -m music.wav -o prog.wav" /dev/null > term.txt 2>&1
    grep -q "realtime *ETA" term.txt && grep -q "%" term.txt && ok ||
        fail "no progress (percent, x realtime, ETA) on a terminal: $(head -c 200 term.txt)"
fi

# --- --help, --version ------------------------------------------------------------
"$DD" --help | grep -q "Exit codes" && ok || fail "--help lists no exit codes"
"$DD" --version | grep -Eq '^dialogueduck [0-9]+\.[0-9]+\.[0-9]+$' && ok || fail "--version"

summary
