#!/bin/sh
# Any file name: bytes that are not UTF-8 (Latin-1 names from old media
# shares), control characters, quotes, shell syntax, XML syntax.
#
# For each name, runs write the mix, a report, a plot and the keyframes
# (JSON, FCP 7 XML, FCPXML) under that name (in a folder of that name); jq parses the JSON
# files (and finds the raw bytes again in "path_bytes"), xmllint the XML
# ones. Batch mode runs the same names from a CSV manifest, the up-to-date
# check finds the finished jobs again (the report keeps the raw bytes), and
# the Slurm job script made for a manifest and options full of shell
# syntax passes `sh -n` and, run as an array task would run it, runs the job
# and nothing else.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"
$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*220*(t-0.0042*cos(6*PI*t)))*lt(mod(t\\,2)\\,1):s=48000:d=2" dlg.wav
$FF -f lavfi -i "anoisesrc=d=2:c=pink:a=0.1:r=48000:s=5" -ac 2 music.wav

# The names, one per line of names.txt as printf formats (a newline in a
# name is \n here).
cat > names.txt <<'EOF'
caf\351 cr\350me
\377\376 not utf-8
half \303 sequence
surrogate \355\240\200
tab\there
new\nline
bell\001\002\037\177
q'uote"d
$(touch PWNED1)
`touch PWNED2`
;touch PWNED3;
amp & <lt> >gt
back\\slash
pct%%41%%
--dash
\346\227\245\346\234\254 utf-8
EOF

# %XX to \0ooo, for printf %b (POSIX sh has no \x)
unpercent() {
    awk '{
        out = ""
        for (i = 1; i <= length($0); i++) {
            c = substr($0, i, 1)
            if (c == "%") {
                h = index("0123456789ABCDEF", substr($0, i + 1, 1)) - 1
                v = 16 * h + index("0123456789ABCDEF", substr($0, i + 2, 1)) - 1
                out = out sprintf("\\0%03o", v)
                i += 2
            } else if (c == "\\") {
                out = out "\\\\"
            } else {
                out = out c
            }
        }
        printf "%s", out
    }'
}

tried=0
while IFS= read -r fmt; do
    name=$(printf "x$fmt")
    name=${name#x}
    tried=$((tried + 1))
    d="$TMP/n$tried/$name"
    mkdir -p "$d" || { fail "cannot make a folder named $fmt"; continue; }
    cp dlg.wav "$d/$name.dlg.wav"
    if ! "$DD" -q -d "$d/$name.dlg.wav" -m music.wav -o "$d/$name.wav" \
            --report "$d/$name.json" --keyframes "$d/$name.kf.xml" \
            --plot "$d/$name.svg" 2> err.txt; then
        fail "$fmt: the run failed: $(cat err.txt)"
        continue
    fi
    "$DD" -q -d "$d/$name.dlg.wav" -m "$d/$name.wav" --loudness off \
        --keyframes "$d/$name.kf.fcpxml" 2> err.txt &&
    "$DD" -q -d "$d/$name.dlg.wav" -m "$d/$name.wav" --loudness off \
        --keyframes "$d/$name.kf.json" 2> err.txt ||
        fail "$fmt: a keyframe export failed: $(cat err.txt)"
    for f in "$d/$name.json" "$d/$name.kf.json"; do
        jq -e . "$f" > /dev/null 2>&1 && ok || fail "$fmt: jq rejects $f"
    done
    for f in "$d/$name.kf.xml" "$d/$name.kf.fcpxml" "$d/$name.svg"; do
        xmllint --noout "$f" 2> /dev/null && ok || fail "$fmt: xmllint rejects $f"
    done
    # the raw bytes of the dialogue's path, back from the report
    raw=$(jq -r '.inputs[0].path_bytes // empty' "$d/$name.json")
    if [ -n "$raw" ]; then
        back=$(printf '%b' "$(printf '%s' "$raw" | unpercent)")
    else
        back=$(jq -r '.inputs[0].path' "$d/$name.json")
    fi
    [ "$back" = "$d/$name.dlg.wav" ] && ok ||
        fail "$fmt: the report's input path does not give the file back"
    [ -e PWNED1 ] || [ -e PWNED2 ] || [ -e PWNED3 ] &&
        fail "$fmt: a name was run as a command"
done < names.txt
echo "names: $tried tried"

# ---------------------------------------------------------------- batch
# CSV cells in double quotes ("" for a quote): every name as an output.
csvq() { printf '"%s"' "$(printf '%s' "$1" | sed 's/"/""/g')"; }
{
    echo "dialogue,music,output"
    i=0
    while IFS= read -r fmt; do
        i=$((i + 1))
        name=$(printf "x$fmt")
        name=${name#x}
        printf '%s,%s,%s\n' "$(csvq "$TMP/dlg.wav")" "$(csvq "$TMP/music.wav")" \
            "$(csvq "b$i-$name.wav")"
    done < names.txt
} > names.csv
mkdir -p bout
"$DD" batch names.csv --output-dir bout -j 2 --summary bout/summary.json \
    2> batch.err && ok || fail "batch over the names failed: $(tail -n 3 batch.err)"
n=$(ls bout | grep -c '\.wav$')
[ "$n" -eq "$tried" ] && ok || fail "batch made $n outputs, want $tried"
jq -e . bout/summary.json > /dev/null 2>&1 && ok || fail "jq rejects the batch summary"
"$DD" batch names.csv --output-dir bout --dry-run > dry.txt 2>&1
up=$(grep -c 'up to date' dry.txt)
[ "$up" -ge "$tried" ] && ok ||
    fail "only $up of $tried finished jobs are found up to date: $(grep -v 'up to date' dry.txt | head -n 3)"

# ---------------------------------------------------------------- Slurm
# Hostile bytes in the manifest's name, the working directory and every
# option value that reaches the job script.
hostile=$(printf "w'q\"\$(touch PWNED4)\`touch PWNED5\`;\n--\\\\\351")
mkdir -p "$hostile"
cp names.csv "$hostile/$hostile.csv"
(
    cd "$hostile" || exit 1
    "$DD" batch "$hostile.csv" --output-dir "out$hostile" \
        --codec "pcm_s16le" --depth -12 --threads 1 \
        --slurm --dry-run > "$TMP/job.sh" 2> "$TMP/slurm.err"
) || fail "batch --slurm --dry-run failed: $(cat slurm.err)"
sh -n job.sh && ok || fail "sh -n rejects the job script"
# run it as Slurm would run task 0
(cd / && SLURM_ARRAY_TASK_ID=0 sh "$TMP/job.sh" > "$TMP/task.out" 2>&1)
[ -f "$hostile/out$hostile/b1-$(printf 'caf\351 cr\350me').wav" ] && ok ||
    fail "the job script did not run task 0: $(tail -n 3 task.out)"
for c in 1 2 3 4 5; do
    [ -e "PWNED$c" ] || [ -e "$hostile/PWNED$c" ] || [ -e "/PWNED$c" ] &&
        fail "the job script ran an injected command (PWNED$c)"
done
ok

summary
