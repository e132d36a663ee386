#!/bin/sh
# make fate: apply the af_dialogueduck series to pristine FFmpeg release
# trees, build a minimal FFmpeg, run the filter's FATE tests, fate-source
# and the existing audio-filter tests of that configuration, and compare
# the filter with the dialogueduck program.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
#
# Usage:
#   sh libavfilter-patch/fate.sh [BRANCH...]    default: every pinned branch
#   sh libavfilter-patch/fate.sh --regen        rewrite fate-refs/ from the
#       first branch, regenerate the series, then test every branch
#   FFMPEG_SRC=DIR sh libavfilter-patch/fate.sh test a tree of your own
#       (its VERSION picks the series; it is copied, never modified)
#
# Trees, builds and downloads are cached under .cache/ffmpeg (or
# $XDG_CACHE_HOME/dialogueduck/ffmpeg); a second run only rebuilds what
# changed. Prints "N passed, N failed" and exits non-zero on a failure.

TOP=$(cd "$(dirname "$0")/.." && pwd)
export TOP
PATCHDIR=$TOP/libavfilter-patch
. "$TOP/tests/lib.sh"
. "$PATCHDIR/ffmpeg-src.sh"

JOBS=${JOBS:-2}
# the filter's default lookahead, read from core/ (DD_LOOKAHEAD_DEFAULT),
# given to both the filter and the program wherever their outputs are
# compared (the program's own default is longer)
FILTER_LOOKAHEAD=$(sed -n 's/^#define DD_LOOKAHEAD_DEFAULT *\([0-9.]*\).*/\1/p' \
    "$TOP/core/dialogueduck.h")
[ -n "$FILTER_LOOKAHEAD" ] || {
    echo "fate: no DD_LOOKAHEAD_DEFAULT in core/dialogueduck.h" >&2
    exit 1
}
regen=0
branches=
for a; do
    case "$a" in
    --regen) regen=1 ;;
    -h|--help) sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) branches="$branches $a" ;;
    esac
done
: "${branches:=$FFMPEG_BRANCHES}"

log() {
    echo "fate: $*"
}

# Components of the minimal build: the filter and what its tests, the
# existing audio-filter tests that need no samples, and the equivalence
# test use.
FATE_FILTERS="dialogueduck aevalsrc aresample aformat anull atrim asendcmd
sine adelay aecho aemphasis afade agate alimiter amerge amix apad anequalizer
asetnsamples asetrate chorus crystalizer dcshift earwax extrastereo
firequalizer pan silenceremove compand aselect asegment channelmap
channelsplit join volume aperms aloop asplit anullsink sidechaincompress
asetpts"

# patcheck categories that must stay empty.
PATCHCHECK_RULES="trailing whitespace|tabs|double ;|reserved identifer|empty comment|\
Inconsistently formatted doxygen comment|Misformatted doxygen comment|\
inconsistent doxygen syntax|common typos|Missing context in av_log|\
Please use av_log|useless casts|ifdefs that should be #if|useless #if|\
useless if()|Please use av_assert0, av_assert1 or av_assert2|\
Possible security issue, make sure this is safe or use snprintf/av_strl*|\
missing NULL_IF_CONFIG_SMAL"

# x86 assembly needs NASM: without it the filter is built and tested in
# C only, and its checkasm test is not run.
fate_configure_flags() {
    command -v nasm > /dev/null 2>&1 || echo --disable-x86asm
    echo --disable-everything --disable-autodetect --disable-doc \
        --disable-debug --disable-ffplay --disable-network \
        --enable-ffmpeg --enable-ffprobe \
        --enable-filter="$(echo $FATE_FILTERS | tr ' ' ',')" \
        --enable-demuxer=wav,pcm_s16le,pcm_f32le \
        --enable-decoder=pcm_s16le,pcm_f32le,pcm_f64le \
        --enable-encoder=pcm_s16le,pcm_f32le,pcm_f64le,rawvideo \
        --enable-muxer=wav,framecrc,framemd5,md5,crc,pcm_s16le,pcm_f32le,null \
        --enable-protocol=file,pipe --enable-indev=lavfi
}

