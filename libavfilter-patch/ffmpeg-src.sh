# Pristine FFmpeg release trees from Debian's source packages, cached.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
#
# Sourced by make-series.sh, fate.sh, build-ffmpeg.sh and bench-filter.sh.
# Provides:
#   FFMPEG_BRANCHES          the release branches we target (one place)
#   ffsrc_pin BRANCH         the pinned upstream version of a branch
#   ffsrc_pristine BRANCH    prints the path of the extracted pristine tree,
#                            downloading the .orig.tar.xz if needed
#   ffsrc_apply SRC WORK DIR a git copy of a tree with a series applied
#   ffsrc_tree_branch DIR    the branch whose series fits a user's tree
#   ffsrc_user_key DIR       a name for a user's tree (its absolute path),
#                            so that each tree gets its own copy and build
#
# The download reads the host of the system's Debian mirror from the apt
# sources, adds deb-src entries for sid and experimental in a private apt
# configuration under the cache (the system's apt lists are not touched),
# and fetches only the .orig.tar.xz. If a pinned version has left the
# archive, the newest version of the same branch is used.

# The pinned versions: branch=upstream version.
FFMPEG_PINS="9.0=9.0.2 8.1=8.1.2"
FFMPEG_BRANCHES="9.0 8.1"

: "${TOP:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${DD_CACHE:=${XDG_CACHE_HOME:+$XDG_CACHE_HOME/dialogueduck}}"
: "${DD_CACHE:=$TOP/.cache}"
FFSRC_CACHE=$DD_CACHE/ffmpeg

ffsrc_die() {
    echo "ffmpeg-src: $*" >&2
    exit 1
}

ffsrc_pin() {
    for p in $FFMPEG_PINS; do
        [ "${p%%=*}" = "$1" ] && { echo "${p#*=}"; return 0; }
    done
    ffsrc_die "no pinned version for FFmpeg $1"
}

# The first Debian archive URI of the system's apt sources (not security).
ffsrc_mirror() {
    uri=
    if [ -r /etc/apt/sources.list.d/debian.sources ]; then
        uri=$(sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/debian.sources |
              tr ' ' '\n' | grep -v -e security -e '^$' | head -n 1)
    fi
    if [ -z "$uri" ]; then
        uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
              sed -n 's/^deb\(-src\)\{0,1\}[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]\{1,\}\)\{0,1\}\([^[:space:]]*\).*/\3/p' |
              grep -v security | head -n 1)
    fi
    [ -n "$uri" ] || ffsrc_die "no Debian mirror found in the apt sources"
    echo "${uri%/}"
}

APT_HELPER=${APT_HELPER:-/usr/lib/apt/apt-helper}

# apt-get with a private configuration under the cache.
ffsrc_apt() {
    a=$FFSRC_CACHE/apt
    apt-get -q -o Dir::Etc::SourceList="$a/src.list" \
        -o Dir::Etc::SourceParts=/dev/null \
        -o Dir::State::Lists="$a/lists" \
        -o Dir::Cache="$a/cache" \
        -o Debug::NoLocking=1 "$@"
}

ffsrc_update() {
    a=$FFSRC_CACHE/apt
    [ -f "$a/updated" ] && return 0
    mirror=$(ffsrc_mirror)
    mkdir -p "$a/lists/partial" "$a/cache/archives/partial"
    key=/usr/share/keyrings/debian-archive-keyring.gpg
    opt=
    [ -r "$key" ] && opt="[signed-by=$key] "
    {
        echo "deb-src ${opt}$mirror sid main"
        echo "deb-src ${opt}$mirror experimental main"
    } > "$a/src.list"
    echo "ffmpeg-src: reading the source indexes of $mirror" >&2
    # apt's progress goes to a log, shown only when the update fails
    ffsrc_apt update > "$a/update.log" 2>&1 ||
        { cat "$a/update.log" >&2; ffsrc_die "apt-get update of the source indexes failed"; }
    touch "$a/updated"
}

