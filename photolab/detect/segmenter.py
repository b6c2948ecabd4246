"""MediaPipe selfie segmentation (Tasks ``ImageSegmenter``): a person probability for each pixel.

Only the people kind uses it, so mediapipe (a 0.6 s import) is loaded only when people are asked for.
"""

from __future__ import annotations

import cv2
import numpy as np

from photolab import models
from photolab.detect import runtime

WORK_LONG = 1024  # segment a copy at most this long (the model itself sees 256 x 256)


class Segmenter:
    """Owns one mediapipe ImageSegmenter task (one per thread), closed at interpreter exit."""

    def __init__(self, threads: int) -> None:
        mp = runtime.import_mediapipe()
        from mediapipe.tasks.python import BaseOptions, vision

        options = vision.ImageSegmenterOptions(
            base_options=BaseOptions(model_asset_path=str(models.model_path("selfie-segmentation"))),
            output_confidence_masks=True,
            output_category_mask=False,
        )
        self._mp = mp
        with runtime.quiet_native_stderr():
            self.task = runtime.close_at_exit(vision.ImageSegmenter.create_from_options(options))
            # An odd size, so that LiteRT's one-time "memory not aligned" warning is printed here, silenced.
            odd = np.zeros((67, 91, 3), np.uint8)
            self.task.segment(mp.Image(image_format=mp.ImageFormat.SRGB, data=odd))

    def __call__(self, rgb: np.ndarray) -> np.ndarray:
        """Person probability (float32, 0..1) per pixel of a copy at most ``WORK_LONG`` px long."""
        h, w = rgb.shape[:2]
        f = min(1.0, WORK_LONG / max(h, w))
        small = cv2.resize(rgb, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA) if f < 1 else rgb
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=runtime.aligned(small))
        mask = self.task.segment(image).confidence_masks[0].numpy_view()
        return np.array(mask.reshape(mask.shape[:2]), dtype=np.float32)


def person_mask(rgb: np.ndarray) -> np.ndarray:
    """Person probability map from this thread's segmenter."""
    return runtime.backend(Segmenter)(rgb)


__all__ = ["Segmenter", "person_mask"]
