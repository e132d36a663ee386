# Scorer self-test, sourced by run.sh --selftest once the scenes are built.
# Applies hand-made gain envelopes to each scene's music with ffmpeg's
# volume filter (one 10 ms frame per evaluation) and checks that the
# scorer reports what each envelope must score.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).

. tests/lib.sh

# Gain expression in dB from a truth file: -15 dB trapezoids.
# envelope TRUTH KIND FIELDS: KIND is the truth rows to duck (phrase,
# speech or breath); FIELDS "down_start down_end up_start up_end" offsets
# in seconds relative to the row's start (first two) and end (last two).
envelope() { # TRUTH KIND DS DE US UE
    awk -v kind="$2" -v ds="$3" -v de="$4" -v us="$5" -v ue="$6" '
    $1 == kind {
        a = $2 + ds; b = $2 + de; c = $3 + us; d = $3 + ue
        s = sprintf("min(clip((t-%.3f)/%.3f,0,1),clip((%.3f-t)/%.3f,0,1))",
                    a, b - a, d, d - c)
        e = e == "" ? s : "max(" e "," s ")"
    }
    END { print "-15*" (e == "" ? "0" : e) }' "$1"
}

apply_envelope() { # DIR EXPR OUT.f32 [SAMPLES_PER_GAIN]
    ff -i "$1/music.wav" -af \
        "asetnsamples=n=${4:-480}:p=0,volume='pow(10,($2)/20)':eval=frame:precision=double" \
        -ac 2 -ar 48000 -f f32le "$3" || die "cannot apply envelope in $1"
}

# Scores the renders named (truth, original, ducked per scene) and sets
# the TOTAL fields.
score_total() { # LABEL TRUTH ORIGINAL DUCKED...
    label=$1; shift
    "$OUT/score" $verbose --depth $DEPTH --name "selftest: $label" "$@" \
        > "$TMP/$label.txt" || die "scorer failed"
    cat "$TMP/$label.txt"
    # TOTAL protected/onsets cover% kept% pumps/pauses ducks/breaths step
    # speech over
    set -- $(awk '$1 == "TOTAL" {
        gsub("[/%]", " "); print $2, $3, $4, $5, $6, $7, $8, $9, $10, $12 }' \
        "$TMP/$label.txt")
    protected=$1 onsets=$2 cover=$3 kept=$4 pumps=$5 pauses=$6
    ducks=$7 breaths=$8 step=$9 over=${10}
}

