#!/bin/sh
# The scripts behind make ffmpeg / make fate, on fake FFmpeg trees (no
# download, no FFmpeg build): FFMPEG_SRC gives each tree its own copy that
# follows the tree's edits; apt's "E: Failed to fetch" noise is shown only
# when the tarball cannot be had; the configure flags (the small set with
# the inspection filters, FFMPEG_CONFIGURE_FLAGS, FULL=1); make
# install-ffmpeg installs under PREFIX with a suffix.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
. "$(dirname "$0")/../lib.sh"

PATCHDIR=$TOP/libavfilter-patch
export DD_CACHE=$TMP/cache FFMPEG_BUILD=$TMP/build
mkdir -p "$DD_CACHE"

# A fake tree: configure, VERSION and one file the test series patches.
fake_tree() {
    mkdir -p "$1/libavfilter"
    printf '#!/bin/sh\necho "  --enable-libmp3lame      enable MP3 encoding via libmp3lame [no]"\n' > "$1/configure"
    chmod +x "$1/configure"
    echo "$2" > "$1/VERSION"
    printf 'line 1\nline 2\nline 3\n' > "$1/libavfilter/x.c"
}

# A one-patch series adding a line to libavfilter/x.c.
fake_tree "$TMP/t0" 9.0.2
(cd "$TMP/t0" && git init -q && git add -A &&
 git -c user.name=t -c user.email=t@t commit -q -m base &&
 echo "line 4" >> libavfilter/x.c &&
 git -c user.name=t -c user.email=t@t commit -q -am "add line 4" &&
 git format-patch -q -1 -o "$TMP/series") ||
    fail "cannot make the test series"

(
    . "$PATCHDIR/ffmpeg-src.sh"
    fake_tree "$TMP/tree1" 9.0.2
    fake_tree "$TMP/tree2" 9.0.2
    echo "tree 2" > "$TMP/tree2/libavfilter/y.c"
    k1=$(ffsrc_user_key "$TMP/tree1")
    k2=$(ffsrc_user_key "$TMP/tree2")
    expect "two trees get two names" test "$k1" != "$k2"
    expect "a tree's name is stable" test "$k1" = "$(ffsrc_user_key "$TMP/tree1/")"
    w1=$FFSRC_CACHE/work-$k1 w2=$FFSRC_CACHE/work-$k2
    ffsrc_apply "$TMP/tree1" "$w1" "$TMP/series" 2>/dev/null
    expect "the series applies to the first tree" grep -qx "line 4" "$w1/libavfilter/x.c"
    # the second tree does not reuse the first one's copy
    ffsrc_apply "$TMP/tree2" "$w2" "$TMP/series" 2>/dev/null
    expect "the series applies to the second tree" grep -qx "line 4" "$w2/libavfilter/x.c"
    expect "the second copy is of the second tree" grep -qx "tree 2" "$w2/libavfilter/y.c"
    expect "the first copy is untouched" test "$(grep -c . "$w1/libavfilter/x.c")" -eq 4
    # an edit to the user's tree reaches the copy
    sleep 1
    echo "edited" > "$TMP/tree1/NEWFILE"
    ffsrc_apply "$TMP/tree1" "$w1" "$TMP/series" 2>/dev/null
    expect "an edited tree is copied again" test -f "$w1/NEWFILE"
    expect "and patched again" grep -qx "line 4" "$w1/libavfilter/x.c"
    expect "the user's tree is never modified" test "$(grep -c . "$TMP/tree1/libavfilter/x.c")" -eq 3
    summary > "$TMP/part1"
)
tail -n 1 "$TMP/part1" | { read -r p _ f _; passed=$((passed + p)); failed=$((failed + f)); echo "$passed $failed" > "$TMP/counts"; }
read -r passed failed < "$TMP/counts"

# apt-get source fetching the tarball but failing on the .dsc (as when a
# version has left the archive): quiet. Nothing at all: the log is shown.
mkdir -p "$TMP/bin" "$DD_CACHE/ffmpeg/apt/lists"
touch "$DD_CACHE/ffmpeg/apt/updated"
cat > "$DD_CACHE/ffmpeg/apt/lists/x_source_Sources" <<'EOS'
Package: ffmpeg
Version: 7:9.9.9-1
Directory: pool/main/f/ffmpeg
Checksums-Sha256:
 0000000000000000000000000000000000000000000000000000000000000000 10 ffmpeg_9.9.9.orig.tar.xz

