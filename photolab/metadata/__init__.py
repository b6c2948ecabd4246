"""What a file gives away, and how photolab writes a copy that gives nothing away.

Three jobs, one container walker:

- ``inspect`` reads every metadata block of a file (EXIF, XMP, IPTC, Photoshop resources, ICC profile,
  comments, text chunks, thumbnails, secondary images, trailers, unknown segments) and explains each
  in plain language as a ``Finding``.
- ``encode_clean`` writes pixels only: no metadata argument is ever passed to the encoder.
- ``residual_check`` is photolab's own parser of the written bytes: anything beyond what a decoder
  needs (the allowlists below) is reported, and ``assert_clean`` refuses the file.

Output formats (``output_format``): JPEG, PNG, WebP, TIFF and GIF are written in their own format;
MPO becomes a JPEG of the primary image; HEIC/HEIF and AVIF become JPEG (PNG when there is an
alpha channel) because photolab cannot verify ISO-BMFF containers byte by byte; BMP becomes PNG;
animated GIF/WebP and multi-page TIFF keep only their first frame (reported per file, never silent).
JPEG is written at quality 92 with 4:4:4 chroma (no colour smearing on sharp edges such as text or
redaction borders), WebP lossy at quality 92 (lossless when the source WebP was lossless).
"""

from __future__ import annotations

import io
import re
import struct
import warnings
import zlib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from PIL import ExifTags, Image

from photolab.errors import UnsafeOutput, UnsupportedFormat
from photolab.photo import detached, read_source, sniff_format

JPEG_QUALITY = 92
WEBP_QUALITY = 92

RISK_ORDER = {"high": 0, "medium": 1, "low": 2}
GROUP_ORDER = [
    "location",
    "people",
    "embedded images",
    "trailing data",
    "device",
    "time",
    "content",
    "unknown segments",
    "ICC profile",
]


@dataclass(frozen=True)
class Finding:
    """One thing a file gives away. ``kind`` is a stable label without the value (for review records)."""

    group: str
    name: str
    value: str
    risk: str
    explanation: str
    kind: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


# ---------------------------------------------------------------------------------------------------
# Container walker: the same parse serves inspect (what is there) and residual_check (is it clean)
# ---------------------------------------------------------------------------------------------------


@dataclass
class Block:
    """One metadata-bearing or structural unit of a container (JPEG segment, PNG chunk, ...)."""

    label: str  # "APP1", "COM", "tEXt", "EXIF", "IFD0 tag 315", ...
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


def walk(data: bytes, fmt: str | None = None) -> Layout:
    """Parse the container structure of ``data`` without decoding pixels."""
    fmt = fmt or sniff_format(data) or "unknown"
    walker = _WALKERS.get(fmt)
    if walker is None:
        return Layout(fmt, problems=[f"{fmt} container: photolab cannot verify this format"])
    try:
        return walker(data)
    except (IndexError, struct.error, ValueError) as exc:
        return Layout(fmt, problems=[f"{fmt} structure cannot be parsed ({exc.__class__.__name__})"])


# JPEG markers a decoder needs: SOFn, DHT, DAC, DQT, DRI, DNL, SOS.
_JPEG_STRUCTURAL = {*range(0xC0, 0xD0)} - {0xC8} | {0xDA, 0xDB, 0xDC, 0xDD}


def _walk_jpeg(data: bytes, start: int = 0) -> Layout:
    out = Layout("JPEG")
    pos, n = start + 2, len(data)
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
        if marker == 0xD9:
            out.trailer = data[pos:]
            return out
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            continue
        length = struct.unpack(">H", data[pos : pos + 2])[0]
        payload = data[pos + 2 : pos + length]
        out.blocks.append(_jpeg_block(marker, payload))
        pos += length
        if marker == 0xDA:
            pos = _skip_entropy_data(data, pos)


def _jpeg_block(marker: int, payload: bytes) -> Block:
    if marker in _JPEG_STRUCTURAL:
        return Block(f"marker {marker:02X}", b"", structural=True)
    if marker == 0xE0 and payload.startswith(b"JFIF\0"):
        no_thumb = len(payload) == 14 and payload[12] == 0 and payload[13] == 0
        return Block("APP0 JFIF", payload, structural=no_thumb, note="" if no_thumb else "JFIF thumbnail")
    if marker == 0xEE and payload.startswith(b"Adobe") and len(payload) == 12:
        return Block("APP14 Adobe", payload, structural=True)
    name = "COM" if marker == 0xFE else f"APP{marker - 0xE0}" if 0xE0 <= marker <= 0xEF else f"{marker:02X}"
    return Block(name, payload)


def _skip_entropy_data(data: bytes, pos: int) -> int:
    """Offset of the first real marker after entropy-coded data (stuffed 0xFF00 and RSTn skipped)."""
    found = _NEXT_MARKER.search(data, pos)
    return found.start() if found else len(data)


# 0xFF followed by anything but a stuffed zero, a restart marker or another 0xFF (fill byte).
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")


_PNG_STRUCTURAL = {b"IHDR", b"PLTE", b"tRNS", b"IDAT", b"IEND"}


def _walk_png(data: bytes) -> Layout:
    out = Layout("PNG")
    pos, n = 8, len(data)
    frames = 0
    while pos + 8 <= n:
        length = struct.unpack(">I", data[pos : pos + 4])[0]
        ctype = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        if pos + 12 + length > n:
            out.problems.append(f"PNG chunk {ctype!r} runs past the end of the file")
            return out
        frames += ctype == b"fcTL"
        out.blocks.append(Block(ctype.decode("latin-1"), body, structural=ctype in _PNG_STRUCTURAL))
        pos += 12 + length
        if ctype == b"IEND":
            out.trailer = data[pos:]
            out.images = max(1, frames)
            return out
    out.problems.append("PNG ends without an IEND chunk")
    return out


