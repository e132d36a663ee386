#!/bin/sh
# Bad input, bad values and bad outputs: each gives one line on stderr
# naming the file or option, the exit code of its category, and no output
# file (nor a temporary one). SIGTERM/SIGINT leave nothing behind.
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"

$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*220*(t-0.0042*cos(6*PI*t)))*between(t\\,1\\,2):s=48000:d=3" dlg.wav
$FF -f lavfi -i "anoisesrc=seed=7:d=3:c=pink:a=0.1:r=44100" -ac 2 music.mp3
$FF -f lavfi -i anullsrc=r=48000:cl=mono -t 0 zero.wav
$FF -f lavfi -i testsrc=d=1:s=64x48 -c:v mpeg4 video.mp4
$FF -f lavfi -i testsrc=d=3:s=64x48 -i dlg.wav -i music.mp3 -map 0 -map 1 -map 2 -c:v mpeg4 -c:a aac film.mp4
head -c 20000 /dev/urandom > corrupt.wav
printf 'hello' > text.mp3
# a WAV header promising data that is garbage: demuxes, does not decode
cp dlg.wav truncated.wav && truncate -s 60 truncated.wav

# run EXPECTED_EXIT WORD ARGS...: exit code, one stderr line containing WORD,
# no output file and no temporary file left in the directory.
run() {
    want=$1 word=$2; shift 2
    rm -f out.* .out.*
    "$DD" "$@" > stdout.txt 2> stderr.txt
    rc=$?
    lines=$(wc -l < stderr.txt)
    desc="dialogueduck $*"
    if [ "$rc" -ne "$want" ]; then
        fail "$desc: exit $rc, want $want ($(cat stderr.txt))"
    elif [ "$lines" -ne 1 ]; then
        fail "$desc: $lines lines on stderr: $(cat stderr.txt)"
    elif ! grep -qF -- "$word" stderr.txt; then
        fail "$desc: message does not name '$word': $(cat stderr.txt)"
    elif ls -A | grep -q '^\.\{0,1\}out\.'; then
        fail "$desc: left $(ls -A | grep '^\.\{0,1\}out\.')"
    else
        ok
    fi
}

# input errors: exit 2
run 2 nope.wav      -d nope.wav -m music.mp3 -o out.wav
run 2 corrupt.wav   -d corrupt.wav -m music.mp3 -o out.wav
run 2 text.mp3      -d dlg.wav -m text.mp3 -o out.wav
run 2 video.mp4     -d video.mp4 -m music.mp3 -o out.wav
run 2 "no audio"    -d video.mp4 -m music.mp3 -o out.wav
run 2 zero.wav      -d zero.wav -m music.mp3 -o out.wav
run 2 "zero length" -d zero.wav -m music.mp3 -o out.wav
run 2 truncated.wav -d truncated.wav -m music.mp3 -o out.wav
run 2 "a:5"         -i film.mp4 -m 0:a:5 -o out.mp4
run 2 "matches no audio" -i film.mp4 -m 0:v -o out.mp4
run 2 "q:z"         -i film.mp4 -m 0:q:z -o out.mp4
run 2 nope.json     -d dlg.wav -m music.mp3 -o out.wav --apply-keyframes nope.json

