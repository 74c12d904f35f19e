# SPDX-License-Identifier: BSD-3-Clause
"""A batch report renders in a real browser: headless Chromium decodes every inline PNG of the page
(checked in the browser's own DOM: each <img> complete with a natural width) and its screenshot is
not blank (the three-views' many grey levels and dark backgrounds are on it). Skipped (exit 77)
when Chromium is not installed (Debian package chromium; CI installs it)."""
import os
import re
import shutil
import subprocess
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from pngread import read as png_read  # noqa: E402
from zstest import fail, finish, run, workdir, zs  # noqa: E402

FLAGS = ["--headless", "--disable-gpu", "--no-sandbox", "--hide-scrollbars", "--no-first-run",
         "--disable-extensions", "--disable-dev-shm-usage"]


def browser():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def chromium(exe, d, *args):
    env = dict(os.environ, HOME=d)  # a profile of its own, inside the test's folder
    return subprocess.run([exe, *FLAGS, f"--user-data-dir={os.path.join(d, 'profile')}", *args],
                          capture_output=True, text=True, timeout=180, env=env)


def main():
    exe = browser()
    if not exe:
        print("SKIP: Chromium is not installed (apt-get install chromium)")
        sys.exit(77)
    d = workdir("chromium")
    ind = os.path.join(d, "in")
    os.makedirs(ind)
    for i, shape in enumerate(("96x64x24", "64x80x16"), 1):
        run("create", os.path.join(ind, f"s{i}.npy"), "--shape", shape, "--dtype", "uint16", "--pattern", "phantom",
            "--seed", str(i))
    with open(os.path.join(ind, "s3.npy"), "wb") as f:
        f.write(b"\x93NUMPY garbage")
    page = os.path.join(d, "report.html")
    p = zs("filter", "--batch", ind, "--out-dir", os.path.join(d, "out"), "--op", "gaussian:sigma=1",
           "--report", page, "-q")
    if p.returncode != 1 or not os.path.exists(page):
        sys.exit(f"FAIL: the batch exited {p.returncode} (want 1: one corrupt stack): {p.stderr}")
    with open(page, encoding="utf-8") as f:
        text = f.read()
    n_img = text.count("<img ")
    if n_img != 4:
        fail(f"{n_img} images on the page, want 4")
    # 1. the browser decodes every image: a copy of the page counts them in the DOM it dumps
    probe = os.path.join(d, "probe.html")
    with open(probe, "w", encoding="utf-8") as f:
        f.write(text.replace("</body>", "<script>document.body.setAttribute('data-decoded', Array.from("
                             "document.images).filter(i => i.complete && i.naturalWidth > 0).length);"
                             "</script></body>"))
    r = chromium(exe, d, "--virtual-time-budget=5000", "--dump-dom", "file://" + probe)
    m = re.search(r'data-decoded="(\d+)"', r.stdout)
    if not m or int(m.group(1)) != n_img:
        fail(f"Chromium decoded {m.group(1) if m else 'no'} images of {n_img} (exit {r.returncode}): "
             f"{r.stderr.strip()[-500:]}")
    if "s3.npy" not in r.stdout or r.stdout.count('class="stack"') != 3:
        fail("the DOM Chromium built does not list the 3 stacks and the corrupt one's error")
    # 2. a screenshot that is not blank: the three-views are on it
    shot = os.path.join(d, "shot.png")
    r = chromium(exe, d, "--window-size=1400,1000", f"--screenshot={shot}", "file://" + page)
    if not os.path.exists(shot):
        fail(f"no screenshot (exit {r.returncode}): {r.stderr.strip()[-500:]}")
    else:
        img = png_read(shot)
        grey = img[..., :3].astype(np.int64).mean(axis=-1) if img.ndim == 3 else img.astype(np.int64)
        levels, dark = len(np.unique(grey.astype(np.int64))), (grey < 40).mean()
        print(f"screenshot {img.shape[1]} x {img.shape[0]}: std {grey.std():.1f}, {levels} grey levels, "
              f"{100 * dark:.1f} % dark")
        if grey.std() < 20 or levels < 64 or dark < 0.05:
            fail("the screenshot looks blank or has no images (std, levels or dark share too small)")
    finish("report renders in headless Chromium: every image decoded, screenshot not blank", d)


if __name__ == "__main__":
    main()
