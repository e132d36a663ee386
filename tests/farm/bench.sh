#!/bin/sh
# Batch benchmark (part of make bench, never of make check): throughput of
# `dialogueduck batch` with -j 1 against -j 2 on the same manifest, and the
# cost of starting one job on a one-second file. Prints a table; figures
# are single runs on this machine.
#
#   sh tests/farm/bench.sh [JOBS] [SECONDS]   (default 8 jobs of 60 s)
#
# This file is part of dialogueduck (LGPL-2.1-or-later).

TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
DD=${DD:-$TOP/dialogueduck}
JOBS=${1:-8}
SECONDS_PER_JOB=${2:-60}
SHORT_JOBS=20
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ddbench.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1

for c in ffmpeg jq awk; do
    command -v $c >/dev/null 2>&1 || { echo "bench: $c is needed" >&2; exit 1; }
done
[ -x "$DD" ] || { echo "bench: build $DD first (make)" >&2; exit 1; }

now() { date +%s.%N; }

stems() { # NAME SECONDS FREQ
    ffmpeg -nostdin -v error -f lavfi \
        -i "sine=f=$3:d=$2:sample_rate=48000,volume='if(lt(mod(t,3),1.8),1,0.001)':eval=frame" \
        -c:a pcm_s16le "d_$1.wav" &&
    ffmpeg -nostdin -v error -f lavfi -i "sine=f=$(($3 * 2)):d=$2:sample_rate=48000" \
        -ac 2 -c:a pcm_s16le "m_$1.wav"
}

echo "dialogue,music,output" > long.csv
i=0
while [ $i -lt "$JOBS" ]; do
    stems "l$i" "$SECONDS_PER_JOB" $((180 + 10 * i)) || exit 1
    echo "d_l$i.wav,m_l$i.wav,mix_l$i.wav" >> long.csv
    i=$((i + 1))
done
stems short 1 220 || exit 1
echo "dialogue,music,output" > short.csv
i=0
while [ $i -lt $SHORT_JOBS ]; do
    echo "d_short.wav,m_short.wav,mix_s$i.wav" >> short.csv
    i=$((i + 1))
done

load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)

# A first run warms the page cache and the program's pages.
"$DD" batch long.csv -j 2 --force 2>/dev/null

"$DD" batch long.csv -j 1 --force --summary j1.json 2>/dev/null
"$DD" batch long.csv -j 2 --force --summary j2.json 2>/dev/null
w1=$(jq .wall_seconds j1.json)
w2=$(jq .wall_seconds j2.json)
x1=$(jq .xrealtime j1.json)
x2=$(jq .xrealtime j2.json)
cpu=$(jq .audio_hours_per_cpu_hour j2.json)
rss=$(jq .max_rss_mib j2.json)

# One job on a one-second file: the program alone, and through the batch.
t0=$(now)
i=0
while [ $i -lt $SHORT_JOBS ]; do
    "$DD" -d d_short.wav -m m_short.wav -o direct.wav -y -q 2>/dev/null
    i=$((i + 1))
done
t1=$(now)
"$DD" batch short.csv -j 1 --force --summary s1.json 2>/dev/null
ws=$(jq .wall_seconds s1.json)
cs=$(jq .cpu_seconds s1.json)

cat <<EOF
batch benchmark: $JOBS jobs of $SECONDS_PER_JOB s (stereo music, mono dialogue, 48 kHz WAV), $(nproc) cores
load average before the runs: $load (other work on the machine skews every figure)

| run | wall s | throughput |
| --- | ---: | ---: |
| batch -j 1 | $w1 | ${x1}x realtime |
| batch -j 2 | $w2 | ${x2}x realtime |

EOF
awk -v w1="$w1" -v w2="$w2" -v n="$SHORT_JOBS" -v t0="$t0" -v t1="$t1" \
    -v ws="$ws" -v cs="$cs" -v cpu="$cpu" -v rss="$rss" 'BEGIN {
    printf "speed-up -j 2 / -j 1: %.2fx (goal: near 2x on 2 cores)\n", w1 / w2
    printf "one-second file, program alone: %.1f ms per run (goal < 50 ms)\n", (t1 - t0) / n * 1000
    printf "one-second file, through batch -j 1: %.1f ms per job (batch overhead %.1f ms)\n",
           ws / n * 1000, (ws - (t1 - t0)) / n * 1000
    printf "one-second file: %.1f ms of CPU per job (user + system, less sensitive to load)\n",
           cs / n * 1000
    printf "sizing: %.0f audio hours per CPU hour; peak %.0f MiB per job\n", cpu, rss
}'
