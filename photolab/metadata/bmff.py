"""ISO-BMFF images (HEIF/HEIC, AVIF): top-level boxes here; items inside ``meta`` through libheif/libavif.

photolab never writes these formats (HEIF and AVIF become JPEG or PNG), so the parse always reports a
problem: a residual check of one is never clean.
"""

from __future__ import annotations

import io
import struct
from typing import ClassVar

from PIL import Image

from photolab.metadata import exif, icc, xmp
from photolab.metadata.container import Block, Container, Layout, register, unknown_block
from photolab.metadata.findings import Collector, as_bytes
from photolab.metadata.rules import SECOND, THUMB, TRAILER, UNKNOWN
from photolab.photo import sniff_format

KNOWN_BOXES = {b"ftyp", b"meta", b"mdat", b"free", b"skip", b"moov", b"uuid", b"wide"}


@register
class Bmff(Container):
    formats: ClassVar[tuple[str, ...]] = ("HEIF", "AVIF")

    def parse(self, data: bytes) -> Layout:
        """Top-level boxes only: the items inside are read through pillow-heif / Pillow."""
        out = Layout(sniff_format(data) or "HEIF")
        out.problems.append(f"{out.format} container: photolab does not write or verify this format")
        pos, n = 0, len(data)
        while pos + 8 <= n:
            length = struct.unpack(">I", data[pos : pos + 4])[0]
            btype = data[pos + 4 : pos + 8]
            header = 8
            if length == 1:
                length = struct.unpack(">Q", data[pos + 8 : pos + 16])[0]
                header = 16
            elif length == 0:
                length = n - pos
            if length < header:
                out.problems.append("malformed ISO-BMFF box")
                return out
            if btype not in KNOWN_BOXES:
                out.blocks.append(Block("box " + btype.decode("latin-1"), data[pos + header : pos + length]))
            pos += length
        out.trailer = data[pos:]
        return out

    def interpret(self, data: bytes, layout: Layout, out: Collector) -> None:
        for block in layout.blocks:
            if block.label == "box mpvd" or b"ftyp" in block.payload[:16]:
                size = f"{len(block.payload):,} bytes"
                out.add(TRAILER, "Motion-photo video box", f"{size}, looks like a video")
            else:
                unknown_block(block, out, "HEIF")
        if layout.format == "AVIF":
            _avif_items(data, out)
        else:
            _heif_items(data, out)


def _exif_body(raw: bytes) -> bytes:
    return raw[6:] if raw.startswith(b"Exif\0") else raw


def _heif_items(data: bytes, out: Collector) -> None:
    from photolab.photo import heif_support

    pillow_heif = heif_support()
    try:
        heif = pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=True)
    except Exception:  # libheif refuses it: say what cannot be listed
        out.add(UNKNOWN, "HEIF container", "cannot be opened; its metadata cannot be listed")
        return
    if len(heif) > 1:
        out.add(SECOND, "Extra top-level images", f"{len(heif) - 1} more image(s)")
    for index, img in enumerate(heif):
        info = img.info
        where = "" if index == heif.primary_index else f" (image {index + 1})"
        if info.get("exif"):
            exif.interpret(_exif_body(info["exif"]), out, source="EXIF" + where)
        if info.get("xmp"):
            xmp.interpret(info["xmp"], out)
        if info.get("icc_profile"):
            icc.interpret(info["icc_profile"], out)
        if info.get("thumbnails"):
            out.add(THUMB, "HEIF thumbnail" + where, f"{len(info['thumbnails'])} thumbnail(s)")
        if info.get("depth_images"):
            out.add(SECOND, "HEIF depth map" + where, f"{len(info['depth_images'])} depth image(s)")
        if info.get("aux"):
            out.add(SECOND, "HEIF auxiliary images" + where, ", ".join(info["aux"]))


def _avif_items(data: bytes, out: Collector) -> None:
    try:
        with Image.open(io.BytesIO(data), formats=["AVIF"]) as im:
            info = dict(im.info)
    except Exception:  # the AVIF decoder refuses it
        out.add(UNKNOWN, "AVIF container", "cannot be opened; its metadata cannot be listed")
        return
    if info.get("exif"):
        exif.interpret(_exif_body(info["exif"]), out, source="EXIF")
    if info.get("xmp"):
        xmp.interpret(as_bytes(info["xmp"]), out)
    if info.get("icc_profile"):
        icc.interpret(info["icc_profile"], out)
