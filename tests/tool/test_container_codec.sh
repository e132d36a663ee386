#!/bin/sh
# Stems the container cannot hold: the source's codec is kept where the
# output container takes it; where it does not (FLAC in MOV, and in MP4
# for FFmpeg before 6.0), the container's default codec is used, as ffmpeg
# does, with one line saying so at the info level, and the source's bit
# depth where that codec has a choice (AIFF: 24-bit PCM). -c:a still wins;
# a -c:a the container refuses is one line and exit 1, before any work.
# Read back with ffprobe: codec, stream count, duration, bit depth.
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"

$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*220*(t-0.0042*cos(6*PI*t)))*between(mod(t\\,4)\\,1\\,3):s=48000:d=8" \
    -c:a flac -sample_fmt s32 dlg.flac
$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*440*t)|0.2*sin(2*PI*330*t):s=48000:d=8" \
    -c:a flac -sample_fmt s32 music.flac

# probe FILE ENTRY: one value per audio stream, on one line
probe() {
    ffprobe -v error -select_streams a -show_entries "stream=$2" -of csv=p=0 "$1" |
        tr '\n' ' ' | sed 's/ $//'
}
# note FILE CONTAINER: the one line saying the codec was not kept
note() {
    n=$(grep -c "$1: the $2 container cannot hold the source's flac audio; encoding" err.txt)
    [ "$n" -eq 1 ] && ok || fail "$1: $n notes, want 1: $(cat err.txt)"
}
# dur FILE: the audio lasts 8 s (an AAC priming tail allowed)
dur() {
    d=$(probe "$1" duration | cut -d' ' -f1)
    awk -v d="$d" 'BEGIN { exit !(d >= 7.99 && d <= 8.05) }' && ok ||
        fail "$1: duration $d"
}

# MOV never takes FLAC: the mix in AAC
"$DD" -d dlg.flac -m music.flac -o mix.mov 2> err.txt || fail "mix.mov: exit $?: $(cat err.txt)"
[ "$(probe mix.mov codec_name)" = aac ] && ok || fail "mix.mov: $(probe mix.mov codec_name)"
note mix.mov mov
dur mix.mov
# --keep-stems: every audio stream
"$DD" -d dlg.flac -m music.flac -o stems.mov --keep-stems 2> err.txt ||
    fail "stems.mov: exit $?: $(cat err.txt)"
[ "$(probe stems.mov codec_name)" = "aac aac" ] && ok ||
    fail "stems.mov: streams $(probe stems.mov codec_name)"
note stems.mov mov
dur stems.mov
# --music-out: the ducked music alone, float as the renderer made it
"$DD" -d dlg.flac -m music.flac -o mix2.mkv --music-out ducked.mov 2> err.txt ||
    fail "ducked.mov: exit $?: $(cat err.txt)"
[ "$(probe ducked.mov codec_name)" = pcm_f32le ] && ok || fail "ducked.mov: $(probe ducked.mov codec_name)"
dur ducked.mov
# -q: no note
"$DD" -q -d dlg.flac -m music.flac -o quiet.mov 2> err.txt
[ -s err.txt ] && fail "-q: $(cat err.txt)" || ok

# MP4: FLAC is kept where this FFmpeg's muxer takes it, as ffmpeg -c copy
# shows; else AAC with the note
"$DD" -d dlg.flac -m music.flac -o stems.mp4 --keep-stems 2> err.txt ||
    fail "stems.mp4: exit $?: $(cat err.txt)"
if $FF -i dlg.flac -c:a copy copy.mp4 2> /dev/null; then
    [ "$(probe stems.mp4 codec_name)" = "flac flac" ] && ok ||
        fail "stems.mp4: $(probe stems.mp4 codec_name), ffmpeg keeps FLAC in MP4"
else
    [ "$(probe stems.mp4 codec_name)" = "aac aac" ] && ok ||
        fail "stems.mp4: $(probe stems.mp4 codec_name)"
    note stems.mp4 mp4
fi
dur stems.mp4

# Matroska takes FLAC: kept, 24 bits, no note
"$DD" -d dlg.flac -m music.flac -o mix.mkv 2> err.txt || fail "mix.mkv: exit $?: $(cat err.txt)"
[ "$(probe mix.mkv codec_name,bits_per_raw_sample)" = "flac,24" ] && ok ||
    fail "mix.mkv: $(probe mix.mkv codec_name,bits_per_raw_sample)"
grep -q "cannot hold" err.txt && fail "mix.mkv: a note: $(cat err.txt)" || ok
# AIFF's default is 16-bit PCM: the 24-bit source stays 24-bit
"$DD" -d dlg.flac -m music.flac -o mix.aiff 2> err.txt || fail "mix.aiff: exit $?: $(cat err.txt)"
[ "$(probe mix.aiff codec_name)" = pcm_s24be ] && ok || fail "mix.aiff: $(probe mix.aiff codec_name)"
note mix.aiff aiff
dur mix.aiff

# -c:a wins
"$DD" -q -d dlg.flac -m music.flac -o opus.mkv -c:a libopus 2> err.txt || fail "-c:a libopus: $(cat err.txt)"
[ "$(probe opus.mkv codec_name)" = opus ] && ok || fail "opus.mkv: $(probe opus.mkv codec_name)"
# a -c:a the container refuses, or no such encoder: exit 1, one line, no file
for args in "-o bad.mov -c:a flac" "-o bad.mp4 -c:a pcm_s24le" "-o bad.mkv -c:a nosuch" \
            "-o ok.mkv --music-out bad.mov -c:a flac"; do
    # shellcheck disable=SC2086
    "$DD" -d dlg.flac -m music.flac $args 2> err.txt; rc=$?
    [ $rc -eq 1 ] && [ "$(wc -l < err.txt)" -eq 1 ] && ok ||
        fail "$args: exit $rc: $(cat err.txt)"
    ls bad.* ok.* > /dev/null 2>&1 && fail "$args: a file was written" || ok
done
grep -q "bad.mov: -c:a flac: the mov container cannot hold flac audio" err.txt && ok ||
    fail "message: $(cat err.txt)"

summary
