"""Model runtime: thread counts, sessions that do not spin, backend instances, the prepared CenterFace."""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import numpy as np
import pytest

from photolab import config, models
from photolab.detect import blazeface, centerface, runtime, yunet
from photolab.errors import ModelError

REPO_MODELS = Path(__file__).resolve().parents[2] / "models"


@pytest.fixture
def default_threads():
    runtime.set_threads(0)
    yield
    runtime.set_threads(0)
    config.reload()


def test_threads_follow_the_usable_cores_and_never_exceed_them(default_threads,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    cores = config.usable_cores()
    monkeypatch.delenv("PHOTOLAB_THREADS", raising=False)
    config.reload()
    assert runtime.threads() == cores and runtime.explicit_threads() == 0
    runtime.set_threads(1)
    assert runtime.threads() == 1 and runtime.explicit_threads() == 1
    runtime.set_threads(cores + 7)  # more than the process may use: capped, never oversubscribed
    assert runtime.threads() == cores
    runtime.set_threads(0)
    monkeypatch.setenv("PHOTOLAB_THREADS", "1")
    config.reload()
    assert runtime.threads() == 1


def test_pinned_process_gets_one_thread(default_threads) -> None:
    if not hasattr(os, "sched_setaffinity"):
        pytest.skip("no CPU affinity on this platform")
    before = os.sched_getaffinity(0)
    try:
        os.sched_setaffinity(0, {min(before)})
        assert runtime.threads() == 1
    finally:
        os.sched_setaffinity(0, before)


def test_sessions_do_not_spin_and_use_the_asked_threads(default_threads) -> None:
    session = runtime.onnx_session(models.model_path("yunet"), 1)
    options = session.get_session_options()
    assert options.intra_op_num_threads == 1 and options.inter_op_num_threads == 1
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"


def test_backends_are_shared_or_per_thread(default_threads) -> None:
    runtime.set_threads(1)
    assert runtime.backend(centerface.CenterFace, shared=True) is runtime.backend(centerface.CenterFace,
                                                                                 shared=True)
    mine = runtime.backend(yunet.YuNet)
    assert runtime.backend(yunet.YuNet) is mine
    other: list[object] = []
    thread = threading.Thread(target=lambda: other.append(runtime.backend(yunet.YuNet)))
    thread.start()
    thread.join()
    assert other and other[0] is not mine  # OpenCV detectors are not thread-safe: one per thread


def _models_copy(into: Path, names: tuple[str, ...]) -> None:
    for name in names:
        if not models.status(name, REPO_MODELS).ok:
            pytest.fail(f"model {name} missing or altered: run `photolab models fetch` before the tests")
        shutil.copy2(REPO_MODELS / models.spec(name).file, into)


def test_prepared_centerface_is_cached_pinned_and_rebuilt_when_altered(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PHOTOLAB_MODELS", str(tmp_path))
    _models_copy(tmp_path, ("centerface",))
    data = models.prepared("centerface", centerface.dynamic_graph)
    cached = list(tmp_path.glob(".centerface.prepared-*.onnx"))
    assert len(cached) == 1 and cached[0].read_bytes() == data
    assert models.sha256_bytes(data) == models.spec("centerface").prepared_sha256

    def must_not_run(model: bytes) -> bytes:
        raise AssertionError("the cached prepared form should have been used")

    assert models.prepared("centerface", must_not_run) == data  # second process: no rewrite
    altered = bytearray(data)
    altered[len(altered) // 2] ^= 0x01
    cached[0].write_bytes(bytes(altered))
    assert models.prepared("centerface", centerface.dynamic_graph) == data  # altered cache: rebuilt
    assert cached[0].read_bytes() == data
    cached[0].unlink()
    with pytest.raises(ModelError, match="prepared form"):
        models.prepared("centerface", lambda model: model + b"x")  # a wrong result is refused
    assert not list(tmp_path.glob(".centerface.prepared-*"))  # and not cached
    assert centerface.CenterFace(1)(np.zeros((64, 96, 3), np.uint8), 0.5).shape == (0, 5)  # any size runs


def test_quiet_native_stderr_swallows_fd2(capfd: pytest.CaptureFixture[str]) -> None:
    with runtime.quiet_native_stderr():
        os.write(2, b"native chatter\n")
    os.write(2, b"after\n")
    err = capfd.readouterr().err
    assert "native chatter" not in err and "after" in err


def test_blazeface_anchors_follow_the_model_layout() -> None:
    assert blazeface.ANCHORS.shape == (896, 2)
    assert np.allclose(blazeface.ANCHORS[0], [1 / 32, 1 / 32]) and np.allclose(blazeface.ANCHORS[1],
                                                                               [1 / 32, 1 / 32])
    assert np.allclose(blazeface.ANCHORS[512], [1 / 16, 1 / 16])
    assert (blazeface.ANCHORS > 0).all() and (blazeface.ANCHORS < 1).all()
