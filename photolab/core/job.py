"""One photo, one path: open (decode once, list what the file gives away) -> detect -> plan -> render
(redact, then encode once from the upright pixels) -> check. ``strip``, ``anonymise``, the review desk and
the workshop all go through these functions; none of them decodes or encodes a photo any other way.

    opened = open_photo(data, name)                  # Photo (upright sRGB pixels, no metadata) + findings
    found = detect_regions(opened.photo.image, kinds)  # detector boxes, unpadded, + review flags
    regions = policy.plan(found.regions, style)      # styled, numbered; candidates off
    out = render(opened.photo, regions, padding)     # bytes exactly as they will be written

``run(data, name, options)`` chains them for the command line (a picklable ``Result`` comes back, so it can
run in a worker process or on a Dask worker). Redaction noise is seeded from the photo's size and the
regions, so the same photo with the same regions gives the same bytes everywhere (desk = ``anonymise``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from photolab.core import policy
from photolab.errors import PhotoLabError


@dataclass(frozen=True)
class Options:
    """What to do to each photo (picklable: worker processes and Dask workers receive it)."""

    detect: tuple[str, ...] = ()  # () = strip: metadata only, pixels untouched
    style: str = policy.DEFAULT_STYLE
    padding: float = policy.DEFAULT_PADDING

    def __post_init__(self) -> None:
        policy.check_detect(self.detect)
        policy.check_style(self.style)
        policy.check_padding(self.padding)

    def fingerprint(self) -> str:
        """A short stable id of these options (the resume manifest keys finished files by it)."""
        text = json.dumps([list(self.detect), self.style, round(self.padding, 6)])
        return hashlib.sha256(text.encode()).hexdigest()[:16]


STRIP = Options()
ANONYMISE = Options(detect=policy.DEFAULT_DETECT)


@dataclass
class Opened:
    """A decoded photo and what its file gave away (the original bytes are not kept)."""

    photo: Any  # photolab.photo.Photo
    findings: list[dict[str, Any]]


@dataclass(frozen=True)
class Rendered:
    """Encoded output bytes, already checked clean, and the areas that were actually redacted."""

    data: bytes
    format: str
    ext: str
    width: int
    height: int
    applied: list[Any]  # Regions with their padded boxes, as redacted


@dataclass
class Result:
    """What one job hands back to the batch runner (everything a report entry needs)."""

    name: str
    data: bytes
    format: str
    ext: str
    width: int
    height: int
    findings: list[dict[str, Any]] = field(default_factory=list)
    regions: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    flags: dict[str, Any] = field(default_factory=dict)


def open_photo(data: bytes, name: str) -> Opened:
    """Decode once and inspect: the only place a photo's bytes are read."""
    from photolab import metadata, photo

    return Opened(photo.load(data, name=name), [f.to_dict() for f in metadata.inspect(data)])


def detect_regions(image: Any, kinds: tuple[str, ...]) -> Any:
    """The detector families ``kinds`` on upright pixels (boxes unpadded; a ``detect.Detection``)."""
    from photolab import detect

    return detect.run(image, kinds=kinds)


def render(photo: Any, regions: list[Any], padding: float = policy.DEFAULT_PADDING) -> Rendered:
    """Redact the enabled ``regions`` and encode once, in the output format chosen for the source."""
    from photolab import metadata

    enabled = [r for r in regions if r.enabled]
    image, applied = photo.image, []
    if enabled:  # (a strip never loads the redaction code, nor numpy and OpenCV with it)
        from photolab import redact

        image = redact.redact(image, enabled, padding=padding, seed=redaction_seed(photo, enabled))
        applied = [r.with_(box=redact.padded_box(r, padding, photo.width, photo.height)) for r in enabled]
    fmt, ext = metadata.output_format(photo.format, has_alpha=image.mode in ("RGBA", "LA"))
    data = metadata.encode_clean(image, fmt, lossless=photo.lossless and fmt == "WEBP")
    metadata.assert_clean(data, photo.name)
    return Rendered(data, fmt, ext, image.width, image.height, applied)


def redaction_seed(photo: Any, regions: list[Any]) -> int:
    """Noise seed from the photo's size and the regions only (never from its pixels or its hash, which
    depends on the hidden pixels too): the same areas give the same bytes in the desk and the CLI."""
    spec = json.dumps([photo.width, photo.height, [[r.id, r.kind, list(r.box), r.style, r.shape]
                                                   for r in regions]])
    return int(hashlib.sha256(spec.encode()).hexdigest()[:16], 16)


def run(data: bytes, name: str, options: Options = STRIP) -> Result:
    """The whole job for one photo's bytes (strip when ``options.detect`` is empty)."""
    opened = open_photo(data, name)
    photo = opened.photo
    notes = list(photo.notes)
    flags: dict[str, Any] = {}
    regions: list[Any] = []
    if options.detect:
        found = detect_regions(photo.image, options.detect)
        regions = policy.plan(found.regions, options.style)
        notes += list(found.needs_review_reasons)
        flags = {
            "dark": found.dark,
            "low_confidence": found.low_confidence,
            "needs_review": bool(found.needs_review_reasons),
        }
    out = render(photo, regions, options.padding)
    return Result(
        name=name,
        data=out.data,
        format=out.format,
        ext=out.ext,
        width=out.width,
        height=out.height,
        findings=opened.findings,
        regions=[r.to_json() for r in out.applied],
        notes=notes,
        flags=flags,
    )


def run_file(path: str | Path, options: Options = STRIP) -> Result:
    """``run`` on a file (read with the loader's checks: regular file, size limit)."""
    from photolab.photo import read_source

    data, name = read_source(path)
    return run(data, name, options)


def run_or_error(data: bytes, name: str, options: Options) -> Result | PhotoLabError:
    """``run`` for remote workers: a bad file comes back as its error instead of raising far away."""
    try:
        return run(data, name, options)
    except PhotoLabError as exc:
        return exc
