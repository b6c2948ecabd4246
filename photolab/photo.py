"""Safe loading: bytes in, one upright sRGB pixel array out (``Photo``).

The format is sniffed from the first bytes, never taken from the extension. Size limits are checked
before any pixel is decoded, so a decompression bomb costs a header read. Every decode failure, whatever
Pillow or libheif raise, becomes a PhotoLabError with a one-line reason.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import stat
import warnings
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import pillow_heif
from PIL import Image, ImageCms

from photolab.errors import CorruptImage, ImageTooLarge, PhotoLabError, UnsupportedFormat

MAX_PIXELS = 100_000_000  # 100 MP: larger than any phone or DSLR frame, far below a bomb
MAX_FILE_BYTES = 300 * 1024 * 1024

pillow_heif.register_heif_opener()

# Pillow plugins photolab accepts for each sniffed format (nothing else is ever tried on the bytes).
_PLUGINS = {
    "JPEG": ["JPEG", "MPO"],
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
    box_len = int.from_bytes(data[0:4], "big")
    end = min(max(box_len, 16), len(data), 256)
    brands = {data[8:12]} | {data[i : i + 4] for i in range(16, end - 3, 4)}
    if brands & _AVIF_BRANDS:
        return "AVIF"
    if brands & _HEIF_BRANDS:
        return "HEIF"
    return None


def load(source: str | Path | bytes, *, name: str | None = None) -> Photo:
    """Decode ``source`` (a path or the file's bytes) into an upright, metadata-free ``Photo``."""
    data, name = read_source(source, name)
    fmt = sniff_format(data)
    if fmt is None:
        raise UnsupportedFormat(f"{name}: not an image format photolab reads ({_describe_start(data)})")
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
            raise CorruptImage(f"{name}: cannot decode this {fmt} file ({_reason(exc)})") from exc


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
        raise PhotoLabError(f"{name}: cannot read ({exc.strerror or exc})") from exc
    if stat.S_ISDIR(st.st_mode):
        raise UnsupportedFormat(f"{name}: is a folder, not an image file")
    if not stat.S_ISREG(st.st_mode):
        raise UnsupportedFormat(f"{name}: not a regular file (pipe, socket or device)")
    if st.st_size > MAX_FILE_BYTES:
        raise ImageTooLarge(f"{name}: file is larger than {MAX_FILE_BYTES // 2**20} MB")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise PhotoLabError(f"{name}: cannot read ({exc.strerror or exc})") from exc


def _decode(data: bytes, fmt: str, name: str) -> Photo:
    im = Image.open(io.BytesIO(data), formats=_PLUGINS[fmt])
    if im.width * im.height > MAX_PIXELS:
        raise ImageTooLarge(
            f"{name}: {im.width}x{im.height} pixels is over the {MAX_PIXELS // 1_000_000} MP safety limit"
        )
    if im.width == 0 or im.height == 0:
        raise CorruptImage(f"{name}: the image has no pixels")
    frames = int(getattr(im, "n_frames", 1) or 1)
    if frames > 1:
        im.seek(0)
    declared = _orientation(im)
    im.load()
    orientation = _orientation(im)  # some decoders (libtiff) rotate on load and drop the tag
    icc = im.info.get("icc_profile") or None
    image, notes = _to_srgb(im, icc)
    if orientation in _ORIENTATION_FIX:
        image = image.transpose(_ORIENTATION_FIX[orientation])
    image = detached(image)
    if frames > 1:
        notes.append(f"only the first of {frames} frames is kept")
    real_format = "MPO" if im.format == "MPO" else fmt
    return Photo(
        image=image,
        format=real_format,
        sha256=hashlib.sha256(data).hexdigest(),
        name=name,
        frames=frames,
        size_bytes=len(data),
        orientation=declared,
        notes=tuple(notes),
    )


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
    arr = np.asarray(im).astype(np.float64)
    top = float(arr.max()) if arr.size else 0.0
    scale = 255.0 / 65535.0 if top <= 65535 else 255.0 / top
    if im.mode == "F" and top <= 1.0:
        scale = 255.0
    return Image.fromarray(np.clip(arr * scale + 0.5, 0, 255).astype(np.uint8), "L")


@lru_cache(maxsize=1)
def _srgb_profile() -> ImageCms.ImageCmsProfile:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


@lru_cache(maxsize=32)
def _transform(icc: bytes, in_mode: str, out_mode: str) -> ImageCms.ImageCmsTransform | None:
    """A cached transform from ``icc`` to sRGB, or None when the profile is unusable or already sRGB."""
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


def _describe_start(data: bytes) -> str:
    head = data[:16]
    if head and all(32 <= b < 127 or b in (9, 10, 13) for b in head):
        return "looks like text"
    return f"starts with bytes {head[:8].hex(' ')}"


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else exc.__class__.__name__
    if "truncated" in text.lower() or isinstance(exc, EOFError):
        return "the file is truncated"
    return text[:120]
