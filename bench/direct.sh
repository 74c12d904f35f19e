#!/usr/bin/env bash
# The direct engine on a job whose output is larger than the machine's memory, against the device
# itself (docs/design.md, Direct I/O):
#   2048x2048x1200 uint16 -> float32 (18.75 GiB written, 9.4 GiB read), --op gaussian:sigma=2,
#   zslab filter --engine auto (direct for both sides here: each exceeds half the available memory)
#   against dd writing the same bytes with oflag=direct plus dd reading the input with iflag=direct.
# Prints each time, the ratio (target: at most 1.3), the growth of `Cached` in /proc/meminfo over
# the zslab run (target: under 1 GiB), and checks that a slab of the output equals --engine pread's.
# With --pread, also times --engine pread on the same job (the page-cache path).
#
#   bench/direct.sh [--dir D] [--shape XxYxZ] [--op SPEC] [--pread] [--keep]
#
# Needs /usr/bin/time (apt-get install time) and about 2.2x the output's size free in D (default:
# $TMPDIR or /tmp): the input, the output and dd's file one after the other (about 30 GiB here).
# Dropping the page cache before each step needs root (else the steps start warm: said in the log).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
ZSLAB=${ZSLAB:-$here/build/zslab}
dir=${TMPDIR:-/tmp}/zslab-direct shape=2048x2048x1200 op=gaussian:sigma=2 pread=0 keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --dir) dir=$2; shift 2 ;;
    --shape) shape=$2; shift 2 ;;
    --op) op=$2; shift 2 ;;
    --pread) pread=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "direct.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$ZSLAB" ] || { echo "direct.sh: $ZSLAB not found (build first: make, or set ZSLAB)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "direct.sh: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }
mkdir -p "$dir"
in=$dir/in.npy out=$dir/out.npy dd_out=$dir/dd.bin
IFS=x read -r nx ny nz <<<"$shape"
out_bytes=$((nx * ny * nz * 4))
in_bytes=$((nx * ny * nz * 2))
cleanup() { [ $keep = 1 ] || rm -f "$in" "$out" "$out.partial" "$dd_out" "$dir/pread.npy"; }
trap cleanup EXIT

drop() {
  sync
  if [ -w /proc/sys/vm/drop_caches ]; then echo 3 >/proc/sys/vm/drop_caches; else echo "(not root: the page cache is not dropped)"; fi
}
cached_kib() { awk '/^Cached:/ {print $2}' /proc/meminfo; }
secs() { /usr/bin/time -f %e "$@" 2>&1 >/dev/null | tail -n1; }

echo "== input: $shape uint16 ($((in_bytes >> 20)) MiB), output float32 ($((out_bytes >> 20)) MiB); memory: $(awk '/^MemTotal:/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
[ -f "$in" ] || "$ZSLAB" create "$in" --shape "$shape" --dtype uint16 --pattern noise --seed 3 --quiet

echo "== the device: dd oflag=direct writes the output's bytes, dd iflag=direct reads the input"
drop
w_s=$(secs dd if=/dev/zero of="$dd_out" bs=4M count=$((out_bytes / 4194304)) oflag=direct)
rm -f "$dd_out"
drop
r_s=$(secs dd if="$in" of=/dev/null bs=4M iflag=direct)
echo "dd write ${w_s} s ($(awk -v b=$out_bytes -v s="$w_s" 'BEGIN {printf "%.2f", b/s/1e9}') GB/s), dd read ${r_s} s ($(awk -v b=$in_bytes -v s="$r_s" 'BEGIN {printf "%.2f", b/s/1e9}') GB/s)"

echo "== zslab filter --engine auto"
"$ZSLAB" filter "$in" "$out" --op "$op" --dtype float32 --dry-run | grep -E '^(engines|tiles|per worker):'
drop
c0=$(cached_kib)
z_s=$(secs "$ZSLAB" filter "$in" "$out" --op "$op" --dtype float32 --force --quiet)
c1=$(cached_kib)
echo "zslab ${z_s} s; Cached grew by $(((c1 - c0) / 1024)) MiB (target: under 1024 MiB)"
awk -v z="$z_s" -v w="$w_s" -v r="$r_s" 'BEGIN {
  printf "ratio zslab / (dd write + dd read) = %.2f (target: at most 1.30)\n", z / (w + r) }'

if [ $pread = 1 ]; then
  echo "== zslab filter --engine pread (through the page cache, synced)"
  drop
  p_s=$(secs sh -c "\"$ZSLAB\" filter \"$in\" \"$dir/pread.npy\" --op \"$op\" --dtype float32 --engine pread --force --quiet && sync")
  echo "pread ${p_s} s: direct is $(awk -v p="$p_s" -v z="$z_s" 'BEGIN {printf "%.2f", p/z}')x faster"
  cmp -s "$out" "$dir/pread.npy" && echo "outputs: identical" || { echo "outputs: DIFFER"; exit 1; }
fi
