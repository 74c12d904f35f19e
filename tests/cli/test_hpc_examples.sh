#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# The job scripts in examples/ run locally as documented (LOCAL=1: no scheduler here) and
# give the bytes of a single run: the SLURM array (its tasks all at once), the PBS array, and
# the MPI job with mpirun when zslab has MPI.
. "$(dirname "$0")/common.sh"

EXAMPLES=$(cd "$(dirname "$0")/../../examples" && pwd)
OPS="--op gaussian:sigma=1 --op uniform:size=3"
export ZSLAB OPS LOCAL=1

# compare NAME: WORK/NAME/filtered.npy against a plain run on WORK/NAME/phantom.npy
compare() {
    # shellcheck disable=SC2086
    run filter "$WORK/$1/phantom.npy" "$WORK/$1/plain.npy" $OPS
    expect_rc 0 "plain run for $1"
    CHECKS=$((CHECKS + 1))
    cmp -s "$WORK/$1/plain.npy" "$WORK/$1/filtered.npy" || fail "$1: the example's output differs from a plain run"
    run status "$WORK/$1/filtered.npy"
    expect_rc 0 "$1: status complete"
    expect_out "complete"
}

# example NAME SCRIPT [VAR=value...]: runs the script in local mode with WORKDIR=WORK/NAME
example() {
    local name=$1 script=$2
    shift 2
    LAST_CMD="bash examples/$script"
    env WORKDIR="$WORK/$name" "$@" bash "$EXAMPLES/$script" >"$WORK/.out" 2>"$WORK/.err"
    RC=$?
    expect_rc 0 "examples/$script in local mode"
    compare "$name"
}

example array slurm-array.sh NTASKS=3
expect_out "part 2/3"
example pbs pbs.sh NPARTS=5
expect_out "part 4/5"
if "$ZSLAB" --version | grep -q MPI && command -v mpirun >/dev/null 2>&1; then
    example mpi slurm-mpi.sh NP=3 ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" # OpenMPI's, not ours
    expect_out "part 2/3"
else
    MPI_SKIPPED=1 # reported at the end: the other examples still run
fi

# SLURM's warning before the time limit (--signal=B:TERM) reaches the script: it passes it on,
# zslab journals and exits 75, and the array run again completes the output. The test hook
# ZS_TEST_SLAB_DELAY_MS slows the slabs so that the signal comes mid-run.
mkdir -p "$WORK/term"
"$ZSLAB" create "$WORK/term/phantom.npy" --shape 64x48x40 --dtype uint16 --pattern phantom --seed 2 -q
LAST_CMD="slurm-array.sh task 0 of 1, SIGTERM to the script"
env INPUT="$WORK/term/phantom.npy" OUTPUT="$WORK/term/filtered.npy" SLURM_ARRAY_TASK_ID=0 SLURM_ARRAY_TASK_COUNT=1 \
    EXTRA="--slab 1 --threads 1" ZS_TEST_SLAB_DELAY_MS=40 bash "$EXAMPLES/slurm-array.sh" >"$WORK/.out" 2>"$WORK/.err" &
pid=$!
for _ in $(seq 1 300); do # until a few slabs are journaled
    [ "$(cat "$WORK/term/filtered.npy.zsjournal"/part-* 2>/dev/null | wc -l)" -ge 3 ] && break
    sleep 0.02
done
kill -TERM "$pid"
wait "$pid"
RC=$?
expect_rc 75 "the task stopped by SIGTERM"
expect_err "requeued"
expect_file "$WORK/term/filtered.npy.partial"
example term slurm-array.sh NTASKS=2 INPUT="$WORK/term/phantom.npy" OUTPUT="$WORK/term/filtered.npy"

# A task that is not in the array: a usage error from zslab, passed on by the script
LAST_CMD="slurm-array.sh as task 5 of 3"
env INPUT="$WORK/array/phantom.npy" OUTPUT="$WORK/array/x.npy" SLURM_ARRAY_TASK_ID=5 SLURM_ARRAY_TASK_MIN=0 \
    SLURM_ARRAY_TASK_COUNT=3 bash "$EXAMPLES/slurm-array.sh" >"$WORK/.out" 2>"$WORK/.err"
RC=$?
expect_rc 2 "a task outside the array"
expect_err "is not one of 3 tasks"

if [ -n "${MPI_SKIPPED:-}" ]; then
    echo "skip [$TEST_NAME]: slurm-mpi.sh not run (zslab without MPI, or no mpirun); $CHECKS other checks passed"
    exit 77 # ctest: skipped (SKIP_RETURN_CODE), not passed
fi
done_ok