# usage errors: exit 1
run 1 "--depth"     -d dlg.wav -m music.mp3 -o out.wav --depth -80
run 1 "abc"         -d dlg.wav -m music.mp3 -o out.wav --depth abc
run 1 "--release"   -d dlg.wav -m music.mp3 -o out.wav --release 0
run 1 "--lookahead" -d dlg.wav -m music.mp3 -o out.wav --lookahead 3
run 1 "--threshold" -d dlg.wav -m music.mp3 -o out.wav --threshold -5
run 1 "--loudness"  -d dlg.wav -m music.mp3 -o out.wav --loudness loud
run 1 "--true-peak" -d dlg.wav -m music.mp3 -o out.wav --true-peak 3
run 1 "--gate"      -d dlg.wav -m music.mp3 -o out.wav --gate all
run 1 "--bitrate"   -d dlg.wav -m music.mp3 -o out.wav --bitrate fast
run 1 "--frob"      -d dlg.wav -m music.mp3 -o out.wav --frob
run 1 "--depth"     -d dlg.wav -m music.mp3 -o out.wav --depth
run 1 "music"       -d dlg.wav -o out.wav
run 1 "dialogue"    -m music.mp3 -o out.wav
run 1 "output"      -d dlg.wav -m music.mp3
run 1 "3:a"         -i film.mp4 -m 3:a -o out.mp4
run 1 "stray"       -d dlg.wav -m music.mp3 -o out.wav stray
run 1 "out.kf"      -d dlg.wav -m music.mp3 -o out.wav --keyframes out.kf
# -c:a: an encoder the container holds, found before any work
run 1 nosuch        -d dlg.wav -m music.mp3 -o out.mp4 --codec nosuch
run 1 "pcm_s16le"   -d dlg.wav -m music.mp3 -o out.mp4 --codec pcm_s16le

# output errors: exit 3
run 3 "/nonexistent/out.wav" -d dlg.wav -m music.mp3 -o /nonexistent/out.wav
run 3 out.xyz       -d dlg.wav -m music.mp3 -o out.xyz
cp dlg.wav keep.wav
sum0=$(md5sum < keep.wav)
run 3 keep.wav      -d keep.wav -m music.mp3 -o keep.wav -y
run 3 film.mp4      -i film.mp4 -m music.mp3 -o ./film.mp4 -y
[ "$(md5sum < keep.wav)" = "$sum0" ] && ok || fail "an input named as output was modified"
: > exists.wav
"$DD" -d dlg.wav -m music.mp3 -o exists.wav 2> stderr.txt
[ $? -eq 3 ] && [ ! -s exists.wav ] && grep -q "exists.wav: already exists" stderr.txt && ok ||
    fail "an existing output without -y: $(cat stderr.txt)"

# an unwritable --report is found before any work: no -o either
run 3 "/nonexistent/r.json" -d dlg.wav -m music.mp3 -o out.wav --report /nonexistent/r.json

# a failure late in the job (music-out directory missing) leaves no -o either
"$DD" -q -d dlg.wav -m music.mp3 -o good.wav --music-out /nonexistent/m.wav 2>/dev/null
[ $? -eq 3 ] && [ ! -e good.wav ] && [ -z "$(ls -A | grep '^\.good')" ] && ok ||
    fail "failed --music-out left -o behind"

# --- interrupted runs leave no partial output ------------------------------------
# The dialogue comes through a named pipe kept open, so the run is still
# reading when the signal arrives (no timing involved: we wait for the
# temporary output to appear).
for sig in TERM INT; do
    rm -f pipe.wav .sig.wav.*
    mkfifo pipe.wav
    ( cat dlg.wav; exec sleep 60 ) > pipe.wav &
    writer=$!
    "$DD" -q -d pipe.wav -m music.mp3 -o sig.wav &
    pid=$!
    i=0
    while [ $i -lt 100 ] && ! ls -A | grep -q '^\.sig\.wav\.'; do
        sleep 0.1; i=$((i + 1))
    done
    ls -A | grep -q '^\.sig\.wav\.' && ok || fail "SIG$sig: no temporary output appeared"
    kill -s $sig $pid
    wait $pid
    rc=$?
    kill $writer 2>/dev/null
    wait $writer 2>/dev/null
    want=143; [ $sig = INT ] && want=130
    [ $rc -eq $want ] && ok || fail "SIG$sig: exit $rc, want $want"
    [ ! -e sig.wav ] && [ -z "$(ls -A | grep '^\.sig\.wav\.')" ] && ok || fail "SIG$sig left $(ls -A | grep sig)"
done

summary