def _walk_gif(data: bytes) -> Layout:
    out = Layout("GIF", images=0)
    flags = data[10]
    pos = 13 + (3 * (2 ** ((flags & 7) + 1)) if flags & 0x80 else 0)
    n = len(data)
    while pos < n:
        kind = data[pos]
        if kind == 0x3B:
            out.trailer = data[pos + 1 :]
            return out
        if kind == 0x21:
            label = data[pos + 1]
            body, pos = _gif_sub_blocks(data, pos + 2)
            out.blocks.append(_gif_extension(label, body))
        elif kind == 0x2C:
            out.images += 1
            local = data[pos + 9]
            pos += 10 + (3 * (2 ** ((local & 7) + 1)) if local & 0x80 else 0) + 1
            _, pos = _gif_sub_blocks(data, pos)
            out.blocks.append(Block("image", structural=True))
        else:
            out.problems.append(f"GIF has an unknown block at offset {pos}")
            return out
    out.problems.append("GIF ends without a trailer")
    return out


def _gif_sub_blocks(data: bytes, pos: int) -> tuple[bytes, int]:
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


def _gif_extension(label: int, body: bytes) -> Block:
    if label == 0xF9:
        return Block("graphic control", body, structural=True)
    if label == 0xFE:
        return Block("GIF comment", body)
    if label == 0x01:
        return Block("GIF plain text", body)
    if label == 0xFF:
        ident = body[1:12]
        if ident in (b"NETSCAPE2.0", b"ANIMEXTS1.0"):
            return Block("GIF loop", body, structural=True)
        return Block("GIF application " + ident.decode("latin-1", "replace"), body)
    return Block(f"GIF extension {label:02X}", body)


_WEBP_FLAG_BITS = {0x20: "ICC flag", 0x08: "EXIF flag", 0x04: "XMP flag", 0x02: "animation flag"}


def _walk_webp(data: bytes) -> Layout:
    out = Layout("WEBP")
    riff_end = 8 + struct.unpack("<I", data[4:8])[0]
    out.trailer = data[riff_end:]
    pos = 12
    frames = 0
    while pos + 8 <= min(riff_end, len(data)):
        ctype = data[pos : pos + 4]
        length = struct.unpack("<I", data[pos + 4 : pos + 8])[0]
        body = data[pos + 8 : pos + 8 + length]
        label = ctype.decode("latin-1")
        frames += ctype == b"ANMF"
        if ctype == b"VP8X":
            flags = body[0] if body else 0
            set_bits = [name for bit, name in _WEBP_FLAG_BITS.items() if flags & bit]
            out.blocks.append(Block(label, body, structural=not set_bits, note=", ".join(set_bits)))
        else:
            out.blocks.append(Block(label, body, structural=ctype in (b"VP8 ", b"VP8L", b"ALPH")))
        pos += 8 + length + (length & 1)
    if pos < riff_end:
        out.problems.append("WebP chunks run past the end of the file")
    out.images = max(1, frames)
    return out


# TIFF tags a decoder needs (and that cannot identify anyone).
_TIFF_STRUCTURAL = {
    254, 255, 256, 257, 258, 259, 262, 263, 266, 273, 277, 278, 279, 280, 281, 282, 283, 284,
    292, 293, 296, 301, 317, 320, 322, 323, 324, 325, 332, 338, 339, 347, 529, 530, 531, 532,
}  # fmt: skip
_TIFF_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}


def _walk_tiff(data: bytes) -> Layout:
    out = Layout("TIFF", images=0)
    if data[2:4] in (b"+\0", b"\0+"):
        out.problems.append("BigTIFF: photolab does not verify this layout")
        return out
    endian = "<" if data[:2] == b"II" else ">"
    covered = 8
    offset = struct.unpack(endian + "I", data[4:8])[0]
    seen: set[int] = set()
    while offset and offset not in seen:
        seen.add(offset)
        out.images += 1
        count = struct.unpack(endian + "H", data[offset : offset + 2])[0]
        covered = max(covered, offset + 2 + 12 * count + 4)
        entries = [_tiff_entry(data, endian, offset + 2 + 12 * i) for i in range(count)]
        offsets = lengths = ()
        for tag, typ, n, value_pos, values in entries:
            size = _TIFF_TYPE_SIZES.get(typ, 1) * n
            if size > 4:
                covered = max(covered, value_pos + size)
            structural = tag in _TIFF_STRUCTURAL or (tag == 274 and values == (1,))
            out.blocks.append(Block(f"IFD tag {tag}", data[value_pos : value_pos + size], structural))
            if tag in (273, 324):
                offsets = values
            elif tag in (279, 325):
                lengths = values
        for start, length in zip(offsets, lengths, strict=False):
            covered = max(covered, start + length)
        offset = struct.unpack(endian + "I", data[offset + 2 + 12 * count : offset + 6 + 12 * count])[0]
    if len(data) > covered + 1:  # one pad byte for word alignment is allowed
        out.trailer = data[covered:]
    return out


def _tiff_entry(data: bytes, endian: str, pos: int) -> tuple[int, int, int, int, tuple]:
    tag, typ, count = struct.unpack(endian + "HHI", data[pos : pos + 8])
    size = _TIFF_TYPE_SIZES.get(typ, 1) * count
    value_pos = pos + 8 if size <= 4 else struct.unpack(endian + "I", data[pos + 8 : pos + 12])[0]
    values: tuple = ()
    if typ in (3, 4) and count <= 1_000_000:
        code = "H" if typ == 3 else "I"
        values = struct.unpack(f"{endian}{count}{code}", data[value_pos : value_pos + size])
    return tag, typ, count, value_pos, values


_BMFF_KNOWN = {b"ftyp", b"meta", b"mdat", b"free", b"skip", b"moov", b"uuid", b"wide"}


def _walk_bmff(data: bytes) -> Layout:
    """Top-level boxes only: inspect reads the rest through pillow-heif / Pillow."""
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
        if btype not in _BMFF_KNOWN:
            out.blocks.append(Block("box " + btype.decode("latin-1"), data[pos + header : pos + length]))
        pos += length
    out.trailer = data[pos:]
    return out


_WALKERS: dict[str, Callable[[bytes], Layout]] = {
    "JPEG": _walk_jpeg,
    "PNG": _walk_png,
    "GIF": _walk_gif,
    "WEBP": _walk_webp,
    "TIFF": _walk_tiff,
    "HEIF": _walk_bmff,
    "AVIF": _walk_bmff,
}


