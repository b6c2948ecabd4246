"""Safe loading: bytes in, one upright sRGB pixel array out (``Photo``); and what a file is (``recognise``).

The format is sniffed from the first bytes, never taken from the extension. Size limits are checked
before any pixel is decoded, so a decompression bomb costs a header read. Every decode failure, whatever
Pillow, libheif or tifffile raise, becomes a PhotoLabError with a one-line reason in plain words (never a
Python repr or a bare number). Camera RAW files are named ("camera RAW (Nikon NEF) is not supported").

Importing this module is cheap (Pillow only): numpy, pillow-heif, ImageCms and tifffile are imported the
first time a photo needs them.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import struct
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePath
from types import ModuleType
from typing import TYPE_CHECKING, Any

from PIL import Image

from photolab.errors import CorruptImage, ImageTooLarge, PhotoLabError, UnsupportedFormat

if TYPE_CHECKING:
    from PIL import ImageCms

MAX_PIXELS = 100_000_000  # 100 MP: larger than any phone or DSLR frame, far below a bomb
MAX_FILE_BYTES = 300 * 1024 * 1024

# Pillow plugins photolab accepts for each sniffed format (nothing else is ever tried on the bytes).
# MPO needs no entry: Pillow's JPEG plugin opens multi-picture files itself.
_PLUGINS = {
    "JPEG": ["JPEG"],
    "PNG": ["PNG"],
    "GIF": ["GIF"],
    "WEBP": ["WEBP"],
    "TIFF": ["TIFF"],
    "HEIF": ["HEIF"],
    "AVIF": ["AVIF"],
    "BMP": ["BMP"],
}
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1", b"mif2"}
_AVIF_BRANDS = {b"avif", b"avis"}
# Pillow's names for TIFF compressions that keep every pixel value.
_LOSSLESS_TIFF = {"raw", "tiff_lzw", "tiff_deflate", "tiff_adobe_deflate", "packbits", "group3", "group4",
                  "tiff_ccitt", "tiff_raw_16", "lzma", "zstd", "tiff_thunderscan", "tiff_sgilog"}  # fmt: skip

# EXIF orientation -> Pillow transpose that makes the pixels upright.
_ORIENTATION_FIX = {
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


@dataclass(frozen=True)
class Photo:
    """A decoded photo: upright sRGB pixels (mode RGB, RGBA, L or LA) with no metadata attached."""

    image: Image.Image
    format: str
    sha256: str
    name: str
    frames: int = 1
    size_bytes: int = 0
    orientation: int = 1  # what the source declared; the pixels are upright whatever it was
    notes: tuple[str, ...] = field(default=())
    # The source kept every pixel value (PNG, GIF, BMP, lossless WebP, uncompressed/LZW/deflate TIFF):
    # a copy in the same format should be lossless too.
    lossless: bool = False

    @property
    def width(self) -> int:
        return self.image.width

    @property
    def height(self) -> int:
        return self.image.height


def sniff_format(data: bytes) -> str | None:
    """Image format from the magic bytes, or None."""
    if data[:3] == b"\xff\xd8\xff":
        return "JPEG"
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "PNG"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    if data[:4] in (b"II*\0", b"MM\0*", b"II+\0", b"MM\0+"):
        return "TIFF"
    if data[4:8] == b"ftyp" and len(data) >= 16:
        return _sniff_bmff(data)
    if data[:2] == b"BM" and len(data) >= 26:
        return "BMP"
    return None


def _sniff_bmff(data: bytes) -> str | None:
    brands = bmff_brands(data)
    if brands & _AVIF_BRANDS:
        return "AVIF"
    if brands & _HEIF_BRANDS:
        return "HEIF"
    return None


def bmff_brands(data: bytes) -> set[bytes]:
    box_len = int.from_bytes(data[0:4], "big")
    end = min(max(box_len, 16), len(data), 256)
    return {data[8:12]} | {data[i : i + 4] for i in range(16, end - 3, 4)}


@lru_cache(maxsize=1)
def heif_support() -> ModuleType:
    """pillow_heif with its Pillow opener registered (imported on first use: it costs ~0.1 s)."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    return pillow_heif


