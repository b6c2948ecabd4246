"""Detection: one result type, a registry of detector families, and ``run`` that merges their results.

``run(image, kinds)`` returns a ``Detection``: regions in the input image's pixels (not padded: redact pads),
plus the flags the review desk uses to force a human look (dark photo, low-confidence detections). Each
family (faces, text, people) returns the same ``Detection`` for its own part, and lives in its own module,
imported only when asked for. Model runtime (threads, sessions, native stderr) is ``detect.runtime``; one
backend object per model (``centerface``, ``yunet``, ``blazeface``, ``segmenter``) owns its session.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from photolab.regions import Region

KINDS: tuple[str, ...] = ("faces", "text", "people")
DEFAULT_KINDS: tuple[str, ...] = ("faces", "text")


@dataclass
class Detection:
    """What was found in one image (by one family, or by all of them), ready for review and redaction."""

    regions: list[Region]
    dark: bool = False
    low_confidence: bool = False
    needs_review_reasons: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    candidates: list[Region] = field(default_factory=list)  # weak: shown to a reviewer, not redacted

    @property
    def needs_review(self) -> bool:
        return self.dark or self.low_confidence or bool(self.needs_review_reasons)

    def add(self, other: Detection, prefix: str = "") -> None:
        """Merge another family's result into this one (timings under ``prefix.``)."""
        self.regions.extend(other.regions)
        self.candidates.extend(other.candidates)
        self.dark |= other.dark
        self.low_confidence |= other.low_confidence
        self.needs_review_reasons.extend(other.needs_review_reasons)
        self.timings.update({f"{prefix}{k}": v for k, v in other.timings.items()})


# A detector family: RGB uint8 pixels and what earlier families found, in; its Detection out.
Detector = Callable[[np.ndarray, list[Region]], Detection]


def _faces(rgb: np.ndarray, found: list[Region]) -> Detection:
    from photolab.detect.faces import detect_faces

    return detect_faces(rgb)


def _text(rgb: np.ndarray, found: list[Region]) -> Detection:
    from photolab.detect import runtime
    from photolab.detect.text import text_detection

    return text_detection(rgb, threads=runtime.threads())


def _people(rgb: np.ndarray, found: list[Region]) -> Detection:
    from photolab.detect.people import detect_people

    return Detection(detect_people(rgb, faces=[r for r in found if r.kind == "face"]))


REGISTRY: dict[str, Detector] = {"faces": _faces, "text": _text, "people": _people}


def register(kind: str, detector: Detector) -> None:
    """Add or replace a detector family (e.g. a plate detector) under a ``--detect`` kind name."""
    REGISTRY[kind] = detector


def as_rgb(image: Image.Image | np.ndarray) -> np.ndarray:
    """RGB uint8 pixels (H, W, 3) from a PIL image or an array (grey, RGB or RGBA)."""
    if isinstance(image, Image.Image):
        return np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    array = np.asarray(image)
    if array.dtype != np.uint8:
        raise TypeError(f"expected uint8 pixels, got {array.dtype}")
    if array.ndim == 2:
        return np.repeat(array[:, :, None], 3, axis=2)
    if array.ndim == 3 and array.shape[2] in (3, 4):
        return np.ascontiguousarray(array[:, :, :3])
    raise TypeError(f"expected an image array (H, W[, 3|4]), got shape {array.shape}")


def run(image: Image.Image | np.ndarray, kinds: Iterable[str] = DEFAULT_KINDS) -> Detection:
    """Run the asked detector families on one upright image; boxes in its pixels, unpadded."""
    kinds = tuple(kinds)
    unknown = [k for k in kinds if k not in REGISTRY]
    if unknown:
        raise ValueError(f"unknown detection kind {unknown[0]!r} (known: {', '.join(REGISTRY)})")
    rgb = as_rgb(image)
    result = Detection(regions=[])
    for kind in sorted(kinds, key=lambda k: k != "faces"):  # faces first: people builds on them
        t0 = time.perf_counter()
        found = REGISTRY[kind](rgb, list(result.regions))
        result.timings[kind] = time.perf_counter() - t0
        result.add(found, prefix=f"{kind}.")
    return result


def set_threads(n: int) -> None:
    """Threads per model in every detector (1 for benchmarks and parallel batch workers; 0 = default)."""
    from photolab.detect import runtime

    runtime.set_threads(n)


def __getattr__(name: str):  # the runtime helpers, for code that imported them from here
    if name in ("aligned", "quiet_native_stderr"):
        from photolab.detect import runtime

        return getattr(runtime, name)
    raise AttributeError(name)


__all__: list[str] = ["DEFAULT_KINDS", "KINDS", "REGISTRY", "Detection", "Detector", "as_rgb", "register",
                      "run", "set_threads"]
