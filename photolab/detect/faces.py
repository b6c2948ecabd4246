"""Faces: a recall-first ensemble of CenterFace, YuNet and BlazeFace.

A missed face is published, so passes only add boxes:

- CenterFace (onnxruntime, low threshold) and YuNet (OpenCV) on a working copy: full resolution up to
  2048 px, 1600 px long for larger photos, and enlarged 2x for small photos so 10-20 px faces are found;
- a finer pass in tiles, only over the part of a large photo where small faces were found (crowds), so a
  12-megapixel portrait costs no more than a small one;
- BlazeFace full range on the whole frame (large near faces, heavy blur);
- the frame turned 90° and 270° (people lying on beds and floors);
- a brightened copy (CLAHE + gamma) when the photo is dark.

A weak box is kept when a second detector family sees the same face (else it becomes a candidate shown to
the reviewer). Boxes for the same face are merged (IoU >= 0.5; partial overlaps both stay) and returned
unpadded in the input's pixels; redact pads them. The result says whether the photo is dark or has
borderline detections, so the review desk can force a human look.
"""

from __future__ import annotations

import atexit
import contextlib
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np

from photolab import models
from photolab.regions import Region, clip

# Thresholds are low on purpose (recall first); see bench/bench_faces.py for the measurements behind them.
CENTERFACE_THRESHOLD = 0.1
YUNET_THRESHOLD = 0.3
BLAZEFACE_THRESHOLD = 0.5
ROTATED_THRESHOLD = 0.6
CONFIDENT = 0.5  # a face below this that no second detector family confirms is "borderline"
BORDERLINE_SHARE = 0.05  # low confidence when this share of the faces (at least one) is borderline

WORK_LONG = 1600  # long side of the working copy of a large photo (px)
FULL_RES_LONG = 2048  # photos up to this long side are searched at full resolution
SMALL_PHOTO_LONG = 1280  # photos up to this long side are searched enlarged 2x
ROTATED_LONG = 800  # long side of the rotated copies
FINE_FACE_PX = 24  # faces found smaller than this at working scale trigger the fine pass over their area
TILE = 1024  # tile side (px) for the fine pass
FINE_SCALE = 1.5  # the fine pass looks at the photo this much larger than the working copy
DARK_MEAN = 70.0  # mean luma (0-255) below which a photo counts as dark
DARK_P90 = 110.0  # ... or whose 90th percentile is below this
LOWLIGHT_LONG = 1024  # long side of the denoised, brightened copy of a dark photo
LOWLIGHT_DENOISE = 1.5  # Gaussian sigma (px) applied before brightening

_threads = int(os.environ.get("PHOTOLAB_THREADS", "0"))  # 0: library default
_session_lock = threading.Lock()
_local = threading.local()
_centerface: tuple[int, object] | None = None  # (threads, onnxruntime.InferenceSession)
_closables: list = []  # mediapipe tasks: closed at exit, before the interpreter tears their C side down


if _threads:
    cv2.setNumThreads(_threads)


@atexit.register
def _close_tasks() -> None:
    while _closables:
        with contextlib.suppress(Exception):
            _closables.pop().close()


def current_threads() -> int:
    """The thread count set by PHOTOLAB_THREADS or set_threads (0 = each library's default)."""
    return _threads


def set_threads(n: int) -> None:
    """Threads for onnxruntime and OpenCV (0 = their default). Call before detecting (benchmarks use 1)."""
    global _threads
    _threads = max(0, int(n))
    cv2.setNumThreads(_threads if _threads else -1)


@dataclass
class FaceResult:
    regions: list[Region]
    dark: bool
    low_confidence: bool
    reasons: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    candidates: list[Region] = field(default_factory=list)  # weak, unconfirmed: shown, not redacted


# ----------------------------------------------------------------------------------------------- CenterFace

def _varint(buf: bytes, i: int) -> tuple[int, int]:
    shift = value = 0
    while True:
        byte = buf[i]
        i += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, i
        shift += 7


def _encode_varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | 0x80 if value else byte)
        if not value:
            return bytes(out)


