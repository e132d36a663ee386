#!/bin/sh
# The ablation table of tests/eval/README.md: the core engine (DDEngine
# streaming, defaults) rebuilt with one detector or planner feature
# switched off, scored on the scenes that need that feature, next to the
# full engine on the same scenes.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
#
#   sh tests/eval/run.sh           first: builds the scenes in build/eval
#   sh tests/eval/ablate.sh [-v]   then: one table per feature
#   ABLATE_ONLY=NAME sh tests/eval/ablate.sh   one feature only
#   sh tests/eval/ablate.sh --edits   only check that every edit still
#                                     matches core/ (make check runs it)
#   ABLATE_CORE=DIR sh tests/eval/ablate.sh --try [-v]
#                                   a changed copy of core/ against core/
#                                   on the standard set and the tune
#                                   half (seconds a run: a detector
#                                   change tried before make eval; the
#                                   held-out half stays for run.sh)
#
# Each variant is a copy of core/ under $OUT/ablate/NAME with one edit
# (sed or perl on a #define or a condition); core/ itself is never touched.
# An edit that no longer matches the source is an error, not a silent
# "no change".

TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
OUT=${EVAL_OUT:-build/eval}
CC=${CC:-cc}
verbose=
edits=
try=
for arg in "$@"; do
    case "$arg" in
    -v) verbose=-v ;;
    --edits) edits=1 ;;
    --try) try=1 ;;
    esac
done

die() { echo "ablate: $*" >&2; exit 1; }

[ -n "$edits" ] || [ -x "$OUT/score" ] ||
    die "run sh tests/eval/run.sh first (no $OUT/score)"
if [ -n "$edits" ]; then
    . "$TOP/tests/lib.sh"
    OUT=$TMP
fi

