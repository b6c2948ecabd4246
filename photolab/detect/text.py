"""Text regions (names, room numbers, badges, registers, screens, plates) with rapidocr's PP-OCR models.

Recall comes first: a missed name is published. Detection alone decides what is redacted; recognition
only fills ``Region.text`` so a reviewer can see what was found. Passes, all on one working copy of
8-16 megapixels (small photos are upscaled up to 2x, since their text is small; big ones downscaled):

1. overview: the whole image at ``OVERVIEW_SIDE`` long side, for large text that tiles would cut;
2. gate (photos of about 8 MP and more only): the working copy at ``GATE_SCALE`` (in tiles) with a
   permissive detector, only to find where text may be: at that scale even 8 px lines light up weakly;
3. full resolution: overlapping ``TILE`` px tiles at working resolution, for small text, over the gate's
   areas (with context; typically 10-25% of a photo), or over the whole of a smaller, upscaled photo;
4. refine: the neighbourhoods of what passes 1 and 3 found, upscaled ``REFINE_SCALE`` x, for small or blurred
   lines next to found ones (register rows, badge ID lines, screen tables).

The models are the PP-OCR detection and recognition ONNX files inside the rapidocr wheel, given to
rapidocr by path, so it never looks for (or downloads) anything else.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from photolab.errors import ModelError
from photolab.regions import Region, clip, overlap_of_smaller

DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"

MAX_WORKING_PIXELS = 16_000_000  # larger photos are scaled down to this before detection ...
MIN_WORKING_PIXELS = 8_000_000  # ... and smaller ones up (at most MAX_UPSCALE x): their text is small
MAX_UPSCALE = 2.0
OVERVIEW_SIDE = 1280
TILE = 1600
TILE_OVERLAP = 192
GATE_MAX_UPSCALE = 1.1  # gate only photos (nearly) as big as the working copy; smaller ones were
#   upscaled because their text is small, and there the gate missed a 9 px plate the full pass covers
GATE_SCALE = 0.5  # the gate pass costs a quarter of a full-resolution pass
GATE_PIXEL_THRESH = 0.1  # permissive DB thresholds: the gate may over-select, never under-select
GATE_BOX_THRESH = 0.1
GATE_MARGIN = 64  # working px of context around a gate box (plus one line height) at full resolution
GATE_MIN_SIDE = 800  # smaller crops make the detector see text everywhere (whole-crop false boxes)
REFINE_SCALE = 2.0
REFINE_CONTEXT = 3.0  # line heights of context around found text in the refine pass
REFINE_SEED_HEIGHT = 32  # only lines at most this high (working px) seed the refine pass
REFINE_MAX_SHARE = 0.12  # refine at most this share of the image area (largest text clusters first)

PIXEL_THRESH = 0.2  # DB probability for a pixel to count as text (rapidocr default 0.3)
BOX_THRESH = 0.3  # mean probability inside a box to keep it (rapidocr default 0.5)
UNCLIP_RATIO = 1.8  # how far DB grows a box around its core (rapidocr default 1.6)
BIG_LINE = 64  # px at the pass's scale: a line taller than this must score at least SURE_SCORE ...
SURE_SCORE = 0.65  # ... otherwise it is an object (camera, car, dome) the model mistakes for text
DUPLICATE_OVERLAP = 0.7  # boxes covered this much by another box are merged into it
REC_MIN_SCORE = 0.3

Box = tuple[int, int, int, int]  # x, y, w, h in pixels

PLATE_TEXT = re.compile(r"^[A-Z0-9]{1,4}([ \-·]?[A-Z0-9]{1,4}){1,3}$")


@dataclass(frozen=True)
class TextLine:
    """One detected line in image pixels: a 4-point quad (reading order) and the detector's score."""

    quad: np.ndarray
    score: float

    @property
    def height(self) -> float:
        return float(min(cv2.minAreaRect(self.quad.astype(np.float32))[1]))

    @property
    def box(self) -> tuple[float, float, float, float]:
        x1, y1 = self.quad.min(axis=0)
        x2, y2 = self.quad.max(axis=0)
        return (float(x1), float(y1), float(x2 - x1), float(y2 - y1))


# --------------------------------------------------------------------------- engines
_engine_lock = threading.Lock()
_engines: dict[tuple[str, int], object] = {}


def model_dir() -> Path:
    import rapidocr  # heavy import, only when text detection is used

    return Path(rapidocr.__file__).resolve().parent / "models"


