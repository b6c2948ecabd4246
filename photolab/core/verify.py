"""``photolab verify``: re-read an output as an attacker would — any metadata left, any face not hidden.

Metadata: photolab's own parser of the bytes (``metadata.residual_check``). Faces: the detectors at a low
threshold; a hit counts as hidden when it lies inside an area an ``anonymise --report`` says was
redacted, or — without a report — when its pixels carry no fine detail (a fill or photolab's blur: the
variance of the Laplacian stays below ``REDACTED_DETAIL``, while every labelled face of the faces-dev set,
dark and tiny ones included, scores 9 or more).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from photolab.regions import iou, overlap_of_smaller

VERIFY_THRESHOLD = 0.3  # a face found even this weakly in an output means something may have been missed
REDACTED_DETAIL = 5.0

Box = tuple[int, int, int, int]


@dataclass
class Verdict:
    """What ``photolab verify`` found in one output file."""

    path: str
    ok: bool
    problems: list[str] = field(default_factory=list)
    faces: list[dict] = field(default_factory=list)


def verify_file(path: str | Path, redacted: list[Box] | None = None,
                threshold: float = VERIFY_THRESHOLD) -> Verdict:
    """No metadata left, and no face found outside the redacted areas."""
    import numpy as np

    from photolab import detect, metadata
    from photolab.photo import load, read_source

    data, name = read_source(path)
    problems = [f"metadata left: {p}" for p in dict.fromkeys(metadata.residual_check(data))]
    photo = load(data, name=name)
    found = detect.run(photo.image, kinds=("faces",))
    gray = np.asarray(photo.image.convert("L"), dtype=np.float32)
    faces = [
        r for r in found.regions
        if r.score >= threshold and not _inside_any(r.box, redacted or [])
        and fine_detail(gray, r.box) >= REDACTED_DETAIL
    ]
    problems += [
        f"unredacted face at x={r.box[0]} y={r.box[1]} ({r.box[2]}x{r.box[3]} px, score {r.score:.2f})"
        for r in faces
    ]
    return Verdict(str(path), not problems, problems, [r.to_json() for r in faces])


def fine_detail(gray, box: Box) -> float:
    """Variance of the Laplacian over the central 80% of ``box`` (high for a face, ~0 once redacted).

    The Laplacian is taken with one pixel of context around the crop, so a smooth ramp (photolab's blur
    continues the surroundings) does not read as detail at the crop's own edges.
    """
    import cv2

    x, y, w, h = box
    x0, y0, x1, y1 = x + w // 10, y + h // 10, x + w - w // 10, y + h - h // 10
    if x1 - x0 < 3 or y1 - y0 < 3:
        return float("inf")  # too small to judge: count it as a face
    gy0, gx0 = max(0, y0 - 1), max(0, x0 - 1)
    context = gray[gy0: min(gray.shape[0], y1 + 1), gx0: min(gray.shape[1], x1 + 1)]
    laplacian = cv2.Laplacian(context, cv2.CV_32F)
    return float(laplacian[y0 - gy0: y0 - gy0 + (y1 - y0), x0 - gx0: x0 - gx0 + (x1 - x0)].var())


def _inside_any(box: Box, redacted: list[Box]) -> bool:
    return any(overlap_of_smaller(box, r) >= 0.6 or iou(box, r) >= 0.3 for r in redacted)


def redacted_boxes_from_report(report: str | Path) -> dict[str, list[Box]]:
    """Output file name -> the boxes an ``anonymise --report`` says were redacted there."""
    entries = json.loads(Path(report).read_text(encoding="utf-8"))
    return {
        Path(e["output"]).name: [tuple(r["box"]) for r in e.get("regions", []) if r.get("enabled", True)]
        for e in entries
        if e.get("status") == "ok" and e.get("output")
    }
