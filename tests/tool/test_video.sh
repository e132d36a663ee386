#!/bin/sh
# dialogueduck on finished videos: stems picked by stream specifier, the
# mix remuxed with video, subtitles, data, attachments, chapters and
# metadata copied bit for bit; A/V timing; codecs; --keep-stems;
# determinism. Checked with ffprobe and ffmpeg's streamhash.
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"

line="if(between(t\\,2\\,4)+between(t\\,5.5\\,7)\\,1\\,0)"
$FF -f lavfi -i "aevalsrc=0.3*(sin(2*PI*220*(t-0.0042*cos(6*PI*t)))+0.5*sin(2*PI*440*(t-0.0042*cos(6*PI*t))))*$line:s=48000:d=8" dlg.wav
$FF -f lavfi -i "anoisesrc=seed=7:d=8:c=pink:a=0.1:r=44100" -ac 2 music.wav
$FF -f lavfi -i "anoisesrc=seed=7:d=8:c=white:a=0.02:r=48000,pan=5.1|FL=c0|FR=c0|FC=c0|LFE=c0|BL=c0|BR=c0" music51.wav
$FF -f lavfi -i "sine=f=500:d=8:r=48000,volume=0.05" comment.wav
cat > subs.srt <<'EOF'
1
00:00:01,000 --> 00:00:03,000
Hello there.

2
00:00:05,000 --> 00:00:07,000
Goodbye.
EOF
cat > meta.txt <<'EOF'
;FFMETADATA1
title=Test film
artist=Somebody
[CHAPTER]
TIMEBASE=1/1000
START=0
END=4000
title=Opening
[CHAPTER]
TIMEBASE=1/1000
START=4000
END=8000
title=Ending
EOF
printf 'not really a font\n' > font.ttf

# MP4: H.264, dialogue and music AAC stems, mov_text subtitles, chapters.
$FF -f lavfi -i testsrc=d=8:s=160x120:r=25 -i dlg.wav -i music.wav -i subs.srt -i meta.txt \
    -map 0:v -map 1:a -map 2:a -map 3:s -map_metadata 4 -map_chapters 4 \
    -c:v libx264 -preset ultrafast -c:a aac -ar 48000 -c:s mov_text \
    -metadata:s:a:0 language=eng -metadata:s:a:1 language=eng \
    -metadata:s:s:0 language=fra film.mp4
# MKV: MPEG-4 video, FLAC stems + an unused commentary track, SRT, an
# attachment, chapters; the music is 5.1.
$FF -f lavfi -i testsrc=d=8:s=160x120:r=25 -i dlg.wav -i music51.wav -i comment.wav -i subs.srt -i meta.txt \
    -map 0:v -map 1:a -map 2:a -map 3:a -map 4:s -map_metadata 5 -map_chapters 5 \
    -c:v mpeg4 -c:a flac -c:s srt -attach font.ttf -metadata:s:t mimetype=application/x-truetype-font \
    -metadata:s:a:0 language=ger -metadata:s:a:0 title=Dialog -metadata:s:a:2 title=Commentary \
    -disposition:a:0 default film.mkv
# MOV: H.264 with one PCM track (the dialogue); music from a separate MP3.
$FF -f lavfi -i testsrc=d=8:s=160x120:r=25 -i dlg.wav -c:v libx264 -preset ultrafast -c:a pcm_s16le talk.mov
$FF -i music.wav -c:a libmp3lame bgm.mp3

hash() { ffmpeg -nostdin -v error -i "$1" -map "0:$2" -c copy -f streamhash -hash md5 - | cut -d= -f2; }
probe() { ffprobe -v error -select_streams "$2" -show_entries "$3" -of csv=p=0 "$1"; }
count() { ffprobe -v error -select_streams "$2" -show_entries stream=index -of csv=p=0 "$1" | wc -l; }
near() { awk -v a="$1" -v b="$2" -v t="$3" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d <= t) }'; }
frame=0.0214   # one AAC frame at 48 kHz, seconds

