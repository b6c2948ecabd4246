"""`photolab anonymise` and `photolab verify` end to end: real models on the shipped samples."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"
COMMON_ROOM = SAMPLES / "s07_common_room.jpg"  # a real face photo (public domain) + name badges
CORRIDOR = SAMPLES / "s01_corridor.jpg"  # door sign with a resident's name and room number


def photolab(*args: str | Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "photolab", *map(str, args)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600, cwd=ROOT)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def anonymised(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, list[dict], dict[str, str]]:
    """One run over two samples and a broken file, with two worker processes."""
    work = tmp_path_factory.mktemp("anon")
    inputs = work / "in"
    inputs.mkdir()
    for sample in (COMMON_ROOM, CORRIDOR):
        shutil.copy(sample, inputs / sample.name)
    (inputs / "broken.jpg").write_bytes(COMMON_ROOM.read_bytes()[:300])
    before = {p.name: digest(p) for p in inputs.iterdir()}
    out, report = work / "out", work / "report.json"
    done = photolab("anonymise", inputs, "-o", out, "--report", report, "--jobs", "2")
    assert done.returncode == 1, done.stderr  # the broken file fails, the rest is done
    assert "broken.jpg" in done.stderr
    assert "Traceback" not in done.stderr
    assert {p.name: digest(p) for p in inputs.iterdir()} == before  # inputs untouched
    return out, report, json.loads(report.read_text()), before


def entry(results: list[dict], name: str) -> dict:
    return next(r for r in results if Path(r["input"]).name == name)


def test_report_has_faces_and_text_with_their_strings(anonymised) -> None:
    out, _, results, _ = anonymised
    room = entry(results, COMMON_ROOM.name)
    assert room["status"] == "ok"
    kinds = {r["kind"] for r in room["regions"]}
    assert "face" in kinds and "text" in kinds
    assert all(r["action"] == "solid" for r in room["regions"] if r["kind"] in ("text", "plate"))
    assert all(r["action"] == "blur" for r in room["regions"] if r["kind"] == "face")
    texts = " ".join(r["text"] for r in entry(results, CORRIDOR.name)["regions"])
    assert "Okafor" in texts  # the resident's name on the door was found and is shown to the reviewer
    assert {"dark", "low_confidence", "needs_review"} <= room.keys()
    broken = entry(results, "broken.jpg")
    assert broken["status"] == "error" and broken["output"] is None
    assert not (out / "broken.jpg").exists()


def test_redacted_regions_changed_and_rest_kept(anonymised) -> None:
    out, _, results, _ = anonymised
    room = entry(results, COMMON_ROOM.name)
    original = np.asarray(Image.open(COMMON_ROOM).convert("RGB"), dtype=np.int16)
    redacted = np.asarray(Image.open(out / COMMON_ROOM.name).convert("RGB"), dtype=np.int16)
    assert original.shape == redacted.shape
    mask = np.zeros(original.shape[:2], bool)
    for r in room["regions"]:
        x, y, w, h = r["box"]
        inside = np.abs(original[y : y + h, x : x + w] - redacted[y : y + h, x : x + w]).mean()
        assert inside > 8, f"{r['kind']} region barely changed"
        mask[y : y + h, x : x + w] = True
    outside = np.abs(original[~mask] - redacted[~mask]).mean()
    assert outside < 3  # only JPEG re-encoding noise outside the redactions


def test_verify_passes_outputs_and_fails_originals(anonymised) -> None:
    out, report, _, _ = anonymised
    ok = photolab("verify", out / COMMON_ROOM.name, out / CORRIDOR.name, "--report", report)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = photolab("verify", COMMON_ROOM, "--json")
    assert bad.returncode == 1
    verdict = json.loads(bad.stdout)[0]
    problems = " ".join(verdict["problems"])
    assert "metadata left" in problems and "unredacted face" in problems


def test_text_is_unreadable_after_anonymise(anonymised) -> None:
    rapidocr = pytest.importorskip("rapidocr")
    out = anonymised[0]
    engine = rapidocr.RapidOCR()
    for name in (COMMON_ROOM.name, CORRIDOR.name):
        found = engine(np.asarray(Image.open(out / name).convert("RGB"))[:, :, ::-1])
        read = " ".join(found.txts or ()).lower()
        for word in ("okafor", "amara", "marchetti", "whitfield"):
            assert word not in read, f"{word!r} still readable in {name}: {read!r}"


def test_bad_options_are_usage_errors(tmp_path: Path) -> None:
    done = photolab("anonymise", COMMON_ROOM, "-o", tmp_path, "--style", "swirl")
    assert done.returncode == 2 and "swirl" in done.stderr
    done = photolab("anonymise", COMMON_ROOM, "-o", tmp_path, "--detect", "faces,cats")
    assert done.returncode == 2 and "cats" in done.stderr


def test_verify_without_report_accepts_blurred_faces(tmp_path: Path) -> None:
    """Without a report, a detector hit on a blurred area is recognised as redacted (no fine detail)."""
    out = tmp_path / "out"
    done = photolab("anonymise", COMMON_ROOM, "-o", out, "--detect", "faces")
    assert done.returncode == 0, done.stderr
    assert photolab("verify", out / COMMON_ROOM.name).returncode == 0
    from photolab.core.verify import REDACTED_DETAIL, fine_detail

    rng = np.random.default_rng(1)
    face_like = rng.normal(128, 40, (60, 60)).astype(np.float32)
    assert fine_detail(face_like, (0, 0, 60, 60)) > 100 * REDACTED_DETAIL
    assert fine_detail(np.full((60, 60), 90, np.float32), (0, 0, 60, 60)) < REDACTED_DETAIL
