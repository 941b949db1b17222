#!/bin/bash
# The claims' long runs on a small CPU machine: one lane of `tfgans reproduce` jobs, one thread, niced, resumable.
#
#   benchmarks/long_runs.sh A & benchmarks/long_runs.sh B &     # two lanes on a 2-core machine
#
# Each lane takes the first line of RUNS/queue.txt ("KEY MODELS [more reproduce options]") and runs
#   tfgans reproduce KEY --out RUNS/claims/KEY --models MODELS --clock cpu --data-dir DATA [options]
# until the queue is empty. Every job resumes from its checkpoints, so rerunning the lanes after a stop goes on
# where they were; a job that was stopped (SIGTERM checkpoints it) must be put back at the top of queue.txt.
# RUNS (default ../runs beside the repository) is seeded on first use with benchmarks/long_runs.queue and with
# a copy of the package (RUNS/code), which the jobs import, so that editing the checkout does not change a job
# that is running. Stop a lane by killing its job's PID: the lanes share one process group.
# Before each job, benchmarks/carry.py restores the run folders of KEY that an earlier machine carried through the
# repository (benchmarks/carry/), where none of their name exists; `python benchmarks/carry.py save` carries them.
set -u
LANE=${1:?usage: long_runs.sh LANE}
REPO=$(cd "$(dirname "$0")/.." && pwd)
RUNS=$(mkdir -p "${RUNS:-$REPO/../runs}" && cd "${RUNS:-$REPO/../runs}" && pwd)
DATA=${DATA:-$REPO/../shared/tfds}
mkdir -p "$RUNS/claims" "$RUNS/logs"
if [ ! -f "$RUNS/queue.txt" ]; then
  grep -v '^\s*\(#\|$\)' "$REPO/benchmarks/long_runs.queue" > "$RUNS/queue.txt"
fi
if [ ! -d "$RUNS/code/tfgans" ]; then
  mkdir -p "$RUNS/code" && git -C "$REPO" archive HEAD tfgans | tar -x -C "$RUNS/code"
fi
export PYTHONPATH=$RUNS/code TF_NUM_INTRAOP_THREADS=1 TF_NUM_INTEROP_THREADS=1 OMP_NUM_THREADS=1 TF_CPP_MIN_LOG_LEVEL=2
cd "$RUNS"
while true; do
  job=$(flock queue.lock bash -c 'l=$(head -1 queue.txt); [ -n "$l" ] && sed -i 1d queue.txt; echo "$l"')
  [ -z "$job" ] && { echo "$(date -u +%FT%T) lane $LANE: queue empty" >> lanes.log; break; }
  set -- $job; key=$1; models=$2; shift 2
  echo "$(date -u +%FT%T) lane $LANE start: $job" >> lanes.log
  flock queue.lock python3 "$REPO/benchmarks/carry.py" restore --runs "$RUNS" "$key" >> lanes.log 2>&1
  (cd claims && nice -n 10 tfgans reproduce "$key" --out "$key" --data-dir "$DATA" --clock cpu --models "$models" \
      "$@" > "../logs/$key-$models.log" 2>&1)
  rc=$?  # before the log line's $(date) resets it
  echo "$(date -u +%FT%T) lane $LANE end (exit $rc): $job" >> lanes.log
done
