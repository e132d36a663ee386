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
#       patch and build a copy of your own tree (DIR is not modified)
#
# The build goes to ffmpeg-build/BRANCH/ and the last line printed is the
# path of the ffmpeg binary. The configuration is small but covers the
# usual files: MP4/MOV, Matroska, MP3, AAC, FLAC, Ogg, WAV in; MP4/MOV,
# Matroska, WAV, FLAC out; AAC, FLAC and PCM encoders; video is meant to be
# stream-copied (-c:v copy). System libraries are not picked up, except
# zlib when present (compressed MOV headers); NASM enables the x86 code.
set -eu

TOP=$(cd "$(dirname "$0")/.." && pwd)
export TOP
PATCHDIR=$TOP/libavfilter-patch
. "$PATCHDIR/ffmpeg-src.sh"

JOBS=${JOBS:-2}

if [ -n "${FFMPEG_SRC:-}" ]; then
    [ -f "$FFMPEG_SRC/configure" ] || ffsrc_die "FFMPEG_SRC=$FFMPEG_SRC is not an FFmpeg source tree"
    branch=$(ffsrc_tree_branch "$FFMPEG_SRC")
    src=$FFMPEG_SRC
    work=$FFSRC_CACHE/work-user
    out=$TOP/ffmpeg-build/user
else
    branch=${1:-${FFMPEG_BRANCHES%% *}}
    src=$(ffsrc_pristine "$branch")
    work=$FFSRC_CACHE/work-$branch
    out=$TOP/ffmpeg-build/$branch
fi

ffsrc_apply "$src" "$work" "$PATCHDIR/series/$branch" ||
    ffsrc_die "the series for FFmpeg $branch does not apply to $src"

filters="dialogueduck sidechaincompress amix amerge aresample aformat anull
atrim asetpts asplit asendcmd aevalsrc anullsrc sine apad volume pan
loudnorm ebur128 alimiter channelmap channelsplit join concat
null format scale crop hflip vflip transpose trim setpts fps copy"

flags="--disable-everything --disable-autodetect --disable-doc --disable-ffplay
--disable-network --enable-ffmpeg --enable-ffprobe
--enable-filter=$(echo $filters | tr ' ' ',')
--enable-demuxer=mov,mp3,aac,wav,matroska,flac,ogg,w64,pcm_s16le,pcm_f32le
--enable-decoder=aac,aac_fixed,mp3,mp3float,flac,vorbis,opus,ac3,eac3,pcm_s16le,pcm_s24le,pcm_s32le,pcm_f32le,pcm_f64le
--enable-encoder=aac,flac,pcm_s16le,pcm_s24le,pcm_f32le
--enable-muxer=mp4,mov,ipod,matroska,wav,w64,flac,adts,null,pcm_s16le,pcm_f32le
--enable-parser=aac,mpegaudio,flac,h264,hevc,av1,vp9,opus,vorbis,ac3
--enable-bsf=aac_adtstoasc,h264_mp4toannexb,hevc_mp4toannexb,extract_extradata
--enable-protocol=file,pipe --enable-indev=lavfi --enable-swresample"
if [ -f /usr/include/zlib.h ]; then
    flags="$flags --enable-zlib"
fi
if ! command -v nasm >/dev/null 2>&1; then
    flags="$flags --disable-x86asm"
fi
flags=$(echo $flags)

mkdir -p "$out"
if [ "$(cat "$out/dd-flags" 2>/dev/null)" != "$flags" ] ||
   [ ! -f "$out/ffbuild/config.mak" ]; then
    echo "build-ffmpeg: configuring FFmpeg $branch in $out" >&2
    (cd "$out" && "$work/configure" $flags) > "$out/configure.log" 2>&1 ||
        { tail -n 20 "$out/configure.log" >&2; ffsrc_die "configure failed (log: $out/configure.log)"; }
    echo "$flags" > "$out/dd-flags"
fi
echo "build-ffmpeg: building (make -j$JOBS; log: $out/make.log)" >&2
make -C "$out" -j"$JOBS" ffmpeg ffprobe > "$out/make.log" 2>&1 ||
    { tail -n 30 "$out/make.log" >&2; ffsrc_die "build failed (log: $out/make.log)"; }

"$out/ffmpeg" -hide_banner -h filter=dialogueduck > /dev/null 2>&1 ||
    ffsrc_die "$out/ffmpeg has no dialogueduck filter"
echo "build-ffmpeg: done; try:" >&2
echo "  $out/ffmpeg -i talk.mp4 -i bgm.mp3 -filter_complex \"[1][0]dialogueduck\" -c:v copy out.mp4" >&2
echo "$out/ffmpeg"