# variant NAME FILE PERL-EXPR [SOURCE]: a copy of core/ (or of SOURCE,
# as it is) with one edit, built.
variant() {
    dir=$OUT/ablate/$1
    rm -rf "$dir"
    mkdir -p "$dir" && cp -r "${4:-core}" "$dir/core" ||
        die "cannot copy ${4:-core}/"
    if [ "$1" != full ] && [ -z "${4:-}" ] &&
       ! perl -0pi -e "\$n = ($3); END { exit(\$n ? 0 : 1) }" \
            "$dir/core/$2"; then
        [ -n "$edits" ] || die "edit for $1 no longer matches core/$2"
        fail "ablation $1: its edit no longer matches core/$2"
        return
    fi
    if [ -n "$edits" ]; then
        [ "$1" = full ] || ok
        rm -rf "$dir"
        return
    fi
    $CC -std=c11 -O2 -I"$dir/core" -o "$dir/engine_run" \
        tests/eval/engine_run.c tests/eval/raw_f32.c "$dir"/core/*.c -lm ||
        die "variant $1 does not build"
}

# score_variant NAME LABEL SCENE...
score_variant() {
    name=$1 label=$2
    shift 2
    args=
    for s in "$@"; do
        d=$OUT/$s
        [ -f "$d/dialogue48.f32" ] || die "scene $s not built: run run.sh"
        ch=$(sed -n 's/^dialogue_channels //p' "$d/scene.spec")
        "$OUT/ablate/$name/engine_run" "$ch" "$d/dialogue48.f32" \
            "$d/original.f32" "$OUT/ablate/$name/$s.f32" ||
            die "engine_run failed on $s"
        args="$args $d/truth.txt $d/original.f32 $OUT/ablate/$name/$s.f32"
    done
    "$OUT/score" $verbose --depth -15 --name "$label" $args |
        sed -n '/^==/p;/^TOTAL/p;/^  /p'
}

# ablation NAME FILE EDIT WHAT SCENE...: the feature off, then the full
# engine on the same scenes.
ablation() {
    name=$1 file=$2 edit=$3 what=$4
    shift 4
    [ -z "${ABLATE_ONLY:-}" ] || [ "$ABLATE_ONLY" = "$name" ] || return 0
    variant "$name" "$file" "$edit"
    [ -z "$edits" ] || return 0
    echo
    echo "#### without $what ($*)"
    score_variant "$name" "without: $what" "$@"
    score_variant full "full engine" "$@"
}

variant full "" ""

if [ -n "$try" ]; then
    [ -f "${ABLATE_CORE:-}/dialogueduck_detect.c" ] ||
        die "--try needs ABLATE_CORE=DIR, a changed copy of core/"
    variant try "" "" "$ABLATE_CORE"
    for set in tests/eval/scenes tests/eval/hard/tune; do
        scenes=$(for f in "$set"/*.scene; do basename "$f" .scene; done)
        echo
        echo "#### $set"
        # shellcheck disable=SC2086 # one scene name per word
        score_variant try "$ABLATE_CORE" $scenes
        # shellcheck disable=SC2086
        score_variant full "core/" $scenes
    done
    exit 0
fi

ablation floor dialogueduck_detect.c \
    's/(#define MS_SUB_HOPS\s+)25/${1}100000/' \
    "a floor learned inside lines (minimum statistics; here the floor only falls)" \
    h1-buzz-midline h6-hum50-hvac
ablation smooth dialogueduck_detect.c \
    's/(#define SMOOTH_HOPS\s+)4/${1}1/' \
    "40 ms means for the floor (buzz peaks within single hops)" \
    h1-buzz-midline h6-hum50-hvac
ablation startfloor dialogueduck_detect.c \
    's/minstat_init\(&d->sib_floor, 0\.0\)/minstat_init(&d->sib_floor, ENERGY_MIN_DB)/ && s/if \(h < SMOOTH_HOPS - 1\)/if (0)/ && s/h - SMOOTH_HOPS \+ 2 : 1, h\)/h - SMOOTH_HOPS + 2 : h - SMOOTH_HOPS + 2, h)/' \
    "the floors at a stream's start read from the hops heard (off: unheard hops count as silence, the sibilant floor starts at -120 dB)" \
    h4-levels-short-word 7-edge-cases
ablation tonal dialogueduck_detect.c \
    's/(#define TONAL_SPREAD\s+)0.35/${1}0.0/' \
    "a moving pitch (any periodic sound confirms)" \
    h2-rings-foley h7-events
ablation above dialogueduck_detect.c \
    's/if \(tone_above_range\(d, start, v\.lag, c1, e0\)\)/if (0)/' \
    "a tone above the pitch range (its period found 2-4 times in the range is voicing)" \
    h2-rings-foley h7-events h10-crowd-bleed
ablation octave dialogueduck_detect.c \
    's/v = octave_below\(d, start, v, e0\);/v.voiced = 0;/' \
    "a reading taken for a tone above the range, read again an octave under it (a child's voice read at its 2nd harmonic)" \
    h17-quiet-children-noise h18-lines-after-impacts h2-rings-foley h12-oxygen-chimes h11-ui-sounds
ablation flatmin dialogueduck_detect.c \
    's/(#define FLAT_MIN\s+)0.04/${1}0.0/' \
    "a held note read at short periods to what the parabola resolves (FLAT_MIN, 0.04 samples; off: FLAT_STEP of the period alone, 0.016 samples at a 490 Hz chime)" \
    h27-digits-one-at-a-time-hum h33-sounds-after-lines h17-quiet-children-noise h14-words-one-at-a-time
ablation glide dialogueduck_detect.c \
    's/(#define GLIDE_STEP\s+)0.04/${1}1e9/' \
    "a gliding pitch (a jump between two tones counts as movement)" \
    h2-rings-foley h7-events
ablation heldnote dialogueduck_detect.c \
    's/held = held_note\(d\);/held = 0;/' \
    "a held note (a melody holds each note's period flat: the sound needs a 12-hop glide)" \
    h11-ui-sounds h12-oxygen-chimes
ablation steady dialogueduck_detect.c \
    's/(#define STEADY_HOPS\s+)20/${1}1000000/' \
    "a note that stands still (voiced 200 ms without a glide, its period warbling: a chorus) counts as held" \
    h11-ui-sounds h12-oxygen-chimes
ablation heldtone dialogueduck_detect.c \
    's/return d->melodic && d->glide_voiced_run > SUSTAIN_HOPS;/return 0;/' \
    "a held tone's glide is its own (a sound that held a note and stays voiced over 300 ms on end confirms after a 12-hop glide)" \
    h12-oxygen-chimes h11-ui-sounds
ablation toneend dialogueduck_detect.c \
    's/if \(!d->voiced_bits && sustained\(d\)\)\n\s+d->glide_run = 0;[^\n]*\n//' \
    "a held tone's glides end with it (off: the hop its voicing drains out of the span confirms them: a xylophone's run, on the floor after its last note)" \
    h35-instrument-notes-jingles h12-oxygen-chimes h11-ui-sounds h17-quiet-children-noise
ablation attack dialogueduck_detect.c \
    's/(#define GLIDE_HOLD\s+)6/${1}1/' \
    "a glide at a sound's attack waits 6 hops (a note settling onto its pitch confirms at once)" \
    h11-ui-sounds h12-oxygen-chimes
ablation clean dialogueduck_detect.c \
    's/(#define CLEAN_CORR\s+)0.8 /${1}0.0 /' \
    "a clean period in a glide (a chord, a pad or a bell's inharmonic partials sliding together confirm as a voice)" \
    h12-oxygen-chimes h11-ui-sounds h2-rings-foley h17-quiet-children-noise
ablation cleansnr dialogueduck_detect.c \
    's/CLEAN_CORR \* \(1\.0 - pow\(10\.0, -snr \/ 10\.0\)\)/CLEAN_CORR/' \
    "a clean period judged against its own SNR (off: a fixed CLEAN_CORR, whatever the noise under the voice)" \
    h17-quiet-children-noise h12-oxygen-chimes h11-ui-sounds h2-rings-foley h16-game-foley
ablation whispernear dialogueduck_detect.c \
    's/return d->hops - d->nuc\.last <= SYL_MAX_HOPS \|\|/return 0 \&\& d->hops - d->nuc.last <= SYL_MAX_HOPS ||/' \
    "a rough glide near a whispered syllable confirms (off: whispers wait for a rhythm of nuclei)" \
    h13-whisper-ends h14-words-one-at-a-time h3-whispers
ablation whisperrun dialogueduck_detect.c \
    's/d->glide_voiced_run < WHISPER_RUN/1/' \
    "a rough glide voiced 160 ms on end is no whisper's (a gun's barrels spinning up confirm near the hump of their shots)" \
    h18-lines-after-impacts h16-game-foley h13-whisper-ends h14-words-one-at-a-time h3-whispers
ablation sustained dialogueduck_detect.c \
    's/ &&\n\s+d->nuc\.len <= SYL_MAX_HOPS\);/);/' \
    "a hump held over 0.5 s is no whispered syllable (a rough glide in a siren, a crowd or a long jingle confirms)" \
    h16-game-foley h13-whisper-ends h14-words-one-at-a-time h3-whispers
ablation depth dialogueduck_detect.c \
    's/d->rhythm\.new && syllabic_depth\(&d->rhythm\)/d->rhythm.new/' \
    "syllabic depth (off: a rhythm of nuclei confirms however shallow the valley between them: a roar's ripples)" \
    h16-game-foley h3-whispers h13-whisper-ends h14-words-one-at-a-time 7-edge-cases
ablation cleansyl dialogueduck_detect.c \
    's/lag = clean_period\(d, v\) \? v\.lag :/lag = v.voiced ? v.lag :/' \
    "a spoken line's syllables are cleanly voiced (off: any voiced reading at the nucleus)" \
    h15-applause-walla h13-whisper-ends h14-words-one-at-a-time h3-whispers h17-quiet-children-noise
ablation roughline dialogueduck_detect.c \
    's/d->line_voiced = d->glide_clean;/d->line_voiced = 1;/' \
    "a line confirmed by a rough glide is whispered (off: spoken, its syllables must be cleanly voiced)" \
    h13-whisper-ends h14-words-one-at-a-time h3-whispers h15-applause-walla h17-quiet-children-noise
ablation held dialogueduck_detect.c \
    's/if \(deadline - d->hops < HOLD_MIN && !d->glide_note\)/if (1)/' \
    "a line confirmed on a glide is held back until it breaks its voice, had a consonant or moved its pitch 15 % without holding a note (off: it starts at once)" \
    h12-oxygen-chimes h16-game-foley h13-whisper-ends h14-words-one-at-a-time h17-quiet-children-noise h18-lines-after-impacts
ablation turn dialogueduck_detect.c \
    's/pitch_spans\(d\) && pitch_turns\(d\) && one_track\(d\)/pitch_spans(d) \&\& one_track(d)/' \
    "a held start's pitch must turn back 4 % as well as span 15 % (off: a slide or a sweep that spans 15 % one way commits)" \
    h16-game-foley h12-oxygen-chimes h13-whisper-ends h14-words-one-at-a-time h17-quiet-children-noise h18-lines-after-impacts
ablation mains dialogueduck_detect.c \
    's/(#define HUM_DB\s+)3\.0/${1}1000.0/' \
    "the band read with the mains (50 or 60 Hz and every harmonic) combed out where that takes 3 dB off its floor for 1.5 s (off: as it is, hum and all)" \
    h27-digits-one-at-a-time-hum h1-buzz-midline h6-hum50-hvac
ablation whine dialogueduck_detect.c \
    's/if \(found->floor.floor_db <= t->floor.floor_db - HUM_DB\)/if (0)/' \
    "the band read through a comb at a period found in the floor between lines (a whine) where that takes 3 dB more off than the mains combs (off: the mains combs only)" \
    h31-words-fan-whine h32-words-whine-midline h27-digits-one-at-a-time-hum h1-buzz-midline h6-hum50-hvac
ablation whinevoice dialogueduck_detect.c \
    's/d->voice_found = t != &d->raw && d->comb.pitched;/d->voice_found = 0;/' \
    "the voicing read through the whine's comb where the floor, low-passed as the voicing reads it, repeats in the pitch range (off: the voicing as it is, whine and all)" \
    h31-words-fan-whine h32-words-whine-midline
ablation track dialogueduck_detect.c \
    's/pitch_turns\(d\) && one_track\(d\) &&/pitch_turns(d) \&\&/' \
    "a held start's voiced readings follow one pitch track (3 steps in 4 under 10 %, an octave taken out; off: readings that jump between a bell's partials span and turn too)" \
    h29-telephone-prompts h30-children-street-walla h16-game-foley h12-oxygen-chimes h17-quiet-children-noise h4-levels-short-word
ablation afterdrop dialogueduck_detect.c \
    's/d->pend_after_drop = d->dropped > 0 && ev->onset_hop <= d->dropped;/d->pend_after_drop = 0;/' \
    "a sound that goes on from a dropped start commits only on a break the voice comes back from (off: judged as any held start: its pitch, a consonant, any break, its end too)" \
    h16-game-foley h12-oxygen-chimes
ablation resume dialogueduck_detect.c \
    's/int after = d->prev_end >= 0 &&\n\s+d->hops - d->prev_end <= RESUME_HOPS \+ SYL_MAX_HOPS;/int after = 0;/' \
    "a line resumed by its syllables after a pause under the hold (they need a rhythm of their own)" \
    h13-whisper-ends h3-whispers
ablation lineshort dialogueduck_detect.c \
    's/(#define NUC_LINE_HOPS\s+)5/${1}8/' \
    "50 ms syllables go on a line (a nucleus in a line needs 80 ms, as out of it)" \
    h13-whisper-ends h3-whispers
ablation vowel dialogueduck_detect.c \
    's/(#define NUC_LOW_DB\s+)-10.0/${1}-200.0/' \
    "a vowel's energy under 1 kHz in a nucleus (any burst counts towards rhythm)" \
    h2-rings-foley h7-events h3-whispers h8-whisper-child
ablation inline dialogueduck_detect.c \
    's/glides = voicing_evidence\(d, above && \(h - d->last_evidence > read_from \|\|\n\s+d->resume_held\)\);/glides = above \&\& h % 4 == 0 \&\& h - d->last_evidence > read_from \&\& voiced_hop(d).voiced;/' \
    "the same evidence in a line as for a start (one voiced hop, read every 4th, keeps a line)" \
    h1-buzz-midline h5-street-bleed h10-crowd-bleed
ablation linelevel dialogueduck_detect.c \
    's/(#define LINE_RANGE\s+)25.0/${1}1e9/' \
    "the line's own level (anything over the floor may hold a line)" \
    h1-buzz-midline h5-street-bleed h10-crowd-bleed
ablation nucwalk dialogueduck_detect.c \
    's/if \(cause == LINE_GLIDE && ev->onset_hop == from/if (0 \&\& ev->onset_hop == from/' \
    "a walk-back cut by its cap goes on from the syllable nucleus before it (a whispered first syllable)" \
    h13-whisper-ends h3-whispers
ablation whisperfirst dialogueduck_detect.c \
    's/if \(cause == LINE_GLIDE && !d->glide_clean\) \{/if (0) {/' \
    "a whispered line found by a rough glide on its second word starts at its first (a nucleus up to 1.2 s before)" \
    h32-words-whine-midline h26-prompts-street-foley h13-whisper-ends h3-whispers
ablation vindicate dialogueduck_detect.c \
    's/if \(d->dropped_rough && from < d->dropped\)/if (0)/' \
    "a whisper dropped for want of a break is the line's first word when the rhythm of its words shows it (off: no onset walks back into a dropped sound)" \
    h26-prompts-street-foley h32-words-whine-midline h13-whisper-ends h3-whispers
ablation rhythm dialogueduck_detect.c \
    's/return d->rhythm\.new && syllabic_depth\(&d->rhythm\) &&\n\s+rhythm_sharp\(&d->rhythm\) \? LINE_RHYTHM : 0;/return 0;/ && s/if \(d->nuc\.new && syllable\)\n\s+return LINE_SYLLABLES;//' \
    "syllabic rhythm (only voicing confirms)" \
    h3-whispers h8-whisper-child
ablation rhythmmeans dialogueduck_detect.c \
    's/track_nuclei\(d, &d->rhythm, d->mean_db,/track_nuclei(d, \&d->rhythm, e,/' \
    "the rhythm read on 40 ms means (off: on each hop's energy, as the nuclei in a line: a whispered word breaks into short humps)" \
    h3-whispers h13-whisper-ends h26-prompts-street-foley h27-digits-one-at-a-time-hum h28-children-whispers-bleed h15-applause-walla h16-game-foley
ablation rhythmvoiced dialogueduck_detect.c \
    's/return !d->melodic && \(d->voiced_bits & 3\) == 3 &&/return 0 \&\& (d->voiced_bits \& 3) == 3 \&\&/' \
    "the rhythm's nuclei count voiced hops at a steady period in a sound that never held a note (off: unvoiced hops only)" \
    h27-digits-one-at-a-time-hum h28-children-whispers-bleed h14-words-one-at-a-time h16-game-foley h12-oxygen-chimes h2-rings-foley
ablation rhythmwords dialogueduck_detect.c \
    's/(#define RHYTHM_MAX_HOPS\s+)120/${1}50/' \
    "words said one at a time, 0.5-1.2 s apart, are a rhythm (off: nuclei 0.5 s apart at most, 2 Hz)" \
    h3-whispers h27-digits-one-at-a-time-hum h28-children-whispers-bleed h14-words-one-at-a-time h15-applause-walla h16-game-foley h26-prompts-street-foley h32-words-whine-midline
ablation voicedsyl dialogueduck_detect.c \
    's/if \(!d->line_voiced\)\n(\s+)return 1;/if (1)\n${1}return 1;/' \
    "a spoken line's syllables are voiced (any vowel-shaped nucleus goes on a line or resumes it)" \
    h15-applause-walla h13-whisper-ends h3-whispers
ablation wordalone dialogueduck_detect.c \
    's/return d->word_alone = !v\.voiced/return d->word_alone = 0 \&\& !v.voiced/' \
    "an unvoiced word after a pause is a spoken line's (only voiced nuclei go on it or resume it)" \
    h14-words-one-at-a-time h15-applause-walla h13-whisper-ends h3-whispers
ablation wordunvoiced dialogueduck_detect.c \
    's/!v\.voiced && !v\.tone && rose_from_floor\(d\);/rose_from_floor(d);/' \
    "a word of its own after a pause is unvoiced where it completes, neither voiced nor a tone above the pitch range (off: any nucleus that rose from the floor; a message tone right after a line resumes it)" \
    h33-sounds-after-lines h14-words-one-at-a-time h13-whisper-ends h3-whispers
ablation resumevoice dialogueduck_detect.c \
    's/line_syllable\(d\) &&\n\s+\(!d->line_voiced \|\| d->word_alone \|\| d->glide_run \|\|\n\s+same_voice\(d\)\);/line_syllable(d);/' \
    "after a spoken line, a cleanly voiced syllable resumes it only where the pitch glides or it is at the period of the line's voice (off: any clean nucleus; a chime is as clean)" \
    h33-sounds-after-lines h32-words-whine-midline h14-words-one-at-a-time h15-applause-walla
ablation samevoice dialogueduck_detect.c \
    's/ \|\|\n\s+same_voice\(d\)\);/);/' \
    "... or at the period of the line's voice (off: a glide only; a word after a pause that holds its pitch is lost)" \
    h32-words-whine-midline h33-sounds-after-lines h14-words-one-at-a-time
ablation voiceinline dialogueduck_detect.c \
    's/if \(!same_voice\(d\) && !d->glide_run\)\n(\s+)return 0;/if (0)\n${1}return 0;/' \
    "in a spoken line, a clean syllable goes on it only at its voice's period or in a glide (off: any clean nucleus; with the room floor below, a tone struck in the hangover holds the line: the unit case test_message_tone_after_line 2 of 10 lines held without it, 1 with)" \
    h33-sounds-after-lines h35-instrument-notes-jingles h36-reverberant-room h14-words-one-at-a-time h29-telephone-prompts
ablation roomfloor dialogueduck_detect.c \
    's/if \(d->in_speech\)\n(\s+)d->floor_db = fmin\(/if (0)\n${1}d->floor_db = fmin(/' \
    "in a line, the floor rises no higher than LINE_RANGE under its loudest hop (off: the minimum statistics alone; a live room's reverberation becomes floor and a long line ends mid-sentence)" \
    h36-reverberant-room h1-buzz-midline h32-words-whine-midline h5-street-bleed h28-children-whispers-bleed
ablation onset dialogueduck_detect.c \
    's/(#define ONSET_RISE_DB\s+)8.0/${1}-1000.0/ && s/(#define RHYTHM_RISE_DB\s+)6.0/${1}-1000.0/ && s/(#define RHYTHM_SHARP_DB\s+)10.0/${1}-1000.0/' \
    "a nucleus starts with a syllable's onset, its 40 ms means rising 8 dB within 50 ms (6 dB for a rhythm's) (off: any hump; a gust of wind swells over a quarter of a second)" \
    h37-wind-gusts h33-sounds-after-lines h13-whisper-ends h27-digits-one-at-a-time-hum h14-words-one-at-a-time h3-whispers
ablation rhythmsharp dialogueduck_detect.c \
    's/(#define RHYTHM_SHARP_DB\s+)10.0/${1}-1000.0/' \
    "of a rhythm's two nuclei, one rises 10 dB within 50 ms (off: 6 dB each; two gusts of wind in a row confirm a whispered line: the unit case test_wind_alone 11 of 20 winds open a region without it, 4 with it)" \
    h37-wind-gusts h3-whispers h13-whisper-ends h27-digits-one-at-a-time-hum h28-children-whispers-bleed h14-words-one-at-a-time
ablation wordspan dialogueduck_detect.c \
    's/d->line_voiced && !d->word_alone \?/d->line_voiced ?/' \
    "an unvoiced word of its own vouches for 1 s (0.5 s, as a voiced syllable of a spoken line)" \
    h14-words-one-at-a-time h15-applause-walla h13-whisper-ends h3-whispers
ablation firstsyllable dialogueduck_detect.c \
    's/\n    ev->onset_hop = first_syllable\(d, ev->onset_hop\);//' \
    "an onset goes on back to a voiced syllable that ends at most 100 ms before it (off: the walk-back stops at its 400 ms cap or in a stop's closure)" \
    h29-telephone-prompts h18-lines-after-impacts h26-prompts-street-foley h28-children-whispers-bleed h31-words-fan-whine h15-applause-walla
ablation syllableclean dialogueduck_detect.c \
    's/d->in_speech       \? 0\.0 : syllable_clean_lag\(d\);/0.0;/' \
    "after a line, a syllable is clean when one of its hops read clean (off: only where its nucleus completes; a word read there an octave off does not resume its line)" \
    h43-words-kids-buzz-city h31-words-fan-whine h14-words-one-at-a-time h27-digits-one-at-a-time-hum h33-sounds-after-lines h35-instrument-notes-jingles
ablation firstword dialogueduck_detect.c \
    's/\n    if \(d->line_voiced && cause != LINE_RESUMED && d->line_lag > 0\.0\)\n\s+ev->onset_hop = first_word\(d, ev->onset_hop\);//' \
    "a spoken line starts at the short words before it, each in the voice of the next and at most 1 s before it (off: at the word it was found on; a word too flat to glide, said apart, is left out)" \
    h31-words-fan-whine h17-quiet-children-noise h14-words-one-at-a-time h27-digits-one-at-a-time-hum h16-game-foley h18-lines-after-impacts
ablation resumedspan dialogueduck_detect.c \
    's/if \(cause == LINE_SYLLABLES \|\| \(cause == LINE_RESUMED && !d->word_alone\)\)\n\s+d->resumed_span = d->line_voiced \? SPOKEN_RESUME_HOPS\n\s+: RESUMED_EVIDENCE_HOPS;\n\s+else\n\s+//' \
    "a line one syllable resumed after its end vouches for 0.25 s until another comes (off: 0.5 s, or 1 s in a whispered line; a piano note, a message tone or a gust that resumed a line held it on)" \
    h33-sounds-after-lines h35-instrument-notes-jingles h37-wind-gusts h29-telephone-prompts h14-words-one-at-a-time h13-whisper-ends h3-whispers
ablation syllablesspan dialogueduck_detect.c \
    's/if \(cause == LINE_SYLLABLES \|\| \(/if ((/' \
    "... and so does one found again by its syllables, a nucleus in the rhythm of its last (off: 1 s, as a whispered line's; a game sound struck 0.15 s after a line held it on)" \
    h41-sentences-hvac-arcade h33-sounds-after-lines h40-prompts-game-sounds-hum h13-whisper-ends h3-whispers h14-words-one-at-a-time
ablation spokenresume dialogueduck_detect.c \
    's/d->line_voiced \? SPOKEN_RESUME_HOPS\n\s+: RESUMED_EVIDENCE_HOPS;/RESUMED_EVIDENCE_HOPS;/' \
    "... 0.1 s when the line that ended was spoken (off: 0.25 s, as a whispered line's; a piano note, a game sound or a train that brought a spoken line back held it on)" \
    h35-instrument-notes-jingles h41-sentences-hvac-arcade h43-words-kids-buzz-city h33-sounds-after-lines h14-words-one-at-a-time h27-digits-one-at-a-time-hum h31-words-fan-whine
ablation pausevowel dialogueduck_detect.c \
    's/d->paused && d->line_voiced && !d->word_alone \?\n\s+SPOKEN_RESUME_HOPS : 0;/0;/' \
    "... and so does a spoken line's syllable after a pause of 0.1 s at the floor (off: 0.5 s, as any syllable in the line; a tone struck in a line's hangover at its voice's period held it on)" \
    h33-sounds-after-lines h28-children-whispers-bleed h14-words-one-at-a-time h27-digits-one-at-a-time-hum h31-words-fan-whine h35-instrument-notes-jingles h15-applause-walla
ablation unvoicedline dialogueduck_detect.c \
    's/\+\+d->unvoiced_run >= UNVOICED_NUCLEI/0/' \
    "a spoken line whose next two nuclei in rhythm read unvoiced is whispered from there on (off: spoken to its end; a whispered line that read clean where it was confirmed lost its unvoiced syllables and pumped)" \
    h40-prompts-game-sounds-hum h15-applause-walla h13-whisper-ends h3-whispers h28-children-whispers-bleed h37-wind-gusts h42-languages-street-blips
ablation futzlow dialogueduck_detect.c \
    's/fmin\(NUC_LOW_DB, 10\.0 \* log10\(d->voice_low\) - VOICE_LOW_MARGIN\)/NUC_LOW_DB/' \
    "a nucleus is a vowel's up to 6 dB under the share of the stem's lines under 1 kHz (off: under NUC_LOW_DB alone; a radio's futz leaves its quiet and whispered lines' syllables none)" \
    h49-radio-chatter-battle h29-telephone-prompts h3-whispers h28-children-whispers-bleed h2-rings-foley h18-lines-after-impacts h16-game-foley
ablation humhop dialogueduck_detect.c \
    's/if \(d->word_alone\) \{\n(\s+)double combed/if (0) {\n$1double combed/' \
    "a line an unvoiced word of its own resumed goes on only on hops a comb does not take 6 dB off (off: a buzz that starts in that word holds the line on for as long as the word vouches)" \
    h48-quiet-words-hum-inside h1-buzz-midline h27-digits-one-at-a-time-hum h43-words-kids-buzz-city h14-words-one-at-a-time h28-children-whispers-bleed h40-prompts-game-sounds-hum
ablation longglide dialogueduck_detect.c \
    's/\(!sustained\(d\) \|\| d->glide_run >= SUSTAIN_HOPS\)/!sustained(d)/' \
    "a glide that goes on for 0.3 s confirms even in a sound voiced on end since it held a note (off: a sustained tone's glide never does; a long vowel whose level start read as a note was not found)" \
    h48-quiet-words-hum-inside h12-oxygen-chimes h11-ui-sounds h35-instrument-notes-jingles h17-quiet-children-noise h16-game-foley h40-prompts-game-sounds-hum
ablation droppedword dialogueduck_detect.c \
    's/d->dropped_voice = d->line_voiced && d->last_above < h \? d->line_lag\n\s+: 0.0;/d->dropped_voice = 0.0;/' \
    "a voiced word held and dropped after its sound ended is the first word of a spoken line that comes in its voice within 1 s (off: the line starts after the drop; a letter said alone at one pitch lost its onset)" \
    h45-syllables-czech-setswana-street h44-letters-words-hum-foley h14-words-one-at-a-time h27-digits-one-at-a-time-hum h31-words-fan-whine h43-words-kids-buzz-city h18-lines-after-impacts
ablation resumehold dialogueduck_detect.c \
    's/else if \(cause == LINE_RESUMED && d->word_alone\)\n\s+hold_resume\(d, ev\);\n//' \
    "a spoken line an unvoiced word of its own resumed is held back until it goes on (another syllable, a clean hop in its voice, the next word before the planner's time runs out) (off: resumed at once; an explosion, a game sound or a cello's note right after a line held it on)" \
    h35-instrument-notes-jingles h40-prompts-game-sounds-hum h41-sentences-hvac-arcade h14-words-one-at-a-time h31-words-fan-whine h27-digits-one-at-a-time-hum h12-oxygen-chimes
ablation notesounding dialogueduck_detect.c \
    's/if \(!d->pend_after_drop && !d->glide_note\)/if (!d->pend_after_drop)/' \
    "a glide that began in a note already sounding at its period is not committed by a break (off: an electric piano's decay 1.2 s into its note committed it)" \
    h35-instrument-notes-jingles h31-words-fan-whine h16-game-foley h12-oxygen-chimes h27-digits-one-at-a-time-hum
ablation firstwordended dialogueduck_detect.c \
    's/ &&\s*!\(d->rhythm\.up && d->rhythm\.start <= first\)//' \
    "a whispered line's first word, found before a rough glide, is a nucleus that ended before it (off: any, even the hump still going on: an explosion's roar, dropped once, walked back into itself)" \
    h40-prompts-game-sounds-hum h13-whisper-ends h3-whispers h26-prompts-street-foley h28-children-whispers-bleed
ablation holdstoodout dialogueduck_detect.c \
    's/while \(stood_out < d->hops &&/while (0 \&\&/' \
    "a held line's time counts from where its sound stood out of the floor (off: from its onset, walked back into room tone that wanders over the floor)" \
    h41-sentences-hvac-arcade h37-wind-gusts h5-street-bleed h26-prompts-street-foley h29-telephone-prompts
ablation voicedspan dialogueduck_detect.c \
    's/(#define VOICED_EVIDENCE_HOPS\s+)50/${1}100/' \
    "a spoken line's evidence vouches for 0.5 s (1 s, as a whispered line's)" \
    h15-applause-walla h1-buzz-midline h5-street-bleed h13-whisper-ends
ablation evidence dialogueduck_detect.c \
    's/(#define EVIDENCE_HOPS\s+)100/${1}100000000/ && s/(#define VOICED_EVIDENCE_HOPS\s+)50/${1}100000000/' \
    "the end by evidence (energy over the floor alone keeps a line open)" \
    h1-buzz-midline h2-rings-foley h6-hum50-hvac h7-events
ablation sibilant dialogueduck_detect.c \
    's/d->sibilant = brate >= 3 \* SIB_HZ;/d->sibilant = 0;/' \
    "the sibilant band in the walk-back (a line opening on an 's' under hum)" \
    h6-hum50-hvac h4-levels-short-word 7-edge-cases
ablation walkback dialogueduck_analyze.c \
    's/(#define WALKBACK_HOPS\s+)40/${1}0/' \
    "the walk-back to the first syllable" \
    7-edge-cases h4-levels-short-word h9-languages
ablation shorten dialogueduck_plan.c \
    's/if \(left >= pl->attack\)/if (1)/' \
    "shortened late fades (a late fade is shifted past the onset)" \
    h3-whispers h4-levels-short-word h8-whisper-child
[ -z "$edits" ] || summary
