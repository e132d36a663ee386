#!/bin/sh
# Every ablation of tests/eval/ablate.sh still edits core/: a rule rewritten
# without its ablation's pattern would stop `make eval`'s ablation table
# midway (as the rhythm rule's once did), found only when someone runs it.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
exec sh "$(dirname "$0")/../eval/ablate.sh" --edits
