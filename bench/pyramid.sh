#!/usr/bin/env bash
# What an OME-Zarr pyramid costs on top of the plain conversion: `zslab convert` of a uint16 stack
# (0.5 x 0.5 x 2 um by default) to .ome.zarr with --pyramid 0 and --pyramid N (hot cache, medians of
# R runs): end-to-end seconds, peak RSS, and the input bytes read (from strace, in a separate untimed
# run, when strace is installed): the levels are made while level 0 is written, so the input is
# read once either way.
#
#   bench/pyramid.sh [--size NXxNYxNZ] [--voxel-size 0.5x0.5x2um] [--levels N] [--repeat R] [--dir D]
#
# (--voxel-size 1x1x1um: every level halves all three axes.)
#
# Environment: ZSLAB (the tool, default build/zslab).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
ZSLAB=${ZSLAB:-$here/build/zslab}
size=2048x2048x128 voxel=0.5x0.5x2um levels=3 repeat=3
dir=${TMPDIR:-/tmp}/zslab-pyramid
while [ $# -gt 0 ]; do
  case $1 in
    --size) size=$2; shift 2 ;;
    --voxel-size) voxel=$2; shift 2 ;;
    --levels) levels=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "pyramid.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$ZSLAB" ] || { echo "pyramid.sh: $ZSLAB not found (build first, or set ZSLAB)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "pyramid.sh: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }
mkdir -p "$dir"
in=$dir/aniso.nii out=$dir/out.ome.zarr
if [ ! -f "$in" ] || [ "$(cat "$dir/size" 2>/dev/null)" != "$size $voxel" ]; then
  echo "making $in ($size uint16, $voxel) ..." >&2
  "$ZSLAB" create "$in" --shape "$size" --dtype uint16 --pattern phantom --seed 1 --voxel-size "$voxel" --force --quiet
  echo "$size $voxel" >"$dir/size"
fi
cat "$in" >/dev/null # into the page cache

median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# input_bytes N: bytes that read/pread64 returned on the input in a run with --pyramid N ("-" without strace).
input_bytes() {
  command -v strace >/dev/null || { echo -; return; }
  rm -rf "$out"
  strace -f -y -o "$dir/strace.log" -e trace=read,pread64 "$ZSLAB" convert "$in" "$out" --pyramid "$1" --quiet
  # a call another thread interrupts ends on a "resumed" line of the same process id
  awk -v f="<$in>" '/unfinished/ {w[$1] = index($0, f) > 0; next}
    /resumed>/ {if (w[$1] && $NF > 0) s += $NF; next}
    index($0, f) && $NF > 0 {s += $NF} END {printf "%d", s}' "$dir/strace.log"
}

printf '%-10s %9s %9s %10s %s\n' levels "e2e s" "x plain" "RSS MiB" "input bytes read"
base=
for n in 0 "$levels"; do
  : >"$dir/times"
  rss=0
  for _ in $(seq "$repeat"); do
    rm -rf "$out"
    t0=$(date +%s.%N)
    k=$(/usr/bin/time -f %M "$ZSLAB" convert "$in" "$out" --pyramid "$n" --quiet 2>&1 >/dev/null | tail -1)
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}' >>"$dir/times"
    [ "$k" -gt "$rss" ] && rss=$k
  done
  s=$(median <"$dir/times")
  [ -z "$base" ] && base=$s
  printf '%-10s %9.2f %9.2f %10.0f %s\n' "$n" "$s" "$(awk -v s="$s" -v b="$base" 'BEGIN {print s / b}')" \
    "$((rss / 1024))" "$(input_bytes "$n")"
done
rm -rf "$out"
echo "input: $in, $(stat -c %s "$in") bytes; $(nproc) cores"
