#!/bin/sh
# The pass cache (tool/passcache.h, --cache): pass 2 reads what pass 1
# decoded from an unnamed file in TMPDIR instead of decoding again.
#
# - the output is byte-identical with and without it: FLAC stems (mono
#   dialogue, stereo music, an effects stem), blocks cut at random, a
#   report (its dry passes read the cache too), and a video whose H.264
#   packets stay as they were;
# - auto caches compressed stems (FLAC, AAC) and not PCM (WAV);
# - the file never has a name: during pass 2 the program holds it open
#   as "(deleted)" in TMPDIR, and TMPDIR is empty after success, an error,
#   SIGINT, SIGTERM and even SIGKILL;
# - the write pass gives the cache back as it reads it; a write pass
#   after it (the loudness missed) decodes the stems, same output;
# - no usable TMPDIR: the stems are decoded twice, same output;
# - the compact form: 16-bit stems take half the bytes of float in the
#   cache, while 24-bit stems, a resampled 44.1 kHz stem and a float stem
#   whose second half is off the 16-bit grid keep float where they must
#   (tests/unit/test_passcache.c checks the storage to the bit); the
#   output is the same with and without the cache in every case.
#
# No timing is involved: the output is a pipe nobody reads, so pass 2
# blocks on it with the cache open; the program says when pass 2 reads
# the cache back (-v verbose).
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"
speech="0.3*sin(2*PI*220*(t-0.0042*cos(6*PI*t)))*between(mod(t\\,4)\\,1\\,3)"
# 16-bit FLAC (FFmpeg makes 24-bit from float sources unless told) and
# the same at 24 bits
for b in 16 32; do
    x=; [ $b = 32 ] && x=24
    $FF -f lavfi -i "aevalsrc=$speech:s=48000:d=12" -c:a flac -sample_fmt s$b dlg$x.flac
    $FF -f lavfi -i "anoisesrc=d=12:c=pink:a=0.2:r=48000" -ac 2 -c:a flac \
        -sample_fmt s$b music$x.flac
    $FF -f lavfi -i "aevalsrc=0.1*sin(2*PI*90*t):s=48000:d=10" -ac 2 -c:a flac \
        -sample_fmt s$b fx$x.flac
done
$FF -i dlg.flac dlg.wav
$FF -i music.flac music.wav
mkdir scratch
S=$TMP/scratch

# run NAME ARGS...: the program with TMPDIR=scratch, verbose, stderr in NAME.err
run() {
    n=$1; shift
    TMPDIR=$S "$DD" -v verbose -nostats -y "$@" 2> "$n.err"
}
empty_scratch() { # WHEN
    left=$(ls -A "$S")
    [ -z "$left" ] && ok || fail "$1: left in TMPDIR: $left"
}
read_back() { grep -q 'pass cache: .* read back' "$1.err"; }

# 1. identical with and without the cache
stems="-d dlg.flac -m music.flac -e fx.flac"
for c in on off auto; do
    run "$c" $stems -o "out_$c.flac" --report "r_$c.json" --cache $c ||
        fail "--cache $c: $(cat "$c.err")"
done
read_back on && ok || fail "--cache on: pass 2 did not read the cache: $(cat on.err)"
read_back auto && ok || fail "auto on FLAC stems: no cache: $(cat auto.err)"
read_back off && fail "--cache off: the cache was read" || ok
cmp -s out_on.flac out_off.flac && ok || fail "FLAC mix: differs with the cache"
cmp -s out_auto.flac out_off.flac && ok || fail "FLAC mix: auto differs from off"
# the report's figures (not its timings) are the same
fig() { jq -c '[.loudness, .regions]' "$1"; }
[ "$(fig r_on.json)" = "$(fig r_off.json)" ] && ok ||
    fail "report figures differ with the cache"
empty_scratch "after success"

# the cache's compact form: these 16-bit stems took half the bytes of
# float (planes x samples x 4); 24-bit stems (off the 16-bit grid: float),
# a 44.1 kHz dialogue resampled to 48 kHz beside 16-bit music (float
# dialogue, 16-bit music) and a float dialogue whose second half is off
# the grid (16-bit blocks, then float ones) land in between, same output
mib() { sed -n 's/.*pass cache: \([0-9.]*\) MiB read back.*/\1/p' "$1.err"; }
less() { awk "BEGIN { exit !($1 < $2) }"; }
$FF -i dlg.flac -ar 44100 -c:a flac dlg44.flac
$FF -i dlg.flac -f lavfi -i "aevalsrc=$speech:s=48000:d=6" -filter_complex \
    "[0:a]atrim=0:6,aformat=flt[a];[1:a]aformat=flt[b];[a][b]concat=n=2:v=0:a=1" \
    -c:a pcm_f32le dlghalf.wav
