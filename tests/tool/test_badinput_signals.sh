#!/bin/sh
# SIGINT and SIGTERM during the render pass: the temporary outputs are
# removed, nothing appears under the final names, the exit code is 130/143
# and the inputs are unchanged.
#
# No timing is involved: the dialogue comes through a named pipe. The
# analysis pass reads it whole; the render pass reopens it (the writer's
# open returns only then, so we know the render pass has begun) and gets
# half the file, then the writer holds the pipe open and the program waits
# in the middle of rendering until the signal comes.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"
$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*220*(t-0.0042*cos(6*PI*t)))*between(t\\,1\\,3):s=48000:d=6" dlg.wav
$FF -f lavfi -i "anoisesrc=d=6:c=pink:a=0.1:r=48000" -ac 2 music.wav
half=$(($(wc -c < dlg.wav) / 2))
sums=$(md5sum dlg.wav music.wav)

wait_for() { # FILE: up to 20 s (a safety net, not a timing assumption)
    i=0
    while [ ! -e "$1" ] && [ $i -lt 200 ]; do
        sleep 0.1; i=$((i + 1))
    done
    [ -e "$1" ]
}

for sig in INT TERM; do
    rm -f pipe.wav render_started out* .out*
    mkfifo pipe.wav
    (
        cat dlg.wav > pipe.wav          # analysis pass
        exec 3> pipe.wav                # blocks until the render pass opens it
        : > render_started
        head -c $half dlg.wav >&3
        exec sleep 60                   # keeps fd 3 open: the reader waits
    ) &
    writer=$!
    "$DD" -q -d pipe.wav -m music.wav -o out.wav --music-out out_music.wav 2> err.txt &
    pid=$!
    if wait_for render_started; then ok; else fail "SIG$sig: the render pass never reopened the dialogue"; fi
    # temporary outputs exist now (they are opened before the analysis)
    [ -n "$(ls -A | grep '^\.out')" ] && ok || fail "SIG$sig: no temporary output during the render pass"
    kill -s $sig $pid
    wait $pid
    rc=$?
    kill $writer 2>/dev/null
    wait $writer 2>/dev/null
    want=143; [ $sig = INT ] && want=130
    [ $rc -eq $want ] && ok || fail "SIG$sig: exit $rc, want $want: $(cat err.txt)"
    left=$(ls -A | grep -E '^\.?out' | tr '\n' ' ')
    [ -z "$left" ] && ok || fail "SIG$sig: left $left"
    [ "$(md5sum dlg.wav music.wav)" = "$sums" ] && ok || fail "SIG$sig: an input changed"
done

summary
