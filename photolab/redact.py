"""Irreversible redaction: the pixels written inside an area are computed only from pixels *outside* every
area of the image and from seeded random noise, never from the pixels being hidden.

That is a property of construction, not of strength: replace everything inside the areas with anything
and the output is byte-identical for the same seed. A blur or mosaic *of the face itself* fails it (a 4x4
downscale of either still picks the right person among candidate photos most of the time).

Styles (``Region.style``):

- ``solid``: one opaque colour (``SOLID_FILL``). Text and plates are always solid, whatever their style.
- ``blur``: a smooth membrane stretched across the area from its surroundings: the mean colours of a ring
  of grid cells just outside the area are interpolated harmonically inwards, plus faint noise at the scale
  of a cell. It looks like a very strong blur and holds nothing from inside.
- ``pixelate``: a mosaic of ``MOSAIC_CELLS`` cells across the long side whose colours are that same
  surround fill at the cell centres, plus a little noise per cell.

Where a ring falls inside other areas (a crowd) the window grows until it reaches outside pixels, up to
the whole image; an image hidden entirely gets ``NEUTRAL_GREY``. Overlapping or touching areas are filled
as one, so no seam appears between them. Solid areas are painted last, so they win where areas overlap.

Speed: outside pixels are read on a sparse lattice (about ``SAMPLES_PER_CELL``^2 per cell) and the fill is
solved on a grid of at most ``MAX_GRID`` cells across, so the cost is that of writing the area's pixels.

Shapes: ``rect`` or ``ellipse`` (inscribed in the padded box; outside the ellipse stays untouched).

Padding (detector regions only; manual regions are applied exactly as drawn):

- faces, people, other kinds: ``padding`` x the box's long side on every side (``policy.DEFAULT_PADDING``).
- text and plates: ``2 x padding`` x the *line height* on every side (at least ``MIN_TEXT_PAD`` px), so
  a long line is not inflated by its length. The line height is ``extra["line_height"]`` when the
  detector provides it (rotated lines), otherwise the box's short side.

The alpha channel of RGBA/LA images is set opaque inside an area, so no original alpha survives.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image

from photolab.core.policy import DEFAULT_PADDING
from photolab.regions import Region, clip, linked_groups

SOLID_FILL = 0  # black, in every colour channel
NEUTRAL_GREY = 128  # the fill when no pixel outside the areas exists at all
MIN_TEXT_PAD = 3  # px
TEXT_KINDS = frozenset({"text", "plate"})
NATIVE_MODES = frozenset({"L", "LA", "RGB", "RGBA"})

CELLS_ACROSS = 256  # fill-grid cells across the long side of the largest area of a group
RING_CELLS = 4  # cells of surroundings read on every side of a group, before any widening
WIDEN = 4  # each widening multiplies the ring by this
MAX_GRID = 320  # grid cells across a window's long side at most (bounds the work for huge areas)
SAMPLES_PER_CELL = 3  # lattice samples across a cell's side: 3 or more, unless the budget below binds
MAX_SAMPLES_ACROSS = 640  # lattice samples across a window's long side at most
RELAX_STEPS = 12  # Jacobi steps per pyramid level of the membrane solve
MOSAIC_CELLS = 8  # mosaic cells across the long side of a pixelated area
BLUR_NOISE_SD = 1.5  # grey levels per grid cell (smooth, so fine detail stays near zero)
MOSAIC_NOISE_SD = 4.0  # grey levels per mosaic cell
MAX_NODES = 512  # resampling nodes across a blurred area at most
PASTE_ROWS = 256  # rows per band when writing a fill into the output


@dataclass(frozen=True)
class Area:
    """One padded area to fill: its box, its style and, for an ellipse, the run of pixels it covers in
    each row (``spans``: left and right ends, right exclusive, relative to the box; ``None`` = the box)."""

    box: tuple[int, int, int, int]
    style: str
    spans: tuple[np.ndarray, np.ndarray] | None = None

    def mask_rows(self, top: int, bottom: int) -> np.ndarray | None:
        """The pixels replaced in rows [top, bottom) of the box (``None``: all of them)."""
        if self.spans is None:
            return None
        lefts, rights = self.spans
        mask = np.zeros((bottom - top, self.box[2]), bool)
        for row, (left, right) in enumerate(zip(lefts[top:bottom].tolist(), rights[top:bottom].tolist(),
                                                strict=True)):
            mask[row, left:right] = True
        return mask

    def contains(self, xs: np.ndarray, ys: np.ndarray, margin: int) -> np.ndarray:
        """Which points of the ``xs`` x ``ys`` lattice lie in the area or within ``margin`` px of it."""
        x, y, w, h = self.box
        col = (xs >= x - margin) & (xs < x + w + margin)
        row = (ys >= y - margin) & (ys < y + h + margin)
        if self.spans is None:
            return row[:, None] & col[None, :]
        left, right = self.spans
        lo = np.full(len(ys), w, np.int64)
        hi = np.zeros(len(ys), np.int64)
        for dy in range(-margin, margin + 1):
            r = ys - y + dy
            valid = (r >= 0) & (r < h)
            r = np.clip(r, 0, h - 1)
            lo = np.minimum(lo, np.where(valid, left[r], w))
            hi = np.maximum(hi, np.where(valid, right[r], 0))
        rel = (xs - x)[None, :]
        return (lo < hi)[:, None] & (rel >= (lo - margin)[:, None]) & (rel < (hi + margin)[:, None])


def redact(
    image: Image.Image, regions: list[Region], *, padding: float = DEFAULT_PADDING, seed: int | None = None
) -> Image.Image:
    """Return a new image with every enabled region filled; ``image`` itself is never changed.

    The same ``seed`` gives byte-identical output; ``None`` draws fresh noise."""
    work = _working_copy(image)
    areas = _areas(regions, padding, work.width, work.height)
    # A converted copy can be painted in place: sampling never reads a pixel that painting writes.
    out = work.copy() if work is image else work
    rng = np.random.default_rng(seed)
    for group in _groups(areas):
        fill = grain = None
        for area in sorted(group, key=lambda a: a.style == "solid"):
            if area.style != "solid" and fill is None:
                fill = surround_fill(work, areas, group)
                grain = fill.grained(rng)
            _paint(out, area, fill, grain, rng)
    return out


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


def shape_mask(shape: str, width: int, height: int) -> np.ndarray:
    """Boolean mask of the pixels to replace inside a ``width`` x ``height`` box."""
    if shape != "ellipse" or width <= 0 or height <= 0:
        return np.ones((max(0, height), max(0, width)), bool)
    area = Area((0, 0, width, height), "solid", ellipse_spans(width, height))
    mask = area.mask_rows(0, height)
    assert mask is not None
    return mask


def ellipse_spans(width: int, height: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the [left, right) of the pixels whose centres lie in the ellipse inscribed in the box:
    symmetric, touching the middle of every edge, one run per row."""
    centre_x = (width - 1) / 2
    offset = (np.arange(height) - (height - 1) / 2) / (height / 2)
    half = width / 2 * np.sqrt(np.clip(1.0 - offset * offset, 0.0, 1.0))
    left = np.clip(np.ceil(centre_x - half - 1e-9), 0, width).astype(np.int64)
    right = np.clip(np.floor(centre_x + half + 1e-9) + 1, 0, width).astype(np.int64)
    return left, np.maximum(left, right)


