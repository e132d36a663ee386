#!/bin/sh
# The catalogue of bad inputs (issue 6), a test each. Every case ends in
# either correct processing or one clear line on stderr naming the file and
# the problem with a non-zero exit; never a file under the final output
# name or a temporary file left in the directory, and every input keeps its
# checksum.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"
SPEECH="0.3*sin(2*PI*220*(t-0.0042*cos(6*PI*t)))*(1+0.5*sin(2*PI*3*(t-0.0042*cos(6*PI*t))))*between(t\\,1\\,2)"

# --- inputs: short, generated ----------------------------------------------
$FF -f lavfi -i "aevalsrc=$SPEECH:s=48000:d=3" dlg.wav
$FF -f lavfi -i "anoisesrc=d=3:c=pink:a=0.1:r=48000" -ac 2 music.wav
$FF -f lavfi -i "anoisesrc=d=3:c=pink:a=0.1:r=44100" -ac 2 music.mp3
$FF -f lavfi -i testsrc=d=3:s=64x48:r=10 -i dlg.wav -i music.wav \
    -map 0 -map 1 -map 2 -c:v mpeg4 -c:a aac film.mp4
$FF -f lavfi -i testsrc=d=1:s=64x48:r=10 -c:v mpeg4 video.mp4
$FF -f lavfi -i anullsrc=r=48000:cl=mono -t 0 zero.wav
: > empty.wav
printf 'RIFF? no: this is a text file with a .wav name\n' > text.wav
# 8 kHz against 96 kHz, mono against 7.1 (and the other way round)
$FF -f lavfi -i "aevalsrc=$SPEECH:s=8000:d=3" dlg8k.wav
$FF -f lavfi -i "anoisesrc=d=3:c=pink:a=0.1:r=96000" -ac 2 music96k.wav
$FF -f lavfi -i "anoisesrc=d=3:c=pink:a=0.1:r=48000" -ac 8 \
    -channel_layout 7.1 music71.wav
$FF -f lavfi -i "aevalsrc=0|0|$SPEECH|0|0.01*random(0)|0.01*random(1)|0|0:s=48000:d=3" \
    -channel_layout 7.1 dlg71.wav
$FF -f lavfi -i "aevalsrc=0.1*random(0):s=48000:d=3" music_mono.wav
# a 1 s timestamp gap at 1.5 s (Matroska keeps timestamps as written)
$FF -f lavfi -i "aevalsrc=$SPEECH:s=48000:d=3" \
    -af "asetpts=PTS+gte(T\\,1.5)*48000" -c:a pcm_s16le gap.mka
# audio starting at -0.5 s, video at 0
$FF -f lavfi -i testsrc=d=3:s=64x48:r=10 -f lavfi -i "aevalsrc=$SPEECH:s=48000:d=3" \
    -map 0 -map 1 -c:v mpeg4 -c:a pcm_s16le -af "asetpts=PTS-0.5/TB" \
    -avoid_negative_ts disabled negstart.mkv
# silent dialogue; dialogue everywhere (speech-like all along)
$FF -f lavfi -i "anullsrc=r=48000:cl=mono" -t 3 -c:a pcm_f32le silent.wav
$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*180*(t-0.0042*cos(6*PI*t)))*(1+0.5*sin(2*PI*4*(t-0.0042*cos(6*PI*t)))):s=48000:d=6" talk.wav
$FF -f lavfi -i "anoisesrc=d=6:c=pink:a=0.1:r=48000" -ac 2 music6.wav
$FF -f lavfi -i "anoisesrc=d=3:c=pink:a=0.1:r=48000" -ac 2 -c:a pcm_f32le musicf.wav

# truncated copies: cut at 10, 50 and 90 %
for f in dlg.wav music.mp3 film.mp4; do
    size=$(wc -c < "$f")
    for pc in 10 50 90; do
        head -c $((size * pc / 100)) "$f" > "cut${pc}_$f"
    done
done
# corrupted copies: 4 KiB of 0xff in the middle; a broken WAV header
corrupt() { # FILE OFFSET COUNT OUT
    cp "$1" "$4"
    head -c "$3" /dev/zero | tr '\0' '\377' |
        dd of="$4" bs=1 seek="$2" conv=notrunc status=none
}
for f in dlg.wav music.mp3 film.mp4; do
    corrupt "$f" $(($(wc -c < "$f") / 2)) 4096 "bad_$f"