def load(source: str | Path | bytes, *, name: str | None = None) -> Photo:
    """Decode ``source`` (a path or the file's bytes) into an upright, metadata-free ``Photo``."""
    data, name = read_source(source, name)
    fmt = sniff_format(data)
    raw = _camera_raw(data, name)
    if raw is not None:
        raise UnsupportedFormat(f"{name}: {raw}")
    if fmt is None:
        raise UnsupportedFormat(f"{name}: not an image format photolab reads ({describe_start(data)})")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return _decode(data, fmt, name)
        except PhotoLabError:
            raise
        except Image.DecompressionBombError as exc:
            pixels = re.search(r"\((\d+) pixels\)", str(exc))
            count = f"{int(pixels.group(1)):,} pixels" if pixels else "the pixel count"
            limit = f"the {MAX_PIXELS // 1_000_000} MP safety limit"
            raise ImageTooLarge(f"{name}: {count} is over {limit}") from exc
        except MemoryError as exc:
            raise ImageTooLarge(f"{name}: not enough memory to decode this image") from exc
        except Exception as exc:  # any decoder failure is a bad file, not a crash
            raise CorruptImage(f"{name}: cannot decode this {fmt} file ({plain_reason(exc)})") from exc


def _camera_raw(data: bytes, name: str) -> str | None:
    """The plain refusal for a camera RAW file, or None (a JPEG named .nef is a JPEG)."""
    from photolab.metadata.raw import raw_message

    fmt = raw_format(data, name)
    return raw_message(fmt) if fmt else None


def raw_format(data: bytes, name: str) -> str | None:
    """The camera RAW format of ``data`` ("Nikon NEF" ...), or None; only bytes that are not another
    image format photolab reads (or are TIFF-structured) can be RAW."""
    if sniff_format(data) not in (None, "TIFF"):
        return None
    from photolab.metadata.raw import camera_raw

    try:
        return camera_raw(data, name)
    except (struct.error, ValueError, IndexError, OverflowError):  # damaged directories: not a RAW we know
        return None


