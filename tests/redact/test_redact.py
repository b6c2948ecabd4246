"""Redaction basics: nothing of the original survives in an area, nothing outside changes, padding rules,
shapes, alpha and image modes. (Invariance, re-identification and the look: the other files here.)"""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from PIL import Image
from support import require_shared

from photolab.redact import MOSAIC_CELLS, SOLID_FILL, padded_box, redact
from photolab.regions import Region

RNG = np.random.default_rng(7)
W, H = 320, 240


def textured(seed: int, size: tuple[int, int] = (W, H), mode: str = "RGB", ramp: bool = True) -> Image.Image:
    """A smooth gradient plus strong random fine detail (the part redaction must destroy)."""
    rng = np.random.default_rng(seed)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w]
    base = (xx * 200 / w + yy * 40 / h)[..., None] if ramp else np.full((h, w, 1), 110.0)
    detail = rng.integers(-50, 51, size=(h, w, len(mode)))
    return Image.fromarray(np.clip(base + detail + 10, 0, 255).astype(np.uint8), mode=mode)


def region(box, style="solid", **kw) -> Region:
    kw.setdefault("kind", "face")
    return Region(box=box, style=style, **kw)


def inside(img: Image.Image, box) -> np.ndarray:
    x, y, w, h = box
    return np.asarray(img, dtype=np.float64)[y:y + h, x:x + w]


def outside_mask(box) -> np.ndarray:
    m = np.ones((H, W), bool)
    x, y, w, h = box
    m[y:y + h, x:x + w] = False
    return m


def detail(gray: np.ndarray, size: float) -> np.ndarray:
    """Identity-scale detail: difference of Gaussians between size/40 and size/10."""
    g = gray.astype(np.float32)
    fine = cv2.GaussianBlur(g, (0, 0), max(0.5, size / 40))
    coarse = cv2.GaussianBlur(g, (0, 0), max(1.2, size / 10))
    d = (fine - coarse).astype(np.float64)
    return d - d.mean()


def retained(orig: np.ndarray, out: np.ndarray, size: float) -> float:
    """Share of the original's detail energy still present (projection), on grey images."""
    do, dr = detail(orig, size), detail(out, size)
    return float((do * dr).sum() / (do * do).sum())


def test_input_is_never_mutated_and_a_new_image_is_returned():
    img = textured(1)
    before = np.asarray(img).copy()
    out = redact(img, [region((50, 50, 60, 60), style) for style in ("solid", "pixelate", "blur")])
    assert out is not img
    assert np.array_equal(np.asarray(img), before)
    assert not np.array_equal(np.asarray(out), before)


def test_disabled_regions_change_nothing():
    img = textured(2)
    out = redact(img, [region((50, 50, 60, 60), enabled=False)])
    assert np.array_equal(np.asarray(out), np.asarray(img))


@pytest.mark.parametrize("style", ["solid", "pixelate", "blur"])
def test_pixels_outside_the_padded_region_are_untouched(style):
    img = textured(3)
    r = region((100, 80, 40, 40), style)
    box = padded_box(r, 0.25, W, H)
    assert box == (90, 70, 60, 60)  # 25% of the long side on every side
    out = redact(img, [r], padding=0.25)
    keep = outside_mask(box)
    assert np.array_equal(np.asarray(out)[keep], np.asarray(img)[keep])
    assert (np.abs(inside(out, box) - inside(img, box)).max(axis=2) > 0).mean() > 0.9


def test_solid_region_is_identical_whatever_the_original():
    r = region((30, 40, 100, 70), "solid", kind="text")
    box = padded_box(r, 0.25, W, H)
    a, b = redact(textured(4), [r], padding=0.25), redact(textured(5), [r], padding=0.25)
    assert np.array_equal(inside(a, box), inside(b, box))
    assert (inside(a, box) == SOLID_FILL).all()


@pytest.mark.parametrize("style", ["pixelate", "blur"])
def test_fine_detail_of_the_original_does_not_survive(style):
    """Two originals with the same smooth base but different fine detail: the outputs differ only by
    random noise, i.e. their difference is uncorrelated with the originals' difference."""
    r = region((60, 40, 160, 160), style)
    box = padded_box(r, 0.25, W, H)
    a_in, b_in = textured(6), textured(7)
    a_out, b_out = redact(a_in, [r], padding=0.25), redact(b_in, [r], padding=0.25)
    d_in = (inside(a_in, box) - inside(b_in, box)).ravel()
    d_out = (inside(a_out, box) - inside(b_out, box)).ravel()
    assert abs(np.corrcoef(d_in, d_out)[0, 1]) < 0.1


def test_pixelate_is_a_mosaic_of_constant_cells():
    img = textured(8)
    r = region((40, 40, 180, 120), "pixelate", source="manual")
    box = padded_box(r, 0.25, W, H)
    assert box == (40, 40, 180, 120)  # manual regions are applied as drawn
    patch = inside(redact(img, [r], seed=1), box)[:, :, 0]
    cols, rows = MOSAIC_CELLS, round(120 / (180 / MOSAIC_CELLS))
    # every row is made of at most `cols` runs of one value, every column of at most `rows` runs
    assert max(1 + np.count_nonzero(np.diff(line)) for line in patch) <= cols
    assert max(1 + np.count_nonzero(np.diff(line)) for line in patch.T) <= rows
    assert len(np.unique(patch)) > 1  # a mosaic, not a flat fill


