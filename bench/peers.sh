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
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "peers.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$ZSLAB" ] || { echo "peers.sh: $ZSLAB not found (build first: make, or set ZSLAB)" >&2; exit 1; }
[ -f "$PEERS/dask_filter.py" ] || { echo "peers.sh: peer scripts not found in $PEERS (set PEERS)" >&2; exit 1; }
"$PYTHON" -c 'import numpy, scipy, dask' 2>/dev/null ||
  { echo "peers.sh: $PYTHON lacks numpy/scipy/dask (apt-get install python3-numpy python3-scipy python3-dask)" >&2; exit 1; }

mkdir -p "$dir"
in=$dir/w1.npy
IFS=x read -r nx ny nz <<<"$size"
if [ ! -f "$in" ] || [ "$(cat "$dir/size" 2>/dev/null)" != "$size" ]; then
  echo "making $in ($size uint16) ..." >&2
  "$PYTHON" "$PEERS/make_volume.py" "$in" "$nx" "$ny" "$nz"
  echo "$size" >"$dir/size"
fi
cat "$in" >/dev/null # into the page cache
vox=$((nx * ny * nz))

zspec() {
  case $1 in
    gaussian2) echo "--op gaussian:sigma=2" ;;
    uniform5) echo "--op uniform:size=5" ;;
    max5) echo "--op maximum:size=5" ;;
    median3) echo "--op median:size=3" ;;
    tophat7) echo "--op white_tophat:size=7" ;;
    *) echo "peers.sh: unknown op $1" >&2; exit 2 ;;
  esac
}
now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
mvox() { awk -v v="$vox" -v s="$1" 'BEGIN {printf "%.1f", v / s / 1e6}'; }
peer_secs() { awk '{print $2}'; } # peers print "OP seconds s Mvox/s"

printf '%-10s %12s %12s %8s' op "zslab Mvox/s" "dask Mvox/s" ratio
[ $with_scipy = 1 ] && printf ' %12s %8s' "scipy Mvox/s" ratio
printf '\n'
for op in $ops; do
  zs=() dk=() sp=()
  for ((r = 0; r < repeat; r++)); do
    t0=$(now)
    if [ "$op" = copy ]; then
      "$ZSLAB" convert "$in" "$dir/out_zslab.npy" --dtype float32 --threads "$threads" --quiet --force
    else
      # shellcheck disable=SC2046
      "$ZSLAB" filter "$in" "$dir/out_zslab.npy" $(zspec "$op") --dtype float32 --threads "$threads" --quiet --force
    fi
    t1=$(now)
    zs+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')")
    if [ "$op" = copy ]; then
      dk+=(nan) # dask_filter.py has no copy; scipy_filter.py has
    else
      dk+=("$("$PYTHON" "$PEERS/dask_filter.py" "$in" "$dir/out_dask.npy" "$op" "$threads" | peer_secs)")
    fi
    [ $with_scipy = 1 ] && sp+=("$("$PYTHON" "$PEERS/scipy_filter.py" "$in" "$dir/out_scipy.npy" "$op" | peer_secs)")
  done
  zmed=$(printf '%s\n' "${zs[@]}" | median)
  line=$(printf '%-10s %12s' "$op" "$(mvox "$zmed")")
  if [ "$op" = copy ]; then
    line+=$(printf ' %12s %8s' - -)
  else
    dmed=$(printf '%s\n' "${dk[@]}" | median)
    line+=$(printf ' %12s %7.1fx' "$(mvox "$dmed")" "$(awk -v a="$dmed" -v b="$zmed" 'BEGIN {print a / b}')")
  fi
  if [ $with_scipy = 1 ]; then
    smed=$(printf '%s\n' "${sp[@]}" | median)
    line+=$(printf ' %12s %7.1fx' "$(mvox "$smed")" "$(awk -v a="$smed" -v b="$zmed" 'BEGIN {print a / b}')")
  fi
  echo "$line"
done
echo "($repeat runs each, medians; $threads threads; volume $size uint16 -> float32; $(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
rm -f "$dir"/out_*.npy
