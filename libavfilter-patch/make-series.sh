#!/bin/sh
# Generates the af_dialogueduck patch series for each FFmpeg release branch.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
#
# Usage:
#   sh libavfilter-patch/make-series.sh [BRANCH...]
#       regenerate libavfilter-patch/series/BRANCH/*.patch (default: all
#       branches pinned in ffmpeg-src.sh) from core/, the glue, the docs,
#       the FATE definitions and fate-refs/
#   sh libavfilter-patch/make-series.sh --out DIR [BRANCH...]
#       write the series under DIR/BRANCH/ instead
#   sh libavfilter-patch/make-series.sh --tree FFMPEG_DIR --out DIR NAME
#       a series against any FFmpeg tree (FFmpeg's master, say) instead of
#       a pinned release: written to DIR/NAME/, to apply with git am there
#   sh libavfilter-patch/make-series.sh --print-new DIR
#       write only what the series adds (new files, and the text inserted
#       into FFmpeg's files under DIR/.inserts/), without any FFmpeg tree:
#       tests/tool/test_patch_series.sh compares that with the series
#
# The series is built in a scratch git repository holding the pristine
# versions of the FFmpeg files it modifies, so a full tree is not needed
# here, only the cached pristine tree of each branch (ffmpeg-src.sh). The
# commits have a fixed identity and date: the output depends only on the
# inputs. core/ goes in unchanged but for mechanical renames: the license
# wording names FFmpeg, include guards follow AVFILTER_<NAME>_H, and the
# dd_ symbol prefix becomes ff_dd_ (FFmpeg's prefix for internal symbols,
# which also keeps a static libavfilter from clashing with the program),
# and the extern "C" guards of the public header go (FFmpeg is C only).
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
PATCHDIR=$TOP/libavfilter-patch
. "$PATCHDIR/ffmpeg-src.sh"

IDENT_NAME="dialogueduck developers"
IDENT_EMAIL="dev@dialogueduck.invalid"
IDENT_DATE="2026-01-01T00:00:00+0000"

die() {
    echo "make-series: $*" >&2
    exit 1
}

# Files of FFmpeg the series modifies.
MODIFIED="Changelog libavfilter/Makefile libavfilter/allfilters.c
libavfilter/version.h doc/filters.texi tests/fate/filter-audio.mak
libavfilter/x86/Makefile tests/checkasm/Makefile tests/checkasm/checkasm.c
tests/checkasm/checkasm.h tests/fate/checkasm.mak"

