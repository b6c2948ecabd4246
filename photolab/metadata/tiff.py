"""TIFF and BigTIFF: the chain of image file directories, their tags, and the bytes they account for."""

from __future__ import annotations

from typing import ClassVar

from photolab.metadata import exif, ifd
from photolab.metadata.container import Block, Container, Layout, register
from photolab.metadata.findings import Collector
from photolab.metadata.rules import SECOND, TIFF_DECODER_TAGS

_ORIENTATION = 274
_OFFSETS, _LENGTHS = (273, 324), (279, 325)  # strips, tiles
_EXIF_IFD, _GPS_IFD, _INTEROP_IFD = 34665, 34853, 40965


@register
class Tiff(Container):
    formats: ClassVar[tuple[str, ...]] = ("TIFF",)

    def parse(self, data: bytes) -> Layout:
        out = Layout("TIFF", images=0)
        header = ifd.read_header(data)
        if header is None:
            out.problems.append("TIFF header cannot be read")
            return out
        covered = 16 if header.bigtiff else 8
        for directory in ifd.chain(data, header):
            out.images += 1
            covered = max(covered, directory.end)
            offsets: tuple[int, ...] = ()
            lengths: tuple[int, ...] = ()
            for entry in directory.entries:
                if entry.size > (8 if header.bigtiff else 4):  # stored outside the entry
                    covered = max(covered, entry.value_pos + entry.size)
                values = ifd.ints(entry, data, header.endian)
                structural = entry.tag in TIFF_DECODER_TAGS or (entry.tag == _ORIENTATION and values == (1,))
                out.blocks.append(Block(f"IFD tag {entry.tag}", entry.raw(data), structural))
                if entry.tag in _OFFSETS:
                    offsets = values
                elif entry.tag in _LENGTHS:
                    lengths = values
            for start, length in zip(offsets, lengths, strict=False):
                covered = max(covered, start + length)
        if header.bigtiff:
            out.blocks.insert(0, Block("BigTIFF header", note="photolab writes classic TIFF"))
        if len(data) > covered + 1:  # one pad byte for word alignment is allowed
            out.trailer = data[covered:]
        return out

    def interpret(self, data: bytes, layout: Layout, out: Collector) -> None:
        header = ifd.read_header(data)
        if header is not None and header.bigtiff:
            exif.interpret_tags(_bigtiff_tags(data, header), out, "TIFF", tiff=data)
        else:
            exif.interpret(data, out, source="TIFF")
        if layout.images > 1:
            out.add(SECOND, "Further pages or thumbnails", f"{layout.images - 1} more image(s) in the TIFF")


def _bigtiff_tags(data: bytes, header: ifd.Header) -> exif.Tags:
    """Pillow's EXIF reader cannot read BigTIFF: the same tag dicts from photolab's IFD reader."""
    directories = ifd.chain(data, header, limit=2)
    tags = exif.Tags()
    if not directories:
        return tags
    first = directories[0]
    tags.ifd0 = ifd.as_dict(first, data, header.endian)
    for tag, name in ((_EXIF_IFD, "exif"), (_GPS_IFD, "gps"), (_INTEROP_IFD, "interop")):
        found = ifd.sub_directories(data, header, first, tag)
        if found:
            setattr(tags, name, ifd.as_dict(found[0], data, header.endian))
        tags.ifd0.pop(tag, None)
    return tags
