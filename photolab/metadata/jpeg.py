"""JPEG (and MPO): markers and segments up to the end-of-image marker, then the trailer."""

from __future__ import annotations

import re
import struct
from typing import ClassVar

from photolab.metadata import exif, icc, photoshop, vendor, xmp
from photolab.metadata.container import Block, Container, Layout, register, unknown_block
from photolab.metadata.findings import Collector, text
from photolab.metadata.rules import SECOND, TEXT, THUMB

# Markers a decoder needs: SOFn, DHT, DAC, DQT, DRI, DNL, SOS.
STRUCTURAL_MARKERS = {*range(0xC0, 0xD0)} - {0xC8} | {0xDA, 0xDB, 0xDC, 0xDD}
_EOI, _SOS, _COM, _APP0, _APP14 = 0xD9, 0xDA, 0xFE, 0xE0, 0xEE
_FRAME_MARKERS = STRUCTURAL_MARKERS - {0xC4, 0xCC, _SOS, 0xDB, 0xDC, 0xDD}  # SOF0..SOF15
# 0xFF followed by anything but a stuffed zero, a restart marker or another 0xFF (fill byte).
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")

EXIF_SIG = b"Exif\0"
XMP_SIG = b"http://ns.adobe.com/xap/1.0/\0"
XMP_EXT_SIG = b"http://ns.adobe.com/xmp/extension/\0"
ICC_SIG = b"ICC_PROFILE\0"
PHOTOSHOP_SIG = b"Photoshop 3.0\0"
FLIR_SIG = b"FLIR\0"


@register
class Jpeg(Container):
    formats: ClassVar[tuple[str, ...]] = ("JPEG", "MPO")

    def parse(self, data: bytes) -> Layout:
        out = Layout("JPEG")
        pos, n = 2, len(data)
        while True:
            if pos >= n:
                out.problems.append("JPEG ends without an end-of-image marker")
                return out
            if data[pos] != 0xFF:
                out.problems.append(f"unexpected bytes between JPEG segments at offset {pos}")
                return out
            while pos < n and data[pos] == 0xFF:
                pos += 1
            if pos >= n:
                out.problems.append("JPEG ends without an end-of-image marker")
                return out
            marker = data[pos]
            pos += 1
            if marker == _EOI:
                out.trailer = data[pos:]
                return out
            if 0xD0 <= marker <= 0xD7 or marker == 0x01:
                continue
            length = struct.unpack(">H", data[pos : pos + 2])[0]
            out.blocks.append(_block(marker, data[pos + 2 : pos + length]))
            pos += length
            if marker == _SOS:
                pos = skip_entropy_data(data, pos)

    def interpret(self, data: bytes, layout: Layout, out: Collector) -> None:
        icc_parts: list[bytes] = []
        xmp_ext: list[bytes] = []
        flir: list[bytes] = []
        for block in layout.blocks:
            p = block.payload
            if block.label == "APP2" and p.startswith(ICC_SIG):
                icc_parts.append(p[14:])
            elif p.startswith(XMP_EXT_SIG):
                xmp_ext.append(p[len(XMP_EXT_SIG) + 40 :])  # GUID (32), full length (4), offset (4)
            elif block.label == "APP1" and p.startswith(FLIR_SIG):
                flir.append(p)
            elif not block.structural:
                _segment(block, out)
        if icc_parts:
            icc.interpret(b"".join(icc_parts), out)
        if xmp_ext:
            xmp.interpret(b"".join(xmp_ext), out)
        if flir:
            vendor.interpret_flir(vendor.flir_payload(flir), out)


def _block(marker: int, payload: bytes) -> Block:
    if marker in STRUCTURAL_MARKERS:
        return Block(f"marker {marker:02X}", b"", structural=True)
    if marker == _APP0 and payload.startswith(b"JFIF\0"):
        no_thumb = len(payload) == 14 and payload[12] == 0 and payload[13] == 0
        return Block("APP0 JFIF", payload, structural=no_thumb, note="" if no_thumb else "JFIF thumbnail")
    if marker == _APP14 and payload.startswith(b"Adobe") and len(payload) == 12:
        return Block("APP14 Adobe", payload, structural=True)
    if marker == _COM:
        name = "COM"
    elif 0xE0 <= marker <= 0xEF:
        name = f"APP{marker - 0xE0}"
    else:
        name = f"{marker:02X}"
    return Block(name, payload)


def skip_entropy_data(data: bytes, pos: int) -> int:
    """Offset of the first real marker after entropy-coded data (stuffed 0xFF00 and RSTn skipped)."""
    found = _NEXT_MARKER.search(data, pos)
    return found.start() if found else len(data)


def _segment(block: Block, out: Collector) -> None:
    p, label = block.payload, block.label
    if label == "APP1" and p.startswith(EXIF_SIG):
        exif.interpret(p[6:], out, source="EXIF")
    elif label == "APP1" and p.startswith(XMP_SIG):
        xmp.interpret(p[len(XMP_SIG) :], out)
    elif label == "APP13" and p.startswith(PHOTOSHOP_SIG):
        photoshop.interpret(p[len(PHOTOSHOP_SIG) :], out)
    elif label == "APP0 JFIF":
        out.add(THUMB, "JFIF thumbnail", f"{p[12]}x{p[13]} pixels" if len(p) >= 14 else "present")
    elif label == "APP0" and p.startswith(b"JFXX\0"):
        out.add(THUMB, "JFXX thumbnail", f"{len(p)} bytes")
    elif label == "APP2" and p.startswith(b"MPF\0"):
        out.add(SECOND, "MPF secondary images", mpf_summary(p[4:]))
    elif label == "COM":
        out.add(TEXT, "JPEG comment", text(p))
    else:
        unknown_block(block, out, "JPEG")


def mpf_summary(payload: bytes) -> str:
    try:
        endian = "<" if payload[:2] == b"II" else ">"
        offset = struct.unpack(endian + "I", payload[4:8])[0]
        count = struct.unpack(endian + "H", payload[offset : offset + 2])[0]
        for i in range(count):
            entry = payload[offset + 2 + 12 * i : offset + 14 + 12 * i]
            tag, _, _, value = struct.unpack(endian + "HHII", entry)
            if tag == 0xB002:
                return f"{value // 16 - 1} image(s) besides the main one"
    except (struct.error, IndexError):
        pass
    return "multi-picture index present"


def dnl_height(data: bytes) -> tuple[int, int] | None:
    """For a JPEG whose frame header says 0 lines and whose DNL marker (after the first scan) gives the
    count: (offset of the frame header's height field, the count). None otherwise."""
    pos, n, height_at = 2, len(data), -1
    while pos + 4 <= n and data[pos] == 0xFF:
        marker = data[pos + 1]
        if marker == 0xFF:
            pos += 1
            continue
        if marker == _EOI:
            return None
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if marker == 0xDC and height_at > 0 and length == 4:
            lines = struct.unpack(">H", data[pos + 4 : pos + 6])[0]
            return (height_at, lines) if lines else None
        if marker in _FRAME_MARKERS:
            if data[pos + 5 : pos + 7] != b"\0\0":
                return None
            height_at = pos + 5
        pos += 2 + length
        if marker == _SOS:
            pos = skip_entropy_data(data, pos)
    return None
