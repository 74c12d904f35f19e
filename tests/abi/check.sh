#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# Compares a built libzslab with this release's stored ABI (abidw's dump of the public headers'
# types and functions): functions may be added; any other change (a function removed or changed, a
# field moved, a struct resized) fails. Appending a field to a struct that can grow is such a change
# too: the release that does it stores a new reference (before 1.0 it is a new minor, with its own
# soname). libabigail 2.2's has_data_member_inserted_at suppression would let appended fields pass,
# but it also hides fields that swapped places, so it is not used. Exit 0 when nothing but added
# functions differs, 1 otherwise.
# Usage: check.sh REFERENCE.abi LIBRARY INCLUDE_DIR
# A new reference, after a release that changes the ABI on purpose (a new minor before 1.0):
#   cmake -S . -B build-abi -DCMAKE_BUILD_TYPE=RelWithDebInfo -DZS_BUILD_TESTS=OFF -DZS_BUILD_CLI=OFF
#   cmake --build build-abi --target zslab
#   abidw --headers-dir include --drop-private-types --no-corpus-path --short-locs --no-comp-dir-path \
#         --out-file tests/abi/zslab-MAJOR.MINOR.abi build-abi/libzslab.so
set -uo pipefail
[ $# -eq 3 ] || { echo "usage: $0 REFERENCE.abi LIBRARY INCLUDE_DIR" >&2; exit 2; }
ref=$1 lib=$2 inc=$3
[ -f "$ref" ] || { echo "$ref: no stored ABI for this release (see the comment in $0)" >&2; exit 1; }
abidiff --no-added-syms --headers-dir2 "$inc" --drop-private-types "$ref" "$lib"
rc=$?
# abidiff's status is a bit mask: 1 error, 2 usage, 4 a change, 8 an incompatible change
if (( rc & 3 )); then
    echo "abidiff could not compare $lib with $ref (status $rc)" >&2
    exit 1
fi
if (( rc & 12 )); then
    echo "$lib: ABI change against $ref (above); a release that means it stores a new reference (see $0)" >&2
    exit 1
fi
echo "$lib: the ABI of $(basename "$ref"), functions added at most"
