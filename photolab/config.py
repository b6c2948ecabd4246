"""Every environment variable photolab reads, with its default, read once per process.

- ``PHOTOLAB_THREADS``: threads per model (onnxruntime, OpenCV); 0 (default) = the usable cores.
- ``PHOTOLAB_MODELS``: folder of the verified model weights (default: <checkout>/models, else the data dir).
- ``PHOTOLAB_DB``: SQLite file of review records and workshop rounds (default: <data dir>/photolab/).
- ``PHOTOLAB_TEMP_ROOT``: parent of the server's private temp folders (default: /dev/shm, else TMPDIR).
- ``PHOTOLAB_USERS``: ``name:password,...`` logins for ``serve`` off loopback (default: one generated;
  weak passwords are refused at start: ``server/auth.py``).
- ``PHOTOLAB_SAMPLES``: workshop scenario folder (default: <checkout>/samples).
- ``PHOTOLAB_PUBLIC_URL``: the address workshop participants type (default: from the request).
- ``XDG_DATA_HOME``: the user data dir (default: ~/.local/share).

``PRIVACY_ENVIRONMENT`` is set into ``os.environ`` when photolab is imported (``photolab/__init__``), before
any dependency that reads it is loaded, so worker processes inherit it too: onnxruntime's native
telemetry (it otherwise writes a device id and an event queue under ~/.cache/Microsoft/DeveloperTools
at import) and the analytics of Gradio and the Hugging Face hub client are off.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PRIVACY_ENVIRONMENT = {
    "ORT_DISABLE_TELEMETRY": "1",  # onnxruntime >= 1.2x: no 1DS telemetry store, no device id
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
    "DO_NOT_TRACK": "1",
}


def apply_privacy_environment() -> None:
    """Force the privacy variables (a user's own setting cannot turn telemetry back on)."""
    os.environ.update(PRIVACY_ENVIRONMENT)


@dataclass(frozen=True)
class Settings:
    threads: int
    models_dir: Path | None
    db: Path | None
    temp_root: Path | None
    users: str
    samples: Path | None
    public_url: str
    data_home: Path


def _path(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def _int(name: str, default: int) -> int:
    try:
        return max(0, int(os.environ.get(name, "") or default))
    except ValueError:
        return default


@cache
def settings() -> Settings:
    """The environment as photolab sees it (read on first call; ``reload()`` after changing it)."""
    return Settings(
        threads=_int("PHOTOLAB_THREADS", 0),
        models_dir=_path("PHOTOLAB_MODELS"),
        db=_path("PHOTOLAB_DB"),
        temp_root=_path("PHOTOLAB_TEMP_ROOT"),
        users=os.environ.get("PHOTOLAB_USERS", ""),
        samples=_path("PHOTOLAB_SAMPLES"),
        public_url=os.environ.get("PHOTOLAB_PUBLIC_URL", "").strip(),
        data_home=_path("XDG_DATA_HOME") or Path.home() / ".local" / "share",
    )


def reload() -> Settings:
    """Read the environment again (tests, and a parent that sets variables for its workers)."""
    settings.cache_clear()
    return settings()


def usable_cores() -> int:
    """Cores this process may really use: the CPU affinity mask, capped by a cgroup v2/v1 CPU quota."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    quota = _cgroup_quota()
    if quota is not None:
        cores = min(cores, max(1, int(quota + 0.5)))
    return max(1, cores)


def _cgroup_quota() -> float | None:
    """CPUs allowed by the cgroup (``cpu.max`` or ``cfs_quota_us / cfs_period_us``), None when unlimited."""
    with contextlib.suppress(OSError, ValueError):
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        return None if quota == "max" else int(quota) / int(period)
    with contextlib.suppress(OSError, ValueError):
        quota_us = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_quota_us").read_text())
        period_us = int(Path("/sys/fs/cgroup/cpu/cpu.cfs_period_us").read_text())
        return None if quota_us <= 0 else quota_us / period_us
    return None