done
corrupt dlg.wav 12 24 badhdr_dlg.wav
corrupt film.mp4 0 64 badhdr_film.mp4
# NaN and Inf samples in float WAVs, patched in at sample boundaries
float_poison() { # IN OUT BYTES: four sample positions get BYTES
    cp "$1" "$2"
    data=$(grep -obUa data "$2" | head -n 1 | cut -d: -f1)
    for k in 1000 60000 60001 70000; do
        printf "$3" | dd of="$2" bs=1 seek=$((data + 8 + 4 * k)) \
            conv=notrunc status=none
    done
}
$FF -f lavfi -i "aevalsrc=$SPEECH:s=48000:d=3" -c:a pcm_f32le dlgf.wav
float_poison dlgf.wav nan_dlg.wav '\000\000\300\177'
float_poison musicf.wav inf_music.wav '\000\000\200\177'
float_poison musicf.wav ninf_music.wav '\000\000\200\377'

# --- helpers -----------------------------------------------------------------
# Checksums of every input in the directory (outputs are out*).
snapshot() {
    find . -maxdepth 1 -type f ! -name 'out*' ! -name '.out*' \
        ! -name 'err.txt' -exec md5sum {} + | sort -k 2
}
# No output and no temporary output file left.
no_output() {
    [ -z "$(ls -A | grep -E '^\.?out')" ]
}

# run ARGS...: runs the program, sets rc and err.txt; snapshot compared.
run() {
    rm -rf out* .out*
    before=$(snapshot)
    "$DD" -q "$@" > /dev/null 2> err.txt
    rc=$?
    after=$(snapshot)
}
untouched() {
    [ "$before" = "$after" ]
}
one_line() { # WORD: exactly one stderr line, naming WORD
    [ "$(wc -l < err.txt)" -eq 1 ] && grep -qF -- "$1" err.txt
}

# bad DESC EXIT WORD ARGS...: the program refuses with exit EXIT.
bad() {
    desc=$1 want=$2 word=$3; shift 3
    run "$@"
    if [ "$rc" -ne "$want" ]; then
        fail "$desc: exit $rc, want $want: $(head -c 300 err.txt)"
    elif ! one_line "$word"; then
        fail "$desc: stderr is not one line naming '$word': $(head -c 300 err.txt)"
    elif ! no_output; then
        fail "$desc: left $(ls -A | grep -E '^\.?out' | tr '\n' ' ')"
    elif ! untouched; then
        fail "$desc: an input changed"
    else
        ok
    fi
}

# good DESC OUTPUT ARGS...: processed, OUTPUT written and readable, no
# temporary file left.
good() {
    desc=$1 out=$2; shift 2
    run "$@"
    if [ "$rc" -ne 0 ]; then
        fail "$desc: exit $rc: $(head -c 300 err.txt)"
    elif [ ! -s "$out" ] || ! ffprobe -v error "$out" > /dev/null 2>&1; then
        fail "$desc: $out missing or unreadable"
    elif [ -n "$(ls -A | grep -E '^\.out')" ]; then
        fail "$desc: temporary file left"
    elif ! untouched; then
        fail "$desc: an input changed"
    else
        ok
    fi
}

# either DESC WORD ARGS...: processing (a readable out.*) or a clear
# refusal, both clean. Prints which, for the log.
either() {
    desc=$1 word=$2; shift 2
    run "$@"
    if [ "$rc" -eq 0 ]; then
        o=$(ls out* 2>/dev/null | head -n 1)
        if [ -z "$o" ] || ! ffprobe -v error "$o" > /dev/null 2>&1; then
            fail "$desc: exit 0 but no readable output"
        elif [ -n "$(ls -A | grep -E '^\.out')" ] || ! untouched; then
            fail "$desc: temporary file left or input changed"
        else
            echo "  $desc: processed"; ok
        fi
    elif [ "$rc" -ge 128 ]; then
        fail "$desc: killed by signal $((rc - 128)): $(head -c 300 err.txt)"
    elif ! one_line "$word"; then
        fail "$desc: exit $rc, stderr is not one line naming '$word': $(head -c 300 err.txt)"
    elif ! no_output || ! untouched; then
        fail "$desc: exit $rc but output left or input changed"
    else
        echo "  $desc: refused: $(cat err.txt)"; ok
    fi
}

