"""Licence plates: found by the text detector (no shippable plate model exists on PyPI, see the text
benchmark notes), reported as kind "plate" when the reading has a plate's shape, always filled solid."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from photolab.detect.text import TextLine, detect_text, looks_like_plate
from photolab.redact import redact

MONO = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"


def car_with_plate(size: tuple[int, int], plate: str, px: int,
                   at: tuple[int, int]) -> tuple[Image.Image, tuple]:
    """A grey yard with a car body and a white plate whose characters are ``px`` font px high."""
    rng = np.random.default_rng(5)
    img = Image.fromarray(np.clip(rng.normal(110, 6, (size[1], size[0], 3)), 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(MONO, px)
    x, y = at
    left, top, right, bottom = draw.textbbox((x, y), plate, font=font)
    pad = max(2, px // 4)
    draw.rectangle((left - 12 * pad, top - 6 * pad, right + 12 * pad, bottom + 8 * pad), fill=(150, 20, 25))
    draw.rectangle((left - pad, top - pad, right + pad, bottom + pad), fill=(240, 240, 235))
    draw.text((x, y), plate, font=font, fill=(15, 15, 20))
    return img.filter(ImageFilter.GaussianBlur(0.6)), (left, top, right - left, bottom - top)


def _covering(regions, box):
    x, y, w, h = box
    return [r for r in regions if r.box[0] <= x and r.box[1] <= y and r.x2 >= x + w and r.y2 >= y + h]


def test_a_large_plate_is_a_plate_and_filled_solid():
    img, box = car_with_plate((900, 600), "KR 4521E", 40, (300, 260))
    regions = _covering(detect_text(np.asarray(img)), box)
    assert regions and regions[0].kind == "plate" and regions[0].style == "solid"
    assert re.sub(r"\W", "", regions[0].text) == "KR4521E"
    out = np.asarray(redact(img, regions, seed=1))
    x, y, w, h = box
    inside = out[y:y + h, x:x + w].astype(int)
    assert inside.std() < 12  # a flat fill: no stroke survives


@pytest.mark.parametrize("size", [(1600, 1200), (4000, 3000)])
def test_a_9_px_plate_on_a_small_or_large_photo_is_covered(size):
    """Small photos are no longer upscaled and scanned whole; their survey runs at full size, so a plate of
    9 px characters (the case that once kept the slow path) is still found; on 12 MP the survey runs at half
    size and the refine pass looks again at full size."""
    img, box = car_with_plate(size, "GH-218-TK", 12, (size[0] // 2, size[1] // 2))
    assert box[3] <= 10
    assert _covering(detect_text(np.asarray(img), recognise=False), box), box


def test_plate_shape_rules():
    wide = TextLine(np.array([[0, 0], [200, 0], [200, 40], [0, 40]], float), 0.9)
    square = TextLine(np.array([[0, 0], [60, 0], [60, 60], [0, 60]], float), 0.9)
    assert looks_like_plate("AB-123-CD", wide) and looks_like_plate("KRA 4521", wide)
    assert not looks_like_plate("ID 81172", wide)  # a badge label
    assert not looks_like_plate("AB-123-CD", square)
    assert not looks_like_plate("Room 12", wide) and not looks_like_plate("123456", wide)
