#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# A file written whole (a preview's PNG, a cell table) is synced to storage before it is renamed
# into place: a write-back error then fails the run instead of leaving a complete-looking file,
# and a crash cannot leave an empty one under the final name. Checked by the order of the
# system calls (strace): the fsync of OUT.partial comes before its rename to OUT. Skipped where
# strace is missing or cannot trace.
. "$(dirname "$0")/common.sh"

command -v strace >/dev/null 2>&1 || { echo "skip [$TEST_NAME]: strace is not installed"; exit 77; }
strace -f -o /dev/null true 2>/dev/null || { echo "skip [$TEST_NAME]: strace cannot trace here"; exit 77; }

run create "$WORK/in.npy" --shape 64x48x16 --dtype uint16 --pattern cells --seed 3
expect_rc 0 "create the input"

# synced WHAT OUT ARGS...: runs zslab ARGS under strace and checks that OUT.partial is fsynced
# (through its descriptor) before it is renamed to OUT. LeakSanitizer cannot run under ptrace.
synced() {
    local what=$1 out=$2
    shift 2
    LAST_CMD="strace -f zslab $*"
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace -f -qq -y -e trace=fsync,fdatasync,rename,renameat,renameat2 \
        -o "$WORK/.trace" "$ZSLAB" "$@" >"$WORK/.out" 2>"$WORK/.err"
    RC=$?
    expect_rc 0 "$what"
    local sync_line rename_line
    sync_line=$(grep -n "sync([0-9]*<[^>]*$(basename "$out").partial>" "$WORK/.trace" | head -1 | cut -d: -f1)
    rename_line=$(grep -n "rename.*$(basename "$out").partial\".*\"[^\"]*$(basename "$out")\"" "$WORK/.trace" | head -1 | cut -d: -f1)
    CHECKS=$((CHECKS + 1))
    [ -n "$rename_line" ] || fail "$what: no rename of $(basename "$out").partial in the trace"
    CHECKS=$((CHECKS + 1))
    [ -n "$sync_line" ] && [ "$sync_line" -lt "$rename_line" ] ||
        fail "$what: $(basename "$out").partial was renamed into place without an fsync before it"
    CHECKS=$((CHECKS + 1))
    [ -s "$out" ] || fail "$what: $out is missing or empty"
}

synced "preview" "$WORK/p.png" preview "$WORK/in.npy" "$WORK/p.png"
synced "cell table" "$WORK/cells.csv" detect "$WORK/in.npy" "$WORK/cells.csv" --maxima size=3

done_ok
