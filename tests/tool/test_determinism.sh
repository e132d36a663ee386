#!/bin/sh
# Bit-identical output whatever the block cut, the threads, the load, the
# environment and the working directory.
#
# - The reader's test hook (DIALOGUEDUCK_TEST_BLOCKS=SEED) cuts the input
#   into seeded random block lengths: the mix, the ducked music and the
#   report's figures must not change.
# - The same job is then run RUNS times (12 by default; `make check-load`
#   runs 100) with two CPU hogs on the machine, alternating --threads 0, 1
#   and 2, an odd environment, and another working directory: one checksum.
#
# The scene is the one the Slurm test uses (a 48 kHz dialogue of tone
# bursts, 44.1 kHz music: resampled), with a report written, as batch jobs
# do (the report turns the dialogue-gated meter on).
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
RUNS=${RUNS:-12}
WRAP=
FF="ffmpeg -nostdin -v error -y"
$FF -f lavfi \
    -i "sine=f=220:d=4:sample_rate=48000,volume='if(lt(mod(t,1.2),0.7),1,0.001)':eval=frame" \
    -ac 1 -c:a pcm_s16le -bitexact dlg.wav
$FF -f lavfi -i "sine=f=550:d=4:sample_rate=44100" -ac 2 -c:a pcm_s16le \
    -bitexact music.wav
$FF -f lavfi -i "anoisesrc=d=3:c=pink:a=0.05:r=48000:s=3" -ac 2 fx.wav

# checksum of the audio and of the report's figures (command line, paths
# and timings left out)
sums() { # PREFIX
    { cat "$1.wav" "$1.music.wav"
      jq -S 'del(.command, .timings, .inputs) |
             walk(if type == "object" then del(.path) else . end)' "$1.json"
    } | cksum
}

run() { # PREFIX [OPTION...]
    pre=$1; shift
    $WRAP "$DD" -q -y -d "$TMP/dlg.wav" -m "$TMP/music.wav" -e "$TMP/fx.wav" \
        -o "$pre.wav" --music-out "$pre.music.wav" --report "$pre.json" "$@"
}

run ref || fail "the reference run failed"
ref=$(sums ref)
runs=1

# ---------------------------------------------------------------- block cut
for seed in 1 2 3 4 5 6 7 8; do
    t=0; [ $((seed % 3)) -eq 0 ] && t=1
    DIALOGUEDUCK_TEST_BLOCKS=$seed run "cut$seed" --threads $t ||
        fail "seed $seed: the run failed"
    runs=$((runs + 1))
    got=$(sums "cut$seed")
    [ "$got" = "$ref" ] && ok || fail "seed $seed (--threads $t): the output depends on the block cut"
    rm -f "cut$seed".*
done

# ---------------------------------------------------------------- load
hogs=
for h in 1 2; do
    sh -c 'while :; do :; done' &
    hogs="$hogs $!"
done
trap 'kill $hogs 2> /dev/null; rm -rf "$TMP"' EXIT
mkdir -p elsewhere
i=0
sums_seen=
while [ $i -lt "$RUNS" ]; do
    t=$((i % 3))
    case $((i % 4)) in
    0) run "load$i" --threads $t ;;
    1) (cd elsewhere && run "$TMP/load$i" --threads $t) ;;
    2) WRAP="env -i PATH=$PATH LC_ALL=C TZ=Asia/Kolkata" run "load$i" --threads $t ;;
    3) LC_ALL=C.UTF-8 DIALOGUEDUCK_TEST_BLOCKS=$((i + 100)) run "load$i" --threads $t ;;
    esac || fail "run $i under load failed"
    runs=$((runs + 1))
    got=$(sums "load$i")
    [ "$got" = "$ref" ] && ok || fail "run $i under load (--threads $t, case $((i % 4))): another checksum"
    rm -f "load$i".*
    i=$((i + 1))
done
kill $hogs 2> /dev/null
echo "determinism: $runs runs, one checksum expected: $ref"

summary