build_tree() {
    work=$1 build=$2
    flags=$(fate_configure_flags)
    mkdir -p "$build"
    if [ "$(cat "$build/dd-flags" 2>/dev/null)" != "$flags" ] ||
       [ ! -f "$build/ffbuild/config.mak" ]; then
        log "configuring $build"
        (cd "$build" && "$work/configure" $flags) > "$build/configure.log" 2>&1 ||
            { tail -n 20 "$build/configure.log"; return 1; }
        echo "$flags" > "$build/dd-flags"
    fi
    log "building ffmpeg and ffprobe in $build (make -j$JOBS)"
    start=$(date +%s)
    make -C "$build" -j"$JOBS" ffmpeg ffprobe > "$build/make.log" 2>&1 ||
        { tail -n 30 "$build/make.log"; return 1; }
    log "built in $(( $(date +%s) - start )) s"
}

# Runs FATE tests and counts each by its report file.
run_fate() {
    build=$1; shift
    for t; do rm -f "$build/tests/data/fate/${t#fate-}.rep"; done
    make -C "$build" -k -j"$JOBS" "$@" > "$build/fate.log" 2>&1
    for t; do
        rep=$build/tests/data/fate/${t#fate-}.rep
        if [ -f "$rep" ] && [ "$(cut -d: -f2 "$rep")" = 0 ]; then
            ok
        else
            fail "$BRANCH: $t"
            grep -A 20 "^TEST *${t#fate-}\$" "$build/fate.log" | sed -n '2,20p' | sed 's/^/    /' >&2
        fi
    done
}

# Max absolute difference of two raw float files, in dBFS.
diff_tool() {
    [ -x "$TMP/f32diff" ] && return 0
    cat > "$TMP/f32diff.c" <<'EOF'
#include <math.h>
#include <stdio.h>
int main(int argc, char **argv)
{
    FILE *a = fopen(argv[1], "rb"), *b = fopen(argv[2], "rb");
    float x, y;
    double max = 0;
    long n = 0;
    if (!a || !b)
        return 2;
    while (fread(&x, 4, 1, a) == 1) {
        if (fread(&y, 4, 1, b) != 1)
            return 3;
        if (fabs((double)x - y) > max)
            max = fabs((double)x - y);
        n++;
    }
    if (fread(&y, 4, 1, b) == 1)
        return 3;
    printf("%ld %.1f\n", n, max > 0 ? 20 * log10(max) : -999.0);
    return 0;
}
EOF
    ${CC:-cc} -O2 -o "$TMP/f32diff" "$TMP/f32diff.c" -lm
}

# One engine, one result: the filter's mix=0 output against
# dialogueduck --music-out on the same stems and parameters.
equivalence() {
    build=$1
    ff=$build/ffmpeg
    d=$TMP/eq-$BRANCH
    mkdir -p "$d"
    # the program from the same core/ as the series
    if ! make -C "$TOP" dialogueduck > "$d/make.log" 2>&1; then
        if [ -x "$TOP/dialogueduck" ]; then
            log "make dialogueduck failed; comparing with the existing ./dialogueduck"
        else
            fail "$BRANCH: equivalence: cannot build ./dialogueduck"
            return
        fi
    fi
    diff_tool || { fail "$BRANCH: equivalence: cannot build the comparator"; return; }
    voice='0.2*(sin(2*PI*140*(t-0.0042*cos(6*PI*t)))+0.7*sin(2*PI*280*(t-0.0042*cos(6*PI*t)))+0.5*sin(2*PI*420*(t-0.0042*cos(6*PI*t)))+0.3*sin(2*PI*840*(t-0.0042*cos(6*PI*t))))*(0.6+0.4*sin(2*PI*4*t))'
    lines='(between(t,1,3.2)+between(t,3.6,5)+between(t,9,11.5)+between(t,15,16))'
    "$ff" -nostdin -v error -y -filter_complex \
        "aevalsrc='0.2*sin(2*PI*220*t)+0.1*sin(2*PI*3000*t)|0.2*sin(2*PI*330*t)+0.05*sin(2*PI*60*t)':s=48000:d=20" \
        -c:a pcm_f32le "$d/music.wav" &&
    "$ff" -nostdin -v error -y -filter_complex \
        "aevalsrc='$voice*$lines':s=48000:d=18" -c:a pcm_f32le "$d/dialogue.wav" &&
    "$ff" -nostdin -v error -y -filter_complex \
        "aevalsrc='0.01*sin(2*PI*2000*t)|0.01*sin(2*PI*2100*t)|$voice*$lines|0|0.02*sin(2*PI*900*t)|0.02*sin(2*PI*950*t)':c=5.1:s=48000:d=18" \
        -c:a pcm_f32le "$d/dialogue51.wav" &&
    "$ff" -nostdin -v error -y -filter_complex \
        "aevalsrc='0.2*sin(2*PI*220*t)|0.2*sin(2*PI*330*t)|0.1*sin(2*PI*440*t)|0.1*sin(2*PI*50*t)|0.05*sin(2*PI*3000*t)|0.05*sin(2*PI*3300*t)':c=5.1:s=48000:d=20" \
        -c:a pcm_f32le "$d/music51.wav" &&
    "$ff" -nostdin -v error -y -i "$d/music.wav" -t 10.5 -c:a pcm_f32le "$d/musicshort.wav" ||
        { fail "$BRANCH: equivalence: cannot make the stems"; return; }
    # MUSIC/DIALOGUE/PARAMS: the stems (the program mixes in the widest
    # layout, the filter in the music's: both 5.1 for a 5.1 dialogue) and
    # the filter's options. Stems of unequal length: the dialogue ends
    # first (18 s against 20 s), the music ends first (musicshort, 10.5 s):
    # the program pads the shorter stem, the filter's duration=longest
    # must do the same.
    for c in music/dialogue/ music/dialogue/depth=-24:lookahead=0.5:hold=0.3 \
             music/dialogue/below=12:depth=-30:attack=0.1:release=1.5 \
             music/dialogue/spectral=1:threshold=-40 \
             music/dialogue/spectral=1:band_low=150:band_high=8000 \
             music/dialogue/spectral=adaptive:unmask=6:depth=-20 \
             music51/dialogue51/depth=-20 musicshort/dialogue/; do
        mus=${c%%/*}.wav
        c=${c#*/}
        stem=${c%%/*}.wav
        params=${c#*/}
        # equal parameters: the program's default lookahead (2 s) is not
        # the filter's, so both are given one where a case sets none
        case ":$params:" in
        *:lookahead=*) ;;
        *) params="lookahead=$FILTER_LOOKAHEAD${params:+:$params}" ;;
        esac
        args=
        IFS=:
        for p in $params; do args="$args --${p%%=*} ${p#*=}"; done
        unset IFS
        args=$(echo "$args" | sed -e 's/--spectral 1/--spectral/' \
            -e 's/--band_low \([0-9.]*\) --band_high \([0-9.]*\)/--band \1-\2/')
        "$ff" -nostdin -v error -y -i "$d/$mus" -i "$d/$stem" \
            -filter_complex "[0][1]dialogueduck=mix=0${params:+:$params}" \
            -f f32le "$d/filter.raw" &&
        "$TOP/dialogueduck" -q -y -d "$d/$stem" -m "$d/$mus" \
            --loudness off $args --music-out "$d/tool.wav" &&
        "$ff" -nostdin -v error -y -i "$d/tool.wav" -f f32le "$d/tool.raw" ||
            { fail "$BRANCH: equivalence [$stem $params]: a run failed"; continue; }
        compare_runs "$stem $params" "$d/$mus"
    done
    placement "$ff" "$d"
}

