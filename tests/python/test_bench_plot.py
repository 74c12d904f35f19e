# SPDX-License-Identifier: BSD-3-Clause
"""`zslab bench --threads 1,2 --plot b.svg`: the chart parses as XML (xml.etree), is SVG, and shows
both settings: per setting five bars (read, load, compute, store, end-to-end) whose heights are
the medians of the same run's JSON record, on one scale; the bound max(read+store, compute) as a
dashed line at its height, labelled I/O or compute as the record says; the overlap efficiency."""
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(__file__))
from zstest import fail, finish, run, workdir, zs  # noqa: E402

SVG = "{http://www.w3.org/2000/svg}"
PHASES = ["read", "load", "compute", "store", "end-to-end"]


def main():
    d = workdir("benchplot")
    svg = os.path.join(d, "b.svg")
    out, _ = run("bench", "--smoke", "--threads", "1,2", "--repeat", "2", "--json", "--plot", svg)
    rec = json.loads(out)
    root = ET.parse(svg).getroot()  # raises on malformed XML
    if root.tag != SVG + "svg":
        fail(f"root element {root.tag}, want svg")
    texts = ["".join(t.itertext()) for t in root.iter(SVG + "text")]
    res = rec["results"]
    for s in res:
        want = f"threads={s['settings']['threads']} slab={s['settings']['slab']}"
        if not any(want in t for t in texts):
            fail(f"no label {want!r} in the chart")
    if sum("threads=1 " in t for t in texts) != 1 or sum("threads=2 " in t for t in texts) != 1:
        fail(f"settings labels: {[t for t in texts if 'threads=' in t]}")
    bars = [r for r in root.iter(SVG + "rect") if r.get("class") == "bar"]
    if len(bars) != 5 * len(res):
        fail(f"{len(bars)} bars, want {5 * len(res)}")
    # heights on one scale: seconds per pixel equal for every bar
    scale = []
    for i, s in enumerate(res):
        for k, ph in enumerate(PHASES):
            b = bars[5 * i + k]
            med = s["phases"][ph]["median_s"]
            if b.get("data-phase") != ph or abs(float(b.get("data-seconds")) - med) > 2e-6:
                fail(f"setting {i} bar {k}: {b.get('data-phase')} {b.get('data-seconds')}, JSON {ph} {med}")
            if med > 0:
                scale.append(float(b.get("height")) / med)
    if scale and max(scale) - min(scale) > 0.01 * max(scale) + 0.05:
        fail(f"bars are not on one scale: pixels per second from {min(scale)} to {max(scale)}")
    bounds = [ln for ln in root.iter(SVG + "line") if ln.get("class") == "bound"]
    labels = [t for t in root.iter(SVG + "text") if t.get("class") == "bound-label"]
    overlaps = [t for t in root.iter(SVG + "text") if t.get("class") == "overlap"]
    if len(bounds) != len(res) or len(labels) != len(res) or len(overlaps) != len(res):
        fail(f"{len(bounds)} bound lines, {len(labels)} bound labels, {len(overlaps)} overlaps for {len(res)} settings")
    else:
        for i, s in enumerate(res):
            ph = s["phases"]
            bound = max(ph["read"]["median_s"] + ph["store"]["median_s"], ph["compute"]["median_s"])
            if abs(float(bounds[i].get("data-seconds")) - bound) > 2e-6:
                fail(f"setting {i}: bound line at {bounds[i].get('data-seconds')} s, want {bound}")
            want = "bound: " + ("I/O" if s["bound"] == "io" else "compute")
            if labels[i].text != want:
                fail(f"setting {i}: {labels[i].text!r}, want {want!r}")
            # the chart rounds the full value to 2 decimals, the JSON to 4: compare the numbers
            m = re.fullmatch(r"overlap efficiency (\d+\.\d\d)", overlaps[i].text or "")
            if not m or abs(float(m.group(1)) - s["overlap_efficiency"]) > 0.0051:
                fail(f"setting {i}: {overlaps[i].text!r}, overlap {s['overlap_efficiency']}")
    if os.path.exists(svg + ".partial"):
        fail("b.svg.partial left behind")
    p = zs("bench", "--smoke", "--repeat", "1", "--plot", os.path.join(d, "no", "such", "dir.svg"))
    if p.returncode != 1 or "dir.svg" not in p.stderr:
        fail(f"--plot into a missing directory: exit {p.returncode}, {p.stderr.strip()!r}")
    finish("bench --plot: SVG with both settings, bars as the JSON medians, bound and overlap marked", d)


if __name__ == "__main__":
    main()
