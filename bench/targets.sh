#!/usr/bin/env bash
# The speed targets that zslab measures on itself, per workload, from `zslab bench` and
# /usr/bin/time on the same file:
#   - bound: which side is slower, read + store (I/O) or compute;
#   - overlap: max(read + store, compute) / end-to-end (target >= 0.77: end-to-end within 1.3x);
#   - scaling: compute time with 1 thread / with 2 threads (target >= 1.7 on compute-bound ops);
#   - peak RSS of `zslab filter --mem-budget B` (target: under B).
#
#   bench/targets.sh [--size NXxNYxNZ] [--repeat N] [--ops "gaussian2 uniform5 ..."] [--budget 512M] [--dir D]
#
# Environment as bench/peers.sh (ZSLAB, PEERS, PYTHON). Figures are medians of N runs.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
ZSLAB=${ZSLAB:-$here/build/zslab}
PEERS=${PEERS:-$here/../shared/peers}
PYTHON=${PYTHON:-/usr/bin/python3}
size=1024x1024x256 repeat=5 ops="gaussian2 uniform5 max5 median3 tophat7 copy" budget=512M
dir=${TMPDIR:-/tmp}/zslab-peers
while [ $# -gt 0 ]; do
  case $1 in
    --size) size=$2; shift 2 ;;
    --repeat) repeat=$2; shift 2 ;;
    --ops) ops=$2; shift 2 ;;
    --budget) budget=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
    *) echo "targets.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
# shellcheck source=bench/common.sh
. "$here/bench/common.sh"
[ -x "$ZSLAB" ] || { echo "targets.sh: $ZSLAB not found (build first: make, or set ZSLAB)" >&2; exit 1; }
[ -x /usr/bin/time ] || echo "targets.sh: /usr/bin/time not found (apt-get install time): no RSS column" >&2
for op in $ops; do zspec "$op" >/dev/null || exit 2; done
bench_volume
budget_bytes=$(awk -v b="$budget" 'BEGIN {n = b + 0; u = toupper(substr(b, length(b)));
  if (u == "K") n *= 1024; else if (u == "M") n *= 1048576; else if (u == "G") n *= 1073741824; printf "%d", n}')

printf '%-10s %-8s %9s %9s %9s %8s %8s %12s\n' op bound "r+s s" "comp s" "e2e s" overlap "1->2" "RSS MiB"
for op in $ops; do
  rm -f "$dir"/out_*.npy
  # shellcheck disable=SC2046
  json=$("$ZSLAB" bench "$in" $(zspec "$op") --dtype float32 --threads 1,2 --repeat "$repeat" --json 2>/dev/null)
  # shellcheck disable=SC2046
  cmd=filter
  [ "$op" = copy ] && cmd=convert
  # shellcheck disable=SC2046
  rss_kib=0
  if [ -x /usr/bin/time ] && ! rss_kib=$(/usr/bin/time -f %M "$ZSLAB" $cmd "$in" "$dir/out_zslab.npy" $(zspec "$op") --dtype float32 \
    --threads 2 --mem-budget "$budget" --quiet --force 2>"$dir/time.err" >/dev/null && tail -1 "$dir/time.err"); then
    echo "targets.sh: zslab $cmd --mem-budget $budget failed:" >&2
    cat "$dir/time.err" >&2
    exit 1
  fi
  rm -f "$dir"/out_*.npy
  "$PYTHON" -c '
import json, sys
op, rss_kib, budget = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rec = json.load(sys.stdin)
# results follow --threads 1,2 (a volume too small for two slabs runs on one thread: scaling 1.0)
one, two = rec["results"][0]["phases"], rec["results"][1]["phases"]
med = lambda p, k: p[k]["median_s"]
rs = med(two, "read") + med(two, "store")
comp, e2e = med(two, "compute"), med(two, "end-to-end")
bound = "I/O" if rs > comp else "compute"
scale = med(one, "compute") / comp if comp > 0 else float("nan")
rss = f"{rss_kib / 1024:6.0f}/{budget / 1048576:.0f}" if rss_kib else "-"
print(f"{op:<10} {bound:<8} {rs:9.3f} {comp:9.3f} {e2e:9.3f} {max(rs, comp) / e2e:8.2f} {scale:7.2f}x"
      f" {rss:>12}")
' "$op" "$rss_kib" "$budget_bytes" <<<"$json"
done
echo "(overlap = max(r+s, comp) / e2e at 2 threads, target >= 0.77; 1->2 = compute 1 thread / 2 threads;"
echo " RSS = peak resident set of zslab filter --mem-budget $budget; $repeat runs each, medians; $size; $(machine_line))"
