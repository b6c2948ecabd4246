"""End to end in Debian's chromium (Playwright): the whole review of two photos, as a reviewer does it.

Upload two photos, add an area by typing its position, answer the checklist, see a blocking answer stop
the export, fix it, approve, download the bundle and check it; every request the page makes goes to
127.0.0.1 only, and no original is left in any temp folder. With PHOTOLAB_SCREENSHOTS=1 the test also
writes one screenshot per step to docs/screenshots/ (used in the README).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from photolab import server

CHROMIUM = Path("/usr/bin/chromium")
# The shipped scenario images (drawn by scripts/make_samples.py, public-domain faces): the screenshots
# in the README must not show real people from the dev data.
FACES = Path(__file__).resolve().parents[1] / "samples"
SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
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

pytestmark = [pytest.mark.browser, pytest.mark.slow]
if not CHROMIUM.exists():
    pytest.skip("/usr/bin/chromium is not installed", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

TEMP_DIR = server.prepare_environment()

from photolab.review.checklist import load_checklist  # noqa: E402
from photolab.review.store import RecordStore  # noqa: E402
from photolab.ui.app import build_app  # noqa: E402

if not hasattr(__import__("photolab.detect", fromlist=["run"]), "run"):
    pytest.skip("photolab.detect.run missing", allow_module_level=True)


def _ward_photo(folder: Path, source: str, name: str) -> Path:
    import piexif
    from PIL import Image

    gps = {
        piexif.GPSIFD.GPSLatitudeRef: b"N",
        piexif.GPSIFD.GPSLatitude: ((59, 1), (54, 1), (3600, 100)),
        piexif.GPSIFD.GPSLongitudeRef: b"E",
        piexif.GPSIFD.GPSLongitude: ((10, 1), (45, 1), (0, 1)),
    }
    exif = piexif.dump({"0th": {piexif.ImageIFD.Make: b"WardCam"}, "GPS": gps})
    path = folder / name
    Image.open(FACES / source).convert("RGB").save(path, "JPEG", quality=92, exif=exif)
    return path


def _shot(page: Any, name: str) -> None:
    if os.environ.get("PHOTOLAB_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _choose(question: Any, blocking: bool) -> Any:
    if blocking:
        return next(o for o in question.options if o.effect == "blocks")
    return next((o for o in question.options if o.effect == "ok"), question.options[0])


def _answer(
    page: Any, checklist: Any, questions: list[Any], answers: dict[str, str], blocking: str | None
) -> None:
    """Click one option per applicable question, opening each section as a reviewer would."""
    for q in questions:
        if not checklist.applies(q, answers):
            continue
        radio = page.locator(f"#q-{q.id}")
        if not radio.is_visible():
            page.locator(f"#section-{q.section} button").first.click()
        radio.wait_for(state="visible")
        option = _choose(q, q.id == blocking)
        radio.get_by_text(option.label, exact=True).click()
        answers[q.id] = option.id
        if option.effect == "needs_justification":
            box = page.locator(f"#j-{q.id} textarea")
            box.wait_for(state="visible")
            box.fill("Explained in the visit report.")
            box.blur()


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Any:
    store = RecordStore(tmp_path_factory.mktemp("db") / "records.sqlite3")
    demo = build_app(store=store)
    running = server.start(server.mount(demo))
    yield running, store
    running.stop()
    demo.close()
    server.wipe_temp_dir(TEMP_DIR)  # as `photolab serve` does at exit


def test_review_two_photos_end_to_end(desk: Any, tmp_path: Path) -> None:
    running, store = desk
    photos = [
        _ward_photo(tmp_path, "s07_common_room.jpg", "ward-common-room.jpg"),
        _ward_photo(tmp_path, "s01_corridor.jpg", "ward-corridor.jpg"),
    ]
    originals = [p.read_bytes() for p in photos]
    checklist = load_checklist("en")
    blocking_q = checklist.questions[0]
    requests: list[str] = []
    profile = tempfile.mkdtemp(prefix="photolab-chromium-")
    try:
        with sync_api.sync_playwright() as p:
            ctx = p.chromium.launch_persistent_context(
                profile,
                executable_path=str(CHROMIUM),
                headless=True,
                args=LAUNCH_ARGS,
                locale="en-GB",
                viewport={"width": 1280, "height": 1000},
                accept_downloads=True,
            )
            ctx.on("request", lambda r: requests.append(r.url))
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            page.set_default_timeout(60_000)
            page.goto(running.url)
            page.locator("#upload").wait_for()
            _shot(page, "1-upload")

            # 1 -> 2: two photos; the first one's findings are shown.
            page.set_input_files("#upload input[type=file]", [str(p) for p in photos])
            findings = page.locator("#findings")
            findings.get_by_text("GPS", exact=False).first.wait_for()
            assert "All of this is removed" in findings.inner_text()
            _shot(page, "2-findings")

            # 3: the box editor, then an area added by typing its position (no dragging needed).
            page.locator("#to-regions").click()
            page.locator("#regions-editor canvas").first.wait_for()
            canvas = page.locator("#regions-editor canvas").first
            assert canvas.get_attribute("aria-label"), "the photo in the box editor has alt text"
            # Detection runs in the background: wait until its boxes are listed.
            page.wait_for_function(
                "() => /\\d+ of \\d+/.test(document.querySelector('#regions-status')?.innerText || '')"
            )
            toggles = page.locator("#region-toggles")
            before = toggles.locator("input[type=checkbox]").count()
            for field, value in (("x", "10"), ("y", "10"), ("w", "150"), ("h", "60")):
                page.locator(f"#add-{field} input").fill(value)
            page.locator("#add-region").click()
            page.wait_for_function(
                "n => document.querySelectorAll('#region-toggles input[type=checkbox]').length > n",
                arg=before,
            )
            assert "added" in toggles.inner_text()
            # ... and one by clicking two opposite corners (single clicks, no drag: WCAG 2.5.7).
            count = toggles.locator("input[type=checkbox]").count()
            corners = page.locator("#corner-pick img")
            corners.scroll_into_view_if_needed()
            corners.click(position={"x": 30, "y": 40})
            page.locator("#corner-status").get_by_text("First corner", exact=False).wait_for()
            corners.click(position={"x": 90, "y": 100})
            page.locator("#corner-status").get_by_text("Area added", exact=False).wait_for()
            page.wait_for_function(
                "n => document.querySelectorAll('#region-toggles input[type=checkbox]').length > n", arg=count
            )
            _shot(page, "3-regions")

            # A photo the detectors are unsure about cannot pass until it was checked at full size.
            tick = page.locator("#checked-full-size")
            if tick.is_visible():
                page.locator("#to-preview").click()
                page.get_by_text("needs a check by eye", exact=False).first.wait_for()
                assert not page.locator("#after img").is_visible()
                tick.locator("input[type=checkbox]").check()

            # 4: the preview is the exported image, with alt text.
            page.locator("#to-preview").click()
            after = page.locator("#after img")
            after.wait_for()
            assert after.get_attribute("alt"), "output images carry alt text"
            _shot(page, "4-preview")

            # 5: a blocking answer stops the export, with its reason shown.
            page.locator("#to-checklist").click()
            page.locator(f"#q-{blocking_q.id}").wait_for()
            answers: dict[str, str] = {}
            _answer(page, checklist, list(checklist.questions), answers, blocking=blocking_q.id)
            reason = next(o.reason for o in blocking_q.options if o.effect == "blocks")
            page.locator("#checklist-status").get_by_text(reason, exact=False).wait_for()
            _shot(page, "5-checklist-blocked")
            page.locator("#to-export").click()
            page.locator("#reviewer textarea, #reviewer input").first.fill("R. Viewer")
            page.locator("#caption textarea").fill("A corridor of the ward; faces and names hidden.")
            page.locator("#alt-text textarea").fill("An empty hospital corridor with doors on both sides.")
            page.locator("#approve").click()
            page.get_by_text(reason, exact=False).last.wait_for()
            assert not page.locator("#download").is_visible()
            assert store.count() == 0
            _shot(page, "6-export-blocked")

            # Back to the checklist, fix the answer, approve, download.
            page.locator("#back-to-checklist").click()
            page.locator("#to-export").wait_for(state="visible")
            _answer(page, checklist, [blocking_q], answers, blocking=None)
            page.locator("#checklist-status").get_by_text("Every answer allows approval").wait_for()
            page.locator("#to-export").click()
            page.locator("#approve").click()
            page.locator("#download").wait_for(state="visible")
            _shot(page, "6-export-approved")
            with page.expect_download() as info:
                page.locator("#download").click()
            bundle = tmp_path / "bundle.zip"
            info.value.save_as(bundle)

            page.get_by_role("tab", name="History").click()
            page.wait_for_function(
                "() => document.querySelector('#history-table').innerText.includes('R. Viewer')"
            )
            _shot(page, "7-history")
            ctx.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)

    with zipfile.ZipFile(bundle) as zf:
        names = set(zf.namelist())
        assert {"caption.txt", "record.json", "record.md"} <= names
        image_name = next(n for n in names if n.startswith("photo-"))
        image = zf.read(image_name)
        assert b"WardCam" not in image and b"GPS" not in image
        assert "R. Viewer" in zf.read("record.json").decode()
    assert store.count() == 1

    outside = [
        u for u in requests if urlsplit(u).hostname not in ("127.0.0.1", None) and not u.startswith("data:")
    ]
    assert outside == [], outside
    for folder in {TEMP_DIR, Path(tempfile.gettempdir()) / "gradio"}:
        for path in (f for f in folder.rglob("*") if f.is_file()) if folder.exists() else []:
            data = path.read_bytes()
            assert data not in originals and b"WardCam" not in data, path


def test_browser_locale_and_manual_language_switch(desk: Any) -> None:
    """A French browser gets the French desk; the language menu switches to Spanish without a reload."""
    running, _store = desk
    profile = tempfile.mkdtemp(prefix="photolab-chromium-")
    requests: list[str] = []
    try:
        with sync_api.sync_playwright() as p:
            ctx = p.chromium.launch_persistent_context(
                profile,
                executable_path=str(CHROMIUM),
                headless=True,
                args=[*LAUNCH_ARGS, "--lang=fr-FR"],
                locale="fr-FR",
                viewport={"width": 1280, "height": 1000},
            )
            ctx.on("request", lambda r: requests.append(r.url))
            page = ctx.pages[0] if ctx.pages else ctx.new_page()
            page.set_default_timeout(60_000)
            page.goto(running.url)
            page.get_by_text("Choisissez une ou plusieurs photos", exact=False).first.wait_for()
            page.get_by_text("Rien de ce que vous ouvrez ici", exact=False).first.wait_for()
            _shot(page, "8-francais")
            page.locator("#language input").click()
            page.get_by_role("option", name="Español").click()
            page.get_by_text("Elija una o varias fotos", exact=False).first.wait_for()
            page.get_by_text("Nada de lo que abra aquí", exact=False).first.wait_for()
            ctx.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert all(urlsplit(u).hostname == "127.0.0.1" for u in requests if not u.startswith("data:"))
