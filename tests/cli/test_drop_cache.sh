#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# The default of --drop-cache follows the cgroup memory limit: on under a limit (cgroup v2
# memory.max or v1 memory.limit_in_bytes, of the process's cgroup or a parent), off without
# one; ZS_DROP_CACHE and the flags decide otherwise. The cgroup files are read from a fake
# tree (test hook ZS_TEST_CGROUP_ROOT), so both sides run on any machine; `-v` prints the
# decision and its reason.
. "$(dirname "$0")/common.sh"

IN="$WORK/in.npy"
run create "$IN" --shape 32x24x16 --dtype uint16 --pattern noise
expect_rc 0 "create the input"

# cgroup TREE V2PATH V2MAX V1PATH V1LIMIT: a fake root with /proc/self/cgroup and the limit files.
cgroup() {
    local t="$WORK/$1"
    mkdir -p "$t/proc/self" "$t/sys/fs/cgroup$2" "$t/sys/fs/cgroup/memory$4"
    printf '12:memory:%s\n0::%s\n' "$4" "$2" >"$t/proc/self/cgroup"
    [ -z "$3" ] || printf '%s\n' "$3" >"$t/sys/fs/cgroup$2/memory.max"
    [ -z "$5" ] || printf '%s\n' "$5" >"$t/sys/fs/cgroup/memory$4/memory.limit_in_bytes"
}
cgroup none /user.slice/job max /user.slice ""
cgroup v2 /slurm/job_7/step_0 "" / ""
printf '2147483648\n' >"$WORK/v2/sys/fs/cgroup/slurm/job_7/memory.max" # a parent's limit counts
cgroup v1 "" "" /slurm/uid_0/job_9 1073741824
cgroup empty "" "" "" ""
rm -f "$WORK/empty/proc/self/cgroup" # no cgroup file at all: no limit

# decide TREE EXPECTED-NOTE [ARGS...]: filter with the fake tree, expect the decision on stderr
decide() {
    local tree=$1 note=$2
    shift 2
    rm -rf "$WORK/out.npy" "$WORK/out.npy.zsjournal"
    LAST_CMD="ZS_TEST_CGROUP_ROOT=$WORK/$tree zslab filter -v $*"
    ZS_TEST_CGROUP_ROOT="$WORK/$tree" "$ZSLAB" filter "$IN" "$WORK/out.npy" --op median:size=3 -v "$@" \
        >"$WORK/.out" 2>"$WORK/.err"
    RC=$?
    expect_rc 0 "$LAST_CMD"
    expect_err "$note"
    expect_file "$WORK/out.npy"
}

(unset ZS_DROP_CACHE
    decide none "drop-cache off (no cgroup memory limit)"
    decide empty "drop-cache off (no cgroup memory limit)"
    decide v2 "drop-cache on (cgroup memory limit 2048.0 MiB)"
    decide v1 "drop-cache on (cgroup memory limit 1024.0 MiB)"
    decide v2 "drop-cache off (--no-drop-cache)" --no-drop-cache
    decide none "drop-cache on (--drop-cache)" --drop-cache
    decide v2 "drop-cache on (cgroup memory limit 2048.0 MiB)" --journal
    echo "$CHECKS" >"$WORK/.checks"
) || exit 1
CHECKS=$(cat "$WORK/.checks")
export ZS_DROP_CACHE=0
decide v2 "drop-cache off (ZS_DROP_CACHE=0)"
export ZS_DROP_CACHE=1
decide none "drop-cache on (ZS_DROP_CACHE=1)"
decide none "drop-cache off (--no-drop-cache)" --no-drop-cache
unset ZS_DROP_CACHE

# the same output either way
cp "$WORK/out.npy" "$WORK/ref.npy"
decide v1 "drop-cache on"
CHECKS=$((CHECKS + 1))
cmp -s "$WORK/out.npy" "$WORK/ref.npy" || fail "the output differs with and without drop-cache"

done_ok
