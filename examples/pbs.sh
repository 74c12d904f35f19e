#!/usr/bin/env bash
#PBS -N zslab-array
#PBS -J 0-7
#PBS -l select=1:ncpus=8:mem=8gb
#PBS -l walltime=01:00:00
#PBS -j oe
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
#
# One volume, filtered by a PBS job array: sub-job I of NPARTS runs `zslab filter --part
# I/NPARTS`, every sub-job writing its slab range into the same OUTPUT file (on a file system
# all nodes share). Sub-jobs may start in any order or all at once; the one that records the
# last slab renames OUTPUT.partial to OUTPUT. PBS Pro numbers sub-jobs with -J and
# PBS_ARRAY_INDEX; Torque uses `#PBS -t 0-7` and PBS_ARRAYID: both are read. PBS does not
# tell a sub-job how many there are: NPARTS must match the -J/-t range (default 8).
#
# Walltime: PBS sends SIGTERM, then SIGKILL after its kill delay. zslab stops after the
# slabs in flight, journals them and exits 75; either way, submit the array again and every
# sub-job continues where it stopped (finished slabs are never redone).
#
#   qsub examples/pbs.sh                        on a cluster (set the variables below first);
#                                               `bash examples/pbs.sh` submits it too
#   bash examples/pbs.sh                        without qsub (or with LOCAL=1): runs NPARTS
#                                               sub-jobs here, all at once, on a small
#                                               generated volume unless INPUT is set
#   zslab status OUTPUT                         how far it is: exit 0 complete, 3 not yet
#
# Variables (set them in the environment, e.g. qsub -v INPUT=...,OUTPUT=..., or change the
# defaults here):
#   ZSLAB    the zslab executable (default: zslab on PATH, else build/zslab of the checkout
#            the job was submitted from)
#   INPUT    the input volume; OUTPUT the output (default: beside INPUT, "<name>-filtered.npy")
#   OPS      the pipeline: --op arguments separated by spaces
#   EXTRA    more options for zslab filter (--dtype float32, --mem-budget 6G, ...)
#   NPARTS   the number of sub-jobs of the array (default 8, as in -J 0-7)
#   FIRST    the first sub-job index of the array (default 0)
#   WORKDIR  without PBS and INPUT: where the generated volume and the output go
#            (default ./zslab-pbs-demo)
set -euo pipefail

OPS=${OPS:-"--op gaussian:sigma=2 --op uniform:size=3"}
EXTRA=${EXTRA:-}
NPARTS=${NPARTS:-8}
FIRST=${FIRST:-0}
here=${PBS_O_WORKDIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
ZSLAB=${ZSLAB:-$(command -v zslab || echo "$here/build/zslab")}
[ -x "$ZSLAB" ] || { echo "pbs: no zslab at '$ZSLAB' (set ZSLAB, or build: make build)" >&2; exit 1; }
default_output() { local base=${INPUT%.*}; echo "${base}-filtered.npy"; }

index=${PBS_ARRAY_INDEX:-${PBS_ARRAYID:-}}
if [ -n "$index" ]; then
    [ -n "${PBS_O_WORKDIR:-}" ] && cd "$PBS_O_WORKDIR"
    [ -n "${INPUT:-}" ] || { echo "pbs: set INPUT (and OUTPUT)" >&2; exit 1; }
    OUTPUT=${OUTPUT:-$(default_output)}
    rc=0
    # shellcheck disable=SC2086  # OPS and EXTRA are lists of arguments
    "$ZSLAB" filter "$INPUT" "$OUTPUT" $OPS $EXTRA --part "$((index - FIRST))/$NPARTS" || rc=$?
    [ "$rc" -eq 75 ] && echo "pbs: sub-job $index stopped before its end; submit again to resume" >&2
    exit "$rc"
fi

if [ "${LOCAL:-0}" != 1 ] && command -v qsub >/dev/null 2>&1; then
    [ -n "${INPUT:-}" ] || { echo "pbs: set INPUT (and OUTPUT) before submitting" >&2; exit 1; }
    exec qsub -V "${BASH_SOURCE[0]}"
fi

# No PBS here: run the sub-jobs at once, as the scheduler might start them.
if [ -z "${INPUT:-}" ]; then
    WORKDIR=${WORKDIR:-./zslab-pbs-demo}
    mkdir -p "$WORKDIR"
    INPUT=$WORKDIR/phantom.npy
    OUTPUT=${OUTPUT:-$WORKDIR/filtered.npy}
    "$ZSLAB" create "$INPUT" --shape 128x128x96 --dtype uint16 --pattern phantom --seed 1 --force
fi
OUTPUT=${OUTPUT:-$(default_output)}
export ZSLAB INPUT OUTPUT OPS EXTRA NPARTS FIRST
echo "pbs: no qsub here: running $NPARTS sub-jobs at once on $INPUT -> $OUTPUT"
pids=()
for ((i = FIRST; i < FIRST + NPARTS; i++)); do
    PBS_ARRAY_INDEX=$i bash "${BASH_SOURCE[0]}" &
    pids+=($!)
done
rc=0
for p in "${pids[@]}"; do wait "$p" || rc=$?; done
"$ZSLAB" status "$OUTPUT" || rc=$?
exit "$rc"
