"""The whole pipeline for one file: load -> inspect -> detect -> redact -> encode -> verify.

``anonymise_file`` is the per-file ``process`` that ``batch.run_batch`` drives for ``photolab anonymise``;
``verify_file`` is ``photolab verify``. The review desk uses the same pieces one stage at a time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from photolab import detect
from photolab.batch import Processed
from photolab.errors import UsageError
from photolab.metadata import encode_clean, inspect, output_format, residual_check
from photolab.photo import load, read_source
from photolab.redact import padded_box, redact
from photolab.regions import STYLES, Region, iou, overlap_of_smaller

DETECT_KINDS = ("faces", "text", "people")
DEFAULT_KINDS = ("faces", "text")
TEXT_KINDS = frozenset({"text", "plate"})
DEFAULT_PADDING = 0.25
VERIFY_THRESHOLD = 0.3  # a face found even this weakly in an output means something may have been missed
# Detectors still "see" a face-shaped blob in a blurred or filled area. Such an area has almost no fine
# detail: the variance of its Laplacian is <= 3.2 on photolab's blur, while every labelled face of the
# faces-dev set (1471, dark and tiny ones included) has >= 9. Below this value a hit counts as redacted.
REDACTED_DETAIL = 5.0


@dataclass(frozen=True)
class Options:
    """What ``photolab anonymise`` was asked to do (picklable, so worker processes can receive it)."""

    kinds: tuple[str, ...] = DEFAULT_KINDS
    style: str = "blur"
    padding: float = DEFAULT_PADDING

    def __post_init__(self) -> None:
        unknown = [k for k in self.kinds if k not in DETECT_KINDS]
        if unknown:
            raise UsageError(f"unknown --detect kind {unknown[0]!r}; choose from {', '.join(DETECT_KINDS)}")
        if self.style not in STYLES:
            raise UsageError(f"unknown --style {self.style!r}; choose from {', '.join(STYLES)}")
        if not 0 <= self.padding <= 2:
            raise UsageError("--padding must be between 0 and 2")


def parse_kinds(value: str) -> tuple[str, ...]:
    """``"faces,text"`` -> ("faces", "text"); ``"all"`` -> every kind."""
    if value.strip() == "all":
        return DETECT_KINDS
    return tuple(k.strip() for k in value.split(",") if k.strip())


def styled(regions: list[Region], style: str) -> list[Region]:
    """Apply the chosen style to detected regions; text and plates are always filled solid (blur and
    mosaic are reversible for text)."""
    return [r.with_(style="solid" if r.kind in TEXT_KINDS else style) for r in regions]


def anonymise_image(
    image: Image.Image, options: Options
) -> tuple[Image.Image, list[Region], detect.Detection]:
    """Detect and redact one upright image; the regions returned carry the boxes actually redacted."""
    found = detect.run(image, kinds=options.kinds)
    regions = styled(found.regions, options.style)
    out = redact(image, regions, padding=options.padding)
    applied = [r.with_(box=padded_box(r, options.padding, image.width, image.height)) for r in regions]
    return out, applied, found


def anonymise_file(path: Path, options: Options | None = None) -> Processed:
    """The ``anonymise`` stage for one file: strip + detect + redact, encoded from pixels only."""
    options = options or Options()
    data, name = read_source(path)
    photo = load(data, name=name)
    findings = [f.to_dict() for f in inspect(data)]
    out, regions, found = anonymise_image(photo.image, options)
    fmt, ext = output_format(photo.format, has_alpha=out.mode in ("RGBA", "LA"))
    notes = list(photo.notes) + list(found.needs_review_reasons)
    flags = {
        "dark": found.dark,
        "low_confidence": found.low_confidence,
        "needs_review": bool(found.needs_review_reasons),
    }
    regions_json = [r.to_json() for r in regions]
    return Processed(
        encode_clean(out, fmt), fmt, ext, out.width, out.height, findings, regions_json, notes, flags
    )


@dataclass
class Verdict:
    """What ``photolab verify`` found in one output file."""

    path: str
    ok: bool
    problems: list[str] = field(default_factory=list)
    faces: list[dict] = field(default_factory=list)


def verify_file(
    path: str | Path,
    redacted: list[tuple[int, int, int, int]] | None = None,
    threshold: float = VERIFY_THRESHOLD,
) -> Verdict:
    """No metadata left, and no face found by the detectors outside the redacted areas.

    Redacted areas are the boxes of an ``anonymise --report`` when given, and otherwise any hit whose
    pixels carry no fine detail (a blur or fill; a pixelated face still counts as a face without a report).
    """
    data, name = read_source(path)
    problems = [f"metadata left: {p}" for p in dict.fromkeys(residual_check(data))]
    photo = load(data, name=name)
    found = detect.run(photo.image, kinds=("faces",))
    gray = np.asarray(photo.image.convert("L"), dtype=np.float32)
    faces = [
        r
        for r in found.regions
        if r.score >= threshold
        and not _inside_any(r.box, redacted or [])
        and fine_detail(gray, r.box) >= REDACTED_DETAIL
    ]
    problems += [
        f"unredacted face at x={r.box[0]} y={r.box[1]} ({r.box[2]}x{r.box[3]} px, score {r.score:.2f})"
        for r in faces
    ]
    return Verdict(str(path), not problems, problems, [r.to_json() for r in faces])


def fine_detail(gray: np.ndarray, box: tuple[int, int, int, int]) -> float:
    """Variance of the Laplacian over the central 80% of ``box`` (high for a face, ~0 once redacted)."""
    x, y, w, h = box
    inner = gray[y + h // 10 : y + h - h // 10, x + w // 10 : x + w - w // 10]
    if inner.shape[0] < 3 or inner.shape[1] < 3:
        return float("inf")  # too small to judge: count it as a face
    return float(cv2.Laplacian(inner, cv2.CV_32F).var())


def _inside_any(box: tuple[int, int, int, int], redacted: list[tuple[int, int, int, int]]) -> bool:
    return any(overlap_of_smaller(box, r) >= 0.6 or iou(box, r) >= 0.3 for r in redacted)


def redacted_boxes_from_report(report: str | Path) -> dict[str, list[tuple[int, int, int, int]]]:
    """Output file name -> the boxes an ``anonymise --report`` says were redacted there."""
    import json

    entries = json.loads(Path(report).read_text(encoding="utf-8"))
    return {
        Path(e["output"]).name: [tuple(r["box"]) for r in e.get("regions", []) if r.get("enabled", True)]
        for e in entries
        if e.get("status") == "ok" and e.get("output")
    }
