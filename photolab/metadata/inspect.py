"""``inspect``: what a file gives away, most risky first.

Images are walked by their container's parser and explained by the shared interpreters. Two kinds of
file that are not images photolab writes are read too, because they carry the same identifying fields:
XMP sidecar files (``IMG_1234.xmp`` beside a photo) and camera RAW files.
"""

from __future__ import annotations

import struct
import warnings
from pathlib import Path

from photolab.errors import UnsupportedFormat
from photolab.metadata import exif, ifd, xmp
from photolab.metadata.container import container_for, walk
from photolab.metadata.findings import Collector, Finding, size_label
from photolab.metadata.raw import raw_message
from photolab.metadata.rules import SECOND, SIDECAR, TRAILER
from photolab.photo import raw_format, read_source, sniff_format

_RW2_ORF_VERSIONS = (0x55, 0x4F52, 0x5352)


def inspect(source: str | Path | bytes) -> list[Finding]:
    """What ``source`` gives away, most risky first. Accepts images, XMP sidecars and camera RAW files
    (their metadata only); raises UnsupportedFormat for anything else."""
    data, name = read_source(source)
    out = Collector()
    fmt = sniff_format(data)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if fmt is not None:
            _inspect_image(data, fmt, out)
        elif xmp.looks_like_sidecar(data):
            out.add(SIDECAR, "XMP sidecar file", f"{size_label(len(data))} of metadata beside a photo")
            xmp.interpret(data, out)
        else:
            raw = raw_format(data, name)
            if raw is None:
                raise UnsupportedFormat(f"{name}: not an image format photolab reads")
            if not _inspect_raw(data, out):
                raise UnsupportedFormat(f"{name}: {raw_message(raw)}; its metadata cannot be listed either")
    return out.sorted()


def _inspect_image(data: bytes, fmt: str, out: Collector) -> None:
    layout = walk(data, fmt)
    container = container_for(layout.format)
    if container is not None:
        container.interpret(data, layout, out)
    if layout.format in ("GIF", "PNG", "WEBP") and layout.images > 1:
        out.add(SECOND, "Animation frames", f"{layout.images} frames (photolab keeps the first)")
    if layout.trailer.strip(b"\0"):
        out.add(TRAILER, "Data after the end of the image", describe_trailer(layout.trailer))


def _inspect_raw(data: bytes, out: Collector) -> bool:
    """Metadata of RAW files that are not TIFF on the outside; False when photolab cannot read it."""
    if data.startswith(b"FUJIFILMCCD-RAW") and len(data) >= 92:
        start, length = struct.unpack(">II", data[84:92])  # the embedded full-size JPEG preview
        preview = data[start : start + length]
        if preview.startswith(b"\xff\xd8\xff"):
            out.add(SECOND, "Embedded JPEG preview (RAF)", size_label(len(preview)))
            _inspect_image(preview, "JPEG", out)
            return True
        return False
    header = ifd.read_header(data, magic_ok=_RW2_ORF_VERSIONS)
    if header is None or header.bigtiff:
        return False
    directories = ifd.chain(data, header, limit=4)
    if not directories:
        return False
    tags = exif.Tags(ifd0=ifd.as_dict(directories[0], data, header.endian))
    for tag, attr in ((34665, "exif"), (34853, "gps")):
        found = ifd.sub_directories(data, header, directories[0], tag)
        if found:
            setattr(tags, attr, ifd.as_dict(found[0], data, header.endian))
    exif.interpret_tags(tags, out, "RAW", tiff=data)
    return True


def describe_trailer(trailer: bytes) -> str:
    size = f"{len(trailer):,} bytes"
    if b"ftyp" in trailer[:64]:
        return f"{size}, looks like a video (motion photo)"
    if b"\xff\xd8\xff" in trailer:
        return f"{size}, contains another JPEG image"
    return size
