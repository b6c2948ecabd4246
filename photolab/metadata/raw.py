"""Camera RAW recognition: photolab does not develop RAW sensor data, so it names the format instead.

Recognised from the bytes (own signatures: Fujifilm RAF, Panasonic RW2, Olympus ORF, Canon CR3/CRW,
Sigma X3F, Minolta MRW; TIFF-structured RAW by its directories: Canon CR2's marker, a DNG version tag,
colour-filter-array or linear-raw image data, a camera maker's Make tag on a file named as RAW). A DNG
whose main image is an ordinary RGB/grey picture in IFD0 is read as the TIFF it is. The file's name
only names the format; a JPEG named ``.nef`` is a JPEG.
"""

from __future__ import annotations

from pathlib import PurePath

from photolab.metadata import ifd
from photolab.metadata.vendor import vendor_from_make

# extension -> how the format is called
RAW_EXTENSIONS = {
    ".cr2": "Canon CR2", ".cr3": "Canon CR3", ".crw": "Canon CRW", ".nef": "Nikon NEF", ".nrw": "Nikon NRW",
    ".arw": "Sony ARW", ".srf": "Sony SRF", ".sr2": "Sony SR2", ".raf": "Fujifilm RAF",
    ".rw2": "Panasonic RW2", ".rwl": "Leica RWL", ".orf": "Olympus ORF", ".ori": "Olympus ORI",
    ".pef": "Pentax PEF", ".srw": "Samsung SRW", ".dng": "Adobe DNG", ".x3f": "Sigma X3F",
    ".3fr": "Hasselblad 3FR", ".fff": "Hasselblad FFF", ".iiq": "Phase One IIQ", ".mrw": "Minolta MRW",
    ".kdc": "Kodak KDC", ".dcr": "Kodak DCR", ".erf": "Epson ERF", ".mef": "Mamiya MEF",
    ".mos": "Leaf MOS", ".raw": "camera RAW", ".gpr": "GoPro GPR",
}  # fmt: skip
# vendor (from the Make tag) -> its usual RAW format, when the extension does not say
_VENDOR_FORMATS = {
    "Canon": "Canon CR2", "Nikon": "Nikon NEF", "Sony": "Sony ARW", "Pentax": "Pentax PEF",
    "Ricoh": "Pentax PEF", "Samsung": "Samsung SRW", "Fujifilm": "Fujifilm RAF",
    "Panasonic": "Panasonic RW2", "Olympus": "Olympus ORF", "Leica": "Leica DNG",
    "Hasselblad": "Hasselblad 3FR", "Phase One": "Phase One IIQ",
}  # fmt: skip
_CAMERA_VENDORS = set(_VENDOR_FORMATS) | {"Sigma", "Kodak", "Minolta", "Konica Minolta", "Epson", "GoPro"}
_SIGNATURES = [
    (b"FUJIFILMCCD-RAW", "Fujifilm RAF"), (b"IIU\0", "Panasonic RW2"), (b"IIRO", "Olympus ORF"),
    (b"IIRS", "Olympus ORF"), (b"MMOR", "Olympus ORF"), (b"FOVb", "Sigma X3F"), (b"\0MRM", "Minolta MRW"),
    (b"II\x1a\0\0\0HEAPCCDR", "Canon CRW"), (b"IIII\x01\0\0\0", "Phase One IIQ"),
]  # fmt: skip
_CFA, _LINEAR_RAW = 32803, 34892
_NEW_SUBFILE_TYPE, _PHOTOMETRIC, _MAKE, _SUB_IFDS, _DNG_VERSION = 254, 262, 271, 330, 50706
_PICTURE_PHOTOMETRICS = {0, 1, 2, 5, 6}  # white/black is zero, RGB, CMYK, YCbCr


def camera_raw(data: bytes, name: str = "") -> str | None:
    """The RAW format's name ("Fujifilm RAF", "Nikon NEF", "Adobe DNG" ...) or None for a non-RAW file.

    ``data`` may be the whole file or only its first bytes (then a TIFF-structured RAW is recognised when
    its first directory is inside them).
    """
    by_name = RAW_EXTENSIONS.get(PurePath(name).suffix.lower()) if name else None
    for signature, fmt in _SIGNATURES:
        if data.startswith(signature):
            return by_name if fmt == "Panasonic RW2" and by_name == "Leica RWL" else fmt
    if data[4:8] == b"ftyp" and data[8:12] == b"crx ":
        return "Canon CR3"
    header = ifd.read_header(data)
    if header is None or header.bigtiff:
        return None
    if data[8:11] == b"CR\x02":
        return "Canon CR2"
    return _tiff_raw(data, header, by_name)


def _tiff_raw(data: bytes, header: ifd.Header, by_name: str | None) -> str | None:
    directories = ifd.chain(data, header, limit=8)
    if not directories:
        return None
    first = ifd.as_dict(directories[0], data, header.endian)
    vendor = vendor_from_make(str(first.get(_MAKE, "")))
    if _DNG_VERSION in first:
        return None if _main_image_is_picture(first) else "Adobe DNG"
    subs = [d for top in directories for d in ifd.sub_directories(data, header, top, _SUB_IFDS)]
    for directory in [*directories, *subs]:
        photometric = ifd.as_dict(directory, data, header.endian).get(_PHOTOMETRIC)
        if photometric in (_CFA, _LINEAR_RAW):
            return by_name or _VENDOR_FORMATS.get(vendor, f"{vendor} RAW" if vendor else "camera RAW")
    if by_name and by_name != "Adobe DNG" and vendor in _CAMERA_VENDORS:
        return by_name  # a camera's own TIFF-like RAW whose sensor data was not found in the first bytes
    return None


def _main_image_is_picture(tags: dict) -> bool:
    """Is IFD0 of a DNG the full-size picture (not a reduced preview, not sensor data)?"""
    subfile = tags.get(_NEW_SUBFILE_TYPE, 0)
    return isinstance(subfile, int) and not subfile & 1 and tags.get(_PHOTOMETRIC) in _PICTURE_PHOTOMETRICS


def raw_message(fmt: str) -> str:
    return f"camera RAW ({fmt}) is not supported: export a JPEG or TIFF from your RAW software first"
