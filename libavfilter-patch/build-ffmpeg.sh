#!/bin/sh
# make ffmpeg: build an ffmpeg with the dialogueduck filter for users.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
#
# Usage:
#   sh libavfilter-patch/build-ffmpeg.sh [BRANCH]   default: the newest
#       pinned branch (9.0); the pristine tree comes from Debian's source
#       packages and is cached (see ffmpeg-src.sh)
#   FFMPEG_SRC=DIR sh libavfilter-patch/build-ffmpeg.sh
#       patch and build a copy of your own tree (DIR is not modified; each
#       tree gets its own copy and build, made again when DIR changes)
#   FFMPEG_CONFIGURE_FLAGS="..."   more flags for FFmpeg's configure
#   FULL=1   Debian's configuration instead of the small one: every codec,
#       format and filter of FFmpeg, GPL, and the external libraries that
#       Debian's own ffmpeg enables (read from `ffmpeg -buildconf`; install
#       them first with `apt-get build-dep ffmpeg`); takes a long while
#   sh libavfilter-patch/build-ffmpeg.sh --print-flags [BRANCH]
#       print the configure flags and stop
#   sh libavfilter-patch/build-ffmpeg.sh --install [BRANCH]
#       build, then install ffmpeg and ffprobe as
#       $DESTDIR$PREFIX/bin/ffmpeg-dialogueduck and ffprobe-dialogueduck
#       (PREFIX defaults to /usr/local): the system ffmpeg is never shadowed
#
# The build goes to ffmpeg-build/BRANCH/ (or $FFMPEG_BUILD/BRANCH; -full with
# FULL=1) and the last line printed is the path of the ffmpeg binary. The
# small configuration covers the usual files: MP4/MOV, Matroska, MP3, AAC,
# FLAC, Ogg, WAV in (H.264 decoded for filters that need the picture);
# MP4/MOV, Matroska, WAV, FLAC, MP3 (with libmp3lame) out; video is meant to
# be stream-copied (-c:v copy), and `-f null -` works. Filters to inspect
# the result (ebur128, astats, silencedetect, ametadata, showinfo) and
# sendcmd/asendcmd are in. System libraries are not picked up, except zlib
# and libmp3lame when present; NASM enables the x86 code.

set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
export TOP
PATCHDIR=$TOP/libavfilter-patch
. "$PATCHDIR/ffmpeg-src.sh"

JOBS=${JOBS:-2}
FFMPEG_BUILD=${FFMPEG_BUILD:-$TOP/ffmpeg-build}

action=build
case "${1:-}" in
--print-flags) action=print; shift ;;
--install) action=install; shift ;;
esac

if [ -n "${FFMPEG_SRC:-}" ]; then
    [ -f "$FFMPEG_SRC/configure" ] || ffsrc_die "FFMPEG_SRC=$FFMPEG_SRC is not an FFmpeg source tree"
    branch=$(ffsrc_tree_branch "$FFMPEG_SRC")
    src=$FFMPEG_SRC
    key=$(ffsrc_user_key "$src")
    work=$FFSRC_CACHE/work-$key
    out=$FFMPEG_BUILD/$key
else
    branch=${1:-${FFMPEG_BRANCHES%% *}}
    src=$(ffsrc_pristine "$branch")
    work=$FFSRC_CACHE/work-$branch
    out=$FFMPEG_BUILD/$branch
fi

filters="dialogueduck sidechaincompress amix amerge aresample aformat anull
atrim asetpts asplit asendcmd sendcmd aevalsrc anullsrc sine apad volume pan
loudnorm ebur128 alimiter channelmap channelsplit join concat ametadata
astats silencedetect ashowinfo anullsink showinfo nullsink
null format scale crop hflip vflip transpose trim setpts fps copy"

