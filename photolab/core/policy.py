"""What gets hidden, and how: the one vocabulary of kinds and styles, and the rules applied to them.

- Region kinds: ``face``, ``text``, ``plate``, ``person``, ``other``; detector families (``--detect``):
  ``faces``, ``text`` (includes plates), ``people``.
- Text and plates are always filled solid, whatever style was asked for: blur and mosaics of text can be
  read back (the workshop's and reviewers' choices cannot change that).
- Detector boxes are padded by ``DEFAULT_PADDING`` of their long side on every side (text by its line height:
  ``redact.padded_box``); a reviewer's own boxes are used exactly as drawn.
- Weak face candidates are never redacted unless a reviewer turns them on: the desk shows them switched
  off, the command line reports them in the notes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from photolab.errors import UsageError

REGION_KINDS: tuple[str, ...] = ("face", "text", "plate", "person", "other")
DETECT_KINDS: tuple[str, ...] = ("faces", "text", "people")
DEFAULT_DETECT: tuple[str, ...] = ("faces", "text")
STYLES: tuple[str, ...] = ("blur", "pixelate", "solid")
DEFAULT_STYLE = "blur"
SOLID_KINDS = frozenset({"text", "plate"})
DEFAULT_PADDING = 0.2  # of the long side: 100% of faces-dev covered (pixel judge), 1.9% over-redaction
MAX_PADDING = 2.0


def style_for(kind: str, style: str) -> str:
    """The style a region of ``kind`` gets when ``style`` is asked for."""
    return "solid" if kind in SOLID_KINDS else style


def parse_detect(value: str) -> tuple[str, ...]:
    """``"faces,text"`` -> ("faces", "text"); ``"all"`` -> every family; ``""``/``"none"`` -> ()."""
    value = value.strip()
    if value == "all":
        return DETECT_KINDS
    if value in ("", "none"):
        return ()
    kinds = tuple(dict.fromkeys(k.strip() for k in value.split(",") if k.strip()))
    check_detect(kinds)
    return kinds


def check_detect(kinds: Iterable[str]) -> None:
    unknown = [k for k in kinds if k not in DETECT_KINDS]
    if unknown:
        known = ", ".join(DETECT_KINDS)
        raise UsageError(f"unknown --detect kind {unknown[0]!r}; choose from {known} or all")


def check_style(style: str) -> None:
    if style not in STYLES:
        raise UsageError(f"unknown --style {style!r}; choose from {', '.join(STYLES)}")


def check_padding(padding: float) -> None:
    if not 0 <= padding <= MAX_PADDING:
        raise UsageError(f"--padding must be between 0 and {MAX_PADDING:g}")


def plan(regions: Iterable[Any], style: str, candidates: Iterable[Any] = ()) -> list[Any]:
    """Regions to redact, from a detector's: styled by the rules above and numbered per kind; weak
    ``candidates`` follow, switched off and marked, so that only a reviewer can turn them on."""
    counts: dict[str, int] = {}
    out = []
    for region in regions:
        out.append(region.with_(style=style_for(region.kind, style), id=_next_id(counts, region.kind)))
    for region in candidates:
        out.append(region.with_(
            style=style_for(region.kind, style),
            enabled=False,
            extra={**region.extra, "candidate": True},
            id=_next_id(counts, f"{region.kind}-candidate"),
        ))
    return out


def _next_id(counts: dict[str, int], kind: str) -> str:
    counts[kind] = counts.get(kind, 0) + 1
    return f"{kind}-{counts[kind]}"
