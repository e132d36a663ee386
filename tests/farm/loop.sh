#!/bin/sh
# make check-load, the farm half: the Slurm test (run.sh) FARM_RUNS times
# in a row (50 by default) with two CPU hogs busy on the machine. Every run
# must pass: a run whose Slurm output differs from the local one by a
# single sample fails the loop.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
export TOP
FARM_RUNS=${FARM_RUNS:-50}
hogs=
for h in 1 2; do
    sh -c 'while :; do :; done' &
    hogs="$hogs $!"
done
trap 'kill $hogs 2> /dev/null' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
passed=0
failed=0
i=1
log=$(mktemp)
while [ $i -le "$FARM_RUNS" ]; do
    if sh "$TOP/tests/farm/run.sh" > "$log" 2>&1; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        echo "FAIL: farm run $i of $FARM_RUNS:"
        grep -E '^FAIL' "$log" | sed 's/^/    /'
    fi
    echo "farm run $i: $(grep -E '^[0-9]+ passed' "$log" | tail -n 1)" >&2
    i=$((i + 1))
done
rm -f "$log"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
