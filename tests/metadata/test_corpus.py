"""The dev corpus (../shared/data/metadata-corpus, 126 real files) comes out clean.

Judged by an independent oracle: Debian's exiftool (test-only; the test skips when it is missing) lists
every tag of each output, and anything outside a short structural allowlist is a leak. On top, every
identifying value exiftool reads from the *input* (names, serials, GPS, comments ...) is searched in the
output bytes as UTF-8, UTF-16LE and UTF-16BE. exiftool runs twice in batch mode (-r -j), not per file.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageCms
from support import CORPUS, contains_any, require_shared, sha256_tree

from photolab.batch import run_batch
from photolab.metadata import residual_check
from photolab.photo import load

UNDECODABLE = {"exiftool/QuickTime.heic"}  # a HEIC stub with no image data: refused with a clear error
# Camera RAW whose picture is sensor data (the DNG's IFD0 is only an 8x8 preview): refused by name.
RAW = {"exiftool/DNG.dng": "camera RAW (Adobe DNG) is not supported"}
SKIP_NAMES = {"MANIFEST.md", "sources.json", "manifest.json", "README.md"}


def corpus_files() -> list[str]:
    if not CORPUS.exists():
        return []
    return sorted(
        str(p.relative_to(CORPUS))
        for p in CORPUS.rglob("*")
        if p.is_file() and p.name not in SKIP_NAMES and not p.name.endswith(".LICENSE")
    )


FILES = corpus_files() or ["(corpus missing)"]
# Decoding both sides of the big photos takes most of the time: those pixel checks are marked slow.
PIXEL_FILES = [
    pytest.param(rel, marks=pytest.mark.slow) if (CORPUS / rel).stat().st_size > 1_000_000 else rel
    for rel in corpus_files()
] or ["(corpus missing)"]

# Tags that only describe how to decode the pixels (exiftool group -> tag names).
STRUCTURAL = {
    "File": {"FileType", "FileTypeExtension", "MIMEType", "ImageWidth", "ImageHeight", "EncodingProcess",
             "BitsPerSample", "ColorComponents", "YCbCrSubSampling", "ExifByteOrder"},
    "JFIF": {"JFIFVersion", "ResolutionUnit", "XResolution", "YResolution"},
    "Adobe": {"DCTEncodeVersion", "APP14Flags0", "APP14Flags1", "ColorTransform"},
    "PNG": {"ImageWidth", "ImageHeight", "BitDepth", "ColorType", "Compression", "Filter", "Interlace",
            "Palette", "Transparency"},
    "GIF": {"GIFVersion", "ImageWidth", "ImageHeight", "HasColorMap", "ColorResolutionDepth", "BitsPerPixel",
            "BackgroundColor", "TransparentColor", "PixelAspectRatio"},
    "RIFF": {"ImageWidth", "ImageHeight", "HorizontalScale", "VerticalScale", "VP8Version", "WebP_Flags",
             "AlphaPreprocessing", "AlphaFiltering", "AlphaCompression"},
    "IFD0": {"SubfileType", "ImageWidth", "ImageHeight", "BitsPerSample", "Compression",
             "PhotometricInterpretation", "StripOffsets", "SamplesPerPixel", "RowsPerStrip",
             "StripByteCounts", "PlanarConfiguration", "ExtraSamples", "SampleFormat", "Predictor",
             "XResolution", "YResolution", "ResolutionUnit"},
}  # fmt: skip
IGNORED_GROUPS = {"System", "ExifTool", "Composite"}
IDENTIFYING_TAG = re.compile(
    r"Serial|Owner|Artist|Author|Creator|Copyright|Rights|By-?line|Credit|Contact|Comment|Description|"
    r"Caption|Headline|Title|Keywords|City|Country|State|Location|GPSLatitude$|GPSLongitude$|"
    r"GPSPosition|UniqueID|DocumentID|HostComputer|Writer|UserName|^Source$|Subject"
)


def exiftool_json(folder: Path) -> dict[str, dict]:
    run = subprocess.run(
        ["exiftool", "-j", "-a", "-G1", "-u", "-r", "-charset", "filename=utf8", str(folder)],
        capture_output=True,
        timeout=300,
    )
    records = json.loads(run.stdout.decode("utf-8", "replace") or "[]")
    return {str(Path(r["SourceFile"]).resolve().relative_to(folder.resolve())): r for r in records}


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory) -> dict:
    require_shared("data/metadata-corpus")
    if shutil.which("exiftool") is None:
        pytest.skip("exiftool not installed (apt-get install libimage-exiftool-perl)")
    before = sha256_tree(CORPUS)
    out = tmp_path_factory.mktemp("corpus-out")
    results = run_batch([CORPUS], out)
    assert sha256_tree(CORPUS) == before, "the corpus was modified"
    by_input = {str(Path(r["input"]).relative_to(CORPUS)): r for r in results}
    outputs = {k: Path(r["output"]) for k, r in by_input.items() if r["output"]}
    return {
        "results": by_input,
        "outputs": outputs,
        "out_tags": exiftool_json(out),
        "in_tags": exiftool_json(CORPUS),
        "out": out,
    }


def identifying_values(record: dict) -> list[str]:
    values = []
    for key, value in record.items():
        group, _, tag = key.partition(":")
        if group in IGNORED_GROUPS or group == "File" or not IDENTIFYING_TAG.search(tag):
            continue
        for item in value if isinstance(value, list) else [value]:
            text = str(item).strip()
            if (
                len(text) >= 6
                and not text.startswith("(Binary data")
                and re.search(r"[A-Za-z]", text)
                and not re.fullmatch(r"[0-9 .:+-]+", text)
            ):
                values.append(text[:48])
    return sorted(set(values))


def residual_tags(record: dict) -> dict[str, object]:
    leaks = {}
    for key, value in record.items():
        if key == "SourceFile":
            continue
        group, _, tag = key.partition(":")
        if group in IGNORED_GROUPS or tag in STRUCTURAL.get(group, set()):
            continue
        leaks[key] = value
    return leaks


@pytest.mark.parametrize("rel", FILES)
def test_corpus_file_comes_out_clean(rel: str, corpus_run: dict) -> None:
    result = corpus_run["results"][rel]
    if rel in UNDECODABLE:
        assert result["status"] == "error" and "cannot decode" in result["error"]
        return
    if rel in RAW:
        assert result["status"] == "error" and RAW[rel] in result["error"]
        return
    assert result["status"] == "ok", result["error"]
    output = corpus_run["outputs"][rel]
    data = output.read_bytes()
    assert residual_check(data) == []
    out_key = str(output.relative_to(corpus_run["out"]))
    assert residual_tags(corpus_run["out_tags"][out_key]) == {}
    planted = identifying_values(corpus_run["in_tags"].get(rel, {}))
    assert contains_any(data, planted) == []


@pytest.mark.parametrize("rel", PIXEL_FILES)
def test_corpus_pixels_are_kept(rel: str, corpus_run: dict) -> None:
    if rel in UNDECODABLE or rel in RAW:
        pytest.skip("input refused on purpose")
    result = corpus_run["results"][rel]
    reference = load(CORPUS / rel).image
    with Image.open(corpus_run["outputs"][rel]) as im:
        im.load()
        out = im.convert(reference.mode) if im.mode != reference.mode else im.copy()
    assert out.size == reference.size == (result["width"], result["height"])
    a, b = displayed(out), displayed(reference)
    mse = float(np.mean((a - b) ** 2))
    assert mse == 0 or 10 * np.log10(255**2 / mse) > 30


def displayed(image: Image.Image) -> np.ndarray:
    """Pixels as a viewer shows them: transparent areas over white (their hidden colour is irrelevant)."""
    if image.mode in ("RGBA", "LA"):
        white = Image.new("RGBA", image.size, (255, 255, 255, 255))
        white.alpha_composite(image.convert("RGBA"))
        image = white.convert("RGB")
    return np.asarray(image, dtype=np.float32)


def test_wide_gamut_photo_is_converted_to_srgb() -> None:
    """Adobe RGB pixels are converted through their profile, not just relabelled."""
    path = require_shared("data/metadata-corpus/metadata-extractor-images/Canon_EOS_7D.jpg")
    with Image.open(path) as im:
        raw = im.convert("RGB")
        profile = ImageCms.ImageCmsProfile(io.BytesIO(im.info["icc_profile"]))
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))
    managed = np.asarray(ImageCms.profileToProfile(raw, profile, srgb), dtype=np.float32)
    ours = np.asarray(load(path).image, dtype=np.float32)
    assert np.abs(ours - managed).mean() < 1.0
    assert np.abs(ours - np.asarray(raw, dtype=np.float32)).mean() > 3.0


@pytest.mark.parametrize(
    ("rel", "kind", "value_part"),
    [
        ("exiftool/GPS.jpg", "GPS position", "54.9897 N, 1.9142 W"),
        ("exiftool/GoPro.jpg", "device serial number", "C3221324657219"),
        ("exiftool/Canon.jpg", "maker note", ""),
        ("exiftool/ExifTool.jpg", "embedded thumbnail", ""),
        ("exiftool/ExifTool.jpg", "data after the end of the image", ""),
        ("exiftool/IPTC.jpg", "person's name", "Phil Harvey"),
        ("motion_photos/pixel_8.jpg", "secondary image", "MPF"),
        ("motion_photos/pixel_8.jpg", "data after the end of the image", "JPEG"),
        ("motion_photos/motionphoto.heic", "data after the end of the image", "video"),
        ("motion_photos/motionphoto.heic", "embedded thumbnail", ""),
        ("motion_photos/motionphoto.heic", "GPS position", " N, "),
        ("mat2/dirty.png", "description or comment", ""),
        ("metadata-extractor-images/PngSuite-ct1n0g04.png", "person's name", ""),
    ],
)
def test_inspect_finds_known_corpus_metadata(rel: str, kind: str, value_part: str) -> None:
    from photolab.metadata import inspect

    findings = inspect(require_shared(f"data/metadata-corpus/{rel}"))
    matching = [f for f in findings if f.kind == kind and value_part in f.value + f.name]
    assert matching, [(f.kind, f.name, f.value) for f in findings]
