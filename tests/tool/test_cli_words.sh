#!/bin/sh
# The command line's small habits: an unknown "-word" is named whole in
# the error (getopt alone names its first letter), and the CLI fuzzer's
# word list (tests/fuzz/fuzz_cli.c, built from cli_options[]) holds every
# option that --help shows, in each of its spellings.
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1

# err EXPECTED-LINE ARGS...: exit 1 and exactly that one line on stderr
err() {
    want=$1; shift
    "$DD" "$@" > /dev/null 2> err.txt
    got=$?
    if [ "$got" -eq 1 ] && [ "$(cat err.txt)" = "$want" ]; then
        ok
    else
        fail "$*: exit $got, '$(cat err.txt)' (wanted '$want')"
    fi
}
err "dialogueduck: unknown option -foo (see --help)" -foo
err "dialogueduck: unknown option -foo (see --help)" -d a.wav -m b.wav -o c.wav -foo
err "dialogueduck: unknown option -x (see --help)" -x
err "dialogueduck: unknown option -z in -yz (see --help)" -yz -d a.wav
err "dialogueduck: unknown option --foo (see --help)" --foo
# a value that looks like an option is a value, not an unknown option
"$DD" -d -foo -m b.wav -o c.wav > /dev/null 2> err.txt
grep -q "unknown option" err.txt && fail "-d -foo: $(cat err.txt)" || ok

# --- the fuzzer's words --------------------------------------------------------
CC=$(sed -n 's/^CC = //p' "$TOP/config.mak")
PKG_CFLAGS=$(sed -n 's/^PKG_CFLAGS = //p' "$TOP/config.mak")
PKG_LIBS=$(sed -n 's/^PKG_LIBS = //p' "$TOP/config.mak")
if ! ${CC:-cc} -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE \
        -DFUZZ_CLI_LIST_WORDS -I"$TOP" -I"$TOP/core" -I"$TOP/tool" \
        $PKG_CFLAGS -o words "$TOP/tests/fuzz/fuzz_cli.c" \
        "$TOP/build/libdd.a" "$TOP/build/libdialogueduck.a" $PKG_LIBS -lm \
        2> cc.txt; then
    fail "fuzz_cli.c does not build: $(head -n 5 cc.txt)"
    summary; exit 1
fi
./words > words.txt || fail "the word list does not print"

# every spelling --help shows: "--name", "-X," and "also -name"
"$DD" --help > help.txt
grep -oE -- '(^| )--[a-z][a-z_-]*' help.txt | tr -d ' ' > spelled.txt
grep -oE -- '^ +-[a-zA-Z][ ,]' help.txt | tr -d ' ,' >> spelled.txt
grep -oE -- '(also|or) -[a-z]([a-z_:]*[a-z])?' help.txt | sed 's/^[a-z]* //' >> spelled.txt
sort -u spelled.txt > want.txt
n=$(wc -l < want.txt)
[ "$n" -ge 45 ] && ok || fail "only $n spellings read from --help: $(tr '\n' ' ' < want.txt)"
while read -r w; do
    grep -qxF -- "$w" words.txt && ok || fail "the CLI fuzzer does not know $w"
done < want.txt
# and no word twice
[ -z "$(sort words.txt | uniq -d)" ] && ok || fail "words twice: $(sort words.txt | uniq -d)"

summary