# ---------------------------------------------------------------------------------------------------
# Writing: pixels only, then a residual check of the bytes
# ---------------------------------------------------------------------------------------------------

_OUTPUTS = {
    "JPEG": ("JPEG", ".jpg"),
    "MPO": ("JPEG", ".jpg"),
    "PNG": ("PNG", ".png"),
    "GIF": ("GIF", ".gif"),
    "WEBP": ("WEBP", ".webp"),
    "TIFF": ("TIFF", ".tif"),
    "HEIF": ("JPEG", ".jpg"),
    "AVIF": ("JPEG", ".jpg"),
    "BMP": ("PNG", ".png"),
}
EXTENSIONS = {
    "JPEG": {".jpg", ".jpeg", ".jpe", ".jfif"},
    "PNG": {".png"},
    "GIF": {".gif"},
    "WEBP": {".webp"},
    "TIFF": {".tif", ".tiff"},
}


def output_format(input_format: str, *, has_alpha: bool = False) -> tuple[str, str]:
    """(format, extension) photolab writes for an input format; see the module docstring for fallbacks.

    HEIF/AVIF/MPO -> JPEG; BMP -> PNG; a JPEG target becomes PNG when the pixels have an alpha channel.
    """
    fmt, ext = _OUTPUTS.get(input_format.upper(), ("PNG", ".png"))
    if fmt == "JPEG" and has_alpha:
        return "PNG", ".png"
    return fmt, ext


def encode_clean(image: Image.Image, fmt: str, *, lossless: bool = False) -> bytes:
    """Encode ``image`` from its pixel array alone: no EXIF, ICC, XMP, comment or text is passed on."""
    fmt = fmt.upper()
    pixels = _bare_pixels(image)
    buf = io.BytesIO()
    if fmt == "JPEG":
        pixels = _flatten_alpha(pixels)
        pixels.save(buf, "JPEG", quality=JPEG_QUALITY, subsampling="4:4:4", exif=b"", icc_profile=None)
    elif fmt == "PNG":
        pixels.save(buf, "PNG", compress_level=6)
    elif fmt == "WEBP":
        pixels.save(buf, "WEBP", quality=WEBP_QUALITY, lossless=lossless, exif=b"", icc_profile="", xmp="")
    elif fmt == "TIFF":
        pixels.save(buf, "TIFF", compression="tiff_adobe_deflate")
    elif fmt == "GIF":
        _gif_pixels(pixels).save(buf, "GIF")
    else:
        raise UnsupportedFormat(f"photolab cannot write {fmt}")
    return buf.getvalue()


def _bare_pixels(image: Image.Image) -> Image.Image:
    """A plain Image with an empty info dict: encoders then have nothing to copy."""
    if image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA" if "A" in image.mode or "transparency" in image.info else "RGB")
    return detached(image)


def _flatten_alpha(image: Image.Image) -> Image.Image:
    if image.mode not in ("RGBA", "LA"):
        return image
    base = Image.new("RGBA", image.size, (255, 255, 255, 255))
    base.alpha_composite(image.convert("RGBA"))
    return base.convert("RGB" if image.mode == "RGBA" else "L")


_MEDIAN_CUT = Image.Quantize.MEDIANCUT


def _gif_pixels(image: Image.Image) -> Image.Image:
    """Palette image for GIF: exact when there are at most 256 colours; alpha -> one transparent index."""
    if image.mode in ("RGBA", "LA"):
        rgba = image.convert("RGBA")
        opaque = rgba.getchannel("A").point(lambda a: 255 if a >= 128 else 0)
        pal = rgba.convert("RGB").quantize(colors=255, method=_MEDIAN_CUT, dither=Image.Dither.NONE)
        pal.paste(255, mask=opaque.point(lambda a: 255 - a))
        pal.info = {"transparency": 255}
        return pal
    pal = image.convert("RGB").quantize(colors=256, method=_MEDIAN_CUT, dither=Image.Dither.NONE)
    pal.info = {}
    return pal


def residual_check(data: bytes) -> list[str]:
    """Everything in ``data`` beyond what a decoder needs; [] means clean. photolab's own parser."""
    fmt = sniff_format(data)
    if fmt is None:
        return ["not a recognised image format"]
    layout = walk(data, fmt)
    problems = list(layout.problems)
    for block in layout.blocks:
        if not block.structural:
            problems.append(f"{fmt} {block.label}" + (f" ({block.note})" if block.note else ""))
        elif block.note:
            problems.append(f"{fmt} {block.label} ({block.note})")
    if layout.images > 1:
        problems.append(f"{fmt} holds {layout.images} images (secondary images, pages or frames)")
    if layout.trailer:
        problems.append(f"{len(layout.trailer)} bytes after the end of the image")
    return problems


def assert_clean(data: bytes, name: str = "output") -> None:
    """Raise UnsafeOutput if ``residual_check`` finds anything."""
    problems = residual_check(data)
    if problems:
        shown = "; ".join(problems[:3]) + (f" (+{len(problems) - 3} more)" if len(problems) > 3 else "")
        raise UnsafeOutput(f"{name}: written file is not clean: {shown}")


# ---------------------------------------------------------------------------------------------------
# Inspect: classify every block in plain language
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    group: str
    kind: str
    risk: str
    explanation: str


_SERIAL = _Rule("device", "device serial number", "high",
                "A serial number ties the photo to one physical camera or lens, and so to its owner.")
_MAKE_MODEL = _Rule("device", "camera make and model", "medium",
                    "Names the camera or phone; a rare model narrows down who took the photo.")
_LENS = _Rule("device", "lens", "low",
              "Names the lens; combined with other details it can narrow down the camera.")
_SOFTWARE = _Rule("content", "software", "low",
                  "Names the program or phone firmware that last saved the file.")
_PERSON = _Rule("people", "person's name", "high",
                "A person's name (photographer, author, owner or copyright holder) is written into the file.")
_DATE = _Rule("time", "date and time taken", "medium",
              "When the photo was taken or edited: it can place someone at a place at a given time.")
_TZ = _Rule("time", "time zone", "medium",
            "The time zone narrows down where in the world the photo was taken.")
