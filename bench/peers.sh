#!/usr/bin/env bash
# Side-by-side speed of zslab and the peers a user would otherwise run (dask map_overlap + scipy,
# and optionally scipy alone), on the same file, in the same session, runs interleaved.
#
#   bench/peers.sh [--size NXxNYxNZ] [--repeat N] [--threads T] [--ops "gaussian2 uniform5 ..."] [--scipy] [--dir D]
#
# Environment: ZSLAB (the tool; default build/zslab), PEERS (folder with make_volume.py, dask_filter.py,
# scipy_filter.py; default ../shared/peers next to the repository), PYTHON (default /usr/bin/python3,
# which must have numpy, scipy and dask: Debian python3-numpy python3-scipy python3-dask).
# Prints, per op, the median Mvox/s of each tool over N runs and the ratio zslab / peer.
# The volume is made once (uint16, Fortran order) and stays in the page cache; outputs are float32.
# zslab is timed as a whole process (start-up, file creation and exit included); the peers time
# themselves from opening the output to its flush. Every tool writes a new file: the previous
# run's output is removed, untimed, before each run.
# The copy row (--dtype float32, no op) is compared with the read + store bound that
# `zslab bench` measures on the same file (target: at least 70% of it).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
ZSLAB=${ZSLAB:-$here/build/zslab}
PEERS=${PEERS:-$here/../shared/peers}
PYTHON=${PYTHON:-/usr/bin/python3}
size=1024x1024x256 repeat=3 threads=2 ops="gaussian2 uniform5 max5 median3 tophat7 copy" with_scipy=0
dir=${TMPDIR:-/tmp}/zslab-peers
while [ $# -gt 0 ]; do
  case $1 in
    --size) size=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --ops) ops=$2; shift 2 ;;
    --scipy) with_scipy=1; shift ;;
    --dir) dir=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "peers.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
# shellcheck source=bench/common.sh
. "$here/bench/common.sh"
[ -x "$ZSLAB" ] || { echo "peers.sh: $ZSLAB not found (build first: make, or set ZSLAB)" >&2; exit 1; }
[ -f "$PEERS/dask_filter.py" ] || { echo "peers.sh: peer scripts not found in $PEERS (set PEERS)" >&2; exit 1; }
"$PYTHON" -c 'import numpy, scipy, dask' 2>/dev/null ||
  { echo "peers.sh: $PYTHON lacks numpy/scipy/dask (apt-get install python3-numpy python3-scipy python3-dask)" >&2; exit 1; }
for op in $ops; do zspec "$op" >/dev/null || exit 2; done
bench_volume

peer_secs() { awk '{print $2}'; } # peers print "OP seconds s Mvox/s"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%7.1fx", a / b}'; }

# The read + store bound of the copy: medians of `zslab bench` (same threads, same file).
copy_bound() {
  "$ZSLAB" bench "$in" --dtype float32 --threads "$threads" --repeat "$repeat" --json 2>/dev/null |
    "$PYTHON" -c 'import json, sys; p = json.load(sys.stdin)["results"][0]["phases"]; print(p["read"]["median_s"] + p["store"]["median_s"])'
}

printf '%-10s %12s %12s %8s' op "zslab Mvox/s" "dask Mvox/s" ratio
[ $with_scipy = 1 ] && printf ' %12s %8s' "scipy Mvox/s" ratio
printf '\n'
for op in $ops; do
  zs=() dk=() sp=()
  for ((r = 0; r < repeat; r++)); do
    rm -f "$dir"/out_*.npy
    t0=$(now)
    if [ "$op" = copy ]; then
      "$ZSLAB" convert "$in" "$dir/out_zslab.npy" --dtype float32 --threads "$threads" --quiet
    else
      # shellcheck disable=SC2046
      "$ZSLAB" filter "$in" "$dir/out_zslab.npy" $(zspec "$op") --dtype float32 --threads "$threads" --quiet
    fi
    t1=$(now)
    zs+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')")
    [ "$op" = copy ] || dk+=("$("$PYTHON" "$PEERS/dask_filter.py" "$in" "$dir/out_dask.npy" "$op" "$threads" | peer_secs)")
    [ $with_scipy = 1 ] && sp+=("$("$PYTHON" "$PEERS/scipy_filter.py" "$in" "$dir/out_scipy.npy" "$op" | peer_secs)")
  done
  zmed=$(printf '%s\n' "${zs[@]}" | median)
  line=$(printf '%-10s %12s' "$op" "$(mvox "$zmed")")
  if [ "$op" = copy ]; then
    rm -f "$dir"/out_*.npy
    bound=$(copy_bound)
    line+=$(printf ' %12s %8s' - -)
    note="copy: $(mvox "$zmed") Mvox/s against the read+store bound of $(mvox "$bound") Mvox/s"
    note+=" (zslab bench, read+store $bound s): $(awk -v a="$bound" -v b="$zmed" 'BEGIN {printf "%.0f%%", 100 * a / b}') of it"
  else
    line+=$(printf ' %12s %8s' "$(mvox "$(printf '%s\n' "${dk[@]}" | median)")" "$(ratio "$(printf '%s\n' "${dk[@]}" | median)" "$zmed")")
  fi
  if [ $with_scipy = 1 ]; then
    smed=$(printf '%s\n' "${sp[@]}" | median)
    line+=$(printf ' %12s %8s' "$(mvox "$smed")" "$(ratio "$smed" "$zmed")")
  fi
  echo "$line"
done
[ -n "${note:-}" ] && echo "$note"
echo "($repeat runs each, medians; $threads threads; volume $size uint16 -> float32; $(machine_line))"
rm -f "$dir"/out_*.npy
