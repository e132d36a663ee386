# Benchmark inputs, generated once into $CACHE (sourced by run.sh).
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
#
#   dlg10.flac, mus10.flac     10-minute stereo 48 kHz stems
#   dlg10.wav, mus10.wav       the same as 16-bit WAV (the program's cases)
#   cont10.wav                 the dialogue with a -54 dBFS room-tone bed:
#                              continuous, no exact zeros
#   half10.wav                 cont10 with every other 10 s exact zeros
#                              (half digital silence, as editors export)
#   *.f32                      the WAVs decoded (raw float, for the engine)
#   dlg60.flac, mus60.flac     1-hour stems (cost per audio hour), and
#   dlg120.flac, mus120.flac   2-hour stems (cost per hour, peak memory):
#                              made by `make_stems long` only
#   film10.mp4                 10-minute testsrc H.264 video with the two
#                              stems as AAC tracks (dialogue a:0, music a:1)
#   one.flac                   1-second stem (per-job start-up cost)
#
# Dialogue: the speech Debian ships in pocketsphinx-testdata, each clip
# followed by a pause (short ones inside a phrase, long ones between
# lines), the whole pass looped. Music: lincity-ng-data's soundtrack,
# looped.

SPEECH="/usr/share/pocketsphinx/test/data/librivox/*.wav
/usr/share/pocketsphinx/test/data/cards/*.wav"
MUSIC_DIR=/usr/share/games/lincity-ng/music/default

ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }

# stem_dialogue OUT.wav: one pass of speech and pauses
stem_dialogue() {
    inputs= filters= labels= i=0
    for f in $SPEECH; do
        [ -f "$f" ] || die "missing $f: apt-get install pocketsphinx-testdata"
        # pauses cycle through 0.4 s (inside a phrase), 2.5 s and 6 s
        case $((i % 3)) in 0) pad=0.4 ;; 1) pad=2.5 ;; *) pad=6 ;; esac
        inputs="$inputs -i $f"
        filters="$filters[$i:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,apad=pad_dur=$pad[s$i];"
        labels="$labels[s$i]"
        i=$((i + 1))
    done
    [ "$i" -gt 0 ] || die "no speech found: apt-get install pocketsphinx-testdata"
    # shellcheck disable=SC2086
    ff $inputs -filter_complex "${filters}${labels}concat=n=$i:v=0:a=1" \
        -c:a pcm_s16le "$1"
}

stem_music() {
    set -- "$MUSIC_DIR"/*.ogg
    [ -f "$1" ] || die "missing $MUSIC_DIR/*.ogg: apt-get install lincity-ng-data"
    n=$# filters= labels= i=0
    while [ "$i" -lt "$n" ]; do
        filters="$filters[$i:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo[s$i];"
        labels="$labels[s$i]"
        i=$((i + 1))
    done
    # the file names have spaces: turn the list into -i FILE pairs in place
    for f; do set -- "$@" -i "$f"; shift; done
    ff "$@" -filter_complex "${filters}${labels}concat=n=$n:v=0:a=1" \
        -c:a pcm_s16le "$CACHE/mus_pass.wav"
}

# loop_to IN SECONDS OUT: loop IN to the duration, encode by OUT's extension
loop_to() {
    ff -stream_loop -1 -i "$1" -t "$2" -ar 48000 -ac 2 "$3"
}

make_stems() {
    mkdir -p "$CACHE" || die "cannot create $CACHE"
    if [ ! -f "$CACHE/dlg10.flac" ]; then
        echo "bench: generating 10-minute stems in $CACHE" >&2
        stem_dialogue "$CACHE/dlg_pass.wav" || die "cannot build the dialogue stem"
        loop_to "$CACHE/dlg_pass.wav" 600 "$CACHE/dlg10.tmp.flac" &&
            mv "$CACHE/dlg10.tmp.flac" "$CACHE/dlg10.flac" ||
            die "cannot build dlg10.flac"
    fi
    if [ ! -f "$CACHE/mus10.flac" ]; then
        stem_music || die "cannot build the music stem"
        loop_to "$CACHE/mus_pass.wav" 600 "$CACHE/mus10.tmp.flac" &&
            mv "$CACHE/mus10.tmp.flac" "$CACHE/mus10.flac" ||
            die "cannot build mus10.flac"
    fi
    rm -f "$CACHE/dlg_pass.wav" "$CACHE/mus_pass.wav"
    for s in dlg mus; do
        [ -f "$CACHE/${s}10.wav" ] || { ff -i "$CACHE/${s}10.flac" \
            -c:a pcm_s16le "$CACHE/${s}10.tmp.wav" &&
            mv "$CACHE/${s}10.tmp.wav" "$CACHE/${s}10.wav"; } ||
            die "cannot build ${s}10.wav"
    done
    if [ ! -f "$CACHE/cont10.wav" ]; then
        ff -i "$CACHE/dlg10.wav" \
            -f lavfi -i anoisesrc=color=pink:amplitude=0.002:r=48000:seed=7 \
            -filter_complex "[1]aformat=channel_layouts=stereo[n];[0][n]amix=inputs=2:normalize=0:duration=first" \
            -c:a pcm_s16le "$CACHE/cont10.tmp.wav" &&
            mv "$CACHE/cont10.tmp.wav" "$CACHE/cont10.wav" ||
            die "cannot build cont10.wav"
    fi
    if [ ! -f "$CACHE/half10.wav" ]; then
        ff -i "$CACHE/cont10.wav" -af "volume='lt(mod(t,20),10)':eval=frame" \
            -c:a pcm_s16le "$CACHE/half10.tmp.wav" &&
            mv "$CACHE/half10.tmp.wav" "$CACHE/half10.wav" ||
            die "cannot build half10.wav"
    fi
    for s in dlg cont half mus; do
        if [ ! -f "$CACHE/${s}10.f32" ]; then
            ff -i "$CACHE/${s}10.wav" -f f32le -ar 48000 -ac 2 \
                "$CACHE/${s}10.f32.tmp" &&
                mv "$CACHE/${s}10.f32.tmp" "$CACHE/${s}10.f32" ||
                die "cannot decode ${s}10.wav"
        fi
    done
    # the hour-long stems only for make bench-long (make_stems long)
    for s in dlg mus; do
        [ -n "${1:-}" ] || break
        for h in 60:5 120:11; do
            m=${h%:*} loops=${h#*:}
            if [ ! -f "$CACHE/${s}$m.flac" ]; then
                echo "bench: generating the $m-minute $s stem" >&2
                ff -stream_loop "$loops" -i "$CACHE/${s}10.flac" -c:a flac \
                    -f flac "$CACHE/${s}$m.flac.tmp" &&
                    mv "$CACHE/${s}$m.flac.tmp" "$CACHE/${s}$m.flac" ||
                    die "cannot build ${s}$m.flac"
            fi
        done
    done
    if [ ! -f "$CACHE/one.flac" ]; then
        ff -ss 30 -t 1 -i "$CACHE/dlg10.flac" "$CACHE/one.flac" ||
            die "cannot build one.flac"
    fi
    if [ ! -f "$CACHE/film10.mp4" ]; then
        echo "bench: generating the 10-minute video" >&2
        ff -f lavfi -i testsrc=size=640x360:rate=25 -i "$CACHE/dlg10.flac" \
            -i "$CACHE/mus10.flac" -t 600 -map 0:v -map 1:a -map 2:a \
            -c:v libx264 -preset veryfast -crf 28 -pix_fmt yuv420p \
            -c:a aac -b:a 160k -metadata:s:a:0 title=Dialogue \
            -metadata:s:a:1 title=Music -movflags +faststart \
            -f mp4 "$CACHE/film10.mp4.tmp" &&
            mv "$CACHE/film10.mp4.tmp" "$CACHE/film10.mp4" ||
            die "cannot build film10.mp4"
    fi
}
