#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# The library's refusals worded with the tool's flags (cli/hints.c, from zs_error_detail): an
# output that exists, a budget too small (and the band given), a journal in the way, an output
# without one; the message before the advice is the library's, the advice names flags.
. "$(dirname "$0")/common.sh"

IN="$WORK/in.npy"
run create "$IN" --shape 1024x512x8 --dtype uint8 --pattern ramp
expect_rc 0 "create the input"
run create "$WORK/o.npy" --shape 4x4x4 --dtype uint8
expect_rc 0 "create an output"

run filter "$IN" "$WORK/o.npy" --op gaussian
expect_rc 1 "an output that exists"
expect_err "zslab: $WORK/o.npy: exists (use --force to overwrite)"

run filter "$IN" "$WORK/b.npy" --op gaussian:sigma=2 --mem-budget 64K
expect_rc 2 "a budget too small"
expect_err_re "^zslab: $IN: a memory budget of 64.0 KiB is too small: .*or the kernels' sizes \(--mem-budget\)$"
run filter "$IN" "$WORK/b.npy" --op gaussian:sigma=2 --mem-budget 64K --band 4
expect_rc 2 "a budget too small, a band given"
expect_err_re "or the band \(--mem-budget, --band\)$"
run resample "$IN" "$WORK/r.npy" --factor 1x1x8 --mem-budget 1M
expect_rc 2 "resampling under a budget too small"
expect_err_re "raise the budget or lower the threads \(--mem-budget\)$"
expect_no_file "$WORK/b.npy"
expect_no_file "$WORK/r.npy"

run filter "$IN" "$WORK/j.npy" --op gaussian --part 0/2 -q
expect_rc 0 "part 0 of 2"
run filter "$IN" "$WORK/j.npy" --op gaussian --journal
expect_rc 1 "a new journal where one exists"
expect_err "zslab: $WORK/j.npy: a journal exists ($WORK/j.npy.zsjournal): continue that job with --resume, look at it with zslab status, or start over with --force"

run filter "$IN" "$WORK/p.npy" --op gaussian -q
expect_rc 0 "a plain run"
run filter "$IN" "$WORK/p.npy" --op gaussian --resume
expect_rc 1 "a plain output resumed"
expect_err "zslab: $WORK/p.npy: exists and has no journal (it was written by a run without parts or --resume); remove it, or overwrite it with --force"
expect_err_prefixed

done_ok
