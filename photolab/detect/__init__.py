"""Detection: one small protocol, a registry of detector families, and ``run`` that merges their findings.

``run(image, kinds)`` returns a ``Detection``: regions in the input image's pixels (not padded: redact pads),
plus the flags the review desk uses to force a human look (dark photo, low-confidence detections).
Each family lives in its own module and is imported only when asked for.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from PIL import Image

from photolab.regions import Region

KINDS: tuple[str, ...] = ("faces", "text", "people")
DEFAULT_KINDS: tuple[str, ...] = ("faces", "text")


@dataclass
class Finding:
    """What one detector family reports for one image."""

    regions: list[Region]
    dark: bool = False
    low_confidence: bool = False
    reasons: list[str] = field(default_factory=list)
    candidates: list[Region] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


class Detector(Protocol):
    """A detector family: RGB uint8 pixels (and what earlier families found) in, a Finding out."""

    def __call__(self, rgb: np.ndarray, found: list[Region]) -> Finding: ...


@dataclass
class Detection:
    """Everything found in one image, ready for review and redaction."""

    regions: list[Region]
    dark: bool = False
    low_confidence: bool = False
    needs_review_reasons: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    candidates: list[Region] = field(default_factory=list)  # weak: shown to a reviewer, not redacted

    @property
    def needs_review(self) -> bool:
        return self.dark or self.low_confidence or bool(self.needs_review_reasons)


def _faces(rgb: np.ndarray, found: list[Region]) -> Finding:
    from photolab.detect.faces import detect_faces

    r = detect_faces(rgb)
    return Finding(r.regions, r.dark, r.low_confidence, r.reasons, r.candidates, r.timings)


def _text(rgb: np.ndarray, found: list[Region]) -> Finding:
    from photolab.detect import faces
    from photolab.detect.text import detect_text

    # Text is the slowest stage: alone it may use every core; batch workers are pinned to one thread.
    return Finding(detect_text(rgb, threads=faces.current_threads() or (os.cpu_count() or 1)))


def _people(rgb: np.ndarray, found: list[Region]) -> Finding:
    from photolab.detect.people import detect_people

    return Finding(detect_people(rgb, faces=[r for r in found if r.kind == "face"]))


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
        result.timings.update({f"{kind}.{k}": v for k, v in found.timings.items()})
        result.regions.extend(found.regions)
        result.candidates.extend(found.candidates)
        result.dark |= found.dark
        result.low_confidence |= found.low_confidence
        result.needs_review_reasons.extend(found.reasons)
    return result


def aligned(pixels: np.ndarray, alignment: int = 64) -> np.ndarray:
    """A C-contiguous copy whose buffer starts on an ``alignment``-byte boundary (LiteRT copies, and
    warns on stderr, otherwise)."""
    buffer = np.empty(pixels.nbytes + alignment, np.uint8)
    offset = -buffer.ctypes.data % alignment
    out = buffer[offset:offset + pixels.nbytes].view(pixels.dtype).reshape(pixels.shape)
    out[...] = pixels
    return out


_stderr_lock = threading.Lock()


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Silence what native libraries (mediapipe's LiteRT) print on file descriptor 2 while a model loads:
    a dozen INFO/WARNING lines per detector that would bury photolab's own messages."""
    with _stderr_lock:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError):  # no usable stderr: nothing to silence
            yield
            return
        try:
            with open(os.devnull, "wb") as devnull:
                os.dup2(devnull.fileno(), 2)
                yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def set_threads(n: int) -> None:
    """Threads for onnxruntime/OpenCV in every detector (1 for benchmarks and parallel batch workers)."""
    from photolab.detect import faces

    faces.set_threads(n)


__all__: list[str] = ["DEFAULT_KINDS", "KINDS", "REGISTRY", "Detection", "Detector", "Finding", "aligned",
                      "as_rgb", "quiet_native_stderr", "register", "run", "set_threads"]
