"""Faces: a recall-first ensemble of CenterFace, YuNet and BlazeFace, and the rules that combine them.

The backends (``centerface``, ``yunet``, ``blazeface`` modules) only turn pixels into scored boxes. This
module decides where to look and what to keep. A missed face is published, so passes only add boxes:

- CenterFace and YuNet on a working copy: full resolution up to 2048 px, 1600 px long for larger photos,
  and enlarged 2x for small photos so 10-20 px faces are found;
- a finer pass in tiles, only over the part of a large photo where small faces were found (crowds);
- BlazeFace short range on the whole frame (large, near faces: a selfie, a portrait);
- the frame turned 90° and 270° (people lying on beds and floors); a photo taken sideways, where the
  turned copy shows faces the upright passes missed, gets the full passes in that orientation;
- a half-size pass on a blurred photo, plain and sharpened (blurred faces look sharper smaller);
- brightened copies when the photo is dark (all three families again).

Combining: a weak box is kept when a second detector family sees the same face (about the same place and
size), else it becomes a candidate shown to the reviewer. Weak faces are kept only in a photo that also
shows a strong face (real weak faces come in groups and crowds; on photos without people every false face
is weak), else they too become candidates and the photo needs review. Boxes for the same face are merged
into one outline (the tightest family's box averaged with another family's where they agree, both where
they disagree) and returned unpadded in the input's pixels; redact pads them.
The result says whether the photo is dark or has borderline detections, so the review desk can force a
human look, and ``review_view`` gives the desk the brightened picture a reviewer needs to see what the
detectors could not. Measurements behind every threshold: bench/bench_faces.py.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import cv2
import numpy as np

from photolab.detect import Detection, blazeface, centerface, runtime, yunet
from photolab.regions import Region, clip, iou

WORK_LONG = 1600  # long side of the working copy of a large photo (px)
FULL_RES_LONG = 2048  # photos up to this long side are searched at full resolution
SMALL_PHOTO_LONG = 1280  # photos up to this long side are searched enlarged 2x
ROTATED_LONG = 800  # long side of the rotated copies
TURNED_PROBE = 0.6  # a face this sure in a turned copy, that the upright passes missed ...
TURNED_SHARE = 0.2  # ... (at least this share of the upright faces) earns that orientation full passes;
TURNED_LEAD = 4  # so do more than this many times the sure faces of the opposite turn (at least this many)
FINE_FACE_PX = 24  # faces found smaller than this at working scale trigger the fine pass over their area
TILE = 1024  # tile side (px) for the fine pass
FINE_SCALE = 1.5  # the fine pass looks at the photo this much larger than the working copy
DARK_MEAN = 70.0  # mean luma (0-255) below which a photo counts as dark
DARK_P90 = 110.0  # ... or whose 90th percentile is below this
VERY_DARK_MEAN = 30.0  # below this a reviewer cannot judge the photo at normal brightness
LOWLIGHT_LONG = 1024  # long side of the denoised, brightened copy of a dark photo
LOWLIGHT_DENOISE = 1.5  # Gaussian sigma (px) applied before brightening
SOFT_DETAIL = 20.0  # a photo with less fine detail than this is blurred: it also gets a half-size pass ...
SOFT_SCALE = 0.5  # ... where blurred faces look sharper, plain and sharpened (unsharp mask of this
SOFT_SHARPEN = (1.5, 1.5)  # amount and sigma in px at that scale: +11 of 460 blurred hard-case faces)
CANDIDATE_MIN = 0.2  # weaker raw boxes are not even shown to the reviewer (on photos without people they
# were three quarters of the candidates; every false box costs the reviewer's trust in the boxes)
CONFIDENT = 0.5  # a face below this that no second detector family confirms is "borderline"
BORDERLINE_SHARE = 0.05  # low confidence when this share of the faces (at least one) is borderline
SAME_FACE_OVERLAP = 0.5  # two boxes show the same face: this much of the smaller inside the larger ...
SAME_FACE_AREA = 0.25  # ... and the smaller at least this share of the larger's area
MERGE_IOU = 0.3  # boxes of one face merge into one outline at this IoU ...
MERGE_OVERLAP = 0.5  # ... or when this much of the smaller lies in the larger and their sizes are alike
NESTED = 0.9  # a box this much inside a better-scored one adds nothing to the redaction
AGREE_IOU = 0.5  # two families' boxes of one face this alike give their mean; less alike, both are covered


@dataclass(frozen=True)
class Rule:
    """When a raw box of one pass family is kept: from ``sure`` on its own, from ``least`` if confirmed."""

    least: float
    sure: float


# Tuned on part of faces-dev and checked on the held-back part and generated hard cases
# (bench/bench_faces.py). A low-score box is kept when another family sees the same face.
RULES = {
    "centerface": Rule(least=0.1, sure=0.2),
    "yunet": Rule(least=0.3, sure=0.75),
    "blazeface": Rule(least=0.5, sure=0.9),  # BlazeFace alone draws big boxes on shirts and hands
    "rotated": Rule(least=0.6, sure=0.6),
}
CONFIRMING = {"centerface": 0.08, "yunet": 0.25, "blazeface": 0.4}  # a second opinion may be this weak
STRONG = {"centerface": 0.5, "yunet": 0.85, "blazeface": 0.9, "rotated": 0.8}  # needs no support ...
STRONG_PAIR = (1.1, 1.1)  # ... nor does a face CenterFace and YuNet both see this sure (off: > 1)
DARK_KEEPS_WEAK = False  # True: in a dark photo weak faces need no strong neighbour
RAW_THRESHOLD = {"centerface": 0.08, "yunet": 0.25, "blazeface": 0.4, "rotated": 0.6}
OUTLINE_PRIORITY = {"centerface": 0, "yunet": 1, "blazeface": 2}  # whose box outlines a merged face
ALL_PASSES = ("centerface", "yunet", "blazeface", "fine", "rotated", "lowlight", "soft")


@dataclass
class Pass:
    """Raw boxes of one detector pass, in the full photo's pixels."""

    family: str  # centerface | yunet | blazeface | rotated: which rule judges its boxes
    name: str  # for the report: e.g. "centerface", "yunet-lowlight"
    boxes: np.ndarray  # (N, 5) x1, y1, x2, y2, score


