# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 the zslab authors
"""zslab.filter goes through the library's job layer: the command line's journal, parts, resume,
compression and refusals, from Python."""
import os
import signal
import threading
import time

import numpy as np
import pytest

import zslab


@pytest.fixture
def src(rng, tmp_path):
    path = tmp_path / "in.npy"
    np.save(path, np.asfortranarray(rng.integers(0, 4000, (40, 36, 50), dtype=np.uint16)))
    return path


def plain(src, tmp_path, op):
    out = tmp_path / "plain.npy"
    zslab.filter(src, out, op, threads=2)
    return np.load(out)


def test_parts_make_the_plain_result(src, tmp_path):
    want = plain(src, tmp_path, "median:size=3")
    out = tmp_path / "out.npy"
    assert zslab.filter(src, out, "median:size=3", part=(1, 3)) is None  # others are still to run
    assert not out.exists() and (tmp_path / "out.npy.zsjournal").is_dir()
    assert zslab.filter(src, out, "median:size=3", part=(0, 3)) is None
    f = zslab.filter(src, out, "median:size=3", part=(2, 3))  # the last part renames dst into place
    assert isinstance(f, zslab.File) and f.shape == (40, 36, 50)
    np.testing.assert_array_equal(np.load(out), want)
    assert (tmp_path / "out.npy.zsjournal").is_dir()  # kept for `zslab status`


def test_parts_of_another_job_are_refused(src, tmp_path):
    out = tmp_path / "out.npy"
    assert zslab.filter(src, out, "median:size=3", part=(0, 2)) is None
    with pytest.raises(zslab.ZslabError) as e:  # the journal's fingerprint names what differs
        zslab.filter(src, out, "median:size=5", part=(1, 2))
    assert "out.npy" in str(e.value) and "pipeline" in str(e.value)


def test_resume_of_a_fresh_and_of_a_complete_job(src, tmp_path):
    want = plain(src, tmp_path, "uniform:size=3")
    out = tmp_path / "out.npy"
    f = zslab.filter(src, out, "uniform:size=3", resume=True)  # no journal yet: starts one, runs it all
    assert f is not None
    np.testing.assert_array_equal(np.load(out), want)
    before = os.stat(out).st_mtime_ns
    f = zslab.filter(src, out, "uniform:size=3", resume=True)  # complete: nothing to do
    assert f is not None and os.stat(out).st_mtime_ns == before
    with pytest.raises(FileExistsError) as e:  # a plain run refuses an output that has a journal
        zslab.filter(src, out, "uniform:size=3")
    assert "out.npy" in str(e.value)


def test_interrupted_journaled_run_keeps_its_journal(src, tmp_path):
    out = tmp_path / "out.npy"

    def stop(fraction):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        zslab.filter(src, out, "median:size=3", journal=True, threads=1, progress=stop)
    assert not out.exists()
    assert (tmp_path / "out.npy.zsjournal").is_dir()  # kept, so that the run can be resumed
    f = zslab.filter(src, out, "median:size=3", resume=True)
    assert f is not None
    np.testing.assert_array_equal(np.load(out), plain(src, tmp_path, "median:size=3"))


def test_compressed_tiff_output(src, tmp_path):
    tifffile = pytest.importorskip("tifffile")
    out = tmp_path / "out.tif"
    zslab.filter(src, out, "median:size=3", compress="deflate")
    with tifffile.TiffFile(out) as t:
        assert t.pages[0].compression == tifffile.COMPRESSION.ADOBE_DEFLATE
        got = t.asarray()
    np.testing.assert_array_equal(got, plain(src, tmp_path, "median:size=3").transpose(2, 1, 0))


def test_compression_a_format_does_not_write(src, tmp_path):
    with pytest.raises(ValueError) as e:
        zslab.filter(src, tmp_path / "out.npy", "median:size=3", compress="lzw")
    assert "out.npy" in str(e.value) and "tiff" in str(e.value)
    with pytest.raises(ValueError):
        zslab.filter(src, tmp_path / "out.tif", "median:size=3", compress="brotli")
    with pytest.raises(ValueError) as e:  # a chunk shape for a format that is not chunked
        zslab.filter(src, tmp_path / "out.npy", "median:size=3", chunks=(8, 16, 16))
    assert "not chunked" in str(e.value)
    for bad in ((0, 4, 4), (4, 4), "16x16x16"):
        with pytest.raises(ValueError):
            zslab.filter(src, tmp_path / "out.tif", "median:size=3", chunks=bad)
    with pytest.raises(ValueError):
        zslab.filter(src, tmp_path / "out.npy", "median:size=3", part=(2, 2))
    assert sorted(os.listdir(tmp_path)) == ["in.npy"]


