"""Review desk speed and memory: a 12-megapixel JPEG from upload to the regions step on screen.

Drives Debian's chromium through Playwright against the real server (in-process, free port), like the
browser test. Prints, per run, the time from handing the file to the page until
  - the findings (step 2) are on screen,
  - the box editor (step 3) shows the photo (after one click on "Continue"), and
  - the detected boxes are listed (detection runs in the background meanwhile);
then the size of what a session keeps per photo, against a decoded full-size image.

    /work/venv/bin/python bench/bench_ui.py [--runs 3] [--source PATH]

Target (issue 4): upload to regions step <= 1.5 s. Timings on a shared 2-core machine are upper bounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from photolab import server

DEFAULT_SOURCE = (
    Path(__file__).resolve().parents[2] / "shared" / "data" / "faces-dev" / "images" / "ulfd_nurses.jpg"
)
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_12mp(source: Path, folder: Path) -> Path:
    """A 4000 x 3000 JPEG (real photo content, upscaled) with EXIF, like a phone picture."""
    import numpy as np
    import piexif
    from PIL import Image

    image = Image.open(source).convert("RGB").resize((4000, 3000), Image.Resampling.LANCZOS)
    # Sensor-like grain, so the file is as large as a real phone photo (an upscale compresses too well).
    grain = np.random.default_rng(0).integers(-8, 9, (3000, 4000, 3), dtype=np.int16)
    image = Image.fromarray((np.asarray(image, dtype=np.int16) + grain).clip(0, 255).astype(np.uint8))
    exif = piexif.dump(
        {"0th": {piexif.ImageIFD.Make: b"BenchCam"}, "GPS": {piexif.GPSIFD.GPSLatitudeRef: b"N"}}
    )
    path = folder / "ward-12mp.jpg"
    image.save(path, "JPEG", quality=92, exif=exif)
    return path


def session_bytes(path: Path) -> tuple[int, int, int]:
    """(clean bytes, preview bytes, decoded full-size bytes) for one photo, as the desk keeps it."""
    from photolab.ui.app import make_item

    item, image = make_item(path.read_bytes(), path.name)
    decoded = len(image.tobytes())
    return len(item.clean), len(item.preview), decoded


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    args = parser.parse_args()
    if not Path("/usr/bin/chromium").exists():
        print("needs /usr/bin/chromium", file=sys.stderr)
        return 2
    if not args.source.exists():
        print(f"source photo not found: {args.source} (use --source)", file=sys.stderr)
        return 2

    server.prepare_environment()
    from playwright.sync_api import sync_playwright

    from photolab.review.store import RecordStore
    from photolab.ui.app import build_app

    work = Path(tempfile.mkdtemp(prefix="photolab-bench-"))
    photo = make_12mp(args.source, work)
    demo = build_app(store=RecordStore(work / "records.sqlite3"))
    running = server.start(server.mount(demo))
    rss_start = rss_mb()
    findings_s: list[float] = []
    regions_s: list[float] = []
    boxes_s: list[float] = []
    with sync_playwright() as p:
        for _ in range(args.runs):
            ctx = p.chromium.launch_persistent_context(
                tempfile.mkdtemp(dir=work),
                executable_path="/usr/bin/chromium",
                headless=True,
                args=LAUNCH_ARGS,
                viewport={"width": 1280, "height": 1000},
                locale="en-GB",
            )
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            page.set_default_timeout(120_000)
            page.goto(running.url)
            page.locator("#upload input[type=file]").wait_for(state="attached")
            start = time.perf_counter()
            page.set_input_files("#upload input[type=file]", [str(photo)])
            page.locator("#findings").get_by_text("GPS", exact=False).first.wait_for()
            findings_s.append(time.perf_counter() - start)
            page.locator("#to-regions").click()
            page.locator("#regions-editor canvas").first.wait_for(state="visible")
            page.wait_for_function(
                "() => { const c = document.querySelector('#regions-editor canvas');"
                " return c && c.width > 0 && c.height > 0; }"
            )
            regions_s.append(time.perf_counter() - start)
            page.wait_for_function(
                "() => { const t = document.querySelector('#regions-status');"
                " return t && /\\d+ of \\d+/.test(t.innerText); }"
            )
            boxes_s.append(time.perf_counter() - start)
            ctx.close()
    rss_end = rss_mb()
    running.stop()
    clean, preview, decoded = session_bytes(photo)

    load = os.getloadavg()[0]
    size_mb = photo.stat().st_size / 1e6
    print(f"# bench_ui: 12 MP JPEG ({size_mb:.1f} MB), {args.runs} runs, load average {load:.1f}")
    print("| step | median s | max s | target |")
    print("|---|---|---|---|")
    print(f"| upload -> findings on screen | {statistics.median(findings_s):.2f} | {max(findings_s):.2f} | |")
    median, worst = statistics.median(regions_s), max(regions_s)
    print(f"| upload -> regions step on screen (photo shown) | {median:.2f} | {worst:.2f} | <= 1.5 |")
    median, worst = statistics.median(boxes_s), max(boxes_s)
    print(f"| upload -> detected boxes on screen | {median:.2f} | {worst:.2f} | |")
    print()
    print("| memory per photo in a session | MB |")
    print("|---|---|")
    print(f"| clean encoded bytes (kept) | {clean / 1e6:.1f} |")
    print(f"| preview JPEG <= 2000 px (kept) | {preview / 1e6:.2f} |")
    print(f"| decoded full-size image (not kept) | {decoded / 1e6:.1f} |")
    print(f"| server RSS growth over all runs | {rss_end - rss_start:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