# --- MP4 --------------------------------------------------------------------
if "$DD" -q -i film.mp4 -d 0:a:0 -m 0:a:1 -o out.mp4 --report out.json 2>err.txt; then ok; else fail "mp4: exit $?: $(cat err.txt)"; fi
[ "$(hash film.mp4 v)" = "$(hash out.mp4 v)" ] && ok || fail "mp4: video packets differ"
[ "$(hash film.mp4 s)" = "$(hash out.mp4 s)" ] && ok || fail "mp4: subtitle packets differ"
[ "$(count out.mp4 a)" = 1 ] && ok || fail "mp4: $(count out.mp4 a) audio streams, want the mix alone"
[ "$(probe out.mp4 a:0 stream=codec_name)" = aac ] && ok || fail "mp4: audio is not AAC like the source"
[ "$(probe out.mp4 a:0 stream_tags=language)" = eng ] && ok || fail "mp4: audio language lost"
[ "$(probe out.mp4 s:0 stream_tags=language)" = fra ] && ok || fail "mp4: subtitle language lost"
[ "$(ffprobe -v error -show_entries format_tags=title -of csv=p=0 out.mp4)" = "Test film" ] && ok || fail "mp4: global title lost"
[ "$(ffprobe -v error -show_chapters -of csv=p=0 out.mp4 | wc -l)" = 2 ] && ok || fail "mp4: chapters lost"
ffprobe -v error -show_chapters out.mp4 | grep -q "TAG:title=Ending" && ok || fail "mp4: chapter title lost"
s0=$(probe film.mp4 a:0 stream=start_time); s1=$(probe out.mp4 a:0 stream=start_time)
near "$s0" "$s1" $frame && ok || fail "mp4: audio starts at $s1, source at $s0"
d0=$(probe film.mp4 a:0 stream=duration); d1=$(probe out.mp4 a:0 stream=duration)
near "$d0" "$d1" $frame && ok || fail "mp4: audio lasts $d1, source $d0"
v0=$(probe film.mp4 v:0 stream=start_time); v1=$(probe out.mp4 v:0 stream=start_time)
[ "$v0" = "$v1" ] && ok || fail "mp4: video start moved ($v0 -> $v1)"
# faststart: the moov box comes before mdat
first=$(LC_ALL=C grep -obUaE 'moov|mdat' out.mp4 | head -n 1 | cut -d: -f2)
[ "$first" = moov ] && ok || fail "mp4: no faststart (first box is $first)"
[ "$(jq -r '.streams[1].arg' out.json)" = "0:a:1" ] && [ "$(jq -r '.streams[1].stream_index' out.json)" = 2 ] &&
    ok || fail "mp4: report streams"
"$DD" -q -i film.mp4 -d 0:a:0 -m 0:a:1 -o out2.mp4 && cmp -s out.mp4 out2.mp4 && ok || fail "mp4: two runs differ"

# --- MKV: FLAC kept, unused audio copied, attachment, 5.1 music ----------------
if "$DD" -q -i film.mkv -d 0:a:0 -m 0:a:1 -o out.mkv 2>err.txt; then ok; else fail "mkv: exit $?: $(cat err.txt)"; fi
[ "$(hash film.mkv v)" = "$(hash out.mkv v)" ] && ok || fail "mkv: video packets differ"
[ "$(hash film.mkv s)" = "$(hash out.mkv s)" ] && ok || fail "mkv: subtitle packets differ"
[ "$(hash film.mkv a:2)" = "$(hash out.mkv a:1)" ] && ok || fail "mkv: the unused commentary track was not copied as is"
[ "$(probe out.mkv a:1 stream_tags=title)" = Commentary ] && ok || fail "mkv: commentary title lost"
[ "$(probe out.mkv a:0 stream=codec_name)" = flac ] && ok || fail "mkv: mix is not FLAC like the source"
[ "$(probe out.mkv a:0 stream=channels)" = 6 ] && ok || fail "mkv: 5.1 music, mix has $(probe out.mkv a:0 stream=channels) channels"
[ "$(probe out.mkv a:0 stream_tags=language)" = ger ] && ok || fail "mkv: mix language lost"
[ "$(probe out.mkv a:0 stream_disposition=default)" = 1 ] && ok || fail "mkv: mix is not the default track"
[ "$(probe out.mkv t:0 stream_tags=filename)" = font.ttf ] && ok || fail "mkv: attachment lost"
[ "$(ffprobe -v error -show_chapters -of csv=p=0 out.mkv | wc -l)" = 2 ] && ok || fail "mkv: chapters lost"
[ "$(ffprobe -v error -show_entries format_tags=artist -of csv=p=0 out.mkv)" = Somebody ] && ok || fail "mkv: global metadata lost"
"$DD" -q -i film.mkv -d 0:a:0 -m 0:a:1 -o out2.mkv && cmp -s out.mkv out2.mkv && ok || fail "mkv: two runs differ"

# --- MOV, no -d: the first audio stream is the dialogue; PCM stays PCM -------
if "$DD" -q -i talk.mov -m bgm.mp3 -o talk_mix.mov --report talk.json 2>err.txt; then ok; else fail "mov: exit $?: $(cat err.txt)"; fi
[ "$(jq -r '.streams[0].role + " " + .streams[0].path' talk.json)" = "dialogue talk.mov" ] && ok || fail "mov: dialogue is not talk.mov's audio"
[ "$(probe talk_mix.mov a:0 stream=codec_name)" = pcm_s16le ] && ok || fail "mov: PCM source, mix is $(probe talk_mix.mov a:0 stream=codec_name)"
[ "$(hash talk.mov v)" = "$(hash talk_mix.mov v)" ] && ok || fail "mov: video packets differ"
d0=$(probe talk.mov a:0 stream=duration); d1=$(probe talk_mix.mov a:0 stream=duration)
near "$d0" "$d1" $frame && ok || fail "mov: audio lasts $d1, source $d0"