@dataclass
class Looked:
    """Everything the passes saw in one photo, before any box is judged."""

    passes: list[Pass]
    width: int
    height: int
    mean_luma: float
    dark: bool
    timings: dict[str, float]


# ------------------------------------------------------------------------------------------- image helpers

def _resize(rgb: np.ndarray, factor: float) -> np.ndarray:
    if abs(factor - 1.0) < 1e-6:
        return rgb
    h, w = rgb.shape[:2]
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR)


def _scaled(boxes: np.ndarray, factor: float, dx: float = 0.0, dy: float = 0.0) -> np.ndarray:
    out = boxes.copy()
    out[:, :4] /= factor
    out[:, [0, 2]] += dx
    out[:, [1, 3]] += dy
    return out


def _rotated_back(boxes: np.ndarray, turns: int, w: int, h: int) -> np.ndarray:
    """Boxes found in ``np.rot90(image, turns)`` mapped back to the unrotated (w x h) image."""
    out = boxes.copy()
    x1, y1, x2, y2 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    if turns % 4 == 1:  # counter-clockwise: rotated (x, y) came from (w - y, x)
        out[:, 0], out[:, 1], out[:, 2], out[:, 3] = w - y2, x1, w - y1, x2
    elif turns % 4 == 2:  # upside down: rotated (x, y) came from (w - x, h - y)
        out[:, 0], out[:, 1], out[:, 2], out[:, 3] = w - x2, h - y2, w - x1, h - y1
    elif turns % 4 == 3:  # clockwise: rotated (x, y) came from (y, h - x)
        out[:, 0], out[:, 1], out[:, 2], out[:, 3] = y1, h - x2, y2, h - x1
    return out


def _tiles(w: int, h: int, tile: int, overlap: int) -> Iterator[tuple[int, int, int, int]]:
    step = tile - overlap
    for y in range(0, max(1, h - overlap), step):
        for x in range(0, max(1, w - overlap), step):
            yield x, y, min(w, x + tile), min(h, y + tile)


Backend = Callable[[np.ndarray], np.ndarray]


