#!/bin/sh
# make check-farm: a real single-node Slurm cluster on this machine.
#
# As root, starts munged, slurmctld and slurmd with their configuration,
# keys, state and logs in a temporary directory (no systemd, nothing under
# /etc touched), submits a six-job manifest as an array with
# `dialogueduck batch MANIFEST --slurm`, waits for it, checks that every
# output is byte-identical to a local `dialogueduck batch MANIFEST -j 2`
# run of the same manifest, and stops the daemons whatever happens.
#
# Needs the Debian packages slurm-wlm, munge and ffmpeg.

. "$(dirname "$0")/../lib.sh"

FARM=$TMP/farm
MUNGE_SOCK=$FARM/munge/munge.socket
WAIT_TIMEOUT=${WAIT_TIMEOUT:-180}

log() { echo "farm: $*" >&2; }

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

# Stop the daemons: SIGTERM to all three, then wait (at most 10 s) before
# SIGKILL. Only the processes whose pid files this test wrote are touched.
stop_cluster() {
    pids=
    # Jobs still queued or running (a timeout) are cancelled first, so that
    # no task outlives the cluster.
    if [ -n "${submitted:-}" ]; then
        # shellcheck disable=SC2086
        scancel $submitted 2>/dev/null && sleep 1
    fi
    for f in "$FARM/slurmd.pid" "$FARM/slurmctld.pid" "$FARM/munge/munged.pid"; do
        [ -f "$f" ] || continue
        pid=$(cat "$f" 2>/dev/null)
        [ -n "$pid" ] && kill "$pid" 2>/dev/null && pids="$pids $pid"
    done
    i=0
    for pid in $pids; do
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
            sleep 0.1
            i=$((i + 1))
        done
        kill -9 "$pid" 2>/dev/null
    done
    return 0
}