_TEXT = _Rule("content", "description or comment", "medium",
              "Free text written into the file: captions, titles, comments, keywords. "
              "It may name people or places.")
_PLACE = _Rule("location", "place name", "high",
               "A place name (city, country, location) written into the file.")
_GPS = _Rule("location", "GPS position", "high",
             "Satellite coordinates of where the photo was taken: this can reveal the exact place.")
_GPS_OTHER = _Rule("location", "GPS details", "high",
                   "GPS fields (altitude, direction, time, processing method) about where "
                   "the photo was taken.")
_ID = _Rule("content", "unique image ID", "medium",
            "A unique ID can link this copy to the original file and to other copies of it.")
_MAKERNOTE = _Rule("device", "maker note", "high",
                   "A vendor block of camera settings; it often hides serial numbers and owner names.")
_HISTORY = _Rule("content", "edit history", "medium",
                 "Records of the editing programs, dates and original file names this photo went through.")
_THUMB = _Rule("embedded images", "embedded thumbnail", "high",
               "A small copy of the picture stored inside the file. It is not changed when the main image "
               "is edited, so it can show faces or details that were later cropped or blurred.")
_SECOND = _Rule("embedded images", "secondary image", "high",
                "A second picture inside the file (another frame, depth map or preview). It may show things "
                "the main image does not.")
_TRAILER = _Rule("trailing data", "data after the end of the image", "high",
                 "Bytes after the image's end are invisible in viewers but can hold a motion-photo video, "
                 "a second image or vendor data.")
_UNKNOWN = _Rule("unknown segments", "unknown segment", "medium",
                 "A block photolab does not recognise. Its content cannot be checked, "
                 "so it is treated as a risk.")
_ICC = _Rule("ICC profile", "ICC profile text", "low",
             "The colour profile's text (description, copyright, device maker) can hint at the camera, "
             "scanner or software used.")
_XMP = _Rule("content", "XMP metadata", "low", "Other XMP fields written by cameras or editing programs.")
_EXIF_OTHER = _Rule("device", "camera settings", "low",
                    "Exposure and camera settings; on their own they rarely identify anyone.")
_IPTC_OTHER = _Rule("content", "IPTC field", "medium",
                    "A news-agency (IPTC) field; it may hold names or places.")
_PHOTOSHOP = _Rule("content", "Photoshop resources", "low", "Photoshop's own settings block.")
_ORIENTATION = _Rule("content", "orientation flag", "low",
                     "Tells viewers to rotate the picture. photolab rotates the pixels and drops the flag.")

_EXIF_RULES: dict[int, tuple[str, _Rule]] = {
    0x010E: ("Image description", _TEXT),
    0x010F: ("Camera make", _MAKE_MODEL),
    0x0110: ("Camera model", _MAKE_MODEL),
    0x0131: ("Software", _SOFTWARE),
    0x0132: ("Date and time modified", _DATE),
    0x013B: ("Artist", _PERSON),
    0x013C: ("Host computer", _Rule("device", "computer name", "high",
                                     "The name of the computer that processed the file.")),
    0x8298: ("Copyright", _PERSON),
    0x9003: ("Date and time taken", _DATE),
    0x9004: ("Date and time digitised", _DATE),
    0x9010: ("Time zone", _TZ),
    0x9011: ("Time zone (taken)", _TZ),
    0x9012: ("Time zone (digitised)", _TZ),
    0x9286: ("User comment", _TEXT),
    0x927C: ("Maker note", _MAKERNOTE),
    0xA420: ("Image unique ID", _ID),
    0xA430: ("Camera owner name", _PERSON),
    0xA431: ("Body serial number", _SERIAL),
    0xA432: ("Lens specification", _LENS),
    0xA433: ("Lens make", _LENS),
    0xA434: ("Lens model", _LENS),
    0xA435: ("Lens serial number", _SERIAL),
    0x9C9B: ("Windows title", _TEXT),
    0x9C9C: ("Windows comment", _TEXT),
    0x9C9D: ("Windows author", _PERSON),
    0x9C9E: ("Windows keywords", _TEXT),
    0x9C9F: ("Windows subject", _TEXT),
    0x0112: ("Orientation", _ORIENTATION),
}
_EXIF_CONTAINERS = {0x8769, 0x8825, 0xA005, 0x014A, 0x02BC, 0x83BB, 0x8649, 0x8773}

_XMP_RULES: list[tuple[re.Pattern[str], _Rule]] = [
    (re.compile(r"^GPS(Latitude|Longitude)$"), _GPS),
    (re.compile(r"^GPS"), _GPS_OTHER),
    (re.compile(r"^(City|State|Country|CountryCode|Location|Sublocation|ProvinceState|LocationName|"
                r"LocationCreated|LocationShown|WorldRegion|CountryName|ProvinceName)$"), _PLACE),
    (re.compile(r"(Serial|SerialNumber)"), _SERIAL),
    (re.compile(r"^(creator|Artist|Author|rights|Copyright|Owner|OwnerName|CameraOwnerName|Credit|"
                r"CaptionWriter|AuthorsPosition|PersonInImage|Contact|CiEmailWork|CiTelWork|CiAdrExtadr|"
                r"CiUrlWork|Marked|UsageTerms|WebStatement|Byline|BylineTitle|Source)$"), _PERSON),
    (re.compile(r"^(Make|Model)$"), _MAKE_MODEL),
    (re.compile(r"^Lens"), _LENS),
    (re.compile(r"^(CreatorTool|Software)$"), _SOFTWARE),
    (re.compile(r"(Date|Time)(Original|Created|Digitized|Modified)?$|^(CreateDate|ModifyDate|MetadataDate)$"),
     _DATE),
    (re.compile(r"^(History|DerivedFrom|Ingredients|Pantry|OriginalDocumentID|DocumentID|InstanceID|"
                r"PreservedFileName|RawFileName)$"), _HISTORY),
    (re.compile(r"^(Data|image)$"), _SECOND),
    (re.compile(r"(?i)makernote$"), _MAKERNOTE),
    (re.compile(r"^(MicroVideo|MotionPhoto|MicroVideoOffset|Semantic)$"), _Rule(
        "embedded images", "motion photo", "high",
        "The file says it carries a motion-photo video or extra images after the main picture.")),
    (re.compile(r"^(description|title|subject|Headline|Keywords|Instructions|Label|UserComment|"
                r"ImageDescription|Caption|Event|Category|SupplementalCategories)$"), _TEXT),
    (re.compile(r"^ImageUniqueID$"), _ID),
]
_XMP_SKIP = {"about", "li", "Seq", "Bag", "Alt", "Description", "RDF", "xmpmeta", "xmptk", "parseType",
             "lang", "resource", "Orientation", "Directory", "Item", "Length", "Mime", "Padding",
             "HasExtendedXMP", "MotionPhotoPresentationTimestampUs", "MotionPhotoVersion"}