def test_ome_zarr_output_with_chunks_and_a_pyramid(src, tmp_path):
    zarr = pytest.importorskip("zarr")
    out = tmp_path / "out.ome.zarr"
    f = zslab.filter(src, out, "median:size=3", compress="blosc-zstd", chunks=(8, 16, 12), pyramid=1)
    assert f.format == "zarr" and f.shape == (40, 36, 50)
    g = zarr.open_group(str(out), mode="r")
    assert g["0"].chunks == (8, 16, 12) and g["0"].compressor.cname == "zstd"
    np.testing.assert_array_equal(g["0"][:], plain(src, tmp_path, "median:size=3").transpose(2, 1, 0))
    assert g["1"].shape == (25, 18, 20)
    with pytest.raises(ValueError) as e:  # a pyramid needs the whole volume, in one process
        zslab.filter(src, tmp_path / "p.ome.zarr", "median:size=3", pyramid=1, part=(0, 2))
    assert "journal" in str(e.value)


def test_ctrl_c_while_the_pyramid_is_built_commits_nothing(src, tmp_path, monkeypatch):
    out = tmp_path / "out.ome.zarr"
    level1 = tmp_path / "out.ome.zarr.partial" / "1" / ".zarray"
    monkeypatch.setenv("ZS_TEST_SLAB_DELAY_MS", "50")  # test hook: also a sleep before each layer of a level
    main, sent = threading.get_ident(), []

    def interrupt():  # Ctrl-C once level 1's array exists: while the levels are made with level 0
        deadline = time.monotonic() + 60
        while not level1.exists() and time.monotonic() < deadline:
            time.sleep(0.002)
        if level1.exists():
            sent.append(True)
            signal.pthread_kill(main, signal.SIGINT)

    t = threading.Thread(target=interrupt)
    t.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            zslab.filter(src, out, "median:size=3", chunks=(8, 16, 12), pyramid=2, threads=1)
    finally:
        t.join()
    assert sent, "the levels were never built"
    assert not out.exists() and not (tmp_path / "out.ome.zarr.partial").exists()


@pytest.mark.parametrize("engine", ["pread", "mmap", "direct", "uring"])
def test_engines_write_the_same_bytes(src, tmp_path, engine):
    want = plain(src, tmp_path, "gaussian:sigma=1.5")
    out = tmp_path / f"{engine}.npy"
    zslab.filter(src, out, "gaussian:sigma=1.5", threads=2, engine=engine)
    assert np.array_equal(np.load(out), want)


def test_direct_that_falls_back_warns(src, tmp_path, monkeypatch):
    monkeypatch.setenv("ZS_TEST_NO_DIRECT", "1")
    out = tmp_path / "out.npy"
    with pytest.warns(RuntimeWarning, match="refuses direct I/O"):
        zslab.filter(src, out, "uniform:size=3", engine="direct")
    assert np.array_equal(np.load(out), plain(src, tmp_path, "uniform:size=3"))


def test_uring_that_falls_back_warns(src, tmp_path, monkeypatch):
    monkeypatch.setenv("ZS_TEST_NO_URING", "1")
    out = tmp_path / "out.npy"
    with pytest.warns(RuntimeWarning, match="io_uring is not permitted.*with direct instead"):
        zslab.filter(src, out, "uniform:size=3", engine="uring")
    assert np.array_equal(np.load(out), plain(src, tmp_path, "uniform:size=3"))


def test_unknown_engine_is_refused(src, tmp_path):
    with pytest.raises(zslab.ZslabError, match="unknown engine"):
        zslab.filter(src, tmp_path / "out.npy", "uniform:size=3", engine="fast")


@pytest.mark.parametrize("dtype", ["<i8", ">u8"])
def test_filter_without_ops_converts_64_bit_integers_exactly(tmp_path, dtype):
    a = np.array([2**53 + 1, 2**63 - 1, 7, 2**62 + 3] * 6, dtype=dtype).reshape(4, 3, 2)
    if a.dtype.kind == "i":
        a[0, 0, 0] = -(2**63)
    src, out = str(tmp_path / "in.npy"), str(tmp_path / "out.npy")
    np.save(src, a)
    for precision in (None, "float32"):
        zslab.filter(src, out, [], precision=precision, force=True)
        np.testing.assert_array_equal(np.load(out), a)
    zslab.filter(src, out, [], dtype="int32", force=True)
    np.testing.assert_array_equal(np.load(out), np.clip(a.astype(object), -(2**31), 2**31 - 1).astype(np.int32))
    zslab.filter(src, out, [], dtype="float32", force=True)
    np.testing.assert_array_equal(np.load(out), a.astype(np.float32))