for k in 24 44 half; do
    case $k in
    24)   in="-d dlg24.flac -m music24.flac -e fx24.flac" ;;
    44)   in="-d dlg44.flac -m music.flac -e fx.flac" ;;
    half) in="-d dlghalf.wav -m music.flac -e fx.flac" ;;
    esac
    for c in on off; do
        run "c${k}_$c" $in -o "c${k}_$c.flac" --cache $c ||
            fail "$k --cache $c: $(cat "c${k}_$c.err")"
    done
    cmp -s "c${k}_on.flac" "c${k}_off.flac" && ok ||
        fail "$k: the mix differs with the cache"
done
read_back c24_on && read_back c44_on && read_back chalf_on && ok ||
    fail "compact form: a case did not read the cache"
s16=$(mib on) f32=$(mib c24_on)
# (the effects stem ends 2 s early: zeros, 16-bit in both)
less "$s16 * 1.6" "$f32" && ok ||
    fail "16-bit stems: $s16 MiB cached, not about half the $f32 MiB of 24-bit ones"
less "$s16" "$(mib c44_on)" && less "$(mib c44_on)" "$f32" && ok ||
    fail "44.1 kHz dialogue: $(mib c44_on) MiB, not between $s16 and $f32"
less "$s16" "$(mib chalf_on)" && less "$(mib chalf_on)" "$(mib c44_on)" && ok ||
    fail "half off the grid: $(mib chalf_on) MiB, not between $s16 and $(mib c44_on)"

# the same with random block cuts: pass 2 gets pass 1's cut from the cache
DIALOGUEDUCK_TEST_BLOCKS=7 run cut $stems -o out_cut.flac --cache on ||
    fail "random blocks: $(cat cut.err)"
read_back cut && ok || fail "random blocks: no cache"
cmp -s out_cut.flac out_off.flac && ok || fail "random blocks: the mix differs"

# the write pass is the cache's last reader and gives it back as it
# reads; when the loudness it measured misses the target (real music
# limited by 15-20 dB: at the first of these targets where the predicted
# gain misses) and the file starts again, that pass decodes the stems: a
# note at -v, the same bytes
song="/usr/share/games/lincity-ng/music/default/01 - pronobozo - lincity.ogg"
$FF -ss 30 -t 12 -i "$song" -ar 48000 -c:a flac -sample_fmt s16 song.flac
missed=
for t in -7 -6 -5 -4 -3 -2; do
    run song_on -d dlg.flac -m song.flac -o song_on.wav --loudness $t \
        --cache on || fail "song $t: $(cat song_on.err)"
    grep -q 'limiting left' song_on.err && missed=$t && break
done
[ -n "$missed" ] && read_back song_on && ok ||
    fail "song: no target from -7 to -2 LUFS made the write pass start again"
grep -q 'pass cache is dropped .*: the write pass gave it back' song_on.err && ok ||
    fail "song $missed: no note that the next pass decodes: $(cat song_on.err)"
run song_off -d dlg.flac -m song.flac -o song_off.wav --loudness "${missed:--2}" \
    --cache off || fail "song --cache off: $(cat song_off.err)"
cmp -s song_on.wav song_off.wav && ok ||
    fail "song $missed: a write pass after the released cache differs"

# the ducked music alone (float WAV) too
run mo_on -d dlg.flac -m music.flac --music-out mo_on.wav --cache on &&
run mo_off -d dlg.flac -m music.flac --music-out mo_off.wav --cache off ||
    fail "--music-out: $(cat mo_on.err mo_off.err)"
cmp -s mo_on.wav mo_off.wav && ok || fail "--music-out: differs with the cache"

# 2. PCM stems are not cached by default; on request they are, same output
run wav -d dlg.wav -m music.wav -o wav_auto.wav || fail "WAV: $(cat wav.err)"
grep -q 'pass cache' wav.err && fail "WAV stems cached by default" || ok
run wavon -d dlg.wav -m music.wav -o wav_on.wav --cache on ||
    fail "WAV --cache on: $(cat wavon.err)"
read_back wavon && ok || fail "WAV --cache on: no cache"
cmp -s wav_auto.wav wav_on.wav && ok || fail "WAV: differs with the cache"

