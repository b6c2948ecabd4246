"""Photoshop image resources (8BIM blocks): IPTC, thumbnails, EXIF, XMP and ICC carried inside."""

from __future__ import annotations

import struct

from photolab.metadata import exif, icc, iptc, xmp
from photolab.metadata.findings import Collector
from photolab.metadata.rules import PHOTOSHOP, THUMB

_IPTC, _THUMB_OLD, _THUMB, _EXIF1, _EXIF3, _XMP, _ICC, _ROOT_XMP_DIGEST = (
    0x0404, 0x0409, 0x040C, 0x0422, 0x0423, 0x0424, 0x040F, 0x0425,
)  # fmt: skip


def interpret(raw: bytes, out: Collector) -> None:
    pos, n, other = 0, len(raw), 0
    while pos + 12 <= n and raw[pos : pos + 4] == b"8BIM":
        rid = struct.unpack(">H", raw[pos + 4 : pos + 6])[0]
        name_len = raw[pos + 6]
        pos += 7 + name_len + ((name_len + 1) & 1)
        size = struct.unpack(">I", raw[pos : pos + 4])[0]
        data = raw[pos + 4 : pos + 4 + size]
        pos += 4 + size + (size & 1)
        if rid == _IPTC:
            iptc.interpret(data, out)
        elif rid in (_THUMB_OLD, _THUMB):
            out.add(THUMB, "Photoshop thumbnail", f"{len(data)} bytes")
        elif rid in (_EXIF1, _EXIF3):
            exif.interpret(data, out, source="Photoshop EXIF")
        elif rid == _XMP:
            xmp.interpret(data, out)
        elif rid == _ICC:
            icc.interpret(data, out)
        elif rid != _ROOT_XMP_DIGEST:
            other += 1
    if other:
        out.add(PHOTOSHOP, "Photoshop resources", f"{other} resource blocks")
