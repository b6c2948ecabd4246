"""Loader: formats sniffed from bytes, orientation applied, colours sane, bad input refused plainly."""

from __future__ import annotations

import os
import struct
import zlib

import numpy as np
import pytest
from PIL import Image, ImageOps
from support import PNG_SIGNATURE, encode, pattern_image, png_chunk

from photolab.errors import CorruptImage, ImageTooLarge, PhotoLabError, UnsupportedFormat
from photolab.photo import load, sniff_format

# How each EXIF orientation stores an upright picture (the inverse of what a viewer does to display it).
STORE_AS = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def stored(orientation: int) -> Image.Image:
    upright = pattern_image()
    method = STORE_AS[orientation]
    return upright if method is None else upright.transpose(method)


def with_orientation(fmt: str, orientation: int) -> bytes:
    image = stored(orientation)
    exif = Image.Exif()
    exif[0x0112] = orientation
    if fmt == "JPEG":
        return encode(image, "JPEG", quality=100, subsampling="4:4:4", exif=exif.tobytes())
    if fmt == "TIFF":
        return encode(image, "TIFF", tiffinfo={0x0112: orientation})
    if fmt == "WEBP":
        return encode(image, "WEBP", lossless=True, exif=exif.tobytes())
    return encode(image, fmt, exif=exif.tobytes())


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "TIFF"])
@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_orientation_gives_the_same_upright_pixels(fmt: str, orientation: int) -> None:
    data = with_orientation(fmt, orientation)
    reference = np.asarray(pattern_image(), dtype=np.int16)
    # the fixture itself is right: Pillow's own exif_transpose agrees on what a viewer shows
    with Image.open(__import__("io").BytesIO(data)) as im:
        shown = np.asarray(ImageOps.exif_transpose(im).convert("RGB"), dtype=np.int16)
    assert np.abs(shown - reference).max() <= 8
    photo = load(data)
    assert (photo.width, photo.height) == (48, 32)
    assert photo.orientation == orientation
    assert np.abs(np.asarray(photo.image, dtype=np.int16) - reference).max() <= 8
    assert photo.image.info == {}


def test_sniffs_format_not_extension(tmp_path) -> None:
    png_named_jpg = tmp_path / "photo.jpg"
    png_named_jpg.write_bytes(encode(pattern_image(), "PNG"))
    photo = load(png_named_jpg)
    assert photo.format == "PNG"
    assert photo.name == str(png_named_jpg)
    assert len(photo.sha256) == 64


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b"\xff\xd8\xff\xe0", "JPEG"),
        (b"\x89PNG\r\n\x1a\n", "PNG"),
        (b"GIF89a", "GIF"),
        (b"RIFF\0\0\0\0WEBPVP8 ", "WEBP"),
        (b"II*\0", "TIFF"),
        (b"\0\0\0\x18ftypheic\0\0\0\0mif1heic", "HEIF"),
        (b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf", "AVIF"),
        (b"hello world", None),
    ],
)
def test_sniff_format(data: bytes, fmt: str | None) -> None:
    assert sniff_format(data) == fmt


def test_cmyk_jpeg_has_sane_colours() -> None:
    cmyk = Image.new("CMYK", (16, 16), (255, 0, 0, 0))  # pure cyan ink
    cmyk.paste((0, 0, 0, 0), (8, 0, 16, 16))  # paper white
    photo = load(encode(cmyk, "JPEG", quality=95))
    assert photo.image.mode == "RGB"
    r, g, b = photo.image.getpixel((2, 8))
    assert r < 60 and g > 190 and b > 190, (r, g, b)
    assert min(photo.image.getpixel((13, 8))) > 235


def _png_16bit_rgb(width: int, height: int, rgb16: tuple[int, int, int]) -> bytes:
    """A 16-bit-per-channel RGB PNG (Pillow cannot write one)."""
    row = b"\0" + struct.pack(">HHH", *rgb16) * width
    ihdr = struct.pack(">IIBBBBB", width, height, 16, 2, 0, 0, 0)
    idat = zlib.compress(row * height)
    return PNG_SIGNATURE + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def test_16bit_rgb_png_keeps_its_colour() -> None:
    photo = load(_png_16bit_rgb(8, 8, (65535, 32768, 0)))
    assert photo.image.mode == "RGB"
    r, g, b = photo.image.getpixel((4, 4))
    assert r >= 254 and 126 <= g <= 129 and b <= 1