duration() {
    ffprobe -v error -show_entries format=duration -of csv=p=0 "$1"
}
near() { # A B TOL
    awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; exit !(d <= t && -d <= t) }'
}
# Count of NaN/Inf samples in a file's audio, decoded as float.
nonfinite() {
    ffmpeg -nostdin -v error -i "$1" -map 0:a -c:a pcm_f32le -f f32le - |
        od -An -v -f | tr -s ' ' '\n' | grep -ci 'nan\|inf'
}
regions() {
    jq '[.. | objects | select(has("regions")) | .regions | length] | first' "$1"
}

M="-m music.wav"

# --- missing, empty, wrong -----------------------------------------------------
bad "nonexistent"         2 nope.wav   -d nope.wav $M -o out.wav
bad "empty file"          2 empty.wav  -d empty.wav $M -o out.wav
bad "empty music"         2 empty.wav  -d dlg.wav -m empty.wav -o out.wav
bad "text named .wav"     2 text.wav   -d text.wav $M -o out.wav
mkdir adir.wav
bad "a directory as input" 2 adir.wav  -d adir.wav $M -o out.wav
bad "no audio stream"     2 video.mp4  -d video.mp4 $M -o out.wav
bad "video, no audio (-i)" 2 video.mp4 -i video.mp4 $M -o out.mp4
bad "zero-length audio"   2 zero.wav   -d zero.wav $M -o out.wav
bad "spec matching nothing" 2 "'a:5'"  -i film.mp4 -d 0:a:5 $M -o out.mp4
bad "spec of a video stream" 2 "'v'"   -i film.mp4 -m 0:v -o out.mp4

# --- truncated and corrupted: processed or refused, cleanly --------------------
for pc in 10 50 90; do
    either "WAV cut at $pc %"  cut${pc}_dlg.wav   -d cut${pc}_dlg.wav $M -o out.wav
    either "MP3 cut at $pc %"  cut${pc}_music.mp3 -d dlg.wav -m cut${pc}_music.mp3 -o out.wav
    either "MP4 cut at $pc %"  cut${pc}_film.mp4  -i cut${pc}_film.mp4 $M -o out.mp4
done
either "WAV, corrupted middle"  bad_dlg.wav     -d bad_dlg.wav $M -o out.wav
either "MP3, corrupted middle"  bad_music.mp3   -d dlg.wav -m bad_music.mp3 -o out.wav
either "MP4, corrupted middle"  bad_film.mp4    -i bad_film.mp4 $M -o out.mp4
either "WAV, corrupted header"  badhdr_dlg.wav  -d badhdr_dlg.wav $M -o out.wav
either "MP4, corrupted header"  badhdr_film.mp4 -i badhdr_film.mp4 $M -o out.mp4

# --- mismatched stems: processed right -----------------------------------------
good "8 kHz dialogue, 96 kHz music" out.wav -d dlg8k.wav -m music96k.wav -o out.wav --report out.json
near "$(duration out.wav)" 3 0.05 && [ "$(regions out.json)" -ge 1 ] && ok ||
    fail "8k/96k: duration $(duration out.wav), regions $(regions out.json)"
good "mono dialogue, 7.1 music" out.wav -d dlg.wav -m music71.wav -o out.wav
[ "$(ffprobe -v error -show_entries stream=channels -of csv=p=0 out.wav)" = 8 ] && ok ||
    fail "mono/7.1: output is not 8 channels"
good "7.1 dialogue, mono music" out.wav -d dlg71.wav -m music_mono.wav -o out.wav --report out.json
[ "$(regions out.json)" -ge 1 ] && ok || fail "7.1 dialogue: no duck from the centre channel"

# --- timestamps ----------------------------------------------------------------
# A gap is silence: the dialogue after it stays in sync with the music, so
# the programme is 4 s long (3 s of audio + 1 s of gap).
good "timestamp gap" out.wav -d gap.mka $M -o out.wav
near "$(duration out.wav)" 4 0.05 && ok ||
    fail "timestamp gap: output lasts $(duration out.wav) s, want 4 s (gap dropped: dialogue out of sync)"
