#!/usr/bin/env bash
# Memory that does not grow with the plane, at the sizes users run (tests/python/test_memory_tiles.py
# runs the same checks in sizes CI can afford):
#   1. a light-sheet camera stack, 2048x2048x256 uint16 (2 GiB),
#      --op white_tophat:size=5 --op gaussian:sigma=2 --mem-budget 512M: runs, peak RSS <= 512 MiB;
#   2. a stitched plane, 8192x6144x40 uint16 (3.75 GiB), --op white_tophat:size=7
#      --op dog:sigma1=1:sigma2=3 --dtype float32 --mem-budget 1G --threads 2: runs, peak RSS <= 1 GiB,
#      and blocks of the output (corners, edges, interior) equal scipy.ndimage;
#   3. --dry-run --threads 1 --mem-budget 64M of gaussian:sigma=2 for 4096x1024 and 4096x16384 planes.
#
#   bench/tiles.sh [--dir D] [--keep]
#
# Needs /usr/bin/time (apt-get install time) and, for the scipy check, Debian's python3-scipy. Takes a few
# minutes and about 12 GiB of disk in D (default: $TMPDIR or /tmp); --keep leaves the volumes there.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
ZSLAB=${ZSLAB:-$here/build/zslab}
PYTHON=${PYTHON:-/usr/bin/python3}
dir=${TMPDIR:-/tmp}/zslab-tiles keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --dir) dir=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "tiles.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$ZSLAB" ] || { echo "tiles.sh: $ZSLAB not found (build first: make, or set ZSLAB)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "tiles.sh: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }
mkdir -p "$dir"
fail=0

# run NAME BUDGET_MIB ARGS...: a filter under /usr/bin/time; prints seconds and peak RSS, checks the budget
run() {
  local name=$1 budget=$2
  shift 2
  local log=$dir/$name.time
  if ! /usr/bin/time -f '%e %M' -o "$log" "$ZSLAB" filter "$@" --force --quiet; then
    echo "FAIL $name: zslab filter exited non-zero"
    fail=1
    return
  fi
  read -r secs kib <"$log"
  local mib=$((kib / 1024))
  local verdict=ok
  [ "$mib" -le "$budget" ] || { verdict=FAIL; fail=1; }
  printf '%-4s %-14s %7.2f s  peak RSS %5d MiB (budget %d MiB)\n' "$verdict" "$name" "$secs" "$mib" "$budget"
}

echo "== 1. camera stack 2048x2048x256 uint16, white_tophat:size=5 | gaussian:sigma=2, --mem-budget 512M"
[ -f "$dir/camera.npy" ] || "$ZSLAB" create "$dir/camera.npy" --shape 2048x2048x256 --dtype uint16 \
  --pattern phantom --seed 1 --quiet
run camera 512 "$dir/camera.npy" "$dir/camera_out.npy" --op white_tophat:size=5 --op gaussian:sigma=2 \
  --mem-budget 512M
"$ZSLAB" filter "$dir/camera.npy" "$dir/camera_out.npy" --op white_tophat:size=5 --op gaussian:sigma=2 \
  --mem-budget 512M --dry-run | grep -E '^(tiles|redundancy|per worker|peak):'

echo "== 2. stitched plane 8192x6144x40 uint16, white_tophat:size=7 | dog:sigma1=1:sigma2=3, --mem-budget 1G"
[ -f "$dir/stitched.npy" ] || "$ZSLAB" create "$dir/stitched.npy" --shape 8192x6144x40 --dtype uint16 \
  --pattern phantom --seed 2 --quiet
run stitched 1024 "$dir/stitched.npy" "$dir/stitched_out.npy" --op white_tophat:size=7 \
  --op dog:sigma1=1:sigma2=3 --dtype float32 --mem-budget 1G --threads 2
"$ZSLAB" filter "$dir/stitched.npy" "$dir/stitched_out.npy" --op white_tophat:size=7 --op dog:sigma1=1:sigma2=3 \
  --dtype float32 --mem-budget 1G --threads 2 --dry-run | grep -E '^(tiles|redundancy|per worker|peak):'
if "$PYTHON" - "$dir/stitched.npy" "$dir/stitched_out.npy" <<'EOF'; then :; else fail=1; fi
import sys
import numpy as np
from scipy import ndimage as ndi

vol, out = np.load(sys.argv[1], mmap_mode="r"), np.load(sys.argv[2], mmap_mode="r")
NX, NY, NZ = vol.shape
M, B = 40, 64  # margin beyond the pipeline's halo (6 + 12), block edge


def ref(a):
    t = ndi.white_tophat(a.astype(np.float32), size=7, mode="reflect")
    return ndi.gaussian_filter(t, 1.0, mode="reflect") - ndi.gaussian_filter(t, 3.0, mode="reflect")


bad = 0
for name, x0, y0 in [("corner 0,0", 0, 0), ("corner max,max", NX - B, NY - B), ("edge y=0", NX // 2, 0),
                     ("edge x=max", NX - B, NY // 3), ("interior", NX // 2 + 5, NY // 2 - 9)]:
    a0, a1, b0, b1 = max(0, x0 - M), min(NX, x0 + B + M), max(0, y0 - M), min(NY, y0 + B + M)
    r = ref(np.asarray(vol[a0:a1, b0:b1, :]))[x0 - a0:x0 - a0 + B, y0 - b0:y0 - b0 + B, :]
    g = np.asarray(out[x0:x0 + B, y0:y0 + B, :])
    err = float(np.max(np.abs(g - r))) / max(1.0, float(np.max(np.abs(r))))
    ok = err < 1e-5
    bad += not ok
    print(f"{'ok  ' if ok else 'FAIL'} scipy block {name}: max error {err:.2e} of max |scipy|")
sys.exit(1 if bad else 0)
EOF

echo "== 3. planner: gaussian:sigma=2, --threads 1 --mem-budget 64M"
for ny in 1024 16384; do
  raw=$dir/planes_$ny.raw
  truncate -s $((4096 * ny * 8 * 2)) "$raw" # sparse: the planner reads nothing
  if out=$("$ZSLAB" filter "$raw" "$dir/o.npy" --in-shape 4096x${ny}x8 --in-dtype uint16 --op gaussian:sigma=2 \
    --threads 1 --mem-budget 64M --dry-run); then
    echo "ok   4096x$ny: $(grep -E '^tiles:' <<<"$out" | cut -c13-); $(grep -E '^peak:' <<<"$out" | cut -c13-)"
  else
    echo "FAIL 4096x$ny: --dry-run refused"
    fail=1
  fi
  rm -f "$raw"
done

[ "$keep" = 1 ] || rm -rf "$dir"
[ "$fail" = 0 ] && echo "tiles.sh: all checks passed" || { echo "tiles.sh: some checks failed"; exit 1; }