def _fine_pass(rgb: np.ndarray, area: tuple[int, int, int, int], factor: float,
               detect: Backend) -> np.ndarray:
    """Run ``detect`` on tiles of ``area`` (x1, y1, x2, y2 in image pixels) resized by ``factor``."""
    x1, y1, x2, y2 = area
    src_tile = max(64, int(TILE / factor))
    overlap = max(32, src_tile // 8)
    found = []
    for tx1, ty1, tx2, ty2 in _tiles(x2 - x1, y2 - y1, src_tile, overlap):
        crop = _resize(rgb[y1 + ty1:y1 + ty2, x1 + tx1:x1 + tx2], factor)
        boxes = detect(crop)
        if len(boxes):
            found.append(_scaled(boxes, factor, x1 + tx1, y1 + ty1))
    return np.concatenate(found) if found else np.zeros((0, 5), np.float32)


def luma_stats(rgb: np.ndarray) -> tuple[float, float]:
    """Mean and 90th percentile of luma on a small thumbnail."""
    h, w = rgb.shape[:2]
    small = _resize(rgb, min(1.0, 256 / max(h, w)))
    y = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY) if small.ndim == 3 else small
    return float(y.mean()), float(np.percentile(y, 90))


def is_dark(rgb: np.ndarray) -> bool:
    """Whether the photo counts as dark (then it gets the brightened passes and a forced human look)."""
    mean, p90 = luma_stats(_as_rgb(rgb))
    return mean < DARK_MEAN or p90 < DARK_P90


def brighten(rgb: np.ndarray) -> np.ndarray:
    """Low-light copy: gamma lift towards a mean of 110/255, then CLAHE on the L channel."""
    rgb = _as_rgb(rgb)
    mean = max(1.0, luma_stats(rgb)[0])
    gamma = min(1.0, max(0.3, math.log(110 / 255) / math.log(mean / 255)))
    lut = np.clip(((np.arange(256) / 255.0) ** gamma) * 255.0, 0, 255).astype(np.uint8)
    lifted = cv2.LUT(rgb, lut)
    lab = cv2.cvtColor(lifted, cv2.COLOR_RGB2LAB)
    lab[:, :, 0] = cv2.createCLAHE(clipLimit=2.5, tileGridSize=(8, 8)).apply(lab[:, :, 0])
    return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)


def review_view(rgb: np.ndarray) -> tuple[np.ndarray, bool]:
    """What the desk shows for the mandatory full-size check: a dark photo brightened (for display only,
    never written out), anything else as it is. Returns the pixels and whether they were brightened."""
    rgb = _as_rgb(rgb)
    return (brighten(rgb), True) if is_dark(rgb) else (rgb, False)


def _as_rgb(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_RGBA2RGB)
    return np.ascontiguousarray(image[:, :, :3])


def _shrunk(rgb: np.ndarray, work: np.ndarray, long_side: int) -> tuple[np.ndarray, float]:
    """A copy at most ``long_side`` px long, made from the smaller of the photo and its working copy,
    with its exact scale relative to the photo."""
    h, w = rgb.shape[:2]
    source = work if work.shape[1] < w else rgb
    small = _resize(source, min(1.0, long_side / max(h, w)) * w / source.shape[1])
    return small, small.shape[1] / w


# ---------------------------------------------------------------------------------------------- passes

class _Passes:
    """Runs detector passes, times them, and collects their raw boxes in the full photo's pixels."""

    def __init__(self) -> None:
        self.raw: list[Pass] = []
        self.timings: dict[str, float] = {}

    def run(self, name: str, family: str, fn: Callable[[], np.ndarray]) -> None:
        t0 = time.perf_counter()
        boxes = fn()
        key = "rotated" if family == "rotated" else name.split("-")[0]
        self.timings[key] = self.timings.get(key, 0.0) + time.perf_counter() - t0
        self.raw.append(Pass(family, name, boxes.astype(np.float32).reshape(-1, 5)))

    def boxes(self) -> np.ndarray:
        return np.concatenate([p.boxes for p in self.raw]) if self.raw else np.zeros((0, 5), np.float32)


def _cf(image: np.ndarray, threshold: float = RAW_THRESHOLD["centerface"]) -> np.ndarray:
    return centerface.detect(image, threshold)


def _yn(image: np.ndarray) -> np.ndarray:
    return yunet.detect(image, RAW_THRESHOLD["yunet"])


def _bf(image: np.ndarray) -> np.ndarray:
    return blazeface.detect(image, RAW_THRESHOLD["blazeface"])


