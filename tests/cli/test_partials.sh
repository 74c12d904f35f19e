#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
# A partial output planted by someone else is never written through. Every writer's partial
# (.npy, a Zarr directory and the .zgroup in it, .h5, a plane of a series, a preview's .png, a
# batch's report page and records, a bench chart, a journal's OUT.partial, OUT.zsjournal and part file)
# planted as a symbolic link makes the run exit 1 naming it as a link, with the link and its
# target as they were. A partial of another user or with a second name is refused too; a name
# swapped for a link while the run writes is not renamed into place; and a killed run's own
# stale OUT.partial (a regular file, a directory) is still taken over.
. "$(dirname "$0")/common.sh"

cd "$WORK" || fail "cannot enter $WORK"
run create in.npy --shape 24x20x12 --dtype uint16 --pattern noise --seed 5
expect_rc 0 "create the input"
run filter in.npy ref.npy --op median:size=3
expect_rc 0 "the reference output"
echo "a file someone else cares about" >victim.txt
mkdir victim_dir victim_dir/sub
echo "keep me" >victim_dir/a.txt
echo "and me" >victim_dir/sub/b.txt

# the state of the victims: contents and names
victims_sum() {
    {
        sha256sum victim.txt
        find victim_dir | sort
        find victim_dir -type f -print0 | sort -z | xargs -0 sha256sum
    } | sha256sum
}
BEFORE=$(victims_sum)

# refused LINK WHAT: the last run exited 1, said that LINK is a symbolic link, and LINK is still
# a link with the victims unchanged.
refused() {
    expect_rc 1 "$2 through a planted link $1"
    expect_err "$1 is a symbolic link"
    CHECKS=$((CHECKS + 1))
    [ -L "$1" ] || fail "$1 is no longer a symbolic link ($2)"
    CHECKS=$((CHECKS + 1))
    [ "$(victims_sum)" = "$BEFORE" ] || fail "the link's target was changed ($2)"
}

# plant LINK TARGET: a symbolic link with an absolute target
plant() { ln -s "$WORK/$2" "$1"; }

plant o.npy.partial victim.txt
run filter in.npy o.npy --op median:size=3
refused o.npy.partial ".npy output"
expect_no_file o.npy

plant o.zarr.partial victim_dir
run filter in.npy o.zarr --op median:size=3
refused o.zarr.partial "Zarr output"
expect_no_file o.zarr

mkdir g.zarr.partial
plant g.zarr.partial/.zgroup victim.txt
run filter in.npy g.zarr --op median:size=3
refused g.zarr.partial/.zgroup "Zarr output's .zgroup"
expect_no_file g.zarr

if "$ZSLAB" info --formats 2>/dev/null | grep -qi hdf5; then
    plant o.h5.partial victim.txt
    run filter in.npy o.h5 --op median:size=3
    refused o.h5.partial "HDF5 output"
    expect_no_file o.h5
fi

mkdir planes
plant planes/plane_0005.tif.partial victim.txt
run filter in.npy planes/ --op median:size=3
refused planes/plane_0005.tif.partial "a plane of a series"
expect_no_file planes/plane_0000.tif
expect_no_file planes/plane_0000.tif.partial

plant p.png.partial victim.txt
run preview in.npy p.png
refused p.png.partial "preview"
expect_no_file p.png

mkdir stacks
cp in.npy stacks/a.npy
plant r.html.partial victim.txt
run filter --batch stacks --out-dir done --op median:size=3 --report r.html
refused r.html.partial "batch report"
expect_no_file r.html

# a batch's records: its directory D/.zslab-batch, and a record's partial file (a failed record is a
# warning: the output is complete all the same, and the next run redoes the stack)
mkdir done2
plant done2/.zslab-batch victim_dir
run filter --batch stacks --out-dir done2 --op median:size=3
expect_rc 1 "a batch whose record directory is a link"
expect_err "done2/.zslab-batch: is not a directory of yours (a symbolic link or another user's)"
CHECKS=$((CHECKS + 1))
[ -L done2/.zslab-batch ] && [ "$(victims_sum)" = "$BEFORE" ] || fail "the record directory's link was followed"
mkdir -p done3/.zslab-batch
plant done3/.zslab-batch/a.npy.done.partial victim.txt
run filter --batch stacks --out-dir done3 --op median:size=3
expect_rc 0 "a batch whose record's partial file is a link"
expect_err "a.npy.done.partial is a symbolic link"
CHECKS=$((CHECKS + 1))
[ -L done3/.zslab-batch/a.npy.done.partial ] && [ "$(victims_sum)" = "$BEFORE" ] || fail "the record's link was followed"

plant c.svg.partial victim.txt
run bench --smoke --plot c.svg
refused c.svg.partial "bench chart"
expect_no_file c.svg

