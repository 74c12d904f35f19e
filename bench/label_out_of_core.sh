#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# zslab label out of core: a SIZE uint8 volume of blobs (uniform noise through a Gaussian of sigma
# 1.5, then a threshold: a few hundred thousand components at 2048x2048x1024) labelled under
# --mem-budget, end to end, file to file, with /usr/bin/time -v. Prints the components, wall and CPU
# seconds, Mvox/s and the peak RSS against the budget plus what labels add per component (docs/labels.md:
# ZS_LABEL_BYTES_PER_FRAGMENT a fragment, 40 bytes a component while numbering; a component has at
# least one fragment). Not a timed test: the disk decides much of the wall time (the uint32 labels are
# four times the input). Needs SIZE * 6 bytes free in DIR (input, blobs, labels) and GNU time.
# Usage: bench/label_out_of_core.sh [--zslab build/zslab] [--size 2048x2048x1024] [--mem-budget 1G]
#        [--threads 2] [--dir /tmp/zslab-label-ooc] [--keep]
set -euo pipefail
ZSLAB=build/zslab size=2048x2048x1024 budget=1G threads=2 dir=/tmp/zslab-label-ooc keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --zslab) ZSLAB=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    --mem-budget) budget=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h | --help) sed -n '4,12p' "$0"; exit 0 ;;
    *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time: Debian's package time)" >&2; exit 2; }
mkdir -p "$dir"
IFS=x read -r nx ny nz <<<"$size"
vox=$((nx * ny * nz))
noise=$dir/noise.npy blobs=$dir/blobs.npy labels=$dir/labels.npy
if [ ! -f "$blobs" ] || [ "$(cat "$dir/size" 2>/dev/null)" != "$size" ]; then
  echo "making $blobs ($size uint8) ..." >&2
  "$ZSLAB" create "$noise" --shape "$size" --dtype uint8 --pattern noise --seed 1 --force --quiet
  "$ZSLAB" filter "$noise" "$blobs" --op gaussian:sigma=1.5 --op threshold:value=148 --dtype uint8 --force --quiet
  rm -f "$noise"
  echo "$size" >"$dir/size"
fi
log=$dir/time.log
/usr/bin/time -v "$ZSLAB" label "$blobs" "$labels" --mem-budget "$budget" --threads "$threads" --force 2>"$log"
summary=$(grep '^zslab: labelled' "$log")
components=$(sed -n 's/.*: \([0-9]*\) components.*/\1/p' <<<"$summary")
wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$log")
user=$(sed -n 's/.*User time (seconds): //p' "$log")
sys=$(sed -n 's/.*System time (seconds): //p' "$log")
rss_kib=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$log")
budget_bytes=$("$ZSLAB" label "$blobs" "$labels" --mem-budget "$budget" --dry-run |
  sed -n 's/.*(budget \([0-9.]*\) MiB).*/\1/p')
awk -v wall="$wall" -v user="$user" -v sys="$sys" -v rss="$rss_kib" -v vox="$vox" -v n="$components" \
  -v budget="$budget_bytes" -v size="$size" -v threads="$threads" 'BEGIN {
    k = split(wall, p, ":"); s = 0; for (i = 1; i <= k; i++) s = s * 60 + p[i]
    allow = budget + n * (24 + 40) / 1048576
    printf "%s uint8, %d components, %d threads\n", size, n, threads
    printf "wall %.1f s (%.1f Mvox/s), CPU %.1f s (user %.1f, system %.1f)\n", s, vox / s / 1e6, user + sys, user, sys
    printf "peak RSS %.0f MiB; budget %.0f MiB + %.1f MiB for the components = %.0f MiB: %s\n", rss / 1024, budget,
           n * 64 / 1048576, allow, rss / 1024 <= allow ? "within" : "ABOVE"
    exit rss / 1024 <= allow ? 0 : 1
  }'
[ "$keep" = 1 ] || rm -f "$labels"