core_sources() {
    ls "$TOP"/core/*.c "$TOP"/core/*.h 2>/dev/null | sort
}

# Name of a core file inside libavfilter/.
target_name() {
    b=$(basename "$1")
    case "$b" in
    dialogueduck*) echo "$b" ;;
    *)             echo "dialogueduck_$b" ;;
    esac
}

# Mechanical renames of a core (or glue) file, on stdout.
transform() (
    src=$1
    name=$2
    script=$(mktemp)
    {
        printf '%s\n' 's/This file is part of dialogueduck\./This file is part of FFmpeg./'
        printf '%s\n' 's/dialogueduck is free software/FFmpeg is free software/'
        printf '%s\n' 's/dialogueduck is distributed/FFmpeg is distributed/'
        printf '%s\n' 's/along with dialogueduck;/along with FFmpeg;/'
        printf '%s\n' 's/\bdd_/ff_dd_/g'
        # includes of core headers that get a prefix
        for f in $(core_sources); do
            b=$(basename "$f")
            t=$(target_name "$f")
            [ "$b" = "$t" ] || printf "%s\n" "s/#include \"$b\"/#include \"$t\"/"
        done
        case "$name" in
        *.h)
            old=$(awk '/^#ifndef / { g = $2; getline; if ($1 == "#define" && $2 == g) { print g; exit } }' "$src")
            # FFmpeg's rule (tests/fate/source-check.sh): an af_ prefix goes
            new=AVFILTER_$(echo "${name%.h}" | sed 's/^af_//' | tr 'a-z' 'A-Z' | sed 's/[^A-Z0-9]/_/g')_H
            [ -n "$old" ] || die "$src: no include guard found"
            printf "%s\n" "s/\\b$old\\b/$new/g"
            # C++ linkage guards serve the installed library only: inside
            # libavfilter the header is internal, and patcheck reserves
            # __cplusplus
            printf "%s\n" '/^#ifdef __cplusplus$/,/^#endif$/d'
            ;;
        esac
    } > "$script"
    sed -f "$script" "$src"
    rm -f "$script"
)

# Text inserted into FFmpeg files.
makefile_line() (
    objs="af_dialogueduck.o"
    for f in $(core_sources); do
        case "$f" in *.c) t=$(target_name "$f"); objs="$objs ${t%.c}.o" ;; esac
    done
    echo "$objs" | awk '{
        line = sprintf("%-45s+= ", "OBJS-$(CONFIG_DIALOGUEDUCK_FILTER)")
        pad = sprintf("%48s", "")
        n = 0
        for (i = 1; i <= NF; i++) {
            if (n > 0 && length(line) + length($i) + 2 > 80) {
                print line " \\"
                line = pad
                n = 0
            }
            line = line (n ? " " : "") $i
            n++
        }
        print line
    }'
)

allfilters_line() {
    echo "extern const FFFilter ff_af_dialogueduck;"
}

changelog_text() {
    printf 'version <next>:\n- dialogueduck audio filter\n\n'
}

# Writes the new files of the filter patch and of the FATE patch into DIR.
write_new_files() (
    d=$1
    mkdir -p "$d/libavfilter" "$d/tests/ref/fate" "$d/tests/filtergraphs"
    for f in $(core_sources); do
        t=$(target_name "$f")
        transform "$f" "$t" > "$d/libavfilter/$t"
        grep -q "This file is part of FFmpeg" "$d/libavfilter/$t" ||
            die "$f: license header not in the expected LGPL wording"
    done
    transform "$PATCHDIR/af_dialogueduck.c" af_dialogueduck.c > "$d/libavfilter/af_dialogueduck.c"
    transform "$PATCHDIR/af_dialogueduckdsp.h" af_dialogueduckdsp.h > "$d/libavfilter/af_dialogueduckdsp.h"
    # the x86 SIMD of the 16-bit render and its checkasm test
    mkdir -p "$d/libavfilter/x86" "$d/tests/checkasm"
    transform "$PATCHDIR/x86/af_dialogueduck_init.c" af_dialogueduck_init.c > "$d/libavfilter/x86/af_dialogueduck_init.c"
    cp "$PATCHDIR/x86/af_dialogueduck.asm" "$d/libavfilter/x86/"
    transform "$PATCHDIR/checkasm/af_dialogueduck.c" af_dialogueduck.c > "$d/tests/checkasm/af_dialogueduck.c"
    for r in "$TOP"/fate-refs/*; do
        [ -f "$r" ] && cp "$r" "$d/tests/ref/fate/"
    done
    cp "$PATCHDIR"/fate/filtergraphs/* "$d/tests/filtergraphs/"
)

write_inserts() {
    d=$1/.inserts
    mkdir -p "$d/libavfilter" "$d/doc" "$d/tests/fate"
    changelog_text > "$d/Changelog"
    makefile_line > "$d/libavfilter/Makefile"
    allfilters_line > "$d/libavfilter/allfilters.c"
    cat "$PATCHDIR/filters.texi" > "$d/doc/filters.texi"
    { cat "$PATCHDIR/fate/filter-audio.mak"; echo; } > "$d/tests/fate/filter-audio.mak"
    mkdir -p "$d/libavfilter/x86" "$d/tests/checkasm"
    echo 'X86ASM-OBJS-$(CONFIG_DIALOGUEDUCK_FILTER)    += x86/af_dialogueduck.o x86/af_dialogueduck_init.o' > "$d/libavfilter/x86/Makefile"
    echo 'AVFILTEROBJS-$(CONFIG_DIALOGUEDUCK_FILTER) += af_dialogueduck.o' > "$d/tests/checkasm/Makefile"
    printf '    #if CONFIG_DIALOGUEDUCK_FILTER\n        { "af_dialogueduck", checkasm_check_af_dialogueduck },\n    #endif\n' > "$d/tests/checkasm/checkasm.c"
    echo 'void checkasm_check_af_dialogueduck(void);' > "$d/tests/checkasm/checkasm.h"
    printf '                %-56s\\\n' fate-checkasm-af_dialogueduck > "$d/tests/fate/checkasm.mak"
}

# insert_before FILE REGEX TEXTFILE: TEXTFILE goes before the first match.
insert_before() {
    grep -qE "$2" "$1" || die "$1: no line matching $2"
    RE=$2 TF=$3 awk '
        !done && $0 ~ ENVIRON["RE"] {
            while ((getline l < ENVIRON["TF"]) > 0) print l
            done = 1
        }
        { print }' "$1" > "$1.new"
    mv "$1.new" "$1"
}

git_scratch() {
    GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 \
    GIT_AUTHOR_NAME="$IDENT_NAME" GIT_AUTHOR_EMAIL="$IDENT_EMAIL" \
    GIT_AUTHOR_DATE="$IDENT_DATE" GIT_COMMITTER_NAME="$IDENT_NAME" \
    GIT_COMMITTER_EMAIL="$IDENT_EMAIL" GIT_COMMITTER_DATE="$IDENT_DATE" \
    git -c core.autocrlf=false -c diff.algorithm=myers "$@"
}

FILTER_MSG="avfilter: add dialogueduck filter

Ducks music under dialogue: the first input is the music, the second the
dialogue that drives it. Speech is detected in the dialogue, pauses shorter
than the hold time are bridged so the music does not pump between words,
and with a lookahead the fade-down ends at the first syllable. The depth is
fixed or relative to the loudness of the dialogue; optionally only the
speech band of the music is ducked (spectral, between band_low and
band_high), by a zero-phase FIR band whose delay is taken inside the
lookahead. With spectral=adaptive the music is instead carved in 24
auditory bands only as far as it masks the dialogue there (to unmask dB
under it, never deeper than depth), inside the lines the broadband envelope
finds. The output is the dialogue mixed with the ducked music, or the
ducked music only (mix=0).

The engine (dialogueduck*.c) is plain C with no FFmpeg dependencies; it is
shared with a standalone program and allocates through av_mallocz() and
av_free() here. Depth, below, attack, release, hold, threshold and unmask
can be changed with commands; the other options cannot, and a command
naming one fails with ENOSYS and a log line. The filter supports the timeline (the gain
ramps over attack and release where enable changes) and exports the gain as
frame metadata.

Both inputs are placed on the music's timeline: timestamp gaps are filled
with silence, so the ducking stays in sync with the picture. duration=
longest (the default, as in amix), shortest or first decides when the
output ends. Which dialogue channel drives detection and where dialogue
channels land in the music's layout is decided by the engine, the same way
for the standalone program. A stream that starts inside a line (after a
seek) starts ducked; the references of the tests changed by that, by the
longest default and by the timeline ramp were regenerated, and so was
that of spectral mode for the FIR band.

The detector tells speech from other sounds by evidence, not level: a
noise floor learned all the time (minimum statistics, inside lines too), a
pitch that must move (rings, beeps and hum have a fixed one), syllabic
rhythm for whispers, and a line ends when that evidence stops. A fade that
has to start late is shortened to end at the onset. The engine's output
changed with it: every reference was regenerated. The adaptive mode's
test is new; adding it changed no other reference. Voicing then had to
glide within the voice's pitch range (a tone over 500 Hz found at two to
four of its periods, or a ring switching between two tones, is not a
voice), a syllable nucleus to carry a vowel's energy under 1 kHz, and a
line to be held by the same evidence as its start (applause no longer
holds it open): no reference changed with that.
The adaptive mode's FFT became radix-4 with two signals per transform;
it rounds differently (at most 3e-7, -130 dBFS, from before), so the
adaptive reference was regenerated.
Adaptive carving then moved to 43 ms frames (the lowest bands are 50 Hz
wide), a lowest band that also carves the bass its window reads, a
2.5 dB margin and a fall rate that leaves room for the envelope's fades
(envelope and carver together move a band at most 1.5 dB per 10 ms):
the adaptive reference was regenerated; no other changed.
The detector then walked a line's onset back through a sibilant above
the speech band (its own floor), stopped holding a line on sound 25 dB
under the line's own level, and stopped taking one pitch reading moved
by noise for a glide: the starts and ends of regions moved, and every
reference whose output changed with them was regenerated; the
filter-versus-program equivalence stays bit-identical.
The detector then stopped taking a melody for a voice (a sound that has
held a note's pitch flat confirms only after a long glide, and a glide
that starts with a sound waits for its attack to settle), and a
whispered line goes on in short syllables and resumes after a pause
shorter than the hold: region starts and ends moved with it, and the
references whose output changed were regenerated. The filter now ducks
the music frame in place and reuses one dialogue buffer (same output).
A note whose period warbles in place (a chorus, detuned voices: never
flat, but voiced 200 ms without a glide) now counts as a held note too.
The detector's floors no longer read the hops before a stream's first as
silence (for 1.5 s the floor sat 6 dB low and room tone passed for a
sibilant, so a line in the first 1.5 s walked back to the start).
A walk-back from a glide that its 400 ms cap cuts short, still in sound,
goes on from a syllable nucleus completed just before (a line opening on
a whispered syllable, voicing found later). No reference changed with
these three.
A spoken line (one that glided) now goes on, or resumes after a pause,
only on voiced syllables, and its evidence vouches
for 0.5 s instead of 1 s: applause that starts under a line's end and
makes unvoiced syllable-like bursts by chance no longer holds the line
open for seconds. A whispered line ends as before.
An unvoiced syllable whose sound rose from the floor (a word said on its
own after a pause, whispered between spoken ones) goes on a spoken line,
or resumes it, as a voiced one does, and vouches for it for 1 s, as a
whispered line's syllables do: words read one at a time, some
whispered, keep the music down between them again. No reference changed
with these four.
A 16-bit dialogue goes to the detector as it comes (its mono detection
signal made from the integers, equal to the bit to the one made from
converted planes), and a fade's gain is exp() every 256 samples with a
per-sample ratio in between: no reference changed with either.
The filter takes and gives interleaved 16-bit samples besides float
planes, each link negotiating its own: PCM stems need no conversion
filters around it. It converts inside, as libswresample does (x / 32768
in, rounded and clipped out), so the output is the float path's followed
by FFmpeg's conversion, bit for bit.
When music, dialogue and output are all 16-bit (broadband, no timeline),
the engine keeps the music as it came in its delay line and renders, and
mixes the delayed 16-bit dialogue, straight to 16-bit: products and sums
on the 16-bit scale are exact, so the output is the float path's to the
bit.
A glide in pitch confirms a line only when a voiced hop of its span is
cleanly periodic (a bell's partials or a chord bending together are
not), or near a whispered syllable; a line so confirmed is whispered and
a spoken line's syllables must be cleanly voiced; an energy hump held
over 0.5 s is no whispered syllable; outside speech a rhythm of
syllables confirms only on a syllable 10 dB over the valley before it.
No reference changed with these.
A voiced reading is then clean when it reaches 0.8 of the correlation
its own SNR leaves a periodic sound (a quiet voice or a child's over room
tone is held to less than a chime far over the floor), and the usual
16-bit stereo mix adds four samples at a time in a 64-bit word, its
output the same to the bit. No reference changed with these.
The default lookahead is now 1 s instead of 0.5 s (1 s of latency, short
of loudnorm's 3 s): a line confirmed late (a whisper, a quiet first
syllable, a child's voice) gets its whole fade-down before the onset
instead of a shortened one, and the fade-down ends 150 ms before a line's
onset instead of 60 ms (a quiet first sound, or one under applause,
rises slower than the walk-back reads). A reading the detector takes for
a tone above the pitch range is read again at twice its period, where a
voice's harmonics add up and a ring's do not (a child's voice read at its
2nd harmonic), and a rough glide voiced 160 ms on end (a motor spinning
up) no longer passes for a whisper's. The references of the tests whose output changed
with these were regenerated.
A line confirmed on a glide alone is now held back, up to 0.64 s after
its onset (while its whole fade-down still fits before it), until it
shows it goes on as speech does (its voice breaks 12 dB under its peak,
a consonant led into it, or its pitch moved 15 % and turned back without
holding a note), and dropped otherwise: a jingle's settling note, a
buzz or a crowd no longer opens a region. With a relative depth
(below), a held region's depth is read when its start is emitted: that
test's reference was regenerated; no other changed.
The 16-bit render's steady loops (the music at one gain, with or
without the dialogue added: most of a ducked stem) and the detection
signal of a 16-bit stereo dialogue have SSE2 versions that give the C
loops' samples to the bit (checkasm compares them): no reference
changed.
The default lookahead is now 1.5 s instead of 1 s (1.5 s of latency,
half of loudnorm's 3 s): words said one at a time and whispers in street
noise, confirmed up to 1.5 s after their first syllable, get their whole
fade-down before it. The lookahead test now sets 0.5 s, 1.5 s being the
default. Every reference was regenerated: the first output frame is
what the lookahead leaves short of a whole number of frames, so the
framing moves; where compared with cmp (the defaults case at 1 and 1.5 s,
the lookahead case at 0.5 and 1.5 s) the samples are the same to the
bit.

Signed-off-by: $IDENT_NAME <$IDENT_EMAIL>"

FATE_MSG="fate/filter-audio: add dialogueduck tests

Covers the defaults, mix=0, lookahead, relative depth, spectral mode
(with the default band, with band_low and band_high set, and adaptive
carving with unmask set), mono
dialogue with stereo music, 5.1 music, 5.1 dialogue (detection on the
centre), a command mid-stream and one for an option that cannot change,
the timeline and its ramps, 16-bit music, dialogue and output (and float
music with 16-bit out, 16-bit music with float out), the metadata read
back with ffprobe, a stream
starting inside a line, timestamp gaps in both inputs with a delayed
dialogue, and dialogue or music ending first with each duration mode. The
sources are aevalsrc and tests/data/asynth-44100-2.wav; the synthetic voice
glides in pitch (+-8 % at 3 Hz) as speech does, since the detector takes a
fixed pitch for a ring or a beep.

Signed-off-by: $IDENT_NAME <$IDENT_EMAIL>"

CHECKASM_MSG="checkasm: add dialogueduck test

Checks the x86 routines of the filter's 16-bit loops against the C ones,
to the bit: the render's (the music at one gain, with or without the
dialogue added) on ducking gains, ties that round to even, unity, gains
that clip, a random gain, unaligned pointers and in place; the stereo
detection signal's on the engine's scale and a random one, full-scale
pairs and unaligned pointers.

Signed-off-by: $IDENT_NAME <$IDENT_EMAIL>"

generate() {
    branch=$1
    outdir=$2
    pristine=${tree:-$(ffsrc_pristine "$branch")}
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/ddseries.XXXXXX")
    new=$(mktemp -d "${TMPDIR:-/tmp}/ddnew.XXXXXX")

    for f in $MODIFIED; do
        mkdir -p "$scratch/$(dirname "$f")"
        cp "$pristine/$f" "$scratch/$f"
    done
    git_scratch init -q "$scratch"
    git_scratch -C "$scratch" add -A
    git_scratch -C "$scratch" commit -q -m "pristine FFmpeg $branch"

    write_new_files "$new"
    write_inserts "$new"
    ins=$new/.inserts

    # Patch 1: the filter, its x86 SIMD, its build glue and documentation.
    cp "$new"/libavfilter/*.c "$new"/libavfilter/*.h "$scratch/libavfilter/"
    cp "$new"/libavfilter/x86/* "$scratch/libavfilter/x86/"
    insert_before "$scratch/libavfilter/Makefile" '^OBJS-\$\(CONFIG_DIALOGUENHANCE_FILTER\)' "$ins/libavfilter/Makefile"
    insert_before "$scratch/libavfilter/x86/Makefile" '^X86ASM-OBJS-\$\(CONFIG_ANLMDN_FILTER\)' "$ins/libavfilter/x86/Makefile"
    insert_before "$scratch/libavfilter/allfilters.c" 'ff_af_dialoguenhance;' "$ins/libavfilter/allfilters.c"
    insert_before "$scratch/doc/filters.texi" '^@section dialoguenhance' "$ins/doc/filters.texi"
    insert_before "$scratch/Changelog" '^version ' "$ins/Changelog"
    v=$scratch/libavfilter/version.h
    minor=$(sed -n 's/^#define LIBAVFILTER_VERSION_MINOR *\([0-9]*\)$/\1/p' "$v")
    [ -n "$minor" ] || die "$v: no LIBAVFILTER_VERSION_MINOR"
    sed -i -e "s/^\(#define LIBAVFILTER_VERSION_MINOR *\)$minor\$/\1$((minor + 1))/" \
           -e 's/^\(#define LIBAVFILTER_VERSION_MICRO *\)[0-9]*$/\1100/' "$v"
    git_scratch -C "$scratch" add -A
    git_scratch -C "$scratch" commit -q -F - <<EOF
$FILTER_MSG
EOF

    # Patch 2: the FATE tests and their references.
    mkdir -p "$scratch/tests/ref/fate" "$scratch/tests/filtergraphs"
    cp "$new"/tests/ref/fate/* "$scratch/tests/ref/fate/" 2>/dev/null || true
    cp "$new"/tests/filtergraphs/* "$scratch/tests/filtergraphs/"
    insert_before "$scratch/tests/fate/filter-audio.mak" '^FATE_AFILTER-yes := ' "$ins/tests/fate/filter-audio.mak"
    git_scratch -C "$scratch" add -A
    git_scratch -C "$scratch" commit -q -F - <<EOF
$FATE_MSG
EOF

    # Patch 3: the checkasm test of the x86 SIMD.
    cp "$new"/tests/checkasm/af_dialogueduck.c "$scratch/tests/checkasm/"
    insert_before "$scratch/tests/checkasm/Makefile" '^AVFILTEROBJS-\$\(CONFIG_BLACKDETECT_FILTER\)' "$ins/tests/checkasm/Makefile"
    insert_before "$scratch/tests/checkasm/checkasm.c" '^ *#if CONFIG_BLACKDETECT_FILTER' "$ins/tests/checkasm/checkasm.c"
    insert_before "$scratch/tests/checkasm/checkasm.h" '^void checkasm_check_alacdsp\(void\);' "$ins/tests/checkasm/checkasm.h"
    insert_before "$scratch/tests/fate/checkasm.mak" '^ *fate-checkasm-alacdsp ' "$ins/tests/fate/checkasm.mak"
    git_scratch -C "$scratch" add -A
    git_scratch -C "$scratch" commit -q -F - <<EOF
$CHECKASM_MSG
EOF

    mkdir -p "$outdir"
    rm -f "$outdir"/*.patch
    git_scratch -C "$scratch" format-patch -q --zero-commit --no-signature \
        --full-index --stat=72 -o "$outdir" HEAD~3..HEAD
    rm -rf "$scratch" "$new"
    echo "make-series: $(ls "$outdir"/*.patch | wc -l) patches for FFmpeg $branch in ${outdir#"$TOP"/}" >&2
}

out=
print_new=
tree=
while [ $# -gt 0 ]; do
    case "$1" in
    --out)       out=$2; shift 2 ;;
    --print-new) print_new=$2; shift 2 ;;
    --tree)      tree=$(cd "$2" && pwd) || die "no tree $2"; shift 2 ;;
    -h|--help)   sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    -*)          die "unknown option $1" ;;
    *)           break ;;
    esac
done

if [ -n "$print_new" ]; then
    write_new_files "$print_new"
    write_inserts "$print_new"
    exit 0
fi

branches=${*:-$FFMPEG_BRANCHES}
for b in $branches; do
    generate "$b" "${out:-$PATCHDIR/series}/$b"
done
