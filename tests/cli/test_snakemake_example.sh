#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# examples/snakemake/Snakefile run by Debian's snakemake on small generated stacks: the batch's
# outputs and the large stack's, written by 3 --part jobs and checked by zslab status, are the
# bytes of single zslab filter runs; a part that did not run makes the check job fail, with no
# output in place. Skipped (77) only when snakemake is not installed.
. "$(dirname "$0")/common.sh"

if ! command -v snakemake >/dev/null 2>&1; then
    echo "skip [$TEST_NAME]: snakemake is not installed (Debian: snakemake)"
    exit 77
fi
SNAKEFILE=$(cd "$(dirname "$0")/../../examples/snakemake" && pwd)/Snakefile
OPS="--op gaussian:sigma=1 --op uniform:size=3"

mkdir -p "$WORK/stacks"
for i in 1 2 3; do
    "$ZSLAB" create "$WORK/stacks/s$i.npy" --shape 24x20x$((12 + i)) --dtype uint16 --pattern phantom --seed "$i" -q
done
"$ZSLAB" create "$WORK/large.npy" --shape 64x48x40 --dtype uint16 --pattern phantom --seed 7 -q

# workflow DIR [TARGET...]: snakemake in DIR (targets relative to it) with 2 cores, the large stack in 3 parts
workflow() {
    local dir=$1
    shift
    LAST_CMD="snakemake -s examples/snakemake/Snakefile --cores 2 (in $dir) $*"
    snakemake "$@" -s "$SNAKEFILE" --directory "$dir" --cores 2 --config zslab="$ZSLAB" batch="$WORK/stacks" \
        big="$WORK/large.npy" nparts=3 ops="$OPS" extra="--slab 2" >"$WORK/.out" 2>"$WORK/.err"
    RC=$?
}

# same A B: the workflow's output A has the bytes of a plain run of its input B
same() {
    # shellcheck disable=SC2086
    run filter "$2" "$WORK/plain.npy" $OPS --force
    expect_rc 0 "plain run on $2"
    CHECKS=$((CHECKS + 1))
    cmp -s "$1" "$WORK/plain.npy" || fail "$1 differs from a plain zslab filter run"
}

workflow "$WORK/run"
expect_rc 0 "the workflow"
expect_out "part 2/3" # zslab status in the check job, each part's slabs
for i in 1 2 3; do
    same "$WORK/run/out/batch/s$i.npy" "$WORK/stacks/s$i.npy"
done
same "$WORK/run/out/large.npy" "$WORK/large.npy"
expect_no_file "$WORK/run/work/large.npy.zsjournal"

# Part 2 marked done without running: zslab status finds its slabs missing, the check job fails
# and out/large.npy is not there.
workflow "$WORK/missing" work/large.part0.done work/large.part1.done
expect_rc 0 "parts 0 and 1"
touch "$WORK/missing/work/large.part2.done"
workflow "$WORK/missing" out/large.npy
expect_rc 1 "the check job with a part missing"
expect_out "incomplete"
expect_no_file "$WORK/missing/out/large.npy"
done_ok