small_flags() {
    echo --disable-everything --disable-autodetect --disable-doc --disable-ffplay \
        --disable-network --enable-ffmpeg --enable-ffprobe \
        --enable-filter="$(echo $filters | tr ' ' ',')" \
        --enable-demuxer=mov,mp3,aac,wav,matroska,flac,ogg,w64,pcm_s16le,pcm_f32le \
        --enable-decoder=aac,aac_fixed,mp3,mp3float,flac,vorbis,opus,ac3,eac3,h264,rawvideo,pcm_s16le,pcm_s24le,pcm_s32le,pcm_f32le,pcm_f64le \
        --enable-encoder=aac,flac,wrapped_avframe,rawvideo,pcm_s16le,pcm_s24le,pcm_f32le \
        --enable-muxer=mp4,mov,ipod,matroska,wav,w64,flac,adts,mp3,null,pcm_s16le,pcm_f32le \
        --enable-parser=aac,mpegaudio,flac,h264,hevc,av1,vp9,opus,vorbis,ac3 \
        --enable-bsf=aac_adtstoasc,h264_mp4toannexb,hevc_mp4toannexb,extract_extradata \
        --enable-protocol=file,pipe --enable-indev=lavfi --enable-swresample
    [ -f /usr/include/zlib.h ] && echo --enable-zlib
    [ -f /usr/include/lame/lame.h ] && echo --enable-libmp3lame --enable-encoder=libmp3lame
    return 0
}

# Debian's configuration: the --enable-lib* flags of the system's ffmpeg
# that this FFmpeg's configure knows (libraries dropped since are left
# out); the toolchain and install layout flags are not taken.
full_flags() {
    echo --disable-doc --disable-ffplay --enable-gpl --enable-version3
    command -v ffmpeg >/dev/null 2>&1 || return 0
    known=$("$src/configure" --help 2>/dev/null |
            sed -n 's/^ *\(--enable-[a-z0-9_-]*\).*/\1/p' | sort -u)
    ffmpeg -hide_banner -buildconf 2>/dev/null | tr -s ' ' '\n' |
        grep '^--enable-lib' | grep -v -e cuda -e opencl |
        while read -r f; do
            if echo "$known" | grep -qx -- "$f"; then echo "$f"; fi
        done
}

if [ "${FULL:-0}" = 1 ]; then
    flags="$(full_flags)"
    out=$out-full
else
    flags="$(small_flags)"
fi
if ! command -v nasm >/dev/null 2>&1; then
    flags="$flags --disable-x86asm"
fi
flags=$(echo $flags ${FFMPEG_CONFIGURE_FLAGS:-})
if [ "$action" = print ]; then
    echo "$flags"
    exit 0
fi

ffsrc_apply "$src" "$work" "$PATCHDIR/series/$branch" ||
    ffsrc_die "the series for FFmpeg $branch does not apply to $src"

mkdir -p "$out"
if [ "$(cat "$out/dd-flags" 2>/dev/null)" != "$flags" ] ||
   [ ! -f "$out/ffbuild/config.mak" ]; then
    echo "build-ffmpeg: configuring FFmpeg $branch in $out" >&2
    (cd "$out" && "$work/configure" $flags) > "$out/configure.log" 2>&1 || {
        tail -n 20 "$out/configure.log" >&2
        [ "${FULL:-0}" = 1 ] && echo "build-ffmpeg: FULL=1 needs Debian's build dependencies (apt-get build-dep ffmpeg), or drop a library with FFMPEG_CONFIGURE_FLAGS=--disable-libNAME" >&2
        ffsrc_die "configure failed (log: $out/configure.log)"
    }
    echo "$flags" > "$out/dd-flags"
fi
echo "build-ffmpeg: building (make -j$JOBS; log: $out/make.log)" >&2
make -C "$out" -j"$JOBS" ffmpeg ffprobe > "$out/make.log" 2>&1 ||
    { tail -n 30 "$out/make.log" >&2; ffsrc_die "build failed (log: $out/make.log)"; }

"$out/ffmpeg" -hide_banner -h filter=dialogueduck > /dev/null 2>&1 ||
    ffsrc_die "$out/ffmpeg has no dialogueduck filter"
if [ "$action" = install ]; then
    bindir=${DESTDIR:-}${PREFIX:-/usr/local}/bin
    mkdir -p "$bindir"
    install -m 755 "$out/ffmpeg" "$bindir/ffmpeg-dialogueduck"
    install -m 755 "$out/ffprobe" "$bindir/ffprobe-dialogueduck"
    echo "build-ffmpeg: installed $bindir/ffmpeg-dialogueduck and $bindir/ffprobe-dialogueduck" >&2
    echo "$bindir/ffmpeg-dialogueduck"
    exit 0
fi
echo "build-ffmpeg: done; try:" >&2
echo "  $out/ffmpeg -i talk.mp4 -i bgm.mp3 -filter_complex \"[1][0]dialogueduck\" -c:v copy out.mp4" >&2
echo "$out/ffmpeg"