def look(image: np.ndarray, passes: tuple[str, ...] | None = None) -> Looked:
    """Run the ensemble's passes over one photo; ``passes`` limits them (benchmarks)."""
    rgb = _as_rgb(image)
    h, w = rgb.shape[:2]
    use = set(passes or ALL_PASSES)
    run = _Passes()
    runtime.cv2_threads(runtime.threads())
    small_photo = max(h, w) <= SMALL_PHOTO_LONG
    factor = 2.0 if small_photo else 1.0 if max(h, w) <= FULL_RES_LONG else WORK_LONG / max(h, w)
    work = _resize(rgb, factor)
    if "centerface" in use:
        run.run("centerface", "centerface", lambda: _scaled(_cf(work), factor))
    if "yunet" in use:
        run.run("yunet", "yunet", lambda: _scaled(_yn(work), factor))
        if small_photo:  # YuNet also unenlarged: it sees large faces better at 1x
            run.run("yunet", "yunet", lambda: _yn(rgb))
    if "fine" in use and factor < 1.0:
        _fine_passes(run, rgb, factor)
    if "blazeface" in use:
        run.run("blazeface", "blazeface", lambda: _bf(rgb))
    if "rotated" in use:
        _rotated_passes(run, rgb, work, factor)
    mean, p90 = luma_stats(work)
    dark = mean < DARK_MEAN or p90 < DARK_P90
    if "soft" in use and not dark and _soft(rgb):
        half, hf = _shrunk(rgb, work, max(64, round(SOFT_SCALE * max(h, w))))
        for copy in (half, _sharpened(half, *SOFT_SHARPEN)):
            run.run("centerface-soft", "centerface", lambda c=copy: _scaled(_cf(c), hf))
            run.run("yunet-soft", "yunet", lambda c=copy: _scaled(_yn(c), hf))
    if dark and "lowlight" in use:
        for bright in _lowlight_copies(rgb, work, small_photo):
            lf = bright.shape[1] / w
            run.run("centerface-lowlight", "centerface", lambda b=bright, f=lf: _scaled(_cf(b), f))
            run.run("yunet-lowlight", "yunet", lambda b=bright, f=lf: _scaled(_yn(b), f))
            run.run("blazeface-lowlight", "blazeface", lambda b=bright, f=lf: _scaled(_bf(b), f))
    return Looked(run.raw, w, h, mean, dark, run.timings)


def _rotated_passes(run: _Passes, rgb: np.ndarray, work: np.ndarray, factor: float) -> None:
    """CenterFace on small copies turned 90°, 180° and 270° (people lying down, a print scanned upside
    down); when a turned copy shows faces the upright passes did not (a photo taken sideways, a group on
    the floor), that orientation also gets the full CenterFace and YuNet passes at working scale."""
    small, rf = _shrunk(rgb, work, ROTATED_LONG)
    sh, sw = small.shape[:2]
    upright = run.boxes()
    upright = upright[upright[:, 4] >= 0.5]
    sure, new = {}, {}
    for turns in (1, 2, 3):
        run.run("centerface-rotated", "rotated", lambda t=turns: _scaled(_rotated_back(
            _cf(np.ascontiguousarray(np.rot90(small, t)), RAW_THRESHOLD["rotated"]), t, sw, sh), rf))
        found = [b for b in run.raw[-1].boxes if b[4] >= TURNED_PROBE]
        sure[turns], new[turns] = len(found), sum(not _same_face(b, upright).any() for b in found)
    if sure[2] >= TURNED_LEAD:  # the upside-down probe is compared with the upright copy at its own scale
        sure[0] = int((_cf(small, RAW_THRESHOLD["rotated"])[:, 4] >= TURNED_PROBE).sum())
    for turns, other in ((1, 3), (2, 0), (3, 1)):
        missed_upright = new[turns] > 0 and new[turns] >= TURNED_SHARE * len(upright)
        # Upright faces look alike to the probes turned either way, and far surer upright than upside
        # down; a photo taken sideways or upside down does not, and when the upright passes half saw its
        # faces (so few are new), its smallest only the full passes in its orientation find.
        lead = sure[turns] >= TURNED_LEAD and sure[turns] > TURNED_LEAD * sure[other]
        if missed_upright or lead:
            _turned_full(run, work, factor, turns)