# --- --keep-stems, --codec, --bitrate ------------------------------------------
"$DD" -q -i film.mp4 -d 0:a:0 -m 0:a:1 -o stems.mkv --keep-stems --codec libopus --bitrate 64k || fail "keep-stems: exit $?"
[ "$(count stems.mkv a)" = 2 ] && ok || fail "keep-stems: $(count stems.mkv a) audio tracks, want mix + music"
[ "$(probe stems.mkv a:1 stream_tags=title)" = "Ducked music" ] && ok || fail "keep-stems: music track title"
[ "$(probe stems.mkv a:0 stream=codec_name)" = opus ] && ok || fail "--codec libopus ignored"
[ "$(probe stems.mkv a:1 stream_disposition=default)" = 0 ] && ok || fail "keep-stems: extra track marked default"
"$DD" -q -i film.mp4 -d 0:a:0 -m 0:a:1 -o stems.mp4 --keep-stems || fail "keep-stems mp4: exit $?"
[ "$(count stems.mp4 a)" = 2 ] && [ "$(probe stems.mp4 a:1 stream_tags=handler_name)" = "Ducked music" ] &&
    ok || fail "keep-stems mp4: track name"
"$DD" -q -i film.mp4 -d 0:a:0 -m 0:a:1 -o br.mp4 --bitrate 64k || fail "--bitrate exit $?"
br=$(probe br.mp4 a:0 stream=bit_rate)
awk -v b="$br" 'BEGIN { exit !(b > 40000 && b < 90000) }' && ok || fail "--bitrate 64k gave $br"

# --- effects from the container, stems at different rates -----------------------
$FF -i film.mp4 -i comment.wav -map 0 -map 1:a -c copy -c:a:2 aac -ar:a:2 22050 film3.mp4
if "$DD" -q -i film3.mp4 -d 0:a:0 -m 0:a:1 -e 0:a:2 -o out3.mp4 2>err.txt; then ok; else fail "effects stem: exit $?: $(cat err.txt)"; fi
[ "$(count out3.mp4 a)" = 1 ] && ok || fail "effects stem: $(count out3.mp4 a) audio streams"
[ "$(hash film3.mp4 v)" = "$(hash out3.mp4 v)" ] && ok || fail "effects stem: video packets differ"

# --- a stem starting 0.5 s after the others in its file keeps its offset -------
$FF -f lavfi -i testsrc=d=8:s=64x48:r=25 -i dlg.wav -itsoffset 0.5 -i music.wav \
    -map 0:v -map 1:a -map 2:a -c:v mpeg4 -c:a flac -t 8 late.mkv
"$DD" -q -i late.mkv -d 0:a:0 -m 0:a:1 -o late_out.mkv --music-out late_m.wav || fail "late stem: exit $?"
maxvol() { ffmpeg -nostdin -v info -i "$1" -af "atrim=$2:$3,volumedetect" -f null - 2>&1 | sed -n 's/.*max_volume: \(-*[0-9.inf]*\) dB/\1/p'; }
a=$(maxvol late_m.wav 0 0.45); b=$(maxvol late_m.wav 0.55 1)
awk -v a="$a" -v b="$b" 'BEGIN { exit !((a == "-inf" || a < -80) && b > -40) }' && ok ||
    fail "late stem: music before 0.5 s at $a dB, after at $b dB"

# --- MXF (MPEG-2 video, PCM) --------------------------------------------------------
$FF -f lavfi -i testsrc=d=4:s=320x240:r=25 -i dlg.wav -i music.wav -map 0:v -map 1:a -map 2:a \
    -t 4 -c:v mpeg2video -c:a pcm_s16le -ar 48000 -ac 1 film.mxf
if "$DD" -q -i film.mxf -d 0:a:0 -m 0:a:1 -o out.mxf 2>err.txt; then ok; else fail "mxf: exit $?: $(cat err.txt)"; fi
[ "$(hash film.mxf v)" = "$(hash out.mxf v)" ] && ok || fail "mxf: video packets differ"

# --- an audio-only output from a video input -----------------------------------
"$DD" -q -i film.mp4 -d 0:a:0 -m 0:a:1 -o audio.wav || fail "video to wav: exit $?"
[ "$(count audio.wav v)" = 0 ] && [ "$(count audio.wav a)" = 1 ] && ok || fail "video to wav: streams"
"$DD" -q -i film.mp4 -d 0:a:0 -m 0:a:1 -o audio.m4a || fail "video to m4a: exit $?"
[ "$(count audio.m4a v)" = 0 ] && [ "$(count audio.m4a s)" = 0 ] && [ "$(count audio.m4a a)" = 1 ] &&
    ok || fail "video to m4a: streams"

summary
