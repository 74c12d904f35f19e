#!/usr/bin/env bash
# zslab preview at the acceptance size (tests/python/test_memory_preview.py runs it at 256 MiB with a
# 32 MiB budget in the suite):
#   1. a 2 GiB stack (1024x1024x1024 uint16 phantom), --three-view --mem-budget 256M: peak RSS under
#      256 MiB (/usr/bin/time) and the pixels equal numpy's MIPs (ZS_PREVIEW_FULL=1 of that test);
#   2. the time of a preview against one read of the stack (`cat FILE >/dev/null`), from the page
#      cache and from storage (the file's pages dropped with posix_fadvise(DONTNEED) before each run).
#
#   bench/preview.sh [--dir D] [--keep]
#
# Needs /usr/bin/time (apt-get install time) and Debian's python3-numpy; about 2 GiB of disk in D
# (default: $TMPDIR or /tmp) and a minute.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
ZSLAB=${ZSLAB:-$here/build/zslab}
PYTHON=${PYTHON:-/usr/bin/python3}
dir=${TMPDIR:-/tmp}/zslab-preview keep=0
while [ $# -gt 0 ]; do
  case $1 in
    --dir) dir=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "preview.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$ZSLAB" ] || { echo "preview.sh: $ZSLAB not found (build first: make, or set ZSLAB)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "preview.sh: /usr/bin/time not found (apt-get install time)" >&2; exit 1; }
mkdir -p "$dir"

echo "== 1. 2 GiB stack, --mem-budget 256M: peak RSS and pixels"
(cd "$dir" && ZSLAB=$ZSLAB ZS_PREVIEW_FULL=1 "$PYTHON" "$here/tests/python/test_memory_preview.py")

echo "== 2. preview time against one read (medians of 3)"
in=$dir/stack.npy
[ -f "$in" ] || "$ZSLAB" create "$in" --shape 1024x1024x1024 --dtype uint16 --pattern phantom --seed 5 --quiet
median3() { sort -n | sed -n 2p; }
t() { /usr/bin/time -f %e "$@" 2>&1 >/dev/null | tail -n1; }
cat "$in" >/dev/null
read_s=$(for _ in 1 2 3; do t cat "$in"; done | median3)
mip_s=$(for _ in 1 2 3; do t "$ZSLAB" preview "$in" "$dir/z.png" --force --quiet; done | median3)
three_s=$(for _ in 1 2 3; do t "$ZSLAB" preview "$in" "$dir/t.png" --three-view --force --quiet; done | median3)
echo "page cache: cat ${read_s} s, MIP along z ${mip_s} s, three-view ${three_s} s"
cold() { "$PYTHON" -c "import os,sys; fd=os.open(sys.argv[1], os.O_RDONLY); os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED)" "$in"; }
cold; cread_s=$(t cat "$in")
cold; cmip_s=$(t "$ZSLAB" preview "$in" "$dir/z.png" --force --quiet)
cold; cthree_s=$(t "$ZSLAB" preview "$in" "$dir/t.png" --three-view --force --quiet)
echo "from storage (pages dropped before each): cat ${cread_s} s, MIP along z ${cmip_s} s, three-view ${cthree_s} s"
[ $keep = 1 ] || rm -f "$in" "$dir/z.png" "$dir/t.png"