def _turned_full(run: _Passes, work: np.ndarray, factor: float, turns: int) -> None:
    wh, ww = work.shape[:2]
    turned = np.ascontiguousarray(np.rot90(work, turns))
    for name, family, detect in (("centerface-turned", "centerface", _cf), ("yunet-turned", "yunet", _yn)):
        run.run(name, family, lambda d=detect: _scaled(_rotated_back(d(turned), turns, ww, wh), factor))


def _fine_passes(run: _Passes, rgb: np.ndarray, factor: float) -> None:
    """Tiles at a finer scale over the area of a large photo where small faces were found."""
    h, w = rgb.shape[:2]
    found = run.boxes()
    area = _small_face_area(found[found[:, 4] >= 0.2], factor, w, h)
    if area is None:
        return
    fine = min(1.0, FINE_SCALE * factor)
    run.run("fine-centerface", "centerface", lambda: _fine_pass(rgb, area, fine, _cf))
    run.run("fine-yunet", "yunet", lambda: _fine_pass(rgb, area, fine, _yn))


def _small_face_area(boxes: np.ndarray, factor: float, w: int, h: int) -> tuple[int, int, int, int] | None:
    """Bounding area (image px) of faces that were small at working scale, plus a margin; None if none."""
    if len(boxes) == 0:
        return None
    heights = (boxes[:, 3] - boxes[:, 1]) * factor
    small = boxes[heights < FINE_FACE_PX]
    if len(small) == 0:
        return None
    margin = 4 * float(np.median(small[:, 3] - small[:, 1]))
    x1 = max(0, int(small[:, 0].min() - margin))
    y1 = max(0, int(small[:, 1].min() - margin))
    x2 = min(w, int(small[:, 2].max() + margin))
    y2 = min(h, int(small[:, 3].max() + margin))
    return (x1, y1, x2, y2) if x2 > x1 and y2 > y1 else None


def _sharpened(rgb: np.ndarray, amount: float, sigma: float) -> np.ndarray:
    return cv2.addWeighted(rgb, 1.0 + amount, cv2.GaussianBlur(rgb, (0, 0), sigma), -amount, 0.0)


def _soft(rgb: np.ndarray) -> bool:
    """Out of focus or shaken: little fine detail anywhere (99th percentile of the Laplacian at 1024 px)."""
    h, w = rgb.shape[:2]
    grey = cv2.cvtColor(_resize(rgb, min(1.0, 1024 / max(h, w))), cv2.COLOR_RGB2GRAY)
    return float(np.percentile(np.abs(cv2.Laplacian(grey.astype(np.float32), cv2.CV_32F)), 99)) < SOFT_DETAIL


def _lowlight_copies(rgb: np.ndarray, work: np.ndarray, small_photo: bool) -> Iterator[np.ndarray]:
    """Brightened copies of a dark photo: one denoised at <= 1024 px (sensor noise, once lifted, hides
    faces from the networks, and enlarging makes it worse), and for small photos one enlarged (clean but
    underexposed photos with small faces)."""
    small, _ = _shrunk(rgb, work, LOWLIGHT_LONG)
    yield brighten(cv2.GaussianBlur(small, (0, 0), LOWLIGHT_DENOISE))
    if small_photo:
        h, w = rgb.shape[:2]
        yield brighten(_resize(rgb, min(2.0, 1600 / max(h, w))))


# --------------------------------------------------------------------------------------- combining rules