def _proto_fields(buf: bytes) -> Iterator[tuple[int, bytes | None, bytes]]:
    """(field number, payload of a length-delimited field or None, raw bytes) for each protobuf field."""
    i = 0
    while i < len(buf):
        start = i
        key, i = _varint(buf, i)
        number, wire = key >> 3, key & 7
        payload = None
        if wire == 0:
            _, i = _varint(buf, i)
        elif wire == 1:
            i += 8
        elif wire == 5:
            i += 4
        elif wire == 2:
            size, i = _varint(buf, i)
            payload, i = buf[i:i + size], i + size
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield number, payload, buf[start:i]


def _proto_field(number: int, payload: bytes) -> bytes:
    return _encode_varint(number << 3 | 2) + _encode_varint(len(payload)) + payload


def _proto_string(msg: bytes, number: int) -> str:
    return next((p.decode() for n, p, _ in _proto_fields(msg) if n == number and p is not None), "")


def _free_dims(value_info: bytes) -> bytes:
    """ValueInfoProto with every dimension of its tensor shape made symbolic (type.tensor_type.shape.dim)."""
    def rewrite(msg: bytes, path: tuple[int, ...]) -> bytes:
        out = b""
        for n, payload, raw in _proto_fields(msg):
            if payload is None or n != path[0]:
                out += raw
            elif len(path) > 1:
                out += _proto_field(n, rewrite(payload, path[1:]))
            else:  # the shape: replace each dim by a named one
                rank = sum(1 for m, _, _ in _proto_fields(payload) if m == 1)
                out += _proto_field(n, b"".join(_proto_field(1, _proto_field(2, f"d{k}".encode()))
                                                for k in range(rank)))
        return out
    return rewrite(value_info, (2, 1, 2))


def _dynamic_centerface(model: bytes) -> bytes:
    """The CenterFace graph declares a fixed 10x3x32x32 input and its weights as inputs; free both.

    ModelProto.graph (7): input (11), output (12), initializer (5, name = field 8). Only these declarations
    change; nodes and weights are copied byte for byte.
    """
    out = b""
    for n, graph, raw in _proto_fields(model):
        if n != 7 or graph is None:
            out += raw
            continue
        parts = list(_proto_fields(graph))
        weights = {_proto_string(p, 8) for m, p, _ in parts if m == 5 and p is not None}
        new_graph = b""
        for m, p, raw2 in parts:
            if m == 11 and p is not None and _proto_string(p, 1) in weights:
                continue
            new_graph += _proto_field(m, _free_dims(p)) if m in (11, 12) and p is not None else raw2
        out += _proto_field(7, new_graph)
    return out


def _centerface_session():  # -> onnxruntime.InferenceSession
    global _centerface
    with _session_lock:
        if _centerface is None or _centerface[0] != _threads:
            import onnxruntime as ort

            options = ort.SessionOptions()
            options.log_severity_level = 3
            if _threads:
                options.intra_op_num_threads = _threads
                options.inter_op_num_threads = 1
            data = _dynamic_centerface(models.model_path("centerface").read_bytes())
            _centerface = (_threads, ort.InferenceSession(data, options, providers=["CPUExecutionProvider"]))
        return _centerface[1]


def centerface(rgb: np.ndarray, threshold: float = CENTERFACE_THRESHOLD) -> np.ndarray:
    """Faces in an RGB uint8 image as an (N, 5) array of x1, y1, x2, y2, score in its pixels."""
    h, w = rgb.shape[:2]
    ph, pw = -h % 32, -w % 32
    padded = cv2.copyMakeBorder(rgb, 0, ph, 0, pw, cv2.BORDER_CONSTANT, value=0) if ph or pw else rgb
    blob = np.ascontiguousarray(padded.transpose(2, 0, 1)[None], dtype=np.float32)
    heat, scale, offset, _ = _centerface_session().run(None, {"input.1": blob})
    ys, xs = np.nonzero(heat[0, 0] > threshold)
    if len(ys) == 0:
        return np.zeros((0, 5), np.float32)
    bh = np.exp(scale[0, 0, ys, xs]) * 4
    bw = np.exp(scale[0, 1, ys, xs]) * 4
    cy = (ys + offset[0, 0, ys, xs] + 0.5) * 4
    cx = (xs + offset[0, 1, ys, xs] + 0.5) * 4
    boxes = np.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2, heat[0, 0, ys, xs]], axis=1)
    return _nms(boxes, 0.3)


