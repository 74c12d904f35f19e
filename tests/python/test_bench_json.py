# SPDX-License-Identifier: BSD-3-Clause
"""`zslab bench --smoke`: the table has every phase, and the --json record follows docs/bench.md."""
import json
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
    print("ok: table and JSON record")


if __name__ == "__main__":
    main()