def _working_copy(image: Image.Image) -> Image.Image:
    if image.mode in NATIVE_MODES:
        return image
    has_alpha = "A" in image.getbands() or "transparency" in image.info
    return image.convert("RGBA" if has_alpha else "RGB")


def _areas(regions: list[Region], padding: float, width: int, height: int) -> list[Area]:
    areas = []
    for region in regions:
        if not region.enabled:
            continue
        box = padded_box(region, padding, width, height)
        if box[2] <= 0 or box[3] <= 0:
            continue
        spans = ellipse_spans(box[2], box[3]) if region.shape == "ellipse" else None
        style = "solid" if region.kind in TEXT_KINDS or region.style not in ("blur", "pixelate") else (
            region.style)
        areas.append(Area(box, style, spans))
    return areas


def _groups(areas: list[Area]) -> list[list[Area]]:
    """Areas that overlap or touch, gathered, so each group gets one seamless fill."""
    boxes = np.array([a.box for a in areas], np.int64).reshape(-1, 4)
    links = ((i, j) for i in range(len(areas)) for j in np.flatnonzero(_touching(boxes[:i], boxes[i])))
    return [[areas[i] for i in group] for group in linked_groups(len(areas), links)]


def _touching(boxes: np.ndarray, box: np.ndarray | tuple[int, ...], gap: int = 0) -> np.ndarray:
    """Which of ``boxes`` (n x 4, x y w h) overlap ``box`` or lie within ``gap`` px of it."""
    x, y, w, h = box
    return ((boxes[:, 0] <= x + w + gap) & (x <= boxes[:, 0] + boxes[:, 2] + gap)
            & (boxes[:, 1] <= y + h + gap) & (y <= boxes[:, 1] + boxes[:, 3] + gap))


