"""Irreversible redaction: every pixel inside a region is replaced, in every channel.

Styles (``Region.style``):

- ``solid``: an opaque fill of one colour. The only style that keeps nothing of the original; the
  default for text, where blur and mosaic are known to be reversible.
- ``pixelate``: the padded region is averaged into a coarse grid (at most ``MAX_CELLS`` cells across its
  long side), each cell is one constant colour, and each cell gets random noise so the cell means
  cannot be read back exactly.
- ``blur``: the same coarse, noised grid is upsampled smoothly and then blurred with a sigma of one
  cell. The output is a soft blob whose finest detail is a cell, i.e. a few per face: strength scales
  with the region by construction, there is no "light" setting.

Shapes: ``rect`` or ``ellipse`` (inscribed in the padded box; outside the ellipse stays untouched).

Padding (detector regions only; manual regions are applied exactly as drawn):

- faces, people, other kinds: ``padding`` x the box's long side on every side (0.25 by default).
- text and plates: ``2 x padding`` x the *line height* on every side (at least ``MIN_TEXT_PAD`` px), so
  a long line is not inflated by its length. The line height is ``extra["line_height"]`` when the
  detector provides it (rotated lines), otherwise the box's short side.

The alpha channel of RGBA/LA images is set opaque inside the region, so no original alpha survives.
"""

from __future__ import annotations

import cv2
import numpy as np
from PIL import Image

from photolab.regions import Region, clip

SOLID_FILL = 0  # black, in every colour channel
MAX_CELLS = 6  # pixelate/blur grid cells across the long side of the padded region
CELL_NOISE_SD = 12.0  # grey levels of random noise added to every cell
MIN_TEXT_PAD = 3  # px
TEXT_KINDS = frozenset({"text", "plate"})
NATIVE_MODES = frozenset({"L", "LA", "RGB", "RGBA"})


def redact(image: Image.Image, regions: list[Region], *, padding: float = 0.25) -> Image.Image:
    """Return a new image with every enabled region replaced; ``image`` itself is never changed."""
    work = _working_copy(image)
    pixels = np.array(work)  # always a copy
    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    height, width = pixels.shape[:2]
    rng = np.random.default_rng()
    for region in regions:
        if not region.enabled:
            continue
        box = padded_box(region, padding, width, height)
        if box[2] <= 0 or box[3] <= 0:
            continue
        _apply(pixels, region, box, rng, has_alpha=work.mode in ("LA", "RGBA"))
    if pixels.shape[2] == 1:
        pixels = pixels[:, :, 0]
    return Image.fromarray(pixels, mode=work.mode)


def padded_box(region: Region, padding: float, width: int, height: int) -> tuple[int, int, int, int]:
    """The box that will actually be redacted, clipped to the image."""
    x, y, w, h = region.box
    if region.source == "manual":
        margin = 0.0
    elif region.kind in TEXT_KINDS:
        line_height = float(region.extra.get("line_height") or min(w, h))
        margin = max(float(MIN_TEXT_PAD), 2.0 * padding * line_height)
    else:
        margin = padding * max(w, h)
    return clip((x - margin, y - margin, w + 2 * margin, h + 2 * margin), width, height)


def _working_copy(image: Image.Image) -> Image.Image:
    if image.mode in NATIVE_MODES:
        return image
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    return image.convert("RGBA" if has_alpha else "RGB")


def _apply(pixels: np.ndarray, region: Region, box: tuple[int, int, int, int],
           rng: np.random.Generator, *, has_alpha: bool) -> None:
    x, y, w, h = box
    patch = pixels[y:y + h, x:x + w]
    colour = patch[:, :, :-1] if has_alpha else patch
    if region.style == "pixelate":
        new = pixelated(colour, rng)
    elif region.style == "blur":
        new = blurred(colour, rng)
    else:
        new = np.full_like(colour, SOLID_FILL)
    if has_alpha:
        new = np.concatenate([new, np.full((*patch.shape[:2], 1), 255, np.uint8)], axis=2)
    mask = shape_mask(region.shape, w, h)
    patch[mask] = new[mask]


def shape_mask(shape: str, width: int, height: int) -> np.ndarray:
    """Boolean mask of the pixels to replace inside a ``width`` x ``height`` box."""
    if shape != "ellipse":
        return np.ones((height, width), bool)
    mask = np.zeros((height, width), np.uint8)
    # Drawn with 4 bits of sub-pixel precision so the ellipse touches the box edges symmetrically.
    centre = ((width - 1) * 8, (height - 1) * 8)
    axes = (max(1, width * 8), max(1, height * 8))
    cv2.ellipse(mask, centre, axes, 0, 0, 360, 1, thickness=-1, lineType=cv2.LINE_8, shift=4)
    return mask.astype(bool)


def coarse_grid(colour: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Average the patch into at most MAX_CELLS cells across its long side, then add noise per cell."""
    h, w = colour.shape[:2]
    cell = max(1, -(-max(w, h) // MAX_CELLS))
    gw, gh = max(1, -(-w // cell)), max(1, -(-h // cell))
    small = cv2.resize(colour.astype(np.float32), (gw, gh), interpolation=cv2.INTER_AREA)
    small = small.reshape(gh, gw, -1)
    noise = rng.normal(0.0, CELL_NOISE_SD, size=small.shape).astype(np.float32)
    return small + noise


def pixelated(colour: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Coarse mosaic: constant, noised cells of (at most) MAX_CELLS across the long side."""
    h, w = colour.shape[:2]
    grid = coarse_grid(colour, rng)
    big = cv2.resize(grid, (w, h), interpolation=cv2.INTER_NEAREST).reshape(h, w, -1)
    return np.clip(np.round(big), 0, 255).astype(np.uint8)


def blurred(colour: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Strong blur built from the coarse, noised grid: no detail finer than a cell can survive."""
    h, w = colour.shape[:2]
    grid = coarse_grid(colour, rng)
    big = cv2.resize(grid, (w, h), interpolation=cv2.INTER_LINEAR).reshape(h, w, -1)
    sigma = max(1.5, max(w, h) / MAX_CELLS)  # one cell
    soft = cv2.GaussianBlur(big, (0, 0), sigma, borderType=cv2.BORDER_REPLICATE).reshape(h, w, -1)
    return np.clip(np.round(soft), 0, 255).astype(np.uint8)
