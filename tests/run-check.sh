#!/bin/sh
# make check: runs every unit test binary and every tool test script, and
# adds up their "N passed, N failed" lines.
TOP=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
export TOP
total_passed=0
total_failed=0
broken=0
log=$(mktemp)
for t in "$TOP/$BUILD"/tests/unit/test_* "$TOP"/tests/tool/*.sh; do
    [ -e "$t" ] || continue
    name=${t#"$TOP"/}
    case "$t" in
    *.sh) sh "$t" > "$log" 2>&1 ;;
    *)    "$t" > "$log" 2>&1 ;;
    esac
    rc=$?
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [ -z "$line" ]; then
        echo "BROKEN $name (exit $rc, no summary line)"
        sed 's/^/    /' "$log" | tail -n 20
        broken=$((broken + 1))
        continue
    fi
    p=${line%% passed*}
    f=${line#*, }; f=${f%% failed*}
    if [ "$f" -ne 0 ] || [ "$rc" -ne 0 ]; then
        echo "FAIL   $name: $line (exit $rc)"
        grep -E '^FAIL' "$log" | sed 's/^/    /' | head -n 20
        [ "$f" -eq 0 ] && f=1
    else
        echo "ok     $name: $line"
    fi
    total_passed=$((total_passed + p))
    total_failed=$((total_failed + f))
done
rm -f "$log"
total_failed=$((total_failed + broken))
echo "$total_passed passed, $total_failed failed"
[ "$total_failed" -eq 0 ]
