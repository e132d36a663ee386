#!/bin/sh
# make bench: speed and memory of dialogueduck against stock FFmpeg, all
# measured in one run on the same inputs. Never part of make check.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
#
#   sh tests/bench/run.sh          everything
#   sh tests/bench/run.sh --quick  skip the 2-hour input and the two-pass
#                                  loudnorm peers (the slow parts)
#
# Environment: BENCH_CACHE (generated inputs, default build/bench/cache,
# about 1.3 GB, made once), BENCH_RUNS (runs per command, best kept,
# default 3), DD (the program, default ./dialogueduck).
#
# Needs: ffmpeg, /usr/bin/time (package time), a C compiler, and the
# recordings of pocketsphinx-testdata and lincity-ng-data.
#
# Each command is timed with /usr/bin/time: wall time, CPU time
# (user + sys) and peak RSS. The machines are shared, so wall time
# includes whatever the neighbours do; CPU time does not, and ratios are
# given for both. The table's ratio column is the goal's ratio.

TOP=$(cd "$(dirname "$0")/../.." && pwd)
cd "$TOP" || exit 1
CACHE=${BENCH_CACHE:-build/bench/cache}
OUT=build/bench
RUNS=${BENCH_RUNS:-3}
DD=${DD:-./dialogueduck}
CC=${CC:-cc}
# sidechaincompress as people post it (the same settings make eval uses)
SC="threshold=0.05:ratio=8:attack=20:release=300"
TARGET=-23
CEIL=-1
quick=
case "$1" in
--quick) quick=1 ;;
"") ;;
*) echo "usage: sh tests/bench/run.sh [--quick]" >&2; exit 2 ;;
esac

die() { echo "bench: $*" >&2; exit 1; }

command -v ffmpeg > /dev/null || die "ffmpeg not found: apt-get install ffmpeg"
[ -x /usr/bin/time ] || die "/usr/bin/time not found: apt-get install time"
[ -x "$DD" ] || die "$DD not built: run make"

. "$TOP/tests/bench/stems.sh"
make_stems
C=$CACHE
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ddbench.XXXXXX") || die "no temp dir"
trap 'rm -rf "$TMP"' EXIT INT TERM
# a private copy: a rebuild in the tree during the run must not change or
# break the program being timed
cp "$DD" "$TMP/dialogueduck" || die "cannot copy $DD"
DD=$TMP/dialogueduck

