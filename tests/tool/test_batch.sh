#!/bin/sh
# dialogueduck batch: CSV and JSON Lines manifests, local workers, a failing
# job, skipping up-to-date jobs, --force, changed inputs and options,
# --task N and --task env, the JSON summary, and a run killed mid-way.
#
# This file is part of dialogueduck (LGPL-2.1-or-later).

. "$(dirname "$0")/../lib.sh"

for c in ffmpeg jq; do
    if ! command -v $c >/dev/null 2>&1; then
        fail "$c not installed (Debian package $c)"
        summary
        exit 1
    fi
done

cd "$TMP" || exit 1

# A dialogue stem of tone bursts (lines and pauses) and a music stem.
make_stems() { # NAME SECONDS FREQ
    ffmpeg -nostdin -v error -f lavfi \
        -i "sine=f=$3:d=$2:sample_rate=48000,volume='if(lt(mod(t,1.5),0.8),1,0.001)':eval=frame" \
        -c:a pcm_s16le -bitexact "d_$1.wav" &&
    ffmpeg -nostdin -v error -f lavfi -i "sine=f=$(($3 * 2)):d=$2:sample_rate=44100" \
        -ac 2 -c:a pcm_s16le -bitexact "m_$1.wav" ||
        fail "ffmpeg could not make stems $1"
}

for n in 0 1 2 3; do
    make_stems $n 2 $((200 + 40 * n))
done

# mtime with nanoseconds, to see whether a file was rewritten.
mtime() { stat -c %y "$1" 2>/dev/null; }

# jq on the summary: prints the value or "missing".
sj() { jq -r "$1" "$2" 2>/dev/null || echo missing; }

# ------------------------------------------------------------- CSV, -j 2
cat > jobs.csv <<EOF
dialogue,music,output,depth,x-note
d_0.wav,m_0.wav,out/mix0.wav,,first
d_1.wav,m_1.wav,out/mix1.wav,-10,
"d_2.wav","m_2.wav",out/mix2.wav,,"a note, with a comma"
d_3.wav,m_3.wav,out/mix3.wav,-20,
no_such_dialogue.wav,m_0.wav,out/bad.wav,,fails
EOF

"$DD" batch jobs.csv -j 2 --summary s1.json 2> run1.err
rc=$?
expect "a failed job makes the exit status non-zero (got $rc)" test $rc -eq 5
for n in 0 1 2 3; do
    expect "job $n wrote its output" test -s out/mix$n.wav
    expect "job $n wrote its report next to its output" test -s out/mix$n.wav.report.json
done
expect "the failing job wrote nothing" test ! -e out/bad.wav
expect "the failing job's error is shown with its job number" \
    grep -q '^\[job 4\].*no_such_dialogue' run1.err
expect "summary: 4 done" test "$(sj .done s1.json)" = 4
expect "summary: 1 failed" test "$(sj .failed s1.json)" = 1
expect "summary: 0 skipped" test "$(sj .skipped s1.json)" = 0
expect "summary: 5 results" test "$(sj '.results | length' s1.json)" = 5
expect "summary: the failed job is line 6" \
    test "$(sj '.results[] | select(.status == "failed") | .line' s1.json)" = 6
expect "summary: 8 s of audio done" \
    test "$(sj '.audio_seconds | floor' s1.json)" = 8
expect "summary: throughput above realtime" \
    test "$(sj '.xrealtime > 1' s1.json)" = true
expect "summary: two workers" test "$(sj .workers s1.json)" = 2
expect "summary on stderr" grep -q '4 done, 0 skipped, 1 failed' run1.err

# Each output is the single-file run of the same command.
"$DD" -d d_1.wav -m m_1.wav --depth -10 -o single1.wav -y 2>/dev/null
expect "a batch job equals the single-file run" cmp -s single1.wav out/mix1.wav

