"""The shipped workshop samples: reproducible from the script, consistent ground truth, planted metadata.

The script is run once per session into a temporary folder, with sockets disabled (it must never
download anything). Regenerated files are compared with the committed ones: byte-identical with the
same Pillow/libjpeg/numpy, otherwise the pixels must agree within a small tolerance, because JPEG
encoders and FreeType rasterisers differ slightly between versions.
"""

from __future__ import annotations

import importlib.util
import io
import json
import re
import socket
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import piexif
import pytest
import yaml
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
SCRIPT = ROOT / "scripts" / "make_samples.py"
LANGS = ("en", "fr", "es", "pt", "ar", "ru")
KINDS = {"face", "text", "person", "tattoo", "plate", "place", "document", "screen", "other"}
MAX_IMAGE_BYTES = 400 * 1024
MAX_FOLDER_BYTES = 4 * 1024 * 1024


def committed() -> dict:
    return json.loads((SAMPLES / "hazards.json").read_text(encoding="utf-8"))


def scenarios() -> list[dict]:
    return yaml.safe_load((SAMPLES / "scenarios.yaml").read_text(encoding="utf-8"))["scenarios"]


def all_hazards() -> list[tuple[dict, dict]]:
    return [(im, h) for im in committed()["images"] for h in im["hazards"]]


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_samples", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["make_samples"] = module  # dataclasses look their module up here
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def script() -> ModuleType:
    pytest.importorskip("skimage", reason="the samples use photographs bundled with scikit-image")
    return load_script()