# compare_runs LABEL MUSIC: $d/filter.raw against $d/tool.raw (equal to
# -90 dBFS), and the filter changed MUSIC (else equality proves little).
compare_runs() {
    res=$("$TMP/f32diff" "$d/filter.raw" "$d/tool.raw")
    case $? in
    0) ;;
    3) fail "$BRANCH: equivalence [$1]: lengths differ"; return ;;
    *) fail "$BRANCH: equivalence [$1]: cannot compare"; return ;;
    esac
    db=${res#* }
    "$ff" -nostdin -v error -y -i "$2" -f f32le "$d/music.raw"
    ducked=$("$TMP/f32diff" "$d/filter.raw" "$d/music.raw" | cut -d' ' -f2)
    [ -n "$ducked" ] || ducked=0
    log "$BRANCH equivalence [$1]: ${res% *} samples, max difference $db dBFS (the filter changed the music by up to $ducked dBFS)"
    if [ "$(echo "$db" | awk '{ print ($1 < -90) }')" = 1 ]; then
        ok
    else
        fail "$BRANCH: equivalence [$1]: difference $db dBFS >= -90 dBFS"
    fi
    if [ "$(echo "$ducked" | awk '{ print ($1 > -30) }')" = 1 ]; then
        ok
    else
        fail "$BRANCH: equivalence [$1]: the filter did not change the music"
    fi
}

