"""Text regions (names, room numbers, badges, registers, screens, plates) with the PP-OCR models in rapidocr.

Recall comes first: a missed name is published. Detection alone decides what is redacted; recognition only
fills ``Region.text`` (and tells a plate from other text) so a reviewer can see what was found.

The detector's probability map is computed directly with onnxruntime, in tiles stitched into one map per
pass, so a line crossing a tile seam stays one line. Passes:

1. survey: the whole photo at ``SURVEY_PIXELS`` (never upscaled; half resolution for 12 MP). The model
   still finds 10 px lines of a 12 MP photo there (5 px at survey scale), so every photo costs about the same
   whatever its size. Tiles without any edge (sky, blank walls) are skipped. Text taller than a tile is
   still found in pieces;
2. refine: the neighbourhoods of small lines found so far at ``REFINE_FACTOR`` x the survey scale (full
   resolution for 12 MP, 2x for small photos): exact boxes for small text and the small lines next to it
   (register rows, screen tables, the room number under a name), and big "lines" (often two lines run
   together, or a whole sign), within ``REFINE_MAX_PIXELS``;
3. faint: a low-contrast door sign (pale grey on white, behind glass) leaves at most a faint trace on the
   survey's map, or none but its panel. Faint traces and plain sign-like panels with no line in them are
   seen at ``FAINT_SCALE`` with their contrast stretched; a line found there must be read.

Big "lines" (foliage, dark corners, rows of vents), weak lone specks and lone lines of writing size (a
shelf edge, a roof line) are kept only when the recogniser reads letters or digits in them. Lines from
all passes are merged: a coarse pass's blob covered by finer lines gives way to them, and duplicates and
tiny fragments (a 4 px sliver of a line) fold into their line.

The models are the PP-OCR detection and recognition ONNX files inside the rapidocr wheel; rapidocr is given
them by path, so it never looks for (or downloads) anything else.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from photolab.detect import Detection
from photolab.errors import ModelError
from photolab.regions import Region, clip, linked_groups, overlap_of_smaller

DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"

SURVEY_PIXELS = 3_000_000
TILE = 1024  # px at the pass's scale: the model runs fastest per pixel on tiles about this size
TILE_OVERLAP = 64
FLAT_EDGE = 10  # grey levels: a tile whose strongest (denoised) edge is weaker holds no text
SHARPEN_AMOUNT = 3.0  # unsharp mask of the detector's input: smooth, low-contrast areas (a wall seen at
SHARPEN_SIGMA = 3.0  # half size, a sign behind glass) otherwise come out as one wall-sized blob (px)
REFINE_FACTOR = 2.0
REFINE_MAX_SCALE = 2.0
REFINE_SEED_HEIGHT = 16  # survey px: lines at most this high seed the refine pass
REFINE_CONTEXT = 3.0  # line heights of context around a small seed ...
BIG_CONTEXT = 0.25  # ... and around a big one (seen again closer, it often splits into its lines)
BIG_REFINE_SHARE = 0.05  # a big "line" covering up to this share of the photo is seen again closer (a sign)
FAINT_PROB = 0.4  # survey map traces this probable that became no line are looked at again (faint signs) ...
FAINT_MIN_PX = 3  # ... when at least this many survey px high and wide; so are sign-like panels with
PANEL_SHORT = (20, 160)  # a short side of this many survey px: at FAINT_SCALE, their contrast stretched,
FAINT_SCALE = 2.0  # and what is found there must be read at FAINT_CONFIRM (stretched, wallpaper and
FAINT_CONFIRM = 0.6  # foliage look like writing to the detector; on no-text photos those were every box)
FAINT_MAX_PIXELS = 1_000_000  # FAINT_SCALE pixels per photo for that (smallest places first)
REFINE_MAX_PIXELS = 2_500_000  # refine-scale pixels per photo (largest clusters of small text first)

PIXEL_THRESH = 0.2  # DB probability for a pixel to count as text (rapidocr default 0.3)
BOX_THRESH = 0.3  # mean probability inside a box to keep it (rapidocr default 0.5)
UNCLIP_RATIO = 1.8  # how far DB grows a box around its core (rapidocr default 1.6)
BIG_LINE = 64  # survey px: a taller "line" is looked at again closer, then must be read to be kept ...
SURE_SCORE = 0.65  # ... unless the detector is this sure of it ...
SURE_MAX_SHARE = 0.01  # ... and it covers at most this share of the photo ...
SURE_ASPECT = 1.5  # ... and it is at least this much wider than high
UNSURE_MAX_SHARE = 0.05  # an unread line-shaped big line covering at most this share is shown as unsure
WEAK_SCORE = 0.5  # a short lone box scoring below this must be confirmed by the recogniser ...
CONFIRM_SCORE = 0.5  # ... (as must every big line): it has to read letters or digits at this confidence
REPEAT_SHARE = 0.6  # ... and not mostly one character over and over
WEAK_BIG_CONFIRM = 0.8  # a big line the detector itself doubts (below WEAK_SCORE) must be read this surely
LONE_LINE = 24  # survey px: a line at least this high with no other line near it must be read ...
LONE_CONFIRM = 0.6  # ... at this confidence (writing that big reads easily; a lone "line" the recogniser
# cannot read is a shelf edge, a roof line or a shadow, which on photos without text were every false box),
IDEOGRAPH_CONFIRM = 0.9  # ... (a reading of Chinese characters only: most of the recogniser's dictionary,
# so what it guesses on foliage and shadows) ...
CLOSER_SURE = 0.6  # ... or seen closer split into two lines this sure ...
CLOSER_CONFIRM = 0.8  # ... or into a line read this surely; else it is shown to the reviewer as unsure
DUPLICATE_OVERLAP = 0.7  # boxes covered this much by another box are merged into it
COVERED = 0.8  # ... and a coarse pass's box this much covered by finer lines gives way to them
COVER_MARGIN = 0.6  # line heights a finer line reaches towards its neighbours in that test
BLOCK_ROWS = 1.8  # a coarse line this many times as high as the finer lines inside it is a block of rows
FRAGMENT_HEIGHT = 0.6  # a box at most this share of a touching line's height is a fragment of it
REC_MIN_SCORE = 0.3
MEAN = STD = 0.5  # the PP-OCR detector's input normalisation

Box = tuple[int, int, int, int]  # x, y, w, h in pixels

LABEL_WORDS = {"ID", "NR", "NO", "TEL", "EXT", "RM", "BED", "CELL", "ROOM", "UNIT", "WARD", "BLOCK"}
PLATE_TEXT = re.compile(r"^[A-Z0-9]{1,4}([ \-·]?[A-Z0-9]{1,4}){1,3}$")


@dataclass(frozen=True)
class TextLine:
    """One detected line in image pixels: a 4-point quad (reading order), the detector's score and the
    scale the pass saw the photo at (finer passes give tighter boxes)."""

    quad: np.ndarray
    score: float
    scale: float = 1.0

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


def _model(name: str) -> Path:
    path = model_dir() / name
    if not path.is_file():
        raise ModelError(f"rapidocr's packaged model {name} is missing; reinstall rapidocr==3.10.0")
    return path


def _engine(task: str, threads: int):
    """A cached engine: "det" (an onnxruntime session of the detector) or "rec" (a RapidOCR doing only
    recognition); created lazily, once per thread count."""
    key = (task, threads)
    with _engine_lock:
        if key not in _engines:
            _engines[key] = _det_session(threads) if task == "det" else _rec_engine(threads)
        return _engines[key]


def _det_session(threads: int):
    from photolab.detect import runtime

    return runtime.onnx_session(_model(DET_MODEL), threads)


def _rec_engine(threads: int):
    from rapidocr import RapidOCR

    return RapidOCR(params={
        "Global.use_det": False, "Global.use_cls": False, "Global.use_rec": True,
        "Global.log_level": "error", "Global.text_score": 0.0,
        "Global.model_root_dir": str(model_dir()), "Rec.model_path": str(_model(REC_MODEL)),
        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    })


# --------------------------------------------------------------------------- public API
def detect_text(rgb: np.ndarray, *, threads: int = 1, recognise: bool = True) -> list[Region]:
    """Text regions in an RGB uint8 image; boxes in its pixels, kind "text" or "plate", style "solid"."""
    return text_detection(rgb, threads=threads, recognise=recognise).regions


def text_detection(rgb: np.ndarray, *, threads: int = 1, recognise: bool = True) -> Detection:
    """The text family's result: regions to redact, and unsure lines as candidates (not redacted; the
    photo then needs review)."""
    if rgb.ndim == 2:
        rgb = np.stack([rgb] * 3, axis=2)
    bgr = np.ascontiguousarray(rgb[:, :, 2::-1])  # also drops an alpha channel
    lines, unsure = find_text(bgr, threads=threads)
    regions = regions_from_lines(bgr, lines, threads=threads, recognise=recognise)
    candidates = [r for r in regions_from_lines(bgr, unsure, threads=threads, recognise=recognise)
                  if not any(overlap_of_smaller(o.box, r.box) >= DUPLICATE_OVERLAP for o in regions)]
    reasons = [f"{len(candidates)} possible line(s) of text the recogniser could not read, not redacted: "
               "check them"] if candidates else []
    return Detection(regions, needs_review_reasons=reasons, candidates=candidates)


def regions_from_lines(bgr: np.ndarray, lines: list[TextLine], *, threads: int = 1,
                       recognise: bool = True) -> list[Region]:
    """Merge duplicate detections and fragments and turn them into regions (reading each when asked)."""
    merged = merge_lines(lines)
    texts = recognise_lines(bgr, [line for line, _ in merged], threads=threads) if recognise \
        else [""] * len(merged)
    return [to_region(line, box, text, bgr.shape[1], bgr.shape[0])
            for (line, box), text in zip(merged, texts, strict=True)]


def find_text_lines(bgr: np.ndarray, *, threads: int = 1) -> list[TextLine]:
    """The lines to redact (``find_text`` without the unsure ones)."""
    return find_text(bgr, threads=threads)[0]


def find_text(bgr: np.ndarray, *, threads: int = 1) -> tuple[list[TextLine], list[TextLine]]:
    """All passes: the lines to redact and the unsure ones (``confirmed``); quads in the pixels of ``bgr``."""
    height, width = bgr.shape[:2]
    survey = survey_scale(width, height)
    lines, prob = detect_with_map(bgr, survey, threads)
    refine = min(REFINE_MAX_SCALE, REFINE_FACTOR * survey)
    # small lines: their neighbourhood, and weak lone boxes (two faint lines of a sign run together):
    # themselves; then big ones (often two lines run together, unless they cover a good part of the
    # photo): themselves, with what budget is left
    medium = [ln for ln in lines if ln.height * survey <= BIG_LINE]
    small = [(ln, REFINE_CONTEXT if ln.height * survey <= REFINE_SEED_HEIGHT else BIG_CONTEXT)
             for ln in medium if ln.height * survey <= REFINE_SEED_HEIGHT or _speck(ln, medium)]
    limit = BIG_REFINE_SHARE * width * height
    big = [(ln, BIG_CONTEXT) for ln in lines if ln.height * survey > BIG_LINE and _area(ln.box) <= limit]
    areas = refine_areas(small, width, height, refine, REFINE_MAX_PIXELS)
    spent = sum(w * h for _, _, w, h in areas) * refine * refine
    areas += refine_areas(big, width, height, refine, REFINE_MAX_PIXELS - spent)
    for x, y, w, h in areas:
        for line in detect_at(bgr[y:y + h, x:x + w], refine, threads):
            lines.append(TextLine(line.quad + np.array([x, y]), line.score, refine))
    spent = sum(w * h for _, _, w, h in areas) * refine * refine
    # faint traces on the survey's map and plain sign-like panels without a line: seen closer, stretched
    seeds = faint_seeds(prob, survey, lines) + panel_seeds(_resize(bgr, survey), survey, lines)
    budget = min(FAINT_MAX_PIXELS, REFINE_MAX_PIXELS - spent) / FAINT_SCALE ** 2
    lines += faint_lines_read(bgr, seeds, FAINT_SCALE, budget, threads)
    return confirmed(bgr, lines, survey, threads)


def faint_lines_read(bgr: np.ndarray, seeds: list[TextLine], scale: float, budget: float,
                     threads: int) -> list[TextLine]:
    """Lines in faint places (``faint_seeds``, ``panel_seeds``), each seen at ``scale`` with its contrast
    stretched, kept only when the recogniser reads them there (stretched, wallpaper and foliage look
    like writing to the detector too). ``budget``: image pixels to spend."""
    height, width = bgr.shape[:2]
    found = []
    for seed in sorted(seeds, key=lambda ln: _area(ln.box)):
        px, py, pw, ph = _int_box(seed.box)
        m = round(BIG_CONTEXT * ph) + 4
        x, y, w, h = clip((px - m, py - m, pw + 2 * m, ph + 2 * m), width, height)
        if w * h > budget:
            break
        budget -= w * h
        crop = stretched(bgr[y:y + h, x:x + w], (px - x, py - y, pw, ph))
        lines = detect_at(crop, scale, threads)
        for line, (txt, score) in zip(lines, _read(crop, lines, threads), strict=True):
            if score >= FAINT_CONFIRM and _wide(line) and _plausible(txt, 2, strict=True):
                found.append(TextLine(line.quad + np.array([x, y]), line.score, scale))
    return found


def stretched(crop: np.ndarray, panel: Box) -> np.ndarray:
    """The crop's contrast stretched so the inside of ``panel`` (crop px) spans the full range."""
    x, y, w, h = panel
    inner = cv2.cvtColor(crop[y + h // 6:y + h - h // 6, x + w // 12:x + w - w // 12], cv2.COLOR_BGR2GRAY)
    if inner.size == 0:
        return crop
    lo, hi = np.percentile(inner, (1, 99))
    if hi - lo < 4:
        return crop
    return np.clip((crop.astype(np.float32) - lo) * (255.0 / (hi - lo)), 0, 255).astype(np.uint8)


def faint_seeds(prob: np.ndarray, survey: float, lines: list[TextLine]) -> list[TextLine]:
    """Where the survey's map shows a faint trace of text that became no line (a low-contrast sign):
    pseudo-lines (image px) for ``faint_lines_read``."""
    mask = ((prob > FAINT_PROB) & ~_covered(prob.shape, lines, survey)).astype(np.uint8)
    count, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=8)
    seeds = []
    for x, y, w, h, area in stats[1:count]:
        if FAINT_MIN_PX <= h <= BIG_LINE and w >= FAINT_MIN_PX and area >= FAINT_MIN_PX * FAINT_MIN_PX:
            seeds.append(_place(x, y, w, h, survey))
    return seeds


def panel_seeds(small: np.ndarray, survey: float, lines: list[TextLine]) -> list[TextLine]:
    """Sign-like panels (a rectangle with a clear edge, a few lines high, its outline filling most of its
    rotated box) that no line covers: pseudo-lines in image px, like ``faint_seeds``."""
    grey = cv2.cvtColor(small, cv2.COLOR_BGR2GRAY)
    edges = cv2.dilate(cv2.Canny(cv2.GaussianBlur(grey, (3, 3), 0), 15, 45), np.ones((3, 3), np.uint8))
    contours, _ = cv2.findContours(edges, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    covered = _covered(grey.shape, lines, survey)
    seeds = []
    for c in contours:
        _, (rw, rh), _ = cv2.minAreaRect(c)
        long_side, short_side = max(rw, rh), min(rw, rh)
        if not (PANEL_SHORT[0] <= short_side <= PANEL_SHORT[1] and 1.2 <= long_side / short_side <= 8):
            continue
        if cv2.contourArea(cv2.convexHull(c)) < 0.8 * rw * rh:
            continue
        x, y, w, h = cv2.boundingRect(c)
        if covered[y:y + h, x:x + w].mean() > 0.3:
            continue
        seeds.append(_place(x, y, w, h, survey))
    return seeds


def _place(x: int, y: int, w: int, h: int, survey: float) -> TextLine:
    """A box in survey px as a pseudo-line (score 0) in image px: a place to look at again."""
    quad = np.array([[x, y], [x + w, y], [x + w, y + h], [x, y + h]], np.float64) / survey
    return TextLine(quad, 0.0, survey)


def _covered(shape: tuple[int, ...], lines: list[TextLine], survey: float) -> np.ndarray:
    """Boolean mask (survey px) of the lines' boxes."""
    covered = np.zeros(shape[:2], bool)
    for ln in lines:
        x, y, w, h = (round(v * survey) for v in ln.box)
        covered[max(0, y):y + h, max(0, x):x + w] = True
    return covered


def survey_scale(width: int, height: int) -> float:
    """The survey pass sees the photo at about SURVEY_PIXELS, never enlarged."""
    return min(1.0, (SURVEY_PIXELS / (width * height)) ** 0.5)


# --------------------------------------------------------------------------- passes
def detect_at(image: np.ndarray, scale: float, threads: int) -> list[TextLine]:
    """Lines in ``image`` seen at ``scale`` (tiles stitched into one probability map); quads in
    ``image`` pixels."""
    return detect_with_map(image, scale, threads)[0]


def detect_with_map(image: np.ndarray, scale: float, threads: int) -> tuple[list[TextLine], np.ndarray]:
    """``detect_at``, also returning the probability map (at ``scale``)."""
    prob = probability_map(_resize(image, scale), threads)
    return [TextLine(line.quad / scale, line.score, scale) for line in lines_from_map(prob)], prob


def probability_map(bgr: np.ndarray, threads: int) -> np.ndarray:
    """The detector's text probability per pixel (float32, the image's size), computed in overlapping
    tiles of the sharpened image; each tile keeps the map away from its seams (the model sees context
    there). Flat tiles (judged before sharpening, which would raise their noise) are skipped."""
    height, width = bgr.shape[:2]
    prob = np.zeros((height, width), np.float32)
    sharp = None
    for x, y, w, h in tiles(width, height):
        if _flat(bgr[y:y + h, x:x + w]):
            continue
        if sharp is None:
            sharp = sharpened(bgr)
        out = _run_detector(sharp[y:y + h, x:x + w], threads)
        kx0 = 0 if x == 0 else TILE_OVERLAP // 2
        ky0 = 0 if y == 0 else TILE_OVERLAP // 2
        kx1 = w if x + w >= width else w - TILE_OVERLAP // 2
        ky1 = h if y + h >= height else h - TILE_OVERLAP // 2
        view = prob[y + ky0:y + ky1, x + kx0:x + kx1]
        np.maximum(view, out[ky0:ky1, kx0:kx1], out=view)
    return prob


def sharpened(bgr: np.ndarray) -> np.ndarray:
    """Unsharp mask (SHARPEN_AMOUNT, SHARPEN_SIGMA). The detector turns smooth low-contrast areas into
    a plateau of probability that swallows any faint text in them (and the recogniser then rejects the
    whole blob); sharpened, the same areas come out empty and the text in them as lines. It also lets
    the detector see dark text on a small saturated plate (yellow on a red car) it otherwise misses."""
    blurred = cv2.GaussianBlur(bgr, (0, 0), SHARPEN_SIGMA)
    return cv2.addWeighted(bgr, 1.0 + SHARPEN_AMOUNT, blurred, -SHARPEN_AMOUNT, 0.0)


def _flat(tile: np.ndarray) -> bool:
    """No edge in the tile stronger than FLAT_EDGE grey levels (after a light denoise): nothing to read."""
    if min(tile.shape[:2]) < 8:
        return True
    small = cv2.GaussianBlur(cv2.cvtColor(tile, cv2.COLOR_BGR2GRAY), (3, 3), 0)
    grad = cv2.morphologyEx(small, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    return int(grad.max()) < FLAT_EDGE


def _run_detector(tile: np.ndarray, threads: int) -> np.ndarray:
    """Probability map of one tile, padded (not stretched) to the model's multiple of 32."""
    h, w = tile.shape[:2]
    ph, pw = -(-h // 32) * 32, -(-w // 32) * 32
    padded = cv2.copyMakeBorder(tile, 0, ph - h, 0, pw - w, cv2.BORDER_REPLICATE)
    x = ((padded.astype(np.float32) * (1 / 255.0) - MEAN) / STD).transpose(2, 0, 1)[None]
    session = _engine("det", threads)
    out = session.run(None, {session.get_inputs()[0].name: x})[0]
    return out[0, 0, :h, :w]


def lines_from_map(prob: np.ndarray) -> list[TextLine]:
    """DB post-processing: text cores above PIXEL_THRESH, scored, grown by UNCLIP_RATIO."""
    from rapidocr.ch_ppocr_det.utils import DBPostProcess

    if not (prob > PIXEL_THRESH).any():
        return []
    post = DBPostProcess(thresh=PIXEL_THRESH, box_thresh=BOX_THRESH, max_candidates=5000,
                         unclip_ratio=UNCLIP_RATIO, use_dilation=True)
    boxes, scores = post(prob[None, None], prob.shape)
    return [TextLine(np.asarray(q, np.float64), float(s)) for q, s in zip(boxes, scores, strict=True)]


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


def refine_areas(seeds: list[tuple[TextLine, float]], width: int, height: int, scale: float,
                 budget: float) -> list[Box]:
    """Bounding boxes of clusters of seed lines, each grown by its context (in line heights); the largest
    clusters that fit first, until ``budget`` pixels (at ``scale``) are spent."""
    grown = []
    for line, context in seeds:
        x, y, w, h = line.box
        m = context * line.height + 4
        grown.append(clip((x - m, y - m, w + 2 * m, h + 2 * m), width, height))
    areas = sorted(clusters(grown), key=lambda b: (-b[2] * b[3], b[1], b[0]))
    budget, chosen = budget / (scale * scale), []
    for box in areas:
        if box[2] * box[3] <= budget:
            chosen.append(box)
            budget -= box[2] * box[3]
    return chosen


def clusters(boxes: list[Box]) -> list[Box]:
    """Bounding boxes of the groups of boxes that overlap or share an edge: the 4-connected parts of their
    union, as a mask would give them, without drawing a photo-sized mask (0.2 s per 12 MP photo)."""
    boxes = [b for b in boxes if b[2] > 0 and b[3] > 0]
    if not boxes:
        return []
    b = np.array(boxes, np.int64)
    x1, y1, x2, y2 = b[:, 0], b[:, 1], b[:, 0] + b[:, 2], b[:, 1] + b[:, 3]

    def touching(i: int) -> np.ndarray:  # which earlier boxes share area or an edge with box i (not a corner)
        across = np.minimum(x2[:i], x2[i]) - np.maximum(x1[:i], x1[i])
        down = np.minimum(y2[:i], y2[i]) - np.maximum(y1[:i], y1[i])
        return np.flatnonzero(((across > 0) & (down >= 0)) | ((across >= 0) & (down > 0)))

    links = ((i, j) for i in range(len(boxes)) for j in touching(i))
    out = []
    for group in linked_groups(len(boxes), links):
        out.append((int(x1[group].min()), int(y1[group].min()),
                    int(x2[group].max() - x1[group].min()), int(y2[group].max() - y1[group].min())))
    return out


def _resize(image: np.ndarray, scale: float) -> np.ndarray:
    if abs(scale - 1.0) < 1e-6:
        return image
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=interpolation)


def confirmed(bgr: np.ndarray, lines: list[TextLine], survey: float,
              threads: int) -> tuple[list[TextLine], list[TextLine]]:
    """The lines to redact, and the unsure ones (shown to a reviewer, not redacted): ``doubts_read``,
    then ``lone_lines_read`` on what is left."""
    kept, unsure = doubts_read(bgr, lines, survey, threads)
    kept, lone = lone_lines_read(bgr, kept, survey, threads)
    return kept, unsure + lone


def doubts_read(bgr: np.ndarray, lines: list[TextLine], survey: float,
                threads: int) -> tuple[list[TextLine], list[TextLine]]:
    """Lines minus the doubtful ones the recogniser cannot read either. Doubtful: a big line (taller than
    BIG_LINE at survey scale: foliage, a dark corner, a car) or a weak, short, lone box (a glyph-like
    speck). Read: letters or digits (two for a big line) at CONFIRM_SCORE. An unread big line the detector
    is sure of (SURE_SCORE), line-shaped, and covering at most SURE_MAX_SHARE of the photo stays: the model
    sometimes sees a whole car around a 9 px plate it cannot outline, and recall comes first. An unread big
    line shaped like a line of writing and covering at most UNSURE_MAX_SHARE is unsure (large writing in
    a script the recogniser does not know); returns (lines kept, unsure lines)."""
    big = [ln.height * survey > BIG_LINE for ln in lines]
    neighbours = [ln for ln, b in zip(lines, big, strict=True) if not b]  # big lines are in doubt too
    doubtful = [i for i, ln in enumerate(lines) if big[i] or _speck(ln, neighbours)]
    if not doubtful:
        return lines, []
    readings = _read(bgr, [lines[i] for i in doubtful], threads)
    limit = SURE_MAX_SHARE * bgr.shape[0] * bgr.shape[1]
    drop = set()
    for i, (txt, score) in zip(doubtful, readings, strict=True):
        huge = big[i] and _area(lines[i].box) > limit
        doubted = big[i] and (huge or lines[i].score < WEAK_SCORE)
        read = score >= (WEAK_BIG_CONFIRM if doubted else CONFIRM_SCORE) \
            and _plausible(txt, 2 if big[i] else 1, strict=huge)
        sure = big[i] and lines[i].score >= SURE_SCORE and not huge and _wide(lines[i])
        if not (read or sure):
            drop.add(i)
    unsure = [lines[i] for i in sorted(drop) if big[i] and _wide(lines[i])
              and _area(lines[i].box) <= UNSURE_MAX_SHARE * bgr.shape[0] * bgr.shape[1]]
    return [ln for i, ln in enumerate(lines) if i not in drop], unsure


def lone_lines_read(bgr: np.ndarray, lines: list[TextLine], survey: float,
                    threads: int) -> tuple[list[TextLine], list[TextLine]]:
    """A lone line of writing size (LONE_LINE to BIG_LINE at survey scale, no other line near it) must be
    read at LONE_CONFIRM or confirmed by a ``closer_look``; else it is unsure, not redacted. On photos
    without text these were every false box (a shelf edge, a roof line, a leaf's shadow); writing the
    recogniser cannot read (a script it does not know) is left to the reviewer, never silently dropped.
    Returns (lines to redact, unsure lines)."""
    lone = [i for i, ln in enumerate(lines)
            if LONE_LINE <= ln.height * survey <= BIG_LINE and _alone(ln, lines)]
    if not lone:
        return lines, []
    refine = min(REFINE_MAX_SCALE, REFINE_FACTOR * survey)
    unsure, closer = set(), []
    for i, (txt, score) in zip(lone, _read(bgr, [lines[i] for i in lone], threads), strict=True):
        if score >= (IDEOGRAPH_CONFIRM if _ideographs(txt) else LONE_CONFIRM) and _plausible(txt, 1):
            continue
        seen = closer_look(bgr, lines[i], refine, threads)
        if seen:
            closer += seen
        else:
            unsure.add(i)
    return ([ln for i, ln in enumerate(lines) if i not in unsure] + closer,
            [lines[i] for i in sorted(unsure)])


def closer_look(bgr: np.ndarray, line: TextLine, scale: float, threads: int) -> list[TextLine]:
    """The lines inside a lone unread line seen at ``scale``, when they confirm it is writing: at least
    two the detector is sure of (two lines of a sign the survey ran together) or one read surely; else
    none. A shelf edge or a roof line seen closer comes apart into weak fragments read as "1" or "AN"."""
    x, y, w, h = _int_box(line.box)
    m = round(line.height) + 4
    x0, y0 = max(0, x - m), max(0, y - m)
    own = (x, y, w, h)
    found = [TextLine(ln.quad + np.array([x0, y0]), ln.score, scale)
             for ln in detect_at(bgr[y0:y + h + m, x0:x + w + m], scale, threads)]
    found = [ln for ln in found if overlap_of_smaller(own, _int_box(ln.box)) > 0.5]
    if sum(ln.score >= CLOSER_SURE for ln in found) >= 2:
        return found
    readings = _read(bgr, found, threads)
    return found if any(s >= CLOSER_CONFIRM and _plausible(t, 2) for t, s in readings) else []


def _wide(line: TextLine) -> bool:
    """Shaped like a line of writing (a plate, a word), not like a lump (a chair back, a bag)."""
    long_side, short_side = sorted(cv2.minAreaRect(line.quad.astype(np.float32))[1], reverse=True)
    return long_side >= SURE_ASPECT * max(short_side, 1.0)


def _plausible(reading: str, least: int, *, strict: bool = False) -> bool:
    """At least ``least`` letters or digits, and (from four on) not mostly one character repeated: a chain,
    a grille or a row of brackets reads "0000", "5555" or "1000000E" (a room "100" is kept). ``strict``
    (a blob covering a good part of the photo: a tray of coins reads "00", "000") also refuses two or
    three of one character."""
    chars = [c for c in reading if c.isalnum()]
    if len(chars) < least:
        return False
    if len(chars) < 4:
        return not strict or len(set(chars)) > 1
    return max(chars.count(c) for c in set(chars)) <= REPEAT_SHARE * len(chars)


def _ideographs(reading: str) -> bool:
    """Only CJK ideographs among the letters and digits."""
    chars = [c for c in reading if c.isalnum()]
    return bool(chars) and all("\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff" for c in chars)


def _speck(line: TextLine, neighbours: list[TextLine]) -> bool:
    """Weak, about as wide as high, and alone."""
    _, _, w, h = line.box
    return line.score < WEAK_SCORE and w <= 2 * h and _alone(line, neighbours)


def _alone(line: TextLine, neighbours: list[TextLine]) -> bool:
    """No other line within three of its heights (one found again in the same place by another pass is
    the same line, not a neighbour)."""
    x, y, w, h = line.box
    m = 3 * line.height
    near, own = _int_box((x - m, y - m, w + 2 * m, h + 2 * m)), _int_box(line.box)
    return not any(o is not line and overlap_of_smaller(near, _int_box(o.box)) > 0
                   and overlap_of_smaller(own, _int_box(o.box)) < DUPLICATE_OVERLAP for o in neighbours)


# --------------------------------------------------------------------------- merging, recognition
def merge_lines(lines: list[TextLine]) -> list[tuple[TextLine, tuple[float, float, float, float]]]:
    """Fold lines found by several passes. A coarse pass's box that finer passes' lines cover (a block of
    register rows the overview saw as one blob) gives way to them; then a box mostly inside a bigger one,
    or a thin sliver touching a taller line, is absorbed by it.

    Returns (line, box) pairs: the biggest member's quad (for recognition) and the union of all members'
    boxes (for redaction), so nothing any pass detected is dropped.
    """
    kept: list[tuple[TextLine, list[float]]] = []
    for line in sorted(_finest_first(lines), key=lambda ln: -_area(ln.box)):
        box = line.box
        for owner, union in kept:
            if _belongs(box, line.height, union, owner.height):
                x1, y1 = min(union[0], box[0]), min(union[1], box[1])
                x2, y2 = max(union[0] + union[2], box[0] + box[2]), max(union[1] + union[3], box[1] + box[3])
                union[:] = [x1, y1, x2 - x1, y2 - y1]
                break
        else:
            kept.append((line, list(box)))
    return [(line, (union[0], union[1], union[2], union[3])) for line, union in kept]


def _finest_first(lines: list[TextLine]) -> list[TextLine]:
    """Lines minus the blocks of rows coarser passes saw as one: a coarse line at least BLOCK_ROWS times
    as high as the finer lines inside it, which (grown by COVER_MARGIN of their height, to bridge line
    spacing) cover at least COVERED of its box. A coarse single line stays (it merges with its parts)."""
    out: list[TextLine] = []
    for line in sorted(lines, key=lambda ln: -ln.scale):
        finer = [o for o in out if o.scale > line.scale
                 and overlap_of_smaller(_int_box(line.box), _int_box(o.box)) > 0.5]
        block = bool(finer) and line.height >= BLOCK_ROWS * float(np.median([o.height for o in finer]))
        if not block or _coverage(line.box, finer) < COVERED:
            out.append(line)
    return out


def _coverage(box: tuple[float, float, float, float], others: list[TextLine]) -> float:
    x0, y0, w, h = (int(v) for v in box)
    if w < 1 or h < 1:
        return 1.0
    mask = np.zeros((h + 1, w + 1), bool)
    for other in others:
        ox, oy, ow, oh = other.box
        m = COVER_MARGIN * other.height
        x1, y1 = max(0, int(ox - m) - x0), max(0, int(oy - m) - y0)
        x2, y2 = min(w + 1, int(ox + ow + m) + 1 - x0), min(h + 1, int(oy + oh + m) + 1 - y0)
        if x2 > x1 and y2 > y1:
            mask[y1:y2, x1:x2] = True
    return float(mask.mean())


def _belongs(box, height: float, union, owner_height: float) -> bool:
    """Is ``box`` a duplicate of (mostly inside) ``union``, or a fragment of it (much thinner and
    touching it within half its own height)?"""
    if overlap_of_smaller(_int_box(union), _int_box(box)) >= DUPLICATE_OVERLAP:
        return True
    if height > FRAGMENT_HEIGHT * owner_height:
        return False
    m = 0.5 * height + 1
    grown = (box[0] - m, box[1] - m, box[2] + 2 * m, box[3] + 2 * m)
    return overlap_of_smaller(_int_box(union), _int_box(grown)) > 0


def _area(box: tuple[float, float, float, float]) -> float:
    return box[2] * box[3]


def _int_box(box) -> tuple[int, int, int, int]:
    return (int(box[0]), int(box[1]), round(float(box[2])), round(float(box[3])))


def recognise_lines(bgr: np.ndarray, lines: list[TextLine], *, threads: int = 1) -> list[str]:
    """Best-effort readings (empty when unsure), recognised in batches; only confirms doubtful lines."""
    return [txt if score >= REC_MIN_SCORE else "" for txt, score in _read(bgr, lines, threads)]


def _read(bgr: np.ndarray, lines: list[TextLine], threads: int) -> list[tuple[str, float]]:
    strips = [rectify(bgr, line.quad) for line in lines]
    todo = [i for i, s in enumerate(strips) if s is not None]
    out = [("", 0.0)] * len(lines)
    if todo:
        result = _engine("rec", threads).recognize_txt([strips[i] for i in todo])
        for i, txt, score in zip(todo, result.txts or (), result.scores or (), strict=False):
            out[i] = ((txt or "").strip(), float(score))
    return out


def recognise_line(bgr: np.ndarray, line: TextLine, *, threads: int = 1) -> str:
    return recognise_lines(bgr, [line], threads=threads)[0]


def rectify(bgr: np.ndarray, quad: np.ndarray, target_height: int = 48) -> np.ndarray | None:
    """The quad warped to a horizontal strip ``target_height`` px high (48: the recogniser's input)."""
    tl, tr, br, bl = quad.astype(np.float32)
    width = max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl))
    height = max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr))
    if width < 2 or height < 2:
        return None
    if height > 1.5 * width:  # vertical line: read it turned
        tl, tr, br, bl = bl, tl, tr, br
        width, height = height, width
    k = target_height / height if target_height < height else max(1.0, target_height / height)
    size = (max(2, round(float(width * k))), max(2, round(float(height * k))))
    target = np.float32([[0, 0], [size[0], 0], [size[0], size[1]], [0, size[1]]])
    matrix = cv2.getPerspectiveTransform(np.float32([tl, tr, br, bl]), target)
    return cv2.warpPerspective(bgr, matrix, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def looks_like_plate(text: str, line: TextLine) -> bool:
    """Licence-plate shape: 5-8 letters and digits (at least two of each) in 2-4 groups, a wide box."""
    compact = re.sub(r"[ \-·]", "", text)
    if not PLATE_TEXT.match(text.strip()) or not 5 <= len(compact) <= 8:
        return False
    if re.split(r"[ \-·]", text.strip())[0] in LABEL_WORDS:  # "ID 81172", "TEL 5531": a label, not a plate
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
