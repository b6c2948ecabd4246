"""What ``inspect`` shows on files from the wild (issues 13 and 10), on generated files: vendor blocks with
serial numbers, GPS without a fix, XMP entities, people's names wherever they are stored, identifying free
text, XMP sidecars and camera RAW metadata."""

from __future__ import annotations

import struct

import piexif
import pytest
from PIL import PngImagePlugin
from support import encode, pattern_image

from photolab.metadata import inspect


def segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def with_segments(*segments: bytes) -> bytes:
    base = encode(pattern_image(), "JPEG", quality=90)
    return base[:2] + b"".join(segments) + base[2:]


def jpeg_with_exif(zeroth: dict | None = None, exif: dict | None = None, gps: dict | None = None) -> bytes:
    block = piexif.dump({"0th": zeroth or {}, "Exif": exif or {}, "GPS": gps or {}, "1st": {}})
    return encode(pattern_image(), "JPEG", quality=90, exif=block)


def by_kind(findings, kind: str) -> list[tuple[str, str, str]]:
    return [(f.name, f.value, f.risk) for f in findings if f.kind == kind]


# --- FLIR FFF in APP1 ---------------------------------------------------------------------------------


def flir_fff() -> bytes:
    """An FFF block (big-endian, as FLIR cameras write it in JPEGs): camera info, GPS, an embedded image."""
    camera = bytearray(0x400)
    camera[0:2] = struct.pack("<H", 2)  # byte-order check value, little-endian record
    for offset, value in {
        0xD4: b"FLIR E8",
        0x104: b"PLANTED-CAMSN-63",
        0x1A0: b"PLANTED-LENSSN-7",
        0x21C: b"PLANTED-FILTER-SN",
    }.items():
        camera[offset : offset + len(value)] = value
    # GPSValid, then hemisphere letters; FLIR ONE cameras store West as a positive value with "W"
    gps = struct.pack("<I", 1) + b"\0" * 4 + b"S\0W\0" + b"\0" * 4 + struct.pack("<dd", 33.8688, 70.5)
    image = b"\x89PNG\r\n\x1a\n" + b"\0" * 200
    records = [(0x20, bytes(camera)), (0x2B, gps), (0x0E, image)]
    directory_at = 0x40
    body_at = directory_at + 32 * len(records)
    directory, bodies = b"", b""
    for kind, body in records:
        directory += struct.pack(">HHIIII", kind, 1, 100, 1, body_at + len(bodies), len(body)) + b"\0" * 12
        bodies += body
    header = b"FFF\0" + b"PLANTED\0".ljust(16, b"\0") + struct.pack(">III", 100, directory_at, len(records))
    return header.ljust(0x40, b"\0") + directory + bodies


def test_flir_block_serials_are_decoded() -> None:
    fff = flir_fff()
    half = len(fff) // 2
    data = with_segments(
        segment(0xE1, b"FLIR\0\x01\x00\x01" + fff[:half]), segment(0xE1, b"FLIR\0\x01\x01\x01" + fff[half:])
    )
    findings = inspect(data)
    serials = {value for _, value, risk in by_kind(findings, "device serial number") if risk == "high"}
    assert {"PLANTED-CAMSN-63", "PLANTED-LENSSN-7", "PLANTED-FILTER-SN"} <= serials
    assert ("GPS position (FLIR)", "33.8688 S, 70.5000 W", "high") in by_kind(findings, "GPS position")
    assert any("embedded visible-light image" in name for name, _, _ in by_kind(findings, "secondary image"))
    notes = by_kind(findings, "maker note")
    assert notes and notes[0][2] == "high" and "FLIR" in notes[0][1]
    assert by_kind(findings, "unknown segment") == []


# --- maker notes --------------------------------------------------------------------------------------


def ifd_block(entries: list[tuple[int, int, bytes]], base: int, endian: str) -> bytes:
    """One IFD with its values after it; out-of-line offsets are ``base`` + position in this block."""
    data_start = 2 + 12 * len(entries) + 4
    table, data = struct.pack(endian + "H", len(entries)), b""
    for tag, typ, raw in entries:
        count = len(raw) if typ in (2, 7) else len(raw) // 4
        if len(raw) <= 4:
            table += struct.pack(endian + "HHI", tag, typ, count) + raw.ljust(4, b"\0")
        else:
            table += struct.pack(endian + "HHII", tag, typ, count, base + data_start + len(data))
            data += raw + b"\0" * (len(raw) & 1)
    return table + b"\0\0\0\0" + data


def jpeg_with_makernote(make: bytes, note_for_position) -> bytes:
    """piexif writes big-endian EXIF; a maker note whose offsets count from the EXIF block is built twice:
    once to find where it lands, once with that position."""

    def dump(note: bytes) -> bytes:
        return piexif.dump({"0th": {piexif.ImageIFD.Make: make}, "Exif": {piexif.ExifIFD.MakerNote: note}})

    first = note_for_position(0)
    where = dump(first).index(first) - 6  # after "Exif\0\0"
    block = dump(note_for_position(where))
    assert block.index(note_for_position(where)) - 6 == where
    return encode(pattern_image(), "JPEG", quality=90, exif=block)