# A negative audio start: the audio keeps its offset to the video.
good "negative start time" out.mkv -i negstart.mkv $M -o out.mkv
starts() { ffprobe -v error -show_entries stream=start_time -of csv=p=0 "$1" | tr '\n' ' '; }
offset() { echo "$1" | awk '{ print $1 - $2 }'; }
near "$(offset "$(starts out.mkv)")" "$(offset "$(starts negstart.mkv)")" 0.03 && ok ||
    fail "negative start: video/audio starts $(starts negstart.mkv)-> $(starts out.mkv)"

# --- NaN and Inf samples ---------------------------------------------------------
# Refused with a line naming the file, or processed with no NaN/Inf in any
# output (they would poison the loudness measurement and the mix).
nan_case() { # DESC WORD ARGS...
    desc=$1 word=$2; shift 2
    run "$@" -o out.wav --music-out out_music.wav
    if [ "$rc" -eq 0 ]; then
        n1=$(nonfinite out.wav) n2=$(nonfinite out_music.wav)
        [ -s out.wav ] && [ "$n1" -eq 0 ] && [ "$n2" -eq 0 ] && untouched && ok ||
            fail "$desc: processed, but $n1 NaN/Inf samples in the mix and $n2 in the music"
    else
        [ "$rc" -lt 128 ] && one_line "$word" && no_output && untouched && ok ||
            fail "$desc: exit $rc: $(head -c 300 err.txt)"
    fi
}
nan_case "NaN in float dialogue"  nan_dlg.wav    -d nan_dlg.wav -m musicf.wav
nan_case "+Inf in float music"    inf_music.wav  -d dlgf.wav -m inf_music.wav
nan_case "-Inf in float music"    ninf_music.wav -d dlgf.wav -m ninf_music.wav

# --- silent dialogue, dialogue everywhere --------------------------------------
good "silent dialogue" out_music.wav -d silent.wav -m musicf.wav --music-out out_music.wav --report out.json
[ "$(regions out.json)" -eq 0 ] && ok || fail "silent dialogue: $(regions out.json) duck regions"
pcm() { ffmpeg -nostdin -v error -i "$1" -map 0:a -c:a pcm_f32le -f f32le - | cksum; }
a=$(pcm out_music.wav) b=$(pcm musicf.wav)
[ "${b#* }" -gt 0 ] && [ "$a" = "$b" ] && ok ||
    fail "silent dialogue: the music out differs from the music in"
good "dialogue everywhere" out.wav -d talk.wav -m music6.wav -o out.wav --report out.json
[ "$(regions out.json)" -eq 1 ] && ok || fail "dialogue everywhere: $(regions out.json) duck regions, want one long duck"

# --- outputs -----------------------------------------------------------------------
bad "output directory missing" 3 missing/out.wav -d dlg.wav $M -o missing/out.wav
bad "output under a file"      3 dlg.wav/out.wav -d dlg.wav $M -o dlg.wav/out.wav
bad "output equal to an input" 3 dlg.wav   -d dlg.wav $M -o dlg.wav -y
bad "output ./input"           3 ./music.wav -d dlg.wav $M -o ./music.wav -y
ln -s dlg.wav link.wav
bad "output a symlink to an input" 3 link.wav -d dlg.wav $M -o link.wav -y
ln dlg.wav hard.wav
bad "output a hard link to an input" 3 hard.wav -d dlg.wav $M -o hard.wav -y
bad "output equal to a -i input" 3 film.mp4 -i film.mp4 $M -o film.mp4 -y
bad "--music-out equal to an input" 3 music.wav -d dlg.wav $M -o out.wav --music-out music.wav -y
bad "--report equal to an input"    3 dlg.wav   -d dlg.wav $M -o out.wav --report dlg.wav -y
bad "--keyframes equal to an input" 3 dlg.wav   -d dlg.wav $M -o out.wav --keyframes dlg.wav -y
bad "--plot equal to an input"      3 music.wav -d dlg.wav $M -o out.wav --plot music.wav -y

# A read-only directory. Root writes anywhere, so as root the run drops to
# nobody (setpriv) or the directory is made immutable (chattr +i).
mkdir ro && chmod 555 ro
chmod 755 "$TMP"
if [ "$(id -u)" -ne 0 ]; then
    bad "read-only directory" 3 ro/out.wav -d dlg.wav $M -o ro/out.wav
