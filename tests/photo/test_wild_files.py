"""Files from the wild (issue 13), all generated here: TIFFs Pillow 12 refuses, BigTIFF, camera RAW named
plainly, JPEGs sized by a DNL marker, what a folder's other files are, lossless sources, fast imports."""

from __future__ import annotations

import io
import re
import struct
import subprocess
import sys
from dataclasses import dataclass

import numpy as np
import pytest
import tifffile
from PIL import Image
from support import encode, pattern_image

from photolab.errors import PhotoLabError, UnsupportedFormat
from photolab.metadata import inspect, residual_check
from photolab.photo import RECOGNISE_HEAD_BYTES, load, recognise

# --- a small TIFF writer: Pillow cannot write an Interop pointer in IFD0, CFA data or a DNG version ---


@dataclass(frozen=True)
class Ref:
    """A LONG value that points to another directory of the file being built."""

    index: int


@dataclass(frozen=True)
class Blob:
    """A LONG value that points to these bytes (strip data), stored after the directory."""

    data: bytes


_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 7: 1}


def build_tiff(
    ifds: list[dict[int, tuple[int, object]]],
    *,
    endian: str = "<",
    chained: int = 1,
    magic: bytes | None = None,
) -> bytes:
    """Directories written one after another; the first ``chained`` are the page chain, the others are
    reachable only through ``Ref`` values (Exif, GPS, Interop, SubIFDs, as cameras write them)."""
    starts, pos = [], 8
    for tags in ifds:
        starts.append(pos)
        pos += _ifd_size(tags)
    head = (b"II" if endian == "<" else b"MM") + (magic or struct.pack(endian + "H", 42))
    out = bytearray(head + struct.pack(endian + "I", starts[0]))
    for i, tags in enumerate(ifds):
        following = starts[i + 1] if i + 1 < chained else 0
        out += _ifd_bytes(tags, starts[i], following, starts, endian)
    return bytes(out)


def _encoded(typ: int, value: object, endian: str) -> bytes:
    if isinstance(value, str):
        return value.encode() + b"\0"
    if isinstance(value, bytes):
        return value
    values = value if isinstance(value, tuple) else (value,)
    code = {1: "B", 3: "H", 4: "I", 5: "I"}[typ]
    return struct.pack(f"{endian}{len(values)}{code}", *values)


def _ifd_size(tags: dict) -> int:
    size = 2 + 12 * len(tags) + 4
    for typ, value in tags.values():
        if isinstance(value, Blob):
            size += len(value.data) + (len(value.data) & 1)
        elif not isinstance(value, Ref):
            n = len(_encoded(typ, value, "<"))
            size += (n + (n & 1)) if n > 4 else 0
    return size


def _ifd_bytes(tags: dict, start: int, following: int, starts: list[int], endian: str) -> bytes:
    data_pos = start + 2 + 12 * len(tags) + 4
    table, data = bytearray(struct.pack(endian + "H", len(tags))), bytearray()
    for tag in sorted(tags):
        typ, value = tags[tag]
        if isinstance(value, Ref | Blob):
            raw = struct.pack(endian + "I", starts[value.index] if isinstance(value, Ref) else data_pos)
            if isinstance(value, Blob):
                data += value.data + b"\0" * (len(value.data) & 1)
                data_pos += len(value.data) + (len(value.data) & 1)
            count, typ = 1, 4
        else:
            raw = _encoded(typ, value, endian)
            count = len(raw) // _SIZES[typ]
            if len(raw) > 4:
                padded = raw + b"\0" * (len(raw) & 1)
                data += padded
                raw, data_pos = struct.pack(endian + "I", data_pos), data_pos + len(padded)
        table += struct.pack(endian + "HHI", tag, typ, count) + raw.ljust(4, b"\0")
    return bytes(table + struct.pack(endian + "I", following) + data)


def rgb_ifd(width: int = 6, height: int = 4, **extra: tuple[int, object]) -> dict:
    pixels = bytes(range(width * height * 3))
    tags = {
        256: (3, width),
        257: (3, height),
        258: (3, (8, 8, 8)),
        259: (3, 1),
        262: (3, 2),
        273: (4, Blob(pixels)),
        277: (3, 3),
        278: (3, height),
        279: (4, len(pixels)),
    }
    tags.update({int(k.lstrip("t")): v for k, v in extra.items()})
    return tags


