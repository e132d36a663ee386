#!/bin/sh
# make bench: speed and memory of dialogueduck against stock FFmpeg, all
# measured in one run on the same inputs. Never part of make check.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
#
#   sh tests/bench/run.sh          make bench: every 10-minute case and
#                                  its peers but the video's (under 5
#                                  minutes on an idle 2-core machine:
#                                  about 300 s of CPU,
#                                  the video twice: with and without
#                                  the pass cache)
#   sh tests/bench/run.sh --long   make bench-long: also the video's peer,
#                                  1 and 2 hours (cost per audio hour,
#                                  with and without the start-up; peak
#                                  memory of every container at 2 h;
#                                  about 30 more minutes)
#   sh tests/bench/run.sh --quick  no two-pass loudnorm peers (the slow
#                                  part of the 10-minute cases)
#
# One table: case | us | decode only | floor | peer pipeline |
# sidechaincompress | ratios. "us" is dialogueduck (the engine on PCM in
# memory, or the program); decode only is ffmpeg decoding the same inputs
# and writing nothing (the physical limit); the floor is ffmpeg decoding
# and writing the plain mix; the peer is sidechaincompress + amix + two-pass
# loudnorm; sidechaincompress is that filter alone (time above reading the
# inputs). Every dialogue kind runs: real speech (exact zeros between
# clips), continuous (a room-tone bed, no zeros) and half digital silence.
#
# Environment: BENCH_CACHE (generated inputs, default build/bench/cache,
# about 1.5 GB, made once; 2.5 GB with the long inputs), BENCH_RUNS (runs
# per command, best kept, default 3), BENCH_VIDEO_RUNS (the same for the
# video cases, default 2), DD (the program, default ./dialogueduck).
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
# the video cases take 10-15 s a run (AAC encoding): two runs keep make
# bench under 5 minutes
VRUNS=${BENCH_VIDEO_RUNS:-$((RUNS < 2 ? RUNS : 2))}
DD=${DD:-./dialogueduck}
CC=${CC:-cc}
# sidechaincompress as people post it (the same settings make eval uses)
SC="threshold=0.05:ratio=8:attack=20:release=300"
TARGET=-23
CEIL=-1
quick= long=
case "$1" in
--quick) quick=1 ;;
--long) long=1 ;;
"") ;;
*) echo "usage: sh tests/bench/run.sh [--quick | --long]" >&2; exit 2 ;;
esac

die() { echo "bench: $*" >&2; exit 1; }

command -v ffmpeg > /dev/null || die "ffmpeg not found: apt-get install ffmpeg"
[ -x /usr/bin/time ] || die "/usr/bin/time not found: apt-get install time"
[ -x "$DD" ] || die "$DD not built: run make"

