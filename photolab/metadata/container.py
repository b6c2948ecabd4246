"""What every container parser shares: the parse result (``Layout`` of ``Block``s) and the parser registry.

One small parser class per container format (jpeg.py, png.py, gif.py, webp.py, tiff.py, bmff.py), in
the manner of mat2's ``libmat2``: ``parse`` walks the bytes into blocks without decoding pixels, marking
each block structural (on the format's allowlist: what a decoder needs) or not; ``interpret`` explains the
non-structural blocks as findings through the shared interpreters (exif, xmp, iptc, photoshop, icc). The
same parse serves ``inspect`` (what is there) and ``residual_check`` (is a written file clean).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import ClassVar

from photolab.metadata.findings import Collector, printable_ident
from photolab.metadata.rules import SECOND, UNKNOWN
from photolab.photo import sniff_format


@dataclass
class Block:
    """One metadata-bearing or structural unit of a container (JPEG segment, PNG chunk, ...)."""

    label: str  # "APP1", "COM", "tEXt", "EXIF", "IFD tag 315", ...
    payload: bytes = b""
    structural: bool = False
    note: str = ""


@dataclass
class Layout:
    format: str
    blocks: list[Block] = field(default_factory=list)
    trailer: bytes = b""
    images: int = 1
    problems: list[str] = field(default_factory=list)


class Container:
    """A container format: how to walk it, and how to explain what the walk found."""

    formats: ClassVar[tuple[str, ...]] = ()

    def parse(self, data: bytes) -> Layout:
        raise NotImplementedError

    def interpret(self, data: bytes, layout: Layout, out: Collector) -> None:
        for block in layout.blocks:
            if not block.structural:
                unknown_block(block, out, layout.format)


_REGISTRY: dict[str, Container] = {}


def register(container: type[Container]) -> type[Container]:
    instance = container()
    for name in container.formats:
        _REGISTRY[name] = instance
    return container


def container_for(fmt: str) -> Container | None:
    return _REGISTRY.get(fmt)


def walk(data: bytes, fmt: str | None = None) -> Layout:
    """Parse the container structure of ``data`` without decoding pixels."""
    fmt = fmt or sniff_format(data) or "unknown"
    container = container_for(fmt)
    if container is None:
        return Layout(fmt, problems=[f"{fmt} container: photolab cannot verify this format"])
    try:
        return container.parse(data)
    except (IndexError, struct.error, ValueError) as exc:
        return Layout(fmt, problems=[f"{fmt} structure cannot be parsed ({exc.__class__.__name__})"])


def unknown_block(block: Block, out: Collector, fmt: str) -> None:
    ident = printable_ident(block.payload)
    value = f"{fmt} {block.label}" + (f" '{ident}'" if ident else "") + f", {len(block.payload)} bytes"
    if b"\xff\xd8\xff" in block.payload[4:]:
        out.add(SECOND, f"Image hidden in {block.label} segment", value)
    else:
        out.add(UNKNOWN, f"{block.label} segment", value)
