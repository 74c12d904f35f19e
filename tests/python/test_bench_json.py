# SPDX-License-Identifier: BSD-3-Clause
"""`zslab bench --smoke`: the table has every phase, and the --json record follows docs/bench.md."""
import json
import os
import sys

from zstest import run

PHASES = ["read", "load", "compute", "store", "end-to-end"]


def check(cond, what):
    if not cond:
        sys.exit(f"FAIL: {what}")


def main():
    out, _ = run("bench", "--smoke", "--repeat", "1")
    for ph in PHASES:
        check(f"    {ph} " in out, f"table lacks phase {ph}:\n{out}")
    check("bound:" in out and "overlap efficiency" in out, "table lacks the bound / overlap line")

    out, _ = run("bench", "--smoke", "--json", "--repeat", "2", "--threads", "1,2", "--engine", "mmap,pread",
                 "--slab", "4")
    d = json.loads(out)
    check(d["schema"] == "zslab-bench/1", "schema name")
    check(isinstance(d["zslab_version"], str), "zslab_version")
    m = d["machine"]
    for k, t in [("hostname", str), ("cores", int), ("pus", int), ("numa_nodes", int), ("l2_bytes", int),
                 ("l3_bytes", int), ("page_size", int), ("mem_available_bytes", int), ("fs_type", str)]:
        check(isinstance(m.get(k), t), f"machine.{k} is {m.get(k)!r}, expected {t.__name__}")
    check(m["cores"] >= 1 and m["page_size"] >= 4096, "machine values")
    v = d["volume"]
    check(v["format"] == "npy" and v["dtype"] == "uint16" and len(v["shape"]) == 3, f"volume {v}")
    check(isinstance(d["pipeline"], str) and d["pipeline"].startswith("gaussian:"), "pipeline")
    check(d["cold"] is False and d["repeat"] == 2, "cold / repeat")
    res = d["results"]
    check(len(res) == 4, f"a 2 threads x 2 engines grid gives 4 results, got {len(res)}")
    check(0 <= d["best"] < len(res), "best index")
    best = min(range(len(res)), key=lambda i: res[i]["phases"]["end-to-end"]["median_s"])
    check(d["best"] == best, "best is the fastest end-to-end")
    seen = set()
    for r in res:
        s = r["settings"]
        check(s["engine"] in ("mmap", "pread") and s["slab"] == 4 and s["threads"] in (1, 2), f"settings {s}")
        check(isinstance(s.get("band"), int) and s["band"] >= 1, f"settings.band {s.get('band')!r}")
        seen.add((s["threads"], s["engine"]))
        check(set(r["phases"]) == set(PHASES), f"phases {list(r['phases'])}")
        for ph, p in r["phases"].items():
            for k in ("median_s", "min_s", "max_s", "gb_per_s", "mvox_per_s"):
                check(isinstance(p[k], (int, float)) and p[k] >= 0, f"{ph}.{k} = {p[k]!r}")
            check(p["min_s"] <= p["median_s"] <= p["max_s"], f"{ph}: min <= median <= max")
        check(r["phases"]["compute"]["gb_per_s"] == 0, "compute moves no file bytes")
        check(r["phases"]["read"]["gb_per_s"] > 0 and r["phases"]["store"]["gb_per_s"] > 0, "read/store GB/s")
        check(r["bound"] in ("io", "compute"), "bound")
        check(r["overlap_efficiency"] > 0, "overlap efficiency")
    check(len(seen) == 4, "every grid point measured once")
    check(d["device"] is None, "a run without --cold measures no device")
    for r in res:
        check(r["job_bound"] is None and r["job_bound_s"] is None and r["of_job_bound"] is None, "no bound without --cold")

    # --cold: the device under the output, measured with direct I/O, and each setting against the job's bound
    out, _ = run("bench", "--smoke", "--json", "--repeat", "1", "--cold", "--engine", "pread", "--dtype", "float32")
    d = json.loads(out)
    dev = d["device"]
    check(isinstance(dev, dict) and isinstance(dev.get("measured"), bool), f"device {dev!r}")
    r = d["results"][0]
    if not dev["measured"]:  # a file system without O_DIRECT (tmpfs): said, and no bound
        check(isinstance(dev["why"], str) and dev["why"], "an unmeasured device says why")
        check(r["job_bound_s"] is None, "no bound without a device")
    else:
        for k in ("probe_bytes", "together_read_bytes", "together_written_bytes", "job_read_bytes",
                  "job_written_bytes"):
            check(isinstance(dev[k], int) and dev[k] > 0, f"device.{k} = {dev[k]!r}")
        for k in ("write_gb_per_s", "read_gb_per_s", "together_gb_per_s", "job_s"):
            check(isinstance(dev[k], (int, float)) and dev[k] > 0, f"device.{k} = {dev[k]!r}")
        v = d["volume"]
        check(dev["job_read_bytes"] == v["nbytes"], "the job reads the input's bytes")
        check(dev["job_written_bytes"] == v["nbytes"] * 2, "uint16 -> float32 writes twice the input's bytes")
        # the probe keeps the job's proportion of reads to writes (to a page)
        ratio = dev["together_written_bytes"] / dev["together_read_bytes"]
        check(abs(ratio - 2) < 0.01, f"together: written/read = {ratio}, the job's is 2")
        job_s = (dev["job_read_bytes"] + dev["job_written_bytes"]) / (dev["together_gb_per_s"] * 1e9)
        check(abs(job_s - dev["job_s"]) <= 1e-3 * job_s + 1e-6, f"job_s {dev['job_s']} is the job's bytes at the rate")
        comp = r["phases"]["compute"]["median_s"]
        check(r["job_bound"] == ("device" if dev["job_s"] > comp else "compute"), "job_bound names the slower side")
        check(abs(r["job_bound_s"] - max(dev["job_s"], comp)) < 1e-5, "job_bound_s = max(device, compute)")
        e2e = r["phases"]["end-to-end"]["median_s"]
        check(abs(r["of_job_bound"] - e2e / r["job_bound_s"]) < 1e-3 * r["of_job_bound"], "of_job_bound")
    check(not [f for f in os.listdir(os.environ.get("TMPDIR", "/tmp")) if f.startswith(".zslab-device-")],
          "the probe's files are removed")
    print("ok: table and JSON record")


if __name__ == "__main__":
    main()