def cfa_ifd(width: int = 8, height: int = 8) -> dict:
    return {
        254: (4, 0),
        256: (3, width),
        257: (3, height),
        258: (3, 16),
        259: (3, 1),
        262: (3, 32803),
        273: (4, Blob(b"\0" * width * height * 2)),
        277: (3, 1),
        279: (4, width * height * 2),
    }


RAW_MESSAGE = "camera RAW ({}) is not supported: export a JPEG or TIFF from your RAW software first"


# --- valid TIFFs that Pillow 12 refuses --------------------------------------------------------------


def dji_thermal_tiff() -> bytes:
    """A thermal-camera TIFF: GPS and Interop pointers in IFD0 itself (Pillow 12.3: KeyError 40965)."""
    gps = {
        0: (1, (2, 3, 0, 0)),
        1: (2, "N"),
        2: (5, (59, 1, 54, 1, 5004, 100)),
        3: (2, "E"),
        4: (5, (10, 1, 45, 1, 792, 100)),
    }
    interop = {1: (2, "R98"), 2: (7, b"0100")}
    ifd0 = rgb_ifd(t271=(2, "DJI"), t272=(2, "XT2"), t34853=(4, Ref(1)), t40965=(4, Ref(2)))
    return build_tiff([ifd0, gps, interop])


def test_tiff_with_interop_pointer_in_ifd0_loads() -> None:
    data = dji_thermal_tiff()
    photo = load(data, name="thermal.tif")
    assert (photo.width, photo.height) == (6, 4)
    expected = np.frombuffer(bytes(range(72)), np.uint8).reshape(4, 6, 3)
    assert np.array_equal(np.asarray(photo.image), expected)
    assert photo.lossless
    gps = [f for f in inspect(data) if f.kind == "GPS position"]
    assert [f.value for f in gps] == ["59.9139 N, 10.7522 E"]


@pytest.mark.parametrize("endian", ["<", ">"])
def test_bigtiff_is_decoded_in_both_byte_orders(endian: str) -> None:
    pixels = np.asarray(pattern_image(), dtype=np.uint8)
    buf = io.BytesIO()
    tifffile.imwrite(
        buf,
        pixels,
        bigtiff=True,
        byteorder=endian,
        photometric="rgb",
        metadata=None,
        extratags=[(315, "s", 0, "Planted BigTIFF Artist", True)],
    )
    data = buf.getvalue()
    assert data[2:4] in (b"+\0", b"\0+")
    photo = load(data, name="big.tif")
    assert photo.format == "TIFF" and photo.lossless
    assert np.array_equal(np.asarray(photo.image), pixels)
    assert "Planted BigTIFF Artist" in [f.value for f in inspect(data) if f.kind == "person's name"]
    assert any("BigTIFF" in p for p in residual_check(data))  # photolab writes classic TIFF only


def test_big_endian_bigtiff_applies_orientation() -> None:
    stored = np.asarray(pattern_image().transpose(Image.Transpose.ROTATE_90), dtype=np.uint8)
    buf = io.BytesIO()
    tifffile.imwrite(
        buf,
        stored,
        bigtiff=True,
        byteorder=">",
        photometric="rgb",
        metadata=None,
        extratags=[(274, "H", 1, 6, True)],
    )
    photo = load(buf.getvalue())
    assert photo.orientation == 6
    assert np.array_equal(np.asarray(photo.image), np.asarray(pattern_image()))


def test_jpeg_whose_height_comes_from_a_dnl_marker_loads() -> None:
    data = bytearray(encode(pattern_image(), "JPEG", quality=95))
    sof = data.find(b"\xff\xc0")
    data[sof + 5 : sof + 7] = b"\0\0"  # 0 lines in the frame header ...
    eoi = data.rfind(b"\xff\xd9")
    data[eoi:eoi] = b"\xff\xdc\x00\x04" + struct.pack(">H", 32)  # ... and 32 in a DNL marker after the scan
    with pytest.raises(Exception):  # noqa: B017 - the fixture really is one Pillow refuses as it is
        Image.open(io.BytesIO(bytes(data))).load()
    photo = load(bytes(data), name="dnl.jpg")
    assert (photo.width, photo.height) == (48, 32)


REPR_OR_NUMBER = re.compile(r"object at 0x|<_io|\(\d+\)|\('|\(\"|KeyError|struct\.error")


