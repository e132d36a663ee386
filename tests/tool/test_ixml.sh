#!/bin/sh
# iXML: the recorder's iXML chunk carried from the dialogue stem to the mix
# (-o) and from the music stem to its ducked version (--music-out) when
# they are WAV files, byte for byte, after the data chunk, the RIFF size
# fixed. FFmpeg neither reads nor writes the chunk, so it is checked here
# with readers of our own making in shell (od/dd walking the chunk list)
# and with MediaInfo, not with the program's reader; ffprobe checks that the
# file still reads the same (duration, bext, audio MD5). A chunk cut short
# or over 1 MiB is a warning and the output is written without it; an RF64
# source's chunk is found; a pipe gets none (a note at -v).
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"
for t in jq mediainfo; do
    command -v $t > /dev/null || { fail "$t not installed"; summary; exit 1; }
done

# le32 N / le64 N: N as little-endian bytes
le32() {
    printf "$(printf '\\%03o\\%03o\\%03o\\%03o' $(($1 & 255)) $(($1 >> 8 & 255)) \
        $(($1 >> 16 & 255)) $(($1 >> 24 & 255)))"
}
le64() { le32 $(($1 & 0xffffffff)); le32 $(($1 >> 32)); }
size() { wc -c < "$1" | tr -d ' '; }
u32() { od -A n -t u4 -j "$2" -N 4 "$1" | tr -d ' '; }
# poke FILE OFFSET: bytes from stdin written over FILE at OFFSET
poke() { dd of="$1" bs=1 seek="$2" conv=notrunc 2> /dev/null; }
bytes() { dd if="$1" bs=65536 iflag=skip_bytes,count_bytes skip="$2" count="$3" 2> /dev/null; }

# add_ixml WAV XMLFILE [DECLARED]: append an iXML chunk (declared size
# DECLARED, else the file's), set the RIFF size (RF64: the ds64 one)
add_ixml() {
    n=$(size "$2")
    { printf iXML; le32 "${3:-$n}"; cat "$2"; [ $((n % 2)) -eq 1 ] && printf '\000'; } >> "$1"
    if [ "$(bytes "$1" 0 4)" = RF64 ]; then
        le64 $(($(size "$1") - 8)) | poke "$1" 20
    else
        le32 $(($(size "$1") - 8)) | poke "$1" 4
    fi
}

# chunk FILE ID: "OFFSET SIZE" of the data of the first chunk ID, walking
# the RIFF chunk list from the header on; fails when there is none
chunk() {
    total=$(size "$1")
    pos=12
    while [ $((pos + 8)) -le "$total" ]; do
        id=$(bytes "$1" $pos 4)
        len=$(u32 "$1" $((pos + 4)))
        if [ "$id" = "$2" ]; then
            echo "$((pos + 8)) $len"
            return 0
        fi
        pos=$((pos + 8 + len + len % 2))
    done
    return 1
}

