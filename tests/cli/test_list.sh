#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# `zslab list` shows every kernel of the registry with its parameters; `zslab list NAME`
# details one; `zslab filter --help` names them all.
. "$(dirname "$0")/common.sh"

run list --names
expect_rc 0
expect_no_err
names=$(cat "$WORK/.out")
count=$(printf '%s\n' "$names" | grep -c .)
[ "$count" -ge 10 ] || fail "only $count kernels listed"
# the light-sheet pipeline of the demo and the design's examples are there
for k in gaussian median maximum white_tophat dog; do
    printf '%s\n' "$names" | grep -qx "$k" || fail "kernel $k missing from zslab list --names"
done
dups=$(printf '%s\n' "$names" | sort | uniq -d)
[ -z "$dups" ] || fail "kernels listed twice: $dups"

run list
expect_rc 0
full="$WORK/list.txt"
cp "$WORK/.out" "$full"
for k in $names; do
    grep -q "^$k  " "$full" || fail "zslab list has no entry for $k"
    run list "$k"
    expect_rc 0 "list $k"
    expect_out "$k (version "
    expect_out "usage: zslab filter IN OUT --op $k"
done
# parameters show a type and a default, and bounds or choices
grep -qE '^    sigma +float3 +default [^ ]+ +\[' "$full" || fail "gaussian's sigma lacks type, default or bounds"
grep -qE '^    mode +choice +default reflect +reflect\|nearest\|mirror\|constant\|wrap' "$full" ||
    fail "mode lacks its choices"

run list nosuch
expect_rc 2 "unknown kernel"
expect_err "unknown kernel 'nosuch'"
run list gaussian median
expect_rc 2 "two names"

run filter --help
expect_rc 0
for k in $names; do
    grep -qw -- "$k" "$WORK/.out" || fail "filter --help does not name kernel $k"
done

done_ok
