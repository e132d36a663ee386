#!/bin/sh
# Regression test: an existing output path that is not a regular file (a
# device such as /dev/null, a named pipe) must never be replaced. With -y
# the temporary file was renamed over it: as root, "--report /dev/null -y"
# turned /dev/null into a regular file. Either the program writes into the
# node or it refuses with exit 3 and one line naming it; the node stays.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"
$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*220*(t-0.0042*cos(6*PI*t)))*between(t\\,0.3\\,0.8):s=48000:d=1" dlg.wav
$FF -f lavfi -i "anoisesrc=d=1:a=0.1:r=48000" -ac 2 music.wav

# check DESC NODE TEST: after the run, NODE still passes "test TEST"
check() {
    if ! test "$3" "$2"; then
        fail "$1: $2 was replaced by a file of type '$(ls -ld "$2" | cut -c1)'"
    elif [ "$rc" -ne 0 ] && { [ "$rc" -ne 3 ] || [ "$(wc -l < err.txt)" -ne 1 ] ||
                             ! grep -q "$2" err.txt; }; then
        fail "$1: exit $rc: $(cat err.txt)"
    else
        ok
    fi
    [ -z "$(ls -A | grep "^\.$2\.")" ] && ok || fail "$1: temporary file left"
}

# a character device like /dev/null (only root can make one)
if [ "$(id -u)" -eq 0 ] && mknod null c 1 3 2>/dev/null; then
    "$DD" -q -d dlg.wav -m music.wav -o out.wav --report null -y 2> err.txt
    rc=$?
    check "--report on a device" null -c
    rm -f null; mknod null c 1 3
    "$DD" -q -d dlg.wav -m music.wav --keyframes null --keyframes-format json -y 2> err.txt
    rc=$?
    check "--keyframes on a device" null -c
    rm -f null; mknod null.wav c 1 3
    "$DD" -q -d dlg.wav -m music.wav -o out2.wav --music-out null.wav -y 2> err.txt
    rc=$?
    check "--music-out on a device" null.wav -c
else
    echo "not root: the device cases are not tested"
fi

# a named pipe, drained so that writing into it cannot block: the pipe is
# held open read-write (never blocks on Linux) and a reader empties it
mkfifo pipe.wav
exec 3<> pipe.wav
cat <&3 > /dev/null &
drain=$!
"$DD" -q -d dlg.wav -m music.wav -o pipe.wav -y 2> err.txt
rc=$?
check "-o on a named pipe" pipe.wav -p
kill $drain
wait $drain 2>/dev/null
exec 3<&-

summary
