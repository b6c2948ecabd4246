"""Writing a clean copy: the output format for an input format, and pixels-only encoding.

Output formats (``output_format``): JPEG, PNG, WebP, TIFF and GIF are written in their own format; MPO
becomes a JPEG of the primary image; HEIC/HEIF and AVIF become JPEG (PNG when there is an alpha channel)
because photolab cannot verify ISO-BMFF containers byte by byte; BMP becomes PNG; animated GIF/WebP and
multi-page TIFF keep only their first frame (reported per file, never silent). JPEG is written at quality
92 with 4:4:4 chroma (no colour smearing on sharp edges such as text or redaction borders), WebP lossy at
quality 92, or lossless when the source was lossless (``Photo.lossless``).
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from PIL import Image

from photolab.errors import UnsupportedFormat
from photolab.photo import detached

if TYPE_CHECKING:
    from photolab.photo import Photo

JPEG_QUALITY = 92
WEBP_QUALITY = 92

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
# Extensions that already name each output format (an input keeping one keeps its name).
EXTENSIONS = {
    "JPEG": {".jpg", ".jpeg", ".jpe", ".jfif"},
    "PNG": {".png"},
    "GIF": {".gif"},
    "WEBP": {".webp"},
    "TIFF": {".tif", ".tiff"},
}
_MEDIAN_CUT = Image.Quantize.MEDIANCUT


def output_format(input_format: str, *, has_alpha: bool = False) -> tuple[str, str]:
    """(format, extension) photolab writes for an input format; see the module docstring for fallbacks.

    HEIF/AVIF/MPO -> JPEG; BMP -> PNG; a JPEG target becomes PNG when the pixels have an alpha channel.
    """
    fmt, ext = _OUTPUTS.get(input_format.upper(), ("PNG", ".png"))
    if fmt == "JPEG" and has_alpha:
        return "PNG", ".png"
    return fmt, ext


def encode_photo(photo: Photo, image: Image.Image | None = None) -> tuple[bytes, str, str]:
    """A clean copy of ``photo`` (or of ``image``, its redacted pixels): (bytes, format, extension).

    The one place that applies the output rules: format from the input's, PNG when there is alpha where
    JPEG would drop it, WebP lossless when the source was lossless.
    """
    pixels = photo.image if image is None else image
    fmt, ext = output_format(photo.format, has_alpha=pixels.mode in ("RGBA", "LA"))
    return encode_clean(pixels, fmt, lossless=photo.lossless), fmt, ext


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
