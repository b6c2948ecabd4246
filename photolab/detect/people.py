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

import cv2
import numpy as np

from photolab.detect.segmenter import person_mask
from photolab.regions import Region, clip, merge

MASK_THRESHOLD = 0.5  # person probability for a pixel to count
MIN_AREA = 0.004  # components smaller than this fraction of the image are noise (or too far to matter)
BODY_WIDTH, BODY_ABOVE, BODY_BELOW = 3.0, 0.3, 7.0  # body box from a face box, in face widths / heights


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