# 3. no usable TMPDIR: decoded twice, a note at -v, the same output
TMPDIR=$TMP/missing "$DD" -v verbose -nostats -y $stems -o out_nodir.flac \
    2> nodir.err || fail "missing TMPDIR: $(cat nodir.err)"
grep -q 'no pass cache' nodir.err && ok || fail "missing TMPDIR: no note"
cmp -s out_nodir.flac out_off.flac && ok || fail "missing TMPDIR: the mix differs"
TMPDIR=$TMP/missing "$DD" -q -y $stems -o out_q.flac 2> q.err
[ ! -s q.err ] && ok || fail "missing TMPDIR without --cache on: a message at -q"

"$DD" -q -y $stems -o x.flac --cache sometimes 2> bad.err
[ $? -eq 1 ] && ok || fail "--cache sometimes: not a usage error"
grep -q "'sometimes' is not auto, on or off" bad.err && ok ||
    fail "--cache sometimes: $(cat bad.err)"

# 4. a video: H.264 and two AAC stems; AAC is cached, the picture's
# packets are untouched and the output is the same without the cache
$FF -f lavfi -i testsrc=size=160x120:rate=25:d=12 -i dlg.flac -i music.flac \
    -map 0:v -map 1:a -map 2:a -c:v libx264 -preset ultrafast -c:a aac \
    -b:a 96k film.mp4
for c in auto off; do
    run "v$c" -i film.mp4 -d 0:a:0 -m 0:a:1 -o "film_$c.mp4" --cache $c ||
        fail "video --cache $c: $(cat "v$c.err")"
done
read_back vauto && ok || fail "video (AAC): not cached by default"
cmp -s film_auto.mp4 film_off.mp4 && ok || fail "video: differs with the cache"
vsum() { ffmpeg -nostdin -v error -i "$1" -map 0:v -c copy -f framemd5 - | grep -v '^#'; }
[ "$(vsum film_auto.mp4)" = "$(vsum film.mp4)" ] && ok ||
    fail "video: the H.264 packets changed"
empty_scratch "after the video"

# 5. an error after pass 1 (damaged FLAC with --strict: exit 2 once the
# analysis has read everything): nothing left
cp dlg.flac bad.flac
size=$(wc -c < bad.flac)
# the same bytes every run: with 2000 random ones the sanitizer build
# once exited 0, the damage decoded without an error
yes 'Zq#9' | head -c 2000 |
    dd of=bad.flac bs=1 seek=$((size / 2)) conv=notrunc 2> /dev/null
run strict -d bad.flac -m music.flac -o s.flac --strict --cache on
rc=$?
[ $rc -eq 2 ] && ok || fail "damaged input with --strict: exit $rc: $(cat strict.err)"
grep -q 'pass cache: an unnamed file' strict.err && ok ||
    fail "damaged input: the cache was never opened, the case tests nothing"
empty_scratch "after an error"

# 6. signals during pass 2, and SIGKILL: the output is a pipe that nobody
# reads, so pass 2 blocks writing it, with the cache open
wait_for() { # COMMAND...: up to 20 s (a safety net, not a timing assumption)
    i=0
    while ! "$@" && [ $i -lt 200 ]; do
        sleep 0.1; i=$((i + 1))
    done
    "$@"
}
holds_cache() { # PID: an open descriptor on an unnamed file in scratch
    ls -l "/proc/$1/fd" 2> /dev/null | grep -q "$S/.*(deleted)"
}
for sig in INT TERM KILL; do
    rm -f sink
    mkfifo sink
    sleep 60 < sink &
    reader=$!
    TMPDIR=$S "$DD" -v verbose -nostats -y $stems -o - -f flac > sink \
        2> "sig$sig.err" &
    pid=$!
    wait_for read_back "sig$sig" && ok ||
        fail "SIG$sig: pass 2 never read the cache: $(cat "sig$sig.err")"
    holds_cache $pid && ok || fail "SIG$sig: no unnamed cache file open in TMPDIR"
    [ -z "$(ls -A "$S")" ] && ok || fail "SIG$sig: the cache has a name: $(ls -A "$S")"
    kill -s $sig $pid
    wait $pid
    rc=$?
    kill $reader 2> /dev/null
    wait $reader 2> /dev/null
    case $sig in INT) want=130 ;; TERM) want=143 ;; KILL) want=137 ;; esac
    [ $rc -eq $want ] && ok || fail "SIG$sig: exit $rc, want $want"
    empty_scratch "after SIG$sig"
done

summary
