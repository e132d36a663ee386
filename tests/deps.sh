#!/bin/sh
# The Debian packages of each tier, from .ci/packages (the one list):
# names every missing one at once, prints them, or installs them.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
#
#   sh tests/deps.sh check [TIER...]    exit 1 naming every missing package
#   sh tests/deps.sh list [TIER...]     the packages, one a line
#   sh tests/deps.sh install [TIER...]  apt-get install what is missing
#   sh tests/deps.sh tiers              the tiers the list knows
#
# No TIER means every tier. The "build" packages come with every tier.

TOP=$(cd "$(dirname "$0")/.." && pwd)
LIST=${DD_PACKAGES:-$TOP/.ci/packages}

die() { echo "deps: $*" >&2; exit 2; }

[ -r "$LIST" ] || die "cannot read $LIST"
mode=$1
[ $# -gt 0 ] && shift
case "$mode" in
check|list|install|tiers) ;;
*) die "usage: sh tests/deps.sh check|list|install|tiers [TIER...]" ;;
esac

# every tier named in the list
tiers() {
    awk '!/^#/ && NF { if (NF == 1) print "build"; for (i = 2; i <= NF; i++) print $i }' \
        "$LIST" | sort -u
}

if [ "$mode" = tiers ]; then
    tiers
    exit 0
fi
known=$(tiers)
for t; do
    printf '%s\n' "$known" | grep -qx -- "$t" ||
        die "unknown tier '$t' (tiers: $(echo $known))"
done

# The packages of the tiers "$@" (all when none), in the list's order.
packages() {
    awk -v want=" $* " '
        /^#/ || !NF { next }
        {
            if (want == "  " || NF == 1) { print $1; next }
            for (i = 2; i <= NF; i++)
                if ($i == "build" || index(want, " " $i " ")) { print $1; next }
        }' "$LIST"
}

# The packages of "$@" that are not installed.
missing() {
    pkgs=$(packages "$@")
    installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' $pkgs 2>/dev/null |
                awk 'substr($1, 2, 1) ~ /[itW]/ { print $2 }')
    for p in $pkgs; do
        printf '%s\n' "$installed" | grep -qx -- "$p" || printf '%s\n' "$p"
    done
}

case "$mode" in
list)
    packages "$@" ;;
check)
    if ! command -v dpkg-query >/dev/null 2>&1; then
        echo "deps: no dpkg-query, not checking the packages of ${*:-every tier}" \
            "(the list: $LIST)" >&2
        exit 0
    fi
    m=$(missing "$@")
    [ -z "$m" ] && exit 0
    echo "deps: missing Debian packages for ${*:-every tier}: $(echo $m)" >&2
    echo "deps: install them with: sh tests/deps.sh install ${*}" >&2
    exit 1 ;;
install)
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found (not Debian?)"
    m=$(missing "$@")
    [ -n "$m" ] || exit 0
    echo "deps: installing $(echo $m)" >&2
    if [ "$(id -u)" -ne 0 ]; then
        sudo=sudo
        command -v sudo >/dev/null 2>&1 ||
            die "run as root to install: $(echo $m)"
    fi
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends $m ;;
esac
