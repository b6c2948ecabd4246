"""Regions: the boxes a detector proposes or a reviewer draws, and the small geometry they need.

The vocabulary (which kinds and styles exist, which kinds are always filled solid) is
``photolab.core.policy``; a region only carries its values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

Kind = Literal["face", "text", "person", "plate", "other"]
Style = Literal["solid", "pixelate", "blur"]
Shape = Literal["rect", "ellipse"]
Source = Literal["detector", "manual"]



@dataclass(frozen=True)
class Region:
    """One area to redact. ``box`` is (x, y, w, h) in pixels of the upright image.

    ``id`` is stable for the region's whole life (detection, every edit in the desk, the report and the
    record): ``policy.plan`` numbers detected regions per kind (``face-1``, ``text-2``), the desk numbers the
    ones a reviewer adds (``added-1``). Edits go through ``with_``, which keeps it.
    """

    kind: str
    box: tuple[int, int, int, int]
    score: float = 1.0
    source: str = "detector"  # "detector" or "manual"
    detector: str = ""  # which model found it, e.g. "centerface", "yunet", "rapidocr"
    style: str = "blur"  # action applied: solid | pixelate | blur
    shape: str = "rect"  # rect | ellipse
    enabled: bool = True
    text: str = ""  # recognised string for kind "text"/"plate"
    extra: dict[str, Any] = field(default_factory=dict, compare=False)
    id: str = ""

    @property
    def x2(self) -> int:
        return self.box[0] + self.box[2]

    @property
    def y2(self) -> int:
        return self.box[1] + self.box[3]

    @property
    def area(self) -> int:
        return max(0, self.box[2]) * max(0, self.box[3])

    def with_(self, **changes: Any) -> Region:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """The report form of DESIGN.md: box as [x, y, w, h], ``action`` = style."""
        d = asdict(self)
        d["box"] = list(self.box)
        d["action"] = d.pop("style")
        if not d["extra"]:
            d.pop("extra")
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Region:
        d = dict(d)
        if "action" in d and "style" not in d:
            d["style"] = d.pop("action")
        d.pop("action", None)
        d["box"] = tuple(round(float(v)) for v in d["box"])
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in d.items() if k in known})


def iou(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Intersection over union of two (x, y, w, h) boxes."""
    ax2, ay2, bx2, by2 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw = max(0, min(ax2, bx2) - max(a[0], b[0]))
    ih = max(0, min(ay2, by2) - max(a[1], b[1]))
    inter = iw * ih
    union = a[2] * a[3] + b[2] * b[3] - inter
    return inter / union if union > 0 else 0.0


def overlap_of_smaller(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> float:
    """Fraction of the smaller box covered by the other (catches a box nested inside another)."""
    ax2, ay2, bx2, by2 = a[0] + a[2], a[1] + a[3], b[0] + b[2], b[1] + b[3]
    iw = max(0, min(ax2, bx2) - max(a[0], b[0]))
    ih = max(0, min(ay2, by2) - max(a[1], b[1]))
    smaller = min(a[2] * a[3], b[2] * b[3])
    return (iw * ih) / smaller if smaller > 0 else 0.0


def clip(box: tuple[float, float, float, float], width: int, height: int) -> tuple[int, int, int, int]:
    """Round outward and clip an (x, y, w, h) box to the image."""
    x1 = max(0, int(box[0]))
    y1 = max(0, int(box[1]))
    x2 = min(width, int(-(-(box[0] + box[2]) // 1)))
    y2 = min(height, int(-(-(box[1] + box[3]) // 1)))
    return (x1, y1, max(0, x2 - x1), max(0, y2 - y1))


def linked_groups(count: int, links: Iterable[tuple[int, int]]) -> list[list[int]]:
    """The indices ``0 .. count - 1`` gathered into the groups that ``links`` (pairs of indices) join
    (union-find); each group in index order, the groups in the order of their first index."""
    parent = list(range(count))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, j in links:
        parent[root(int(i))] = root(int(j))
    groups: dict[int, list[int]] = {}
    for i in range(count):
        groups.setdefault(root(i), []).append(i)
    return list(groups.values())


def merge(regions: list[Region], threshold: float = 0.5) -> list[Region]:
    """Merge same-kind regions that overlap (IoU or nesting above ``threshold``) into their union box.

    Recall matters more than tidy boxes: merging takes the union, never the intersection.
    """
    out: list[Region] = []
    for r in sorted(regions, key=lambda r: -r.score):
        for i, o in enumerate(out):
            same = iou(o.box, r.box) >= threshold or overlap_of_smaller(o.box, r.box) >= 0.8
            if o.kind == r.kind and same:
                x1, y1 = min(o.box[0], r.box[0]), min(o.box[1], r.box[1])
                x2, y2 = max(o.x2, r.x2), max(o.y2, r.y2)
                out[i] = o.with_(box=(x1, y1, x2 - x1, y2 - y1), score=max(o.score, r.score))
                break
        else:
            out.append(r)
    return out
