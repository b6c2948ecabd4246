"""Fixtures of the server tests: a marked upload, a scan for its copies, `photolab serve` as a process."""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from PIL import Image
from support import wait_for_http

MAX_SCANNED = 256 << 20  # bigger files cannot be a copy of a test upload and are not read


@dataclass
class MarkedUpload:
    """A JPEG whose EXIF (description, artist, GPS) carries a random marker; bytes kept in memory."""

    name: str
    data: bytes
    marker: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def make_marked_upload() -> MarkedUpload:
    marker = f"PLMARK{secrets.token_hex(12)}"
    image = Image.new("RGB", (640, 480), (120, 130, 140))
    image.paste((200, 60, 60), (100, 100, 300, 300))
    exif = Image.Exif()
    exif[0x010E] = marker  # ImageDescription
    exif[0x013B] = marker  # Artist
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)})
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes(), quality=90)
    return MarkedUpload(name=f"detainee-{marker[-6:]}.jpg", data=buffer.getvalue(), marker=marker.encode())


@pytest.fixture
def marked_upload() -> MarkedUpload:
    return make_marked_upload()


def _files(roots: Iterable[Path]) -> Iterator[Path]:
    for root in roots:
        if not root.exists():
            continue
        for folder, dirs, names in os.walk(root, onerror=lambda _e: None):
            dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(folder, d))]
            for name in names:
                yield Path(folder, name)


def _find_copies(upload: MarkedUpload, roots: Iterable[Path]) -> list[Path]:
    """Files under ``roots`` holding the upload: same SHA-256, or the planted marker anywhere inside."""
    found: list[Path] = []
    for path in _files(roots):
        try:
            if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_SCANNED:
                continue
            data = path.read_bytes()
        except OSError:
            continue
        if upload.marker in data or (
            len(data) == len(upload.data) and hashlib.sha256(data).hexdigest() == upload.sha256
        ):
            found.append(path)
    return found


def _scanned_roots(home: Path) -> list[Path]:
    """Where a left-over copy could be: RAM folders, temp folders, the test HOME's and the real ~/.cache."""
    return [Path("/dev/shm"), Path("/tmp"), Path("/var/tmp"), home / ".cache", Path.home() / ".cache"]


@dataclass
class ServeProcess:
    """``photolab serve`` (the supervisor) and its server child, with the output gathered in a thread."""

    proc: subprocess.Popen[str]
    url: str
    temp_root: Path
    lines: list[str] = field(default_factory=list)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def child_pid(self) -> int:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
        assert len(children) == 1, children
        return int(children[0])

    def run_dir(self) -> Path:
        runs = list(self.temp_root.glob(f"run-{self.proc.pid}-*"))
        assert len(runs) == 1, runs
        return runs[0]

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def _start_serve(
    args: list[str],
    env: dict[str, str],
    temp_root: Path,
    port: int,
    *,
    before: tuple[str, ...] = (),
    command: list[str] | None = None,
) -> ServeProcess:
    """``python -m photolab [before] serve --port PORT [args]`` (or ``command``), once it answers HTTP."""
    proc = subprocess.Popen(
        command or [sys.executable, "-m", "photolab", *before, "serve", "--port", str(port), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    running = ServeProcess(proc=proc, url=f"http://127.0.0.1:{port}", temp_root=temp_root)

    def gather() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            running.lines.append(line)

    threading.Thread(target=gather, daemon=True).start()
    try:
        wait_for_http(running.url + "/", alive=lambda: proc.poll() is None)
    except AssertionError:
        running.stop()
        raise AssertionError("photolab serve did not start:\n" + running.output) from None
    return running


@pytest.fixture
def serve_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a served subprocess: HOME, XDG folders and the temp root inside the test."""
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "PHOTOLAB_TEMP_ROOT": str(tmp_path / "temp")}
    env["PHOTOLAB_USERS"] = ""
    for key in ("GRADIO_TEMP_DIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "TMPDIR"):
        env.pop(key, None)
    env["XDG_DATA_HOME"] = str(home / ".local" / "share")
    return env


@pytest.fixture
def find_copies() -> Callable[[MarkedUpload, Iterable[Path]], list[Path]]:
    """``find_copies(upload, roots)``: files holding the upload (its SHA-256, or its marker anywhere)."""
    return _find_copies


@pytest.fixture
def scanned_roots() -> Callable[[Path], list[Path]]:
    """``scanned_roots(home)``: /dev/shm, /tmp, /var/tmp, home/.cache and the real ~/.cache."""
    return _scanned_roots


@pytest.fixture
def start_serve() -> Iterator[Callable[..., ServeProcess]]:
    """``start_serve(args, env, temp_root, port, before=())``; every server started is stopped at the end."""
    started: list[ServeProcess] = []

    def start(*args: object, **kwargs: object) -> ServeProcess:
        running = _start_serve(*args, **kwargs)  # type: ignore[arg-type]
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()
