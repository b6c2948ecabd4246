"""Text detection with the real rapidocr models, and the end-to-end promise: after detect + redact,
OCR cannot read the identifying text any more."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest
from support import require_shared
from PIL import Image, ImageDraw, ImageFont

from photolab.detect import text as text_mod
from photolab.detect.text import detect_text, tiles
from photolab.readable import LineReader, reveals
from photolab.redact import padded_box, redact


# --------------------------------------------------------------------------- synthetic scenes
def scene(lines: list[tuple[str, int, tuple[int, int]]], size=(900, 600), angle: float = 0.0,
          background: int = 205, noise: float = 4.0) -> tuple[Image.Image, list[tuple[int, int, int, int]]]:
    """Dark text lines (text, font px, (x, y)) on a noisy light background; returns image + ink boxes."""
    rng = np.random.default_rng(3)
    base = np.clip(rng.normal(background, noise, (size[1], size[0], 3)), 0, 255).astype(np.uint8)
    img = Image.fromarray(base)
    draw = ImageDraw.Draw(img)
    boxes = []
    for text, px, (x, y) in lines:
        font = ImageFont.load_default(size=px)
        left, top, right, bottom = draw.textbbox((x, y), text, font=font)
        draw.text((x, y), text, fill=(25, 25, 30), font=font)
        boxes.append((left, top, right - left, bottom - top))
    if angle:
        img = img.rotate(angle, resample=Image.BICUBIC, fillcolor=(background,) * 3)
        boxes = [_rotated_box(b, angle, size) for b in boxes]
    return img, boxes


def _rotated_box(box, angle, size):
    x, y, w, h = box
    cx, cy = size[0] / 2, size[1] / 2
    corners = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], float) - (cx, cy)
    a = np.deg2rad(-angle)  # PIL rotates counter-clockwise on screen
    rot = corners @ np.array([[np.cos(a), np.sin(a)], [-np.sin(a), np.cos(a)]])
    rot += (cx, cy)
    x1, y1 = rot.min(0)
    x2, y2 = rot.max(0)
    return (int(x1), int(y1), int(x2 - x1), int(y2 - y1))


def covered(regions, box, width, height) -> float:
    """Share of ``box`` inside the union of the regions' padded boxes."""
    mask = np.zeros((height, width), bool)
    for r in regions:
        x, y, w, h = padded_box(r, 0.25, width, height)
        mask[y:y + h, x:x + w] = True
    x, y, w, h = box
    return float(mask[y:y + h, x:x + w].mean())


def test_finds_lines_of_many_sizes_and_fills_the_report_fields():
    img, boxes = scene([("Maria Kowalska", 40, (40, 40)), ("Room 4.12", 20, (40, 160)),
                        ("ID 2024/0815", 12, (40, 260)), ("Dr. Jan Nowak  ext 3321", 10, (420, 420))])
    regions = detect_text(np.asarray(img))
    for box in boxes:
        assert covered(regions, box, *img.size) >= 0.98, box
    for r in regions:
        assert r.kind in ("text", "plate") and r.detector == "rapidocr" and r.style == "solid"
        assert r.source == "detector" and 0 < r.score <= 1
        x, y, w, h = r.box
        assert x >= 0 and y >= 0 and x + w <= img.size[0] and y + h <= img.size[1]
        assert r.extra["line_height"] > 0 and len(r.extra["quad"]) == 4
    readings = " ".join(r.text for r in regions).lower()
    assert "kowalska" in readings


def test_finds_rotated_lines():
    img, boxes = scene([("Cell 17  Ahmed Haddad", 24, (200, 250))], angle=20)
    regions = detect_text(np.asarray(img), recognise=False)
    assert covered(regions, boxes[0], *img.size) >= 0.95
    assert all(r.text == "" for r in regions)


def test_grey_and_rgba_input_are_accepted():
    img, boxes = scene([("Ward 7  Kim Larsen", 28, (60, 80))], size=(520, 220))
    grey = np.asarray(img.convert("L"))
    rgba = np.asarray(img.convert("RGBA"))
    for arr in (grey, rgba):
        regions = detect_text(arr, recognise=False)
        assert covered(regions, boxes[0], *img.size) >= 0.98


def test_blank_image_has_no_text():
    rng = np.random.default_rng(0)
    rgb = np.clip(rng.normal(128, 3, (480, 640, 3)), 0, 255).astype(np.uint8)
    assert detect_text(rgb) == []


def test_licence_plate_is_reported_as_plate():
    img = Image.new("RGB", (700, 400), (90, 110, 100))
    draw = ImageDraw.Draw(img)
    draw.rectangle((200, 160, 470, 225), fill=(245, 245, 240), outline=(20, 20, 20), width=3)
    draw.text((218, 168), "AB-123-CD", fill=(15, 15, 15), font=ImageFont.load_default(size=44))
    regions = detect_text(np.asarray(img))
    plates = [r for r in regions if r.kind == "plate"]
    assert plates, [(r.kind, r.text) for r in regions]
    assert re.sub(r"\W", "", plates[0].text) == "AB123CD"


