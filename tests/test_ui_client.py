"""Review desk, step by step, through gradio_client against the real server (in-process, free port).

Each test is one browser session (one Client). The server is the one ``photolab serve`` runs: the same
FastAPI app with the no-store middleware, the private temp folder and every privacy flag.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from photolab import server

SHARED = Path(__file__).resolve().parents[2] / "shared"
FACES = SHARED / "data" / "faces-dev" / "images"

pytest.importorskip("gradio_client")
if not FACES.is_dir():
    pytest.skip("../shared/data/faces-dev is not available", allow_module_level=True)

TEMP_DIR = server.prepare_environment()  # before gradio is imported by the app

from gradio_client import Client, handle_file  # noqa: E402

from photolab.review.checklist import load_checklist  # noqa: E402
from photolab.review.store import RecordStore  # noqa: E402
from photolab.ui import i18n  # noqa: E402
from photolab.ui.app import build_app  # noqa: E402

pytestmark = pytest.mark.skipif(
    not hasattr(__import__("photolab.detect", fromlist=["run"]), "run"), reason="photolab.detect.run missing"
)

CHECKLIST = load_checklist("en")
QUESTIONS = CHECKLIST.questions


# --- fixtures ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Any:
    db = tmp_path_factory.mktemp("db") / "records.sqlite3"
    store = RecordStore(db)
    demo = build_app(store=store)
    running = server.start(server.mount(demo))
    yield running, store
    running.stop()
    demo.close()
    server.wipe_temp_dir(TEMP_DIR)  # as `photolab serve` does at exit


@pytest.fixture
def client(desk: Any, tmp_path_factory: pytest.TempPathFactory) -> Client:
    running, _store = desk
    return Client(running.url, verbose=False, download_files=str(tmp_path_factory.mktemp("downloads")))


def gps_photo(folder: Path, source: str = "deface_city_street.jpg", *, darken: float = 1.0) -> Path:
    """A real photo with a GPS position, a camera make and an orientation tag added."""
    import piexif

    image = Image.open(FACES / source).convert("RGB")
    if darken != 1.0:
        image = image.point(lambda v: int(v * darken))
    gps = {
        piexif.GPSIFD.GPSLatitudeRef: b"N",
        piexif.GPSIFD.GPSLatitude: ((59, 1), (54, 1), (3600, 100)),
        piexif.GPSIFD.GPSLongitudeRef: b"E",
        piexif.GPSIFD.GPSLongitude: ((10, 1), (45, 1), (0, 1)),
    }
    exif = piexif.dump(
        {"0th": {piexif.ImageIFD.Make: b"WardCam", piexif.ImageIFD.Orientation: 6}, "GPS": gps}
    )
    path = folder / f"ward-{source}"
    image.save(path, "JPEG", quality=92, exif=exif)
    return path


def answers_for(*, blocking: str | None = None) -> list[Any]:
    """Radio values then justification texts, in question order: every answer acceptable, except one
    blocking answer for question ``blocking`` when given."""
    radios: list[Any] = []
    texts: list[Any] = []
    for q in QUESTIONS:
        if q.id == blocking:
            option = next(o for o in q.options if o.effect == "blocks")
        else:
            option = next((o for o in q.options if o.effect == "ok"), q.options[0])
        radios.append(option.id)
        texts.append("Explained in the visit report." if option.effect == "needs_justification" else "")
    return [*radios, *texts]


def files_under(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def upload(client: Client, *paths: Path) -> dict[str, Any]:
    """/ingest answers twice: at once (findings, photo), then when detection is done (boxes, warnings).
    Returns the screen after both, with the first answer kept under "first"."""
    job = client.submit([handle_file(str(p)) for p in paths], api_name="/ingest")
    job.result()
    answers = [dict(zip(OUTPUT_NAMES, out, strict=False)) for out in job.outputs()]
    assert len(answers) == 2, "the photo is shown before detection finishes"
    first, last = answers
    screen = {k: (first[k] if last.get(k) == {"__type__": "update"} else last[k]) for k in first}
    assert first["regions_md"] == i18n.text("regions.detecting", "en")
    return {**screen, "first": first}


# /ingest outputs, in order (see all_outputs in app.py); the client sees neither the state nor the wizard.
OUTPUT_NAMES = [
    "upload",
    "upload_md",
    "photo_select",
    "findings",
    "editor",
    "toggles",
    "pick",
    "regions_md",
    "warning",
    "full_size",
    "checked",
    "before",
    "after",
    "preview_md",
    "export_md",
    "download",
]


# --- step 1 and 2: upload, findings, nothing left behind -----------------------------------------


def test_upload_reads_once_deletes_and_lists_findings(client: Client, tmp_path: Path) -> None:
    original = gps_photo(tmp_path)
    original_bytes = original.read_bytes()
    out = upload(client, original)
    findings = out["findings"]
    assert "GPS" in findings or "gps" in findings.lower()
    assert i18n.text("findings.all_removed", "en") in findings
    assert out["upload"] is None
    # No copy of the original (or anything with its EXIF) is left in the private temp folder.
    for path in files_under(TEMP_DIR):
        data = path.read_bytes()
        assert data != original_bytes, path
        assert b"WardCam" not in data, path
    assert original.exists(), "the user's own file is never touched"


def test_unreadable_upload_is_reported_not_kept(client: Client, tmp_path: Path) -> None:
    bogus = tmp_path / "notes.jpg"
    bogus.write_bytes(b"this is not an image at all" * 10)
    with pytest.raises(Exception, match=r"notes\.jpg"):
        client.predict([handle_file(str(bogus))], api_name="/ingest")
    assert not any(p.name == "notes.jpg" for p in files_under(TEMP_DIR))


# --- step 3: regions -----------------------------------------------------------------------------


def test_regions_add_toggle_and_style(client: Client, tmp_path: Path) -> None:
    editor = upload(client, gps_photo(tmp_path))["editor"]  # the editor is filled with step 2
    client.predict(api_name="/to_regions")
    before_count = len(editor["boxes"])
    editor, _toggles, _pick, status = client.predict(10, 20, 120, 80, "text", "blur", api_name="/add_region")
    assert len(editor["boxes"]) == before_count + 1
    new_label = editor["boxes"][-1]["label"]
    assert new_label.startswith(str(before_count + 1)) and "text" in new_label
    # Turning every area off is possible and shown in the summary.
    _editor, toggles, _pick, status = client.predict([], api_name="/toggle_regions")
    assert toggles == [] or toggles.get("value") == []
    assert "0 of" in status
    # A box outside the photo is refused with the reason, not silently clipped to nothing.
    with pytest.raises(Exception, match="outside the photo"):
        client.predict(5000, 5000, 10, 10, "face", "blur", api_name="/add_region")


def test_drawn_boxes_are_synced_back_in_full_size_pixels(client: Client, tmp_path: Path) -> None:
    first = upload(client, gps_photo(tmp_path))
    editor = first["editor"]
    hidden_before = int(first["regions_md"].split()[0])
    client.predict(api_name="/to_regions")
    # What the browser sends back: the boxes as shown plus one drawn with "Create box".
    shown = editor["boxes"]
    assert all(str(b["color"]).startswith("rgb(") for b in shown), "colours survive the round trip"
    boxes = [
        *shown,
        {"label": "+", "xmin": 100, "ymin": 100, "xmax": 200, "ymax": 150, "color": "rgb(0, 130, 80)"},
    ]
    image = editor["image"]["path"] if isinstance(editor["image"], dict) else editor["image"]
    value = {"image": handle_file(image), "boxes": boxes}
    out = client.predict(value, api_name="/sync_boxes")
    status = out[3]
    assert f"{hidden_before + 1} of {len(boxes)}" in status, "the drawn box is added, switched on"
    # Deleting a box in the editor removes that area from the list (and from the export).
    out = client.predict({"image": handle_file(image), "boxes": out[0]["boxes"][1:]}, api_name="/sync_boxes")
    assert f"of {len(boxes) - 1} " in out[3]


# --- step 4: preview = export ---------------------------------------------------------------------


def test_preview_shows_exactly_the_export_and_hides_the_manual_box(client: Client, tmp_path: Path) -> None:
    upload(client, gps_photo(tmp_path))
    client.predict(api_name="/to_regions")
    client.predict(0, 0, 200, 200, "other", "solid", api_name="/add_region")
    before_path, after_path, summary = client.predict(False, api_name="/to_preview")[:3]
    after = Image.open(after_path)
    assert not after.getexif(), "the preview carries no EXIF"
    assert b"WardCam" not in Path(after_path).read_bytes()
    before = Image.open(before_path).convert("RGB")
    box = (20, 20, 180, 180)
    # The photo is shown upright (orientation 6 applied): 564 x 800.
    assert after.size == (564, 800) == before.size
    patch = after.convert("L").crop(box)
    lo, hi = patch.getextrema()
    assert hi - lo <= 12, "a solid region is flat"
    assert before.crop(box).convert("L").getextrema() != patch.getextrema()
    assert "564 × 800" in summary


def test_dark_photo_cannot_pass_without_full_size_check(client: Client, tmp_path: Path) -> None:
    out = upload(client, gps_photo(tmp_path, darken=0.04))
    warning = out["warning"]
    assert warning.get("visible") is True, "a nearly black photo must be flagged for a check by eye"
    client.predict(api_name="/to_regions")
    with pytest.raises(Exception, match="full size"):
        client.predict(False, api_name="/to_preview")
    _before_path, after_path = client.predict(True, api_name="/to_preview")[:2]
    assert Path(after_path).exists()


# --- steps 5 and 6: checklist gate, approve, refuse ----------------------------------------------


def _through_preview(client: Client, tmp_path: Path) -> str:
    """Steps 1-4 for one photo; returns the fingerprint the desk names its files with."""
    photo = gps_photo(tmp_path)
    upload(client, photo)
    client.predict(api_name="/to_regions")
    client.predict(0, 0, 100, 100, "text", "solid", api_name="/add_region")
    client.predict(False, api_name="/to_preview")
    client.predict(api_name="/to_checklist")
    return hashlib.sha256(photo.read_bytes()).hexdigest()[:10]


def test_blocking_answer_stops_export_then_approval_exports_zip(
    client: Client, desk: Any, tmp_path: Path
) -> None:
    _running, store = desk
    mark = _through_preview(client, tmp_path)
    blocking_q = next(
        q for q in QUESTIONS if q.applies_when is None and any(o.effect == "blocks" for o in q.options)
    )
    blocked = answers_for(blocking=blocking_q.id)
    status = client.predict(*blocked, api_name="/checklist_status")[-1]
    reason = next(o.reason for o in blocking_q.options if o.effect == "blocks")
    assert reason in status
    count = store.count()
    with pytest.raises(Exception, match="Not approved"):
        client.predict(
            "R. Viewer", "A dormitory, faces hidden.", "Beds in a dormitory.", *blocked, api_name="/approve"
        )
    assert store.count() == count, "a blocked approval writes no record"
    # Missing caption is refused as well, even with acceptable answers.
    good = answers_for()
    with pytest.raises(Exception, match="caption"):
        client.predict("R. Viewer", "  ", "Beds in a dormitory.", *good, api_name="/approve")
    # Outputs the client sees: status, download button, photo list, history (buttons are not returned).
    _status_md, download, _photos, history = client.predict(
        "R. Viewer", "A dormitory, faces hidden.", "Beds in a dormitory.", *good, api_name="/approve"
    )
    assert store.count() == count + 1
    zip_path = download["value"] if isinstance(download, dict) else download
    with zipfile.ZipFile(zip_path) as zf:
        names = zf.namelist()
        assert {"caption.txt", "record.json", "record.md"} <= set(names)
        image_name = next(n for n in names if n.startswith("photo-"))
        image = zf.read(image_name)
        record = zf.read("record.json").decode()
    assert not Image.open(io.BytesIO(image)).getexif()
    assert b"WardCam" not in image and "WardCam" not in record
    assert hashlib.sha256(image).hexdigest() in record
    assert '"decision": "approved"' in record
    rows = history["data"] if isinstance(history, dict) else history
    assert rows[0][1] == "R. Viewer" and rows[0][2] == "approved"
    # After the export, nothing of this photo is left on disk but the bundle being downloaded...
    leftovers = [p.name for p in files_under(TEMP_DIR) if mark in p.name]
    assert leftovers and all(name.endswith(".zip") for name in leftovers), leftovers
    # ...and that goes too once the reviewer moves on.
    client.predict([handle_file(str(gps_photo(tmp_path, "ulfd_nurses.jpg")))], api_name="/ingest")
    assert [p for p in files_under(TEMP_DIR) if mark in p.name] == []


def test_refusal_is_recorded_with_its_reason(client: Client, desk: Any, tmp_path: Path) -> None:
    _running, store = desk
    _through_preview(client, tmp_path)
    with pytest.raises(Exception, match="why"):
        client.predict("R. Viewer", "", *answers_for(), api_name="/refuse")
    status, _photos, _history = client.predict(
        "R. Viewer", "Consent was not obtained.", *answers_for(), api_name="/refuse"
    )
    record_id = status.split("record ")[1].split(")")[0]
    record = store.get(record_id)
    assert record is not None and record.decision == "refused"
    assert "Consent was not obtained." in record.reasons


# --- languages -----------------------------------------------------------------------------------


def test_language_switch_translates_labels_and_checklist(client: Client) -> None:
    out = client.predict("fr", api_name="/set_language")
    flat = repr(out)
    assert i18n.text("export.reviewer", "fr") in flat  # buttons are not returned to the client
    assert load_checklist("fr").questions[0].text in flat
    for code in ("fr", "es"):
        assert i18n.missing_keys(code) == [], code


def test_accept_language_is_honoured() -> None:
    assert i18n.pick_language("es-AR,es;q=0.9,en;q=0.5") == "es"
    assert i18n.pick_language("de-DE,fr;q=0.4") == "fr"
    assert i18n.pick_language("de-DE") == "en"


def test_many_formats_in_one_upload(client: Client, tmp_path: Path) -> None:
    """PNG, TIFF, WebP and HEIC in one go: each becomes a photo under review, none is kept as uploaded."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    image = Image.open(FACES / "ulfd_nurses.jpg").convert("RGB")
    paths = []
    for fmt, ext in (("PNG", "png"), ("TIFF", "tif"), ("WEBP", "webp"), ("HEIF", "heic")):
        path = tmp_path / f"ward.{ext}"
        image.save(path, fmt)
        paths.append(path)
    originals = [p.read_bytes() for p in paths]
    out = upload(client, *paths)
    choices = out["photo_select"]["choices"]
    assert [c[0].split(" · ")[1] for c in choices] == [p.name for p in paths]
    for path in files_under(TEMP_DIR):
        assert path.read_bytes() not in originals, path


def test_closing_a_session_deletes_its_files_only(tmp_path: Path) -> None:
    from photolab.ui.app import Desk, annotator_value, end_session, make_item

    item, _image = make_item(gps_photo(tmp_path).read_bytes(), "ward.jpg")
    desk = Desk(items=[item])
    preview = Path(annotator_value(desk, item)["image"])
    someone_else = TEMP_DIR / "0123abcd" / "preview-of-another-session.jpg"
    someone_else.parent.mkdir(exist_ok=True)
    someone_else.write_bytes(b"not ours")
    assert preview.exists()
    end_session(desk)
    assert not preview.exists() and not desk.items
    assert someone_else.exists()
    someone_else.unlink()
