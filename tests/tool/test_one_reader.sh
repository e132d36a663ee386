#!/bin/sh
# One reader per format: keyframe CSV goes through the manifests' RFC 4180
# reader (quoted headers and cells, CRLF, a byte order mark), and a JSON
# array of jobs is a manifest beside JSON Lines.
. "$(dirname "$0")/../lib.sh"

cd "$TMP" || exit 1
FF="ffmpeg -nostdin -v error -y"
command -v jq > /dev/null || { fail "jq not installed"; summary; exit 1; }

$FF -f lavfi -i "aevalsrc=0.3*sin(2*PI*220*(t-0.0042*cos(6*PI*t)))*between(t\\,1\\,2):s=48000:d=4" d.wav
$FF -f lavfi -i "anoisesrc=seed=5:d=4:r=48000:a=0.1" m.wav

# --- keyframe CSV ----------------------------------------------------------------
printf 'time_s,gain_db\n0,0\n1,-12\n2.5,-12\n3,0\n' > plain.csv
printf '"time_s","gain_db"\r\n"0","0"\r\n"1",-12\r\n2.5,"-12"\r\n3,0\r\n' > quoted.csv
printf '\357\273\277# edited by hand\n time_s , gain_db \n\n0, 0\n1 ,-12\n2.5,-12\n3,0\n' > spaced.csv
expect "plain CSV applies" "$DD" -q -d d.wav -m m.wav -o plain.wav --apply-keyframes plain.csv
for f in quoted spaced; do
    expect "$f CSV applies" "$DD" -q -d d.wav -m m.wav -o $f.wav --apply-keyframes $f.csv
    expect "$f CSV gives the plain CSV's mix" cmp -s plain.wav $f.wav
done
# rejections name the file and the line
bad() { # EXPECTED_WORDS CSV_TEXT
    printf "$2" > bad.csv
    "$DD" -q -d d.wav -m m.wav -o bad.wav --apply-keyframes bad.csv 2> err.txt
    rc=$?
    if [ $rc -ne 0 ] && grep -q "bad.csv: $1" err.txt && [ ! -e bad.wav ]; then ok; else
        fail "keyframe CSV '$2': exit $rc, $(cat err.txt)"; fi
}
bad 'line 1: expected the header' 'time,gain\n0,0\n'
bad 'line 2: unterminated quoted field' 'time_s,gain_db\n"0,0\n1,-3\n'
bad 'line 3: expected two fields' 'time_s,gain_db\n0,0\n1,-3,4\n'
bad "line 2: time_s 'x' is not a number" 'time_s,gain_db\nx,0\n'
bad 'empty file' ''
bad 'line 3: time 0.500000 s is before' 'time_s,gain_db\n1,0\n0.5,-3\n'
# a quoted cell may hold a comma: one cell, not a number
bad "line 2: time_s '1,5' is not a number" 'time_s,gain_db\n"1,5",0\n'

# --- JSON array manifests ----------------------------------------------------------
cat > jobs.jsonl <<'EOF2'
{"dialogue": "d.wav", "music": "m.wav", "output": "a.wav", "depth": -20}
{"dialogue": "d.wav", "music": ["m.wav"], "output": "b.wav", "spectral": true}
EOF2
cat > jobs.json <<'EOF2'
[
  {"dialogue": "d.wav", "music": "m.wav", "output": "a.wav", "depth": -20},
  {"dialogue": "d.wav", "music": ["m.wav"], "output": "b.wav", "spectral": true}
]
EOF2
cp jobs.json jobs.manifest
"$DD" batch jobs.jsonl --output-dir jl --dry-run > dry_jl.txt 2> err.txt
expect "JSON Lines dry run ($(cat err.txt))" test -s dry_jl.txt
for m in jobs.json jobs.manifest; do
    "$DD" batch $m --output-dir jl --dry-run > dry.txt 2> err.txt
    expect "$m: a JSON array reads as JSON Lines do ($(cat err.txt))" cmp -s dry_jl.txt dry.txt
done
"$DD" batch jobs.json --output-dir ja --summary s.json 2> err.txt
rc=$?
expect "JSON array: both jobs done (exit $rc: $(cat err.txt))" \
    test $rc -eq 0 -a "$(jq .done s.json)" = 2
expect "JSON array: the outputs" test -s ja/a.wav -a -s ja/b.wav
printf '[{"dialogue": "d.wav", "music": "m.wav", "output": "x.wav"}, 3]' > bad.json
"$DD" batch bad.json --output-dir jb 2> err.txt
rc=$?
expect "a JSON array with a non-object: exit 1 ($rc)" test $rc -eq 1
expect "it names the item ($(cat err.txt))" grep -q 'bad.json: item 2: expected an object' err.txt
printf '[{"dialogue": "d.wav", "music": "m.wav", "output": "x.wav"}' > cut.json
"$DD" batch cut.json --output-dir jb 2> err.txt
expect "a cut JSON array is refused ($(cat err.txt))" grep -q 'cut.json: line 1, column [0-9]*: expected' err.txt
expect "no job ran" test ! -e jb
printf '[]' > empty.json
"$DD" batch empty.json 2> err.txt
expect "an empty JSON array: no jobs ($(cat err.txt))" grep -q 'empty.json: no jobs' err.txt

summary