_IPTC_RULES: dict[int, tuple[str, _Rule]] = {
    5: ("Object name", _TEXT), 25: ("Keywords", _TEXT), 40: ("Special instructions", _TEXT),
    55: ("Date created", _DATE), 60: ("Time created", _DATE), 62: ("Digital creation date", _DATE),
    80: ("By-line", _PERSON), 85: ("By-line title", _PERSON), 90: ("City", _PLACE),
    92: ("Sub-location", _PLACE), 95: ("Province or state", _PLACE), 100: ("Country code", _PLACE),
    101: ("Country", _PLACE), 105: ("Headline", _TEXT), 110: ("Credit", _PERSON), 115: ("Source", _PERSON),
    116: ("Copyright notice", _PERSON), 118: ("Contact", _PERSON), 120: ("Caption", _TEXT),
    122: ("Caption writer", _PERSON), 202: ("Preview image", _THUMB),
}  # fmt: skip

_PNG_TEXT_KEYS: dict[str, tuple[str, _Rule]] = {
    "author": ("Author", _PERSON), "copyright": ("Copyright", _PERSON), "artist": ("Artist", _PERSON),
    "creation time": ("Creation time", _DATE), "software": ("Software", _SOFTWARE),
    "source": ("Source device", _MAKE_MODEL), "title": ("Title", _TEXT),
    "description": ("Description", _TEXT), "comment": ("Comment", _TEXT),
    "disclaimer": ("Disclaimer", _TEXT), "warning": ("Warning", _TEXT),
}  # fmt: skip