# Scores one envelope over all scenes; sets the TOTAL fields.
score_envelope() { # LABEL KIND DS DE US UE [KIND2 DS DE US UE]
    label=$1; shift
    args=
    for name in $scenes; do
        dir=$OUT/$name
        expr=$(envelope "$dir/truth.txt" "$1" "$2" "$3" "$4" "$5")
        if [ $# -gt 5 ]; then
            e2=$(envelope "$dir/truth.txt" "$6" "$7" "$8" "$9" "${10}")
            expr="min($expr,$e2)"
        fi
        apply_envelope "$dir" "$expr" "$dir/self_$label.f32" $SAMPLES
        args="$args $dir/truth.txt $dir/original.f32 $dir/self_$label.f32"
    done
    score_total "$label" $args
}

# compare A OP B with awk (floats)
is() { awk -v a="$1" -v b="$3" "BEGIN { exit !(a $2 b) }"; }
in_range() { is "$1" ">=" "$2" && is "$1" "<=" "$3"; }

# 1. An editor's envelope: down over 200 ms ending 50 ms before the onset,
#    held to 0.6 s after the phrase, up over 0.8 s. Meets every goal.
score_envelope ideal phrase -0.25 -0.05 0.6 1.4
expect "ideal: every onset protected" [ "$protected" = "$onsets" ]
expect "ideal: onsets counted" [ "$onsets" -ge 30 ]
expect "ideal: coverage 100 %" is "$cover" == 100
expect "ideal: music kept 100 %" is "$kept" == 100
expect "ideal: no pumps" [ "$pumps" = 0 ]
expect "ideal: pauses counted" [ "$pauses" -ge 30 ]
expect "ideal: no breath ducks" [ "$ducks" = 0 ]
expect "ideal: breaths counted" [ "$breaths" -ge 15 ]
expect "ideal: step 15 dB / 20 frames = 0.75 dB" is "$step" == 0.75

# 2. The same envelope 150 ms late: the fade ends 100 ms after the onset.
score_envelope late phrase -0.10 0.10 0.6 1.4
expect "late: no onset protected" [ "$protected" = 0 ]
expect "late: coverage below 100 %" is "$cover" "<" 100
expect "late: still no pumps" [ "$pumps" = 0 ]

# 3. Following each speech span with fast fades and no hold: the music
#    comes up in every pause long enough (> 6 dB above the depth needs
#    more than 60 ms of a 100 ms release), and a step of 15 dB / 3 frames.
score_envelope pumping speech -0.03 0 0 0.1
expect "pumping: pumps found" [ "$pumps" -ge 20 ]
expect "pumping: step 5 dB" is "$step" == 5

# 4. The ideal envelope plus a duck on every breath.
score_envelope breathy phrase -0.25 -0.05 0.6 1.4 breath -0.25 -0.05 0.1 0.9
expect "breathy: every breath ducked" [ "$ducks" = "$breaths" ]
expect "breathy: music kept below 98 %" is "$kept" "<" 98
expect "breathy: onsets still protected" [ "$protected" = "$onsets" ]

# 5. A hard switch at the onset: a 15 dB step inside one frame.
score_envelope hard phrase -0.01 0 0.6 0.61
expect "hard: step 15 dB" is "$step" == 15
expect "hard: onsets protected" [ "$protected" = "$onsets" ]

# 6. A fade of exactly 1 dB per 10 ms drawn in 1 ms steps (15 dB over
#    150 ms): the step reads the gain's change, not where the music's
#    energy sits inside a 10 ms frame (which read up to 1.8 dB here).
SAMPLES=48
score_envelope ramp phrase -0.2 -0.05 0.6 0.75
SAMPLES=
expect "ramp: step at least 0.95 dB" is "$step" ">=" 0.95
expect "ramp: step at most 1.05 dB" is "$step" "<=" 1.05

# 7. The envelope segments_duck draws (the silero-vad row's): the truth's
#    phrases as segments, through the engine's planner and renderer with
#    the fade-down ending 0.3 s before each: every goal met, and the
#    release (0.6 s hold, 0.8 s fade-up) read as the overhang. The same
#    segments 0.2 s late with no pre-roll protect no onset.
score_segments() { # LABEL DELAY PREROLL
    args=
    for name in $scenes; do
        dir=$OUT/$name
        awk -v d="$2" '$1 == "phrase" { print $2 + d, $3 + d }' \
            "$dir/truth.txt" > "$TMP/$1.seg"
        "$OUT/segments_duck" --preroll "$3" "$TMP/$1.seg" \
            "$dir/original.f32" "$dir/self_$1.f32" ||
            die "segments_duck failed in $dir"
        args="$args $dir/truth.txt $dir/original.f32 $dir/self_$1.f32"
    done
    score_total "$1" $args
}
if [ -x "$OUT/segments_duck" ]; then
    score_segments segments 0 0.3
    expect "segments: every onset protected" [ "$protected" = "$onsets" ]
    expect "segments: coverage 100 %" is "$cover" == 100
    expect "segments: music kept 100 %" is "$kept" == 100
    expect "segments: no pumps" [ "$pumps" = 0 ]
    expect "segments: no breath ducks" [ "$ducks" = 0 ]
    expect "segments: step within the goal (15 dB over 200 ms, <= 1.5 dB)" \
        is "$step" "<=" 1.5
    expect "segments: overhang over 1.3 s (hold + most of the release)" \
        is "$over" ">=" 1.3
    expect "segments: overhang under 1.45 s (hold + release)" \
        is "$over" "<=" 1.45
    score_segments segments_late 0.2 0
    expect "segments late: no onset protected" [ "$protected" = 0 ]
else
    echo "selftest: no segments_duck (core/ does not build): not checked" >&2
fi

# 8. The spectral scorer's step column (spectral_score.c): the per-band
#    gains of three renders of each scene by the program from hand-made
#    keyframes (--apply-keyframes): the fixed band (--spectral, set to
#    1-2 kHz) held at -15 dB over the whole scene, whose only moves are
#    the music's across the slopes of its transitions (under the goal);
#    broadband fades of 15 dB over 200 ms inside each phrase (the step
#    counts over speech only; 0.75 dB per 10 ms); and the fixed band jumping 15 dB within 10 ms 0.2 s into each
#    phrase and back at its end (a real step: more than twice the goal).
spectral_keys() { # TRUTH KIND > CSV: KIND held, fades or jump
    awk -v kind="$2" '
    function key(t, g) {
        while (n > 0 && t <= kt[n]) n--     # a duck that meets the last
        kt[++n] = t; kg[n] = g
    }
    $1 == "phrase" && kind == "fades" {
        key($2 + 0.1, 0); key($2 + 0.3, -15)
        key($3 - 0.3, -15); key($3 - 0.1, 0)
    }
    $1 == "phrase" && kind == "jump" {
        key($2 + 0.2, 0); key($2 + 0.21, -15); key($3, -15); key($3 + 0.01, 0)
    }
    END {
        if (kind == "held") { key(0, -15); key(1000, -15) }
        print "time_s,gain_db"
        for (i = 1; i <= n; i++) printf "%.3f,%.1f\n", kt[i], kg[i]
    }' "$1"
}
if [ -x "$DD" ]; then
    sargs=
    for name in $scenes; do
        dir=$OUT/$name
        ch=$(spec_value "$dir/scene.spec" dialogue_channels)
        ff -i "$dir/dialogue.wav" -ar 48000 -f f32le "$dir/dialogue48.f32" ||
            die "cannot decode $dir/dialogue.wav"
        sargs="$sargs $dir/truth.txt $ch $dir/dialogue48.f32 $dir/original.f32"
        for kind in held fades jump; do
            spectral_keys "$dir/truth.txt" $kind > "$TMP/$name.$kind.csv"
            band="--spectral --band 1000-2000"
            [ $kind = fades ] && band=
            rm -f "$TMP/$kind.wav"
            # shellcheck disable=SC2086
            "$DD" -d "$dir/dialogue.wav" -m "$dir/music.wav" --loudness off \
                $band -y -q \
                --apply-keyframes "$TMP/$name.$kind.csv" \
                --music-out "$TMP/$kind.wav" ||
                die "dialogueduck --apply-keyframes failed in $dir"
            to_f32 "$TMP/$kind.wav" "$dir/self_band_$kind.f32" 2
            sargs="$sargs $dir/self_band_$kind.f32"
        done
    done
    # shellcheck disable=SC2086
    "$OUT/spectral_score" --unmask 10 --depth "$DEPTH" $sargs \
        > "$TMP/spectral.txt" || die "spectral_score failed"
    cat "$TMP/spectral.txt"
    set -- $(awk '$1 == "all" { print $(NF - 2), $(NF - 1), $NF }' \
        "$TMP/spectral.txt")
    expect "spectral step: a band held at one gain reads under 1.5 dB ($1)" \
        is "$1" "<" 1.5
    expect "spectral step: 0.75 dB fades read 0.5-1.5 dB ($2)" \
        in_range "$2" 0.5 1.5
    expect "spectral step: a 15 dB jump in one band reads over 3 dB ($3)" \
        is "$3" ">" 3
else
    echo "selftest: no $DD (make): the spectral step not checked" >&2
fi

summary
