#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# `zslab bench --band` on planes cut into few bands: the compute-only phase preloads the first
# rows of planes (a tile's rows with their halos, which may outnumber the rows one band loads)
# through the staging buffer of one band's load, a chunk at a time. Two bands of 64 rows of a
# 128-row plane with gaussian:sigma=2 (halo 8) once overflowed that buffer (a heap corruption:
# the run aborted, or ASan reports it).
. "$(dirname "$0")/common.sh"

IN="$WORK/in.npy"
run create "$IN" --shape 128x128x16 --dtype uint16 --pattern noise
expect_rc 0 "create the input"
for op in gaussian:sigma=2 median:size=3 uniform:size=5; do
    for threads in 1 2; do
        run bench "$IN" --op "$op" --threads "$threads" --band 16,64,100,1024 --repeat 1 --json
        expect_rc 0 "bench $op --threads $threads --band 16,64,100,1024"
        expect_out '"band": 64'
    done
done
done_ok