# One channel policy: the filter's mix (mix=1) against the program's mix
# (-o, loudness off) for mono, stereo, 5.1 and 7.1 stems and mismatched
# pairs. The program mixes in the widest layout, the filter in the
# music's: where the dialogue is wider, the filter gets the music upmixed
# by pan as the program's bus does (libswresample's matrix).
placement() {
    ff=$1 d=$2
    v='0.1*(sin(2*PI*140*(t-0.0042*cos(6*PI*t)))+0.7*sin(2*PI*280*(t-0.0042*cos(6*PI*t)))+0.5*sin(2*PI*420*(t-0.0042*cos(6*PI*t))))*(0.6+0.4*sin(2*PI*4*t))*(between(t,1,3.2)+between(t,9,11.5))'
    w='0.1*(sin(2*PI*170*(t-0.0042*cos(6*PI*t)))+0.6*sin(2*PI*340*(t-0.0042*cos(6*PI*t))))*(0.6+0.4*sin(2*PI*5*t))*(between(t,2,4)+between(t,6,8))'
    q='0.01*sin(2*PI*2000*t)'
    for s in "m1|mono|0.1*sin(2*PI*220*t)" \
             "m2|stereo|0.1*sin(2*PI*220*t)|0.1*sin(2*PI*330*t)" \
             "m51|5.1|0.1*sin(2*PI*220*t)|0.1*sin(2*PI*330*t)|0.05*sin(2*PI*440*t)|0.05*sin(2*PI*50*t)|0.03*sin(2*PI*3000*t)|0.03*sin(2*PI*3300*t)" \
             "m71|7.1|0.1*sin(2*PI*220*t)|0.1*sin(2*PI*330*t)|0.05*sin(2*PI*440*t)|0.05*sin(2*PI*50*t)|0.03*sin(2*PI*3000*t)|0.03*sin(2*PI*3300*t)|0.03*sin(2*PI*2500*t)|0.03*sin(2*PI*2700*t)" \
             "d1|mono|$v" "d2|stereo|$v|0.7*$w" \
             "d51|5.1|$q|$q|$v|0.05*sin(2*PI*40*t)|$w|0.5*$w" \
             "d71|7.1|$q|$q|$v|0.05*sin(2*PI*40*t)|$w|0.5*$w|$q|$w"; do
        name=${s%%|*}; rest=${s#*|}; layout=${rest%%|*}; expr=${rest#*|}
        "$ff" -nostdin -v error -y -filter_complex \
            "aevalsrc='$expr':c=$layout:s=48000:d=14" -c:a pcm_f32le "$d/$name.wav" ||
            { fail "$BRANCH: placement: cannot make $name"; return; }
    done
    # MUSIC/DIALOGUE/PAN: PAN upmixes the music for the filter as the
    # program's bus (libswresample's matrix) does when the dialogue is
    # wider; it puts the sides of a 5.1 on the backs of a 7.1
    s2='0.7071067811865476*c0'
    for c in m1/d1/ m2/d2/ m51/d51/ m71/d71/ m2/d1/ m51/d1/ m71/d1/ \
             m51/d2/ m71/d2/ m71/d51/ "m1/d2/stereo|FL=$s2|FR=$s2" \
             "m1/d51/5.1|FC=c0" "m2/d51/5.1|FL=c0|FR=c1" \
             "m2/d71/7.1|FL=c0|FR=c1" \
             "m51/d71/7.1|FL=c0|FR=c1|FC=c2|LFE=c3|BL=c4|BR=c5"; do
        mus=${c%%/*}; c=${c#*/}; dlg=${c%%/*}; up=${c#*/}
        "$ff" -nostdin -v error -y -i "$d/$mus.wav" -i "$d/$dlg.wav" \
            -filter_complex "[0]${up:+pan=$up,}anull[m];[m][1]dialogueduck=lookahead=$FILTER_LOOKAHEAD" \
            -f f32le "$d/filter.raw" &&
        "$TOP/dialogueduck" -q -y -d "$d/$dlg.wav" -m "$d/$mus.wav" \
            --loudness off --lookahead $FILTER_LOOKAHEAD -o "$d/tool.wav" &&
        "$ff" -nostdin -v error -y -i "$d/tool.wav" -f f32le "$d/tool.raw" ||
            { fail "$BRANCH: placement [$mus $dlg]: a run failed"; continue; }
        compare_runs "mix $mus $dlg" "$d/$mus.wav"
    done
}

test_branch() {
    BRANCH=$1
    series=$PATCHDIR/series/$BRANCH
    if [ -n "${FFMPEG_SRC:-}" ]; then
        src=$FFMPEG_SRC
        key=$(ffsrc_user_key "$src") || { fail "$BRANCH: cannot read $src"; return; }
        work=$FFSRC_CACHE/work-$key
        build=$FFSRC_CACHE/build-$key
    else
        src=$(ffsrc_pristine "$BRANCH") || { fail "$BRANCH: no FFmpeg source"; return; }
        work=$FFSRC_CACHE/work-$BRANCH
        build=$FFSRC_CACHE/build-$BRANCH
    fi
    log "FFmpeg $BRANCH: $src"

    # The committed series is what the generator makes now.
    if [ -z "${FFMPEG_SRC:-}" ]; then
        sh "$PATCHDIR/make-series.sh" --out "$TMP/series" "$BRANCH" 2>/dev/null &&
            diff -r "$TMP/series/$BRANCH" "$series" > "$TMP/series.diff"
        if [ $? -eq 0 ]; then
            ok
        else
            fail "$BRANCH: libavfilter-patch/series/$BRANCH is stale: run sh libavfilter-patch/make-series.sh"
        fi
    fi

    if ffsrc_apply "$src" "$work" "$series"; then
        ok
    else
        fail "$BRANCH: the series does not apply"
        return
    fi

    # FFmpeg's patch and commit-message checkers. patcheck prints hints,
    # most of them heuristics with many false positives on any patch (its
    # own words); the categories that are rules, not guesses, must be
    # empty. The full output is kept in the build directory.
    mkdir -p "$build"
    (cd "$work" && bash tools/patcheck "$series"/*.patch 2>&1) |
        sed 's/\x1b\[[0-9;]*[mK]//g' > "$build/patcheck.log"
    hard=$(awk -v RS= -v rules="$PATCHCHECK_RULES" '
        BEGIN { n = split(rules, r, "|") }
        { split($0, l, "\n"); for (i = 1; i <= n; i++) if (l[1] == r[i]) { print; print "" } }' \
        "$build/patcheck.log")
    if [ -z "$hard" ]; then
        ok
    else
        fail "$BRANCH: tools/patcheck (all hints in ${build#"$TOP"/}/patcheck.log):"
        echo "$hard" | head -n 30 >&2
    fi
    # 8.1 has no checker: use the one 9.0 ships
    checker=$work/tools/check_commit_msg.sh
    [ -f "$checker" ] || checker=$FFSRC_CACHE/work-9.0/tools/check_commit_msg.sh
    [ -f "$checker" ] || checker=$(ls "$FFSRC_CACHE"/pristine-9.0.*/tools/check_commit_msg.sh 2>/dev/null | tail -n 1)
    if [ ! -f "$checker" ]; then
        log "$BRANCH: no tools/check_commit_msg.sh (run the 9.0 branch once to get it)"
    else
        if (cd "$work" && sh "$checker" HEAD~2..HEAD > "$TMP/msg.log" 2>&1) &&
           ! grep -q WARNING "$TMP/msg.log"; then
            ok
        else
            fail "$BRANCH: commit messages:"; cat "$TMP/msg.log" >&2
        fi
    fi

    # The documentation builds without a warning (as FFmpeg's doc build
    # does it: makeinfo on ffmpeg-filters.texi) and has the section.
    if makeinfo --no-split --html -I "$work/doc" -o "$TMP/filters.html" \
            "$work/doc/ffmpeg-filters.texi" > "$TMP/makeinfo.log" 2>&1 &&
       [ ! -s "$TMP/makeinfo.log" ] && grep -q 'id="dialogueduck"' "$TMP/filters.html"; then
        ok
    else
        fail "$BRANCH: doc/filters.texi:"; head -n 10 "$TMP/makeinfo.log" >&2
    fi

    build_tree "$work" "$build" || { fail "$BRANCH: build failed"; return; }

    if [ "$regen" = 1 ] && [ -z "${regenerated:-}" ]; then
        ours=$(make -C "$build" -s fate-list | grep '^fate-filter-dialogueduck-')
        log "regenerating references on FFmpeg $BRANCH: $(echo $ours)"
        make -C "$build" -k -j"$JOBS" $ours GEN=1 > "$build/regen.log" 2>&1
        rm -f "$TOP"/fate-refs/filter-dialogueduck-*
        # tests that grep the log carry their reference in the .mak
        greps=$(sed -n 's/^\(fate-filter-dialogueduck-[A-Za-z0-9_-]*\): CMP = grep$/\1/p' \
                "$PATCHDIR/fate/filter-audio.mak")
        for t in $ours; do
            echo "$greps" | grep -qx -- "$t" && continue
            cp "$work/tests/ref/fate/${t#fate-}" "$TOP/fate-refs/" ||
                fail "$BRANCH: no reference for $t"
        done
        sh "$PATCHDIR/make-series.sh" || fail "cannot regenerate the series"
        regenerated=1
        ffsrc_apply "$src" "$work" "$series" || { fail "$BRANCH: the series does not apply"; return; }
        build_tree "$work" "$build" || { fail "$BRANCH: build failed"; return; }
    fi

    # Our tests, fate-source, and the audio-filter tests this build runs.
    audio=$(grep -o 'fate-filter-[A-Za-z0-9_-]*' "$work/tests/fate/filter-audio.mak" | sort -u)
    tests=$(make -C "$build" -s fate-list | grep -x -F "$audio")
    ours=$(echo "$tests" | grep -c '^fate-filter-dialogueduck-')
    if [ "$ours" -ge 13 ]; then ok; else fail "$BRANCH: only $ours dialogueduck FATE tests enabled"; fi
    # the x86 SIMD against C (checkasm), where the build has assembly
    if grep -q '^HAVE_X86ASM=yes' "$build/ffbuild/config.mak"; then
        tests="$tests fate-checkasm-af_dialogueduck"
    else
        log "$BRANCH: no x86 assembly in this build (NASM missing?): checkasm not run"
    fi
    log "$BRANCH: running $(echo $tests | wc -w) FATE tests ($ours dialogueduck) and fate-source"
    run_fate "$build" $tests fate-source

    equivalence "$build"
}

# New references come from the current core/: regenerate the series first.
if [ "$regen" = 1 ]; then
    sh "$PATCHDIR/make-series.sh" || { fail "cannot regenerate the series"; summary; exit 1; }
fi

if [ -n "${FFMPEG_SRC:-}" ]; then
    test_branch "$(ffsrc_tree_branch "$FFMPEG_SRC")"
else
    for b in $branches; do
        test_branch "$b"
    done
fi
summary