@pytest.mark.parametrize(
    "data",
    [
        b"II+\0\x08\0\0\0" + b"\xff" * 40,  # BigTIFF header pointing nowhere
        b"MM\0+\0\x08\0\0" + b"\0" * 8 + b"\x7f" * 40,
        build_tiff([rgb_ifd(t273=(4, 10**6))]),  # strip offset past the end
        build_tiff([rgb_ifd(t259=(3, 4242))]),  # unknown compression number
        encode(pattern_image(), "JPEG")[:300],
        b"\xff\xd8\xff\xc0\0\x11\x08\0\0\0\x10\x03\x01\x22\0\x02\x11\x01\x03\x11\x01\xff\xd9",
    ],
)
def test_errors_show_no_reprs_or_bare_numbers(data: bytes) -> None:
    with pytest.raises(PhotoLabError) as info:
        load(data, name="odd.tif")
    message = info.value.message
    assert message.startswith("odd.tif: ") and not REPR_OR_NUMBER.search(message), message


# --- camera RAW ---------------------------------------------------------------------------------------


def tiff_raw(make: str, *, cfa_in_sub_ifd: bool = True) -> bytes:
    preview = rgb_ifd(t254=(4, 1), t271=(2, make), t272=(2, "Model X"))
    if not cfa_in_sub_ifd:
        return build_tiff([{**cfa_ifd(), 271: (2, make)}])
    return build_tiff([{**preview, 330: (4, Ref(1))}, cfa_ifd()])


RAW_FILES = {
    "DSCF0001.RAF": (lambda: b"FUJIFILMCCD-RAW 0201FF383501" + b"\0" * 200, "Fujifilm RAF"),
    "P1000001.RW2": (lambda: b"IIU\0\x08\0\0\0" + b"\0" * 200, "Panasonic RW2"),
    "P1000001.ORF": (lambda: b"IIRO\x08\0\0\0" + b"\0" * 200, "Olympus ORF"),
    "IMG_0001.CR3": (lambda: b"\0\0\0\x18ftypcrx \0\0\0\x01crx isom" + b"\0" * 200, "Canon CR3"),
    "IMG_0001.CR2": (lambda: b"II*\0\x10\0\0\0CR\x02\0\0\0\0\0" + b"\0" * 200, "Canon CR2"),
    "DSC_0001.NEF": (lambda: tiff_raw("NIKON CORPORATION"), "Nikon NEF"),
    "DSC_0001.NRW": (lambda: tiff_raw("NIKON CORPORATION"), "Nikon NRW"),
    "DSC00001.ARW": (lambda: tiff_raw("SONY"), "Sony ARW"),
    "IMGP0001.PEF": (lambda: tiff_raw("PENTAX Corporation", cfa_in_sub_ifd=False), "Pentax PEF"),
    "SAM_0001.SRW": (lambda: tiff_raw("SAMSUNG"), "Samsung SRW"),
    "no_extension": (lambda: tiff_raw("NIKON CORPORATION"), "Nikon NEF"),
    "phone.dng": (
        lambda: build_tiff([{**rgb_ifd(t254=(4, 1)), 50706: (1, (1, 4, 0, 0)), 330: (4, Ref(1))}, cfa_ifd()]),
        "Adobe DNG",
    ),
}


@pytest.mark.parametrize("name", RAW_FILES)
def test_camera_raw_is_named_plainly(name: str) -> None:
    make, fmt = RAW_FILES[name]
    data = make()
    with pytest.raises(UnsupportedFormat) as info:
        load(data, name=name)
    assert info.value.message == f"{name}: " + RAW_MESSAGE.format(fmt)
    found = recognise(data[:RECOGNISE_HEAD_BYTES], name)
    assert (found.kind, found.format, found.reason) == ("raw", fmt, RAW_MESSAGE.format(fmt))
    assert found.is_failure


def test_jpeg_named_nef_is_a_jpeg() -> None:
    data = encode(pattern_image(), "JPEG")
    assert load(data, name="DSC_0001.NEF").format == "JPEG"
    assert recognise(data, "DSC_0001.NEF").kind == "image"


def test_dng_whose_main_image_is_rgb_is_read_as_tiff() -> None:
    data = build_tiff([rgb_ifd(t50706=(1, (1, 4, 0, 0)), t271=(2, "Google"))])
    photo = load(data, name="converted.dng")
    assert (photo.format, photo.width, photo.height) == ("TIFF", 6, 4)


def test_ordinary_tiff_from_a_camera_maker_is_not_raw() -> None:
    data = build_tiff([rgb_ifd(t271=(2, "NIKON"), t254=(4, 1))])  # a scanner's reduced-resolution page
    assert load(data, name="scan.tif").format == "TIFF"


