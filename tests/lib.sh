# Shell test helpers: source this, call ok/fail (or expect), end with summary.
# Each script prints "N passed, N failed" as its last line.

passed=0
failed=0
TOP=${TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
DD=${DD:-$TOP/dialogueduck}
TMP=$(mktemp -d "${TMPDIR:-/tmp}/ddtest.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

ok()   { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }

# expect DESCRIPTION COMMAND...: passes when the command exits 0
expect() {
    desc=$1; shift
    if "$@"; then ok; else fail "$desc"; fi
}

summary() {
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ]
}
