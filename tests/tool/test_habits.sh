#!/bin/sh
# Habits of ffmpeg users: -hide_banner, -version, -loglevel/-v LEVEL, -n,
# -nostats; durations as 200ms, 1.5s, 00:00:01.500; damaged input reported
# once per input file (a warning naming the file and the first damaged time),
# counted in the report, an input error with --strict.
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"
command -v jq > /dev/null || { fail "jq not installed"; summary; exit 1; }

$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*220*(t-0.0042*cos(6*PI*t)))*between(t\\,2\\,5):s=44100:d=12" dlg.wav
$FF -f lavfi -i "sine=f=440:d=12:r=44100" -ac 1 music.mp3
# 3000 zero bytes in the middle of the MP3: the decoder rejects a frame
# there ("Header missing"), and everything else decodes
cp music.mp3 bad.mp3
size=$(wc -c < bad.mp3)
dd if=/dev/zero of=bad.mp3 bs=1 seek=$((size / 2)) count=3000 conv=notrunc 2> /dev/null

# rc EXPECTED DESCRIPTION ARGS...: the exit code; stderr in err.txt
rc() {
    want=$1 desc=$2; shift 2
    "$DD" "$@" > out.txt 2> err.txt
    got=$?
    [ "$got" -eq "$want" ] && ok || fail "$desc: exit $got, not $want: $(cat err.txt)"
}

# --- -hide_banner: a no-op, not -h ------------------------------------------
rc 0 "-hide_banner" -hide_banner -d dlg.wav -m music.mp3 -o hb.wav
expect "-hide_banner writes the mix" test -s hb.wav
expect "-hide_banner prints no help" test ! -s out.txt

# --- -version ------------------------------------------------------------------
rc 0 "-version" -version
head -n 1 out.txt | grep -Eq '^dialogueduck [0-9]+\.[0-9]+\.[0-9]+$' && ok ||
    fail "-version's first line: $(head -n 1 out.txt)"
grep -Eq '^libavcodec +[0-9]+\.[0-9]+\.[0-9]+$' out.txt && ok ||
    fail "-version names no libavcodec version: $(cat out.txt)"
"$DD" --version > long.txt
expect "-version and --version agree" cmp -s out.txt long.txt
# an option's value is never read as an option
rc 3 "-o -version (a file name)" -d dlg.wav -m music.mp3 -o -version
grep -q -- "-version: unknown output format" err.txt && ok ||
    fail "-o -version: $(cat err.txt)"

# --- -loglevel / -v LEVEL ---------------------------------------------------------
rc 0 "default level" -y -d dlg.wav -m music.mp3 -o a.wav
grep -Eq '^dialogueduck: a.wav: 00:00:12.000, ' err.txt && ok ||
    fail "the summary does not give HH:MM:SS.mmm: $(cat err.txt)"
for l in quiet error warning; do
    rc 0 "-loglevel $l" -loglevel $l -y -d dlg.wav -m music.mp3 -o a.wav
    expect "-loglevel $l hides the summary ($(cat err.txt))" test ! -s err.txt
done
rc 0 "-v error" -v error -y -d dlg.wav -m music.mp3 -o a.wav
expect "-v error hides the summary ($(cat err.txt))" test ! -s err.txt
rc 0 "-v verbose" -v verbose -y -d dlg.wav -m music.mp3 -o a.wav
grep -q 'music music.mp3: stream 0' err.txt && ok ||
    fail "-v verbose does not say what it opened: $(cat err.txt)"
rc 0 "--loglevel info" --loglevel info -y -d dlg.wav -m music.mp3 -o a.wav
grep -q '^dialogueduck: a.wav: ' err.txt && ok || fail "--loglevel info: $(cat err.txt)"
rc 1 "-loglevel loud" -loglevel loud -d dlg.wav -m music.mp3 -o b.wav
grep -q -- "-loglevel: 'loud' is not quiet" err.txt && ok || fail "-loglevel loud: $(cat err.txt)"
expect "-loglevel loud writes nothing" test ! -e b.wav
rc 1 "-loglevel without a value" -d dlg.wav -m music.mp3 -o b.wav -loglevel
grep -q -- "--loglevel needs a value" err.txt && ok || fail "-loglevel: $(cat err.txt)"
# -v alone stays --verbose
rc 0 "-v" -v -y -d dlg.wav -m music.mp3 -o a.wav
grep -q 'dialogue dlg.wav: stream 0' err.txt && ok || fail "-v: $(cat err.txt)"

# --- -n, -y ----------------------------------------------------------------------
rc 3 "-n on an existing output" -n -d dlg.wav -m music.mp3 -o a.wav
grep -q 'a.wav: already exists' err.txt && ok || fail "-n: $(cat err.txt)"
rc 0 "-n on a new output" -n -d dlg.wav -m music.mp3 -o n.wav
expect "-n writes a new output" test -s n.wav
rc 1 "-n with -y" -n -y -d dlg.wav -m music.mp3 -o a.wav
grep -q 'contradict' err.txt && ok || fail "-n -y: $(cat err.txt)"

