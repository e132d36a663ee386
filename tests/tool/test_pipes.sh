#!/bin/sh
# Pipes as ffmpeg users write them: "-", "pipe:" and "pipe:N" as inputs
# (each copied once to a temporary file, since every stem is read twice;
# the copy goes to -o's directory, else TMPDIR, and is removed on every
# exit, signals included) and as -o for formats that stream (-f wav,
# flac, matroska, nut, mpegts, adts); others refused with one line.
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"
mkdir out spool
export TMPDIR="$TMP/spool"

$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*220*(t-0.0042*cos(6*PI*t)))*between(mod(t\\,6)\\,2\\,4.5):s=48000:d=20" dlg.wav
$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*440*t)|0.2*sin(2*PI*330*t):s=48000:d=20" music.wav
"$DD" -d dlg.wav -m music.wav -o ref.flac 2> err.txt || fail "reference: $(cat err.txt)"
md5() { ffmpeg -nostdin -v error -i "$1" -f md5 - 2> /dev/null; }
ref=$(md5 ref.flac)

# no copy left anywhere
no_spool() {
    left=$(ls -A spool out . | grep -E '^\.(stdin|pipe[0-9]+)\.' )
    [ -z "$left" ] && ok || fail "$1: copies left: $left"
}

# --- the pipeline of the issue ------------------------------------------------------
ffmpeg -nostdin -v error -i dlg.wav -f wav - |
    "$DD" -d - -m music.wav -o - -f flac 2> err.txt |
    ffprobe -v error -count_packets -show_entries stream=codec_name,channels,nb_read_packets \
        -of compact - > probe.txt
grep -q '^stream|codec_name=flac|channels=2|nb_read_packets=[1-9]' probe.txt && ok ||
    fail "ffmpeg | dialogueduck | ffprobe: $(cat probe.txt) $(cat err.txt)"
no_spool "ffmpeg | dialogueduck | ffprobe"

# piped in and out, the same audio as files in and out
ffmpeg -nostdin -v error -i dlg.wav -f wav - | "$DD" -d - -m music.wav -o - -f flac > piped.flac 2> err.txt ||
    fail "piped: $(cat err.txt)"
expect "piped audio equals the file's" test "$(md5 piped.flac)" = "$ref"
"$DD" -d pipe: -m music.wav -o out/p.flac < dlg.wav 2> err.txt || fail "pipe: $(cat err.txt)"
expect "pipe: as input" test "$(md5 out/p.flac)" = "$ref"
"$DD" -d dlg.wav -m pipe:3 -o pipe:4 -f flac 3< music.wav 4> p4.flac 2> err.txt ||
    fail "pipe:3 in, pipe:4 out: $(cat err.txt)"
expect "pipe:N in and out" test "$(md5 p4.flac)" = "$ref"
no_spool "pipe:N"
# one pipe named by two stems (through -i) is read once
$FF -i dlg.wav -i music.wav -map 0 -map 1 -c:a pcm_s16le both.mkv
"$DD" -i - -d 0:a:0 -m 0:a:1 -o out/both.flac < both.mkv 2> err.txt || fail "-i -: $(cat err.txt)"
"$DD" -i both.mkv -d 0:a:0 -m 0:a:1 -o both_ref.flac 2> err.txt
expect "-i - with two stems" test "$(md5 out/both.flac)" = "$(md5 both_ref.flac)"

# --- every streamable format, read back from the pipe --------------------------------
for f in wav flac matroska nut mpegts adts; do
    "$DD" -d dlg.wav -m music.wav -o - -f $f 2> err.txt > s.out
    rc=$?
    n=$(ffprobe -v error -count_packets -show_entries stream=nb_read_packets -of csv=p=0 s.out |
        head -n 1)
    [ "$rc" -eq 0 ] && [ "${n:-0}" -gt 0 ] && ok || fail "-o - -f $f: exit $rc, $n packets: $(cat err.txt)"
done
# WAV of an unknown size
head -c 8 s.out > /dev/null
"$DD" -d dlg.wav -m music.wav -o - -f wav 2> /dev/null | head -c 44 > head.bin
expect "piped WAV: RIFF size unknown" test "$(od -An -tx1 -j4 -N4 head.bin | tr -d ' ')" = ffffffff

# --- refused, one line, exit 1, nothing read or written ------------------------------
refuse() {
    want=$1; shift
    "$DD" "$@" < /dev/null > r.out 2> err.txt
    rc=$?
    if [ "$rc" -eq 1 ] && [ "$(wc -l < err.txt)" -eq 1 ] && grep -q -- "$want" err.txt &&
       [ ! -s r.out ]; then ok; else fail "$*: exit $rc, '$(cat err.txt)'"; fi
}
refuse "give the format with -f" -d dlg.wav -m music.wav -o -
refuse "the mp4 format cannot be written to a pipe" -d dlg.wav -m music.wav -o - -f mp4
refuse "the mov format cannot be written to a pipe" -d - -m music.wav -o pipe: -f mov
refuse "no such output format" -d dlg.wav -m music.wav -o x.wav -f nosuch
refuse "only -o can be a pipe" -d dlg.wav -m music.wav --music-out -
refuse "-f needs -o" -d dlg.wav -m music.wav --music-out m.wav -f wav
expect "refusals write nothing" test ! -e x.wav -a ! -e m.wav
# -f also names the container of a file
"$DD" -d dlg.wav -m music.wav -o out/noext -f flac 2> err.txt || fail "-f flac on a file: $(cat err.txt)"
expect "-f flac on a file without extension" test "$(md5 out/noext)" = "$ref"

# --- the copy: where it goes, and gone on every exit ---------------------------------
# an input that is not audio: exit 2, the copy removed
echo "not audio" | "$DD" -d - -m music.wav -o out/bad.wav 2> err.txt
expect "garbage on stdin: exit 2" test $? -eq 2
no_spool "garbage on stdin"
# the messages name the pipe, not its copy
expect "garbage on stdin: the message names - ($(cat err.txt))" \
    test "$(cat err.txt)" = "dialogueduck: -: cannot open: Invalid data found when processing input"
# wait_copy DIR: until a copy of stdin is in DIR (at most 10 s)
wait_copy() {
    i=0
    while [ $i -lt 100 ] && [ -z "$(ls -A "$1" | grep '^\.stdin\.')" ]; do
        sleep 0.1; i=$((i + 1))
    done
    [ -n "$(ls -A "$1" | grep '^\.stdin\.')" ]
}
# interrupted while the pipe is being copied: the copy is seen, then removed
for sig in INT TERM; do
    { cat dlg.wav; sleep 5; } | "$DD" -d - -m music.wav -o out/sig.wav 2> /dev/null &
    pid=$!
    wait_copy out && ok || fail "SIG$sig: no copy in -o's directory"
    kill -$sig $pid 2> /dev/null
    wait $pid
    rc=$?
    case $sig in INT) want=130 ;; TERM) want=143 ;; esac
    # the pipe's writer may end first; the program then ends its own way
    [ $rc -eq $want ] && ok || fail "SIG$sig: exit $rc"
    no_spool "SIG$sig"
    expect "SIG$sig: no output" test ! -e out/sig.wav
done
# without -o the copy goes to TMPDIR
{ cat dlg.wav; sleep 3; } | "$DD" -d - -m music.wav --report r.json 2> err.txt &
pid=$!
wait_copy spool && ok || fail "no copy in TMPDIR"
wait $pid || fail "report from stdin: $(cat err.txt)"
no_spool "report from stdin"

"$DD" --help > help.txt
grep -q "read twice" help.txt && ok || fail "--help does not say why pipes are copied"

summary
