# make eval, spectral part (sourced by run.sh after the scenes are scored):
# the core engine with the fixed band (--spectral) and adaptive carving
# (--adaptive) against broadband on every scene, scored by
# spectral_score.c (music loudness kept during lines, masking protection,
# per-band gain steps).
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
#
# Uses run.sh's $OUT, $DEPTH, $scenes, $verbose, die(); needs
# $OUT/engine_run, $OUT/spectral_score and each scene's engine.f32
# (broadband, at $DEPTH) and dialogue48.f32.

UNMASK=10

spectral_eval() {
    sargs=
    for name in $scenes; do
        dir=$OUT/$name
        ch=$(spec_value "$dir/scene.spec" dialogue_channels)
        for mode in spectral adaptive; do
            "$OUT/engine_run" --depth "$DEPTH" --$mode "$ch" \
                "$dir/dialogue48.f32" \
                "$dir/original.f32" "$dir/engine_$mode.f32" ||
                die "engine_run --$mode failed on scene $name"
        done
        sargs="$sargs $dir/truth.txt $ch $dir/dialogue48.f32"
        sargs="$sargs $dir/original.f32 $dir/engine.f32 $dir/engine_spectral.f32"
        sargs="$sargs $dir/engine_adaptive.f32"
    done
    cat <<EOT

Spectral ducking (core engine, defaults: band 300 Hz - 3.4 kHz; adaptive
carving to unmask $UNMASK dB) against broadband ducking at the same depth,
over the speech frames of each scene (depth $DEPTH dB). Goal for adaptive:
unmask >= 95 %, kept >= 6 LU, step <= 1.5 dB.
  drop     K-weighted loudness of the music during lines against the
           original, LU (bb: broadband, band: fixed band, adapt: adaptive)
  kept     LU more music the band or adaptive render keeps during lines
  unmask   frames where every band (24 ERB bands, 150 Hz - 8 kHz) in which
           the dialogue has energy has it $UNMASK dB over the music: the
           original music (orig) and the three renders. Adaptive carving
           never goes deeper than the depth, so broadband ducking at the
           same depth (bb) is the most it can reach.
  reach    the same share where every such band has the dialogue $UNMASK
           dB over the music OR the music at the depth (within 1 dB):
           what a ducker bounded by the depth can deliver (bb and adapt).
           unmask stays the goal's metric; reach says how much of what
           unmask misses is the depth bound, and how much is the ducker.
  step     largest change of one band's gain (render over original band
           energy) between consecutive 10 ms frames, where the original's
           band has energy enough for the ratio to read a gain (over -70
           dBFS, within 30 dB of the frame's whole music, 10 dB over what
           can leak in from beyond its edges) and holds steady (within
           4 dB over 50 ms either side): tests/eval/README.md. -v: where
           each render's largest step is.
EOT
    # shellcheck disable=SC2086
    "$OUT/spectral_score" $verbose --unmask $UNMASK --depth "$DEPTH" $sargs ||
        die "spectral_score failed"
}

spectral_eval
