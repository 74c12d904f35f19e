#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# A full disk, for real: a 3 MiB tmpfs holds less than each output. Every format, compressed or
# not, one file or a plane series, fails with "No space left on device" naming the file, exit 1,
# and leaves nothing (no OUT.partial, no plane files, no directory zslab made), also with O_DIRECT
# writes (--engine direct, uring). Needs root (or
# CAP_SYS_ADMIN) to mount the tmpfs: without it the test is reported as skipped, not passed.
. "$(dirname "$0")/common.sh"

DISK="$WORK/disk"
mkdir -p "$DISK"
if ! mount -t tmpfs -o size=3M zslab-test "$DISK" 2>/dev/null; then
    echo "skip [$TEST_NAME]: cannot mount a small tmpfs here (needs root or CAP_SYS_ADMIN)"
    exit 77
fi
trap 'umount "$DISK" 2>/dev/null; rm -rf "$WORK"' EXIT

IN="$WORK/in.npy"
run create "$IN" --shape 256x256x32 --dtype uint16 --pattern noise --seed 4
expect_rc 0 "create the input (4 MiB)"

for out in out.npy out.nii out.tif out.mhd out.nrrd ctif.tif series/ 'p_%03d.tif' 'n_%03d.npy' out.h5 cout.h5; do
    extra=()
    case "$out" in ctif.tif | series/ | p_* | cout.h5) extra=(--compress zlib) ;; esac
    run filter "$IN" "$DISK/$out" --op median:size=3 "${extra[@]}"
    expect_rc 1 "full disk, $out"
    expect_err "No space left on device"
    expect_err "$DISK/"
    CHECKS=$((CHECKS + 1))
    left=$(ls -A "$DISK")
    [ -z "$left" ] || fail "files left on the full disk after $out: $left"
done
# the same with O_DIRECT writes, from I/O threads and through io_uring
for engine in direct uring; do
    run filter "$IN" "$DISK/out.npy" --op median:size=3 --engine "$engine"
    expect_rc 1 "full disk, --engine $engine"
    expect_err "No space left on device"
    expect_err "$DISK/out.npy"
    CHECKS=$((CHECKS + 1))
    left=$(ls -A "$DISK")
    [ -z "$left" ] || fail "files left on the full disk after --engine $engine: $left"
done

done_ok