def _engine(task: str, threads: int):
    """A cached RapidOCR instance doing only ``task`` ("det", "gate": permissive det, or "rec");
    thread-safe lazy creation."""
    key = (task, threads)
    with _engine_lock:
        if key not in _engines:
            _engines[key] = _make_engine(task, threads)
        return _engines[key]


def _make_engine(task: str, threads: int):
    from rapidocr import RapidOCR

    model = model_dir() / (REC_MODEL if task == "rec" else DET_MODEL)
    if not model.is_file():
        raise ModelError(f"rapidocr's packaged model {model.name} is missing; reinstall rapidocr==3.10.0")
    params = {
        "Global.use_det": task != "rec",
        "Global.use_cls": False,
        "Global.use_rec": task == "rec",
        "Global.use_preprocess_img": False,  # photolab chooses the working size itself
        "Global.use_vertical_padding": False,
        "Global.log_level": "error",
        "Global.model_root_dir": str(model_dir()),
        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    }
    if task in ("det", "gate"):
        params |= {
            "Det.model_path": str(model),
            "Det.limit_type": "max",  # no resizing inside rapidocr beyond rounding to 32 px
            "Det.limit_side_len": 100_000,
            "Det.thresh": PIXEL_THRESH if task == "det" else GATE_PIXEL_THRESH,
            "Det.box_thresh": BOX_THRESH if task == "det" else GATE_BOX_THRESH,
            "Det.unclip_ratio": UNCLIP_RATIO,
        }
    else:
        params |= {"Rec.model_path": str(model), "Global.text_score": 0.0}
    return RapidOCR(params=params)


# --------------------------------------------------------------------------- public API
def detect_text(rgb: np.ndarray, *, threads: int = 1, recognise: bool = True) -> list[Region]:
    """Text regions in an RGB uint8 image; boxes in its pixels, kind "text" or "plate", style "solid"."""
    if rgb.ndim == 2:
        rgb = np.stack([rgb] * 3, axis=2)
    bgr = np.ascontiguousarray(rgb[:, :, 2::-1])  # also drops an alpha channel
    lines = find_text_lines(bgr, threads=threads)
    return regions_from_lines(bgr, lines, threads=threads, recognise=recognise)


def regions_from_lines(bgr: np.ndarray, lines: list[TextLine], *, threads: int = 1,
                       recognise: bool = True) -> list[Region]:
    """Merge duplicate detections and turn them into regions (reading each one when asked)."""
    regions = []
    for line, box in merge_duplicates(lines):
        text = recognise_line(bgr, line, threads=threads) if recognise else ""
        regions.append(to_region(line, box, text, bgr.shape[1], bgr.shape[0]))
    return regions


def find_text_lines(bgr: np.ndarray, *, threads: int = 1) -> list[TextLine]:
    """All passes; quads mapped back to the pixels of ``bgr``."""
    height, width = bgr.shape[:2]
    scale = working_scale(width, height)
    work = _resize(bgr, scale)
    whole = [(0, 0, work.shape[1], work.shape[0])]
    areas = _gate_areas(work, threads) if scale <= GATE_MAX_UPSCALE else whole
    lines = _overview_pass(work, threads) + _full_resolution_pass(work, areas, threads)
    lines += _refine_pass(work, lines, threads)
    return [TextLine(line.quad / scale, line.score) for line in lines]


def working_scale(width: int, height: int) -> float:
    pixels = width * height
    if pixels > MAX_WORKING_PIXELS:
        return (MAX_WORKING_PIXELS / pixels) ** 0.5
    return min(MAX_UPSCALE, max(1.0, (MIN_WORKING_PIXELS / pixels) ** 0.5))


# --------------------------------------------------------------------------- passes
def _overview_pass(work: np.ndarray, threads: int) -> list[TextLine]:
    long_side = max(work.shape[:2])
    if long_side <= TILE:
        return []  # the tile pass sees the whole image at once anyway
    return _detect_scaled(work, OVERVIEW_SIDE / long_side, threads)


def _gate_areas(work: np.ndarray, threads: int) -> list[Box]:
    """Where text may be: bounding boxes (working px) of clusters of permissive detections at
    GATE_SCALE, each grown by GATE_MARGIN plus its line height, then to at least GATE_MIN_SIDE."""
    height, width = work.shape[:2]
    boxes = []
    for line in _detect_scaled(work, GATE_SCALE, threads, task="gate"):
        x, y, w, h = line.box
        m = GATE_MARGIN + line.height
        boxes.append(clip((x - m, y - m, w + 2 * m, h + 2 * m), width, height))
    clusters = _clusters(boxes, width, height)
    return _clusters([_at_least(box, GATE_MIN_SIDE, width, height) for box in clusters], width, height)