# ------------------------------------------------------------------
# measure NAME RUNS CMD...: best wall and CPU time of RUNS runs, largest
# RSS; sets NAME_wall, NAME_cpu (seconds), NAME_rss (KiB). A failing
# command stops the bench with its log.
measure() {
    name=$1 runs=$2
    shift 2
    best_wall= best_cpu= max_rss=0
    r=0
    while [ "$r" -lt "$runs" ]; do
        if ! /usr/bin/time -f "%e %U %S %M" -o "$TMP/time" "$@" \
                > "$TMP/$name.log" 2>&1; then
            sed 's/^/    /' "$TMP/$name.log" | tail -n 20 >&2
            die "$name failed: $*"
        fi
        read -r wall user sys rss < "$TMP/time"
        cpu=$(awk "BEGIN { print $user + $sys }")
        best_wall=$(awk "BEGIN { w = $wall; b = \"$best_wall\";
                             print (b == \"\" || w < b + 0) ? w : b }")
        best_cpu=$(awk "BEGIN { c = $cpu; b = \"$best_cpu\";
                            print (b == \"\" || c < b + 0) ? c : b }")
        [ "$rss" -gt "$max_rss" ] && max_rss=$rss
        r=$((r + 1))
    done
    eval "${name}_wall=$best_wall ${name}_cpu=$best_cpu ${name}_rss=$max_rss"
    printf '  %-18s wall %7.2f s  cpu %7.2f s  rss %6.1f MiB\n' "$name" \
        "$best_wall" "$best_cpu" "$(awk "BEGIN { print $max_rss / 1024 }")" >&2
}

ratio() { awk "BEGIN { if ($2 > 0) printf \"%.1f\", $1 / $2; else print \"-\" }"; }
sum() { awk "BEGIN { print $1 + $2 }"; }

# An FFmpeg ebur128 reading of a file: "I LUFS / TP dBTP".
meter() {
    ffmpeg -nostdin -hide_banner -nostats -i "$1" -map 0:a:0 \
        -af ebur128=peak=true -f null - 2>&1 |
        awk '/Integrated loudness/ { s = 1 } s && /I:/ { i = $2 }
             /True peak/ { t = 1 } t && /Peak:/ { p = $2 }
             END { printf "%s LUFS / %s dBTP", i, p }'
}

# Two-pass loudnorm, as ffmpeg-normalize does it: pass 1 measures,
# pass 2 applies with linear=true. $1: name prefix; $2: output;
# then the input arguments; the chain in $CHAIN ends where loudnorm starts;
# extra output options in $PEER_OUT.
peer() {
    pname=$1 pout=$2
    shift 2
    ln="loudnorm=I=$TARGET:TP=$CEIL:LRA=20"
    # pass 1: the measurement comes out on stderr as JSON
    measure "${pname}_pass1" 1 ffmpeg -nostdin -hide_banner -nostats -y "$@" \
        -filter_complex "$CHAIN,$ln:print_format=json" -f null -
    json=$TMP/${pname}_pass1.log
    val() { sed -n "s/.*\"$1\" : \"\\([^\"]*\)\".*/\\1/p" "$json" | tail -n 1; }
    mi=$(val input_i) mtp=$(val input_tp) mlra=$(val input_lra)
    mth=$(val input_thresh) off=$(val target_offset)
    [ -n "$mi" ] || die "$pname: no loudnorm measurement in pass 1"
    # shellcheck disable=SC2086
    measure "${pname}_pass2" 1 ffmpeg -nostdin -hide_banner -loglevel error -y \
        "$@" -filter_complex \
        "$CHAIN,$ln:measured_I=$mi:measured_TP=$mtp:measured_LRA=$mlra:measured_thresh=$mth:offset=$off:linear=true,aresample=48000" \
        $PEER_OUT "$pout"
    eval "${pname}_wall=\$(sum \$${pname}_pass1_wall \$${pname}_pass2_wall)"
    eval "${pname}_cpu=\$(sum \$${pname}_pass1_cpu \$${pname}_pass2_cpu)"
}

echo "bench: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg);" \
    "ffmpeg $(ffmpeg -version | sed -n '1s/ffmpeg version \([^ ]*\).*/\1/p');" \
    "best of $RUNS runs" >&2

# ------------------------------------------------------------------
# 1. engine throughput against sidechaincompress
echo "1. engine (PCM in memory) vs sidechaincompress (raw float input)" >&2
$CC -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -O2 -Wall -Wextra \
    -Icore -Itool -o "$OUT/engine_bench" tests/bench/engine_bench.c core/*.c \
    tool/loudness.c tool/limiter.c \
    $(pkg-config --cflags --libs libavutil libebur128) -lm -lpthread ||
    die "cannot build engine_bench"
"$OUT/engine_bench" "$C/dlg10.f32" "$C/mus10.f32" > "$TMP/engine.txt" ||
    die "engine_bench failed"
get() { sed -n "s/^$1 //p" "$TMP/engine.txt"; }
engine_cpu=$(get engine_s)
engine_wall=$(get engine_wall_s)
RAW="-f f32le -ar 48000 -ac 2"
# shellcheck disable=SC2086
measure sc "$RUNS" ffmpeg -nostdin -hide_banner -loglevel error \
    $RAW -i "$C/dlg10.f32" $RAW -i "$C/mus10.f32" \
    -filter_complex "[1:a][0:a]sidechaincompress=$SC" -f null -
# the same command reading both inputs without the filter
# shellcheck disable=SC2086
measure sc_base "$RUNS" ffmpeg -nostdin -hide_banner -loglevel error \
    $RAW -i "$C/dlg10.f32" $RAW -i "$C/mus10.f32" \
    -filter_complex "[0:a]anullsink;[1:a]anull" -f null -
sc_filter_cpu=$(awk "BEGIN { print $sc_cpu - $sc_base_cpu }")
sc_filter_wall=$(awk "BEGIN { print $sc_wall - $sc_base_wall }")

# ------------------------------------------------------------------
# 2. the program against the floor
echo "2. program on 10-minute FLAC stems vs the floor" >&2
measure dd_off "$RUNS" "$DD" -q -y -d "$C/dlg10.flac" -m "$C/mus10.flac" \
    -o "$TMP/mix_off.wav" --loudness off
measure dd_ebu "$RUNS" "$DD" -q -y -d "$C/dlg10.flac" -m "$C/mus10.flac" \
    -o "$TMP/mix_ebu.wav" --loudness ebu
# a report also measures true peak before and after (libebur128's true
# peak, about 4x the cost of the plain meter, twice): shown apart
measure dd_report 1 "$DD" -q -y -d "$C/dlg10.flac" -m "$C/mus10.flac" \
    -o "$TMP/mix_rep.wav" --loudness ebu --report "$TMP/report.json"
codec=$(ffprobe -v error -select_streams a:0 -show_entries stream=codec_name \
        -of csv=p=0 "$TMP/mix_ebu.wav")
measure floor "$RUNS" ffmpeg -nostdin -hide_banner -loglevel error -y \
    -i "$C/dlg10.flac" -i "$C/mus10.flac" \
    -filter_complex "[0:a][1:a]amix=inputs=2:normalize=0" \
    -c:a "${codec:-pcm_s16le}" "$TMP/floor.wav"
dd_ebu_meter=$(meter "$TMP/mix_ebu.wav")

# ------------------------------------------------------------------
# 3. the peer pipeline
if [ -z "$quick" ]; then
    echo "3. peer: sidechaincompress + amix + two-pass loudnorm" >&2
    CHAIN="[0:a]asplit=2[k][d];[1:a][k]sidechaincompress=$SC[m];[d][m]amix=inputs=2:normalize=0"
    PEER_OUT="-c:a ${codec:-pcm_s16le}"
    peer peer "$TMP/peer.wav" -i "$C/dlg10.flac" -i "$C/mus10.flac"
    peer_meter=$(meter "$TMP/peer.wav")
fi

# ------------------------------------------------------------------
# 4. peak memory, 10 minutes and 2 hours
if [ -z "$quick" ]; then
    echo "4. peak memory on a 2-hour input" >&2
    measure dd_2h 1 "$DD" -q -y -d "$C/dlg120.flac" -m "$C/mus120.flac" \
        -o "$TMP/mix_2h.wav" --loudness ebu
    rm -f "$TMP/mix_2h.wav"
fi

# ------------------------------------------------------------------
# 5. video: remux with the new mix
echo "5. 10-minute H.264 video with two AAC stems" >&2
measure dd_video "$RUNS" "$DD" -q -y -i "$C/film10.mp4" -d 0:a:0 -m 0:a:1 \
    -o "$TMP/film_dd.mp4" --codec aac
measure floor_video "$RUNS" ffmpeg -nostdin -hide_banner -loglevel error -y \
    -i "$C/film10.mp4" \
    -filter_complex "[0:a:0][0:a:1]amix=inputs=2:normalize=0[a]" \
    -map 0:v -map "[a]" -c:v copy -c:a aac -movflags +faststart \
    "$TMP/film_floor.mp4"
dd_video_meter=$(meter "$TMP/film_dd.mp4")
if [ -z "$quick" ]; then
    CHAIN="[0:a:0]asplit=2[k][d];[0:a:1][k]sidechaincompress=$SC[m];[d][m]amix=inputs=2:normalize=0"
    PEER_OUT="-map 0:v -c:v copy -c:a aac -movflags +faststart"
    # pass 2 maps the filter output itself; pass 1 goes to null
    peer peer_video "$TMP/film_peer.mp4" -i "$C/film10.mp4"
    peer_video_meter=$(meter "$TMP/film_peer.mp4")
fi

# ------------------------------------------------------------------
# 7. every loudness preset, read back by FFmpeg's meter
presets=
if [ -z "$quick" ]; then
    echo "7. loudness presets" >&2
    for t in ebu atsc streaming -14 "-27 --gate dialogue"; do
        name=$(echo "$t" | tr -c 'a-z0-9\n' '_')
        # shellcheck disable=SC2086
        "$DD" -q -y -d "$C/dlg10.flac" -m "$C/mus10.flac" \
            -o "$TMP/p_$name.wav" --loudness $t ||
            die "--loudness $t failed"
        presets="$presets$(printf '  %-24s %s' "--loudness $t" "$(meter "$TMP/p_$name.wav")")
"
        rm -f "$TMP/p_$name.wav"
    done
fi

# ------------------------------------------------------------------
# 6. batch mode: -j 1 against -j 2, and the start-up cost per job
batch=
if "$DD" batch --help > /dev/null 2>&1; then
    echo "6. batch: 8 one-minute jobs, -j 1 and -j 2; 1-second jobs" >&2
    batch=1
    ffmpeg -nostdin -hide_banner -loglevel error -y -i "$C/dlg10.flac" \
        -t 60 "$TMP/bd.flac" &&
    ffmpeg -nostdin -hide_banner -loglevel error -y -i "$C/mus10.flac" \
        -t 60 "$TMP/bm.flac" || die "cannot cut the batch inputs"
    for j in 1 2; do
        mkdir -p "$TMP/j$j"
        echo "dialogue,music,output" > "$TMP/j$j.csv"
        for k in 1 2 3 4 5 6 7 8; do
            echo "$TMP/bd.flac,$TMP/bm.flac,$TMP/j$j/out$k.wav" >> "$TMP/j$j.csv"
        done
    done
    measure batch_j1 1 "$DD" batch "$TMP/j1.csv" -j 1
    measure batch_j2 1 "$DD" batch "$TMP/j2.csv" -j 2
    # start-up cost: a 1-second job, start to end; /usr/bin/time counts in
    # 10 ms steps, so time 20 runs with the nanosecond clock (mean and best)
    measure one 3 "$DD" -q -y -d "$C/one.flac" -m "$C/one.flac" \
        -o "$TMP/one.wav"
    one_ms=
    for k in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        t0=$(date +%s%N)
        "$DD" -q -y -d "$C/one.flac" -m "$C/one.flac" -o "$TMP/one.wav" ||
            die "1-second job failed"
        one_ms="$one_ms $((($(date +%s%N) - t0) / 1000))"
    done
    one_stats=$(echo "$one_ms" | awk '{ for (i = 1; i <= NF; i++) {
        s += $i; if (!m || $i < m) m = $i }
        printf "mean %.1f ms, best %.1f ms", s / NF / 1000, m / 1000 }')
fi

# ------------------------------------------------------------------
echo
echo "Engine and loudness parts, 10 minutes of stereo 48 kHz in memory (CPU s):"
printf '  %-40s %8.3f s  %6.0fx realtime\n' "DDEngine (detect, plan, render)" \
    "$engine_cpu" "$(awk "BEGIN { print 600 / $engine_cpu }")"
printf '  %-40s %8.3f s\n' "loudness meter, program (I + S)" "$(get meter_s)"
printf '  %-40s %8.3f s  %s dBTP\n' "loudness meter, with true peak" \
    "$(get meter_tp_s)" "$(get mix_true_peak_dbtp)"
printf '  %-40s %8.3f s  %s dBTP\n' "libebur128 I + true-peak mode" \
    "$(get ebur128_tp_s)" "$(get ebur128_true_peak_dbtp)"
printf '  %-40s %8.3f s\n' "meter on its thread (caller's wall)" "$(get meter_thread_wall_s)"
printf '  %-40s %8.3f s  %s s limited\n' "limiter at -23 LUFS" \
    "$(get limiter_-23_s)" "$(get limiter_-23_limited_s)"
printf '  %-40s %8.3f s  %s s limited, max %s dB\n' "limiter at -14 LUFS" \
    "$(get limiter_-14_s)" "$(get limiter_-14_limited_s)" \
    "$(get limiter_-14_max_reduction_db)"
echo
echo "Comparisons (10-minute stereo 48 kHz stems; wall and CPU seconds):"
printf '%-46s %15s %15s %13s %8s\n' "case" "dialogueduck" "reference" \
    "ratio w/cpu" "goal"
row() { # LABEL DD_WALL DD_CPU REF_WALL REF_CPU RATIO_W RATIO_C GOAL
    printf '%-46s %6.2f /%6.2f %6.2f /%6.2f %6s /%5s %8s\n' "$1" "$2" "$3" \
        "$4" "$5" "$6" "$7" "$8"
}
row "1. engine vs sidechaincompress filter" \
    "$engine_wall" "$engine_cpu" "$sc_filter_wall" "$sc_filter_cpu" \
    "$(ratio "$sc_filter_wall" "$engine_wall")" \
    "$(ratio "$sc_filter_cpu" "$engine_cpu")" ">= 3x"
row "   engine vs whole sidechaincompress command" \
    "$engine_wall" "$engine_cpu" "$sc_wall" "$sc_cpu" \
    "$(ratio "$sc_wall" "$engine_wall")" "$(ratio "$sc_cpu" "$engine_cpu")" ""
row "2. program --loudness off vs floor" "$dd_off_wall" "$dd_off_cpu" \
    "$floor_wall" "$floor_cpu" "$(ratio "$dd_off_wall" "$floor_wall")" \
    "$(ratio "$dd_off_cpu" "$floor_cpu")" "<= 2x"
row "   program --loudness ebu vs floor" "$dd_ebu_wall" "$dd_ebu_cpu" \
    "$floor_wall" "$floor_cpu" "$(ratio "$dd_ebu_wall" "$floor_wall")" \
    "$(ratio "$dd_ebu_cpu" "$floor_cpu")" "<= 2x"
row "   program --loudness ebu --report vs floor" "$dd_report_wall" \
    "$dd_report_cpu" "$floor_wall" "$floor_cpu" \
    "$(ratio "$dd_report_wall" "$floor_wall")" \
    "$(ratio "$dd_report_cpu" "$floor_cpu")" ""
if [ -z "$quick" ]; then
    row "3. peer pipeline vs program --loudness ebu" "$dd_ebu_wall" \
        "$dd_ebu_cpu" "$peer_wall" "$peer_cpu" \
        "$(ratio "$peer_wall" "$dd_ebu_wall")" \
        "$(ratio "$peer_cpu" "$dd_ebu_cpu")" ">= 20x"
fi
row "5. video: program vs floor" "$dd_video_wall" "$dd_video_cpu" \
    "$floor_video_wall" "$floor_video_cpu" \
    "$(ratio "$dd_video_wall" "$floor_video_wall")" \
    "$(ratio "$dd_video_cpu" "$floor_video_cpu")" "<= 2x"
if [ -z "$quick" ]; then
    row "   video: peer pipeline vs program" "$dd_video_wall" \
        "$dd_video_cpu" "$peer_video_wall" "$peer_video_cpu" \
        "$(ratio "$peer_video_wall" "$dd_video_wall")" \
        "$(ratio "$peer_video_cpu" "$dd_video_cpu")" ">= 20x"
fi
echo
echo "4. Peak memory (max RSS):"
printf '  %-40s %6.1f MiB\n' "10 minutes, --loudness ebu" \
    "$(awk "BEGIN { print $dd_ebu_rss / 1024 }")"
[ -z "$quick" ] && printf '  %-40s %6.1f MiB  (%.1f s wall, goal < 64 MiB)\n' \
    "2 hours, --loudness ebu" "$(awk "BEGIN { print $dd_2h_rss / 1024 }")" \
    "$dd_2h_wall"
printf '  %-40s %6.1f MiB\n' "10-minute video" \
    "$(awk "BEGIN { print $dd_video_rss / 1024 }")"
printf '  %-40s %6.1f MiB\n' "floor (ffmpeg amix to WAV)" \
    "$(awk "BEGIN { print $floor_rss / 1024 }")"
echo
echo "Loudness of the outputs, read by FFmpeg's ebur128 filter (target $TARGET LUFS, ceiling $CEIL dBTP):"
echo "  dialogueduck, stems: $dd_ebu_meter"
echo "  dialogueduck, video: $dd_video_meter"
[ -z "$quick" ] && echo "  peer pipeline, stems: $peer_meter" &&
    echo "  peer pipeline, video: $peer_video_meter"
if [ -n "$presets" ]; then
    echo
    echo "7. Loudness presets on the 10-minute stems, read by FFmpeg's ebur128 (ceiling $CEIL dBTP):"
    printf '%s' "$presets"
fi
if [ -n "$batch" ]; then
    echo
    echo "6. Batch (8 jobs of 1 minute):"
    printf '  %-40s %6.2f s  %6.0fx realtime\n' "-j 1" "$batch_j1_wall" \
        "$(awk "BEGIN { print 480 / $batch_j1_wall }")"
    printf '  %-40s %6.2f s  %6.0fx realtime  speed-up %sx (goal near 2x)\n' \
        "-j 2" "$batch_j2_wall" "$(awk "BEGIN { print 480 / $batch_j2_wall }")" \
        "$(ratio "$batch_j1_wall" "$batch_j2_wall")"
    printf '  %-40s %s (goal < 50 ms), %.0f ms CPU\n' \
        "one 1-second job, start to end" "$one_stats" \
        "$(awk "BEGIN { print $one_cpu * 1000 }")"
fi