# same_ixml OUT XMLFILE: OUT holds XMLFILE as its iXML chunk, word-aligned,
# its RIFF size is its size - 8, MediaInfo lists the chunk
same_ixml() {
    if set -- "$1" "$2" $(chunk "$1" iXML); [ $# -eq 4 ]; then
        bytes "$1" "$3" "$4" > got.xml
        cmp -s got.xml "$2" && ok || fail "$1: its iXML differs from $2"
        [ $(($3 + $4 + $4 % 2)) -eq "$(size "$1")" ] && ok ||
            fail "$1: the iXML chunk is not the last, word-aligned one"
    else
        fail "$1: no iXML chunk"
    fi
    [ "$(u32 "$1" 4)" -eq $(($(size "$1") - 8)) ] && ok ||
        fail "$1: RIFF size $(u32 "$1" 4), file size $(size "$1")"
    mediainfo --Details=1 "$1" > mi.txt 2>&1
    grep -q "iXML ($(($(size "$2") + 8 + $(size "$2") % 2)) bytes)" mi.txt && ok ||
        fail "$1: MediaInfo does not list the iXML chunk: $(grep -i ixml mi.txt)"
}
no_ixml() {
    chunk "$1" iXML > /dev/null && fail "$1 has an iXML chunk" || ok
}
tag() { ffprobe -v error -show_entries format_tags -of json "$1" | jq -r ".format.tags.$2"; }
dur() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$1"; }
md5() { ffmpeg -nostdin -v error -i "$1" -map 0:a -f md5 - 2> /dev/null; }

# a sound recorder's iXML (two lines, an odd length) and a music editor's
cat > dlg.xml << 'EOF'
<?xml version="1.0" encoding="UTF-8"?>
<BWFXML><IXML_VERSION>2.10</IXML_VERSION><PROJECT>Duck</PROJECT><SCENE>12</SCENE><TAKE>3</TAKE><TAPE>D001</TAPE><TRACK_LIST><TRACK_COUNT>1</TRACK_COUNT><TRACK><CHANNEL_INDEX>1</CHANNEL_INDEX><NAME>Boom</NAME></TRACK></TRACK_LIST></BWFXML>
EOF
[ $(($(size dlg.xml) % 2)) -eq 1 ] || printf ' ' >> dlg.xml
printf '<?xml version="1.0"?><BWFXML><PROJECT>Duck</PROJECT><NOTE>M12 cue</NOTE></BWFXML>\n' > mus.xml

$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*220*(t-0.0042*cos(6*PI*t)))*between(mod(t\\,6)\\,2\\,4.5):s=48000:d=12" \
    -c:a pcm_s24le -write_bext 1 -metadata time_reference=172800000 \
    -metadata originator="Boom 2" dlg_plain.wav
$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*440*t)|0.2*sin(2*PI*330*t):s=48000:d=12" \
    -c:a pcm_s24le -write_bext 1 -metadata time_reference=172800000 \
    -metadata originator="Score stage" music_plain.wav
cp dlg_plain.wav dlg.wav && add_ixml dlg.wav dlg.xml
cp music_plain.wav music.wav && add_ixml music.wav mus.xml
# the shell writer is right: MediaInfo and ffprobe read the sources
same_ixml dlg.wav dlg.xml
expect "ffprobe reads the source with iXML" test "$(tag dlg.wav time_reference)" = 172800000

"$DD" -d dlg.wav -m music.wav -o mix.wav --music-out ducked.wav 2> err.txt ||
    fail "iXML stems: $(cat err.txt)"
same_ixml mix.wav dlg.xml
same_ixml ducked.wav mus.xml
# ffprobe still reads them: duration, bext
for f in mix.wav ducked.wav; do
    d=$(dur $f)
    [ "$d" = 12.000000 ] && ok || fail "$f: duration $d"
    [ "$(tag $f time_reference)" = 172800000 ] && ok || fail "$f: no bext after the iXML"
done
[ "$(tag ducked.wav encoded_by)" = "Score stage" ] && ok || fail "ducked.wav: bext originator"
# the audio is what it is without iXML
"$DD" -d dlg_plain.wav -m music_plain.wav -o mix_plain.wav --music-out ducked_plain.wav 2> err.txt ||
    fail "plain stems: $(cat err.txt)"
no_ixml mix_plain.wav
no_ixml ducked_plain.wav
[ "$(md5 mix.wav)" = "$(md5 mix_plain.wav)" ] && ok || fail "mix.wav: the audio changed with iXML"
[ "$(md5 ducked.wav)" = "$(md5 ducked_plain.wav)" ] && ok || fail "ducked.wav: the audio changed with iXML"
[ $(($(size mix.wav) - $(size mix_plain.wav))) -eq $((8 + $(size dlg.xml) + 1)) ] && ok ||
    fail "mix.wav: $(size mix.wav) bytes, without iXML $(size mix_plain.wav)"