# the journal's files: OUT.partial, OUT.zsjournal, a part's record file and a joining part's OUT.partial
plant j.npy.partial victim.txt
run filter in.npy j.npy --op median:size=3 --journal
refused j.npy.partial "journaled output"
expect_no_file j.npy
expect_no_file j.npy.zsjournal

plant k.npy.zsjournal victim_dir
run filter in.npy k.npy --op median:size=3 --part 0/2
refused k.npy.zsjournal "journal directory"
expect_no_file k.npy.partial

run filter in.npy m.npy --op median:size=3 --part 0/2
expect_rc 0 "part 0 of 2"
plant m.npy.zsjournal/part-1-of-2 victim.txt
run filter in.npy m.npy --op median:size=3 --part 1/2
expect_rc 1 "part 1 of 2 with its record file planted as a link"
expect_err "m.npy.zsjournal/part-1-of-2: cannot open the part's journal"
CHECKS=$((CHECKS + 1))
[ -L m.npy.zsjournal/part-1-of-2 ] && [ "$(victims_sum)" = "$BEFORE" ] || fail "the planted record file was followed"
rm m.npy.zsjournal/part-1-of-2
mv m.npy.partial m.npy.kept
plant m.npy.partial victim.txt
run filter in.npy m.npy --op median:size=3 --part 1/2
refused m.npy.partial "a joining part's output"
expect_no_file m.npy
rm m.npy.partial
mv m.npy.kept m.npy.partial
run filter in.npy m.npy --op median:size=3 --part 1/2
expect_rc 0 "part 1 of 2 once its output is back"
CHECKS=$((CHECKS + 1))
cmp -s m.npy ref.npy || fail "the two parts' output differs from the reference"

# not of this run's making: a second name (hard link) of a file, another user's file or directory
ln victim.txt h.npy.partial
run filter in.npy h.npy --op median:size=3
expect_rc 1 "a partial that is a hard link"
expect_err "h.npy.partial has 2 names (hard links)"
CHECKS=$((CHECKS + 1))
[ "$(victims_sum)" = "$BEFORE" ] || fail "the hard link's file was changed"
if [ "$(id -u)" = 0 ] && id nobody >/dev/null 2>&1; then
    cp victim.txt u.npy.partial
    chown nobody u.npy.partial
    run filter in.npy u.npy --op median:size=3
    expect_rc 1 "another user's partial file"
    expect_err "u.npy.partial belongs to another user"
    CHECKS=$((CHECKS + 1))
    cmp -s victim.txt u.npy.partial || fail "another user's partial file was written"
    mkdir u.zarr.partial
    echo "theirs" >u.zarr.partial/x
    chown -R nobody u.zarr.partial
    run filter in.npy u.zarr --op median:size=3
    expect_rc 1 "another user's partial directory"
    expect_err "u.zarr.partial belongs to another user"
    expect_file u.zarr.partial/x
fi

# a partial swapped for a link while the run writes is not renamed into place (nor removed)
ZS_TEST_STOP_AT_SLAB=1 "$ZSLAB" filter in.npy s.npy --op median:size=3 --slab 2 --threads 1 >"$WORK/.out" \
    2>"$WORK/.err" &
pid=$!
wait_stopped "$pid" || fail "the run ended before the hook stopped it"
mv s.npy.partial s.npy.moved
plant s.npy.partial victim.txt
kill -CONT "$pid"
wait "$pid"
RC=$?
LAST_CMD="zslab filter in.npy s.npy (s.npy.partial swapped for a link mid-run)"
expect_rc 1 "a partial swapped for a link mid-run"
expect_err "s.npy.partial is no longer the file this run wrote (replaced by a symbolic link since)"
expect_no_file s.npy
CHECKS=$((CHECKS + 1))
[ -L s.npy.partial ] && [ "$(victims_sum)" = "$BEFORE" ] || fail "the swapped-in link was renamed or followed"

# a killed run's own stale partials are taken over: a regular file, a Zarr directory
head -c 5000 /dev/urandom >t.npy.partial
run filter in.npy t.npy --op median:size=3
expect_rc 0 "a stale regular OUT.partial"
CHECKS=$((CHECKS + 1))
cmp -s t.npy ref.npy || fail "the run over a stale OUT.partial wrote a wrong output"
expect_no_file t.npy.partial
mkdir -p t.zarr.partial/0/9
echo '{"zarr_format": 2}' >t.zarr.partial/.zgroup
echo junk >t.zarr.partial/0/9/junk
run filter in.npy t.zarr --op median:size=3
expect_rc 0 "a stale OUT.partial directory"
expect_no_file t.zarr.partial
expect_no_file t.zarr/0/9/junk
run convert t.zarr t_back.npy
expect_rc 0 "read the Zarr output back"
CHECKS=$((CHECKS + 1))
cmp -s <(tail -c 11520 t_back.npy) <(tail -c 11520 ref.npy) || fail "the Zarr output over a stale directory is wrong"

done_ok