. "$TOP/tests/bench/stems.sh"
make_stems $long
C=$CACHE
mkdir -p "$OUT" || die "cannot create $OUT"
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
# measure NAME RUNS CMD...: the best of RUNS runs and of the earlier calls
# for NAME (where the cases of a section take turns, one run a round)
measure() {
    name=$1 runs=$2
    shift 2
    eval "best_wall=\${${name}_wall-} best_cpu=\${${name}_cpu-} max_rss=\${${name}_rss-0}"
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

# two decimals: the goals (1.15, 1.3) are read at that precision
ratio() { awk "BEGIN { if ($2 > 0) printf \"%.2f\", $1 / $2; else print \"-\" }"; }
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
decode() { # NAME RUNS INPUT ARGS...: ffmpeg decoding only
    dname=$1 druns=$2
    shift 2
    measure "$dname" "$druns" ffmpeg -nostdin -hide_banner -loglevel error "$@" \
        -f null -
}
RAW="-f f32le -ar 48000 -ac 2"

# ------------------------------------------------------------------
# 1. the engine on PCM in memory against sidechaincompress
echo "1. engine (PCM in memory) vs sidechaincompress (raw float input)" >&2
$CC -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -O2 -Wall -Wextra \
    -Icore -Itool -o "$OUT/engine_bench" tests/bench/engine_bench.c core/*.c \
    tool/loudness.c tool/loudness_range.c tool/kweight.c tool/limiter.c \
    tool/peak.c \
    $(pkg-config --cflags --libs libavutil libebur128) -lm -lpthread ||
    die "cannot build engine_bench"
"$OUT/engine_bench" "$C/dlg10.f32" "$C/mus10.f32" > "$TMP/engine.txt" ||
    die "engine_bench failed"
get() { sed -n "s/^$1 //p" "$TMP/engine.txt"; }
# shellcheck disable=SC2086
measure sc_base "$RUNS" ffmpeg -nostdin -hide_banner -loglevel error \
    $RAW -i "$C/dlg10.f32" $RAW -i "$C/mus10.f32" \
    -filter_complex "[0:a]anullsink;[1:a]anull" -f null -
for d in dlg cont half; do
    "$OUT/engine_bench" "$C/${d}10.f32" "$C/mus10.f32" engine \
        > "$TMP/engine_$d.txt" || die "engine_bench failed on $d"
    eval "eng_${d}_cpu=\$(sed -n 's/^engine_s //p' \"\$TMP/engine_\$d.txt\")"
    eval "eng_${d}_wall=\$(sed -n 's/^engine_wall_s //p' \"\$TMP/engine_\$d.txt\")"
    # shellcheck disable=SC2086
    measure "sc_$d" "$RUNS" ffmpeg -nostdin -hide_banner -loglevel error \
        $RAW -i "$C/${d}10.f32" $RAW -i "$C/mus10.f32" \
        -filter_complex "[1:a][0:a]sidechaincompress=$SC" -f null -
    eval "sc_${d}_cpu=\$(awk \"BEGIN { print \$sc_${d}_cpu - \$sc_base_cpu }\")"
    eval "sc_${d}_wall=\$(awk \"BEGIN { print \$sc_${d}_wall - \$sc_base_wall }\")"
done

# ------------------------------------------------------------------
# 2. the program on 10-minute WAV stems against the floor
echo "2. program on 10-minute WAV stems vs decode only and the floor" >&2
prog() { # NAME DIALOGUE LOUDNESS...
    pn=$1 pd=$2
    shift 2
    measure "$pn" 1 "$DD" -q -y -d "$C/${pd}10.wav" -m "$C/mus10.wav" \
        -o "$TMP/$pn.wav" --loudness "$@"
}
# The cases take turns, one run each a round, RUNS rounds: the machine's
# speed moves from minute to minute (best of 3 of each case in a row
# read --loudness ebu 1.21x, 1.25x and 1.35x the floor in three runs of
# the same code), and taking turns makes the floor and the program meet
# the same moments.
round=0
while [ "$round" -lt "$RUNS" ]; do
    decode dec 1 -i "$C/dlg10.wav" -i "$C/mus10.wav" \
        -filter_complex "[0:a]anullsink;[1:a]anull"
    measure floor 1 ffmpeg -nostdin -hide_banner -loglevel error -y \
        -i "$C/dlg10.wav" -i "$C/mus10.wav" \
        -filter_complex "[0:a][1:a]amix=inputs=2:normalize=0" \
        -c:a pcm_s16le "$TMP/floor.wav"
    prog dd_off dlg off
    prog dd_ebu dlg ebu
    prog dd_atsc dlg atsc
    prog dd_str dlg streaming
    prog dd_gated dlg -27 --gate dialogue
    prog dd_ebu_cont cont ebu
    prog dd_ebu_half half ebu
    round=$((round + 1))
done
dd_ebu_meter=$(meter "$TMP/dd_ebu.wav")
dd_str_meter=$(meter "$TMP/dd_str.wav")
# a report also measures the delivered file (loudness and true peak)
measure dd_report 1 "$DD" -q -y -d "$C/dlg10.wav" -m "$C/mus10.wav" \
    -o "$TMP/mix_rep.wav" --loudness ebu --report "$TMP/report.json"
if [ -z "$quick" ]; then
    echo "3. peer: sidechaincompress + amix + two-pass loudnorm" >&2
    CHAIN="[0:a]asplit=2[k][d];[1:a][k]sidechaincompress=$SC[m];[d][m]amix=inputs=2:normalize=0"
    PEER_OUT="-c:a pcm_s16le"
    peer peer "$TMP/peer.wav" -i "$C/dlg10.wav" -i "$C/mus10.wav"
    peer_meter=$(meter "$TMP/peer.wav")
fi

# ------------------------------------------------------------------
# 4. cost per audio hour and peak memory: 10 minutes, 1 hour, 2 hours
if [ -n "$long" ]; then
    echo "4. 10 minutes, 1 hour, 2 hours (FLAC in; WAV, and every container for 2 h)" >&2
    # best of VRUNS like the video: one run per length read a spread of
    # 14-35 % where the best of two or three read 2-15 % (a 2-hour run's
    # system time moves by seconds with the page cache it allocates)
    for m in 10 60 120; do
        measure "len$m" "$VRUNS" "$DD" -q -y -d "$C/dlg$m.flac" -m "$C/mus$m.flac" \
            -o "$TMP/len.wav" --loudness ebu
        rm -f "$TMP/len.wav"
    done
    # 2 hours into each container (FLAC stems keep FLAC where the
    # container takes it; MOV and MP4 are asked for PCM and AAC)
    cont() { # NAME EXTENSION ARGS...
        cn=$1 ce=$2
        shift 2
        measure "len120_$cn" 1 "$DD" -q -y -d "$C/dlg120.flac" \
            -m "$C/mus120.flac" -o "$TMP/len.$ce" --loudness ebu "$@"
        rm -f "$TMP/len.$ce"
    }
    cont flac flac
    cont mkv mkv
    cont mov mov -c:a pcm_s16le
    cont mp4 mp4 -c:a aac
fi

# ------------------------------------------------------------------
# 5. video: remux with the new mix, AAC on both sides
echo "5. 10-minute H.264 video with two AAC stems" >&2
# taking turns as section 2 does: one run of each case a round. Best of
# two in a row read the floor at 14.1 s in one run and 15.2 s in another
# of the same code, the program 0.97x and 1.25x it.
# The AAC encoder's cost moves with what it encodes: FFmpeg's encoder
# took 1.2x the instructions on a ducked mix that it took on the
# floor's plain sum of the same stems, at the same bit rate and level.
# Its time on the program's own mix, in turns with the rest, says how
# much of the video ratio is the encoder's.
"$DD" -q -y -i "$C/film10.mp4" -d 0:a:0 -m 0:a:1 -o "$TMP/film_mix.wav" \
    -c:a pcm_f32le || die "video: the program failed on film10.mp4"
vround=0
while [ "$vround" -lt "$VRUNS" ]; do
    decode dec_video 1 -i "$C/film10.mp4" \
        -filter_complex "[0:a:0]anullsink;[0:a:1]anull" -vn
    # the same AAC bit rate on both sides: the program's default for
    # stereo (96 kb/s per channel); ffmpeg's own default, 128 kb/s,
    # encodes faster
    measure floor_video 1 ffmpeg -nostdin -hide_banner -loglevel error -y \
        -i "$C/film10.mp4" \
        -filter_complex "[0:a:0][0:a:1]amix=inputs=2:normalize=0[a]" \
        -map 0:v -map "[a]" -c:v copy -c:a aac -b:a 192k -movflags +faststart \
        "$TMP/film_floor.mp4"
    measure dd_video 1 "$DD" -q -y -i "$C/film10.mp4" -d 0:a:0 -m 0:a:1 \
        -o "$TMP/film_dd.mp4" --codec aac
    measure enc_video 1 ffmpeg -nostdin -hide_banner -loglevel error -y \
        -i "$TMP/film_mix.wav" -c:a aac -b:a 192k -movflags +faststart \
        "$TMP/film_enc.m4a"
    # the same with the stems decoded again in pass 2 (AAC stems are
    # cached by default: tool/passcache.h), to show what the cache
    # saves: one run
    [ "$vround" -gt 0 ] ||
        measure dd_video_nc 1 "$DD" -q -y -i "$C/film10.mp4" -d 0:a:0 \
            -m 0:a:1 -o "$TMP/film_nc.mp4" --codec aac --cache off
    vround=$((vround + 1))
done
cmp -s "$TMP/film_dd.mp4" "$TMP/film_nc.mp4" ||
    die "video: the output differs with and without the pass cache"
dd_video_meter=$(meter "$TMP/film_dd.mp4")
# the video peer (two loudnorm passes, each an AAC encode: about 40 s)
# only in make bench-long, which keeps make bench under 5 minutes
if [ -n "$long" ]; then
    CHAIN="[0:a:0]asplit=2[k][d];[0:a:1][k]sidechaincompress=$SC[m];[d][m]amix=inputs=2:normalize=0"
    PEER_OUT="-map 0:v -c:v copy -c:a aac -b:a 192k -movflags +faststart"
    peer peer_video "$TMP/film_peer.mp4" -i "$C/film10.mp4"
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
# The table. Cells: CPU seconds (user + sys: the machine is shared, wall
# time counts the neighbours); wall seconds in the second table.
cell() { eval "v=\${$1_$2:-}"; [ -n "$v" ] && printf '%.2f' "$v" || printf -- '-'; }
r() { # ratio of two variables' values, or -
    eval "a=\${$1:-} b=\${$2:-}"
    if [ -n "$a" ] && [ -n "$b" ]; then ratio "$a" "$b"; else printf -- '-'; fi
}
table() { # KIND (cpu or wall)
    k=$1
    printf '%-34s %7s %7s %7s %7s %7s %8s %8s %8s\n' "case ($k s)" us \
        decode floor peer sc "us/floor" "peer/us" "sc/us"
    printf '%s' "$ROWS" | while IFS='|' read -r key label us dec fl pe sc; do
        [ -n "$key" ] || continue
        printf '%-34s %7s %7s %7s %7s %7s %8s %8s %8s\n' "$label" \
            "$(cell "$us" "$k")" "$(cell "$dec" "$k")" "$(cell "$fl" "$k")" \
            "$(cell "$pe" "$k")" "$(cell "$sc" "$k")" \
            "$(r "${us}_$k" "${fl}_$k")" "$(r "${pe}_$k" "${us}_$k")" \
            "$(r "${sc}_$k" "${us}_$k")"
    done
}
ROWS="e1|engine, real speech|eng_dlg||||sc_dlg
e2|engine, continuous dialogue|eng_cont||||sc_cont
e3|engine, half digital silence|eng_half||||sc_half
p0|program --loudness off|dd_off|dec|floor||
p1|program --loudness ebu|dd_ebu|dec|floor|peer|
p2|program --loudness atsc|dd_atsc|dec|floor||
p3|program --loudness streaming|dd_str|dec|floor||
p4|program -27 --gate dialogue|dd_gated|dec|floor||
p5|program ebu, continuous dialogue|dd_ebu_cont|dec|floor||
p6|program ebu, half digital silence|dd_ebu_half|dec|floor||
p7|program ebu --report|dd_report|dec|floor||
v1|video (H.264 copy, AAC)|dd_video|dec_video|floor_video|peer_video|
v0|video, --cache off|dd_video_nc|dec_video|floor_video||
v2|video: encoding our mix alone|enc_video|dec_video|floor_video||
"
echo
echo "10-minute stereo 48 kHz stems, best of $RUNS (sections 2 and 5 taking turns; video: $VRUNS); goals: us/floor <= 1.3"
echo "(1.15 on video), sc/us >= 3 for the engine"
table cpu
echo
table wall
echo
echo "Parts on PCM in memory (CPU s): loudness meter $(get meter_s), with true"
echo "peak $(get meter_tp_s) ($(get mix_true_peak_dbtp) dBTP; libebur128's true-peak"
echo "mode $(get ebur128_tp_s) s, $(get ebur128_true_peak_dbtp) dBTP), limiter at -23 LUFS"
echo "$(get limiter_-23_s), at -14 LUFS $(get limiter_-14_s) ($(get limiter_-14_limited_s) s limited)"
if [ -n "$long" ]; then
    echo
    echo "Cost per audio hour and peak memory (--loudness ebu, FLAC in):"
    for m in 10 60 120; do
        eval "c=\$len${m}_cpu w=\$len${m}_wall rss=\$len${m}_rss"
        printf '  %3d min: %7.2f s CPU (%6.2f s per audio hour), %7.2f s wall, %6.1f MiB\n' \
            "$m" "$c" "$(awk "BEGIN { print $c * 60 / $m }")" "$w" \
            "$(awk "BEGIN { print $rss / 1024 }")"
    done
    # spread S: the cost per audio hour of each length, less S seconds of
    # start-up (loading the libraries: the same for any length)
    spread() {
        awk "BEGIN { s = $1; a = ($len10_cpu - s) * 6; b = $len60_cpu - s;
            c = ($len120_cpu - s) / 2;
            lo = a; hi = a; if (b < lo) lo = b; if (c < lo) lo = c;
            if (b > hi) hi = b; if (c > hi) hi = c;
            printf \"%.0f\", (hi / lo - 1) * 100 }"
    }
    printf '  spread of the cost per audio hour: %s %% (goal <= 10 %%)\n' \
        "$(spread 0)"
    if [ -n "${one_cpu:-}" ]; then
        printf '  less the start-up (a 1-second job, %.2f s CPU): %s %%\n' \
            "$one_cpu" "$(spread "$one_cpu")"
    fi
    printf '  peak memory, 2 hours (goal < 64 MiB):'
    for k in 120:WAV 120_flac:FLAC 120_mkv:MKV "120_mov:MOV (PCM)" \
             "120_mp4:MP4 (AAC)"; do
        eval "rss=\$len${k%%:*}_rss"
        printf ' %s %.1f MiB;' "${k#*:}" "$(awk "BEGIN { print $rss / 1024 }")"
    done
    echo
fi
echo
echo "Peak memory, 10 minutes: program $(awk "BEGIN { printf \"%.1f\", $dd_ebu_rss / 1024 }") MiB, video $(awk "BEGIN { printf \"%.1f\", $dd_video_rss / 1024 }") MiB, floor $(awk "BEGIN { printf \"%.1f\", $floor_rss / 1024 }") MiB"
echo
echo "Outputs read by FFmpeg's ebur128 (target $TARGET LUFS, ceiling $CEIL dBTP):"
echo "  program ebu:       $dd_ebu_meter"
echo "  program streaming: $dd_str_meter (target -16)"
echo "  video:             $dd_video_meter"
[ -z "$quick" ] && echo "  peer pipeline:     $peer_meter"
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
exit 0