# The ffmpeg stanzas of the Sources indexes as
# "version directory orig-file orig-sha256".
ffsrc_index() {
    for f in "$FFSRC_CACHE"/apt/lists/*_source_Sources*; do
        [ -e "$f" ] || continue
        # apt may keep the indexes compressed (lz4, gz): apt-helper reads all
        "$APT_HELPER" cat-file "$f"
    done | awk '
        /^Package: / { pkg = $2; ver = ""; dir = ""; orig = ""; sha = "" }
        /^[A-Za-z0-9-]+:/ { field = $1 }
        pkg == "ffmpeg" && /^Version: / { ver = $2 }
        pkg == "ffmpeg" && /^Directory: / { dir = $2 }
        pkg == "ffmpeg" && / ffmpeg_.*\.orig\.tar\.xz$/ {
            orig = $NF
            if (field == "Checksums-Sha256:") sha = $1
        }
        /^$/ { if (pkg == "ffmpeg" && ver != "") print ver, dir, orig, sha; pkg = "" }
        END { if (pkg == "ffmpeg" && ver != "") print ver, dir, orig, sha }' | sort -u
}

# Upstream version to use for a branch: the pin, or the newest of the branch.
ffsrc_choose() {
    pin=$(ffsrc_pin "$1")
    idx=$(ffsrc_index)
    if echo "$idx" | awk '{ print $3 }' | grep -qx "ffmpeg_$pin.orig.tar.xz"; then
        echo "$pin"
        return 0
    fi
    v=$(echo "$idx" | awk '{ print $3 }' |
        sed -n "s/^ffmpeg_\($(echo "$1" | sed 's/\./\\./')\.[0-9]*\)\.orig\.tar\.xz$/\1/p" |
        sort -t. -k3,3n | tail -n 1)
    [ -n "$v" ] || ffsrc_die "FFmpeg $1.x is not in the Debian source indexes"
    echo "ffmpeg-src: $pin is gone from the archive, using $v" >&2
    echo "$v"
}

# Download ffmpeg_VERSION.orig.tar.xz into the cache.
ffsrc_fetch() {
    ver=$1
    tarball=$FFSRC_CACHE/ffmpeg_$ver.orig.tar.xz
    [ -s "$tarball" ] && return 0
    ffsrc_update
    line=$(ffsrc_index | awk -v f="ffmpeg_$ver.orig.tar.xz" '$3 == f' | tail -n 1)
    [ -n "$line" ] || ffsrc_die "ffmpeg_$ver.orig.tar.xz is not in the Debian source indexes"
    debver=${line%% *}
    dl=$(mktemp -d "$FFSRC_CACHE/dl.XXXXXX")
    # apt-get source fetches the orig tarball even when the .dsc is gone
    # (it then fails on the rest, with "E: Failed to fetch" lines); keep
    # the tarball if it arrived. apt's output goes to a log, shown only if
    # the tarball cannot be had at all.
    log=$FFSRC_CACHE/fetch.log
    echo "ffmpeg-src: fetching ffmpeg_$ver.orig.tar.xz" >&2
    (cd "$dl" && ffsrc_apt source --download-only "ffmpeg=$debver") > "$log" 2>&1 || true
    if [ ! -s "$dl/ffmpeg_$ver.orig.tar.xz" ]; then
        dir=$(echo "$line" | awk '{ print $2 }')
        sha=$(echo "$line" | awk '{ print $4 }')
        url="$(ffsrc_mirror)/$dir/ffmpeg_$ver.orig.tar.xz"
        echo "ffmpeg-src: downloading $url" >&2
        "$APT_HELPER" download-file "$url" "$dl/ffmpeg_$ver.orig.tar.xz" \
            ${sha:+"SHA256:$sha"} >> "$log" 2>&1 ||
            { cat "$log" >&2; rm -rf "$dl"; ffsrc_die "download of $url failed"; }
    fi
    mv "$dl/ffmpeg_$ver.orig.tar.xz" "$tarball"
    rm -rf "$dl"
}

ffsrc_pristine() {
    mkdir -p "$FFSRC_CACHE"
    pin=$(ffsrc_pin "$1")
    ver=$pin
    if [ ! -s "$FFSRC_CACHE/ffmpeg_$pin.orig.tar.xz" ] &&
       [ ! -f "$FFSRC_CACHE/pristine-$pin/.complete" ]; then
        ffsrc_update
        ver=$(ffsrc_choose "$1")
    fi
    tree=$FFSRC_CACHE/pristine-$ver
    if [ ! -f "$tree/.complete" ]; then
        ffsrc_fetch "$ver"
        rm -rf "$tree"
        mkdir -p "$tree"
        echo "ffmpeg-src: extracting ffmpeg_$ver.orig.tar.xz" >&2
        tar -xJf "$FFSRC_CACHE/ffmpeg_$ver.orig.tar.xz" -C "$tree" \
            --strip-components=1 || ffsrc_die "cannot extract ffmpeg_$ver.orig.tar.xz"
        touch "$tree/.complete"
    fi
    echo "$tree"
}

# The branch whose series fits a user's tree, from its VERSION file.
ffsrc_tree_branch() {
    v=$(cat "$1/VERSION" 2>/dev/null || cat "$1/RELEASE" 2>/dev/null)
    b=$(echo "$v" | sed -n 's/^n\{0,1\}\([0-9]*\.[0-9]*\).*/\1/p')
    if [ -n "$b" ] && [ -d "$TOP/libavfilter-patch/series/$b" ]; then
        echo "$b"
    else
        echo "${FFMPEG_BRANCHES%% *}"
    fi
}

