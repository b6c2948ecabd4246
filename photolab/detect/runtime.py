"""Model runtime shared by every detector backend: thread counts, onnxruntime sessions, backend instances
(one per thread where the library object is not thread-safe), native stderr and aligned buffers.

Threads: ``set_threads(n)`` wins, else ``PHOTOLAB_THREADS``, else the cores this process may really use
(affinity mask and cgroup quota, ``config.usable_cores``), never more. onnxruntime's worker threads do not
spin-wait (``session.intra_op.allow_spinning = 0``): in a pinned process two spinning threads on one core
halve the speed, and on a shared machine spinning burns another job's core.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from photolab import config

_override = 0  # set_threads: 0 = follow PHOTOLAB_THREADS / usable cores
_arena = True  # onnxruntime's CPU memory arena (see keep_memory_small)
_lock = threading.RLock()
_shared: dict[tuple[type, int], Any] = {}
_local = threading.local()
_closables: list[Any] = []  # objects with .close() (mediapipe tasks): closed at exit, before the C side goes

B = TypeVar("B")


def threads() -> int:
    """Threads one model may use: ``set_threads``, else PHOTOLAB_THREADS, else the usable cores (capped)."""
    cores = config.usable_cores()
    wanted = _override or config.settings().threads or cores
    return max(1, min(wanted, cores))


def set_threads(n: int) -> None:
    """Threads per model from now on (0 = back to PHOTOLAB_THREADS / usable cores). Batch workers use 1."""
    global _override
    _override = max(0, int(n))


def keep_memory_small() -> None:
    """Sessions made from now on return their working memory after each run. onnxruntime's arena keeps the
    largest activations of every model for the life of the process (about 450 MB after one 12 MP photo):
    right for a batch worker (faces 25% faster), wrong for a server that lives for days."""
    global _arena
    _arena = False


def explicit_threads() -> int:
    """The thread count someone asked for (``set_threads`` or PHOTOLAB_THREADS), 0 when left to default."""
    return _override or config.settings().threads


def onnx_session(model: bytes | Path, n_threads: int):  # -> onnxruntime.InferenceSession
    """A CPU onnxruntime session: ``n_threads`` intra-op threads that sleep when idle, quiet logging."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = n_threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    options.enable_cpu_mem_arena = _arena
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.add_session_config_entry("session.inter_op.allow_spinning", "0")
    source = model if isinstance(model, bytes) else str(model)
    return ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])


def backend(cls: Callable[[int], B], *, shared: bool = False) -> B:
    """The instance of backend class ``cls`` for the current thread count: one per process when the
    library object is thread-safe (``shared``, e.g. an onnxruntime session), else one per thread."""
    n = threads()
    key = (cls, n)
    if shared:
        with _lock:
            if key not in _shared:
                _shared[key] = cls(n)
            return _shared[key]
    cache = getattr(_local, "backends", None)
    if cache is None:
        cache = _local.backends = {}
    if key not in cache:
        cache[key] = cls(n)
    return cache[key]


def forget_backends() -> None:
    """Drop this thread's and the shared backend instances (tests that swap the models folder)."""
    with _lock:
        _shared.clear()
    _local.backends = {}


def close_at_exit(obj: Any) -> Any:
    """Close ``obj`` (a mediapipe task) at interpreter exit, while its native side still exists."""
    with _lock:
        _closables.append(obj)
    return obj


@atexit.register
def _close_all() -> None:
    while _closables:
        with contextlib.suppress(Exception):
            _closables.pop().close()


_stderr_lock = threading.Lock()


@contextlib.contextmanager
def quiet_native_stderr() -> Iterator[None]:
    """Silence what native libraries (LiteRT, OpenCV dnn) print on file descriptor 2 while a model loads:
    a dozen INFO/WARNING lines per detector that would bury photolab's own messages."""
    with _stderr_lock:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
        except (OSError, ValueError):  # no usable stderr: nothing to silence
            yield
            return
        try:
            with open(os.devnull, "wb") as devnull:
                os.dup2(devnull.fileno(), 2)
                yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def aligned(pixels: np.ndarray, alignment: int = 64) -> np.ndarray:
    """A C-contiguous copy whose buffer starts on an ``alignment``-byte boundary (LiteRT copies, and
    warns on stderr, otherwise)."""
    buffer = np.empty(pixels.nbytes + alignment, np.uint8)
    offset = -buffer.ctypes.data % alignment
    out = buffer[offset:offset + pixels.nbytes].view(pixels.dtype).reshape(pixels.shape)
    out[...] = pixels
    return out


def cv2_threads(n: int) -> None:
    """OpenCV's own pool (resize, dnn) follows the same count."""
    import cv2

    if cv2.getNumThreads() != n:
        cv2.setNumThreads(n)


__all__ = ["aligned", "backend", "close_at_exit", "cv2_threads", "explicit_threads", "forget_backends",
           "onnx_session", "quiet_native_stderr", "set_threads", "threads"]


def import_mediapipe() -> Any:
    """``mediapipe``, imported without matplotlib.

    mediapipe's vision package imports its drawing helpers, and they import ``matplotlib.pyplot`` at once:
    half a second, and a font cache listing this machine's fonts written to ~/.cache/matplotlib. photolab
    never draws with them, so pyplot is stood in by an empty module for the duration of the import only.
    """
    import sys
    import types

    if "mediapipe" in sys.modules or "matplotlib.pyplot" in sys.modules:
        import mediapipe

        return mediapipe
    sys.modules["matplotlib.pyplot"] = types.ModuleType("matplotlib.pyplot")
    try:
        import mediapipe
    finally:
        del sys.modules["matplotlib.pyplot"]
    return mediapipe