def read_source(source: str | Path | bytes, name: str | None = None) -> tuple[bytes, str]:
    """The source bytes and a display name; refuses folders, FIFOs, devices and oversized files."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        name = name or "<bytes>"
    else:
        path = Path(source)
        name = name or str(path)
        data = _read_regular_file(path, name)
    if not data:
        raise CorruptImage(f"{name}: the file is empty")
    if len(data) > MAX_FILE_BYTES:
        raise ImageTooLarge(f"{name}: file is larger than {MAX_FILE_BYTES // 2**20} MB")
    return data, name


def _read_regular_file(path: Path, name: str) -> bytes:
    try:
        st = os.stat(path)
    except FileNotFoundError as exc:
        raise PhotoLabError(f"{name}: no such file") from exc
    except OSError as exc:
        raise PhotoLabError(f"{name}: cannot read ({exc.strerror or 'operating system error'})") from exc
    if stat.S_ISDIR(st.st_mode):
        raise UnsupportedFormat(f"{name}: is a folder, not an image file")
    if not stat.S_ISREG(st.st_mode):
        raise UnsupportedFormat(f"{name}: not a regular file (pipe, socket or device)")
    if st.st_size > MAX_FILE_BYTES:
        raise ImageTooLarge(f"{name}: file is larger than {MAX_FILE_BYTES // 2**20} MB")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise PhotoLabError(f"{name}: cannot read ({exc.strerror or 'operating system error'})") from exc


@lru_cache(maxsize=1)
def _cap_malloc_arenas() -> None:
    """libheif and libavif decode on their own threads, and glibc gives each thread a malloc arena that
    keeps the memory freed in it: over a folder of HEIC photos the process grew by about one photo per
    arena (measured: 165 -> 218 MiB in four passes over 10 files; flat at 105 MiB with the cap). Capping
    the arenas, as MALLOC_ARENA_MAX=2 would, keeps peak memory bounded by the largest image."""
    import contextlib
    import ctypes

    with contextlib.suppress(OSError, AttributeError):  # another C library: nothing to cap
        ctypes.CDLL(None).mallopt(-8, 2)  # M_ARENA_MAX; glibc only


def release_memory() -> None:
    """Give the memory freed by the last photo back to the system (glibc keeps freed blocks of a big
    image in the heap). Call it between photos of a batch: with it, a pass over the dev corpus stays at
    79 MiB between files and peaks at the largest image, pass after pass (without: 171 -> 187 MiB)."""
    import contextlib
    import ctypes

    with contextlib.suppress(OSError, AttributeError):  # another C library: nothing to trim
        ctypes.CDLL(None).malloc_trim(0)


def _decode(data: bytes, fmt: str, name: str) -> Photo:
    _cap_malloc_arenas()
    if fmt == "HEIF":
        heif_support()
    if fmt == "TIFF" and data[2:4] in (b"+\0", b"\0+") and data[:2] == b"MM":
        return _decode_bigtiff(data, name)  # Pillow reads little-endian BigTIFF only
    im = Image.open(io.BytesIO(_with_dnl_height(data) if fmt == "JPEG" else data), formats=_PLUGINS[fmt])
    _check_size(im.width, im.height, name)
    frames = int(getattr(im, "n_frames", 1) or 1)
    if frames > 1:
        im.seek(0)
    declared = _orientation(im)
    lossless = _source_lossless(fmt, im, data)
    if fmt == "TIFF":
        _drop_unreadable_ifd_pointers(im)
    im.load()
    orientation = _orientation(im)  # some decoders (libtiff) rotate on load and drop the tag
    icc = im.info.get("icc_profile") or None
    image, notes = _to_srgb(im, icc)
    if image is not im:
        im.close()  # the decoded pixels are no longer needed: at most two copies alive at once
    if orientation in _ORIENTATION_FIX:
        image = image.transpose(_ORIENTATION_FIX[orientation])
    if frames > 1:
        notes.append(f"only the first of {frames} frames is kept")
    real_format = "MPO" if im.format == "MPO" else fmt
    return Photo(image=detached(image), format=real_format, sha256=hashlib.sha256(data).hexdigest(),
                 name=name, frames=frames, size_bytes=len(data), orientation=declared, notes=tuple(notes),
                 lossless=lossless)  # fmt: skip


def _check_size(width: int, height: int, name: str) -> None:
    if width * height > MAX_PIXELS:
        raise ImageTooLarge(
            f"{name}: {width}x{height} pixels is over the {MAX_PIXELS // 1_000_000} MP safety limit"
        )
    if width == 0 or height == 0:
        raise CorruptImage(f"{name}: the image has no pixels")


def _source_lossless(fmt: str, im: Image.Image, data: bytes) -> bool:
    if fmt in ("PNG", "GIF", "BMP"):
        return True
    if fmt == "WEBP":
        from photolab.metadata.webp import is_lossless

        return is_lossless(data)
    if fmt == "TIFF":
        return im.info.get("compression", "raw") in _LOSSLESS_TIFF
    return False


def _with_dnl_height(data: bytes) -> bytes:
    """A JPEG whose frame header says 0 lines and whose DNL marker gives the count (allowed by the
    standard, refused by libjpeg): the same bytes with the count written into the frame header."""
    from photolab.metadata.jpeg import dnl_height

    found = dnl_height(data)
    if found is None:
        return data
    height_pos, lines = found
    return data[:height_pos] + lines.to_bytes(2, "big") + data[height_pos + 2 :]


def _drop_unreadable_ifd_pointers(im: Image.Image) -> None:
    """Pillow 12 follows every EXIF/GPS/Interop pointer of IFD0 when a TIFF finishes loading, and raises
    KeyError for an Interop pointer placed in IFD0 (DJI thermal cameras do; Pillow 13 reads it). The pixels
    do not need them: unreadable pointers are dropped from Pillow's in-memory copy (metadata is read from
    the bytes by ``inspect``)."""
    from PIL import TiffTags

    exif = im.getexif()
    for tag in TiffTags.TAGS_V2_GROUPS:
        if tag not in exif:
            continue
        try:
            exif.get_ifd(tag)
        except Exception:  # any failure here would abort the load
            del exif[tag]


def _decode_bigtiff(data: bytes, name: str) -> Photo:
    """Big-endian BigTIFF through tifffile (first page; orientation and ICC applied like any TIFF)."""
    try:
        import tifffile
    except ImportError as exc:
        raise UnsupportedFormat(f"{name}: big-endian BigTIFF is not supported on this installation "
                                "(the tifffile package is missing)") from exc  # fmt: skip
    with tifffile.TiffFile(io.BytesIO(data)) as tif:
        page = tif.pages.first
        _check_size(int(page.imagewidth), int(page.imagelength), name)
        frames = len(tif.pages)
        im = _array_image(page.asarray(), page, name)
        orientation_tag = page.tags.get(274)
        icc = page.iccprofile
        lossless = int(page.compression) in (1, 5, 8, 32773, 32946, 34925, 50000)
    declared = int(orientation_tag.value) if orientation_tag and orientation_tag.value in range(1, 9) else 1
    image, notes = _to_srgb(im, icc)
    if declared in _ORIENTATION_FIX:
        image = image.transpose(_ORIENTATION_FIX[declared])
    if frames > 1:
        notes.append(f"only the first of {frames} frames is kept")
    return Photo(image=detached(image), format="TIFF", sha256=hashlib.sha256(data).hexdigest(),
                 name=name, frames=frames, size_bytes=len(data), orientation=declared, notes=tuple(notes),
                 lossless=lossless)  # fmt: skip


def _array_image(arr: Any, page: Any, name: str) -> Image.Image:
    """A Pillow image from a tifffile page's pixel array (grey, grey+alpha, RGB, RGBA, CMYK, palette)."""
    import numpy as np

    if page.planarconfig == 2 and arr.ndim == 3 and arr.shape[0] == page.samplesperpixel:
        arr = np.moveaxis(arr, 0, -1)
    if arr.dtype == bool:
        arr = arr.astype(np.uint8) * 255
    elif arr.dtype != np.uint8:
        top = float(arr.max()) if arr.size else 0.0
        if arr.dtype.kind == "f":
            scale = 255.0 / max(top, 1.0)
        else:
            scale = 255.0 / 65535.0 if top <= 65535 else 255.0 / top
        arr = np.clip(arr.astype(np.float64) * scale + 0.5, 0, 255).astype(np.uint8)
    photometric = int(page.photometric)
    if photometric == 0:  # white is zero
        arr = 255 - arr
    if photometric == 3 and page.colormap is not None and arr.ndim == 2:
        palette = (np.asarray(page.colormap, dtype=np.float64) / 257.0).round().astype(np.uint8)
        return Image.fromarray(palette.T[arr], "RGB")
    channels = 1 if arr.ndim == 2 else arr.shape[2]
    modes = {1: "L", 2: "LA", 3: "RGB", 4: "CMYK" if photometric == 5 else "RGBA"}
    if arr.ndim not in (2, 3) or channels not in modes:
        raise UnsupportedFormat(f"{name}: this BigTIFF's colour layout is not supported")
    return Image.fromarray(np.ascontiguousarray(arr), modes[channels])