def test_tiles_cover_the_image_with_overlap():
    for w, h in ((100, 80), (1280, 1280), (3000, 2000), (4001, 1281)):
        cover = np.zeros((h, w), bool)
        for x, y, tw, th in tiles(w, h):
            assert x >= 0 and y >= 0 and x + tw <= w and y + th <= h
            cover[y:y + th, x:x + tw] = True
        assert cover.all()


def test_big_photo_small_lines_anywhere_are_found():
    """12 MP photos go through the gate (half-scale permissive pass): small lines far apart, in the
    corners and the middle, must all still reach the full-resolution pass."""
    spots = [(60, 60), (3500, 80), (1900, 1450), (120, 2900), (3450, 2880)]
    img, boxes = scene([(f"Nr {i}  Jan Nowak {4410 + i}", 14, xy) for i, xy in enumerate(spots)],
                       size=(4000, 3000))
    assert text_mod.working_scale(*img.size) <= text_mod.GATE_MAX_UPSCALE
    regions = detect_text(np.asarray(img), recognise=False)
    for box in boxes:
        assert covered(regions, box, *img.size) >= 0.98, box


def test_gate_areas_are_grown_to_a_minimum_size_inside_the_image():
    assert text_mod._at_least((10, 10, 50, 40), 800, 4000, 3000) == (0, 0, 800, 800)
    assert text_mod._at_least((3900, 2950, 100, 50), 800, 4000, 3000) == (3200, 2200, 800, 800)
    assert text_mod._at_least((1000, 1000, 1200, 30), 800, 4000, 3000) == (1000, 615, 1200, 800)
    assert text_mod._at_least((0, 0, 50, 50), 800, 600, 400) == (0, 0, 600, 400)


def test_working_copy_is_8_to_16_megapixels_within_2x():
    assert text_mod.working_scale(4000, 3000) == 1.0
    assert text_mod.working_scale(8000, 6000) == pytest.approx((16e6 / 48e6) ** 0.5)
    assert text_mod.working_scale(2000, 1500) == pytest.approx((8e6 / 3e6) ** 0.5)
    assert text_mod.working_scale(640, 480) == 2.0


def test_engines_are_cached_and_never_download(monkeypatch):
    from rapidocr.utils import download_file

    def refuse(*_a, **_k):
        raise AssertionError("rapidocr tried to download something")

    monkeypatch.setattr(download_file.DownloadFile, "run", classmethod(refuse))
    assert text_mod._engine("det", 1) is text_mod._engine("det", 1)
    for task in ("det", "rec"):  # fresh instances, built while downloads would fail
        engine = text_mod._make_engine(task, 1)
        out = engine(np.full((64, 256, 3), 255, np.uint8))
        assert out is not None


# --------------------------------------------------------------------------- dev set, end to end
def exposed_lines(name: str, crop: tuple[int, int, int, int] | None = None) -> tuple[int, list[str]]:
    """(identifying lines readable in the original, those still readable after detect + redact).

    ``crop`` (x, y, w, h) limits the test to part of the photo (lines wholly inside it) to keep it fast.
    """
    root = require_shared("data/text-dev")
    labels = json.loads((root / "labels.json").read_text(encoding="utf-8"))["images"][name]
    original = Image.open(root / name).convert("RGB")
    x0, y0, w, h = crop or (0, 0, *original.size)
    original = original.crop((x0, y0, x0 + w, y0 + h))
    lines = []
    for ln in labels["lines"]:
        quad = np.asarray(ln["quad"], float) - (x0, y0)
        inside = (quad >= 0).all() and (quad[:, 0] < w).all() and (quad[:, 1] < h).all()
        if ln.get("identifying", True) and ln.get("tokens") and inside:
            lines.append({**ln, "quad": quad.tolist()})
    redacted = redact(original, detect_text(np.asarray(original)))
    reader = LineReader()
    before = reader.readings(np.asarray(original)[:, :, ::-1].copy(), lines)
    readable = [ln for ln, rd in zip(lines, before, strict=True) if any(reveals(ln["tokens"], t) for t in rd)]
    after = reader.readings(np.asarray(redacted)[:, :, ::-1].copy(), readable)
    still = [ln["text"] for ln, rd in zip(readable, after, strict=True)
             if any(reveals(ln["tokens"], t) for t in rd)]
    return len(readable), still


@pytest.mark.parametrize(("name", "crop"), [("txt_019.jpg", (60, 840, 1500, 300)),
                                            ("txt_018.jpg", (0, 380, 640, 360))])
def test_ocr_reads_no_identifying_text_after_redaction(name, crop):
    readable, still = exposed_lines(name, crop)
    assert readable >= 3
    assert still == []


# One scene of each kind runs in CI (slow); the whole dev set is the `full` sweep (about 20 minutes):
# `pytest -m full tests/test_text.py`.
# whiteboard, yard, dark desk, corridor
CI_SCENES = {"txt_001.jpg", "txt_009.jpg", "txt_012.jpg", "txt_014.jpg"}


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(n, marks=pytest.mark.slow if n in CI_SCENES else pytest.mark.full)
        for n in (f"txt_{i:03d}.jpg" for i in range(20))
    ],
)
def test_ocr_reads_no_identifying_text_after_redaction_dev_set(name):
    _, still = exposed_lines(name)
    assert still == []
