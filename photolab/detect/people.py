"""People: whole-body regions, for when hiding the face is not enough (tattoos, clothes, posture).

MediaPipe's selfie segmentation model (through the Tasks ``ImageSegmenter``) gives a person-probability per
pixel; connected areas of that mask become ``person`` regions (one per person, or one per group of people
touching each other). Measured on faces-dev (bench/bench_faces.py --people): it outlines people standing or
sitting near the camera (portraits, pairs, small groups) and bleeds a little into the background, but finds
nothing in crowds, in old greyscale group photos, or where people are small in the frame. So every face
found that no silhouette contains also gets a body box estimated from the face (``BODY_*`` below): coarse,
but it never leaves a found person's body out.
"""

from __future__ import annotations

import atexit
import contextlib
import threading

import cv2
import numpy as np

from photolab import models
from photolab.regions import Region, clip, merge

MASK_THRESHOLD = 0.5  # person probability for a pixel to count
MIN_AREA = 0.004  # components smaller than this fraction of the image are noise (or too far to matter)
WORK_LONG = 1024  # segment a copy at most this long (the model itself sees 256 x 256)
BODY_WIDTH, BODY_ABOVE, BODY_BELOW = 3.0, 0.3, 7.0  # body box from a face box, in face widths / heights

_local = threading.local()
_created: list = []
_created_lock = threading.Lock()


def _segmenter():  # -> mediapipe vision.ImageSegmenter, one per thread
    seg = getattr(_local, "segmenter", None)
    if seg is None:
        import mediapipe as mp
        from mediapipe.tasks.python import BaseOptions, vision

        from photolab.detect import quiet_native_stderr

        options = vision.ImageSegmenterOptions(
            base_options=BaseOptions(model_asset_path=str(models.model_path("selfie-segmentation"))),
            output_confidence_masks=True,
            output_category_mask=False,
        )
        with quiet_native_stderr():
            seg = vision.ImageSegmenter.create_from_options(options)
            seg.segment(mp.Image(image_format=mp.ImageFormat.SRGB, data=np.zeros((64, 64, 3), np.uint8)))
        _local.segmenter = seg
        with _created_lock:
            _created.append(seg)
    return seg


@atexit.register
def _close_all() -> None:
    while _created:
        with contextlib.suppress(Exception):
            _created.pop().close()


def person_mask(rgb: np.ndarray) -> np.ndarray:
    """Person probability (float32, 0..1) for each pixel of a copy at most ``WORK_LONG`` px long."""
    import mediapipe as mp

    from photolab.detect import aligned

    h, w = rgb.shape[:2]
    f = min(1.0, WORK_LONG / max(h, w))
    small = cv2.resize(rgb, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA) if f < 1 else rgb
    image = mp.Image(image_format=mp.ImageFormat.SRGB, data=aligned(small))
    mask = _segmenter().segment(image).confidence_masks[0].numpy_view()
    return np.array(mask.reshape(mask.shape[:2]), dtype=np.float32)


def detect_people(rgb: np.ndarray, faces: list[Region] | None = None) -> list[Region]:
    """``person`` regions (boxes in ``rgb``'s pixels): silhouettes, plus estimated bodies for ``faces``
    that no silhouette contains."""
    silhouettes = _silhouettes(rgb)
    h, w = rgb.shape[:2]
    return silhouettes + bodies_from_faces([f for f in faces or [] if not _inside_any(f, silhouettes)], w, h)


def _inside_any(face: Region, people: list[Region]) -> bool:
    cx, cy = face.box[0] + face.box[2] / 2, face.box[1] + face.box[3] / 2
    return any(p.box[0] <= cx <= p.x2 and p.box[1] <= cy <= p.y2 for p in people)


def bodies_from_faces(faces: list[Region], width: int, height: int) -> list[Region]:
    """A body box below each face (people seen upright), merged where they overlap heavily."""
    bodies = []
    for f in faces:
        x, y, fw, fh = f.box
        box = clip((x + fw / 2 - BODY_WIDTH * fw / 2, y - BODY_ABOVE * fh, BODY_WIDTH * fw,
                    (1 + BODY_ABOVE + BODY_BELOW) * fh), width, height)
        bodies.append(Region(kind="person", box=box, score=f.score, detector="face-anchored"))
    return merge(bodies, threshold=0.5)


def _silhouettes(rgb: np.ndarray) -> list[Region]:
    """Person regions from the silhouette mask's connected components."""
    h, w = rgb.shape[:2]
    prob = person_mask(rgb)
    mh, mw = prob.shape
    binary = (prob >= MASK_THRESHOLD).astype(np.uint8)
    k = max(3, round(min(mh, mw) / 100)) | 1
    binary = cv2.morphologyEx(binary, cv2.MORPH_OPEN, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k)))
    count, labels, stats, _ = cv2.connectedComponentsWithStats(binary, connectivity=8)
    sx, sy = w / mw, h / mh
    regions = []
    for i in range(1, count):
        x, y, bw, bh, area = stats[i]
        if area < MIN_AREA * mh * mw:
            continue
        score = float(prob[labels == i].mean())
        box = clip((x * sx, y * sy, bw * sx, bh * sy), w, h)
        regions.append(Region(kind="person", box=box, score=round(score, 3), detector="selfie-segmentation",
                              extra={"mask_fraction": round(float(area) / (bw * bh), 3)}))
    return sorted(regions, key=lambda r: -r.area)


__all__ = ["bodies_from_faces", "detect_people", "person_mask"]