# ------------------------------------------------------------- up to date
t0=$(mtime out/mix0.wav)
"$DD" batch jobs.csv -j 2 --summary s2.json 2> run2.err
rc=$?
expect "rerun: still failing because of job 4 (got $rc)" test $rc -eq 5
expect "rerun: 4 skipped" test "$(sj .skipped s2.json)" = 4
expect "rerun: 0 done" test "$(sj .done s2.json)" = 0
expect "rerun: outputs untouched" test "$(mtime out/mix0.wav)" = "$t0"
expect "rerun: skipped audio counted" \
    test "$(sj '.skipped_audio_seconds | floor' s2.json)" = 8

# A dry run accounts for the manifest without running anything.
"$DD" batch jobs.csv --dry-run --summary sd.json > sd.txt 2>/dev/null
rc=$?
expect "dry run: exit 0 (got $rc)" test $rc -eq 0
expect "dry run: 4 up to date, 1 to run" \
    test "$(sj .skipped sd.json)" = 4 -a "$(sj .not_run sd.json)" = 1
expect "dry run: lists the job to run" \
    sh -c "grep -q '^# job 4 (line 6)' sd.txt && test \$(grep -c '^dialogueduck' sd.txt) -eq 1"
expect "dry run: outputs untouched" test "$(mtime out/mix0.wav)" = "$t0"

# --force runs everything again.
"$DD" batch jobs.csv -j 2 --force --summary s3.json 2>/dev/null
expect "--force: 4 done" test "$(sj .done s3.json)" = 4
expect "--force: output rewritten" test "$(mtime out/mix0.wav)" != "$t0"

# A changed input (new modification time) re-runs that job only.
touch -d '2030-01-01 00:00:00' d_2.wav
"$DD" batch jobs.csv -j 2 --summary s4.json 2>/dev/null
expect "touched input: 1 done" test "$(sj .done s4.json)" = 1
expect "touched input: it is job 2" \
    test "$(sj '.results[] | select(.status == "done") | .job' s4.json)" = 2
expect "touched input: 3 skipped" test "$(sj .skipped s4.json)" = 3

# A changed default option re-runs the jobs it applies to (not the two
# whose manifest line sets its own depth).
"$DD" batch jobs.csv -j 2 --depth -12 --summary s5.json 2>/dev/null
expect "changed option: 2 done" test "$(sj .done s5.json)" = 2
expect "changed option: 2 skipped" test "$(sj .skipped s5.json)" = 2

# ------------------------------------------------------------- --task
t3=$(mtime out/mix3.wav)
"$DD" batch jobs.csv --task 1 --force --summary s6.json 2>/dev/null
rc=$?
expect "--task 1 succeeds (got $rc)" test $rc -eq 0
expect "--task 1 runs one job" test "$(sj .jobs s6.json)" = 1
expect "--task 1 is the second record" test "$(sj '.results[0].job' s6.json)" = 1
expect "--task 1 is line 3" test "$(sj '.results[0].line' s6.json)" = 3
expect "--task 1 leaves job 3 alone" test "$(mtime out/mix3.wav)" = "$t3"

SLURM_ARRAY_TASK_ID=3 "$DD" batch jobs.csv --task env --force --summary s7.json 2>/dev/null
expect "--task env reads SLURM_ARRAY_TASK_ID" test "$(sj '.results[0].job' s7.json)" = 3
expect "--task env ran job 3" test "$(mtime out/mix3.wav)" != "$t3"

JOB_COMPLETION_INDEX=2 "$DD" batch jobs.csv --task env --summary s8.json 2>/dev/null
expect "--task env reads JOB_COMPLETION_INDEX" test "$(sj '.results[0].job' s8.json)" = 2

"$DD" -d no_such_dialogue.wav -m m_0.wav -o single_bad.wav 2>/dev/null
want=$?
"$DD" batch jobs.csv --task 4 2>/dev/null
rc=$?
expect "--task on a failing job exits with the job's status ($rc, want $want)" \
    test $rc -eq $want -a $rc -ne 0

