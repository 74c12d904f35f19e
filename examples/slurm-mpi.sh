#!/usr/bin/env bash
#SBATCH --job-name=zslab-mpi
#SBATCH --nodes=4
#SBATCH --ntasks-per-node=1
#SBATCH --cpus-per-task=32
#SBATCH --mem=64G
#SBATCH --time=02:00:00
#SBATCH --signal=TERM@120
#SBATCH --requeue
#SBATCH --output=zslab-mpi-%j.log
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
#
# One volume, filtered by one MPI job: rank R of N runs part R/N of the slab plan with its own
# OpenMP workers (--cpus-per-task of them), rank 0 creates the output and the journal, all
# ranks write disjoint slab ranges of the same OUTPUT file (on a file system every node
# shares), and rank 0 prints one summary line with the throughput of all ranks. A rank that
# fails makes the job fail with its message. zslab must be built with MPI (`zslab --version`
# says "MPI"; Debian: libopenmpi-dev, then cmake configures it by itself).
#
# Time limits: SIGTERM two minutes before the limit (--signal: SLURM sends it to the ranks
# srun started) makes every rank finish and journal its slabs in flight and exit 75; the job
# is requeued and the next run resumes. (With LAUNCH=mpirun, mpirun reports its own exit code
# when signalled: `zslab status OUTPUT` exits 3 while the output is incomplete.)
#
#   sbatch examples/slurm-mpi.sh                on a cluster (set the variables below first);
#                                               `bash examples/slurm-mpi.sh` submits it too
#   bash examples/slurm-mpi.sh                  without sbatch (or with LOCAL=1): mpirun -np NP
#                                               here, on a small generated volume unless INPUT is set
#
# Variables (set them in the environment, or change the defaults here):
#   ZSLAB    the zslab executable (default: zslab on PATH, else build/zslab of the checkout
#            the job was submitted from)
#   INPUT    the input volume; OUTPUT the output (default: beside INPUT, "<name>-filtered.npy")
#   OPS      the pipeline: --op arguments separated by spaces
#   EXTRA    more options for zslab filter (--dtype float32, --mem-budget 48G, ...)
#   LAUNCH   how ranks are started in the job (default: srun; some sites need
#            "srun --mpi=pmix", others "mpirun"). Load your site's MPI module before sbatch
#            if zslab needs it at run time; the script loads nothing itself.
#   NP       without SLURM: ranks to start with mpirun (default 2)
#   WORKDIR  without SLURM and INPUT: where the generated volume and the output go
#            (default ./zslab-mpi-demo)
set -euo pipefail

OPS=${OPS:-"--op gaussian:sigma=2 --op uniform:size=3"}
EXTRA=${EXTRA:-}
here=${SLURM_SUBMIT_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
ZSLAB=${ZSLAB:-$(command -v zslab || echo "$here/build/zslab")}
[ -x "$ZSLAB" ] || { echo "slurm-mpi: no zslab at '$ZSLAB' (set ZSLAB, or build: make build)" >&2; exit 1; }
default_output() { local base=${INPUT%.*}; echo "${base}-filtered.npy"; }

if [ -n "${SLURM_JOB_ID:-}" ]; then
    [ -n "${INPUT:-}" ] || { echo "slurm-mpi: set INPUT (and OUTPUT)" >&2; exit 1; }
    OUTPUT=${OUTPUT:-$(default_output)}
    export OMP_NUM_THREADS=${SLURM_CPUS_PER_TASK:-1}
    rc=0
    # shellcheck disable=SC2086  # LAUNCH, OPS and EXTRA are lists of words
    ${LAUNCH:-srun} "$ZSLAB" filter "$INPUT" "$OUTPUT" $OPS $EXTRA || rc=$?
    if [ "$rc" -eq 75 ]; then
        echo "slurm-mpi: stopped before the end; requeued, the next run resumes" >&2
        command -v scontrol >/dev/null 2>&1 && scontrol requeue "$SLURM_JOB_ID"
    fi
    exit "$rc"
fi

if [ "${LOCAL:-0}" != 1 ] && command -v sbatch >/dev/null 2>&1; then
    [ -n "${INPUT:-}" ] || { echo "slurm-mpi: set INPUT (and OUTPUT) before submitting" >&2; exit 1; }
    exec sbatch --export=ALL "${BASH_SOURCE[0]}"
fi

# No SLURM here: the same job with mpirun on this machine.
if ! "$ZSLAB" --version | grep -q MPI; then
    echo "slurm-mpi: $ZSLAB was built without MPI (install libopenmpi-dev and rebuild)" >&2
    exit 1
fi
command -v mpirun >/dev/null 2>&1 || { echo "slurm-mpi: no mpirun here (install openmpi-bin)" >&2; exit 1; }
if [ -z "${INPUT:-}" ]; then
    WORKDIR=${WORKDIR:-./zslab-mpi-demo}
    mkdir -p "$WORKDIR"
    INPUT=$WORKDIR/phantom.npy
    OUTPUT=${OUTPUT:-$WORKDIR/filtered.npy}
    "$ZSLAB" create "$INPUT" --shape 128x128x96 --dtype uint16 --pattern phantom --seed 1 --force
fi
OUTPUT=${OUTPUT:-$(default_output)}
if [ "$(id -u)" -eq 0 ]; then # OpenMPI refuses root unless told (containers, CI)
    export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
fi
echo "slurm-mpi: no sbatch here: mpirun -np ${NP:-2} on $INPUT -> $OUTPUT"
rc=0
# shellcheck disable=SC2086
mpirun --oversubscribe -np "${NP:-2}" "$ZSLAB" filter "$INPUT" "$OUTPUT" $OPS $EXTRA || rc=$?
"$ZSLAB" status "$OUTPUT" || rc=$?
exit "$rc"