@pytest.mark.parametrize("size", [24, 80, 200])
def test_blur_strength_scales_with_region_size(size):
    img = textured(9, (400, 400), ramp=False)
    r = region((100, 100, size, size), "blur", source="manual")
    out = redact(img, [r])
    gray_in = np.asarray(img.convert("L"), np.float64)[100:100 + size, 100:100 + size]
    gray_out = np.asarray(out.convert("L"), np.float64)[100:100 + size, 100:100 + size]
    assert abs(retained(gray_in, gray_out, size)) < 0.1


def test_ellipse_leaves_the_corners_outside_untouched():
    img = textured(10)
    r = region((60, 60, 120, 100), "solid", shape="ellipse", source="manual")
    out = np.asarray(redact(img, [r]))
    orig = np.asarray(img)
    for y, x in ((60, 60), (60, 179), (159, 60), (159, 179), (62, 63)):
        assert np.array_equal(out[y, x], orig[y, x])
    for y, x in ((110, 120), (60, 120), (159, 120), (110, 60), (110, 179)):  # centre and edge midpoints
        assert (out[y, x] == SOLID_FILL).all()


@pytest.mark.parametrize("style", ["solid", "pixelate", "blur"])
def test_alpha_channel_is_redacted_too(style):
    img = textured(11, mode="RGBA")
    r = region((50, 50, 80, 80), style, source="manual")
    out = redact(img, [r])
    assert out.mode == "RGBA"
    alpha = np.asarray(out)[50:130, 50:130, 3]
    assert (alpha == 255).all()
    assert np.array_equal(np.asarray(out)[:50, :, 3], np.asarray(img)[:50, :, 3])


def test_text_lines_are_padded_by_their_height_not_their_length():
    r = Region(kind="text", box=(20, 100, 260, 16), style="solid", extra={"line_height": 16})
    assert padded_box(r, 0.25, W, H) == (12, 92, 276, 32)  # 0.5 x 16 px on every side
    face = region((20, 100, 260, 16))
    assert padded_box(face, 0.25, W, H) == (0, 35, 320, 146)  # faces: 25% of the long side


@pytest.mark.parametrize("mode", ["L", "LA", "P", "I;16"])
def test_other_image_modes_are_redacted(mode):
    img = textured(12).convert(mode)
    r = region((40, 40, 60, 60), "solid", source="manual")
    out = redact(img, [r])
    arr = np.asarray(out)
    assert (arr[40:100, 40:100][..., 0] == SOLID_FILL).all() if arr.ndim == 3 else (
        arr[40:100, 40:100] == SOLID_FILL).all()


def test_blur_and_pixelate_anonymise_real_faces():
    """On a faces dev-set photo, the identity-scale detail left in each face core (measured with the
    face's surroundings as context) is below 35% (the faces judge's bar) for every blurred face; the
    coarse mosaic is weaker by nature (cell edges keep some structure) but passes for almost all."""
    root = require_shared("data/faces-dev")
    labels = json.loads((root / "labels.json").read_text())["images"]
    name = max(labels, key=lambda n: sum(f["box"][3] >= 40 for f in labels[n]["faces"]))
    img = Image.open(root / "images" / name).convert("RGB")
    faces = [f["box"] for f in labels[name]["faces"] if not f.get("ignore") and f["box"][3] >= 20]
    assert faces
    regions = [Region(kind="face", box=tuple(round(v) for v in b)) for b in faces]
    gray_in = np.asarray(img.convert("L"), np.float64)
    for style in ("blur", "pixelate"):
        gray_out = np.asarray(redact(img, [r.with_(style=style) for r in regions]).convert("L"), np.float64)
        kept = [face_detail_retained(gray_in, gray_out, r.box) for r in regions]
        kept = [k for k in kept if k is not None]
        assert kept
        if style == "blur":
            assert max(kept) < 0.35
            assert np.median(kept) < 0.1
        else:
            assert np.mean(np.array(kept) < 0.35) >= 0.8  # ~95% over the whole faces dev set


def face_detail_retained(gray_in: np.ndarray, gray_out: np.ndarray, box) -> float | None:
    x, y, w, h = box
    H_, W_ = gray_in.shape
    x1, y1, x2, y2 = max(0, x - w // 2), max(0, y - h // 2), min(W_, x + w + w // 2), min(H_, y + h + h // 2)
    do = detail(gray_in[y1:y2, x1:x2], h)
    dr = detail(gray_out[y1:y2, x1:x2], h)
    cx, cy = x + int(0.15 * w) - x1, y + int(0.15 * h) - y1
    core = (slice(cy, cy + max(1, int(0.7 * h))), slice(cx, cx + max(1, int(0.7 * w))))
    do, dr = do[core] - do[core].mean(), dr[core] - dr[core].mean()
    if do.std() < 0.5:
        return None  # flat (e.g. black) face: nothing to measure
    return float((do * dr).mean() / (do * do).mean())
