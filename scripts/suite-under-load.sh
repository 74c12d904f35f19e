#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# The suite under load: runs `ctest -j2` ROUNDS times in a row (default 10) while stress-ng keeps
# every core busy (`stress-ng --cpu N`, N = the cores), and prints each round's result and time.
# Exits 1 at the first failing round (its failed tests are listed), 0 when every round passed.
# A test that fails here depends on timing: make it robust by construction, not by longer sleeps.
#
#   scripts/suite-under-load.sh [BUILD_DIR] [ROUNDS] [extra ctest arguments...]
# Needs stress-ng (scripts/install-deps.sh stress-ng).
set -euo pipefail
build=${1:-build}
rounds=${2:-10}
shift $(($# < 2 ? $# : 2))
command -v stress-ng >/dev/null || { echo "suite-under-load: stress-ng not found (scripts/install-deps.sh stress-ng)" >&2; exit 1; }
[ -f "$build/CTestTestfile.cmake" ] || { echo "suite-under-load: $build is not a build directory" >&2; exit 1; }
stress-ng --cpu "$(nproc)" --timeout 0 --quiet &
stress=$!
trap 'kill "$stress" 2>/dev/null; wait "$stress" 2>/dev/null || true' EXIT
log=$(mktemp "${TMPDIR:-/tmp}/suite-under-load.XXXXXX")
for ((r = 1; r <= rounds; r++)); do
    t0=$SECONDS
    if (cd "$build" && ctest -j2 --output-on-failure "$@") >"$log" 2>&1; then
        echo "round $r/$rounds: passed in $((SECONDS - t0)) s ($(grep -m1 'tests passed' "$log"))"
    else
        echo "round $r/$rounds: FAILED after $((SECONDS - t0)) s; output in $log"
        sed -n '/The following tests FAILED/,$p' "$log"
        exit 1
    fi
done
rm -f "$log"
echo "suite-under-load: $rounds rounds passed under stress-ng --cpu $(nproc)"
