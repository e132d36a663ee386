# make eval, spectral part (sourced by run.sh after the scenes are scored):
# the core engine with --spectral against broadband on every scene, scored
# by spectral_score.c (music loudness kept during lines, masking
# protection, per-band gain steps).
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
#
# Uses run.sh's $OUT, $CC, $scenes, die(); needs $OUT/engine_run and each
# scene's engine.f32 (broadband) and dialogue48.f32.

UNMASK=10

spectral_eval() {
    $CC -std=c11 -O2 -Wall -Wextra -o "$OUT/spectral_score" \
        tests/eval/spectral_score.c tests/eval/raw_f32.c -lm ||
        die "cannot build spectral_score"
    sargs=
    for name in $scenes; do
        dir=$OUT/$name
        ch=$(spec_value "$dir/scene.spec" dialogue_channels)
        "$OUT/engine_run" --spectral "$ch" "$dir/dialogue48.f32" \
            "$dir/original.f32" "$dir/engine_spectral.f32" ||
            die "engine_run --spectral failed on scene $name"
        sargs="$sargs $dir/truth.txt $ch $dir/dialogue48.f32"
        sargs="$sargs $dir/original.f32 $dir/engine.f32 $dir/engine_spectral.f32"
    done
    cat <<EOT

Spectral ducking (core engine, defaults, band 300 Hz - 3.4 kHz) against
broadband ducking at the same depth, over the speech frames of each scene.
  drop     K-weighted loudness of the music during lines against the
           original, LU (bb: broadband, sp: spectral)
  kept     LU more music the spectral render keeps during lines
  unmask   frames where every band (24 ERB bands, 150 Hz - 8 kHz) in which
           the dialogue has energy has it $UNMASK dB over the music: the
           original music (0), broadband (bb) and spectral (sp) renders
  step     largest change of one band's gain between consecutive frames
           (bands within 30 dB of the music's loudest; with a fixed band
           this is the music moving under a 43 ms window across the
           slopes, not a change of gain: broadband gives 0 dB)
EOT
    # shellcheck disable=SC2086
    "$OUT/spectral_score" --unmask $UNMASK $sargs || die "spectral_score failed"
}

spectral_eval
