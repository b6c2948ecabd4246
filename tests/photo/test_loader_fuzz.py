"""Property tests: mutated and truncated bytes never crash the loader or leave output behind."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pillow_heif
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from support import encode, pattern_image

from photolab.batch import run_batch
from photolab.errors import PhotoLabError
from photolab.metadata import inspect, residual_check
from photolab.photo import load, recognise


def _seeds() -> dict[str, bytes]:
    picture = pattern_image(24, 16)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x013B] = "seed"
    heif = io.BytesIO()
    pillow_heif.from_pillow(picture).save(heif, quality=50)
    frames = [picture.convert("P"), Image.new("P", (24, 16), 2)]
    return {
        "jpeg": encode(picture, "JPEG", quality=80, exif=exif.tobytes(), comment="c"),
        "progressive": encode(picture, "JPEG", quality=80, progressive=True),
        "png": encode(picture.convert("RGBA"), "PNG", exif=exif.tobytes()),
        "gif": encode(frames[0], "GIF", save_all=True, append_images=frames[1:]),
        "webp": encode(picture, "WEBP", quality=80, exif=exif.tobytes()),
        "tiff": encode(picture, "TIFF", tiffinfo={315: "seed"}),
        "heic": heif.getvalue(),
    }


SEEDS = _seeds()
# What a user must never read in an error: object reprs, bare numbers or Python exception names.
PYTHON_LEFTOVERS = re.compile(r"object at 0x|<_io|\(\d+\)|\('|KeyError|IndexError|struct\.error|Traceback")


@st.composite
def damaged(draw: st.DrawFn) -> bytes:
    data = bytearray(SEEDS[draw(st.sampled_from(sorted(SEEDS)))])
    for _ in range(draw(st.integers(0, 6))):
        pos = draw(st.integers(0, len(data) - 1))
        data[pos] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    if draw(st.booleans()):
        pos = draw(st.integers(0, len(data)))
        data[pos:pos] = draw(st.binary(max_size=16))
    return bytes(data)


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_loader_raises_only_photolab_errors(data: bytes) -> None:
    try:
        photo = load(data, name="fuzz.jpg")
    except PhotoLabError as exc:
        assert exc.message.startswith("fuzz.jpg: ") and "\n" not in exc.message
        assert not PYTHON_LEFTOVERS.search(exc.message), exc.message
        return
    assert photo.image.mode in ("RGB", "RGBA", "L", "LA")
    assert photo.image.info == {}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged())
def test_inspect_and_residual_check_never_crash(data: bytes) -> None:
    try:
        findings = inspect(data)
    except PhotoLabError:
        findings = []
    assert all(f.risk in ("high", "medium", "low") for f in findings)
    assert isinstance(residual_check(data), list)


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_truncated_files_never_leave_output(seed: str, tmp_path: Path) -> None:
    data = SEEDS[seed]
    inputs, out = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    cuts = sorted({1, 2, 8, len(data) // 3, len(data) // 2, len(data) - 2})
    for cut in cuts:
        (inputs / f"cut{cut}.img").write_bytes(data[:cut])
    results = run_batch([inputs], out)
    for result in results:
        if result["status"] == "ok":
            assert residual_check(Path(result["output"]).read_bytes()) == []
        else:
            assert result["output"] is None and result["error"]
    # the batch's resume manifest is the one other file allowed in the output folder
    written = {p.name for p in out.rglob("*") if p.name != ".photolab-manifest.jsonl"}
    assert written == {Path(r["output"]).name for r in results if r["status"] == "ok"}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(damaged(), st.sampled_from(["a.jpg", "b.NEF", "c.xmp", "d.txt", "e", "f.dng", ".DS_Store"]))
def test_recognise_never_raises(data: bytes, name: str) -> None:
    found = recognise(data, name)
    assert found.kind in ("image", "raw", "sidecar", "not_image", "unknown")
    assert (found.reason == "") == (found.kind == "image")