@pytest.fixture(scope="module")
def regenerated(script: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Run the script offline into a fresh folder."""
    out = tmp_path_factory.mktemp("samples")

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("make_samples.py tried to open a network connection")

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(socket.socket, "connect", no_network)
        mp.setattr(socket.socket, "connect_ex", no_network)
        mp.setattr(socket, "create_connection", no_network)
        mp.setattr(socket, "getaddrinfo", no_network)
        script.write_all(out)
    return out


# ------------------------------------------------------------------------------------ reproducibility


def pixels(path: Path) -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert("RGB"), np.int16)


@pytest.mark.parametrize("entry", committed()["images"], ids=lambda e: e["id"])
def test_regenerated_image_matches_committed(regenerated: Path, entry: dict) -> None:
    new, old = regenerated / entry["image"], SAMPLES / entry["image"]
    if new.read_bytes() == old.read_bytes():
        return
    a, b = pixels(new), pixels(old)  # another encoder or rasteriser version: compare what is seen
    assert a.shape == b.shape
    diff = np.abs(a - b)
    assert diff.mean() < 1.5, f"{entry['image']}: mean pixel difference {diff.mean():.2f}"
    assert (diff.max(axis=2) > 40).mean() < 0.005, f"{entry['image']}: too many pixels differ strongly"


def test_regenerated_hazards_match_committed(regenerated: Path) -> None:
    new = json.loads((regenerated / "hazards.json").read_text(encoding="utf-8"))
    old = committed()
    assert [im["id"] for im in new["images"]] == [im["id"] for im in old["images"]]
    for im_new, im_old in zip(new["images"], old["images"], strict=True):
        assert [h["id"] for h in im_new["hazards"]] == [h["id"] for h in im_old["hazards"]]
        assert im_new["planted_metadata"] == im_old["planted_metadata"]
        for h_new, h_old in zip(im_new["hazards"], im_old["hazards"], strict=True):
            same = {k: v for k, v in h_new.items() if k != "box"}
            assert same == {k: v for k, v in h_old.items() if k != "box"}
            # text boxes follow font metrics, which may move a pixel between FreeType versions
            assert np.abs(np.subtract(h_new["box"], h_old["box"])).max() <= 2, h_new["id"]


def test_script_is_deterministic(script: ModuleType, regenerated: Path, tmp_path: Path) -> None:
    script.write_all(tmp_path)
    for path in sorted(regenerated.iterdir()):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name


def test_script_refuses_a_source_photo_that_changed(script: ModuleType, tmp_path: Path) -> None:
    fake = tmp_path / "data"
    fake.mkdir()
    Image.new("RGB", (512, 512), (255, 0, 0)).save(fake / "astronaut.png")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(script, "skimage_data_dir", lambda: fake)
        script.load_source.cache_clear()
        try:
            with pytest.raises(script.SourceMissing, match="differs"):
                script.load_source("astronaut")
            with pytest.raises(script.SourceMissing, match="missing"):
                script.load_source("camera")
        finally:
            script.load_source.cache_clear()


# ------------------------------------------------------------------------------------- ground truth


def test_hazard_ids_are_unique_and_well_formed() -> None:
    doc = committed()
    ids = [h["id"] for _, h in all_hazards()]
    assert len(ids) == len(set(ids))
    assert len({im["id"] for im in doc["images"]}) == len(doc["images"])
    for im, h in all_hazards():
        assert h["id"].startswith(im["id"] + "-")
        assert h["kind"] in KINDS, h
        assert isinstance(h["must_redact"], bool)
        assert set(h["labels"]) == set(LANGS) and all(h["labels"][lang].strip() for lang in LANGS), h["id"]
        assert h["label"] == h["labels"]["en"]
    for im in doc["images"]:
        assert any(h["must_redact"] for h in im["hazards"]), f"{im['id']} has nothing to redact"


@pytest.mark.parametrize(("image", "hazard"), all_hazards(), ids=lambda v: v["id"])
def test_hazard_box_is_inside_its_image(image: dict, hazard: dict) -> None:
    with Image.open(SAMPLES / image["image"]) as im:
        assert im.size == (image["width"], image["height"])
    x, y, w, h = hazard["box"]
    assert all(isinstance(v, int) for v in hazard["box"])
    assert w > 0 and h > 0
    assert x >= 0 and y >= 0 and x + w <= image["width"] and y + h <= image["height"]
    if hazard["kind"] == "text":
        assert hazard.get("lines"), "text hazards give their line boxes"
    for lx, ly, lw, lh in hazard.get("lines", []):  # each line lies within the hazard (1 px rounding)
        assert lw > 0 and lh > 0
        assert lx >= x - 1 and ly >= y - 1 and lx + lw <= x + w + 1 and ly + lh <= y + h + 1


def test_face_hazard_is_where_a_face_detector_finds_it() -> None:
    cv2 = pytest.importorskip("cv2")
    cascade_dir = getattr(getattr(cv2, "data", None), "haarcascades", "")
    cascade = cv2.CascadeClassifier(str(Path(cascade_dir) / "haarcascade_frontalface_default.xml"))
    if cascade.empty():
        pytest.skip("OpenCV build without its bundled Haar cascades")
    entry = next(im for im in committed()["images"] if im["id"] == "s07")
    truth = next(h["box"] for h in entry["hazards"] if h["kind"] == "face")
    grey = cv2.imread(str(SAMPLES / entry["image"]), cv2.IMREAD_GRAYSCALE)
    found = cascade.detectMultiScale(grey, 1.1, 5, minSize=(60, 60))
    assert len(found) >= 1

    def iou(a: list[int], b: list[int]) -> float:
        ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
        iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
        inter = ix * iy
        return inter / (a[2] * a[3] + b[2] * b[3] - inter)

    assert max(iou(truth, list(map(int, f))) for f in found) > 0.5


def test_every_face_hazard_holds_a_yunet_face() -> None:
    """With the fetched YuNet model, each face hazard (the frontal one and the profile) contains a face."""
    cv2 = pytest.importorskip("cv2")
    model = ROOT / "models" / "face_detection_yunet_2023mar.onnx"
    if not model.is_file() or not hasattr(cv2, "FaceDetectorYN"):
        pytest.skip("YuNet model not fetched (photolab models fetch)")
    for image, hazard in all_hazards():
        if hazard["kind"] != "face":
            continue
        bgr = cv2.imread(str(SAMPLES / image["image"]))
        detector = cv2.FaceDetectorYN.create(str(model), "", (bgr.shape[1], bgr.shape[0]), 0.6)
        _, faces = detector.detect(bgr)
        x, y, w, h = hazard["box"]
        centres = [(f[0] + f[2] / 2, f[1] + f[3] / 2) for f in (faces if faces is not None else [])]
        assert any(x <= cx <= x + w and y <= cy <= y + h for cx, cy in centres), hazard["id"]


# ------------------------------------------------------------------------------------------ scenarios


def test_every_scenario_is_complete_in_six_languages() -> None:
    items = scenarios()
    image_ids = {im["id"]: im["image"] for im in committed()["images"]}
    assert len(items) >= 8
    assert len({s["id"] for s in items}) == len(items)
    for s in items:
        assert image_ids.get(s["id"]) == s["image"], s["id"]
        assert (SAMPLES / s["image"]).is_file()
        if "context_image" in s:
            assert (SAMPLES / s["context_image"]).is_file()
        for field in ("title", "brief"):
            assert set(s[field]) >= set(LANGS), (s["id"], field)
            assert all(s[field][lang].strip() for lang in LANGS), (s["id"], field)
        for field in ("learning_points", "discussion_prompts"):
            counts = {lang: len(s[field][lang]) for lang in LANGS}
            assert min(counts.values()) >= 1 and len(set(counts.values())) == 1, (s["id"], field, counts)
            assert all(p.strip() for lang in LANGS for p in s[field][lang])
        assert s["suggested_decision"] in {"publish", "publish_with_changes", "do_not_publish"}
        assert all(re.fullmatch(r"[A-J]\d{1,2}", ref) for ref in s["checklist_refs"])


# ---------------------------------------------------------------------------------- files and metadata


def test_sizes_stay_small() -> None:
    images = [SAMPLES / im["image"] for im in committed()["images"]]
    for path in images:
        assert path.stat().st_size < MAX_IMAGE_BYTES, path.name
    assert sum(p.stat().st_size for p in SAMPLES.iterdir() if p.is_file()) < MAX_FOLDER_BYTES


def gps_degrees(dms: tuple, ref: bytes) -> float:
    value = sum(n / d / 60**i for i, (n, d) in enumerate(dms))
    return -value if ref in (b"S", b"W") else value


@pytest.mark.parametrize("entry", committed()["images"], ids=lambda e: e["id"])
def test_image_carries_the_planted_metadata(entry: dict) -> None:
    data = (SAMPLES / entry["image"]).read_bytes()
    planted = entry["planted_metadata"]
    exif = piexif.load(data)
    zeroth, ex, gps = exif["0th"], exif["Exif"], exif["GPS"]
    assert zeroth[piexif.ImageIFD.Make].decode() == planted["Make"]
    assert zeroth[piexif.ImageIFD.Model].decode() == planted["Model"]
    assert zeroth[piexif.ImageIFD.Artist].decode() == planted["Artist"]
    assert ex[piexif.ExifIFD.BodySerialNumber].decode() == planted["BodySerialNumber"]
    assert ex[piexif.ExifIFD.DateTimeOriginal].decode() == planted["DateTimeOriginal"]
    lat = gps_degrees(gps[piexif.GPSIFD.GPSLatitude], gps[piexif.GPSIFD.GPSLatitudeRef])
    lon = gps_degrees(gps[piexif.GPSIFD.GPSLongitude], gps[piexif.GPSIFD.GPSLongitudeRef])
    assert abs(lat - planted["GPS"][0]) < 1e-4 and abs(lon - planted["GPS"][1]) < 1e-4
    if "ImageDescription" in planted:
        assert zeroth[piexif.ImageIFD.ImageDescription].decode() == planted["ImageDescription"]
    # the EXIF thumbnail is a small copy of the unredacted picture
    with Image.open(io.BytesIO(exif["thumbnail"])) as thumb:
        assert thumb.format == "JPEG" and max(thumb.size) <= 160
    assert (b"<x:xmpmeta" in data) == planted["xmp"]
    assert sum(e["planted_metadata"]["xmp"] for e in committed()["images"]) >= 1


# -------------------------------------------------------------------------------- OCR (slow, real model)


def normalise(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


@pytest.mark.slow
def test_text_hazards_are_legible_to_ocr_before_redaction() -> None:
    """What the demo relies on: rapidocr reads every planted text hazard (except the deliberately hard)."""
    rapidocr = pytest.importorskip("rapidocr")
    import difflib

    engine = rapidocr.RapidOCR(params={"Global.log_level": "error"})
    unread = []
    for entry in committed()["images"]:
        wanted = [(h["id"], t) for h in entry["hazards"] if not h.get("hard") for t in h.get("text", [])]
        if not wanted:
            continue
        result = engine(str(SAMPLES / entry["image"]))
        lines = [normalise(t) for t in (result.txts or ())]
        joined = "".join(lines)
        for hid, text in wanted:
            target = normalise(text)
            close = any(difflib.SequenceMatcher(None, target, line).ratio() >= 0.85 for line in lines)
            if target not in joined and not close:
                unread.append((hid, text))
    assert not unread