@dataclass(frozen=True)
class Fill:
    """A smooth colour field on a grid: cell (0, 0) starts at pixel ``origin``; cells are ``cell`` px."""

    origin: tuple[int, int]
    cell: int
    values: np.ndarray  # float32, (rows, cols, colour channels)

    def grained(self, rng: np.random.Generator) -> np.ndarray:
        """The values plus faint noise per cell; none on cells under 3 px, full from 10 px (so the
        variance of the Laplacian, which ``photolab verify`` reads as fine detail, stays near zero)."""
        sd = BLUR_NOISE_SD * float(np.clip((self.cell - 2) / 8.0, 0.0, 1.0))
        return self.values + _luma_noise(rng, sd, self.values.shape)


def surround_fill(image: Image.Image, areas: list[Area], group: list[Area]) -> Fill:
    """The fill for ``group``, computed from pixels outside every one of ``areas`` only."""
    x1, y1 = min(a.box[0] for a in group), min(a.box[1] for a in group)
    x2 = max(a.box[0] + a.box[2] for a in group)
    y2 = max(a.box[1] + a.box[3] for a in group)
    longest = max(max(a.box[2], a.box[3]) for a in group)
    ring = RING_CELLS
    while True:
        cell, step = _cell_and_step(longest, max(x2 - x1, y2 - y1), ring)
        origin = (x1 - ring * cell, y1 - ring * cell)
        shape = (-(-(y2 - y1) // cell) + 2 * ring, -(-(x2 - x1) // cell) + 2 * ring)
        sums, weights = _sample_cells(image, areas, origin, cell, step, shape)
        covers_image = origin[0] <= 0 and origin[1] <= 0 and (
            origin[0] + shape[1] * cell >= image.width and origin[1] + shape[0] * cell >= image.height)
        if weights.any() or covers_image:
            break
        ring *= WIDEN
    if not weights.any():
        values = np.full(sums.shape, NEUTRAL_GREY, np.float32)
    else:
        values = _membrane(sums, weights, float((cell // step) ** 2))
    return Fill(origin, cell, values)


def _cell_and_step(longest: int, span: int, ring: int) -> tuple[int, int]:
    """Grid cell size (px) and lattice step (px, dividing the cell) for a group ``span`` px across."""
    cell = max(1, -(-longest // CELLS_ACROSS))
    cell = max(cell, -(-(span + 2 * ring * cell) // MAX_GRID))
    step = max(1, cell // SAMPLES_PER_CELL, -(-(span + 2 * ring * cell) // MAX_SAMPLES_ACROSS))
    return step * -(-cell // step), step


def _sample_cells(
    image: Image.Image, areas: list[Area], origin: tuple[int, int], cell: int, step: int,
    shape: tuple[int, int],
) -> tuple[np.ndarray, np.ndarray]:
    """Per grid cell: the sum of the lattice samples lying outside every area, and their count.

    The lattice is every ``step``-th pixel (offset ``step // 2``); Pillow's nearest-neighbour resize of a
    box whose size is a multiple of the output reads exactly those pixels (checked by a test), without
    converting the whole image. Samples count only when they lie outside every area."""
    rows, cols = shape
    per = cell // step
    channels = 3 if image.mode in ("RGB", "RGBA") else 1
    sums = np.zeros((rows * per, cols * per, channels), np.float32)
    counts = np.zeros((rows * per, cols * per), np.float32)
    span_x = _lattice_span(origin[0], step, cols * per, image.width)
    span_y = _lattice_span(origin[1], step, rows * per, image.height)
    if span_x is not None and span_y is not None:
        (i0, i1), (j0, j1) = span_x, span_y
        x0, y0 = origin[0] + i0 * step, origin[1] + j0 * step
        box = (x0, y0, x0 + (i1 - i0) * step, y0 + (j1 - j0) * step)
        samples = np.asarray(image.resize((i1 - i0, j1 - j0), Image.Resampling.NEAREST, box=box))
        samples = samples.reshape(j1 - j0, i1 - i0, -1)[:, :, :channels]
        xs = x0 + step * np.arange(i1 - i0) + step // 2
        ys = y0 + step * np.arange(j1 - j0) + step // 2
        hidden = np.zeros((len(ys), len(xs)), bool)
        # A sparse lattice relies on where Pillow reads: a 1 px margin keeps it safe even one pixel off.
        # Every pixel (step 1) is an identity read, so the pixels touching an area are used.
        margin = 1 if step > 1 else 0
        window = (int(xs[0]), int(ys[0]), int(xs[-1] - xs[0]) + 1, int(ys[-1] - ys[0]) + 1)
        boxes = np.array([a.box for a in areas], np.int64).reshape(-1, 4)
        for i in np.flatnonzero(_touching(boxes, window, gap=margin + 1)):
            hidden |= areas[int(i)].contains(xs, ys, margin)
        known = ~hidden
        np.copyto(sums[j0:j1, i0:i1], samples, where=known[:, :, None])
        counts[j0:j1, i0:i1] = known
    return _pool(sums, per), _pool(counts, per)


def _lattice_span(start: int, step: int, count: int, limit: int) -> tuple[int, int] | None:
    """Indices [i0, i1) of lattice points ``start + i * step`` whose whole step lies inside [0, limit)."""
    i0 = max(0, -(start // step))
    i1 = min(count, (limit - start) // step)
    return (i0, i1) if i1 > i0 else None


def _pool(values: np.ndarray, per: int) -> np.ndarray:
    """Sums over ``per`` x ``per`` blocks."""
    if per == 1:
        return values
    rows, cols = values.shape[0] // per, values.shape[1] // per
    pooled = cv2.resize(values, (cols, rows), interpolation=cv2.INTER_AREA) * float(per * per)
    return pooled.reshape(rows, cols, *values.shape[2:])


_NEIGHBOURS = np.array([[0, 0.25, 0], [0.25, 0, 0.25], [0, 0.25, 0]], np.float32)


def _membrane(sums: np.ndarray, weights: np.ndarray, full: float) -> np.ndarray:
    """Harmonic interpolation of the known cell means into the unknown cells, coarse to fine.

    A cell whose samples are all known keeps its mean; a partly known one mixes its mean with its
    neighbours in proportion; an unknown one is the average of its neighbours (a soap film)."""
    rows, cols = weights.shape
    if max(rows, cols) <= 2:
        mean = sums.sum(axis=(0, 1)) / weights.sum()
        return np.broadcast_to(mean, sums.shape).astype(np.float32)
    if rows % 2 or cols % 2:
        sums = np.pad(sums, ((0, rows % 2), (0, cols % 2), (0, 0)))
        weights = np.pad(weights, ((0, rows % 2), (0, cols % 2)))
    coarse = _membrane(_pool(sums, 2), _pool(weights, 2), full * 4)
    sums, weights = sums[:rows, :cols], weights[:rows, :cols]
    size = (coarse.shape[1] * 2, coarse.shape[0] * 2)
    value = cv2.resize(coarse, size, interpolation=cv2.INTER_LINEAR).reshape(
        size[1], size[0], -1)[:rows, :cols]
    confidence = np.clip(weights / full, 0.0, 1.0)[:, :, None]
    mean = sums / np.maximum(weights, 1e-6)[:, :, None]
    known = (confidence * mean).astype(np.float32)
    free = (1.0 - confidence).astype(np.float32)
    value = np.ascontiguousarray(value, np.float32)
    for _ in range(RELAX_STEPS):
        around = cv2.filter2D(value, -1, _NEIGHBOURS, borderType=cv2.BORDER_REPLICATE)
        np.multiply(around.reshape(value.shape), free, out=value)
        value += known
    return value


def _paint(
    out: Image.Image, area: Area, fill: Fill | None, grain: np.ndarray | None, rng: np.random.Generator
) -> None:
    x, y, w, h = area.box
    if area.style == "solid" or fill is None or grain is None:
        mask = area.mask_rows(0, h)
        pil_mask = None if mask is None else Image.fromarray(mask)
        out.paste(_solid_colour(out.mode), (x, y, x + w, y + h), pil_mask)
        return
    opaque = out.mode != "L"  # a 4th (or 2nd) channel of 255: alpha, or the padding byte of Pillow's RGB
    bands = _mosaic_bands(fill, area.box, rng, opaque) if area.style == "pixelate" else (
        _smooth_bands(fill, grain, area.box, opaque))
    # Band by band: small conversions to Pillow are much cheaper than one of a whole large area. Four
    # channels map straight into Pillow's own layout (pasting RGBA onto RGB copies the colours). Masks
    # are mode "1" (a plain conditional copy; an "L" mask would blend every pixel).
    for top, band in bands:
        rows = len(band)
        if band.shape[2] == 4:
            patch = Image.frombuffer("RGBA", (w, rows), band, "raw", "RGBA", 0, 1)
        else:
            patch = Image.fromarray(band.reshape(rows, w) if band.shape[2] == 1 else band)
        mask = area.mask_rows(top, top + rows)
        out.paste(patch, (x, y + top), None if mask is None else Image.fromarray(mask))


def _solid_colour(mode: str) -> int | tuple[int, ...]:
    return {"L": SOLID_FILL, "LA": (SOLID_FILL, 255), "RGB": (SOLID_FILL,) * 3}.get(
        mode, (SOLID_FILL, SOLID_FILL, SOLID_FILL, 255))


Bands = Iterator[tuple[int, np.ndarray]]  # (first row in the area, rows x width x channels uint8)


def _smooth_bands(fill: Fill, grain: np.ndarray, box: tuple[int, int, int, int], opaque: bool) -> Bands:
    """The blur look: the grained fill resampled on nodes about a quarter cell apart (at most
    ``MAX_NODES`` across), upsampled bilinearly. Node rows are a whole number of pixels apart, so each
    band is the resize of a few node rows (plus one either side) and no full-size image is ever made."""
    x, y, w, h = box
    nodes_x = min(w, 4 * -(-w // fill.cell) + 1, MAX_NODES)
    pitch = max(1, -(-h // min(h, 4 * -(-h // fill.cell) + 1, MAX_NODES)))  # px between node rows
    nodes_y = -(-h // pitch)
    rows_y = y + pitch * np.arange(nodes_y) + (pitch - 1) / 2.0
    nodes = _opaque(_sample(grain, fill, _node_pixels(x, w, nodes_x), rows_y), opaque)
    per_band = max(1, PASTE_ROWS // pitch)
    for j0 in range(0, nodes_y, per_band):
        j1 = min(nodes_y, j0 + per_band)
        source = nodes[np.clip(np.arange(j0 - 1, j1 + 1), 0, nodes_y - 1)]
        big = cv2.resize(source, (w, (j1 - j0 + 2) * pitch), interpolation=cv2.INTER_LINEAR)
        top = j0 * pitch
        yield top, big.reshape(big.shape[0], w, -1)[pitch:pitch + min((j1 - j0) * pitch, h - top)]


def _mosaic_bands(fill: Fill, box: tuple[int, int, int, int], rng: np.random.Generator,
                  opaque: bool) -> Bands:
    """The mosaic look: about ``MOSAIC_CELLS`` constant cells across the long side, coloured by the fill
    at their centres plus a little noise."""
    x, y, w, h = box
    size = max(w, h) / MOSAIC_CELLS
    cols, rows = max(1, round(w / size)), max(1, round(h / size))
    colours = _sample(fill.values, fill, _node_pixels(x, w, cols), _node_pixels(y, h, rows))
    colours = colours + _luma_noise(rng, MOSAIC_NOISE_SD, colours.shape)
    cell_rows = np.ascontiguousarray(_opaque(colours, opaque)[:, np.arange(w) * cols // w])  # w px wide
    for top in range(0, h, PASTE_ROWS):
        yield top, cell_rows[np.arange(top, min(h, top + PASTE_ROWS)) * rows // h]


def _opaque(values: np.ndarray, opaque: bool) -> np.ndarray:
    """Rounded to uint8, with a channel of 255 appended when ``opaque``."""
    out = np.clip(np.round(values), 0, 255).astype(np.uint8)
    if opaque:
        out = np.concatenate([out, np.full((*out.shape[:2], 1), 255, np.uint8)], axis=2)
    return out


def _node_pixels(start: int, length: int, nodes: int) -> np.ndarray:
    """Pixel positions of the nodes that ``cv2.resize`` from ``nodes`` to ``length`` samples uses."""
    return start + (np.arange(nodes) + 0.5) * (length / nodes) - 0.5


def _sample(values: np.ndarray, fill: Fill, px: np.ndarray, py: np.ndarray) -> np.ndarray:
    """Bilinear samples of a fill grid at pixel positions ``px`` x ``py``."""
    gx = ((px + 0.5 - fill.origin[0]) / fill.cell - 0.5).astype(np.float32)
    gy = ((py + 0.5 - fill.origin[1]) / fill.cell - 0.5).astype(np.float32)
    map_x = np.broadcast_to(gx[None, :], (len(gy), len(gx)))
    map_y = np.broadcast_to(gy[:, None], (len(gy), len(gx)))
    out = cv2.remap(values, np.ascontiguousarray(map_x), np.ascontiguousarray(map_y), cv2.INTER_LINEAR,
                    borderMode=cv2.BORDER_REPLICATE)
    return out.reshape(len(gy), len(gx), -1)


def _luma_noise(rng: np.random.Generator, sd: float, shape: tuple[int, ...]) -> np.ndarray:
    """The same noise in every colour channel (brightness only: no coloured speckle)."""
    return np.broadcast_to(rng.normal(0.0, sd, (*shape[:-1], 1)), shape).astype(np.float32)
