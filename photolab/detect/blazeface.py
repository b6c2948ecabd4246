"""BlazeFace short range (MediaPipe's model file), run with OpenCV's dnn: large, near faces, in milliseconds.

The model sees the whole frame letterboxed to 128 x 128, so it only finds faces that fill a good part of
the picture: exactly the faces that tiled, high-resolution passes can split or miss. Running it through
OpenCV (classic engine) instead of the MediaPipe Tasks API keeps mediapipe, and its 0.6 s import, out of
face detection. The decoding below follows the model's published anchor scheme: 16 x 16 cells with 2
anchors (stride 8) and 8 x 8 cells with 6 anchors (strides 16, 16, 16), unit anchor size, offsets and
sizes in input pixels, one logit per anchor.
"""

from __future__ import annotations

import cv2
import numpy as np

from photolab import models
from photolab.detect import runtime

SIZE = 128
_LAYOUT = ((16, 2), (8, 6))  # (cells per side, anchors per cell)


def _anchors() -> np.ndarray:
    """(896, 2) anchor centres in the unit square, in the model's output order."""
    rows = []
    for cells, per_cell in _LAYOUT:
        ys, xs = np.mgrid[0:cells, 0:cells]
        centres = np.stack([(xs.ravel() + 0.5) / cells, (ys.ravel() + 0.5) / cells], axis=1)
        rows.append(np.repeat(centres, per_cell, axis=0))
    return np.concatenate(rows).astype(np.float32)


ANCHORS = _anchors()
# OpenCV's own dnn engine: ENGINE_CLASSIC in 5.0, ENGINE_OPENCV in 5.1 (5.0's ENGINE_NEW drops an output);
# 4.x has only that engine and no choice.
_ENGINE = next(({"engine": getattr(cv2.dnn, n)} for n in ("ENGINE_CLASSIC", "ENGINE_OPENCV")
                if hasattr(cv2.dnn, n)), {})


class BlazeFace:
    """Owns one OpenCV dnn net (not thread-safe: one instance per thread, see ``runtime.backend``)."""

    def __init__(self, threads: int) -> None:
        path = str(models.model_path("blazeface-short"))  # the buffer overload ignores the engine choice
        with runtime.quiet_native_stderr():
            self.net = cv2.dnn.readNetFromTFLite(path, **_ENGINE)
        self.outputs = list(self.net.getUnconnectedOutLayersNames())  # their order differs between versions
        self.threads = threads

    def __call__(self, rgb: np.ndarray, threshold: float) -> np.ndarray:
        """Faces in an RGB uint8 image as an (N, 5) array of x1, y1, x2, y2, score in its pixels."""
        h, w = rgb.shape[:2]
        scale = SIZE / max(h, w)
        nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
        canvas = np.zeros((SIZE, SIZE, 3), np.uint8)
        ox, oy = (SIZE - nw) // 2, (SIZE - nh) // 2
        canvas[oy:oy + nh, ox:ox + nw] = cv2.resize(rgb, (nw, nh), interpolation=cv2.INTER_AREA)
        blob = (canvas.astype(np.float32) / 127.5 - 1.0).transpose(2, 0, 1)[None]
        runtime.cv2_threads(self.threads)
        self.net.setInput(np.ascontiguousarray(blob))
        found = self.net.forward(self.outputs)
        out = {name: o.reshape(o.shape[1], -1) for name, o in zip(self.outputs, found, strict=True)}
        logits, boxes = out["classificators"], out["regressors"]
        scores = 1.0 / (1.0 + np.exp(-np.clip(logits[:, 0], -80, 80)))
        keep = np.nonzero(scores >= threshold)[0]
        if len(keep) == 0:
            return np.zeros((0, 5), np.float32)
        raw, centres = boxes[keep, :4] / SIZE, ANCHORS[keep]
        cx, cy = raw[:, 0] + centres[:, 0], raw[:, 1] + centres[:, 1]
        half_w, half_h = raw[:, 2] / 2, raw[:, 3] / 2
        unit = np.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], axis=1) * SIZE
        unit[:, [0, 2]] = (unit[:, [0, 2]] - ox) / scale
        unit[:, [1, 3]] = (unit[:, [1, 3]] - oy) / scale
        found = np.concatenate([unit, scores[keep, None]], axis=1).astype(np.float32)
        return nms(found, 0.3)


def nms(boxes: np.ndarray, iou_threshold: float) -> np.ndarray:
    """Greedy non-maximum suppression of (N, 5) x1, y1, x2, y2, score boxes."""
    if len(boxes) == 0:
        return boxes
    xywh = np.stack([boxes[:, 0], boxes[:, 1], boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1]], axis=1)
    keep = cv2.dnn.NMSBoxes(xywh.astype(np.float64), boxes[:, 4].astype(np.float32), 0.0, iou_threshold)
    return boxes[np.asarray(keep, dtype=int).reshape(-1)]


def detect(rgb: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """BlazeFace short range on this thread's instance."""
    return runtime.backend(BlazeFace)(rgb, threshold)


__all__ = ["ANCHORS", "BlazeFace", "detect", "nms"]
