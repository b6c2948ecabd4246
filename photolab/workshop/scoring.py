"""Scoring a participant's boxes against a scenario's answer key.

A marked box *finds* (spots) a hazard when

1. their intersection over union is at least 0.3 (a box roughly on it), or
2. the box covers at least three quarters of the hazard's area (a box drawn around it, however
   generously: one box around a whole door sign spots the name and the room number on it), or
3. the box's centre lies inside the hazard (a tight box on its core, e.g. only the surname),

except that rules 2 and 3 do not count a box that covers more than half of the photo: marking
everything is not spotting anything. One box may find several hazards; a hazard no box finds is
*missed*; a box that finds nothing is *extra* (worth a look in the debrief: some are right). The label a
participant gives a box is recorded but does not affect matching.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from photolab.workshop.scenarios import Box, Hazard

MATCH_IOU = 0.3
MATCH_COVER = 0.75  # share of the hazard's area inside the box
MAX_PHOTO_SHARE = 0.5  # a box over more than this share of the photo only counts by IoU


@dataclass(frozen=True)
class BoxScore:
    found: tuple[str, ...]
    missed: tuple[str, ...]
    extra: tuple[Box, ...]
    must_found: int
    must_total: int

    @property
    def recall(self) -> float:
        return self.must_found / self.must_total if self.must_total else 1.0


def matching_rule() -> dict[str, Any]:
    """The rule as data, for the JSON export."""
    return {
        "iou_at_least": MATCH_IOU,
        "covers_share_of_hazard_at_least": MATCH_COVER,
        "mark_centre_inside_hazard": True,
        "cover_and_centre_rules_ignore_marks_over_share_of_photo": MAX_PHOTO_SHARE,
    }


def _inside(point: tuple[float, float], box: Box) -> bool:
    return box[0] <= point[0] <= box[0] + box[2] and box[1] <= point[1] <= box[1] + box[3]


def _centre(box: Box) -> tuple[float, float]:
    return (box[0] + box[2] / 2, box[1] + box[3] / 2)


def _overlap(a: Box, b: Box) -> int:
    w = min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0])
    h = min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1])
    return max(0, w) * max(0, h)


def _iou(a: Box, b: Box) -> float:
    inter = _overlap(a, b)
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def box_finds_hazard(marked: Box, hazard: Box, image_size: tuple[int, int]) -> bool:
    """The matching rule of the module docstring; ``image_size`` is the photo's (width, height)."""
    if marked[2] <= 0 or marked[3] <= 0:
        return False
    if _iou(marked, hazard) >= MATCH_IOU:
        return True
    photo_area = max(1, image_size[0] * image_size[1])
    if marked[2] * marked[3] > MAX_PHOTO_SHARE * photo_area:
        return False
    hazard_area = max(1, hazard[2] * hazard[3])
    if _overlap(marked, hazard) >= MATCH_COVER * hazard_area:
        return True
    return _inside(_centre(marked), hazard)


def score_boxes(marked: Sequence[Box], hazards: Sequence[Hazard], image_size: tuple[int, int]) -> BoxScore:
    finds = [[box_finds_hazard(m, h.box, image_size) for h in hazards] for m in marked]
    found = [h for j, h in enumerate(hazards) if any(row[j] for row in finds)]
    found_ids = {h.id for h in found}
    return BoxScore(
        found=tuple(h.id for h in found),
        missed=tuple(h.id for h in hazards if h.id not in found_ids),
        extra=tuple(m for m, row in zip(marked, finds, strict=True) if not any(row)),
        must_found=sum(1 for h in found if h.must_redact),
        must_total=sum(1 for h in hazards if h.must_redact),
    )