ffsrc_user_key() {
    abs=$(cd "$1" && pwd -P) || return 1
    echo "user-$(basename "$abs" | tr -c 'A-Za-z0-9._\n-' '_')-$(printf '%s' "$abs" | cksum | cut -d' ' -f1)"
}

# A fingerprint of a tree's files (name, size, time), .git left out: a
# copy made from the tree is stale when it changes.
ffsrc_fingerprint() {
    (cd "$1" && find . -name .git -prune -o -name .complete -prune -o \
        -type f -printf '%p %s %T@\n' | LC_ALL=C sort | cksum)
}

# git with a fixed identity and none of the user's configuration.
ffsrc_git() {
    GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1 \
    GIT_AUTHOR_NAME=dialogueduck GIT_AUTHOR_EMAIL=dev@dialogueduck.invalid \
    GIT_COMMITTER_NAME=dialogueduck GIT_COMMITTER_EMAIL=dev@dialogueduck.invalid \
    git -c core.autocrlf=false "$@"
}

# ffsrc_apply SRC WORK SERIESDIR: WORK becomes a git copy of SRC (never
# modified itself) with the series applied by git am. fate-source needs
# the git tree. The copy is made again when SRC changed since (a user's
# tree being edited), the series re-applied only when either changed;
# copies keep the files' times, so builds stay incremental.
ffsrc_apply() {
    src=$1 work=$2 series=$3
    fp=$(ffsrc_fingerprint "$src") || return 1
    if [ ! -d "$work/.git" ] || [ "$(cat "$work/.git/dd-src" 2>/dev/null)" != "$fp" ]; then
        echo "ffmpeg-src: copying $src to $work" >&2
        rm -rf "$work"
        mkdir -p "$work"
        (cd "$src" && tar -cf - --exclude=./.complete --exclude=./.git .) |
            (cd "$work" && tar -xpf -) || return 1
        ffsrc_git -C "$work" init -q &&
        ffsrc_git -C "$work" add -A &&
        ffsrc_git -C "$work" commit -q -m pristine &&
        ffsrc_git -C "$work" branch -f pristine || return 1
        echo "$fp" > "$work/.git/dd-src"
    fi
    stamp=$(cat "$series"/*.patch | cksum)
    if [ "$(cat "$work/.git/dd-series" 2>/dev/null)" != "$stamp" ]; then
        ffsrc_git -C "$work" am --abort >/dev/null 2>&1
        ffsrc_git -C "$work" checkout -q -f -B dialogueduck pristine &&
        ffsrc_git -C "$work" clean -q -fdx || return 1
        if ! ffsrc_git -C "$work" am -q "$series"/*.patch; then
            ffsrc_git -C "$work" am --abort
            return 1
        fi
        echo "$stamp" > "$work/.git/dd-series"
    fi
}