def canon_note(base: int) -> bytes:
    return ifd_block(
        [
            (0x0009, 2, b"Planted Canon Owner\0"),
            (0x000C, 4, struct.pack(">I", 4242424242)),
            (0x0096, 2, b"PLANTEDINTSN0042\0"),
        ],
        base,
        ">",
    )


def test_canon_maker_note_serials_and_owner() -> None:
    findings = inspect(jpeg_with_makernote(b"Canon", canon_note))
    serials = {value for _, value, _ in by_kind(findings, "device serial number")}
    assert {"PLANTEDINTSN0042", "4242424242"} <= serials
    assert "Planted Canon Owner" in {value for _, value, _ in by_kind(findings, "person's name")}
    ((_, note, risk),) = by_kind(findings, "maker note")
    assert risk == "high" and note.startswith("maker note (Canon, ") and "may contain serial numbers" in note


def test_nikon_and_fujifilm_maker_note_serials() -> None:
    inner = b"II*\0\x08\0\0\0" + ifd_block([(0x001D, 2, b"PLANTED-NIKON-SN\0")], 8, "<")
    nikon = jpeg_with_makernote(b"NIKON CORPORATION", lambda _: b"Nikon\0\x02\x10\0\0" + inner)
    assert "PLANTED-NIKON-SN" in {v for _, v, _ in by_kind(inspect(nikon), "device serial number")}
    fuji_note = (
        b"FUJIFILM" + struct.pack("<I", 12) + ifd_block([(0x0010, 2, b"PLANTED-FUJI-SN-9\0")], 12, "<")
    )
    fuji = jpeg_with_makernote(b"FUJIFILM", lambda _: fuji_note)
    assert "PLANTED-FUJI-SN-9" in {v for _, v, _ in by_kind(inspect(fuji), "device serial number")}


def test_undecoded_maker_note_says_it_may_hold_serials() -> None:
    note = b"SONY DSC \0\0\0" + b"\x11" * 13000
    findings = inspect(jpeg_with_makernote(b"SONY", lambda _: note))
    assert by_kind(findings, "maker note") == [
        ("Maker note (EXIF)", "maker note (Sony, 13 kB): may contain serial numbers", "high")
    ]


def test_image_unique_id_ranks_high() -> None:
    data = jpeg_with_exif(exif={piexif.ExifIFD.ImageUniqueID: b"0358DB4E08632D90925171A6BB8848A2"})
    assert by_kind(inspect(data), "unique image ID")[0][2] == "high"


# --- GPS without a fix --------------------------------------------------------------------------------


def test_gps_zero_zero_is_no_usable_position() -> None:
    zero = ((0, 1), (0, 1), (0, 1))
    gps = {
        piexif.GPSIFD.GPSLatitudeRef: b"S",
        piexif.GPSIFD.GPSLatitude: zero,
        piexif.GPSIFD.GPSLongitudeRef: b"W",
        piexif.GPSIFD.GPSLongitude: zero,
    }
    findings = inspect(jpeg_with_exif(gps=gps))
    values = [value for _, value, _ in by_kind(findings, "GPS position")]
    assert values == []
    assert ("GPS position", "GPS tags present, no usable position", "medium") in by_kind(
        findings, "GPS details"
    )
    assert not any("0.0000" in f.value for f in findings)


def test_gps_south_west_keeps_its_signs() -> None:
    gps = {
        piexif.GPSIFD.GPSLatitudeRef: b"S",
        piexif.GPSIFD.GPSLatitude: ((33, 1), (52, 1), (0, 1)),
        piexif.GPSIFD.GPSLongitudeRef: b"W",
        piexif.GPSIFD.GPSLongitude: ((70, 1), (30, 1), (0, 1)),
    }
    assert by_kind(inspect(jpeg_with_exif(gps=gps)), "GPS position") == [
        ("GPS position", "33.8667 S, 70.5000 W", "high")
    ]


# --- XMP: entities, names of people, identifying free text --------------------------------------------


def xmp_packet(body: str) -> bytes:
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        f"<rdf:Description>{body}</rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()


