"""EXIF and TIFF tags (IFD0, Exif, Interop, GPS, IFD1 thumbnail, maker note), whatever container holds them.

Classic TIFF-structured blocks are read through Pillow's EXIF reader; BigTIFF and maker notes through
photolab's own IFD reader (``ifd.py``). Both end in ``interpret_tags`` so one set of rules applies.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from PIL import ExifTags, Image

from photolab.metadata import icc, iptc, photoshop, vendor, xmp
from photolab.metadata.findings import Collector, as_bytes, blank, text
from photolab.metadata.rules import (
    EXIF_CONTAINERS,
    EXIF_OTHER,
    EXIF_RULES,
    GPS,
    GPS_EMPTY,
    GPS_OTHER,
    SECOND,
    THUMB,
    TIFF_DECODER_TAGS,
    UNKNOWN,
    XP_TAGS,
)

_MAKE, _ORIENTATION, _USER_COMMENT, _MAKERNOTE = 0x010F, 0x0112, 0x9286, 0x927C
_IPTC, _XMP, _PHOTOSHOP, _ICC, _SUB_IFDS = 0x83BB, 0x02BC, 0x8649, 0x8773, 0x014A
_GPS_LAT_REF, _GPS_LAT, _GPS_LON_REF, _GPS_LON, _GPS_ALT = 1, 2, 3, 4, 6


@dataclass
class Tags:
    """The directories of one EXIF/TIFF block as tag -> value dicts (Pillow's value conventions)."""

    ifd0: dict = field(default_factory=dict)
    exif: dict = field(default_factory=dict)
    interop: dict = field(default_factory=dict)
    gps: dict = field(default_factory=dict)
    ifd1: dict = field(default_factory=dict)


def interpret(tiff: bytes, out: Collector, *, source: str) -> None:
    """A TIFF-structured EXIF block (``II*\\0``/``MM\\0*`` header first) or a whole classic TIFF file."""
    exif = Image.Exif()
    try:
        exif.load(tiff)
    except Exception:  # damaged EXIF is still EXIF: say it is there
        out.add(UNKNOWN, f"{source} block (damaged)", f"{len(tiff)} bytes")
        return
    tags = Tags(ifd0=dict(exif))
    tags.exif = _directory(exif, ExifTags.IFD.Exif)
    tags.interop = _directory(exif, ExifTags.IFD.Interop)
    tags.gps = _directory(exif, ExifTags.IFD.GPSInfo)
    tags.ifd1 = _directory(exif, ExifTags.IFD.IFD1)
    interpret_tags(tags, out, source, tiff=tiff)


def _directory(exif: Image.Exif, ifd_id: int) -> dict:
    try:
        return dict(exif.get_ifd(ifd_id))
    except Exception:  # a pointer to nowhere, or an Interop pointer outside the Exif IFD
        return {}


def interpret_tags(tags: Tags, out: Collector, source: str, *, tiff: bytes = b"") -> None:
    for directory in (tags.ifd0, tags.exif, tags.interop):
        _plain_tags(directory, out, source)
    note = tags.exif.get(_MAKERNOTE, tags.ifd0.get(_MAKERNOTE))
    if note is not None and not blank(as_bytes(note)):
        make = str(tags.ifd0.get(_MAKE, "") or "")
        vendor.interpret_makernote(as_bytes(note), tiff, make, out, source)
    if tags.gps:
        interpret_gps(tags.gps, out)
    if tags.ifd1.get(0x0202) or tags.ifd1.get(0x0111):
        out.add(THUMB, "EXIF thumbnail", f"{tags.ifd1.get(0x0202) or 'strip'} bytes")
    if isinstance(tags.ifd0.get(_SUB_IFDS), int | tuple):
        out.add(SECOND, "TIFF sub-images", "preview or full-size image in a sub-IFD")


def _plain_tags(tags: dict, out: Collector, source: str) -> None:
    others = 0
    for tag, value in tags.items():
        if tag in EXIF_CONTAINERS:
            _embedded_block(tag, value, out)
            continue
        rule = EXIF_RULES.get(tag)
        if rule is None:
            others += tag not in TIFF_DECODER_TAGS
            continue
        if tag == _MAKERNOTE:
            continue  # read by interpret_tags with the vendor's layout
        shown = _shown_value(tag, value)
        if shown is None or blank(shown):
            continue
        name, how = rule
        out.add(how, f"{name} ({source})", shown)
    if others:
        out.add(EXIF_OTHER, f"Camera settings ({source})", f"{others} further tags")


def _embedded_block(tag: int, value: object, out: Collector) -> None:
    if tag == _IPTC:
        iptc.interpret(as_bytes(value), out)
    elif tag == _XMP:
        xmp.interpret(as_bytes(value), out)
    elif tag == _PHOTOSHOP:
        photoshop.interpret(as_bytes(value), out)
    elif tag == _ICC:
        icc.interpret(as_bytes(value), out)


def _shown_value(tag: int, value: object) -> object | None:
    if tag in XP_TAGS:
        return as_bytes(value).decode("utf-16-le", "replace").rstrip("\0")
    if tag == _USER_COMMENT:
        return user_comment(as_bytes(value))
    if tag == _ORIENTATION:
        return None if value in (1, None) else f"{value} (not upright)"
    if isinstance(value, bytes) and not all(32 <= b < 127 for b in value.rstrip(b"\0")):
        return value.rstrip(b"\0").hex()  # a binary ID: hex, not mojibake
    return value


def interpret_gps(gps: dict, out: Collector) -> None:
    position = gps_position(gps)
    if position is None:
        out.add(GPS_EMPTY, "GPS position", "GPS tags present, no usable position")
    else:
        out.add(GPS, "GPS position", position)
    altitude = _number(gps.get(_GPS_ALT))
    if altitude is not None and (position is not None or altitude != 0):
        out.add(GPS_OTHER, "GPS altitude", f"{altitude:.1f} m")
    extra = [k for k in gps if k not in (0, _GPS_LAT_REF, _GPS_LAT, _GPS_LON_REF, _GPS_LON, _GPS_ALT)]
    if extra and position is not None:
        out.add(GPS_OTHER, "GPS fields", f"{len(gps)} GPS tags")
    elif extra:
        out.add(GPS_EMPTY, "GPS fields", f"{len(extra)} other GPS tags (time, direction or method)")


def gps_position(gps: dict) -> str | None:
    """'59.9139 N, 10.7522 E', or None when there is no usable position (missing, out of range, 0/0)."""
    try:
        lat = _dms(gps[_GPS_LAT])
        lon = _dms(gps[_GPS_LON])
    except (KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    if not (0 <= lat <= 90 and 0 <= lon <= 180) or (lat == 0 and lon == 0):
        return None  # 0/0 is what cameras without a fix write
    lat_ref = _ref(gps.get(_GPS_LAT_REF), "NS")
    lon_ref = _ref(gps.get(_GPS_LON_REF), "EW")
    return f"{lat:.4f} {lat_ref}, {lon:.4f} {lon_ref}"


def _ref(value: object, allowed: str) -> str:
    ref = (text(value) if isinstance(value, bytes) else str(value or "")).strip("\0 ").upper()[:1]
    return ref if ref and ref in allowed else allowed[0]


def _dms(value: Iterable) -> float:
    parts = [float(v) for v in value]
    if len(parts) != 3:
        raise ValueError("GPS coordinate needs 3 parts")
    return parts[0] + parts[1] / 60 + parts[2] / 3600


def _number(value: object) -> float | None:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, ZeroDivisionError):
        return None


def user_comment(raw: bytes) -> str:
    code, body = raw[:8], raw[8:]
    if code.startswith(b"UNICODE"):
        encoding = "utf-16-be" if body[:1] == b"\0" else "utf-16-le"
        return body.decode(encoding, "replace").strip("\0 ")
    return text(body)
