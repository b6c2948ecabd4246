"""The review desk in Debian's chromium, as reviewers use it (issues 8, 9 and 10).

- a whole review: upload a photo with GPS, correct the areas by keyboard and by two clicks, preview,
  a blocking answer that stops approval (in plain words, once), approve, download the bundle, check it;
- a photo the server has seen before keeps every detector label (the blocking defect of issue 10);
- two browsers are private to each other: separate state, downloads refused across, one closing leaves
  the other intact; nothing of an upload stays in the temp folder;
- 0 axe-core violations on every step, focus on the new step's heading after every step change;
- Arabic: right to left, and the boxes still sit on the same pixels.
Every page fails its test if it requests anything outside 127.0.0.1 (see conftest).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

import pytest
from a11y import axe_violations, describe
from PIL import Image
from support import SAMPLES

from photolab.metadata import residual_check
from photolab.review.checklist import load_checklist

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
GPS_MARK = "WardCam-7781"


def gps_photo(folder: Path, source: str = "s07_common_room.jpg", name: str = "ward.jpg") -> Path:
    import piexif

    gps = {
        piexif.GPSIFD.GPSLatitudeRef: b"N",
        piexif.GPSIFD.GPSLatitude: ((59, 1), (54, 1), (3600, 100)),
        piexif.GPSIFD.GPSLongitudeRef: b"E",
        piexif.GPSIFD.GPSLongitude: ((10, 1), (45, 1), (0, 1)),
    }
    exif = piexif.dump({"0th": {piexif.ImageIFD.Make: GPS_MARK.encode()}, "GPS": gps})
    path = folder / name
    Image.open(SAMPLES / source).convert("RGB").save(path, "JPEG", quality=92, exif=exif)
    return path


def shot(page: Any, name: str) -> None:
    if os.environ.get("PHOTOLAB_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=False)


def upload(page: Any, *paths: Path) -> None:
    page.set_input_files("#upload input[type=file]", [str(p) for p in paths])
    page.locator("#findings table, #findings p").first.wait_for(timeout=180_000)


def to_areas(page: Any) -> None:
    """Open the areas step and wait until no detector is still looking at the photo."""
    page.locator("#to-areas").click()
    page.locator('#viewer .plv[data-waiting=""]').wait_for(timeout=240_000)


def areas(page: Any) -> list[dict[str, str]]:
    """The list of areas as the page shows it: id, its row text, hidden or not."""
    return page.eval_on_selector_all(
        "#viewer .plv-row",
        """rows => rows.map(r => ({
        id: r.dataset.id, text: r.innerText, on: r.classList.contains('on')}))""",
    )


def answer_all(page: Any, blocking: str | None = None) -> dict[str, str]:
    checklist = load_checklist("en")
    answers: dict[str, str] = {}
    for q in checklist.questions:
        if not checklist.applies(q, answers):
            continue
        radio = page.locator(f"#q-{q.id}")
        if not radio.is_visible():
            page.locator(f"#section-{q.section} button").first.click()
        radio.wait_for(state="visible")
        effect = "blocks" if q.id == blocking else "ok"
        option = next((o for o in q.options if o.effect == effect), q.options[0])
        radio.get_by_text(option.label, exact=True).click()
        answers[q.id] = option.id
        if option.effect == "needs_justification":
            box = page.locator(f"#j-{q.id} textarea")
            box.wait_for(state="visible")
            box.fill("Explained in the visit report.")
            box.blur()
    return answers


def focused_heading(page: Any) -> str:
    page.wait_for_function(
        "document.activeElement && document.activeElement.classList.contains('pl-step-heading')",
        timeout=10_000,
    )
    return page.evaluate("document.activeElement.innerText")


def test_a_whole_review_from_upload_to_bundle(pages: Any, desk: Any, tmp_path: Path) -> None:
    photo = gps_photo(tmp_path)
    page = pages.open()
    shot(page, "1-upload")
    upload(page, photo)
    assert "GPS position" in page.inner_text("#findings") and GPS_MARK in page.inner_text("#findings")
    assert not [
        p for p in desk.temp_dir.rglob("*") if p.is_file() and p.name == photo.name
    ]  # deleted at once
    shot(page, "2-findings")
    to_areas(page)
    assert focused_heading(page) == "Areas to hide"
    before = areas(page)
    assert any("face" in a["text"] for a in before) and any("text «" in a["text"] for a in before)
    # keyboard: focus the photo, next area, Space shows it (not hidden)
    page.locator("#viewer .plv-stage").focus()
    page.keyboard.press("j")
    first = page.evaluate("document.activeElement.dataset.id")
    page.keyboard.press(" ")
    page.wait_for_function(
        f"!document.querySelector('#viewer .plv-row[data-id=\"{first}\"]').classList.contains('on')"
    )
    assert page.evaluate("document.activeElement.dataset.id") == first  # focus stays on the area
    page.keyboard.press(" ")
    page.wait_for_function(
        f"document.querySelector('#viewer .plv-row[data-id=\"{first}\"]').classList.contains('on')"
    )
    # add an area with two clicks, no drag
    page.locator('#viewer [data-action="add"]').click()
    page.locator("#viewer .plv-stage").scroll_into_view_if_needed()
    stage = page.locator("#viewer .plv-stage").bounding_box()
    cx, cy = stage["x"] + stage["width"] / 2, stage["y"] + stage["height"] / 2
    page.mouse.click(cx - 60, cy - 40)
    page.mouse.click(cx + 10, cy + 20)
    page.wait_for_function("document.querySelectorAll('#viewer .plv-row[data-id^=\"added-\"]').length == 1")
    shot(page, "3-areas")
    after = areas(page)
    assert [a for a in after if a["id"] != "added-1"] == before  # nothing else changed
    page.locator("#to-preview").click()
    page.locator("#compare .plv-after").wait_for(timeout=60_000)
    assert focused_heading(page) == "Preview"
    shot(page, "4-preview")
    page.locator("#to-ethics").click()
    assert focused_heading(page) == "Ethics review"
    first_q = load_checklist("en").questions[0]
    answer_all(page, blocking=first_q.id)
    reason = next(o.reason for o in first_q.options if o.effect == "blocks")
    page.locator("#checklist-status").get_by_text(reason, exact=False).wait_for()
    shot(page, "5-checklist-blocked")
    page.locator("#to-export").click()
    for field, value in (
        ("#reviewer", "A. Reviewer"),
        ("#caption", "A common room, faces hidden."),
        ("#alt-text", "A common room with a television and a notice board."),
    ):
        page.locator(f"{field} textarea, {field} input").first.fill(value)
    page.locator("#approve").click()
    toast = page.locator(".toast-body, [data-testid='toast-body']").first
    toast.wait_for(timeout=30_000)
    message = toast.inner_text()
    assert reason in message and "**" not in message  # plain words, no raw Markdown
    assert page.locator(".toast-body, [data-testid='toast-body']").count() == 1  # said once
    shot(page, "6-export-blocked")
    page.locator("#back-to-ethics").click()
    option = next(o for o in first_q.options if o.effect != "blocks")
    page.locator(f"#q-{first_q.id}").get_by_text(option.label, exact=True).click()
    if option.effect == "needs_justification":
        page.locator(f"#j-{first_q.id} textarea").fill("Finding 4 of the 2026 report.")
        page.locator(f"#j-{first_q.id} textarea").blur()
    page.locator("#checklist-status").get_by_text("Every answer allows approval").wait_for()
    page.locator("#to-export").click()
    page.locator("#approve").click()
    link = page.locator("#download a")
    link.wait_for(timeout=60_000)
    shot(page, "6-export-approved")
    with page.expect_download() as download:
        link.click()
    bundle = zipfile.ZipFile(download.value.path())
    names = bundle.namelist()
    image_name = next(n for n in names if n.startswith("photo-"))
    assert sorted(names) == sorted([image_name, "caption.txt", "record.json", "record.md"])
    original = hashlib.sha256(photo.read_bytes()).hexdigest()
    assert original[:10] not in image_name  # the published name says nothing about the original
    image = bundle.read(image_name)
    assert residual_check(image) == [] and GPS_MARK.encode() not in image
    record = json.loads(bundle.read("record.json"))
    assert record["decision"] == "approved" and record["original_sha256"] == original
    assert "added-1" in {r["id"] for r in record["regions"]}
    assert "59.9" not in json.dumps(record)  # the removed GPS value is never recorded
    # the bundle is this browser's only: another browser gets nothing
    href = link.get_attribute("href")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(desk.url + href)
    assert refused.value.code == 404


def test_a_photo_seen_before_keeps_every_detector_label(pages: Any, tmp_path: Path) -> None:
    photo = tmp_path / "notice.jpg"
    photo.write_bytes((SAMPLES / "s03_notice_board.jpg").read_bytes())
    seen = []
    for _ in range(3):  # new tab each time, as in the report
        page = pages.open()
        upload(page, photo)
        to_areas(page)
        rows = areas(page)
        assert rows and not [r for r in rows if "added" in r["text"]]
        assert all(r["on"] for r in rows if "-candidate-" not in r["id"])
        seen.append([(r["id"], r["text"].split(" — ")[0]) for r in rows])
        states = page.eval_on_selector_all(
            "#viewer .plv-row[data-id^='text-'] .plv-state", "s => s.map(e => e.innerText)"
        )
        assert states and all("Solid fill" in s for s in states)  # text is filled solid, never blurred
    assert seen[0] == seen[1] == seen[2]


def test_two_browsers_are_private_to_each_other(pages: Any, desk: Any, tmp_path: Path) -> None:
    a, b = pages.open(), pages.open()
    upload(a, gps_photo(tmp_path, "s07_common_room.jpg", "a.jpg"))
    upload(b, gps_photo(tmp_path, "s01_corridor.jpg", "b.jpg"))
    shown_a, shown_b = (p.locator("#photo-select input").input_value() for p in (a, b))
    assert "a.jpg" in shown_a and "b.jpg" in shown_b
    for page, other in ((a, "b.jpg"), (b, "a.jpg")):
        page.locator("#photo-select input").click()
        page.locator("[role=option]").first.wait_for()
        options = page.locator("[role=option]").all_inner_texts()
        page.keyboard.press("Escape")
        assert options and not [o for o in options if other in o]
    to_areas(a)
    images = a.eval_on_selector_all("#viewer img", "imgs => imgs.map(i => i.src)")
    assert images and all(src.startswith("data:image/jpeg;base64,") for src in images)  # no file to fetch
    for route in ("/gradio_api/file=" + str(desk.temp_dir), "/gradio_api/file/" + str(desk.temp_dir)):
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(desk.url + route)
        assert refused.value.code == 404
    from photolab.ui.desk import session

    desk_a, desk_b = (next(d for d in list(session._open.values()) if any(it.name == n for it in d.items))
                      for n in ("a.jpg", "b.jpg"))
    a.context.close()  # A closes its tab: its photos are dropped at once (not an hour later), B goes on
    deadline = time.monotonic() + 30
    while not desk_a.closed and time.monotonic() < deadline:
        time.sleep(0.2)
    assert desk_a.closed and desk_a.items == []
    assert not desk_b.closed and [it.name for it in desk_b.items] == ["b.jpg"]
    to_areas(b)
    b.locator("#to-preview").click()
    b.locator("#compare .plv-after").wait_for(timeout=60_000)
    leftovers = [p for p in desk.temp_dir.rglob("*") if p.is_file() and p.name in ("a.jpg", "b.jpg")]
    assert leftovers == []


def test_every_step_passes_axe_and_focus_follows_the_step(pages: Any, tmp_path: Path) -> None:
    page = pages.open()
    found = {"upload": axe_violations(page)}
    upload(page, gps_photo(tmp_path))
    found["findings"] = axe_violations(page)
    to_areas(page)
    found["areas"] = axe_violations(page)
    page.locator("#to-preview").click()
    page.locator("#compare .plv-after").wait_for(timeout=60_000)
    found["preview"] = axe_violations(page)
    page.locator("#to-ethics").click()
    assert focused_heading(page) == "Ethics review"
    page.locator("#checklist-status li").first.wait_for()  # says what is missing before any answer
    found["ethics"] = axe_violations(page)
    page.locator("#to-export").click()
    assert focused_heading(page) == "Approve and export"
    found["export"] = axe_violations(page)
    page.locator("#tab-history-button, button[role=tab]:has-text('History')").first.click()
    found["history"] = axe_violations(page)
    assert {step: describe(v) for step, v in found.items() if v} == {}


def test_arabic_is_right_to_left_and_boxes_stay_on_their_pixels(pages: Any, tmp_path: Path) -> None:
    photo = gps_photo(tmp_path)
    positions = {}
    for locale in ("en-GB", "ar"):
        page = pages.open(locale=locale)
        upload(page, photo)
        to_areas(page)
        positions[locale] = page.eval_on_selector_all(
            "#viewer .plv-box rect", "rs => rs.map(r => [r.getAttribute('x'), r.getAttribute('y')])"
        )
        if locale == "ar":
            assert page.evaluate("document.documentElement.dir") == "rtl"
            assert "إخفاء" in page.inner_text("#viewer") or "الوجوه" in page.inner_text("#viewer")
            assert (
                page.evaluate("getComputedStyle(document.querySelector('#viewer .plv-stage')).direction")
                == "ltr"
            )
            found = axe_violations(page)
            assert not found, describe(found)
    assert positions["ar"] == positions["en-GB"] and positions["en-GB"]


def test_a_dark_photo_is_shown_brightened_and_must_be_checked(pages: Any, tmp_path: Path) -> None:
    dark = tmp_path / "dark.jpg"
    image = Image.open(SAMPLES / "s07_common_room.jpg").convert("RGB").point(lambda v: v // 9)
    image.save(dark, quality=92)
    page = pages.open()
    upload(page, dark)
    to_areas(page)
    assert page.locator("#viewer .plv-bright").count() == 1
    assert page.locator('#viewer [data-action="bright"][aria-pressed="true"]').count() == 1
    assert page.locator("#warning").inner_text().count("dark") == 1  # said once
    page.locator("#to-preview").click()
    toast = page.locator(".toast-body, [data-testid='toast-body']").first
    toast.wait_for(timeout=30_000)
    assert "full size" in toast.inner_text()
    page.locator("#checked-full-size input").check()
    page.locator("#to-preview").click()
    page.locator("#compare .plv-after").wait_for(timeout=60_000)


def test_an_upload_with_no_photo_in_it_is_named_once_and_not_painted_as_an_error(pages: Any,
                                                                                tmp_path: Path) -> None:
    bad = tmp_path / "notes.jpg"
    bad.write_text("a shopping list, not a photo")
    page = pages.open()
    page.set_input_files("#upload input[type=file]", [str(bad)])
    toast = page.locator(".toast-body, [data-testid='toast-body']").first
    toast.wait_for(timeout=60_000)
    assert "No photo could be read" in toast.inner_text() and "notes.jpg" in toast.inner_text()
    page.locator("#upload-status li").first.wait_for()
    assert "notes.jpg" in page.inner_text("#upload-status")
    assert page.locator(".toast-body, [data-testid='toast-body']").count() == 1
    assert "Error" not in page.inner_text("#upload")  # Gradio's status label over the box
    page.set_input_files("#upload input[type=file]", [str(gps_photo(tmp_path))])  # the desk goes on
    page.locator("#findings table, #findings p").first.wait_for(timeout=180_000)


def test_many_formats_in_one_upload_and_a_bad_file_named(pages: Any, tmp_path: Path) -> None:
    import pillow_heif

    source = Image.open(SAMPLES / "s05_window.jpg").convert("RGB")
    files = []
    for fmt, ext in (("PNG", "png"), ("TIFF", "tif"), ("WEBP", "webp")):
        files.append(tmp_path / f"w.{ext}")
        source.save(files[-1], fmt)
    pillow_heif.from_pillow(source).save(tmp_path / "w.heic")
    files.append(tmp_path / "w.heic")
    (tmp_path / "notes.jpg").write_text("a shopping list, not a photo")
    files.append(tmp_path / "notes.jpg")
    page = pages.open()
    upload(page, *files)
    page.locator("#upload-status li").first.wait_for()
    status = page.inner_text("#upload-status")
    assert "4 photo(s)" in status and "notes.jpg" in status and "Traceback" not in status
    page.locator("#photo-select input").click()
    page.locator("[role=option]").first.wait_for()  # the list opens after the click: read it once it is there
    options = page.locator("[role=option]").all_inner_texts()
    assert [o.split(" · ")[1] for o in options] == ["w.png", "w.tif", "w.webp", "w.heic"]


@pytest.fixture(scope="module")
def preloaded_url(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """``photolab serve samples/``: every new page opens the shipped samples before it is ready."""
    from photolab import server

    db = tmp_path_factory.mktemp("db") / "records.sqlite3"
    blocks, _ = server.build(db=db, preload=sorted(SAMPLES.glob("*.jpg")))
    running = server.start(server.mount(blocks, gradio_files=False))
    yield running.url
    running.stop()
    blocks.close()


def test_a_photo_dropped_while_the_start_up_photos_open_joins_them(pages: Any, preloaded_url: str,
                                                                    tmp_path: Path) -> None:
    dropped = gps_photo(tmp_path, name="dropped.jpg")
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(b"\xff\xd8\xff\xe0" + b"not a photo" * 50)
    context = pages.browser.new_context(viewport={"width": 1400, "height": 1000})
    pages.contexts.append(context)
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(preloaded_url)
    page.set_input_files("#upload input[type=file]", [str(dropped), str(broken)])  # before the session loaded
    page.locator("#findings table, #findings p").first.wait_for(timeout=180_000)
    page.wait_for_function(
        "() => (document.querySelector('#upload-status')?.innerText || '').includes('12 photo')",
        timeout=120_000,
    )
    assert "internal error" not in page.inner_text("body").lower()
    time.sleep(1)  # whichever of the page's load and the upload answers last, the refused file stays named
    assert "broken.jpg" in page.inner_text("#upload-status")
    page.locator("#photo-select input").click()
    page.locator("[role=option]").first.wait_for()
    options = [o.split(" · ")[1] for o in page.locator("[role=option]").all_inner_texts()]
    assert sorted(options) == sorted([p.name for p in SAMPLES.glob("*.jpg")] + ["dropped.jpg"])
