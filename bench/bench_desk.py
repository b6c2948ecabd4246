"""Review desk: speed where a reviewer feels it, and the server's memory over a long session.

Starts the desk as ``photolab serve`` does, in a child process (its memory is measured from /proc), and
drives Debian's chromium through Playwright. Prints tables:

1. a 12-megapixel JPEG from the moment the file is handed to the page until
   - the findings (step 2) are on screen,
   - the first face box is on the photo (the reviewer opened step 3 at once),
   - text boxes are on the photo too (detection: faces first, text merged in later);
2. the server's resident memory at start, after N uploads in one session, and after that session ends;
3. keyboard-only review of a crowd photo: from the areas step to every area visited (J) and one toggle
   (Space) per area, and to the preview.

    .venv/bin/python bench/bench_desk.py [--runs 3] [--uploads 20] [--crowd PATH]

Targets (issue 11): faces <= 3 s and text <= 6 s after upload; RSS <= 1.2 GB after 20 uploads, back near
the start figure after the session ends. Timings on a shared 2-core machine are upper bounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FACES = ROOT.parent / "shared" / "data" / "faces-dev" / "images"
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SERVER = """
import sys, time
from pathlib import Path
from photolab.server import prepare_environment
prepare_environment()
from photolab.server.web import build, mount, start
blocks, _ = build(db=Path(sys.argv[1]))
running = start(mount(blocks, gradio_files=False), port=int(sys.argv[2]))
print("ready", flush=True)
while True:
    time.sleep(3600)
"""


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def make_12mp(source: Path, folder: Path, name: str = "phone.jpg") -> Path:
    """A 4000 x 3000 JPEG of real photo content with sensor-like grain and EXIF, like a phone picture."""
    import numpy as np
    import piexif
    from PIL import Image

    image = Image.open(source).convert("RGB").resize((4000, 3000), Image.Resampling.LANCZOS)
    grain = np.random.default_rng(0).integers(-8, 9, (3000, 4000, 3), dtype=np.int16)
    image = Image.fromarray((np.asarray(image, dtype=np.int16) + grain).clip(0, 255).astype(np.uint8))
    exif = piexif.dump({"0th": {piexif.ImageIFD.Make: b"BenchCam"}})
    path = folder / name
    image.save(path, "JPEG", quality=90, exif=exif)
    return path


def start_server(folder: Path) -> tuple[subprocess.Popen, str]:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(folder / "db.sqlite3"), str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc, f"http://127.0.0.1:{port}"


def open_page(browser, url: str):
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    page.goto(url)
    page.locator("#upload").wait_for(timeout=120_000)
    return page


def time_upload(browser, url: str, photo: Path) -> tuple[float, float, float]:
    page = open_page(browser, url)
    t0 = time.monotonic()
    page.set_input_files("#upload input[type=file]", [str(photo)])
    page.locator("#findings h3").wait_for(timeout=120_000)
    findings = time.monotonic() - t0
    page.locator("#to-areas").click()
    page.locator("#viewer .plv-box.k-face").first.wait_for(timeout=300_000)
    faces = time.monotonic() - t0
    page.locator('#viewer .plv[data-waiting=""]').wait_for(timeout=300_000)
    text = time.monotonic() - t0
    page.context.close()
    return findings, faces, text


def memory(browser, url: str, pid: int, photo: Path, uploads: int) -> tuple[float, float, float]:
    start = rss_mb(pid)
    page = open_page(browser, url)
    for n in range(1, uploads + 1):
        page.set_input_files("#upload input[type=file]", [str(photo)])
        page.wait_for_function(f"(document.querySelector('#upload-status')?.textContent || '')"
                               f".includes('{n} photo(s)')", timeout=300_000)
    time.sleep(60)  # let detection of the last photos finish
    full = rss_mb(pid)
    page.context.close()
    time.sleep(90)  # the session's state is dropped when its page is gone
    return start, full, rss_mb(pid)


def keyboard_review(browser, url: str, crowd: Path) -> tuple[int, float, float]:
    page = open_page(browser, url)
    page.set_input_files("#upload input[type=file]", [str(crowd)])
    page.locator("#findings h3").wait_for(timeout=120_000)
    page.locator("#to-areas").focus()
    page.keyboard.press("Enter")
    page.locator('#viewer .plv[data-waiting=""]').wait_for(timeout=300_000)
    count = page.locator("#viewer .plv-row").count()
    t0 = time.monotonic()
    page.locator("#viewer .plv-stage").focus()
    for _ in range(count):
        page.keyboard.press("j")
    visit = time.monotonic() - t0
    for _ in range(count):
        page.keyboard.press("j")
        page.keyboard.press(" ")
        page.wait_for_timeout(30)
    page.locator("#to-preview").focus()
    page.keyboard.press("Enter")
    page.locator("#compare .plv-after").wait_for(timeout=300_000)
    total = time.monotonic() - t0
    page.context.close()
    return count, visit, total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--uploads", type=int, default=20)
    parser.add_argument("--source", type=Path, default=FACES / "ulfd_nurses.jpg")
    parser.add_argument("--crowd", type=Path, default=FACES / "ulfd_large_group.jpg")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        folder = Path(tmp)
        photo = make_12mp(args.source, folder)
        proc, url = start_server(folder)
        cold = rss_mb(proc.pid)
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        try:
            runs = [time_upload(browser, url, photo) for _ in range(args.runs)]
            print(f"load average {os.getloadavg()[0]:.1f}; 12 MP JPEG, median of {args.runs}\n")
            print("| upload to ... | seconds |\n|---|---|")
            for name, i in (("findings on screen", 0), ("first face box on the photo", 1),
                            ("text boxes on the photo", 2)):
                print(f"| {name} | {statistics.median(r[i] for r in runs):.2f} |")
            count, visit, total = keyboard_review(browser, url, args.crowd)
            print(f"\nkeyboard review of {args.crowd.name}: {count} areas, all visited with J in "
                  f"{visit:.1f} s; visit + toggle each + open the preview: {total:.1f} s")
            start, full, after = memory(browser, url, proc.pid, photo, args.uploads)
            print("\n| server memory | MB |\n|---|---|")
            print(f"| at start (models load on first use) | {cold:.0f} |")
            print(f"| models loaded, {args.runs + 1} earlier sessions ended | {start:.0f} |")
            print(f"| after {args.uploads} uploads in one session | {full:.0f} |")
            print(f"| after that session ended | {after:.0f} |")
        finally:
            browser.close()
            proc.terminate()


if __name__ == "__main__":
    main()
