#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# A zslab built without MPI, started by an MPI launcher with several ranks, refuses to run
# (exit 1, a message saying why, no output, no partial file, no journal) instead of having
# every rank write the whole output. The launchers are recognised by their environment:
# OpenMPI's mpirun (OMPI_COMM_WORLD_SIZE), MPICH/Intel hydra (PMI_SIZE), srun with PMIx
# (PMIX_RANK, SLURM_NTASKS) and any srun step of several tasks (SLURM_PROCID,
# SLURM_STEP_NUM_TASKS). One rank runs normally. With openmpi-bin installed, a real
# `mpirun -np 2` is run too. ZSLAB_NOMPI is the tool built without MPI (ctest sets it when
# `zslab` itself has MPI; otherwise `zslab` is that tool).
. "$(dirname "$0")/common.sh"

if [ -n "${ZSLAB_NOMPI:-}" ]; then
    MPI_ZSLAB=$ZSLAB
    ZSLAB=$ZSLAB_NOMPI
fi
run --version
expect_rc 0
case "$OUT" in
*MPI*) fail "$ZSLAB says it has MPI: set ZSLAB_NOMPI to a zslab built without it" ;;
esac

IN="$WORK/in.npy"
run create "$IN" --shape 24x20x12 --dtype uint16 --pattern noise
expect_rc 0 "create the input"
run filter "$IN" "$WORK/ref.npy" --op median:size=3
expect_rc 0 "the reference run"

# refused ENV...: filter and convert under the launcher's variables are refused
refused() {
    for cmd in filter convert; do
        local ops=()
        [ "$cmd" = filter ] && ops=(--op median:size=3)
        LAST_CMD="env $* zslab $cmd"
        env "$@" "$ZSLAB" "$cmd" "$IN" "$WORK/out.npy" "${ops[@]}" >"$WORK/.out" 2>"$WORK/.err"
        RC=$?
        expect_rc 1 "$LAST_CMD"
        expect_err "built without MPI: every rank would write the whole output"
        expect_err_prefixed
        expect_no_file "$WORK/out.npy"
        expect_no_file "$WORK/out.npy.partial"
        expect_no_file "$WORK/out.npy.zsjournal"
    done
}
refused OMPI_COMM_WORLD_SIZE=2 OMPI_COMM_WORLD_RANK=1
refused PMI_SIZE=4 PMI_RANK=0
refused PMIX_RANK=0 SLURM_NTASKS=2
refused PMIX_RANK=1 SLURM_STEP_NUM_TASKS=3 SLURM_NTASKS=3
refused SLURM_PROCID=0 SLURM_STEP_NUM_TASKS=2
expect_err "started by an MPI launcher with 2 ranks"

# one rank (or a one-task srun step, or a SLURM batch script) is a plain run
for vars in "OMPI_COMM_WORLD_SIZE=1" "PMI_SIZE=1" "SLURM_PROCID=0 SLURM_STEP_NUM_TASKS=1" "SLURM_NTASKS=8"; do
    rm -f "$WORK/out.npy"
    LAST_CMD="env $vars zslab filter"
    # shellcheck disable=SC2086
    env $vars "$ZSLAB" filter "$IN" "$WORK/out.npy" --op median:size=3 >"$WORK/.out" 2>"$WORK/.err"
    RC=$?
    expect_rc 0 "$LAST_CMD"
    CHECKS=$((CHECKS + 1))
    cmp -s "$WORK/out.npy" "$WORK/ref.npy" || fail "$LAST_CMD: output differs from a plain run"
done

# a real mpirun
if command -v mpirun >/dev/null; then
    rm -f "$WORK/out.npy"
    LAST_CMD="mpirun --oversubscribe -np 2 zslab(without MPI) filter"
    OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 mpirun --oversubscribe -np 2 "$ZSLAB" filter "$IN" "$WORK/out.npy" --op median:size=3 \
        >"$WORK/.out" 2>"$WORK/.err"
    RC=$?
    CHECKS=$((CHECKS + 1))
    [ "$RC" -ne 0 ] || fail "mpirun -np 2 of a zslab without MPI exited 0"
    expect_err "built without MPI"
    expect_no_file "$WORK/out.npy"
    expect_no_file "$WORK/out.npy.partial"
    echo "mpirun -np 2: refused, exit $RC"
else
    echo "note: mpirun not installed (openmpi-bin): only the launcher variables were checked"
fi

done_ok