# --- -nostats ------------------------------------------------------------------
rc 0 "-nostats" -nostats -y -d dlg.wav -m music.mp3 -o a.wav
rc 0 "--nostats" --nostats -y -d dlg.wav -m music.mp3 -o a.wav
if command -v script > /dev/null; then
    # on a terminal the progress line shows, unless -nostats
    script -qec "'$DD' -y -d dlg.wav -m music.mp3 -o t.wav" /dev/null > tty.txt
    grep -q 'pass 1/2' tty.txt && ok || fail "no progress line on a terminal"
    script -qec "'$DD' -nostats -y -d dlg.wav -m music.mp3 -o t.wav" /dev/null > tty.txt
    grep -q 'pass 1/2' tty.txt && fail "-nostats shows progress" || ok
    grep -q 't.wav: 00:00:12.000' tty.txt && ok || fail "-nostats hides the summary"
else
    fail "script not found (Debian package bsdutils)"
fi

# --- durations ---------------------------------------------------------------------
rc 0 "durations in seconds" -y -d dlg.wav -m music.mp3 -o s.wav \
    --attack 0.2 --release 1.5 --hold 1 --lookahead 0.25
rc 0 "durations as ffmpeg writes them" -y -d dlg.wav -m music.mp3 -o f.wav \
    --attack 200ms --release 1.5s --hold 00:00:01.000 --lookahead 250000us
expect "200ms, 1.5s, 00:00:01.000 give the same mix as 0.2, 1.5, 1" cmp -s s.wav f.wav
rc 0 "defaults" -y -d dlg.wav -m music.mp3 -o dflt.wav
cmp -s s.wav dflt.wav && fail "the durations had no effect" || ok
for bad in 2x -0.1 "" " 1" ms 1:2:3:4 nan; do
    rc 1 "--attack '$bad'" -d dlg.wav -m music.mp3 -o c.wav --attack "$bad"
done
rc 1 "--hold 00:01:00 (out of range)" -d dlg.wav -m music.mp3 -o c.wav --hold 00:01:00
grep -q -- "--hold: 00:01:00 is out of range" err.txt && ok || fail "--hold 00:01:00: $(cat err.txt)"
expect "no output from refused durations" test ! -e c.wav

# --- damaged input -------------------------------------------------------------------
rc 0 "damaged MP3" -y -d dlg.wav -m bad.mp3 -o d.wav --report d.json
n=$(grep -c 'damaged audio' err.txt)
expect "one warning for the damaged stem (got $n: $(cat err.txt))" test "$n" -eq 1
grep -Eq '^dialogueduck: warning: bad.mp3: damaged audio: [0-9]+ packets? .* first at 00:00:0[5-6]\.[0-9]{3}$' err.txt &&
    ok || fail "the warning names no file or time: $(cat err.txt)"
expect "the report counts the damage" \
    test "$(jq '[.streams[] | select(.path == "bad.mp3") | .damaged_packets] | .[0]' d.json)" -ge 1
expect "the report counts no damage in the clean stem" \
    test "$(jq '[.streams[] | select(.path == "dlg.wav") | .damaged_packets] | .[0]' d.json)" -eq 0
rc 0 "clean MP3" -y -d dlg.wav -m music.mp3 -o d.wav
grep -q 'damaged' err.txt && fail "a clean MP3 is reported damaged: $(cat err.txt)" || ok
rc 0 "damaged MP3 at -loglevel error" -loglevel error -y -d dlg.wav -m bad.mp3 -o d.wav
expect "-loglevel error: no warning of ours ($(cat err.txt))" sh -c "! grep -q 'dialogueduck: warning' err.txt"
for lo in ebu off; do
    rc 2 "--strict, --loudness $lo" --strict --loudness $lo -d dlg.wav -m bad.mp3 -o strict.wav
    grep -Eq '^dialogueduck: bad.mp3: damaged audio: .*first at 00:00:0[5-6]\.[0-9]{3} \(--strict\)$' err.txt &&
        ok || fail "--strict: $(cat err.txt)"
    expect "--strict --loudness $lo leaves no output" sh -c '! ls strict.wav .strict* 2> /dev/null'
done
rc 0 "--strict on clean input" --strict -y -d dlg.wav -m music.mp3 -o clean.wav
expect "--strict writes clean input" test -s clean.wav

# --- damage in two streams of one file: one warning for the file ---------------------
# An MPEG-TS with the dialogue and the music (MP2): the payload of 60
# transport packets in the middle zeroed, their headers kept, so that
# packets of both streams reach the decoders damaged.
$FF -f lavfi -i "sine=f=220:d=12:r=44100" -f lavfi -i "sine=f=440:d=12:r=44100" \
    -map 0 -map 1 -c:a mp2 two.ts
cp two.ts bad.ts
half=$(($(wc -c < two.ts) / 188 / 2))
k=0
while [ $k -lt 60 ]; do
    dd if=/dev/zero of=bad.ts bs=1 seek=$(((half + k) * 188 + 20)) count=168 \
        conv=notrunc 2> /dev/null
    k=$((k + 1))
done
rc 0 "damaged TS" -y -i bad.ts -d 0:a:0 -m 0:a:1 -o ts.wav --report ts.json
d0=$(jq '.streams[0].damaged_packets' ts.json)
d1=$(jq '.streams[1].damaged_packets' ts.json)
expect "both streams of the TS damaged (got $d0 and $d1)" test "$d0" -ge 1 -a "$d1" -ge 1
n=$(grep -c 'damaged audio' err.txt)
expect "one warning for the file with two damaged stems (got $n: $(cat err.txt))" test "$n" -eq 1
grep -Eq "^dialogueduck: warning: bad.ts: damaged audio: $((d0 + d1)) packets " err.txt &&
    ok || fail "the warning does not add up both streams ($d0 + $d1): $(cat err.txt)"

summary