def _nms(boxes: np.ndarray, iou_threshold: float) -> np.ndarray:
    if len(boxes) == 0:
        return boxes
    xywh = np.stack([boxes[:, 0], boxes[:, 1], boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]], axis=1)
    keep = cv2.dnn.NMSBoxes(xywh.astype(np.float64), boxes[:, 4].astype(np.float32), 0.0, iou_threshold)
    return boxes[np.asarray(keep, dtype=int).reshape(-1)]


# ------------------------------------------------------------------------------------------- YuNet, BlazeFace

def _yunet(size: tuple[int, int], threshold: float):  # -> cv2.FaceDetectorYN, one per thread
    det = getattr(_local, "yunet", None)
    if det is None:
        from photolab.detect import quiet_native_stderr

        path = str(models.model_path("yunet"))
        with quiet_native_stderr():  # OpenCV's dnn warns about targets on every load
            det = cv2.FaceDetectorYN.create(path, "", size, threshold, 0.3, 5000)
        _local.yunet = det
    det.setInputSize(size)
    det.setScoreThreshold(threshold)
    return det


def yunet(rgb: np.ndarray, threshold: float = YUNET_THRESHOLD) -> np.ndarray:
    """Faces in an RGB uint8 image as an (N, 5) array of x1, y1, x2, y2, score."""
    h, w = rgb.shape[:2]
    _, found = _yunet((w, h), threshold).detect(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    if found is None or len(found) == 0:
        return np.zeros((0, 5), np.float32)
    x, y, bw, bh, score = found[:, 0], found[:, 1], found[:, 2], found[:, 3], found[:, 14]
    return np.stack([x, y, x + bw, y + bh, score], axis=1).astype(np.float32)


def _blazeface(threshold: float):  # -> mediapipe vision.FaceDetector, one per thread
    det = getattr(_local, "blazeface", None)
    if det is None:
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        from photolab.detect import quiet_native_stderr

        options = vision.FaceDetectorOptions(
            base_options=BaseOptions(model_asset_path=str(models.model_path("blazeface-full"))),
            min_detection_confidence=threshold,
            min_suppression_threshold=0.3,
        )
        with quiet_native_stderr():
            det = vision.FaceDetector.create_from_options(options)
            # An odd size, so that LiteRT's one-time "memory not aligned" warning is printed here, silenced.
            det.detect(mp.Image(image_format=mp.ImageFormat.SRGB, data=np.zeros((67, 91, 3), np.uint8)))
        _local.blazeface = det
        with _session_lock:
            _closables.append(det)
    return det


def blazeface(rgb: np.ndarray, threshold: float = BLAZEFACE_THRESHOLD) -> np.ndarray:
    """Faces (BlazeFace full range, MediaPipe Tasks) as an (N, 5) array of x1, y1, x2, y2, score."""
    import mediapipe as mp

    from photolab.detect import aligned

    image = mp.Image(image_format=mp.ImageFormat.SRGB, data=aligned(rgb))
    rows = []
    for d in _blazeface(threshold).detect(image).detections:
        b = d.bounding_box
        score = d.categories[0].score if d.categories else threshold
        if score >= threshold:
            rows.append([b.origin_x, b.origin_y, b.origin_x + b.width, b.origin_y + b.height, score])
    return np.asarray(rows, np.float32).reshape(-1, 5)


Detector = Callable[[np.ndarray], np.ndarray]
DETECTORS: dict[str, Detector] = {"centerface": centerface, "yunet": yunet, "blazeface": blazeface}


# ------------------------------------------------------------------------------------------------- passes

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
    elif turns % 4 == 3:  # clockwise: rotated (x, y) came from (y, h - x)
        out[:, 0], out[:, 1], out[:, 2], out[:, 3] = y1, h - x2, y2, h - x1
    return out


def _tiles(w: int, h: int, tile: int, overlap: int) -> Iterator[tuple[int, int, int, int]]:
    step = tile - overlap
    for y in range(0, max(1, h - overlap), step):
        for x in range(0, max(1, w - overlap), step):
            yield x, y, min(w, x + tile), min(h, y + tile)


def _fine_pass(rgb: np.ndarray, area: tuple[int, int, int, int], factor: float,
               detect: Detector) -> np.ndarray:
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
    f = min(1.0, 256 / max(h, w))
    small = _resize(rgb, f)
    y = cv2.cvtColor(small, cv2.COLOR_RGB2GRAY) if small.ndim == 3 else small
    return float(y.mean()), float(np.percentile(y, 90))


def brighten(rgb: np.ndarray) -> np.ndarray:
    """Low-light copy: gamma lift, then CLAHE on the L channel."""
    mean = max(1.0, float(cv2.cvtColor(_resize(rgb, min(1.0, 256 / max(rgb.shape[:2]))),
                                       cv2.COLOR_RGB2GRAY).mean()))
    gamma = min(1.0, max(0.3, math.log(110 / 255) / math.log(mean / 255)))
    lut = np.clip(((np.arange(256) / 255.0) ** gamma) * 255.0, 0, 255).astype(np.uint8)
    lifted = cv2.LUT(rgb, lut)
    lab = cv2.cvtColor(lifted, cv2.COLOR_RGB2LAB)
    lab[:, :, 0] = cv2.createCLAHE(clipLimit=2.5, tileGridSize=(8, 8)).apply(lab[:, :, 0])
    return cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)