class _Collector:
    """Gathers findings while the blocks of one file are interpreted."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self._seen: set[tuple[str, str, str]] = set()

    def add(self, rule: _Rule, name: str, value: object) -> None:
        text = _short(value)
        key = (rule.kind, name, text)
        if key in self._seen:
            return
        self._seen.add(key)
        self.findings.append(Finding(rule.group, name, text, rule.risk, rule.explanation, rule.kind))


def inspect(source: str | Path | bytes) -> list[Finding]:
    """What ``source`` gives away, most risky first. Raises UnsupportedFormat for non-images."""
    data, name = read_source(source)
    fmt = sniff_format(data)
    if fmt is None:
        raise UnsupportedFormat(f"{name}: not an image format photolab reads")
    out = _Collector()
    layout = walk(data, fmt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _interpret_layout(data, layout, out)
        if fmt == "HEIF":
            _interpret_heif(data, out)
        elif fmt == "AVIF":
            _interpret_avif(data, out)
    return sorted(out.findings, key=_sort_key)


def _sort_key(f: Finding) -> tuple[int, int, str]:
    group = GROUP_ORDER.index(f.group) if f.group in GROUP_ORDER else len(GROUP_ORDER)
    return RISK_ORDER.get(f.risk, 3), group, f.name


def _interpret_layout(data: bytes, layout: Layout, out: _Collector) -> None:
    handler = {"JPEG": _jpeg_block_info, "PNG": _png_block_info, "WEBP": _webp_block_info,
               "GIF": _gif_block_info, "HEIF": _bmff_block_info,
               "AVIF": _bmff_block_info}.get(layout.format)  # fmt: skip
    icc_parts: list[bytes] = []
    xmp_ext: list[bytes] = []
    for block in layout.blocks:
        if layout.format == "JPEG" and block.label == "APP2" and block.payload.startswith(b"ICC_PROFILE\0"):
            icc_parts.append(block.payload[14:])
        elif layout.format == "JPEG" and block.payload.startswith(b"http://ns.adobe.com/xmp/extension/\0"):
            xmp_ext.append(block.payload[35 + 40 :])
        elif handler is not None:
            handler(block, out)
    if icc_parts:
        _interpret_icc(b"".join(icc_parts), out)
    if xmp_ext:
        _interpret_xmp(b"".join(xmp_ext), out)
    if layout.format == "TIFF":
        _interpret_exif(data, out, source="TIFF")
        if layout.images > 1:
            out.add(_SECOND, "Further pages or thumbnails", f"{layout.images - 1} more image(s) in the TIFF")
    if layout.format == "GIF" and layout.images > 1:
        out.add(_SECOND, "Animation frames", f"{layout.images} frames (photolab keeps the first)")
    if layout.format in ("PNG", "WEBP") and layout.images > 1:
        out.add(_SECOND, "Animation frames", f"{layout.images} frames (photolab keeps the first)")
    if layout.trailer.strip(b"\0"):
        out.add(_TRAILER, "Data after the end of the image", _describe_trailer(layout.trailer))


def _jpeg_block_info(block: Block, out: _Collector) -> None:
    p = block.payload
    if block.structural:
        return
    if block.label == "APP1" and p.startswith(b"Exif\0"):
        _interpret_exif(p[6:], out, source="EXIF")
    elif block.label == "APP1" and p.startswith(b"http://ns.adobe.com/xap/1.0/\0"):
        _interpret_xmp(p[29:], out)
    elif block.label == "APP13" and p.startswith(b"Photoshop 3.0\0"):
        _interpret_photoshop(p[14:], out)
    elif block.label == "APP0 JFIF":
        out.add(_THUMB, "JFIF thumbnail", f"{p[12]}x{p[13]} pixels" if len(p) >= 14 else "present")
    elif block.label == "APP0" and p.startswith(b"JFXX\0"):
        out.add(_THUMB, "JFXX thumbnail", f"{len(p)} bytes")
    elif block.label == "APP2" and p.startswith(b"MPF\0"):
        out.add(_SECOND, "MPF secondary images", _mpf_summary(p[4:]))
    elif block.label == "COM":
        out.add(_TEXT, "JPEG comment", _text(p))
    else:
        _unknown_block(block, out, "JPEG")


def _unknown_block(block: Block, out: _Collector, fmt: str) -> None:
    ident = re.sub(rb"[^ -~]", b"", block.payload[:16]).decode("ascii").strip()
    value = f"{fmt} {block.label}" + (f" '{ident}'" if ident else "") + f", {len(block.payload)} bytes"
    if b"\xff\xd8\xff" in block.payload[4:]:
        out.add(_SECOND, f"Image hidden in {block.label} segment", value)
    else:
        out.add(_UNKNOWN, f"{block.label} segment", value)


def _png_block_info(block: Block, out: _Collector) -> None:
    label, body = block.label, block.payload
    if block.structural or label in ("gAMA", "cHRM", "sRGB", "pHYs", "sBIT", "bKGD", "acTL", "fcTL", "fdAT",
                                     "cICP", "hIST", "sPLT"):
        return
    if label in ("tEXt", "zTXt", "iTXt"):
        key, text = _png_text(label, body)
        _interpret_png_text(key, text, out)
    elif label in ("eXIf", "zxIf"):
        payload = zlib.decompress(body[1:]) if label == "zxIf" else body
        _interpret_exif(payload[6:] if payload.startswith(b"Exif\0") else payload, out, source="EXIF")
    elif label == "iCCP":
        nul = body.find(b"\0")
        try:
            _interpret_icc(zlib.decompress(body[nul + 2 :]), out)
        except zlib.error:
            out.add(_ICC, "ICC profile", f"damaged profile named '{_text(body[:nul])}'")
    elif label == "tIME":
        year, mo, day, hh, mm, ss = struct.unpack(">HBBBBB", body[:7])
        out.add(_DATE, "PNG modification time", f"{year:04d}-{mo:02d}-{day:02d} {hh:02d}:{mm:02d}:{ss:02d}")
    else:
        _unknown_block(block, out, "PNG")


def _png_text(label: str, body: bytes) -> tuple[str, str]:
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


def _interpret_png_text(key: str, text: str, out: _Collector) -> None:
    lowered = key.lower()
    if key == "XML:com.adobe.xmp" or lowered == "raw profile type xmp":
        _interpret_xmp(_raw_profile(text) if lowered.startswith("raw profile") else text.encode(), out)
    elif lowered in ("raw profile type exif", "raw profile type app1"):
        raw = _raw_profile(text)
        _interpret_exif(raw[6:] if raw.startswith(b"Exif\0") else raw, out, source="EXIF")
    elif lowered == "raw profile type iptc":
        raw = _raw_profile(text)
        if raw.startswith(b"8BIM"):
            _interpret_photoshop(raw, out)
        else:
            _interpret_iptc(raw, out)
    elif lowered == "raw profile type icc" or lowered == "raw profile type icm":
        _interpret_icc(_raw_profile(text), out)
    elif lowered in _PNG_TEXT_KEYS:
        _, rule = _PNG_TEXT_KEYS[lowered]
        out.add(rule, f"PNG text '{key}'", text)
    else:
        out.add(_TEXT, f"PNG text '{key}'", text)


def _raw_profile(text: str) -> bytes:
    """ImageMagick 'Raw profile type' text: name, length, then hex digits."""
    lines = text.strip().split("\n", 2)
    hexdigits = re.sub(r"\s", "", lines[2] if len(lines) > 2 else "")
    try:
        return bytes.fromhex(hexdigits)
    except ValueError:
        return b""


def _webp_block_info(block: Block, out: _Collector) -> None:
    label, body = block.label, block.payload
    if block.structural or label in ("VP8X", "ANIM", "ANMF"):
        return
    if label == "EXIF":
        _interpret_exif(body[6:] if body.startswith(b"Exif\0") else body, out, source="EXIF")
    elif label == "XMP ":
        _interpret_xmp(body, out)
    elif label == "ICCP":
        _interpret_icc(body, out)
    else:
        _unknown_block(block, out, "WebP")


def _gif_block_info(block: Block, out: _Collector) -> None:
    if block.structural:
        return
    if block.label == "GIF comment":
        out.add(_TEXT, "GIF comment", _text(_gif_unblock(block.payload)))
    elif block.label == "GIF plain text":
        out.add(_TEXT, "GIF text overlay", _text(_gif_unblock(block.payload)[12:]))
    elif block.label.startswith("GIF application XMP Data"):
        _interpret_xmp(block.payload[12:], out)
    elif block.label.startswith("GIF application ICCRGBG1"):
        _interpret_icc(_gif_unblock(block.payload)[12:], out)
    else:
        _unknown_block(block, out, "GIF")


def _bmff_block_info(block: Block, out: _Collector) -> None:
    """Top-level ISO-BMFF boxes other than ftyp/meta/mdat/free (e.g. Samsung's 'mpvd' video)."""
    if block.label == "box mpvd" or b"ftyp" in block.payload[:16]:
        out.add(_TRAILER, "Motion-photo video box", f"{len(block.payload):,} bytes, looks like a video")
    else:
        _unknown_block(block, out, "HEIF")


def _gif_unblock(raw: bytes) -> bytes:
    parts, pos = [], 0
    while pos < len(raw) and raw[pos]:
        parts.append(raw[pos + 1 : pos + 1 + raw[pos]])
        pos += 1 + raw[pos]
    return b"".join(parts)


def _interpret_exif(tiff: bytes, out: _Collector, *, source: str) -> None:
    exif = Image.Exif()
    try:
        exif.load(tiff)
    except Exception:  # damaged EXIF is still EXIF: say it is there
        out.add(_UNKNOWN, f"{source} block (damaged)", f"{len(tiff)} bytes")
        return
    _exif_tags(dict(exif), out, source)
    for ifd_id in (ExifTags.IFD.Exif, ExifTags.IFD.Interop):
        try:
            _exif_tags(dict(exif.get_ifd(ifd_id)), out, source)
        except Exception:
            continue
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:
        gps = {}
    if gps:
        _interpret_gps(gps, out)
    try:
        ifd1 = exif.get_ifd(ExifTags.IFD.IFD1)
    except Exception:
        ifd1 = {}
    if ifd1.get(0x0202) or ifd1.get(0x0111):
        out.add(_THUMB, "EXIF thumbnail", f"{ifd1.get(0x0202) or 'strip'} bytes")
    if isinstance(exif.get(0x014A), int | tuple):
        out.add(_SECOND, "TIFF sub-images", "preview or full-size image in a sub-IFD")


def _exif_tags(tags: dict, out: _Collector, source: str) -> None:
    others = 0
    for tag, value in tags.items():
        if tag in _EXIF_CONTAINERS:
            if tag == 0x83BB:
                _interpret_iptc(_as_bytes(value), out)
            elif tag == 0x02BC:
                _interpret_xmp(_as_bytes(value), out)
            elif tag == 0x8649:
                _interpret_photoshop(_as_bytes(value), out)
            elif tag == 0x8773:
                _interpret_icc(_as_bytes(value), out)
            continue
        rule = _EXIF_RULES.get(tag)
        if rule is None:
            others += tag not in _TIFF_STRUCTURAL
            continue
        name, how = rule
        if tag == 0x927C:
            value = f"{len(_as_bytes(value))} bytes of vendor data"
        elif tag in (0x9C9B, 0x9C9C, 0x9C9D, 0x9C9E, 0x9C9F):
            value = _as_bytes(value).decode("utf-16-le", "replace").rstrip("\0")
        elif tag == 0x9286:
            value = _user_comment(_as_bytes(value))
        elif tag == 0x0112:
            if value in (1, None):
                continue
            value = f"{value} (not upright)"
        if _blank(value):
            continue
        out.add(how, f"{name} ({source})", value)
    if others:
        out.add(_EXIF_OTHER, f"Camera settings ({source})", f"{others} further tags")


def _interpret_gps(gps: dict, out: _Collector) -> None:
    position = _gps_decimal(gps)
    if position:
        out.add(_GPS, "GPS position", position)
    if 6 in gps:
        out.add(_GPS_OTHER, "GPS altitude", f"{_rational(gps[6]):.1f} m")
    extra = [k for k in gps if k not in (0, 1, 2, 3, 4, 6)]
    if extra or not position:
        suffix = "" if position else " (no usable position)"
        out.add(_GPS_OTHER, "GPS fields", f"{len(gps)} GPS tags{suffix}")


def _gps_decimal(gps: dict) -> str | None:
    try:
        lat = _dms(gps[2])
        lon = _dms(gps[4])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    lat_ref = str(gps.get(1, "N")).strip("\0 ").upper() or "N"
    lon_ref = str(gps.get(3, "E")).strip("\0 ").upper() or "E"
    return f"{lat:.4f} {lat_ref[0]}, {lon:.4f} {lon_ref[0]}"


def _dms(value: Iterable) -> float:
    parts = [_rational(v) for v in value]
    if len(parts) != 3:
        raise ValueError("GPS coordinate needs 3 parts")
    return parts[0] + parts[1] / 60 + parts[2] / 3600


def _rational(v: object) -> float:
    return float(v)  # type: ignore[arg-type]


_XMP_ATTR = re.compile(r'([A-Za-z][\w.-]*):([A-Za-z][\w.-]*)\s*=\s*"([^"]*)"')
_XMP_OPEN = re.compile(r"<([A-Za-z][\w.-]*):([A-Za-z][\w.-]*)(?:\s[^>]*)?(?<!/)>")


def _interpret_xmp(raw: bytes, out: _Collector) -> None:
    text = raw.decode("utf-8", "replace")
    found = 0
    for prefix, local, value in _XMP_ATTR.findall(text):
        found += _xmp_property(prefix, local, value, out)
    for match in _XMP_OPEN.finditer(text):
        prefix, local = match.group(1), match.group(2)
        close = text.find(f"</{prefix}:{local}>", match.end())
        if close < 0:
            continue
        inner = text[match.end() : close]
        if "<rdf:li" in inner:  # a list: its items are the value
            items = re.findall(r"<rdf:li[^>]*>([^<]*)</rdf:li>", inner)
            found += _xmp_property(prefix, local, "; ".join(i.strip() for i in items), out)
        elif "<" not in inner:  # a simple value; structures are read through their children
            found += _xmp_property(prefix, local, inner.strip(), out)
    if not found and text.strip("\0 \n"):
        out.add(_XMP, "XMP packet", f"{len(raw)} bytes")


def _xmp_property(prefix: str, local: str, value: str, out: _Collector) -> int:
    if prefix in ("xmlns", "rdf", "x", "xml", "stEvt", "stRef") or local in _XMP_SKIP or _blank(value):
        return 0
    for pattern, rule in _XMP_RULES:
        if pattern.search(local):
            if rule is _SECOND or (prefix in ("GImage", "GDepth") and local == "Data"):
                out.add(_SECOND, f"XMP {prefix}:{local}", f"base64 image, {len(value)} characters")
            elif rule is _MAKERNOTE:
                out.add(rule, f"XMP {prefix}:{local}", f"{len(value)} characters of vendor data")
            else:
                out.add(rule, f"XMP {prefix}:{local}", value)
            return 1
    out.add(_XMP, f"XMP {prefix}:{local}", value)
    return 1


def _interpret_iptc(raw: bytes, out: _Collector) -> None:
    pos, n = 0, len(raw)
    while pos + 5 <= n and raw[pos] == 0x1C:
        record, dataset = raw[pos + 1], raw[pos + 2]
        length = struct.unpack(">H", raw[pos + 3 : pos + 5])[0]
        pos += 5
        if length & 0x8000:  # extended length: the next (length & 0x7FFF) bytes hold the size
            width = length & 0x7FFF
            length = int.from_bytes(raw[pos : pos + width], "big")
            pos += width
        value = raw[pos : pos + length]
        pos += length
        if record != 2 or dataset == 0:
            continue
        name, rule = _IPTC_RULES.get(dataset, (f"IPTC field 2:{dataset}", _IPTC_OTHER))
        shown = f"{len(value)} bytes" if dataset == 202 else _text(value)
        if not _blank(shown):
            out.add(rule, f"IPTC {name}", shown)


def _interpret_photoshop(raw: bytes, out: _Collector) -> None:
    pos, n, other = 0, len(raw), 0
    while pos + 12 <= n and raw[pos : pos + 4] == b"8BIM":
        rid = struct.unpack(">H", raw[pos + 4 : pos + 6])[0]
        name_len = raw[pos + 6]
        pos += 7 + name_len + ((name_len + 1) & 1)
        size = struct.unpack(">I", raw[pos : pos + 4])[0]
        data = raw[pos + 4 : pos + 4 + size]
        pos += 4 + size + (size & 1)
        if rid == 0x0404:
            _interpret_iptc(data, out)
        elif rid in (0x0409, 0x040C):
            out.add(_THUMB, "Photoshop thumbnail", f"{len(data)} bytes")
        elif rid in (0x0422, 0x0423):
            _interpret_exif(data, out, source="Photoshop EXIF")
        elif rid == 0x0424:
            _interpret_xmp(data, out)
        elif rid == 0x040F:
            _interpret_icc(data, out)
        elif rid != 0x0425:
            other += 1
    if other:
        out.add(_PHOTOSHOP, "Photoshop resources", f"{other} resource blocks")


def _interpret_icc(icc: bytes, out: _Collector) -> None:
    texts = _icc_texts(icc)
    if texts:
        out.add(_ICC, "ICC profile", "; ".join(f"{k}: {v}" for k, v in texts.items()))
    elif icc:
        out.add(_ICC, "ICC profile", f"{len(icc)} bytes, no readable text")


def _icc_texts(icc: bytes) -> dict[str, str]:
    """Readable text tags of an ICC profile (description, copyright, device maker and model)."""
    wanted = {b"desc": "description", b"cprt": "copyright", b"dmnd": "device maker", b"dmdd": "device model"}
    found: dict[str, str] = {}
    if len(icc) < 132:
        return found
    count = struct.unpack(">I", icc[128:132])[0]
    for i in range(min(count, 200)):
        entry = icc[132 + 12 * i : 144 + 12 * i]
        if len(entry) < 12:
            break
        sig, off, size = entry[:4], *struct.unpack(">II", entry[4:])
        if sig in wanted:
            value = _icc_text(icc[off : off + size])
            if value:
                found[wanted[sig]] = value
    return found


def _icc_text(tag: bytes) -> str:
    kind = tag[:4]
    if kind == b"desc" and len(tag) >= 12:
        length = struct.unpack(">I", tag[8:12])[0]
        return _text(tag[12 : 12 + length])
    if kind == b"text":
        return _text(tag[8:])
    if kind == b"mluc" and len(tag) >= 16:
        count = struct.unpack(">I", tag[8:12])[0]
        if count:
            length, offset = struct.unpack(">II", tag[20:28])
            return tag[offset : offset + length].decode("utf-16-be", "replace").strip("\0 ")
    return ""


def _interpret_heif(data: bytes, out: _Collector) -> None:
    import pillow_heif

    try:
        heif = pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=True)
    except Exception:
        out.add(_UNKNOWN, "HEIF container", "cannot be opened; its metadata cannot be listed")
        return
    if len(heif) > 1:
        out.add(_SECOND, "Extra top-level images", f"{len(heif) - 1} more image(s)")
    for index, img in enumerate(heif):
        info = img.info
        where = "" if index == heif.primary_index else f" (image {index + 1})"
        exif = info.get("exif") or b""
        if exif:
            body = exif[6:] if exif.startswith(b"Exif\0") else exif
            _interpret_exif(body, out, source="EXIF" + where)
        if info.get("xmp"):
            _interpret_xmp(info["xmp"], out)
        if info.get("icc_profile"):
            _interpret_icc(info["icc_profile"], out)
        if info.get("thumbnails"):
            out.add(_THUMB, "HEIF thumbnail" + where, f"{len(info['thumbnails'])} thumbnail(s)")
        if info.get("depth_images"):
            out.add(_SECOND, "HEIF depth map" + where, f"{len(info['depth_images'])} depth image(s)")
        if info.get("aux"):
            out.add(_SECOND, "HEIF auxiliary images" + where, ", ".join(info["aux"]))