def jpeg_with_xmp(body: str) -> bytes:
    return with_segments(segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0" + xmp_packet(body)))


def test_xmp_values_are_unescaped() -> None:
    findings = inspect(
        jpeg_with_xmp(
            "<dc:title><rdf:Alt><rdf:li xml:lang='x-default'>The Creator&#39;s &amp; friends</rdf:li>"
            "</rdf:Alt></dc:title><xmp:Label>Caf&#233; &quot;Blue&quot;</xmp:Label>"
        )
    )
    values = {f.value for f in findings}
    assert "The Creator's & friends" in values and 'Café "Blue"' in values
    assert not any("&#" in v or "&amp;" in v for v in values)


@pytest.mark.parametrize(
    "prop",
    [
        "dc:creator",
        "plus:CopyrightOwnerName",
        "plus:ImageCreatorName",
        "plus:LicensorName",
        "Iptc4xmpExt:AOCreator",
        "Iptc4xmpExt:PersonInImage",
        "mwg-rs:Name",
        "MP:PersonDisplayName",
        "photoshop:AuthorsPosition",
        "xmpRights:Owner",
        "aux:OwnerName",
        "photoshop:CaptionWriter",
    ],
)
def test_names_of_people_rank_high_wherever_stored(prop: str) -> None:
    findings = inspect(jpeg_with_xmp(f"<{prop}>Planted Person Name</{prop}>"))
    assert ("people", "high") in {(f.group, f.risk) for f in findings if f.value == "Planted Person Name"}


def test_technical_names_are_not_people() -> None:
    findings = inspect(
        jpeg_with_xmp(
            "<crs:CameraProfile>Adobe Standard</crs:CameraProfile>"
            "<xmp:CreatorTool>Planted Editor 2.1</xmp:CreatorTool>"
        )
    )
    assert by_kind(findings, "person's name") == []


IDENTIFYING = [
    "Room 14, A. Okafor, Ward 3 East",
    "Case no. 2291 - statement",
    "Bed 7",
    "Dr Mensah's clinic",
    "interview with Amina Okafor",
    "call +44 20 7946 0958",
    "write to a.okafor@example.org",
]
HARMLESS = ["sunset over the harbour", "OLYMPUS DIGITAL CAMERA", "2024-03-05 evening", "IMG_4711",
            "KODAK Digital Still Camera", "Object Name", "Supp Cat 1; Supp Cat 2"]


@pytest.mark.parametrize("text", IDENTIFYING + HARMLESS)
def test_free_text_naming_someone_ranks_high(text: str) -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Description", text)
    sources = {
        "PNG": encode(pattern_image(), "PNG", pnginfo=info),
        "EXIF": jpeg_with_exif(zeroth={piexif.ImageIFD.ImageDescription: text.encode()}),
        "XMP": jpeg_with_xmp(f"<dc:description><rdf:Alt><rdf:li>{text}</rdf:li></rdf:Alt></dc:description>"),
        "JPEG comment": encode(pattern_image(), "JPEG", comment=text),
    }
    expected = "high" if text in IDENTIFYING else "medium"
    for where, data in sources.items():
        risks = [risk for _, value, risk in by_kind(inspect(data), "description or comment") if value == text]
        assert risks == [expected], where


# --- sidecars and RAW ---------------------------------------------------------------------------------


def test_xmp_sidecar_lists_gps_and_names(tmp_path) -> None:
    sidecar = tmp_path / "IMG_1234.xmp"
    sidecar.write_bytes(
        b"<?xml version='1.0' encoding='UTF-8'?>\n"
        + xmp_packet(
            "<exif:GPSLatitude>59,54.834N</exif:GPSLatitude><exif:GPSLongitude>10,45.132E</exif:GPSLongitude>"
            "<dc:creator><rdf:Seq><rdf:li>Planted Sidecar Author</rdf:li></rdf:Seq></dc:creator>"
        )
    )
    findings = inspect(sidecar)
    assert by_kind(findings, "XMP sidecar")[0][2] == "high"
    assert {"59,54.834N", "10,45.132E"} <= {v for _, v, _ in by_kind(findings, "GPS position")}
    assert "Planted Sidecar Author" in {v for _, v, _ in by_kind(findings, "person's name")}


def test_raf_metadata_is_read_from_its_preview() -> None:
    preview = jpeg_with_exif(zeroth={piexif.ImageIFD.Artist: b"Planted RAF Artist"})
    header = b"FUJIFILMCCD-RAW 0201FF383501".ljust(84, b"\0")
    raf = header + struct.pack(">II", 100, len(preview)) + b"\0" * 8 + preview
    findings = inspect(raf)
    assert "Planted RAF Artist" in {v for _, v, _ in by_kind(findings, "person's name")}
    assert by_kind(findings, "secondary image")


def test_xmp_gps_zero_zero_is_no_usable_position() -> None:
    findings = inspect(
        jpeg_with_xmp(
            "<exif:GPSLatitude>0,0.0000N</exif:GPSLatitude><exif:GPSLongitude>0,0.0000E</exif:GPSLongitude>"
        )
    )
    assert by_kind(findings, "GPS position") == []
    assert ("GPS position", "GPS tags present, no usable position", "medium") in by_kind(
        findings, "GPS details"
    )


def test_png_text_under_any_people_keyword_ranks_high() -> None:
    info = PngImagePlugin.PngInfo()
    info.add_text("Photographer", "Planted Png Photographer")
    findings = inspect(encode(pattern_image(), "PNG", pnginfo=info))
    assert ("PNG text 'Photographer'", "Planted Png Photographer", "high") in by_kind(
        findings, "person's name"
    )
