"""Planted values in every format: inspect finds them, strip leaves none of them in the output bytes."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np
import piexif
import pillow_heif
import pytest
from PIL import Image, ImageCms, PngImagePlugin
from support import PNG_SIGNATURE, contains_any, encode, pattern_image, png_chunk

from photolab.batch import run_batch
from photolab.errors import UnsafeOutput
from photolab.metadata import (
    assert_clean,
    encode_clean,
    inspect,
    output_format,
    residual_check,
)
from photolab.photo import load

SERIAL = "SN-PLANTED-4711"
ARTIST = "Planted Artist Name"
COPYRIGHT = "Planted Copyright Holder"
OWNER = "Planted Camera Owner"
DESCRIPTION = "PLANTED-DESCRIPTION-TEXT"
XP_AUTHOR = "PlantedWindowsAuthor"
XMP_CREATOR = "Planted XMP Creator"
XMP_CITY = "Plantedville"
IPTC_BYLINE = "Planted Byline Person"
ICC_DESC = "PLANTEDICCDSC"  # same length as the built-in "sRGB built-in" it replaces
COMMENT = "PLANTED-COMMENT-TEXT"
TRAILER = b"\0\0\0\x18ftypmp42PLANTED-TRAILER-VIDEO"
GPS_RATIONALS = ((59, 1), (54, 1), (5004, 100))  # 59 deg 54' 50.04" = 59.9139 N

COMMON = [SERIAL, ARTIST, COPYRIGHT, OWNER, DESCRIPTION, XP_AUTHOR, "PLANTED-TRAILER-VIDEO"]


def planted_exif(thumbnail: bytes | None = None) -> bytes:
    zeroth = {
        piexif.ImageIFD.Make: b"PlantedMake",
        piexif.ImageIFD.Model: b"PlantedModel X1",
        piexif.ImageIFD.Artist: ARTIST.encode(),
        piexif.ImageIFD.Copyright: COPYRIGHT.encode(),
        piexif.ImageIFD.ImageDescription: DESCRIPTION.encode(),
        piexif.ImageIFD.XPAuthor: tuple((XP_AUTHOR + "\0").encode("utf-16-le")),
    }
    exif = {
        piexif.ExifIFD.BodySerialNumber: SERIAL.encode(),
        piexif.ExifIFD.CameraOwnerName: OWNER.encode(),
        piexif.ExifIFD.DateTimeOriginal: b"2024:03:05 06:07:08",
    }
    gps = {
        piexif.GPSIFD.GPSLatitudeRef: b"N",
        piexif.GPSIFD.GPSLatitude: GPS_RATIONALS,
        piexif.GPSIFD.GPSLongitudeRef: b"E",
        piexif.GPSIFD.GPSLongitude: ((10, 1), (45, 1), (792, 100)),
    }
    data = {"0th": zeroth, "Exif": exif, "GPS": gps, "1st": {}, "thumbnail": None}
    if thumbnail:
        data["1st"] = {piexif.ImageIFD.Compression: 6}
        data["thumbnail"] = thumbnail
    return piexif.dump(data)


def planted_xmp() -> bytes:
    return (
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
        '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
        f'photoshop:City="{XMP_CITY}"><dc:creator><rdf:Seq><rdf:li>{XMP_CREATOR}</rdf:li></rdf:Seq>'
        "</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
    ).encode()


def planted_icc() -> bytes:
    icc = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    return icc.replace("sRGB built-in".encode("utf-16-be"), ICC_DESC.encode("utf-16-be"))


def iptc_app13() -> bytes:
    iim = b"\x1c\x02\x50" + struct.pack(">H", len(IPTC_BYLINE)) + IPTC_BYLINE.encode()
    resource = b"8BIM\x04\x04\0\0" + struct.pack(">I", len(iim)) + iim + b"\0" * (len(iim) & 1)
    return b"Photoshop 3.0\0" + resource


def segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def thumbnail_that_differs() -> bytes:
    return encode(Image.new("RGB", (16, 16), (250, 0, 250)), "JPEG", quality=50)


def planted_jpeg() -> bytes:
    base = encode(
        pattern_image(),
        "JPEG",
        quality=95,
        exif=planted_exif(thumbnail_that_differs()),
        icc_profile=planted_icc(),
        comment=COMMENT,
    )
    extra = segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0" + planted_xmp()) + segment(0xED, iptc_app13())
    return base[:2] + extra + base[2:] + TRAILER


def planted_png() -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Planted PNG Author")
    info.add_text("Comment", "Planted zTXt comment", zip=True)
    info.add_itxt("Description", "Planted iTXt description", zip=True)
    info.add_itxt("XML:com.adobe.xmp", planted_xmp().decode())
    base = encode(pattern_image(), "PNG", pnginfo=info, exif=planted_exif(), icc_profile=planted_icc())
    iend = base.rindex(b"IEND") - 4
    private = png_chunk(b"prVt", b"PLANTED-PRIVATE-CHUNK")
    return base[:iend] + private + base[iend:] + TRAILER


def planted_webp() -> bytes:
    base = encode(
        pattern_image(), "WEBP", quality=90, exif=planted_exif(), xmp=planted_xmp(), icc_profile=planted_icc()
    )
    return base + TRAILER


def planted_tiff() -> bytes:
    info = {315: ARTIST, 33432: COPYRIGHT, 270: DESCRIPTION, 271: "PlantedMake", 305: "PlantedSoftware"}
    second = Image.new("RGB", (48, 32), (250, 0, 250))
    return encode(pattern_image(), "TIFF", tiffinfo=info, save_all=True, append_images=[second])


def planted_gif() -> bytes:
    frames = [pattern_image().convert("P"), Image.new("P", (48, 32), 5)]
    base = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], comment=COMMENT)
    app = b"\x21\xff\x0bPLANTEDX1.0" + bytes([21]) + b"PLANTED-APPEXTENSION!" + b"\0"
    return base[:-1] + app + base[-1:] + TRAILER


def planted_heic() -> bytes:
    heif = pillow_heif.from_pillow(pattern_image(64, 48))
    buf = io.BytesIO()
    heif.save(buf, quality=90, exif=planted_exif(), xmp=planted_xmp())
    return buf.getvalue()


PLANTED = {
    "planted.jpg": (planted_jpeg, [*COMMON, XMP_CREATOR, XMP_CITY, IPTC_BYLINE, ICC_DESC, COMMENT]),
    "planted.png": (
        planted_png,
        [*COMMON, "Planted PNG Author", "Planted zTXt", "Planted iTXt", XMP_CREATOR, ICC_DESC,
         "PLANTED-PRIVATE"],
    ),
    "planted.webp": (planted_webp, [*COMMON, XMP_CREATOR, XMP_CITY, ICC_DESC]),
    "planted.tif": (planted_tiff, [ARTIST, COPYRIGHT, DESCRIPTION, "PlantedMake", "PlantedSoftware"]),
    "planted.gif": (planted_gif, [COMMENT, "PLANTEDX1.0", "PLANTED-APPEXTENSION", "PLANTED-TRAILER-VIDEO"]),
    "planted.heic": (planted_heic, [SERIAL, ARTIST, COPYRIGHT, OWNER, DESCRIPTION, XP_AUTHOR, XMP_CREATOR]),
}


@pytest.fixture(scope="module")
def stripped(tmp_path_factory) -> dict[str, tuple[bytes, bytes]]:
    """name -> (input bytes, output bytes) after one strip batch over every planted file."""
    root = tmp_path_factory.mktemp("planted")
    inputs, outdir = root / "in", root / "out"
    inputs.mkdir()
    for name, (make, _) in PLANTED.items():
        (inputs / name).write_bytes(make())
    results = run_batch([inputs], outdir)
    assert [r["error"] for r in results if r["status"] != "ok"] == []
    by_name = {Path(r["input"]).name: Path(r["output"]).read_bytes() for r in results}
    return {name: ((inputs / name).read_bytes(), by_name[name]) for name in PLANTED}


@pytest.mark.parametrize("name", PLANTED)
def test_planted_values_are_really_in_the_input(name: str, stripped) -> None:
    source, _ = stripped[name]
    planted = PLANTED[name][1]
    present = contains_any(source, planted)
    # zTXt/iTXt text and HEIC may compress or re-box values; everything else is findable as bytes
    if name not in ("planted.png",):
        assert present == planted


@pytest.mark.parametrize("name", PLANTED)
def test_no_planted_value_survives_strip(name: str, stripped) -> None:
    _, output = stripped[name]
    assert contains_any(output, PLANTED[name][1]) == []
    assert struct.pack(">IIIIII", *[v for pair in GPS_RATIONALS for v in pair]) not in output
    assert struct.pack("<IIIIII", *[v for pair in GPS_RATIONALS for v in pair]) not in output
    assert residual_check(output) == []


def test_strip_drops_the_differing_thumbnail(stripped) -> None:
    thumb = thumbnail_that_differs()
    source, output = stripped["planted.jpg"]
    assert thumb[-300:] in source  # piexif drops the thumbnail's JFIF header, the rest is stored as is
    assert thumb[-300:] not in output
    assert output.count(b"\xff\xd8") == 1


def test_inspect_jpeg_finds_everything_and_ranks_by_risk() -> None:
    findings = inspect(planted_jpeg())
    kinds = {f.kind for f in findings}
    assert {
        "GPS position",
        "device serial number",
        "person's name",
        "embedded thumbnail",
        "data after the end of the image",
        "ICC profile text",
        "description or comment",
        "camera make and model",
        "date and time taken",
        "place name",
    } <= kinds
    gps = next(f for f in findings if f.kind == "GPS position")
    assert gps.value == "59.9139 N, 10.7522 E"
    assert gps.group == "location" and gps.risk == "high"
    values = " | ".join(f.value for f in findings)
    for planted in (SERIAL, ARTIST, OWNER, XP_AUTHOR, XMP_CREATOR, IPTC_BYLINE, ICC_DESC, COMMENT):
        assert planted in values
    order = {"high": 0, "medium": 1, "low": 2}
    ranks = [order[f.risk] for f in findings]
    assert ranks == sorted(ranks)
    assert all(f.explanation and f.kind and f.value not in f.kind for f in findings)
    assert "video" in next(f for f in findings if f.kind == "data after the end of the image").value


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("planted.png", {"person's name", "GPS position", "unknown segment", "description or comment"}),
        ("planted.webp", {"person's name", "GPS position", "ICC profile text",
                          "data after the end of the image"}),
        ("planted.tif", {"person's name", "secondary image", "software"}),
        ("planted.gif", {"description or comment", "unknown segment", "secondary image"}),
        ("planted.heic", {"person's name", "GPS position", "device serial number", "place name"}),
    ],
)
def test_inspect_other_formats(name: str, expected: set[str]) -> None:
    kinds = {f.kind for f in inspect(PLANTED[name][0]())}
    assert expected <= kinds


def test_inspect_clean_output_finds_nothing() -> None:
    clean = encode_clean(pattern_image(), "JPEG")
    assert inspect(clean) == []


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "TIFF", "GIF"])
@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "LA"])
def test_encode_clean_is_clean_in_every_format_and_mode(fmt: str, mode: str) -> None:
    image = pattern_image().convert(mode)
    image.info = {"comment": COMMENT, "icc_profile": planted_icc(), "exif": planted_exif()}
    image.info["xmp"] = planted_xmp()
    data = encode_clean(image, fmt)
    assert residual_check(data) == []
    assert contains_any(data, [COMMENT, ICC_DESC, ARTIST, XMP_CREATOR]) == []
    back = load(data)
    assert (back.width, back.height) == image.size


def test_encode_clean_jpeg_quality_is_high() -> None:
    picture = Image.effect_noise((96, 64), 20).convert("RGB").resize((192, 128))
    photo = load(encode_clean(picture, "JPEG"))
    error = np.asarray(photo.image, dtype=float) - np.asarray(picture, dtype=float)
    psnr = 10 * np.log10(255**2 / np.mean(error**2))
    assert psnr > 40


@pytest.mark.parametrize(
    ("dirty", "words"),
    [
        (lambda: encode_clean(pattern_image(), "JPEG") + b"tail", "after the end"),
        (lambda: encode(pattern_image(), "JPEG", comment="x"), "COM"),
        (lambda: encode(pattern_image(), "JPEG", exif=planted_exif()), "APP1"),
        (lambda: encode(pattern_image(), "JPEG", icc_profile=planted_icc()), "APP2"),
        (planted_png, "tEXt"),
        (lambda: encode(pattern_image(), "PNG", icc_profile=planted_icc()), "iCCP"),
        (lambda: encode(pattern_image(), "WEBP", exif=planted_exif()), "EXIF"),
        (lambda: encode(pattern_image(), "TIFF", tiffinfo={315: ARTIST}), "IFD tag 315"),
        (planted_tiff, "2 images"),
        (lambda: encode(pattern_image().convert("P"), "GIF", comment="x"), "GIF comment"),
        (planted_gif, "images"),
        (planted_heic, "HEIF"),
        (lambda: b"plain text", "not a recognised image"),
        (lambda: encode_clean(pattern_image(), "JPEG")[:-200], "end-of-image"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_residual_check_reports_what_it_finds(dirty, words: str) -> None:
    problems = residual_check(dirty())
    assert any(words in p for p in problems), problems
    with pytest.raises(UnsafeOutput):
        assert_clean(dirty())


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("JPEG", ("JPEG", ".jpg")),
        ("MPO", ("JPEG", ".jpg")),
        ("PNG", ("PNG", ".png")),
        ("HEIF", ("JPEG", ".jpg")),
        ("AVIF", ("JPEG", ".jpg")),
        ("GIF", ("GIF", ".gif")),
        ("WEBP", ("WEBP", ".webp")),
        ("TIFF", ("TIFF", ".tif")),
        ("BMP", ("PNG", ".png")),
    ],
)
def test_output_format(fmt: str, expected: tuple[str, str]) -> None:
    assert output_format(fmt) == expected


def test_output_format_keeps_alpha() -> None:
    assert output_format("HEIF", has_alpha=True) == ("PNG", ".png")
    assert output_format("JPEG", has_alpha=False) == ("JPEG", ".jpg")


def test_png_private_chunk_and_trailer_found_by_hand_built_png() -> None:
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    body = PNG_SIGNATURE + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", __import__("zlib").compress(b"\0\0"))
    data = body + png_chunk(b"abCd", b"secret") + png_chunk(b"IEND", b"") + b"junk"
    problems = residual_check(data)
    assert any("abCd" in p for p in problems) and any("after the end" in p for p in problems)


def test_encode_photo_applies_the_output_rules_in_one_place() -> None:
    from photolab.metadata import encode_photo
    from photolab.metadata.webp import is_lossless

    lossless = load(encode(pattern_image(), "WEBP", lossless=True))
    data, fmt, ext = encode_photo(lossless)
    assert (fmt, ext) == ("WEBP", ".webp") and is_lossless(data)
    assert load(data).image.tobytes() == lossless.image.tobytes()
    lossy = load(encode(pattern_image(), "WEBP", quality=80))
    assert not is_lossless(encode_photo(lossy)[0])
    with_alpha = load(encode(pattern_image().convert("RGBA"), "PNG"))
    assert encode_photo(with_alpha, with_alpha.image)[1] == "PNG"
    assert encode_photo(load(encode(pattern_image(), "BMP")))[1:] == ("PNG", ".png")
