# Shared by bench/peers.sh and bench/targets.sh (sourced, not run): the named workloads of the
# speed targets, the test volume, and small statistics helpers.
#
# Needs: ZSLAB, PEERS, PYTHON, dir, size set by the caller.

# The zslab options of a named workload (the names of ../shared/peers/dask_filter.py).
zspec() {
  case $1 in
    gaussian2) echo "--op gaussian:sigma=2" ;;
    uniform5) echo "--op uniform:size=5" ;;
    max5) echo "--op maximum:size=5" ;;
    median3) echo "--op median:size=3" ;;
    tophat7) echo "--op white_tophat:size=7" ;;
    copy) echo "" ;;
    *) echo "unknown op $1 (gaussian2 uniform5 max5 median3 tophat7 copy)" >&2; return 2 ;;
  esac
}

# Makes $dir/w1.npy (uint16, Fortran order, $size) once, with the peers' make_volume.py when
# it is there (the volume the peers' figures were taken on), else with zslab's own phantom,
# and reads it into the page cache. Sets in, nx, ny, nz, vox.
bench_volume() {
  mkdir -p "$dir"
  in=$dir/w1.npy
  IFS=x read -r nx ny nz <<<"$size"
  local maker=zslab
  [ -f "$PEERS/make_volume.py" ] && maker=peers
  if [ ! -f "$in" ] || [ "$(cat "$dir/size" 2>/dev/null)" != "$size $maker" ]; then
    echo "making $in ($size uint16, $maker) ..." >&2
    if [ $maker = peers ]; then
      "$PYTHON" "$PEERS/make_volume.py" "$in" "$nx" "$ny" "$nz"
    else
      "$ZSLAB" create "$in" --shape "$size" --dtype uint16 --pattern phantom --seed 1 --force --quiet
    fi
    echo "$size $maker" >"$dir/size"
  fi
  cat "$in" >/dev/null # into the page cache
  vox=$((nx * ny * nz))
}

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
mvox() { awk -v v="$vox" -v s="$1" 'BEGIN {printf "%.1f", v / s / 1e6}'; }
machine_line() { echo "$(nproc) cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"; }