def _intersection(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    iw = np.clip(np.minimum(box[2], others[:, 2]) - np.maximum(box[0], others[:, 0]), 0, None)
    ih = np.clip(np.minimum(box[3], others[:, 3]) - np.maximum(box[1], others[:, 1]), 0, None)
    return iw * ih


def _areas(boxes: np.ndarray) -> np.ndarray:
    return np.maximum(0.0, boxes[..., 2] - boxes[..., 0]) * np.maximum(0.0, boxes[..., 3] - boxes[..., 1])


def _overlap_of_smaller(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    if len(others) == 0:
        return np.zeros(0)
    return _intersection(box, others) / np.maximum(1e-6, np.minimum(_areas(box), _areas(others)))


def _same_face(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Which of ``others`` show the same face as ``box``: overlapping, and of about the same size (a
    large false box is not confirmed by a real face that happens to lie inside it)."""
    if len(others) == 0:
        return np.zeros(0, bool)
    a, b = _areas(box), _areas(others)
    ratio = np.minimum(a, b) / np.maximum(1e-6, np.maximum(a, b))
    return (_overlap_of_smaller(box, others) > SAME_FACE_OVERLAP) & (ratio >= SAME_FACE_AREA)


Evidence = dict[str, float]  # best score each detector family gave one face
Judged = list[tuple[Pass, np.ndarray, Evidence]]


def _judge(passes: list[Pass]) -> tuple[Judged, list[tuple[Pass, np.ndarray]]]:
    """Split raw boxes into kept (with the evidence other families gave the same face) and weak
    candidates (shown to the reviewer only)."""
    kept, weak = [], []
    for p in passes:
        rule = RULES[p.family]
        seconds = [(q.family, q.boxes[q.boxes[:, 4] >= CONFIRMING[q.family]]) for q in passes
                   if q.family in CONFIRMING and q.family != p.family and len(q.boxes)]
        for box in p.boxes:
            if box[4] < rule.least:
                continue  # too weak to keep; it may still confirm another family's box
            evidence = {p.family: float(box[4])}
            for family, boxes in seconds:
                same = _same_face(box, boxes)
                if same.any():
                    evidence[family] = max(evidence.get(family, 0.0), float(boxes[same, 4].max()))
            if box[4] >= rule.sure or len(evidence) > 1:
                kept.append((p, box, evidence))
            else:
                weak.append((p, box))
    return kept, weak


def strong(evidence: Evidence) -> bool:
    """Evidence that needs no support from other faces in the photo (see ``combine``)."""
    return (any(evidence.get(family, 0.0) >= score for family, score in STRONG.items())
            or min(evidence.get("centerface", 0.0) / STRONG_PAIR[0],
                   evidence.get("yunet", 0.0) / STRONG_PAIR[1]) >= 1.0)


def _supported(regions: list[Region], dark: bool) -> tuple[list[Region], list[Region]]:
    """(kept, demoted): weak faces stay only in a photo that shows at least one strong face, or a dark one.

    Real weak detections come in crowds and groups (the faces at the back of the room, next to clear ones
    in front); in photos with no people, every false face is weak. A lone weak face in a bright photo
    becomes a candidate the reviewer sees, and the photo needs review."""
    if (dark and DARK_KEEPS_WEAK) or any(strong(r.extra.get("evidence", {})) for r in regions):
        return regions, []
    return [], regions


def combine(looked: Looked) -> Detection:
    """The ensemble's verdict on what the passes saw: regions to redact, candidates, review flags."""
    w, h = looked.width, looked.height
    kept, weak = _judge(looked.passes)
    regions, demoted = _supported(_to_regions(kept, w, h), looked.dark)
    shown = [(p, b, {}) for p, b in weak if b[4] >= CANDIDATE_MIN]
    candidates = demoted + _uncovered(_to_regions(shown, w, h), regions + demoted)
    unconfirmed = [r for r in regions if r.score < CONFIDENT and not r.extra.get("confirmed")]
    low_confidence = looked.dark or len(unconfirmed) >= max(1, BORDERLINE_SHARE * len(regions))
    reasons = []
    if looked.dark:
        how = "look at it brightened" if looked.mean_luma < VERY_DARK_MEAN else "look"
        reasons.append(f"dark photo (mean brightness {looked.mean_luma:.0f}/255): {how} for faces the "
                       f"detectors missed")
    if unconfirmed:
        reasons.append(f"{len(unconfirmed)} face(s) seen by one detector only, below {CONFIDENT:.0%}")
    if candidates:
        reasons.append(f"{len(candidates)} weak face candidate(s) not redacted: check them")
    return Detection(regions, looked.dark, low_confidence, reasons, dict(looked.timings), candidates)


def _uncovered(candidates: list[Region], kept: list[Region]) -> list[Region]:
    """Candidates that no kept region already covers by more than half."""
    if not kept:
        return candidates
    k = np.array([[r.box[0], r.box[1], r.x2, r.y2] for r in kept], np.float64)
    out = []
    for c in candidates:
        box = np.array([c.box[0], c.box[1], c.x2, c.y2], np.float64)
        if not (_overlap_of_smaller(box, k) > 0.5).any():
            out.append(c)
    return out


def _to_regions(found: Judged, w: int, h: int) -> list[Region]:
    raw = []
    for p, (x1, y1, x2, y2, score), evidence in found:
        box = clip((float(x1), float(y1), float(x2 - x1), float(y2 - y1)), w, h)
        if box[2] >= 2 and box[3] >= 2:
            raw.append(Region(kind="face", box=box, score=round(float(score), 3), detector=p.name,
                              extra={"evidence": evidence}))
    return _merge_with_votes(raw)


def _merge_with_votes(raw: list[Region]) -> list[Region]:
    """Non-maximum suppression that keeps coverage: a box is dropped only when a better-scored box covers
    the same face (IoU >= 0.5) or contains it; partly overlapping boxes both stay, so their union is
    redacted. Each kept box remembers which detector families saw that face (two = confirmed)."""
    if not raw:
        return []
    order = sorted(raw, key=lambda r: -r.score)
    xyxy = np.array([[r.box[0], r.box[1], r.x2, r.y2] for r in order], np.float64)
    areas = _areas(xyxy)
    owner = np.full(len(order), -1)
    for i in range(len(order)):
        if owner[i] >= 0:
            continue
        owner[i] = i
        rest = np.nonzero(owner < 0)[0]
        if len(rest):
            inter = _intersection(xyxy[i], xyxy[rest])
            same = inter / np.maximum(1e-6, areas[i] + areas[rest] - inter) >= MERGE_IOU
            smaller = np.minimum(areas[i], areas[rest])
            alike = (inter >= MERGE_OVERLAP * smaller) & (
                smaller >= SAME_FACE_AREA * np.maximum(areas[i], areas[rest]))
            nested = inter >= NESTED * areas[rest]  # already inside this box: adds nothing to the redaction
            owner[rest[same | alike | nested]] = i
    out = []
    for i in np.nonzero(owner == np.arange(len(order)))[0]:
        members = [order[k] for k in np.nonzero(owner == i)[0]]
        families = sorted({_family(m) for m in members})
        evidence: Evidence = {}
        for m in members:
            for family, score in m.extra.get("evidence", {}).items():
                evidence[family] = round(max(evidence.get(family, 0.0), score), 3)
        confirmed = len(families) >= 2 or len(evidence) >= 2
        # The outline starts from the family that draws the tightest boxes; the score is the best one.
        outline = min(members, key=lambda m: (OUTLINE_PRIORITY.get(_family(m), 9), -m.score))
        out.append(outline.with_(box=_agreed_box(outline, members), score=order[i].score,
                                 extra={"detectors": families, "confirmed": confirmed, "evidence": evidence}))
    return out


def _agreed_box(outline: Region, members: list[Region]) -> tuple[int, int, int, int]:
    """Where one face is, from the outline and the best box another family drew for it: their mean when
    they agree (IoU >= AGREE_IOU), else both boxes. Two detectors that disagree about where a face is (a
    masked or blurred face, one half hidden) each see part of it: the redaction must cover both parts."""
    others = [m for m in members if _family(m) != _family(outline)]
    if not others:
        return outline.box
    a, b = outline.box, max(others, key=lambda m: m.score).box
    if iou(a, b) >= AGREE_IOU:
        x1, y1 = round((a[0] + b[0]) / 2), round((a[1] + b[1]) / 2)
        x2, y2 = round((a[0] + a[2] + b[0] + b[2]) / 2), round((a[1] + a[3] + b[1] + b[3]) / 2)
    else:
        x1, y1 = min(a[0], b[0]), min(a[1], b[1])
        x2, y2 = max(a[0] + a[2], b[0] + b[2]), max(a[1] + a[3], b[1] + b[3])
    return (x1, y1, x2 - x1, y2 - y1)


def _family(region: Region) -> str:
    return region.detector.replace("fine-", "").split("-")[0]


def detect_faces(image: np.ndarray, passes: tuple[str, ...] | None = None) -> Detection:
    """All faces in an RGB (or grey/RGBA) uint8 image. ``passes`` limits the ensemble (benchmarks)."""
    return combine(look(image, passes))


__all__ = ["ALL_PASSES", "RULES", "Looked", "Pass", "brighten", "combine", "detect_faces", "is_dark",
           "look", "luma_stats", "review_view"]