# --- what the files of a folder are -------------------------------------------------------------------

XMP_SIDECAR = (
    b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/">'
    b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="59,54.834N"'
    b' exif:GPSLongitude="10,45.132E"/></rdf:RDF></x:xmpmeta>'
)


@pytest.mark.parametrize(
    ("name", "data", "kind"),
    [
        ("a.jpg", encode(pattern_image(), "JPEG"), "image"),
        ("a.heic.png", encode(pattern_image(), "PNG"), "image"),
        ("IMG_1234.xmp", XMP_SIDECAR, "sidecar"),
        ("IMG_1234.XMP", b"<?xml version='1.0'?>\n<x:xmpmeta xmlns:x='adobe:ns:meta/'/>", "sidecar"),
        ("notes.txt", b"met at the clinic on tuesday\n", "not_image"),
        ("labels.json", b'{"faces": []}', "not_image"),
        ("readme", b"Plain words, no extension at all.\n", "not_image"),
        ("report.pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3", "not_image"),
        ("clip.mov", b"\0\0\0\x14ftypqt  \0\0\0\0qt  ", "not_image"),
        ("IMG_0001.MP4", b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom", "not_image"),
        (".DS_Store", b"\0\0\0\x01Bud1\0\0\x10\0", "not_image"),
        ("._IMG_0001.JPG", b"\0\x05\x16\x07\0\x02\0\0Mac OS X", "not_image"),
        ("edit.AAE", b"<?xml version='1.0'?><plist></plist>", "not_image"),
        ("photo.jxl", b"\xff\x0a\xfa\x7f", "unknown"),
        ("broken.jpg", b"this is not a jpeg at all", "unknown"),
        ("mystery.bin", bytes(range(200, 256)), "unknown"),
        ("empty.jpg", b"", "unknown"),
    ],
)
def test_recognise_names_every_kind(name: str, data: bytes, kind: str) -> None:
    found = recognise(data, name)
    assert found.kind == kind
    assert found.is_failure == (kind in ("raw", "unknown"))
    if kind == "image":
        assert found.reason == ""
    else:
        assert found.reason and not REPR_OR_NUMBER.search(found.reason)


def test_sidecar_is_inspected(tmp_path) -> None:
    path = tmp_path / "IMG_1234.xmp"
    path.write_bytes(XMP_SIDECAR)
    findings = inspect(path)
    kinds = {f.kind for f in findings}
    assert {"XMP sidecar", "GPS position"} <= kinds


# --- lossless sources and import cost -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "lossless"),
    [
        (lambda: encode(pattern_image(), "PNG"), True),
        (lambda: encode(pattern_image().convert("P"), "GIF"), True),
        (lambda: encode(pattern_image(), "BMP"), True),
        (lambda: encode(pattern_image(), "WEBP", lossless=True), True),
        (lambda: encode(pattern_image(), "WEBP", quality=80), False),
        (lambda: encode(pattern_image(), "TIFF"), True),
        (lambda: encode(pattern_image(), "TIFF", compression="tiff_lzw"), True),
        (lambda: encode(pattern_image(), "TIFF", compression="tiff_adobe_deflate"), True),
        (lambda: encode(pattern_image(), "TIFF", compression="jpeg"), False),
        (lambda: encode(pattern_image(), "JPEG"), False),
        (lambda: encode(pattern_image(), "AVIF"), False),
    ],
    ids=[
        "png",
        "gif",
        "bmp",
        "webp-lossless",
        "webp-lossy",
        "tiff",
        "tiff-lzw",
        "tiff-deflate",
        "tiff-jpeg",
        "jpeg",
        "avif",
    ],
)
def test_photo_says_whether_the_source_was_lossless(make, lossless: bool) -> None:
    assert load(make()).lossless is lossless


def test_animated_lossless_webp_is_lossless() -> None:
    frames = [pattern_image(), pattern_image().transpose(Image.Transpose.ROTATE_180)]
    data = encode(frames[0], "WEBP", save_all=True, append_images=frames[1:], lossless=True)
    assert load(data).lossless


def test_loader_and_metadata_import_without_heavy_modules() -> None:
    code = (
        "import sys, photolab.photo, photolab.metadata; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'numpy', 'cv2', 'pillow_heif', "
        "'tifffile', 'onnxruntime', 'mediapipe', 'typer', 'rich', 'gradio'}))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"
