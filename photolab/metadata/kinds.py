"""What a file that is not a photo photolab reads is: a sidecar, a document, a video, a system file, an
image format photolab does not read, or nothing recognisable. Used by ``photolab.photo.recognise`` so
that a folder walk names every file it does not process.
"""

from __future__ import annotations

from pathlib import PurePath

from photolab.metadata.xmp import looks_like_sidecar
from photolab.photo import bmff_brands

READS = "photolab reads only photos (JPEG, PNG, WebP, TIFF, HEIC, AVIF, GIF, BMP)"

# Extensions that claim to be a photo: such a file is never "clearly not an image".
IMAGE_SUFFIXES = {
    ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".webp", ".tif", ".tiff", ".heic", ".heif", ".hif",
    ".avif", ".mpo", ".bmp", ".dib",
}  # fmt: skip
# Formats known by their first bytes: (signature, what it is, kind).
SIGNATURES: list[tuple[bytes, str, str]] = [
    (b"%PDF", "PDF document", "not_image"), (b"PK\x03\x04", "ZIP archive or office document", "not_image"),
    (b"\x1f\x8b", "gzip archive", "not_image"), (b"7z\xbc\xaf", "7-Zip archive", "not_image"),
    (b"ID3", "audio file", "not_image"), (b"OggS", "audio or video file", "not_image"),
    (b"\x1aE\xdf\xa3", "video file", "not_image"), (b"\0\x05\x16\x07", "macOS resource file", "not_image"),
    (b"\xff\x0a", "JPEG XL image", "unknown"), (b"\0\0\0\x0cJXL ", "JPEG XL image", "unknown"),
    (b"\0\0\0\x0cjP  ", "JPEG 2000 image", "unknown"), (b"\xff\x4f\xff\x51", "JPEG 2000 image", "unknown"),
    (b"8BPS", "Photoshop document", "unknown"), (b"\0\0\x01\0", "Windows icon", "unknown"),
    (b"qoif", "QOI image", "unknown"),
]  # fmt: skip
VIDEO_BRANDS = {b"isom", b"iso2", b"iso4", b"iso5", b"iso6", b"mp41", b"mp42", b"avc1", b"qt  ", b"M4V ",
                b"M4A ", b"3gp4", b"3gp5", b"3gp6", b"3g2a", b"MSNV", b"dash", b"hvc1"}  # fmt: skip
NOT_IMAGE_SUFFIXES = {
    ".txt": "text file", ".md": "text file", ".json": "JSON file", ".csv": "spreadsheet text",
    ".tsv": "spreadsheet text", ".xml": "XML file", ".html": "web page", ".htm": "web page",
    ".yaml": "text file", ".yml": "text file", ".log": "log file", ".ini": "settings file",
    ".pdf": "PDF document", ".doc": "document", ".docx": "document", ".odt": "document", ".rtf": "document",
    ".xls": "spreadsheet", ".xlsx": "spreadsheet", ".ods": "spreadsheet", ".zip": "archive",
    ".gz": "archive", ".7z": "archive", ".tar": "archive", ".mp4": "video file", ".mov": "video file",
    ".avi": "video file", ".mkv": "video file", ".m4v": "video file", ".3gp": "video file",
    ".mts": "video file", ".lrv": "video file", ".wav": "audio file", ".mp3": "audio file",
    ".m4a": "audio file", ".aac": "audio file", ".aae": "Apple photo-edit settings", ".db": "database",
    ".license": "text file", ".sha256": "checksum file", ".md5": "checksum file",
}  # fmt: skip
SYSTEM_FILES = {".ds_store": "macOS folder settings", "thumbs.db": "Windows thumbnail cache",
                "desktop.ini": "Windows folder settings"}  # fmt: skip


def other_file(head: bytes, path: PurePath, start: str) -> tuple[str, str | None, str]:
    """(kind, what it is, plain reason) for a file that is neither a photo photolab reads nor camera RAW.
    ``start`` is the loader's description of the first bytes ("looks like text", "starts with bytes ...")."""
    suffix = path.suffix.lower()
    if path.name.lower() in SYSTEM_FILES or path.name.startswith("._"):
        what = SYSTEM_FILES.get(path.name.lower(), "macOS resource file")
        return "not_image", what, f"{what}: not a photo"
    if looks_like_sidecar(head) or (suffix == ".xmp" and head.lstrip()[:1] == b"<"):
        return "sidecar", "XMP sidecar", "XMP sidecar (a photo's metadata: GPS, names ...): not copied"
    for signature, what, kind in SIGNATURES:
        if head.startswith(signature):
            return kind, what, f"{what}: {READS}"
    if head[4:8] == b"ftyp" and bmff_brands(head) & VIDEO_BRANDS:
        return "not_image", "video file", f"video file: {READS}"
    claims_image = suffix in IMAGE_SUFFIXES
    if suffix in NOT_IMAGE_SUFFIXES and not claims_image:
        what = NOT_IMAGE_SUFFIXES[suffix]
        return "not_image", what, f"{what}: not a photo"
    if not claims_image and start == "looks like text":
        return "not_image", "text file", "text file: not a photo"
    return "unknown", None, f"not an image format photolab reads ({start})"