"$DD" batch jobs.csv --task 5 2> task5.err
rc=$?
expect "--task past the last job is a usage error (got $rc)" test $rc -eq 1
expect "--task past the last job names the range" grep -q 'jobs 0 to 4' task5.err
env -u SLURM_ARRAY_TASK_ID -u JOB_COMPLETION_INDEX -u AWS_BATCH_JOB_ARRAY_INDEX \
    "$DD" batch jobs.csv --task env 2>/dev/null
expect "--task env without an index fails" test $? -eq 1

# ------------------------------------------------------------- JSON Lines
cat > jobs.jsonl <<'EOF'
{"dialogue": "d_0.wav", "music": ["m_0.wav", "m_1.wav"], "output": "mix_a.wav", "depth": -20, "spectral": true}

{"dialogue": "d_1.wav", "music": "m_1.wav", "output": "mix_b.wav", "music_out": "music_b.wav", "x_note": "notes", "below": null}
EOF
"$DD" batch jobs.jsonl --output-dir jl --dry-run > dry.txt 2>/dev/null
expect "dry run: two stems as two -m" grep -q -- '-d d_0.wav -m m_0.wav -m m_1.wav' dry.txt
expect "dry run: options from the line" grep -q -- '--depth -20 --spectral' dry.txt
expect "dry run: report next to the output" \
    grep -q -- '--report jl/mix_a.wav.report.json -o jl/mix_a.wav' dry.txt
expect "dry run: notes left out" test "$(grep -c -- note dry.txt)" = 0
printf '%s\n' '{"dialogue": "d_0.wav", "music": "m_0.wav", "output": "mix_c.wav", "spectral": "adaptive", "unmask": 6}' > jobs_ad.jsonl
"$DD" batch jobs_ad.jsonl --output-dir jl --dry-run > dry_ad.txt 2>/dev/null
expect "dry run: a flag's mode word" grep -q -- '--spectral adaptive --unmask 6' dry_ad.txt
expect "dry run: nothing written" test ! -e jl

"$DD" batch jobs.jsonl --output-dir jl -j 2 --summary sj.json 2>/dev/null
rc=$?
expect "JSON Lines: both jobs done (exit $rc)" test $rc -eq 0 -a "$(sj .done sj.json)" = 2
expect "JSON Lines: outputs under --output-dir" test -s jl/mix_a.wav -a -s jl/mix_b.wav
expect "JSON Lines: job 1 is line 3" test "$(sj '.results[1].line' sj.json)" = 3
expect "JSON Lines: music-out under --output-dir" test -s jl/music_b.wav
rm -f jl/music_b.wav
"$DD" batch jobs.jsonl --output-dir jl --summary sj2.json 2>/dev/null
expect "a missing music-out re-runs its job only" \
    test "$(sj .done sj2.json)" = 1 -a "$(sj '.results[1].status' sj2.json)" = "done"
expect "the music-out is back" test -s jl/music_b.wav

# ------------------------------------------------------------- --slurm
# A stand-in sbatch records its arguments and the script it is given; the
# script is then run once per array index, as Slurm would.
mkdir -p fakebin
cat > fakebin/sbatch <<'EOF'
#!/bin/sh
printf '%s\n' "$@" > "$SBATCH_LOG.args"
cat > "$SBATCH_LOG.script"
echo 4242
EOF
chmod +x fakebin/sbatch
jobid=$(PATH="$TMP/fakebin:$PATH" SBATCH_LOG=$TMP/sb \
        "$DD" batch jobs.jsonl --output-dir slurm-out -j 1 --depth -9 \
        --slurm --partition=render --time=10 -- --loudness off 2> slurm.err)
rc=$?
expect "--slurm prints sbatch's job id (exit $rc)" test "$jobid" = 4242 -a $rc -eq 0
expect "--slurm asks sbatch for a parsable id" grep -qx -- --parsable sb.args
expect "--slurm passes the sbatch options" \
    sh -c "grep -qx -- --partition=render sb.args && grep -qx -- --time=10 sb.args"
