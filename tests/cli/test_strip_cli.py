"""`photolab strip` and `inspect` as a user runs them: exit codes, one line per bad file, no leftovers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from support import encode, pattern_image, sha256_tree

from photolab.batch.manifest import NAME as MANIFEST
from photolab.metadata import residual_check


def photolab(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "photolab", *map(str, args)], capture_output=True, text=True, timeout=120
    )


def good_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x013B] = "Somebody Planted"
    return encode(pattern_image(), "JPEG", quality=95, exif=exif.tobytes(), comment="CLI-PLANTED")


def _bomb() -> bytes:
    import struct
    import zlib

    from support import PNG_SIGNATURE, png_chunk

    ihdr = struct.pack(">IIBBBBB", 30000, 30000, 1, 0, 0, 0, 0)
    idat = zlib.compress(b"\0" * 3751 * 200)  # header says 30000 rows; a few KB of data
    return PNG_SIGNATURE + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


@pytest.fixture
def messy_folder(tmp_path: Path) -> Path:
    """Two good photos and every kind of bad input, in nested folders."""
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    (root / "good.jpg").write_bytes(good_jpeg())
    (root / "sub" / "good.png").write_bytes(encode(pattern_image(), "PNG"))
    (root / "zero.jpg").write_bytes(b"")
    truncated = encode(Image.effect_noise((200, 200), 50).convert("RGB"), "JPEG")
    (root / "truncated.jpg").write_bytes(truncated[: len(truncated) // 2])
    (root / "random.jpg").write_bytes(b"\xff\xd8\xff" + os.urandom(3000))
    (root / "text.jpg").write_text("this is a shopping list, not a photo\n")
    (root / "header_only.webp").write_bytes(b"RIFF\x24\0\0\0WEBPVP8 \x18\0\0\0")
    (root / "bomb.png").write_bytes(_bomb())
    os.mkfifo(root / "sub" / "pipe.jpg")
    os.symlink(root, root / "sub" / "loop")  # a symlink loop back to the top folder
    (root / "notes.txt").write_text("not an image: counted in the summary, not a failure")
    return root


BAD = ["zero.jpg", "truncated.jpg", "random.jpg", "header_only.webp", "bomb.png", "sub/pipe.jpg", "sub/loop"]


def test_strip_messy_folder(messy_folder: Path, tmp_path: Path) -> None:
    before = sha256_tree(messy_folder)
    out = tmp_path / "out"
    run = photolab("strip", messy_folder, "-o", out, "--report", tmp_path / "report.json")
    assert run.returncode == 1, run.stderr
    assert "Traceback" not in run.stderr
    error_lines = [line for line in run.stderr.splitlines() if not line.startswith("photolab:")]
    for name in [*BAD, "text.jpg"]:
        matching = [line for line in error_lines if line.startswith(f"{messy_folder / name}: ")]
        assert len(matching) == 1, (name, run.stderr)
    assert len(error_lines) == len(BAD) + 1
    # good files came out clean and upright (orientation 6 turns 48x32 into 32x48), names kept
    produced = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and p.name != MANIFEST)
    assert produced == ["good.jpg", "sub/good.png"]
    assert "not images: 1" in run.stderr  # notes.txt: counted, not failed, never silent
    for rel in produced:
        data = (out / rel).read_bytes()
        assert residual_check(data) == []
        assert b"CLI-PLANTED" not in data and b"Somebody Planted" not in data
    with Image.open(out / "good.jpg") as im:
        assert im.size == (32, 48)
    assert sha256_tree(messy_folder) == before  # inputs byte-identical
    assert [p.name for p in out.rglob(".*")] == [MANIFEST]  # no temp files left, only the resume manifest
    report = json.loads((tmp_path / "report.json").read_text())
    assert {r["status"] for r in report} == {"ok", "error"}
    ok = next(r for r in report if r["input"].endswith("good.jpg"))
    assert ok["output"] == str(out / "good.jpg") and (ok["width"], ok["height"]) == (32, 48)
    assert {"GPS position", "person's name"} & {f["kind"] for f in ok["findings"]}
    assert ok["regions"] == [] and ok["error"] is None
    assert set(ok) >= {"input", "output", "status", "error", "width", "height", "findings", "regions"}


def test_piped_output_is_plain_lines(tmp_path: Path) -> None:
    src = tmp_path / "a.jpg"
    src.write_bytes(good_jpeg())
    run = photolab("strip", src, "-o", tmp_path / "out")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == f"{src} -> {tmp_path / 'out' / 'a.jpg'}"
    assert "\x1b[" not in run.stdout + run.stderr  # no terminal control codes when piped


def test_existing_output_needs_force(tmp_path: Path) -> None:
    src = tmp_path / "a.jpg"
    src.write_bytes(good_jpeg())
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.jpg").write_bytes(b"keep me")
    run = photolab("strip", src, "-o", out)
    assert run.returncode == 1
    assert "already exists" in run.stderr and "--force" in run.stderr
    assert (out / "a.jpg").read_bytes() == b"keep me"
    run = photolab("strip", src, "-o", out, "--force")
    assert run.returncode == 0, run.stderr
    assert residual_check((out / "a.jpg").read_bytes()) == []


def test_output_folder_inside_input_is_refused_and_rest_runs(tmp_path: Path) -> None:
    inside = tmp_path / "photos"
    inside.mkdir()
    (inside / "a.jpg").write_bytes(good_jpeg())
    other = tmp_path / "b.jpg"
    other.write_bytes(good_jpeg())
    out = inside / "clean"
    run = photolab("strip", inside, other, "-o", out)
    assert run.returncode == 1
    assert f"{inside}: output folder is inside this input folder" in run.stderr
    assert sorted(p.name for p in out.iterdir() if p.name != MANIFEST) == ["b.jpg"]
    run = photolab("strip", inside, "-o", inside)
    assert run.returncode == 1 and "inside this input folder" in run.stderr


def test_unreadable_file(tmp_path: Path) -> None:
    src = tmp_path / "locked.jpg"
    src.write_bytes(good_jpeg())
    src.chmod(0)
    try:
        if os.access(src, os.R_OK):
            pytest.skip("running as root: chmod 000 does not stop reads (FIFO and folder cases cover this)")
        run = photolab("strip", src, "-o", tmp_path / "out")
        assert run.returncode == 1
        assert run.stderr.startswith(f"{src}: permission denied")
    finally:
        src.chmod(0o644)


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert photolab("strip", tmp_path).returncode == 2  # no -o
    assert photolab("strip", "-o", tmp_path / "out").returncode == 2  # no PATH
    afile = tmp_path / "file"
    afile.write_text("x")
    src = tmp_path / "a.jpg"
    src.write_bytes(good_jpeg())
    run = photolab("strip", src, "-o", afile)
    assert run.returncode == 2 and "not a folder" in run.stderr


def test_missing_input_is_one_line(tmp_path: Path) -> None:
    run = photolab("strip", tmp_path / "nope.jpg", "-o", tmp_path / "out")
    assert run.returncode == 1
    assert run.stderr.splitlines()[0] == f"{tmp_path / 'nope.jpg'}: no such file or folder"
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_inspect_cli(tmp_path: Path) -> None:
    src = tmp_path / "a.jpg"
    src.write_bytes(good_jpeg())
    bad = tmp_path / "bad.jpg"
    bad.write_text("text")
    run = photolab("inspect", src, "--json")
    assert run.returncode == 0, run.stderr
    report = json.loads(run.stdout)
    names = {f["value"] for f in report[0]["findings"]}
    assert {"Somebody Planted", "CLI-PLANTED"} <= names
    run = photolab("inspect", src, bad)
    assert run.returncode == 1
    assert "people" in run.stdout and "Somebody Planted" in run.stdout
    assert run.stderr.strip().startswith(f"{bad}: not an image format")