def _clusters(boxes: list[Box], width: int, height: int) -> list[Box]:
    """Bounding boxes of the connected groups of (overlapping or touching) boxes."""
    mask = np.zeros((height, width), np.uint8)
    for x, y, w, h in boxes:
        mask[y:y + h, x:x + w] = 1
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
    return [tuple(int(v) for v in stats[i, :4]) for i in range(1, count)]


def _at_least(box: Box, side: int, width: int, height: int) -> Box:
    """``box`` grown about its centre to at least ``side`` px each way (as far as the image allows)."""
    x, y, w, h = box
    w2, h2 = min(width, max(w, side)), min(height, max(h, side))
    x2 = min(max(0, x - (w2 - w) // 2), width - w2)
    y2 = min(max(0, y - (h2 - h) // 2), height - h2)
    return (x2, y2, w2, h2)


def _full_resolution_pass(work: np.ndarray, areas: list[Box], threads: int) -> list[TextLine]:
    return _detect_in_areas(work, areas, 1.0, threads)


def _refine_pass(work: np.ndarray, found: list[TextLine], threads: int) -> list[TextLine]:
    return _detect_in_areas(work, _refine_areas(found, work.shape[1], work.shape[0]), REFINE_SCALE, threads)


def _detect_in_areas(work: np.ndarray, areas: list[Box], scale: float, threads: int) -> list[TextLine]:
    """Detect in each area (a crop of ``work``) resized by ``scale``; quads in ``work`` pixels."""
    out = []
    for x, y, w, h in areas:
        for line in _detect_scaled(work[y:y + h, x:x + w], scale, threads):
            out.append(TextLine(line.quad + np.array([x, y]), line.score))
    return out


def _refine_areas(found: list[TextLine], width: int, height: int) -> list[tuple[int, int, int, int]]:
    """Bounding boxes of clusters of found lines, each grown by REFINE_CONTEXT line heights."""
    if not found:
        return []
    mask = np.zeros((height, width), np.uint8)
    for line in (ln for ln in found if ln.height <= REFINE_SEED_HEIGHT):
        x, y, w, h = line.box
        m = REFINE_CONTEXT * line.height
        bx = clip((x - m, y - m, w + 2 * m, h + 2 * m), width, height)
        mask[bx[1]:bx[1] + bx[3], bx[0]:bx[0] + bx[2]] = 1
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=4)
    areas = sorted((tuple(int(v) for v in stats[i, :4]) for i in range(1, count)), key=lambda b: -b[2] * b[3])
    budget, chosen = REFINE_MAX_SHARE * width * height, []
    for box in areas:
        if box[2] * box[3] <= budget:
            chosen.append(box)
            budget -= box[2] * box[3]
    return chosen


def _detect_scaled(image: np.ndarray, scale: float, threads: int, task: str = "det") -> list[TextLine]:
    """Detect on ``image`` resized by ``scale`` (in tiles); quads in ``image`` pixels."""
    scaled = _resize(image, scale)
    out = []
    for x, y, w, h in tiles(scaled.shape[1], scaled.shape[0]):
        tile = np.ascontiguousarray(scaled[y:y + h, x:x + w])
        for line in _detect_tile(tile, threads, task):
            out.append(TextLine((line.quad + np.array([x, y])) / scale, line.score))
    return out


def tiles(width: int, height: int, size: int = TILE,
          overlap: int = TILE_OVERLAP) -> list[tuple[int, int, int, int]]:
    """Overlapping (x, y, w, h) tiles of at most ``size`` px covering the image, spread evenly so the
    overlap (and the extra work) stays close to ``overlap`` px per seam."""
    def spans(n: int) -> list[tuple[int, int]]:
        if n <= size:
            return [(0, n)]
        count = -(-(n - overlap) // (size - overlap))
        length = -(-(n + (count - 1) * overlap) // count)
        starts = [round(i * (n - length) / (count - 1)) for i in range(count)]
        return [(s, length) for s in starts]

    return [(x, y, w, h) for y, h in spans(height) for x, w in spans(width)]


def _detect_tile(tile: np.ndarray, threads: int, task: str = "det") -> list[TextLine]:
    if min(tile.shape[:2]) < 8:
        return []
    result = _engine(task, threads)(tile)
    boxes = getattr(result, "boxes", None)
    if boxes is None or len(boxes) == 0:
        return []
    lines = [TextLine(np.asarray(q, np.float64), float(s)) for q, s in zip(boxes, result.scores, strict=True)]
    return [ln for ln in lines if ln.height <= BIG_LINE or ln.score >= SURE_SCORE]


def _resize(image: np.ndarray, scale: float) -> np.ndarray:
    if abs(scale - 1.0) < 1e-6:
        return image
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=interpolation)


# --------------------------------------------------------------------------- merging, recognition
def merge_duplicates(lines: list[TextLine]) -> list[tuple[TextLine, tuple[float, float, float, float]]]:
    """Fold lines found by several passes: a box mostly inside a bigger one is absorbed by it.

    Returns (line, box) pairs: the biggest member's quad (for recognition) and the union of all members'
    boxes (for redaction), so nothing any pass detected is dropped.
    """
    kept: list[tuple[TextLine, list[float]]] = []
    for line in sorted(lines, key=lambda ln: -_area(ln.box)):
        box = line.box
        for _, union in kept:
            if overlap_of_smaller(_int_box(union), _int_box(box)) >= DUPLICATE_OVERLAP:
                x1, y1 = min(union[0], box[0]), min(union[1], box[1])
                x2, y2 = max(union[0] + union[2], box[0] + box[2]), max(union[1] + union[3], box[1] + box[3])
                union[:] = [x1, y1, x2 - x1, y2 - y1]
                break
        else:
            kept.append((line, list(box)))
    return [(line, (union[0], union[1], union[2], union[3])) for line, union in kept]


def _area(box: tuple[float, float, float, float]) -> float:
    return box[2] * box[3]


def _int_box(box) -> tuple[int, int, int, int]:
    return (int(box[0]), int(box[1]), round(float(box[2])), round(float(box[3])))


def recognise_line(bgr: np.ndarray, line: TextLine, *, threads: int = 1) -> str:
    """Best-effort reading of one line (empty when unsure); never decides whether it is redacted."""
    strip = rectify(bgr, line.quad)
    if strip is None:
        return ""
    result = _engine("rec", threads)(strip)
    txts = getattr(result, "txts", None) or ()
    scores = getattr(result, "scores", None) or ()
    return " ".join(t for t, s in zip(txts, scores, strict=False) if t and s >= REC_MIN_SCORE).strip()


def rectify(bgr: np.ndarray, quad: np.ndarray) -> np.ndarray | None:
    """The quad warped to a horizontal strip about 48 px high (the recogniser's input height)."""
    tl, tr, br, bl = quad.astype(np.float32)
    width = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    height = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    if width < 2 or height < 2:
        return None
    if height > 1.5 * width:  # vertical line: read it turned
        tl, tr, br, bl = bl, tl, tr, br
        width, height = height, width
    k = max(1.0, 48.0 / height)
    size = (round(float(width * k)), round(float(height * k)))
    target = np.float32([[0, 0], [size[0], 0], [size[0], size[1]], [0, size[1]]])
    matrix = cv2.getPerspectiveTransform(np.float32([tl, tr, br, bl]), target)
    return cv2.warpPerspective(bgr, matrix, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def looks_like_plate(text: str, line: TextLine) -> bool:
    """Licence-plate shape: 5-8 letters and digits (at least two of each) in 2-4 groups, a wide box."""
    compact = re.sub(r"[ \-·]", "", text)
    if not PLATE_TEXT.match(text.strip()) or not 5 <= len(compact) <= 8:
        return False
    letters, digits = sum(c.isalpha() for c in compact), sum(c.isdigit() for c in compact)
    rect_w, rect_h = sorted(cv2.minAreaRect(line.quad.astype(np.float32))[1], reverse=True)
    return letters >= 2 and digits >= 2 and 2.0 <= rect_w / max(rect_h, 1.0) <= 8.0


def to_region(line: TextLine, box: tuple[float, float, float, float], text: str, width: int,
              height: int) -> Region:
    kind = "plate" if looks_like_plate(text, line) else "text"
    rect = cv2.minAreaRect(line.quad.astype(np.float32))
    extra = {
        "quad": [[round(float(x), 1), round(float(y), 1)] for x, y in line.quad],
        "line_height": round(line.height, 1),
        "angle": round(float(rect[2]), 1),
    }
    return Region(kind=kind, box=clip(box, width, height), score=round(line.score, 3),
                  source="detector", detector="rapidocr", style="solid", text=text, extra=extra)