expect "--slurm keeps batch options away from sbatch" test "$(grep -c loudness sb.args)" = 0
expect "job script: an array over both jobs, one at a time" \
    grep -q -- '^#SBATCH --array=0-1%1$' sb.script
expect "job script: defaults from both sides of --" \
    grep -q -- "'--depth' '-9' '--loudness' 'off'" sb.script
for t in 0 1; do
    SLURM_ARRAY_TASK_ID=$t sh sb.script 2>/dev/null
    expect "job script task $t succeeds" test $? -eq 0
done
expect "job script: both outputs under the absolute --output-dir" \
    test -s slurm-out/mix_a.wav -a -s slurm-out/mix_b.wav
SLURM_ARRAY_TASK_ID=1 sh sb.script 2> rerun.err
expect "job script: a rerun of a task skips it" grep -q 'up to date, skipped' rerun.err
PATH="$TMP/fakebin:$PATH" SBATCH_LOG=$TMP/sb2 \
    "$DD" batch jobs.jsonl --slurm --dry-run > dry.sh 2>/dev/null
expect "--slurm --dry-run prints the script" grep -q -- '--task env' dry.sh
expect "--slurm --dry-run does not submit" test ! -e sb2.args

# ------------------------------------------------------------- bad manifests
printf 'dialogue,music\nd_0.wav,m_0.wav\n' > noout.csv
"$DD" batch noout.csv 2> noout.err
rc=$?
expect "manifest without output: usage error (got $rc)" test $rc -eq 1
expect "manifest without output: the line is named" grep -q 'line 2' noout.err
printf 'dialogue,music,output\nd_0.wav,m_0.wav,same.wav\nd_1.wav,m_1.wav,same.wav\n' > dup.csv
"$DD" batch dup.csv 2>/dev/null
expect "two jobs with one output: refused" test $? -eq 1 -a ! -e same.wav
printf '{"dialogue": "d_0.wav", "output": "x.wav"\n' > broken.jsonl
"$DD" batch broken.jsonl 2> broken.err
expect "broken JSON line: usage error naming line 1" \
    sh -c "test $? -eq 1 && grep -q 'line 1' broken.err"

# ------------------------------------------------------------- killed run
# Longer stems so that jobs are caught mid-way; the batch is stopped as
# soon as a job's temporary output appears.
for n in 4 5 6 7; do
    make_stems $n 60 $((150 + 30 * n))
done
{
    echo "dialogue,music,output"
    for n in 4 5 6 7; do echo "d_$n.wav,m_$n.wav,long/mix$n.wav"; done
} > long.csv
"$DD" batch long.csv -j 2 2> kill.err &
pid=$!
i=0
while [ $i -lt 400 ]; do
    [ -n "$(find long -name '.*' -type f 2>/dev/null | head -n 1)" ] && break
    sleep 0.02
    i=$((i + 1))
done
kill -TERM $pid
wait $pid
rc=$?
expect "killed batch exits 143 (got $rc)" test $rc -eq 143
expect "killed batch: no temporary files left" \
    test -z "$(find long -name '.*' 2>/dev/null)"
done_before=$(ls long/mix?.wav 2>/dev/null | wc -l)
expect "killed batch: not every job finished ($done_before of 4)" test "$done_before" -lt 4
expect "killed batch: says how to finish" grep -q 'run again' kill.err
for f in long/mix?.wav; do
    [ -e "$f" ] || continue
    expect "killed batch: finished output $f has its report" test -s "$f.report.json"
done
"$DD" batch long.csv -j 2 --summary sk.json 2>/dev/null
rc=$?
expect "rerun after a kill finishes (exit $rc)" test $rc -eq 0
expect "rerun after a kill: all four outputs" test "$(ls long/mix?.wav | wc -l)" = 4
expect "rerun after a kill: finished jobs skipped ($done_before)" \
    test "$(sj .skipped sk.json)" = "$done_before"

summary
