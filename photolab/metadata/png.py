"""PNG (and APNG): chunks up to IEND, then the trailer."""

from __future__ import annotations

import re
import struct
import zlib
from typing import ClassVar

from photolab.metadata import exif, icc, iptc, photoshop, xmp
from photolab.metadata.container import Block, Container, Layout, register, unknown_block
from photolab.metadata.findings import Collector, text
from photolab.metadata.rules import DATE, ICC, PNG_DISPLAY_CHUNKS, PNG_TEXT_KEYS, TEXT, XMP

STRUCTURAL_CHUNKS = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}


@register
class Png(Container):
    formats: ClassVar[tuple[str, ...]] = ("PNG",)

    def parse(self, data: bytes) -> Layout:
        out = Layout("PNG")
        pos, n = 8, len(data)
        frames = 0
        while pos + 8 <= n:
            length = struct.unpack(">I", data[pos : pos + 4])[0]
            ctype = data[pos + 4 : pos + 8]
            if pos + 12 + length > n:
                out.problems.append(f"PNG chunk {ctype.decode('latin-1')!r} runs past the end of the file")
                return out
            frames += ctype == b"fcTL"
            structural = ctype in STRUCTURAL_CHUNKS  # pixel data is not copied into the layout
            body = b"" if structural else data[pos + 8 : pos + 8 + length]
            out.blocks.append(Block(ctype.decode("latin-1"), body, structural=structural))
            pos += 12 + length
            if ctype == b"IEND":
                out.trailer = data[pos:]
                out.images = max(1, frames)
                return out
        out.problems.append("PNG ends without an IEND chunk")
        return out

    def interpret(self, data: bytes, layout: Layout, out: Collector) -> None:
        for block in layout.blocks:
            if not block.structural and block.label not in PNG_DISPLAY_CHUNKS:
                _chunk(block, out)


def _chunk(block: Block, out: Collector) -> None:
    label, body = block.label, block.payload
    if label in ("tEXt", "zTXt", "iTXt"):
        key, value = text_chunk(label, body)
        _text_entry(key, value, out)
    elif label in ("eXIf", "zxIf"):
        payload = zlib.decompress(body[1:]) if label == "zxIf" else body
        exif.interpret(payload[6:] if payload.startswith(b"Exif\0") else payload, out, source="EXIF")
    elif label == "iCCP":
        nul = body.find(b"\0")
        try:
            icc.interpret(zlib.decompress(body[nul + 2 :]), out)
        except zlib.error:
            out.add(ICC, "ICC profile", f"damaged profile named '{text(body[:nul])}'")
    elif label == "tIME" and len(body) >= 7:
        year, mo, day, hh, mm, ss = struct.unpack(">HBBBBB", body[:7])
        out.add(DATE, "PNG modification time", f"{year:04d}-{mo:02d}-{day:02d} {hh:02d}:{mm:02d}:{ss:02d}")
    else:
        unknown_block(block, out, "PNG")


def text_chunk(label: str, body: bytes) -> tuple[str, str]:
    """(keyword, text) of a tEXt, zTXt or iTXt chunk."""
    nul = body.find(b"\0")
    key = body[:nul].decode("latin-1")
    rest = body[nul + 1 :]
    try:
        if label == "tEXt":
            return key, rest.decode("latin-1")
        if label == "zTXt":
            return key, zlib.decompress(rest[1:]).decode("latin-1")
        compressed = rest[0] == 1
        rest = rest[2:]
        rest = rest[rest.index(b"\0") + 1 :]  # language tag
        rest = rest[rest.index(b"\0") + 1 :]  # translated keyword
        return key, (zlib.decompress(rest) if compressed else rest).decode("utf-8", "replace")
    except (zlib.error, ValueError, IndexError):
        return key, "(damaged text)"


def _text_entry(key: str, value: str, out: Collector) -> None:
    lowered = key.lower()
    if key == "XML:com.adobe.xmp" or lowered == "raw profile type xmp":
        xmp.interpret(raw_profile(value) if lowered.startswith("raw profile") else value.encode(), out)
    elif lowered in ("raw profile type exif", "raw profile type app1"):
        raw = raw_profile(value)
        exif.interpret(raw[6:] if raw.startswith(b"Exif\0") else raw, out, source="EXIF")
    elif lowered == "raw profile type iptc":
        raw = raw_profile(value)
        (photoshop.interpret if raw.startswith(b"8BIM") else iptc.interpret)(raw, out)
    elif lowered in ("raw profile type icc", "raw profile type icm"):
        icc.interpret(raw_profile(value), out)
    elif lowered in PNG_TEXT_KEYS:
        _, rule = PNG_TEXT_KEYS[lowered]
        out.add(rule, f"PNG text '{key}'", value)
    else:  # any keyword: named like an XMP property ("Photographer", "GPSLatitude" ...) or free text
        rule = xmp.rule_for("", key.rsplit(":", 1)[-1].replace(" ", ""))  # "xmp:CreatorTool" -> software
        out.add(TEXT if rule is XMP else rule, f"PNG text '{key}'", value)


def raw_profile(value: str) -> bytes:
    """ImageMagick 'Raw profile type' text: name, length, then hex digits."""
    lines = value.strip().split("\n", 2)
    hexdigits = re.sub(r"\s", "", lines[2] if len(lines) > 2 else "")
    try:
        return bytes.fromhex(hexdigits)
    except ValueError:
        return b""
