#!/bin/sh
# Regression tests for command-line findings of the cli fuzz target
# (tests/fuzz/fuzz_cli.c).
. "$(dirname "$0")/../lib.sh"

# An empty -i path is a usage error, like an empty -d/-m/-e stem: the
# parser refused "-d ''" but took "-i ''", and the run then failed with
# "dialogueduck: : cannot open" (no file named).
cd "$TMP" || exit 1
"$DD" -i '' -m 0:a:1 -o out.wav 2>err
rc=$?
if [ "$rc" -eq 1 ] && grep -q 'empty input' err; then ok; else
    fail "-i '': exit $rc, message: $(cat err)"; fi
[ ! -e out.wav ] && ok || fail "-i '': out.wav written"

summary