def detached(image: Image.Image) -> Image.Image:
    """A plain Image over the same pixel memory, with no file object, tags or info left to copy from."""
    if type(image) is Image.Image and not image.info:
        return image
    plain = image._new(image.im)  # shares the decoded pixels: no 36 MB copy for a 12 MP photo
    plain.info = {}
    return plain


def _orientation(im: Image.Image) -> int:
    """EXIF orientation still to apply (read after load: some decoders rotate and drop the tag)."""
    try:
        value = im.getexif().get(0x0112, 1)
        return int(value) if int(value) in range(1, 9) else 1
    except Exception:  # unreadable EXIF: nothing to apply
        return 1


def _to_srgb(im: Image.Image, icc: bytes | None) -> tuple[Image.Image, list[str]]:
    """Reduce any Pillow mode to RGB/RGBA/L/LA, through the embedded ICC profile where there is one."""
    notes: list[str] = []
    mode = im.mode
    if mode in ("RGB", "RGBA", "L", "LA"):
        out = im
    elif mode == "1":
        out = im.convert("L")
    elif mode in ("P", "PA"):
        has_alpha = mode == "PA" or "transparency" in im.info or im.palette.mode == "RGBA"
        out = im.convert("RGBA" if has_alpha else "RGB")
    elif mode.startswith("I") or mode == "F":
        out = _high_depth_to_l(im)
        notes.append("16-bit grey reduced to 8-bit")
    elif mode == "CMYK":
        converted = _icc_to_srgb(im, icc, "CMYK", "RGB") if icc else None
        out = converted or im.convert("RGB")
        notes.append("CMYK converted to sRGB")
        return out, notes
    elif mode == "La":
        out = im.convert("LA")
    elif mode == "RGBa":
        out = im.convert("RGBA")
    else:  # YCbCr, LAB, HSV, RGBX ...
        out = im.convert("RGB")
    if icc and out.mode in ("RGB", "RGBA"):
        converted = _icc_to_srgb(out, icc, out.mode, out.mode)
        if converted is not None:
            out = converted
            notes.append("colours converted to sRGB through the embedded ICC profile")
    return out, notes


def _high_depth_to_l(im: Image.Image) -> Image.Image:
    import numpy as np

    arr = np.asarray(im).astype(np.float64)
    top = float(arr.max()) if arr.size else 0.0
    scale = 255.0 / 65535.0 if top <= 65535 else 255.0 / top
    if im.mode == "F" and top <= 1.0:
        scale = 255.0
    return Image.fromarray(np.clip(arr * scale + 0.5, 0, 255).astype(np.uint8), "L")


@lru_cache(maxsize=1)
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    from PIL import ImageCms

    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@lru_cache(maxsize=32)
