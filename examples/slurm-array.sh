#!/usr/bin/env bash
#SBATCH --job-name=zslab-array
#SBATCH --array=0-7
#SBATCH --cpus-per-task=8
#SBATCH --mem=8G
#SBATCH --time=01:00:00
#SBATCH --signal=B:TERM@120
#SBATCH --requeue
#SBATCH --output=zslab-%A_%a.log
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
#
# One volume, filtered by a SLURM job array: array task I of N runs `zslab filter --part I/N`
# (--part slurm reads SLURM_ARRAY_TASK_ID/_COUNT/_MIN), and every task writes its own slab
# range into the same OUTPUT file, which must be on a file system all nodes share. Tasks
# may start in any order or all at once; the first one creates OUTPUT.partial and the
# journal OUTPUT.zsjournal, and the task that records the last slab renames OUTPUT.partial
# to OUTPUT, so OUTPUT never exists incomplete.
#
# Time limits: --signal=B:TERM@120 has SLURM send SIGTERM to this script two minutes before
# the limit; the script passes it on to zslab, which finishes the slabs in flight, journals
# them and exits 75, and the script requeues the task (--requeue), which then continues
# where it stopped. (Without B:, SLURM signals job steps started with srun, not the
# processes of the batch script itself.) Run it again after any failure:
# finished slabs are never redone. --cpus-per-task sets the worker threads of a task; under
# a --mem limit zslab plans within it and drops the page cache of the slabs it finished.
#
#   sbatch examples/slurm-array.sh              on a cluster (set the variables below first);
#                                               `bash examples/slurm-array.sh` submits it too
#   INPUT=stack.npy OUTPUT=out.npy sbatch --array=0-31 examples/slurm-array.sh
#   bash examples/slurm-array.sh                without sbatch (or with LOCAL=1): runs NTASKS
#                                               tasks here, all at once, on a small generated
#                                               volume unless INPUT is set
#   zslab status OUTPUT                         how far it is: exit 0 complete, 3 not yet
#
# Variables (set them in the environment, or change the defaults here):
#   ZSLAB    the zslab executable (default: zslab on PATH, else build/zslab of the checkout
#            the job was submitted from)
#   INPUT    the input volume: .npy, .nii, or raw (then EXTRA needs --in-shape, --in-dtype)
#   OUTPUT   the output volume (default: beside INPUT, "<name>-filtered.npy")
#   OPS      the pipeline: --op arguments separated by spaces
#   EXTRA    more options for zslab filter (--dtype float32, --mem-budget 6G, --slab 16, ...)
#   WORKDIR  without SLURM and INPUT: where the generated volume and the output go
#            (default ./zslab-array-demo)
#   NTASKS   without SLURM: how many array tasks to emulate (default 4)
set -euo pipefail

OPS=${OPS:-"--op gaussian:sigma=2 --op uniform:size=3"}
EXTRA=${EXTRA:-}
here=${SLURM_SUBMIT_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
ZSLAB=${ZSLAB:-$(command -v zslab || echo "$here/build/zslab")}
[ -x "$ZSLAB" ] || { echo "slurm-array: no zslab at '$ZSLAB' (set ZSLAB, or build: make build)" >&2; exit 1; }

default_output() { local base=${INPUT%.*}; echo "${base}-filtered.npy"; }

run_task() { # one array task: this part, then requeue if it was stopped at its time limit
    [ -n "${INPUT:-}" ] || { echo "slurm-array: set INPUT (and OUTPUT)" >&2; exit 1; }
    OUTPUT=${OUTPUT:-$(default_output)}
    local rc=0 pid
    # shellcheck disable=SC2086  # OPS and EXTRA are lists of arguments
    "$ZSLAB" filter "$INPUT" "$OUTPUT" $OPS $EXTRA --part slurm &
    pid=$!
    trap 'kill -TERM "$pid" 2>/dev/null' TERM INT # SLURM signals this shell: pass it on, once
    wait "$pid" || rc=$?
    if [ "$rc" -gt 128 ] && kill -0 "$pid" 2>/dev/null; then # the trap ended the wait, not zslab
        rc=0
        wait "$pid" || rc=$?
    fi
    if [ "$rc" -eq 75 ]; then
        echo "slurm-array: task ${SLURM_ARRAY_TASK_ID} stopped before its end; requeued, it will resume" >&2
        if command -v scontrol >/dev/null 2>&1 && [ -n "${SLURM_ARRAY_JOB_ID:-}" ]; then
            scontrol requeue "${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}"
        fi
    fi
    exit "$rc"
}

if [ -n "${SLURM_ARRAY_TASK_ID:-}" ]; then
    run_task
fi

if [ "${LOCAL:-0}" != 1 ] && command -v sbatch >/dev/null 2>&1; then
    [ -n "${INPUT:-}" ] || { echo "slurm-array: set INPUT (and OUTPUT) before submitting" >&2; exit 1; }
    exec sbatch --export=ALL "${BASH_SOURCE[0]}"
fi

# No SLURM here: emulate the array, every task at once, as the scheduler might start them.
NTASKS=${NTASKS:-4}
if [ -z "${INPUT:-}" ]; then
    WORKDIR=${WORKDIR:-./zslab-array-demo}
    mkdir -p "$WORKDIR"
    INPUT=$WORKDIR/phantom.npy
    OUTPUT=${OUTPUT:-$WORKDIR/filtered.npy}
    "$ZSLAB" create "$INPUT" --shape 128x128x96 --dtype uint16 --pattern phantom --seed 1 --force
fi
OUTPUT=${OUTPUT:-$(default_output)}
export ZSLAB INPUT OUTPUT OPS EXTRA
echo "slurm-array: no sbatch here: running $NTASKS array tasks at once on $INPUT -> $OUTPUT"
pids=()
for ((i = 0; i < NTASKS; i++)); do
    SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_MIN=0 SLURM_ARRAY_TASK_COUNT=$NTASKS bash "${BASH_SOURCE[0]}" &
    pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=$?; done
"$ZSLAB" status "$OUTPUT" || rc=$?
exit "$rc"