# a loud target over a real song: the limiter costs loudness, the write
# pass checks the gain itself and starts the file again (output_reopen);
# the chunks are carried all the same
song="/usr/share/games/lincity-ng/music/default/01 - pronobozo - lincity.ogg"
$FF -ss 30 -t 12 -i "$song" -ar 48000 -c:a pcm_s24le song.wav
"$DD" -y -d dlg.wav -m song.wav -o mix_loud.wav --loudness -6 2> err.txt ||
    fail "iXML stems at -6 LUFS: $(cat err.txt)"
same_ixml mix_loud.wav dlg.xml
[ "$(tag mix_loud.wav time_reference)" = 172800000 ] && ok || fail "mix_loud.wav: no bext"
# the music's iXML does not go to the mix
"$DD" -d dlg_plain.wav -m music.wav -o mix_m.wav 2> err.txt || fail "music with iXML: $(cat err.txt)"
no_ixml mix_m.wav

# a chunk cut short by the end of the file: a warning, the output without it
cp dlg_plain.wav cut.wav && add_ixml cut.wav dlg.xml 5000
"$DD" -d cut.wav -m music_plain.wav -o mix_cut.wav 2> err.txt; rc=$?
[ $rc -eq 0 ] && [ -s mix_cut.wav ] && ok || fail "cut iXML: exit $rc: $(cat err.txt)"
grep -q "warning: cut.wav: iXML chunk cut short: 5000 bytes declared" err.txt && ok ||
    fail "cut iXML: no warning: $(cat err.txt)"
no_ixml mix_cut.wav
[ "$(md5 mix_cut.wav)" = "$(md5 mix_plain.wav)" ] && ok || fail "mix_cut.wav: the audio differs"
# over 1 MiB: the same
head -c 1048577 /dev/zero | tr '\0' x > big.xml
cp dlg_plain.wav big.wav && add_ixml big.wav big.xml
"$DD" -d big.wav -m music_plain.wav -o mix_big.wav 2> err.txt; rc=$?
[ $rc -eq 0 ] && [ -s mix_big.wav ] && ok || fail "big iXML: exit $rc: $(cat err.txt)"
grep -q "warning: big.wav: iXML chunk 1048577 bytes, over the 1048576-byte limit" err.txt && ok ||
    fail "big iXML: no warning: $(cat err.txt)"
no_ixml mix_big.wav
# -q: no warning
"$DD" -q -d big.wav -m music_plain.wav -o mix_big.wav -y 2> err.txt
[ -s err.txt ] && fail "-q: $(cat err.txt)" || ok

# an RF64 source (ds64 sizes): its iXML is found
$FF -i dlg_plain.wav -c:a pcm_s24le -rf64 always dlg64.wav
[ "$(bytes dlg64.wav 0 4)" = RF64 ] && ok || fail "ffmpeg did not write an RF64 file"
add_ixml dlg64.wav dlg.xml
"$DD" -d dlg64.wav -m music_plain.wav -o mix64.wav 2> err.txt || fail "RF64 source: $(cat err.txt)"
same_ixml mix64.wav dlg.xml

# a pipe cannot be patched: no iXML, a note at -v
"$DD" -v -d dlg.wav -m music_plain.wav -o - -f wav > piped.wav 2> err.txt ||
    fail "pipe: $(cat err.txt)"
grep -q "iXML of dlg.wav not carried: a WAV written to a pipe" err.txt && ok ||
    fail "pipe: no note: $(cat err.txt)"
grep -q iXML piped.wav && fail "piped.wav has iXML" || ok
[ "$(md5 piped.wav)" = "$(md5 mix_plain.wav)" ] && ok || fail "piped.wav: the audio differs"
# other containers: none (FLAC has no RIFF chunks)
"$DD" -d dlg.wav -m music.wav -o mix.flac --music-out ducked.flac 2> err.txt ||
    fail "FLAC: $(cat err.txt)"
grep -q BWFXML mix.flac ducked.flac && fail "FLAC output has the iXML" || ok

summary
