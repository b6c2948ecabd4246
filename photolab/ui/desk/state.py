"""What one browser session of the review desk holds: its photos and the reviewer's decisions.

A session is created when its page loads (never at app construction: an object built then would be
copied into every session, and with it any token or folder name). It holds, per photo, the upright clean
pixels the core job decoded once — or, for photos not on screen, a lossless PNG of them — and never the
original file, its metadata or a lossy intermediate.
"""

from __future__ import annotations

import io
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

from PIL import Image

PREVIEW_LONG = 2000  # px: the photo the viewer shows; full resolution is sent in tiles on demand
FAMILIES = ("faces", "text")  # what the desk detects, in this order


class Pixels:
    """Upright clean pixels of one photo: decoded while in use, parked as a lossless PNG otherwise."""

    def __init__(self, image: Image.Image) -> None:
        self._image: Image.Image | None = image
        self._png: bytes | None = None
        self._lock = threading.Lock()
        self.size = image.size
        self.mode = image.mode

    def image(self) -> Image.Image:
        with self._lock:
            if self._image is None:
                decoded = Image.open(io.BytesIO(self._png or b""))
                decoded.load()
                self._image = decoded
            return self._image

    def park(self) -> None:
        """Drop the decoded pixels, keeping an exact PNG copy (about a quarter of the memory)."""
        with self._lock:
            if self._image is None:
                return
            if self._png is None:
                buffer = io.BytesIO()
                self._image.save(buffer, "PNG", compress_level=1)
                self._png = buffer.getvalue()
            self._image = None

    def nbytes(self) -> int:
        with self._lock:
            held = len(self._png or b"")
            if self._image is not None:
                held += self._image.width * self._image.height * len(self._image.getbands())
            return held


@dataclass
class Item:
    """One photo under review."""

    key: str  # random, per session: never derived from the original file
    name: str  # the upload's file name: shown to this reviewer only, never exported
    photo: Any  # photolab.photo.Photo whose .image is replaced by ``pixels`` after opening
    pixels: Pixels
    findings: list[dict[str, Any]]
    preview: bytes  # JPEG of the upright clean pixels, long side <= PREVIEW_LONG
    preview_scale: float  # preview px per full-size px
    export_stem: str = field(default_factory=lambda: f"photo-{secrets.token_hex(4)}")
    regions: list[Any] = field(default_factory=list)
    detected: set[str] = field(default_factory=set)  # detector families whose results are in
    failed: dict[str, str] = field(default_factory=dict)  # family -> plain message
    dark: bool = False
    low_confidence: bool = False
    reasons: list[str] = field(default_factory=list)
    checked_full_size: bool = False
    output: Any = None  # core.job.Rendered of the current regions (what is exported)
    output_for: tuple[Any, ...] | None = None
    decision: str = ""  # "", "approved", "refused"
    added: int = 0  # areas the reviewer drew (their ids: added-1, added-2 ...)
    bright_url: str = ""  # the brightened preview of a dark photo, made once
    version: int = 0  # bumped whenever detection adds areas (the page refreshes when it changes)

    @property
    def width(self) -> int:
        return self.pixels.size[0]

    @property
    def height(self) -> int:
        return self.pixels.size[1]

    @property
    def needs_full_size_check(self) -> bool:
        return self.dark or self.low_confidence

    def output_is_current(self) -> bool:
        return self.output is not None and self.output_for == render_key(self.regions)


def render_key(regions: list[Any]) -> tuple[Any, ...]:
    """What the exported bytes depend on: the areas that are hidden."""
    return tuple(r for r in regions if r.enabled)


@dataclass
class Desk:
    """One browser session."""

    lang: str
    browser: str | None = None  # the browser's private-download cookie, when the page has one
    items: list[Item] = field(default_factory=list)
    current: int = 0
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    shown_checklist: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    answered: bool = False
    closed: bool = False
    shown_version: tuple[str, int] = ("", -1)  # which item/version the areas step last showed
    downloads: list[str] = field(default_factory=list)  # private download URLs offered to this session
    refused: list[str] = field(default_factory=list)  # "name: why" of every file this session could not read

    def item(self) -> Item | None:
        if not self.items:
            return None
        return self.items[min(self.current, len(self.items) - 1)]

    def find(self, key: str) -> Item | None:
        return next((it for it in self.items if it.key == key), None)

    def show(self, index: int) -> None:
        """Put photo ``index`` on screen; the others are parked once no detector needs them."""
        self.current = index
        self.park_idle()

    def park_idle(self) -> None:
        """Park the pixels of every photo that is not on screen and that no detector still needs: a
        session of 20 photos then holds 20 lossless PNGs and one decoded photo, not 20 decoded photos."""
        with self.lock:
            on_screen = self.item()
            idle = [it for it in self.items
                    if it is not on_screen and all(f in it.detected for f in FAMILIES)]
        for it in idle:
            it.pixels.park()

    def pending(self) -> list[Item]:
        return [it for it in self.items if not it.decision]
