"""YuNet 2023mar (OpenCV Zoo) through ``cv2.FaceDetectorYN``: fast, good on medium and profile faces."""

from __future__ import annotations

import cv2
import numpy as np

from photolab import models
from photolab.detect import runtime


class YuNet:
    """Owns one ``cv2.FaceDetectorYN`` (not thread-safe: one instance per thread)."""

    def __init__(self, threads: int) -> None:
        path = str(models.model_path("yunet"))
        with runtime.quiet_native_stderr():  # OpenCV's dnn warns about targets on every load
            self.detector = cv2.FaceDetectorYN.create(path, "", (320, 320), 0.5, 0.3, 5000)
        self.threads = threads

    def __call__(self, rgb: np.ndarray, threshold: float) -> np.ndarray:
        """Faces in an RGB uint8 image as an (N, 5) array of x1, y1, x2, y2, score in its pixels."""
        h, w = rgb.shape[:2]
        runtime.cv2_threads(self.threads)
        self.detector.setInputSize((w, h))
        self.detector.setScoreThreshold(threshold)
        _, found = self.detector.detect(cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
        if found is None or len(found) == 0:
            return np.zeros((0, 5), np.float32)
        x, y, bw, bh, score = found[:, 0], found[:, 1], found[:, 2], found[:, 3], found[:, 14]
        return np.stack([x, y, x + bw, y + bh, score], axis=1).astype(np.float32)


def detect(rgb: np.ndarray, threshold: float = 0.3) -> np.ndarray:
    """YuNet on this thread's instance."""
    return runtime.backend(YuNet)(rgb, threshold)


__all__ = ["YuNet", "detect"]
