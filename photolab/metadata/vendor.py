"""Vendor blocks that carry identity: EXIF maker notes (Canon, Nikon, Fujifilm, Panasonic, Pentax) and
FLIR's FFF block in JPEG APP1 segments (camera, lens and filter serial numbers, GPS, embedded images).

Where a vendor's layout is decoded, the identifying fields are listed one by one; the maker note as a
whole is always listed too ("maker note (Canon, 13 kB): may contain serial numbers"), because no decoder
knows every field a vendor writes.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Callable, Iterator

from photolab.metadata import ifd
from photolab.metadata.findings import Collector, size_label, text
from photolab.metadata.rules import (
    DATE,
    FLIR_CAMERA_FIELDS,
    FLIR_IMAGE_RECORDS,
    GPS,
    MAKERNOTE,
    MAKERNOTE_FIELDS,
    SECOND,
    TEXT,
    UNKNOWN,
)

# Maker-note signatures -> vendor (checked before the camera's Make tag).
_SIGNATURES = [
    (b"Nikon\0", "Nikon"), (b"FUJIFILM", "Fujifilm"), (b"Panasonic\0", "Panasonic"), (b"AOC\0", "Pentax"),
    (b"PENTAX ", "Pentax"), (b"OLYMPUS\0", "Olympus"), (b"OLYMP\0", "Olympus"), (b"OM SYSTEM", "OM System"),
    (b"SONY", "Sony"), (b"Apple iOS", "Apple"), (b"SIGMA", "Sigma"), (b"LEICA", "Leica"), (b"RICOH", "Ricoh"),
    (b"Ricoh", "Ricoh"), (b"QVC\0", "Casio"), (b"KDK", "Kodak"), (b"FLIR", "FLIR"), (b"DJI", "DJI"),
    (b"SAMSUNG", "Samsung"), (b"HUAWEI", "Huawei"), (b"GoPro", "GoPro"),
]  # fmt: skip
# Words of a Make tag -> the vendor's usual name.
_MAKES = {
    "canon": "Canon", "nikon": "Nikon", "sony": "Sony", "fujifilm": "Fujifilm", "fuji": "Fujifilm",
    "panasonic": "Panasonic", "pentax": "Pentax", "ricoh": "Ricoh", "olympus": "Olympus", "om": "OM System",
    "samsung": "Samsung", "apple": "Apple", "google": "Google", "huawei": "Huawei", "xiaomi": "Xiaomi",
    "dji": "DJI", "gopro": "GoPro", "leica": "Leica", "sigma": "Sigma", "kodak": "Kodak", "casio": "Casio",
    "hasselblad": "Hasselblad", "flir": "FLIR", "lg": "LG", "motorola": "Motorola", "oneplus": "OnePlus",
    "oppo": "OPPO", "minolta": "Minolta", "konica": "Konica Minolta", "phase": "Phase One", "epson": "Epson",
}  # fmt: skip


def vendor_from_make(make: str) -> str:
    """'NIKON CORPORATION' -> 'Nikon'; an unknown make keeps its first word; '' when there is none."""
    words = re.findall(r"[A-Za-z]+", make or "")
    if not words:
        return ""
    return _MAKES.get(words[0].lower(), words[0][:24])


def vendor_of(note: bytes, make: str) -> str:
    for signature, name in _SIGNATURES:
        if note.startswith(signature):
            return name
    return vendor_from_make(make)


def interpret_makernote(note: bytes, tiff: bytes, make: str, out: Collector, source: str) -> None:
    vendor = vendor_of(note, make)
    where = f"{vendor}, {size_label(len(note))}" if vendor else size_label(len(note))
    out.add(MAKERNOTE, f"Maker note ({source})", f"maker note ({where}): may contain serial numbers")
    decoder = _DECODERS.get(vendor)
    if decoder is None:
        return
    try:
        fields = list(decoder(note, tiff))
    except (struct.error, IndexError, ValueError):
        return  # an odd maker note stays listed as a whole
    for tag, shown in fields:
        name, rule = MAKERNOTE_FIELDS[vendor][tag]
        out.add(rule, f"{name} ({vendor} maker note)", shown)


def _fields(vendor: str, data: bytes, directory: ifd.Directory, endian: str) -> Iterator[tuple[int, str]]:
    wanted = MAKERNOTE_FIELDS[vendor]
    for entry in directory.entries:
        if entry.tag in wanted:
            shown = _shown(ifd.value(entry, data, endian))
            if shown:
                yield entry.tag, shown


def _shown(value: object) -> str:
    if isinstance(value, bytes):
        stripped = value.strip(b"\0 ")
        if stripped and all(32 <= b < 127 for b in stripped):
            return stripped.decode("ascii")
        return stripped.hex() if stripped.strip(b"\0") else ""
    if isinstance(value, tuple):
        return " ".join(str(v) for v in value[:16])
    return "" if value is None else str(value).strip()


def _outer(note: bytes, tiff: bytes) -> tuple[int, str]:
    """Where the maker note sits in the EXIF block (offsets of most vendors count from the block's start)."""
    pos = tiff.find(note) if tiff else -1
    if pos < 0:
        raise ValueError("maker note not found in its EXIF block")
    return pos, "<" if tiff[:2] == b"II" else ">"


def _canon(note: bytes, tiff: bytes) -> Iterator[tuple[int, str]]:
    pos, endian = _outer(note, tiff)
    yield from _fields("Canon", tiff, ifd.read_directory(tiff, pos, endian), endian)


def _nikon(note: bytes, tiff: bytes) -> Iterator[tuple[int, str]]:
    if note[10:12] in (b"II", b"MM"):  # type 3: its own TIFF header, offsets from there
        inner = note[10:]
        header = ifd.read_header(inner)
        if header is None:
            return
        yield from _fields("Nikon", inner, ifd.read_directory(inner, header.first_ifd, header.endian),
                           header.endian)  # fmt: skip
    else:  # type 1: an IFD after an 8-byte header, offsets from the EXIF block
        pos, endian = _outer(note, tiff)
        yield from _fields("Nikon", tiff, ifd.read_directory(tiff, pos + 8, endian), endian)


def _fujifilm(note: bytes, tiff: bytes) -> Iterator[tuple[int, str]]:
    start = struct.unpack("<I", note[8:12])[0]  # always little-endian, offsets from the note's start
    yield from _fields("Fujifilm", note, ifd.read_directory(note, start, "<"), "<")


def _panasonic(note: bytes, tiff: bytes) -> Iterator[tuple[int, str]]:
    pos, endian = _outer(note, tiff)
    yield from _fields("Panasonic", tiff, ifd.read_directory(tiff, pos + 12, endian), endian)


def _pentax(note: bytes, tiff: bytes) -> Iterator[tuple[int, str]]:
    if note.startswith(b"PENTAX "):  # offsets from the note's start, its own byte order
        endian = "<" if note[8:10] == b"II" else ">"
        yield from _fields("Pentax", note, ifd.read_directory(note, 10, endian), endian)
        return
    pos, endian = _outer(note, tiff)
    if note[4:6] in (b"II", b"MM"):
        endian = "<" if note[4:6] == b"II" else ">"
    yield from _fields("Pentax", tiff, ifd.read_directory(tiff, pos + 6, endian), endian)


_DECODERS: dict[str, Callable[[bytes, bytes], Iterator[tuple[int, str]]]] = {
    "Canon": _canon, "Nikon": _nikon, "Fujifilm": _fujifilm, "Panasonic": _panasonic, "Pentax": _pentax,
}  # fmt: skip


# --- FLIR FFF (thermal cameras) ----------------------------------------------------------------------

_FLIR_CAMERA, _FLIR_TEXT, _FLIR_GPS, _FLIR_PARAMS = 0x20, 0x23, 0x2B, 0x2E
_FLIR_QUOTED = re.compile(rb'(?:label|value|param)\s+(?:unicode|text)\s+"([^"]*)"')


def flir_payload(segments: list[bytes]) -> bytes:
    """The FFF data split over JPEG APP1 'FLIR' segments (8-byte header each: 'FLIR\\0', 1, part, last)."""
    parts = sorted((seg[6] if len(seg) > 6 else 0, seg[8:]) for seg in segments)
    return b"".join(body for _, body in parts)


def interpret_flir(fff: bytes, out: Collector) -> None:
    """Identity in a FLIR FFF block; the block itself is always listed (it can hold more than we read)."""
    out.add(MAKERNOTE, "FLIR camera block (APP1)",
            f"maker note (FLIR, {size_label(len(fff))}): may contain serial numbers")  # fmt: skip
    endian = _flir_endian(fff)
    if endian is None:
        out.add(UNKNOWN, "FLIR segment", f"{size_label(len(fff))}, layout not recognised")
        return
    directory, count = struct.unpack(endian + "II", fff[0x18:0x20])
    for i in range(min(count, 512)):
        entry = fff[directory + 32 * i : directory + 32 * (i + 1)]
        if len(entry) < 32:
            break
        kind = struct.unpack(endian + "H", entry[:2])[0]
        offset, length = struct.unpack(endian + "II", entry[12:20])
        record = fff[offset : offset + length]
        if kind and record:
            _flir_record(kind, record, out)


def _flir_endian(fff: bytes) -> str | None:
    if len(fff) < 0x40 or fff[:4] not in (b"FFF\0", b"AFF\0"):
        return None
    for endian in (">", "<"):
        if 100 <= struct.unpack(endian + "I", fff[0x14:0x18])[0] < 200:
            return endian
    return None


def _flir_record(kind: int, record: bytes, out: Collector) -> None:
    if kind == _FLIR_CAMERA:
        _flir_camera(record, out)
    elif kind in FLIR_IMAGE_RECORDS and len(record) > 64:
        out.add(SECOND, f"FLIR {FLIR_IMAGE_RECORDS[kind]}", size_label(len(record)))
    elif kind == _FLIR_GPS:
        _flir_gps(record, out)
    elif kind in (_FLIR_TEXT, _FLIR_PARAMS):
        for value in _FLIR_QUOTED.findall(record[12:]):
            out.add(TEXT, "FLIR text annotation", text(value))


def _flir_camera(record: bytes, out: Collector) -> None:
    for offset, (length, name, rule) in FLIR_CAMERA_FIELDS.items():
        value = text(record[offset : offset + length].split(b"\0", 1)[0])
        if value and value.lower() not in ("no lens", "none", "n/a", "-"):
            out.add(rule, f"{name} (FLIR)", value)
    if len(record) >= 0x38E:
        endian = "<" if struct.unpack("<H", record[:2])[0] < 0x100 else ">"
        stamp = struct.unpack(endian + "I", record[0x384:0x388])[0]
        if 0 < stamp < 4_102_444_800:  # before 2100
            from datetime import UTC, datetime

            taken = datetime.fromtimestamp(stamp, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
            out.add(DATE, "Date and time taken (FLIR)", taken)


def _flir_gps(record: bytes, out: Collector) -> None:
    if len(record) < 0x20 or struct.unpack("<I", record[:4])[0] != 1:  # GPSValid, little-endian
        return
    lat, lon = struct.unpack("<dd", record[0x10:0x20])
    if (lat or lon) and abs(lat) <= 90 and abs(lon) <= 180:
        lat_ref = _flir_ref(record[0x08:0x09], lat, "NS")
        lon_ref = _flir_ref(record[0x0A:0x0B], lon, "EW")
        out.add(GPS, "GPS position (FLIR)", f"{abs(lat):.4f} {lat_ref}, {abs(lon):.4f} {lon_ref}")


def _flir_ref(stored: bytes, value: float, letters: str) -> str:
    """The hemisphere: the record's own letter when it has one (cameras store West as a positive value
    with 'W'), else the value's sign."""
    letter = stored.decode("latin-1").upper()
    if letter and letter in letters:
        return letter
    return letters[0] if value >= 0 else letters[1]
