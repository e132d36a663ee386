#!/bin/sh
# Durable, atomic output with the user's file modes.
#
# - Modes: every file the program writes (mix, music-out, report, each
#   keyframe format, plot, batch summary) is 0666 & ~umask under umask 077,
#   022 and 002, as ffmpeg's outputs are.
# - Durability (with strace): each file's data is fsynced before the rename
#   that puts it in place, and its directory after it.
# - Crash consistency: the program is killed with SIGKILL at random points
#   (KILLS runs, 40 by default) while it replaces a complete old output;
#   every path is then either the complete old file or the complete new
#   one. SIGTERM at random points leaves no temporary file.
# - Batch mode's up-to-date check re-runs a job whose output has not the
#   size its report recorded.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"
$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*220*(t-0.0042*cos(6*PI*t)))*lt(mod(t\\,3)\\,1.5):s=48000:d=8" dlg.wav
$FF -f lavfi -i "anoisesrc=d=8:c=pink:a=0.1:r=44100:s=7" -ac 2 music.wav

# ---------------------------------------------------------------- modes
for mask in 077 022 002; do
    want=$(printf '%o' $((0666 & ~0$mask)))
    mkdir -p "m$mask"
    (
        umask $mask
        "$DD" -q -d dlg.wav -m music.wav -o "m$mask/mix.wav" \
            --music-out "m$mask/music.flac" --report "m$mask/report.json" \
            --keyframes "m$mask/kf.json" --plot "m$mask/plot.svg" &&
        for f in csv xml fcpxml cmd txt; do
            "$DD" -q -d dlg.wav -m music.wav --keyframes "m$mask/kf.$f" || exit 1
        done &&
        printf 'dialogue,music,output\n%s,%s,%s\n' "$TMP/dlg.wav" \
            "$TMP/music.wav" "$TMP/m$mask/b.wav" > "m$mask.csv" &&
        "$DD" batch "m$mask.csv" -j 1 --summary "m$mask/summary.json" 2> /dev/null
    ) || fail "umask $mask: a run failed"
    for f in "m$mask"/*; do
        got=$(stat -c %a "$f")
        [ "$got" = "$want" ] && ok || fail "umask $mask: $f is $got, want $want"
    done
    n=$(ls "m$mask" | wc -l)
    [ "$n" -eq 13 ] && ok || fail "umask $mask: $n files, want 13"
done

# ---------------------------------------------------------------- fsync
if command -v strace > /dev/null 2>&1; then
    strace -f -o trace.txt -e trace=openat,fsync,rename "$DD" -q -y \
        -d dlg.wav -m music.wav -o sync.wav --report sync.json \
        --keyframes sync.csv
    for f in sync.wav sync.json sync.csv; do
        # the temporary ".NAME.XXXXXX" is fsynced before its rename to NAME,
        # and a directory fsync follows the rename
        awk -v f="$f" '
            /fsync\(/ { synced++ }
            /rename\(/ && index($0, "\"" f "\")") {
                renamed = 1; before = synced; next }
            renamed && /fsync\(/ { after = 1 }
            END { exit !(renamed && before && after) }' trace.txt &&
        ok || fail "$f: no fsync before and after its rename"
    done
    syncs=$(grep -c 'fsync(' trace.txt)
    [ "$syncs" -ge 6 ] && ok || fail "fsync called $syncs times, want 6 or more"
else
    echo "SKIP: strace not installed (Debian package strace): fsync order not checked"
fi

# ---------------------------------------------------------------- SIGKILL
# The old output is complete; the new one differs (another depth). After a
# kill at any point each path is the old file or the new file, whole.
t0=$(date +%s%N)
"$DD" -q -d dlg.wav -m music.wav -o new.wav --report new.json --depth -20 \
    --keyframes new.csv || fail "reference run failed"
# kills land anywhere in 0 .. 1.3 times a whole run (as long on a loaded
# machine as here)
span=$(( ($(date +%s%N) - t0) * 13 / 10000000 ))
"$DD" -q -d dlg.wav -m music.wav -o old.wav --report old.json --depth -8 \
    --keyframes old.csv || fail "old run failed"
cmp -s new.wav old.wav && fail "old and new outputs do not differ"
KILLS=${KILLS:-40}
survived=0
killed_old=0
i=0
while [ $i -lt "$KILLS" ]; do
    mkdir -p k && cp old.wav k/out.wav && cp old.csv k/out.csv
    "$DD" -q -y -d dlg.wav -m music.wav -o k/out.wav --depth -20 \
        --keyframes k/out.csv 2> /dev/null &
    pid=$!
    sleep "$(awk -v s=$i -v span=$span 'BEGIN { srand(s); printf "%.3f", rand() * span / 1000 }')"
    kill -9 $pid 2> /dev/null
    wait $pid 2> /dev/null
    good=1
    for f in wav csv; do
        if ! cmp -s "k/out.$f" "old.$f" && ! cmp -s "k/out.$f" "new.$f"; then
            fail "kill $i: k/out.$f is neither the old nor the new file"
            good=0
        fi
    done
    [ $good -eq 1 ] && survived=$((survived + 1))
    cmp -s k/out.wav old.wav && killed_old=$((killed_old + 1))
    rm -rf k
    i=$((i + 1))
done
[ $survived -eq "$KILLS" ] && ok
echo "SIGKILL: $survived of $KILLS kills left only whole old or new files ($killed_old before the rename)"
# the kills must land on both sides of the rename to prove anything
[ $killed_old -gt 0 ] && [ $killed_old -lt "$KILLS" ] && ok ||
    fail "the kills all landed on one side of the rename ($killed_old old)"

# SIGTERM at random points: no temporary file survives, the final name is
# the old or the new file.
i=0
while [ $i -lt 10 ]; do
    mkdir -p t && cp old.wav t/out.wav
    "$DD" -q -y -d dlg.wav -m music.wav -o t/out.wav --depth -20 \
        --report t/out.json 2> /dev/null &
    pid=$!
    sleep "$(awk -v s=$i -v span=$span 'BEGIN { srand(s + 100); printf "%.3f", rand() * span / 1000 }')"
    kill -TERM $pid 2> /dev/null
    wait $pid 2> /dev/null
    left=$(ls -A t | grep '^\.' | tr '\n' ' ')
    [ -z "$left" ] && ok || fail "SIGTERM $i: left $left"
    { cmp -s t/out.wav old.wav || cmp -s t/out.wav new.wav; } && ok ||
        fail "SIGTERM $i: t/out.wav is neither the old nor the new file"
    rm -rf t
    i=$((i + 1))
done

# ---------------------------------------------------------------- batch
printf 'dialogue,music,output\n%s,%s,%s\n' "$TMP/dlg.wav" "$TMP/music.wav" \
    "$TMP/b/out.wav" > b.csv
"$DD" batch b.csv -j 1 2> /dev/null || fail "batch run failed"
grep -q '"size": '"$(stat -c %s b/out.wav)" b/out.wav.report.json &&
    ok || fail "the report does not record the output's size"
"$DD" batch b.csv -j 1 --dry-run 2>&1 | grep -q 'up to date' &&
    ok || fail "a complete output is not up to date"
# a crash before the data reached the disk: right name, wrong size
truncate -s 4096 b/out.wav
"$DD" batch b.csv -j 1 --dry-run > dry.txt 2>&1
grep -q "size" dry.txt && ok || fail "a truncated output is taken as done: $(cat dry.txt)"
"$DD" batch b.csv -j 1 2> /dev/null &&
    [ "$(stat -c %s b/out.wav)" -gt 4096 ] && ok ||
    fail "the truncated output was not made again"

summary
