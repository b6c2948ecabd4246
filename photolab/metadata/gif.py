"""GIF: blocks and extensions up to the trailer byte, then whatever follows."""

from __future__ import annotations

from typing import ClassVar

from photolab.metadata import icc, xmp
from photolab.metadata.container import Block, Container, Layout, register, unknown_block
from photolab.metadata.findings import Collector, text
from photolab.metadata.rules import TEXT

STRUCTURAL_APPLICATIONS = {b"NETSCAPE2.0", b"ANIMEXTS1.0"}  # loop count only
_TRAILER, _EXTENSION, _IMAGE = 0x3B, 0x21, 0x2C
_GRAPHIC_CONTROL, _COMMENT, _PLAIN_TEXT, _APPLICATION = 0xF9, 0xFE, 0x01, 0xFF


@register
class Gif(Container):
    formats: ClassVar[tuple[str, ...]] = ("GIF",)

    def parse(self, data: bytes) -> Layout:
        out = Layout("GIF", images=0)
        flags = data[10]
        pos = 13 + (3 * (2 ** ((flags & 7) + 1)) if flags & 0x80 else 0)
        n = len(data)
        while pos < n:
            kind = data[pos]
            if kind == _TRAILER:
                out.trailer = data[pos + 1 :]
                return out
            if kind == _EXTENSION:
                label = data[pos + 1]
                body, pos = sub_blocks(data, pos + 2)
                out.blocks.append(_extension(label, body))
            elif kind == _IMAGE:
                out.images += 1
                local = data[pos + 9]
                pos += 10 + (3 * (2 ** ((local & 7) + 1)) if local & 0x80 else 0) + 1
                _, pos = sub_blocks(data, pos)
                out.blocks.append(Block("image", structural=True))
            else:
                out.problems.append(f"GIF has an unknown block at offset {pos}")
                return out
        out.problems.append("GIF ends without a trailer")
        return out

    def interpret(self, data: bytes, layout: Layout, out: Collector) -> None:
        for block in layout.blocks:
            if block.structural:
                continue
            if block.label == "GIF comment":
                out.add(TEXT, "GIF comment", text(unblock(block.payload)))
            elif block.label == "GIF plain text":
                out.add(TEXT, "GIF text overlay", text(unblock(block.payload)[12:]))
            elif block.label.startswith("GIF application XMP Data"):
                xmp.interpret(block.payload[12:], out)
            elif block.label.startswith("GIF application ICCRGBG1"):
                icc.interpret(unblock(block.payload)[12:], out)
            else:
                unknown_block(block, out, "GIF")


def sub_blocks(data: bytes, pos: int) -> tuple[bytes, int]:
    """Raw sub-block stream (length bytes included, as XMP-in-GIF expects) and the offset after it."""
    start = pos
    while True:
        size = data[pos]
        pos += 1
        if size == 0:
            return data[start:pos], pos
        pos += size
        if pos >= len(data):
            raise IndexError("GIF sub-blocks run past the end")


def unblock(raw: bytes) -> bytes:
    parts, pos = [], 0
    while pos < len(raw) and raw[pos]:
        parts.append(raw[pos + 1 : pos + 1 + raw[pos]])
        pos += 1 + raw[pos]
    return b"".join(parts)


def _extension(label: int, body: bytes) -> Block:
    if label == _GRAPHIC_CONTROL:
        return Block("graphic control", body, structural=True)
    if label == _COMMENT:
        return Block("GIF comment", body)
    if label == _PLAIN_TEXT:
        return Block("GIF plain text", body)
    if label == _APPLICATION:
        ident = body[1:12]
        if ident in STRUCTURAL_APPLICATIONS:
            return Block("GIF loop", body, structural=True)
        return Block("GIF application " + ident.decode("latin-1", "replace"), body)
    return Block(f"GIF extension {label:02X}", body)