def _transform(icc: bytes, in_mode: str, out_mode: str) -> ImageCms.ImageCmsTransform | None:
    """A cached transform from ``icc`` to sRGB, or None when the profile is unusable or already sRGB."""
    from PIL import ImageCms

    try:
        src = ImageCms.ImageCmsProfile(io.BytesIO(icc))
    except Exception:  # broken profile: the pixels are taken as sRGB
        return None
    space = src.profile.xcolor_space.strip()
    if space != ("CMYK" if in_mode == "CMYK" else "RGB"):
        return None
    if in_mode != "CMYK" and "srgb" in (src.profile.profile_description or "").lower():
        return None  # an sRGB profile maps to itself: skip the per-pixel work
    try:
        return ImageCms.buildTransform(
            src, _srgb_profile(), in_mode, out_mode, renderingIntent=ImageCms.Intent.PERCEPTUAL
        )
    except Exception:
        return None


def _icc_to_srgb(im: Image.Image, icc: bytes, in_mode: str, out_mode: str) -> Image.Image | None:
    from PIL import ImageCms

    alpha = im.getchannel("A") if im.mode == "RGBA" else None
    base = im.convert("RGB") if alpha is not None else im
    transform = _transform(bytes(icc), "RGB" if alpha is not None else in_mode, "RGB")
    if transform is None:
        return None
    try:
        out = ImageCms.applyTransform(base, transform)
    except Exception:
        return None
    if out is None:
        return None
    if alpha is not None:
        out.putalpha(alpha)
    return out


def describe_start(data: bytes) -> str:
    """'looks like text' or 'starts with bytes 49 49 55 00 ...': what an unrecognised file begins with."""
    head = data[:16]
    if head and all(32 <= b < 127 or b in (9, 10, 13) for b in head):
        return "looks like text"
    return f"starts with bytes {head[:8].hex(' ')}"


_REPR = re.compile(r"<[^<>]*\bat 0x[0-9a-fA-F]+>|<[^<>]*object[^<>]*>")
_BARE = re.compile(r"\(\s*[-+'\"\w.,: ]*\s*\)")  # "(40965)", "('MPO')", "(4)"
_STRUCTURE_ERRORS = (KeyError, IndexError, TypeError, AttributeError, ZeroDivisionError, OverflowError)


def plain_reason(exc: BaseException) -> str:
    """A decoder exception as a short plain reason: no reprs, no bare numbers, no Python type names."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    lowered = message.lower()
    if isinstance(exc, EOFError) or "truncated" in lowered or "end of file" in lowered:
        return "the file is truncated"
    if isinstance(exc, _STRUCTURE_ERRORS) or exc.__class__.__name__ == "error":  # struct.error
        return "its internal structure is damaged or of a kind photolab cannot read"
    if "cannot identify image file" in lowered:
        return "the decoder does not recognise its contents"
    if re.search(r"decoder error|broken data stream|decompress|corrupt|invalid", lowered):
        return "the compressed image data is damaged"
    cleaned = _BARE.sub("", _REPR.sub("", message)).strip(" :;,.")
    if len(re.findall(r"[A-Za-z]{3,}", cleaned)) < 2:
        return "the decoder reports an error it does not explain"
    return cleaned[:120]


# --- What a file is, for the folder walker ---------------------------------------------------------


@dataclass(frozen=True)
class Recognised:
    """What a file is, from its first bytes and its name.

    ``kind``: "image" (photolab reads it: process it), "raw" (camera RAW: a failure line, ``reason`` says
    to export a JPEG or TIFF), "sidecar" (an XMP sidecar: not an image, not copied; ``inspect`` lists its
    metadata), "not_image" (clearly not a photo: text, documents, video, system files; counted, not a
    failure) or "unknown" (unrecognised or unsupported: a failure line with ``reason``).
    """

    kind: str
    format: str | None  # the sniffed image format, or the RAW / other format's name when known
    reason: str  # a plain sentence for every kind but "image"

    @property
    def is_failure(self) -> bool:
        return self.kind in ("raw", "unknown")


RECOGNISE_HEAD_BYTES = 65536  # enough for the first directory of a TIFF-structured RAW


def recognise(head: bytes, name: str) -> Recognised:
    """What the file named ``name`` whose first bytes are ``head`` is (pass ``RECOGNISE_HEAD_BYTES``
    or more; the whole file works too). Never raises; reads nothing itself."""
    from photolab.metadata import kinds
    from photolab.metadata.raw import raw_message

    if not head:
        return Recognised("unknown", None, "the file is empty")
    fmt = sniff_format(head)
    raw = raw_format(head, name)
    if raw is not None:
        return Recognised("raw", raw, raw_message(raw))
    if fmt is not None:
        return Recognised("image", fmt, "")
    kind, what, reason = kinds.other_file(head, PurePath(name), describe_start(head))
    return Recognised(kind, what, reason)