EOS
cat > "$TMP/bin/apt-get" <<'EOS'
#!/bin/sh
echo "E: Failed to fetch http://example.invalid/ffmpeg_9.9.9-1.dsc  404  Not Found" >&2
echo "E: Failed to fetch some archives." >&2
[ -n "$FAKE_APT_OK" ] && echo tarball > ffmpeg_9.9.9.orig.tar.xz
exit 100
EOS
cat > "$TMP/bin/apt-helper" <<'EOS'
#!/bin/sh
case $1 in
cat-file) cat "$2" ;;
*) echo "E: Failed to fetch $2  404  Not Found" >&2; exit 100 ;;
esac
EOS
chmod +x "$TMP/bin/apt-get" "$TMP/bin/apt-helper"
run_fetch() {
    (PATH=$TMP/bin:$PATH APT_HELPER=$TMP/bin/apt-helper
     . "$PATCHDIR/ffmpeg-src.sh"; ffsrc_fetch 9.9.9) > "$TMP/fetch.out" 2> "$TMP/fetch.err"
}
FAKE_APT_OK=1 run_fetch
expect "the fetch succeeds when the tarball arrived" test $? -eq 0
expect "the tarball is in the cache" test -s "$DD_CACHE/ffmpeg/ffmpeg_9.9.9.orig.tar.xz"
expect "apt's E: lines are hidden on success" sh -c "! grep -q '^E:' '$TMP/fetch.err'"
rm -f "$DD_CACHE/ffmpeg/ffmpeg_9.9.9.orig.tar.xz"
FAKE_APT_OK= run_fetch
expect "the fetch fails without a tarball" test $? -ne 0
expect "then apt's errors are shown" grep -q '^E: Failed to fetch' "$TMP/fetch.err"
expect "with the reason on the last line" sh -c "tail -n 1 '$TMP/fetch.err' | grep -q 'download of .* failed'"

# Configure flags, printed without building.
fake_tree "$TMP/tree3" 9.0.2
flags=$(FFMPEG_SRC=$TMP/tree3 sh "$PATCHDIR/build-ffmpeg.sh" --print-flags)
for want in h264 wrapped_avframe showinfo astats silencedetect ametadata anullsink sendcmd; do
    expect "the small build has $want" sh -c "echo '$flags' | grep -q '[=,]$want\\(,\\| \\|\$\\)'"
done
flags=$(FFMPEG_SRC=$TMP/tree3 FFMPEG_CONFIGURE_FLAGS="--enable-libfoo --extra-cflags=-O3" \
        sh "$PATCHDIR/build-ffmpeg.sh" --print-flags)
expect "FFMPEG_CONFIGURE_FLAGS are added last" sh -c "echo '$flags' | grep -q -- '--enable-libfoo --extra-cflags=-O3\$'"
full=$(FFMPEG_SRC=$TMP/tree3 FULL=1 sh "$PATCHDIR/build-ffmpeg.sh" --print-flags)
expect "FULL=1 builds everything" sh -c "echo '$full' | grep -q -- --enable-gpl && ! echo '$full' | grep -q -- --disable-everything"
if command -v ffmpeg >/dev/null 2>&1 && ffmpeg -hide_banner -buildconf 2>/dev/null | grep -q -- --enable-libmp3lame; then
    expect "FULL=1 takes Debian's libraries that configure knows" sh -c "echo '$full' | grep -q -- --enable-libmp3lame"
    expect "and leaves out those it does not" sh -c "! echo '$full' | grep -q -- --enable-libdav1d"
fi

# make install-ffmpeg on a tree whose configure and make are fakes.
mkdir -p "$TMP/tree4"
fake_tree "$TMP/tree4" 9.0.2
cat > "$TMP/tree4/configure" <<'EOS'
#!/bin/sh
mkdir -p ffbuild && touch ffbuild/config.mak
printf 'ffmpeg ffprobe:\n\tprintf "#!/bin/sh\\nexit 0\\n" > $@ && chmod +x $@\n' > Makefile
EOS
chmod +x "$TMP/tree4/configure"
# the real series needs FFmpeg's files: take them from a cached tree
pristine=$(ls -d "$TOP"/.cache/ffmpeg/pristine-9.0.* 2>/dev/null | tail -n 1)
# (the files the series modifies: make-series.sh's MODIFIED list)
modified=$(sed -n '/^MODIFIED="/,/"$/p' "$TOP/libavfilter-patch/make-series.sh" |
           sed 's/^MODIFIED=//' | tr -d '"')
if [ -n "$pristine" ]; then
    for f in $modified; do
        mkdir -p "$(dirname "$TMP/tree4/$f")"
        cp "$pristine/$f" "$TMP/tree4/$f"
    done
    (cd "$TOP" && FFMPEG_SRC=$TMP/tree4 make -s install-ffmpeg PREFIX=/opt/dd DESTDIR="$TMP/dest") \
        > "$TMP/install.log" 2>&1
    expect "make install-ffmpeg succeeds" test $? -eq 0
    expect "ffmpeg-dialogueduck is installed" test -x "$TMP/dest/opt/dd/bin/ffmpeg-dialogueduck"
    expect "ffprobe-dialogueduck is installed" test -x "$TMP/dest/opt/dd/bin/ffprobe-dialogueduck"
    expect "no plain ffmpeg that would shadow the system's" test ! -e "$TMP/dest/opt/dd/bin/ffmpeg"
else
    echo "skip: make install-ffmpeg (no cached FFmpeg 9.0 tree; run make fate once)"
fi

summary