def test_16bit_grey_png_is_scaled_not_clipped() -> None:
    ramp = np.linspace(0, 65535, 64, dtype=np.uint16).reshape(8, 8)
    photo = load(encode(Image.fromarray(ramp), "PNG"))
    assert photo.image.mode == "L"
    out = np.asarray(photo.image).astype(int)
    expected = np.round(ramp / 257.0).astype(int)
    assert np.abs(out - expected).max() <= 1
    assert out.max() == 255 and out.min() == 0


def test_palette_with_transparency_becomes_rgba() -> None:
    pal = pattern_image().convert("P", palette=Image.Palette.ADAPTIVE, colors=8)
    data = encode(pal, "PNG", transparency=0)
    photo = load(data)
    assert photo.image.mode == "RGBA"
    assert photo.image.getchannel("A").getextrema() == (0, 255)


def test_animated_gif_keeps_first_frame_and_says_so() -> None:
    frames = [pattern_image().convert("P"), Image.new("P", (48, 32), 3)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    photo = load(data)
    assert photo.frames == 2
    assert any("first of 2 frames" in note for note in photo.notes)


def _png_bomb(side: int = 30000) -> bytes:
    """A valid 1-bit PNG of side x side pixels that compresses to about 100 KB."""
    row = b"\0" * (1 + (side + 7) // 8)
    comp = zlib.compressobj(9)
    body = b"".join(comp.compress(row * 500) for _ in range(side // 500)) + comp.flush()
    ihdr = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return PNG_SIGNATURE + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", body) + png_chunk(b"IEND", b"")


def test_decompression_bomb_is_refused_before_decoding() -> None:
    bomb = _png_bomb()
    assert len(bomb) < 200_000
    with pytest.raises(ImageTooLarge, match="over the 100 MP safety limit"):
        load(bomb, name="bomb.png")


@pytest.mark.parametrize(
    ("data", "error", "words"),
    [
        (b"", CorruptImage, "empty"),
        (os.urandom(2048), UnsupportedFormat, "not an image"),
        (b"Dear diary, this is not a photo at all.\n" * 20, UnsupportedFormat, "text"),
        (b"RIFF\x24\0\0\0WEBPVP8 \x18\0\0\0", CorruptImage, "WEBP"),
        (b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0", CorruptImage, "JPEG"),
    ],
    ids=["zero-bytes", "random", "text", "header-only-webp", "header-only-jpeg"],
)
def test_bad_bytes_give_one_clear_error(data: bytes, error: type, words: str) -> None:
    with pytest.raises(error) as info:
        load(data, name="bad.jpg")
    message = info.value.message
    assert message.startswith("bad.jpg: ") and words in message and "\n" not in message


def test_truncated_jpeg_is_corrupt() -> None:
    data = encode(Image.effect_noise((256, 256), 60).convert("RGB"), "JPEG", quality=90)
    with pytest.raises(CorruptImage, match="truncated"):
        load(data[: len(data) // 2], name="cut.jpg")


def test_folder_and_fifo_are_refused_without_blocking(tmp_path) -> None:
    folder = tmp_path / "folder.jpg"
    folder.mkdir()
    with pytest.raises(UnsupportedFormat, match="folder"):
        load(folder)
    fifo = tmp_path / "pipe.jpg"
    os.mkfifo(fifo)
    with pytest.raises(UnsupportedFormat, match="not a regular file"):
        load(fifo)
    with pytest.raises(PhotoLabError, match="no such file"):
        load(tmp_path / "missing.jpg")


def test_heic_loads_through_pillow_heif() -> None:
    import pillow_heif

    heif = pillow_heif.from_pillow(pattern_image(64, 48))
    buf = __import__("io").BytesIO()
    heif.save(buf, quality=90)
    photo = load(buf.getvalue())
    assert photo.format == "HEIF"
    assert (photo.width, photo.height) == (64, 48)
    assert photo.image.mode == "RGB"


@pytest.mark.parametrize("orientation", [1, 3, 6, 8])
def test_avif_orientation_is_applied(orientation: int) -> None:
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encode(stored(orientation), "AVIF", quality=95, exif=exif.tobytes())
    photo = load(data)
    assert photo.format == "AVIF" and (photo.width, photo.height) == (48, 32)
    diff = np.abs(np.asarray(photo.image, dtype=np.int16) - np.asarray(pattern_image(), dtype=np.int16))
    assert diff.mean() < 6  # AVIF subsamples chroma: edges blur, quadrants must still line up