show_logs() {
    for f in "$FARM"/slurmctld.log "$FARM"/slurmd.log "$FARM"/munge/munged.log \
             "$FARM"/logs/*; do
        [ -f "$f" ] || continue
        echo "--- $f" >&2
        tail -n 15 "$f" >&2
    done
}

# FARM_LOGS=DIR keeps the daemons' and the tasks' logs for a post-mortem.
keep_logs() {
    [ -n "${FARM_LOGS:-}" ] || return 0
    mkdir -p "$FARM_LOGS" &&
    cp -r "$FARM"/*.log "$FARM"/logs "$FARM"/slurm.conf "$FARM_LOGS"/ 2>/dev/null
}

trap 'stop_cluster; keep_logs; rm -rf "$TMP"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

finish() {
    summary
    exit $?
}

# ---------------------------------------------------------------- checks
if [ "$(id -u)" -ne 0 ]; then
    fail "the Slurm test runs daemons as root: run make check-farm as root"
    finish
fi
missing=
for c in munged slurmctld slurmd sbatch squeue sinfo scontrol ffmpeg; do
    command -v "$c" >/dev/null 2>&1 || missing="$missing $c"
done
if [ -n "$missing" ]; then
    fail "missing commands:$missing (Debian packages slurm-wlm, munge, ffmpeg)"
    finish
fi
if [ ! -x "$DD" ]; then
    fail "$DD not built (run make)"
    finish
fi

# ---------------------------------------------------------------- cluster
t_start=$(now)
mkdir -p "$FARM/munge" "$FARM/state" "$FARM/spool" "$FARM/logs"
chmod 0700 "$FARM/munge"
if command -v mungekey >/dev/null 2>&1; then
    mungekey --create --keyfile="$FARM/munge/munge.key" >/dev/null 2>&1
else
    dd if=/dev/urandom of="$FARM/munge/munge.key" bs=1024 count=1 2>/dev/null
fi
chmod 0600 "$FARM/munge/munge.key"
# --force: the key and socket live under /tmp, which munged finds too open
# for a production setup; this cluster lives only as long as the test.
munged --force --socket="$MUNGE_SOCK" --key-file="$FARM/munge/munge.key" \
    --pid-file="$FARM/munge/munged.pid" --log-file="$FARM/munge/munged.log" \
    --seed-file="$FARM/munge/munged.seed"
expect "munged starts" test -S "$MUNGE_SOCK"

host=$(hostname -s 2>/dev/null || uname -n | cut -d. -f1)
cpus=$(nproc 2>/dev/null || echo 1)
[ "$cpus" -gt 2 ] && cpus=2
# Ports away from the standard 6817/6818, so that a real installation on
# the machine is not disturbed.
port=$((20000 + $$ % 20000))
cat > "$FARM/slurm.conf" <<CONF
ClusterName=ddfarm
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$port
SlurmdPort=$((port + 1))
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCK
StateSaveLocation=$FARM/state
SlurmdSpoolDir=$FARM/spool
SlurmctldPidFile=$FARM/slurmctld.pid
SlurmdPidFile=$FARM/slurmd.pid
SlurmctldLogFile=$FARM/slurmctld.log
SlurmdLogFile=$FARM/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
# No cgroups needed: containers and CI machines may not delegate them.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SchedulerType=sched/backfill
# Schedule at once on submission and completion, not on the next cycle:
# the tasks here are short.
SchedulerParameters=sched_min_interval=0,batch_sched_delay=0,defer_batch=0
MailProg=/bin/true
ReturnToService=2
# Keep finished jobs visible to scontrol long enough to check them.
MinJobAge=600
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=farm Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$FARM/slurm.conf"

slurmctld -f "$SLURM_CONF" || fail "slurmctld did not start"
slurmd -f "$SLURM_CONF" || fail "slurmd did not start"

state=
i=0
while [ $i -lt 150 ]; do
    state=$(sinfo -h -n "$host" -o %t 2>/dev/null)
    [ "$state" = idle ] && break
    sleep 0.2
    i=$((i + 1))
done
t_ready=$(now)
if [ "$state" = idle ]; then
    ok
    log "cluster up: node $host idle after $(elapsed "$t_start" "$t_ready") s"
else
    fail "node $host not idle after 30 s (state '$state')"
    show_logs
    finish
fi

# ---------------------------------------------------------------- jobs
# Six short scenes: a dialogue stem of tone bursts (lines and pauses) and
# a music stem, 2 to 4 seconds each, with per-job options on two lines.
media=$TMP/media
mkdir -p "$media"
echo "dialogue,music,output,depth" > "$TMP/manifest.csv"
n=0
for spec in 2:220:330 3:180:440 4:240:550 2.5:200:660 3.5:260:390 4:210:495; do
    d=${spec%%:*}; rest=${spec#*:}; fd=${rest%%:*}; fm=${rest#*:}
    ffmpeg -nostdin -v error -f lavfi \
        -i "sine=f=$fd:d=$d:sample_rate=48000,volume='if(lt(mod(t,1.2),0.7),1,0.001)':eval=frame" \
        -ac 1 -c:a pcm_s16le -bitexact "$media/dialogue$n.wav" &&
    ffmpeg -nostdin -v error -f lavfi -i "sine=f=$fm:d=$d:sample_rate=44100" \
        -ac 2 -c:a pcm_s16le -bitexact "$media/music$n.wav" ||
        fail "ffmpeg could not make the stems of job $n"
    depth=
    [ $n -eq 2 ] && depth=-10
    [ $n -eq 4 ] && depth=-20
    echo "$media/dialogue$n.wav,$media/music$n.wav,mix$n.wav,$depth" >> "$TMP/manifest.csv"
    n=$((n + 1))
done

cd "$TMP" || finish

# The job script the submission below hands to sbatch.
"$DD" batch manifest.csv --output-dir "$TMP/slurm-out" -j 3 --slurm --dry-run \
    > "$TMP/job.sh" 2> "$TMP/dry.err"
expect "the job script is an array of six with a limit of three" \
    grep -q -- '--array=0-5%3' "$TMP/job.sh"
expect "the job script runs one task by index" grep -q -- '--task env' "$TMP/job.sh"

# ---------------------------------------------------------------- submit
t_submit=$(now)
jobid=$("$DD" batch manifest.csv --output-dir "$TMP/slurm-out" -j 3 \
        --slurm --output="$FARM/logs/%A_%a.log" 2> "$TMP/submit.err")
rc=$?
jobid=${jobid%%;*}
submitted=$jobid
if [ $rc -ne 0 ] || [ -z "$jobid" ]; then
    fail "batch --slurm did not submit (exit $rc): $(cat "$TMP/submit.err")"
    show_logs
    finish
fi
ok
log "submitted array job $jobid"

i=0
limit=$((WAIT_TIMEOUT * 5))
while [ $i -lt $limit ]; do
    [ -z "$(squeue -h -j "$jobid" 2>/dev/null)" ] && break
    sleep 0.2
    i=$((i + 1))
done
t_done=$(now)
if [ $i -ge $limit ]; then
    fail "array job $jobid still queued or running after $WAIT_TIMEOUT s"
    squeue >&2
    show_logs
    finish
fi
ok
log "array job $jobid finished in $(elapsed "$t_submit" "$t_done") s"

states=$(scontrol -o show job "$jobid" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | sort | uniq -c | tr -s ' ')
completed=$(scontrol -o show job "$jobid" 2>/dev/null | grep -c 'JobState=COMPLETED')
if [ "$completed" -eq 6 ]; then ok; else
    fail "expected 6 array tasks COMPLETED, got: $states"
    show_logs
fi
expect "the array ran with the concurrency limit" \
    sh -c "scontrol -o show job '$jobid' | grep -q 'ArrayTaskThrottle=3'"

# ---------------------------------------------------------------- compare
t_local=$(now)
"$DD" batch manifest.csv --output-dir "$TMP/local-out" -j 2 2> "$TMP/local.err"
rc=$?
t_local_done=$(now)
if [ $rc -eq 0 ]; then ok; else
    fail "local batch -j 2 failed (exit $rc)"
    sed 's/^/    /' "$TMP/local.err" >&2
fi
log "local batch -j 2 took $(elapsed "$t_local" "$t_local_done") s"

n=0
while [ $n -lt 6 ]; do
    s=$TMP/slurm-out/mix$n.wav
    l=$TMP/local-out/mix$n.wav
    if [ ! -s "$s" ]; then
        fail "job $n: no Slurm output $s"
    elif [ ! -f "$s.report.json" ]; then
        fail "job $n: no report next to $s"
    elif ! cmp -s "$s" "$l"; then
        fail "job $n: Slurm output differs from the local run"
    else
        ok
    fi
    n=$((n + 1))
done
leftover=$(find "$TMP/slurm-out" "$TMP/local-out" -name '.*' -type f | head -n 1)
expect "no temporary files left: $leftover" test -z "$leftover"

# The account of the array's work: all six up to date, 3 + 2 + 4 + 2.5 +
# 3.5 + 4 = 19 s of audio.
"$DD" batch manifest.csv --output-dir "$TMP/slurm-out" --dry-run \
    --summary "$TMP/account.json" > /dev/null 2>&1
skipped=$(sed -n 's/^ *"skipped": \([0-9]*\),$/\1/p' "$TMP/account.json")
audio=$(sed -n 's/^ *"skipped_audio_seconds": \([0-9]*\)\..*/\1/p' "$TMP/account.json")
expect "the array's account: 6 jobs up to date (got $skipped)" test "$skipped" = 6
expect "the array's account: 19 s of audio (got $audio)" test "$audio" = 19

# A second submission finds every job up to date: each task skips.
jobid2=$("$DD" batch manifest.csv --output-dir "$TMP/slurm-out" -j 3 \
         --slurm --output="$FARM/logs/%A_%a.log" 2>/dev/null)
jobid2=${jobid2%%;*}
submitted="$submitted $jobid2"
i=0
while [ -n "$jobid2" ] && [ $i -lt $limit ]; do
    [ -z "$(squeue -h -j "$jobid2" 2>/dev/null)" ] && break
    sleep 0.2
    i=$((i + 1))
done
skipped=$(cat "$FARM"/logs/"${jobid2:-none}"_*.log 2>/dev/null | grep -c 'up to date, skipped')
expect "a resubmission skips the six finished jobs (got $skipped)" test "$skipped" -eq 6

t_end=$(now)
log "timing: cluster start $(elapsed "$t_start" "$t_ready") s," \
    "six-task array $(elapsed "$t_submit" "$t_done") s," \
    "local -j 2 $(elapsed "$t_local" "$t_local_done") s," \
    "whole test $(elapsed "$t_start" "$t_end") s"
finish
