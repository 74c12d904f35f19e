#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# The mmap engine maps a window per run, not one per band-plane: a filter of 64 planes in slabs
# of 16 and bands of 16 rows (16 bands, about 1100 band-plane loads) makes a handful of mappings
# more than the same filter with pread (counted with strace), and writes the same bytes. Skipped
# where strace is missing or cannot trace.
. "$(dirname "$0")/common.sh"

command -v strace >/dev/null 2>&1 || { echo "skip [$TEST_NAME]: strace is not installed"; exit 77; }
strace -f -o /dev/null true 2>/dev/null || { echo "skip [$TEST_NAME]: strace cannot trace here"; exit 77; }

IN="$WORK/in.npy"
run create "$IN" --shape 256x256x64 --dtype uint16 --pattern noise --seed 7
expect_rc 0 "create the input"

# maps ENGINE: the mmap system calls of one filter with ENGINE (into out-ENGINE.npy), in MAPS.
# LeakSanitizer cannot run under ptrace: a sanitizer build is traced with leak checks off.
maps() {
    LAST_CMD="strace -f -c -e trace=mmap zslab filter in.npy out-$1.npy --engine $1"
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -c -e trace=mmap -o "$WORK/.trace-$1" \
        "$ZSLAB" filter "$IN" "$WORK/out-$1.npy" --op gaussian:sigma=1 --dtype float32 --threads 2 --slab 16 --band 16 \
        --engine "$1" >"$WORK/.out" 2>"$WORK/.err"
    RC=$?
    expect_rc 0 "filter with $1"
    MAPS=$(awk '$NF == "mmap" { print $4 }' "$WORK/.trace-$1")
}
maps pread
pread_maps=$MAPS
maps mmap
mmap_maps=$MAPS
CHECKS=$((CHECKS + 1))
[ -n "$pread_maps" ] && [ -n "$mmap_maps" ] || fail "no mmap count in strace's summary"
# 4 slabs: a window per run of slabs per worker, and the claims' band groups; 1100 were made before
extra=$((mmap_maps - pread_maps))
CHECKS=$((CHECKS + 1))
[ "$extra" -le 16 ] || fail "the mmap engine made $extra mappings more than pread (at most 16: one window per run)"
CHECKS=$((CHECKS + 1))
cmp -s "$WORK/out-pread.npy" "$WORK/out-mmap.npy" || fail "the mmap and pread engines wrote different bytes"

done_ok