elif command -v setpriv > /dev/null &&
     setpriv --reuid=65534 --regid=65534 --clear-groups test -r "$DD" 2>/dev/null; then
    before=$(snapshot)
    setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$DD" -q -d dlg.wav $M -o ro/out.wav 2> err.txt
    rc=$?
    after=$(snapshot)
    [ "$rc" -eq 3 ] && one_line ro/out.wav && [ -z "$(ls -A ro)" ] && untouched && ok ||
        fail "read-only directory (as nobody): exit $rc: $(cat err.txt)"
    # an unreadable input, in a directory nobody may write to
    mkdir rw && chmod 777 rw && cp dlg.wav rw/secret.wav && chmod 000 rw/secret.wav
    setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$DD" -q -d rw/secret.wav $M -o rw/out.wav 2> err.txt
    rc=$?
    [ "$rc" -eq 2 ] && one_line rw/secret.wav && [ ! -e rw/out.wav ] &&
        [ -z "$(ls -A rw | grep '^\.')" ] && ok ||
        fail "unreadable input (as nobody): exit $rc: $(cat err.txt)"
    rm -rf rw
else
    echo "  read-only directory: no way to drop root here; not tested"
fi
# (an interrupted run must not leave an immutable directory behind)
trap 'chattr -i "$TMP/ro" 2>/dev/null; rm -rf "$TMP"' EXIT
if chattr +i ro 2>/dev/null; then
    run -d dlg.wav $M -o ro/out.wav
    chattr -i ro
    [ "$rc" -eq 3 ] && one_line ro/out.wav && [ -z "$(ls -A ro)" ] && untouched && ok ||
        fail "immutable directory: exit $rc: $(cat err.txt)"
else
    echo "  immutable directory: chattr +i not supported on this file system"
fi

# A full disk: the file size limit makes writes fail (SIGXFSZ must not kill
# the program before it can report and clean up).
for o in out.wav out.mp4; do
    rm -rf out* .out*
    before=$(snapshot)
    (ulimit -f 40; exec "$DD" -q -d dlg.wav $M -o $o) 2> err.txt
    rc=$?
    after=$(snapshot)
    if [ "$rc" -ne 3 ]; then
        fail "full disk ($o): exit $rc, want 3 (153 = killed by SIGXFSZ): $(head -c 300 err.txt)"
    elif ! one_line $o || ! no_output || ! untouched; then
        fail "full disk ($o): not clean: $(head -c 300 err.txt) $(ls -A | grep -E '^\.?out' | tr '\n' ' ')"
    else
        ok
    fi
done

# --- options ---------------------------------------------------------------------
bad "unknown long option"   1 --frobnicate -d dlg.wav $M -o out.wav --frobnicate
bad "unknown short option"  1 "-x"         -d dlg.wav $M -o out.wav -x
bad "--depth above 0"       1 --depth      -d dlg.wav $M -o out.wav --depth 1
bad "--depth nan"           1 --depth      -d dlg.wav $M -o out.wav --depth nan
bad "--depth inf"           1 --depth      -d dlg.wav $M -o out.wav --depth -inf
bad "--depth empty"         1 --depth      -d dlg.wav $M -o out.wav --depth ''
bad "--depth 1e400"         1 --depth      -d dlg.wav $M -o out.wav --depth -1e400
bad "--hold negative"       1 --hold       -d dlg.wav $M -o out.wav --hold -1
bad "--attack 0"            1 --attack     -d dlg.wav $M -o out.wav --attack 0
bad "--release too long"    1 --release    -d dlg.wav $M -o out.wav --release 60
bad "--below above range"   1 --below      -d dlg.wav $M -o out.wav --below 41
bad "--sensitivity 101"     1 --sensitivity -d dlg.wav $M -o out.wav --sensitivity 101
bad "--threads 65"          1 --threads    -d dlg.wav $M -o out.wav --threads 65
bad "--threads 1.5"         1 --threads    -d dlg.wav $M -o out.wav --threads 1.5
bad "--bitrate 0"           1 --bitrate    -d dlg.wav $M -o out.wav --bitrate 0
bad "--loudness +5"         1 --loudness   -d dlg.wav $M -o out.wav --loudness 5
bad "--true-peak -30"       1 --true-peak  -d dlg.wav $M -o out.wav --true-peak -30
bad "trailing garbage"      1 --depth      -d dlg.wav $M -o out.wav --depth -10dB
bad "missing value"         1 --hold       -d dlg.wav $M -o out.wav --hold

summary