def _as_rgb(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return cv2.cvtColor(image, cv2.COLOR_GRAY2RGB)
    if image.shape[2] == 4:
        return cv2.cvtColor(image, cv2.COLOR_RGBA2RGB)
    return np.ascontiguousarray(image[:, :, :3])


# ---------------------------------------------------------------------------------------------- ensemble

@dataclass(frozen=True)
class Rule:
    """When a raw box of one detector family is kept: at ``sure`` on its own, from ``least`` if confirmed."""

    least: float
    sure: float


# Tuned on faces-dev (bench/bench_faces.py): a low-score box is kept when another family sees the same face.
RULES = {
    "centerface": Rule(least=CENTERFACE_THRESHOLD, sure=0.2),
    "yunet": Rule(least=YUNET_THRESHOLD, sure=0.6),
    "blazeface": Rule(least=BLAZEFACE_THRESHOLD, sure=BLAZEFACE_THRESHOLD),
    "rotated": Rule(least=ROTATED_THRESHOLD, sure=ROTATED_THRESHOLD),
}
CONFIRMING = {"centerface": 0.08, "yunet": 0.25, "blazeface": 0.5}  # a second opinion may be this weak
RAW_THRESHOLD = {"centerface": 0.08, "yunet": 0.25, "blazeface": 0.3}


@dataclass
class _Pass:
    family: str  # centerface | yunet | blazeface | rotated
    name: str  # for the report: e.g. "centerface", "yunet-lowlight"
    boxes: np.ndarray  # (N, 5) x1, y1, x2, y2, score in image pixels


def _intersection(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    iw = np.clip(np.minimum(box[2], others[:, 2]) - np.maximum(box[0], others[:, 0]), 0, None)
    ih = np.clip(np.minimum(box[3], others[:, 3]) - np.maximum(box[1], others[:, 1]), 0, None)
    return iw * ih


def _areas(boxes: np.ndarray) -> np.ndarray:
    return (boxes[..., 2] - boxes[..., 0]) * (boxes[..., 3] - boxes[..., 1])


def _overlap_of_smaller(box: np.ndarray, others: np.ndarray) -> np.ndarray:
    if len(others) == 0:
        return np.zeros(0)
    return _intersection(box, others) / np.maximum(1e-6, np.minimum(_areas(box), _areas(others)))


Kept = list[tuple[_Pass, np.ndarray, bool]]


def _judge(passes: list[_Pass]) -> tuple[Kept, list[tuple[_Pass, np.ndarray]]]:
    """Split raw boxes into kept (with a confirmed flag) and weak candidates (shown to the reviewer only)."""
    kept, weak = [], []
    for p in passes:
        rule = RULES[p.family]
        seconds = [q.boxes[q.boxes[:, 4] >= CONFIRMING[q.family]] for q in passes
                   if q.family in CONFIRMING and q.family != p.family and len(q.boxes)]
        for box in p.boxes:
            if box[4] < rule.least:
                continue  # too weak to keep; it may still confirm another family's box
            confirmed = any((_overlap_of_smaller(box, s) > 0.5).any() for s in seconds)
            if box[4] >= rule.sure or (box[4] >= rule.least and confirmed):
                kept.append((p, box, confirmed))
            else:
                weak.append((p, box))
    return kept, weak


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


ALL_PASSES = ("centerface", "yunet", "blazeface", "fine", "rotated", "lowlight")


class _Passes:
    """Runs detector passes, times them, and collects their raw boxes in the full photo's pixels."""

    def __init__(self) -> None:
        self.raw: list[_Pass] = []
        self.timings: dict[str, float] = {}

    def run(self, name: str, family: str, fn: Callable[[], np.ndarray]) -> None:
        t0 = time.perf_counter()
        boxes = fn()
        key = "rotated" if family == "rotated" else name.split("-")[0]
        self.timings[key] = self.timings.get(key, 0.0) + time.perf_counter() - t0
        self.raw.append(_Pass(family, name, boxes.astype(np.float32).reshape(-1, 5)))

    def boxes(self) -> np.ndarray:
        return np.concatenate([p.boxes for p in self.raw]) if self.raw else np.zeros((0, 5), np.float32)


def _shrunk(rgb: np.ndarray, work: np.ndarray, long_side: int) -> tuple[np.ndarray, float]:
    """A copy at most ``long_side`` px long, made from the smaller of the photo and its working copy,
    with its exact scale relative to the photo."""
    h, w = rgb.shape[:2]
    source = work if work.shape[1] < w else rgb
    small = _resize(source, min(1.0, long_side / max(h, w)) * w / source.shape[1])
    return small, small.shape[1] / w


def detect_faces(image: np.ndarray, passes: tuple[str, ...] | None = None) -> FaceResult:
    """All faces in an RGB (or grey/RGBA) uint8 image. ``passes`` limits the ensemble (benchmarks)."""
    rgb = _as_rgb(image)
    h, w = rgb.shape[:2]
    use = set(passes or ALL_PASSES)
    run = _Passes()
    cf_raw, yn_raw = RAW_THRESHOLD["centerface"], RAW_THRESHOLD["yunet"]

    small_photo = max(h, w) <= SMALL_PHOTO_LONG
    factor = 2.0 if small_photo else 1.0 if max(h, w) <= FULL_RES_LONG else WORK_LONG / max(h, w)
    work = _resize(rgb, factor)
    if "centerface" in use:
        run.run("centerface", "centerface", lambda: _scaled(centerface(work, cf_raw), factor))
    if "yunet" in use:
        run.run("yunet", "yunet", lambda: _scaled(yunet(work, yn_raw), factor))
        if small_photo:  # YuNet also unenlarged: it sees large faces better at 1x
            run.run("yunet", "yunet", lambda: yunet(rgb, yn_raw))

    if "fine" in use and factor < 1.0:
        found = run.boxes()
        area = _small_face_area(found[found[:, 4] >= 0.2], factor, w, h)
        if area is not None:
            fine = min(1.0, FINE_SCALE * factor)
            run.run("fine-centerface", "centerface",
                    lambda: _fine_pass(rgb, area, fine, lambda tile: centerface(tile, cf_raw)))
            run.run("fine-yunet", "yunet",
                    lambda: _fine_pass(rgb, area, fine, lambda tile: yunet(tile, yn_raw)))

    if "blazeface" in use:
        near, nf = _shrunk(rgb, work, 1280)
        run.run("blazeface", "blazeface", lambda: _scaled(blazeface(near, RAW_THRESHOLD["blazeface"]), nf))

    if "rotated" in use:
        small, rf = _shrunk(rgb, work, ROTATED_LONG)
        sh, sw = small.shape[:2]
        for turns in (1, 3):
            run.run("centerface-rotated", "rotated", lambda t=turns: _scaled(_rotated_back(
                centerface(np.ascontiguousarray(np.rot90(small, t)), ROTATED_THRESHOLD), t, sw, sh), rf))

    mean, p90 = luma_stats(work)
    dark = mean < DARK_MEAN or p90 < DARK_P90
    if dark and "lowlight" in use:
        for bright in _lowlight_copies(rgb, work, small_photo):
            lf = bright.shape[1] / w
            run.run("centerface-lowlight", "centerface",
                    lambda b=bright, f=lf: _scaled(centerface(b, cf_raw), f))
            run.run("yunet-lowlight", "yunet", lambda b=bright, f=lf: _scaled(yunet(b, yn_raw), f))
    return _result(run, w, h, dark, mean)


def _lowlight_copies(rgb: np.ndarray, work: np.ndarray, small_photo: bool) -> Iterator[np.ndarray]:
    """Brightened copies of a dark photo: one denoised at <= 1024 px (sensor noise, once lifted, hides
    faces from the networks, and enlarging makes it worse), and for small photos one enlarged (clean but
    underexposed photos with small faces)."""
    small, _ = _shrunk(rgb, work, LOWLIGHT_LONG)
    yield brighten(cv2.GaussianBlur(small, (0, 0), LOWLIGHT_DENOISE))
    if small_photo:
        h, w = rgb.shape[:2]
        yield brighten(_resize(rgb, min(2.0, 1600 / max(h, w))))


def _result(run: _Passes, w: int, h: int, dark: bool, mean: float) -> FaceResult:
    kept, weak = _judge(run.raw)
    regions = _to_regions(kept, w, h)
    candidates = _uncovered(_to_regions([(p, b, False) for p, b in weak], w, h), regions)
    unconfirmed = [r for r in regions if r.score < CONFIDENT and not r.extra.get("confirmed")]
    low_confidence = dark or len(unconfirmed) >= max(1, BORDERLINE_SHARE * len(regions))
    reasons = []
    if dark:
        reasons.append(f"dark photo (mean brightness {mean:.0f}/255): look for faces the detectors missed")
    if unconfirmed:
        reasons.append(f"{len(unconfirmed)} face(s) seen by one detector only, below {CONFIDENT:.0%}")
    if candidates:
        reasons.append(f"{len(candidates)} weak face candidate(s) not redacted: check them")
    return FaceResult(regions, dark, low_confidence, reasons, run.timings, candidates)


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


def _to_regions(found: list[tuple[_Pass, np.ndarray, bool]], w: int, h: int) -> list[Region]:
    raw = []
    for p, (x1, y1, x2, y2, score), confirmed in found:
        box = clip((float(x1), float(y1), float(x2 - x1), float(y2 - y1)), w, h)
        if box[2] >= 2 and box[3] >= 2:
            raw.append(Region(kind="face", box=box, score=round(float(score), 3), detector=p.name,
                              extra={"confirmed": confirmed}))
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
            same = inter / np.maximum(1e-6, areas[i] + areas[rest] - inter) >= 0.5
            nested = inter >= 0.9 * areas[rest]  # already inside this box: adds nothing to the redaction
            owner[rest[same | nested]] = i
    out = []
    for i in np.nonzero(owner == np.arange(len(order)))[0]:
        members = [order[k] for k in np.nonzero(owner == i)[0]]
        families = sorted({m.detector.replace("fine-", "").split("-")[0] for m in members})
        confirmed = len(families) >= 2 or any(m.extra.get("confirmed") for m in members)
        out.append(order[i].with_(extra={"detectors": families, "confirmed": confirmed}))
    return out


__all__ = ["ALL_PASSES", "FaceResult", "blazeface", "brighten", "centerface", "detect_faces",
           "set_threads", "yunet"]