def _interpret_avif(data: bytes, out: _Collector) -> None:
    try:
        with Image.open(io.BytesIO(data), formats=["AVIF"]) as im:
            info = dict(im.info)
    except Exception:
        out.add(_UNKNOWN, "AVIF container", "cannot be opened; its metadata cannot be listed")
        return
    if info.get("exif"):
        exif = info["exif"]
        _interpret_exif(exif[6:] if exif.startswith(b"Exif\0") else exif, out, source="EXIF")
    if info.get("xmp"):
        _interpret_xmp(_as_bytes(info["xmp"]), out)
    if info.get("icc_profile"):
        _interpret_icc(info["icc_profile"], out)


def _mpf_summary(payload: bytes) -> str:
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


def _describe_trailer(trailer: bytes) -> str:
    size = f"{len(trailer):,} bytes"
    if b"ftyp" in trailer[:64]:
        return f"{size}, looks like a video (motion photo)"
    if b"\xff\xd8\xff" in trailer:
        return f"{size}, contains another JPEG image"
    return size


def _as_bytes(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "replace")
    if isinstance(value, tuple | list):
        try:
            return bytes(int(v) & 0xFF for v in value)
        except (TypeError, ValueError):
            return b""
    return b""


def _user_comment(raw: bytes) -> str:
    code, body = raw[:8], raw[8:]
    if code.startswith(b"UNICODE"):
        encoding = "utf-16-be" if body[:1] == b"\0" else "utf-16-le"
        return body.decode(encoding, "replace").strip("\0 ")
    return _text(body)


def _text(raw: bytes) -> str:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    return text.replace("\0", " ").strip()


def _blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, bytes):
        return not value.strip(b"\0 ")
    return not str(value).strip("\0 \t\n")


def _short(value: object, limit: int = 200) -> str:
    if isinstance(value, bytes):
        value = _text(value)
    text = re.sub(r"\s+", " ", str(value)).strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"
