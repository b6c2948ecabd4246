"""Builders and checks the tests share (plain functions; resources are fixtures in conftest.py).

``../shared`` (beside the checkout) holds dev data that is never committed: ``require_shared`` returns a
path inside it or skips the calling test when it is absent.
"""

from __future__ import annotations

import hashlib
import io
import struct
import time
import urllib.error
import urllib.request
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

SHARED = Path(__file__).resolve().parents[2] / "shared"
CORPUS = SHARED / "data" / "metadata-corpus"
SAMPLES = Path(__file__).resolve().parents[1] / "samples"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def require_shared(sub: str = "") -> Path:
    """``SHARED / sub``, or skip the calling test when it is not there."""
    path = SHARED / sub if sub else SHARED
    if not path.exists():
        pytest.skip(f"{path} not present (dev data lives beside the checkout)")
    return path


def sha256_tree(root: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every regular file under ``root`` (to prove inputs are untouched)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def pattern_image(width: int = 48, height: int = 32) -> Image.Image:
    """An RGB picture with a distinct colour in each quadrant (so every rotation and flip differs)."""
    image = Image.new("RGB", (width, height), (30, 30, 30))
    half_w, half_h = width // 2, height // 2
    image.paste((220, 40, 40), (0, 0, half_w, half_h))
    image.paste((40, 200, 40), (half_w, 0, width, half_h))
    image.paste((40, 60, 220), (0, half_h, half_w, height))
    image.paste((240, 220, 60), (half_w, half_h, width, height))
    return image


def encode(image: Image.Image, fmt: str, **params: object) -> bytes:
    buf = io.BytesIO()
    image.save(buf, fmt, **params)
    return buf.getvalue()


def png_chunk(kind: bytes, body: bytes) -> bytes:
    """One PNG chunk with its length and CRC."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def contains_any(data: bytes, values: list[str]) -> list[str]:
    """The planted values found in ``data`` as UTF-8, UTF-16LE or UTF-16BE."""
    return [v for v in values if any(v.encode(enc) in data for enc in ("utf-8", "utf-16-le", "utf-16-be"))]


# metadata-corpus photos in which no person appears (checked by eye: no person, no portrait, no drawing
# of a face): the no-people set of the face tests and benchmark.
NO_PEOPLE = [
    "mat2/dirty.jpg", "mat2/dirty.tiff", "metadata-extractor-images/Android_Depth_Map.jpg",
    "metadata-extractor-images/Apple_iPhone_4.jpg", "metadata-extractor-images/Apple_iPhone_6.jpg",
    "metadata-extractor-images/FLIR.jpg", "metadata-extractor-images/HTC_Desire.jpg",
    "metadata-extractor-images/IMG_1034.heic", "metadata-extractor-images/IMG_2927.HEIC",
    "metadata-extractor-images/Issue_16.tif", "metadata-extractor-images/Issue_211.jpg",
    "metadata-extractor-images/Issue_242.jpg", "metadata-extractor-images/Issue_280_dotnet.png",
    "metadata-extractor-images/Issue_308.jpg", "metadata-extractor-images/Issue_487.heic",
    "metadata-extractor-images/Issue_525.jpg", "metadata-extractor-images/Issue_600_1.jpg",
    "metadata-extractor-images/Kodak_PIXPRO_FZ201.jpg", "metadata-extractor-images/Leica_T_Typ_701.jpg",
    "metadata-extractor-images/Motorola_XT1068_Moto_G.jpg",
    "metadata-extractor-images/Nikon_Coolpix_P7000.webp", "metadata-extractor-images/Nikon_D1X.jpg",
    "metadata-extractor-images/Nikon_D5000.jpg", "metadata-extractor-images/Nokia_Lumia_800.jpg",
    "metadata-extractor-images/Olympus_PEN_E-P3.jpg", "metadata-extractor-images/Reconyx_HF2_Pro_Covert.jpg",
    "metadata-extractor-images/Samsung_SM-J327T1.jpg", "metadata-extractor-images/Sony_DSC-HX5V_2.jpg",
    "motion_photos/motionphoto.heic",
]


def wait_for_http(url: str, timeout: float = 120, alive: Callable[[], bool] = lambda: True) -> None:
    """Return once ``url`` answers at all (an HTTP error is an answer); fail after ``timeout`` seconds or
    as soon as ``alive()`` says the server process is gone."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and alive():
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")
