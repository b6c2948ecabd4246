"""WebP: RIFF chunks up to the RIFF size, then the trailer."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from typing import ClassVar

from photolab.metadata import exif, icc, xmp
from photolab.metadata.container import Block, Container, Layout, register, unknown_block
from photolab.metadata.findings import Collector

STRUCTURAL_CHUNKS = {b"VP8 ", b"VP8L", b"ALPH"}
FRAME_CHUNKS = {"VP8X", "ANIM", "ANMF"}  # layout and animation (VP8X is checked for its flags)
_FLAG_BITS = {0x20: "ICC flag", 0x08: "EXIF flag", 0x04: "XMP flag", 0x02: "animation flag"}


@register
class Webp(Container):
    formats: ClassVar[tuple[str, ...]] = ("WEBP",)

    def parse(self, data: bytes) -> Layout:
        out = Layout("WEBP")
        riff_end = 8 + struct.unpack("<I", data[4:8])[0]
        out.trailer = data[riff_end:]
        pos = 12
        frames = 0
        for ctype, body, end in chunks(data, 12, min(riff_end, len(data))):
            label = ctype.decode("latin-1")
            frames += ctype == b"ANMF"
            if ctype == b"VP8X":
                flags = body[0] if len(body) else 0
                set_bits = [name for bit, name in _FLAG_BITS.items() if flags & bit]
                note = ", ".join(set_bits)
                out.blocks.append(Block(label, bytes(body), structural=not set_bits, note=note))
            else:
                structural = ctype in STRUCTURAL_CHUNKS  # pixel data is not copied into the layout
                out.blocks.append(Block(label, b"" if structural else bytes(body), structural=structural))
            pos = end
        if pos < riff_end:
            out.problems.append("WebP chunks run past the end of the file")
        out.images = max(1, frames)
        return out

    def interpret(self, data: bytes, layout: Layout, out: Collector) -> None:
        for block in layout.blocks:
            label, body = block.label, block.payload
            if block.structural or label in FRAME_CHUNKS:
                continue
            if label == "EXIF":
                exif.interpret(body[6:] if body.startswith(b"Exif\0") else body, out, source="EXIF")
            elif label == "XMP ":
                xmp.interpret(body, out)
            elif label == "ICCP":
                icc.interpret(body, out)
            else:
                unknown_block(block, out, "WebP")


def chunks(data: bytes | memoryview, pos: int, end: int) -> Iterator[tuple[bytes, memoryview, int]]:
    """RIFF chunks between ``pos`` and ``end``: (four-character type, body as a view, offset after it)."""
    view = memoryview(data)
    while pos + 8 <= end:
        ctype = bytes(view[pos : pos + 4])
        length = struct.unpack("<I", view[pos + 4 : pos + 8])[0]
        body = view[pos + 8 : pos + 8 + length]
        pos += 8 + length + (length & 1)
        yield ctype, body, pos


def is_lossless(data: bytes) -> bool:
    """Was this WebP encoded losslessly (its first image chunk, or first frame's, is VP8L)?"""
    riff_end = min(8 + struct.unpack("<I", data[4:8])[0], len(data)) if len(data) >= 12 else 0
    for ctype, body, _ in chunks(data, 12, riff_end):
        if ctype == b"ANMF":
            for inner, _, _ in chunks(body, 16, len(body)):
                if inner in (b"VP8 ", b"VP8L"):
                    return inner == b"VP8L"
        elif ctype in (b"VP8 ", b"VP8L"):
            return ctype == b"VP8L"
    return False
