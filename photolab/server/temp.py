"""Private run folders: where a server's uploads and temporary files live, and how they disappear.

One run of ``photolab serve`` (created by the supervisor, see ``supervisor.py``)::

    <root>/run-<pid>-<hex>/     0700; <root> is /dev/shm/photolab-<uid> when usable (RAM, never a disk)
        .lock                   flock held by the supervisor and the server child while either lives
        files/                  the child mounts a private tmpfs here when the kernel allows it
            gradio/             GRADIO_TEMP_DIR (uploads, Gradio's cache)
            tmp/                TMPDIR (Starlette's spooled multipart files, any ``tempfile`` use)

How it disappears: the child empties it on any catchable signal and at exit; the supervisor removes the
whole run folder as soon as the child exits by any means (``kill -9`` included); a run whose lock nobody
holds any more is removed by the next start. The private tmpfs (a mount in the child's own mount
namespace, see :func:`private_tmpfs`) goes with the child's last process even if both are killed at once:
the kernel frees it, so only the empty ``run-*`` folder and its empty lock file remain.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import os
import secrets
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from photolab import config
from photolab.core.io import pid_alive
from photolab.errors import UsageError

RUN_PREFIX = "run-"
_STAGING_PREFIX = ".new-"
_LOCK_NAME = ".lock"
_STAGING_MAX_AGE = 60.0  # seconds: a half-created run folder older than this belongs to a dead start


@dataclass(frozen=True)
class Run:
    """One run folder; ``lock_fd`` must be passed on to the server child (``pass_fds``)."""

    path: Path
    lock_fd: int

    @property
    def files(self) -> Path:
        return self.path / "files"

    @property
    def gradio(self) -> Path:
        return self.files / "gradio"

    @property
    def tmp(self) -> Path:
        return self.files / "tmp"


def default_temp_root() -> Path:
    """RAM-backed when possible, so uploads never reach a disk; the user's temp dir otherwise."""
    override = config.settings().temp_root
    if override:
        return override
    shm = Path("/dev/shm")
    with contextlib.suppress(OSError):
        if shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > 1 << 30:
            return shm / f"photolab-{os.getuid()}"
    return Path(tempfile.gettempdir()) / f"photolab-{os.getuid()}"


def ensure_root(root: Path) -> Path:
    """Create ``root`` (0700) and refuse one that another user planted in a shared folder."""
    root.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = os.lstat(root)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid():
        raise UsageError(
            f"{root} is not a folder owned by you; remove it or set PHOTOLAB_TEMP_ROOT to a private folder"
        )
    os.chmod(root, 0o700)
    return root


def _lock_is_free(lock: Path) -> bool:
    """True when no living process holds the flock on ``lock`` (so its run is over)."""
    try:
        fd = os.open(lock, os.O_RDONLY | os.O_CLOEXEC | os.O_NOFOLLOW)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing drops the lock we may have taken
    return True


def _run_is_dead(folder: Path) -> bool:
    lock = folder / _LOCK_NAME
    if lock.exists():
        return _lock_is_free(lock)
    if folder.name.startswith(_STAGING_PREFIX):
        with contextlib.suppress(OSError):
            return time.time() - folder.stat().st_mtime > _STAGING_MAX_AGE
        return False
    # A folder without a lock: made by an in-process server (tests, benchmarks) named run-<pid>.
    digits = folder.name.removeprefix(RUN_PREFIX).split("-")[0]
    return digits.isdigit() and int(digits) != os.getpid() and not pid_alive(int(digits))


def remove_dead_runs(root: Path) -> int:
    """Delete the folders of earlier runs whose processes are all gone (crash, SIGKILL); return how many."""
    removed = 0
    with contextlib.suppress(FileNotFoundError):
        for child in list(root.iterdir()):
            if not child.name.startswith((RUN_PREFIX, _STAGING_PREFIX)):
                continue
            if child.is_symlink():
                child.unlink(missing_ok=True)
            elif child.is_dir() and _run_is_dead(child):
                shutil.rmtree(child, ignore_errors=True)
                removed += 1
    return removed


def create_run(root: Path) -> Run:
    """A fresh run folder under ``root``, locked before its name appears (so no start removes it)."""
    ensure_root(root)
    remove_dead_runs(root)
    staging = Path(tempfile.mkdtemp(prefix=_STAGING_PREFIX, dir=root))
    fd = os.open(staging / _LOCK_NAME, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_CLOEXEC, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    for folder in ("files", "files/gradio", "files/tmp"):
        (staging / folder).mkdir(mode=0o700)
    final = root / f"{RUN_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    staging.rename(final)
    return Run(path=final, lock_fd=fd)


def remove_run(run_path: Path) -> None:
    """Delete a run folder and everything in it (the supervisor, once the child is gone)."""
    shutil.rmtree(run_path, ignore_errors=True)


def wipe_temp_dir(path: Path | str | None = None, keep: Iterable[Path] = ()) -> int:
    """Delete everything inside the upload/cache folder (not the folder itself); return files removed."""
    folder = Path(path or os.environ.get("GRADIO_TEMP_DIR", ""))
    if not folder.name or not folder.is_dir():
        return 0
    kept = {Path(p).resolve() for p in keep}
    removed = 0
    for child in list(folder.iterdir()):
        resolved = child.resolve()
        if resolved in kept or any(k.is_relative_to(resolved) for k in kept):
            continue
        if child.is_dir() and not child.is_symlink():
            removed += sum(1 for f in child.rglob("*") if f.is_file())
            shutil.rmtree(child, ignore_errors=True)
        else:
            removed += 1
            with contextlib.suppress(FileNotFoundError):
                child.unlink()
    return removed


def prepare_environment(temp_dir: Path | str | None = None) -> Path:
    """Set the privacy environment and create an empty private temp folder. Call before importing gradio.

    Without ``temp_dir`` (a server run in-process: tests, benchmarks) the folder is ``run-<pid>`` under
    the temp root; ``photolab serve`` passes the folder its supervisor made.
    """
    config.apply_privacy_environment()
    os.environ["GRADIO_RUN_HISTORY"] = "False"
    os.environ["GRADIO_SSR_MODE"] = "False"
    os.environ["GRADIO_MCP_SERVER"] = "False"
    if temp_dir is None:
        root = ensure_root(default_temp_root())
        remove_dead_runs(root)
        temp_dir = root / f"{RUN_PREFIX}{os.getpid()}"
    temp_dir = Path(temp_dir)
    temp_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(temp_dir, 0o700)
    wipe_temp_dir(temp_dir)
    os.environ["GRADIO_TEMP_DIR"] = str(temp_dir)
    if "gradio" in sys.modules:
        _point_loaded_gradio_at(temp_dir)
    return temp_dir


def _point_loaded_gradio_at(temp_dir: Path) -> None:
    """gradio reads GRADIO_TEMP_DIR once at import in two modules; keep them in line when already loaded."""
    for name in ("gradio.route_utils", "gradio.routes"):
        module = sys.modules.get(name)
        if module is not None and hasattr(module, "DEFAULT_TEMP_DIR"):
            module.DEFAULT_TEMP_DIR = str(temp_dir)


# --- a tmpfs only the server child can see -------------------------------------------------------

_CLONE_NEWNS = 0x00020000
_CLONE_NEWUSER = 0x10000000
_MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 2, 4, 8
_MS_REC, _MS_PRIVATE = 0x4000, 0x40000
_MNT_DETACH = 2


def _libc() -> ctypes.CDLL | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None


def _call(result: int) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, os.strerror(err))


def _enter_private_tmpfs(libc: ctypes.CDLL, folder: Path) -> None:
    uid, gid = os.getuid(), os.getgid()
    _call(libc.unshare(_CLONE_NEWNS | (0 if uid == 0 else _CLONE_NEWUSER)))
    if uid != 0:
        Path("/proc/self/setgroups").write_text("deny")
        Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
        Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")
    # Private propagation first: without it a mount could leak back into the parent namespace.
    _call(libc.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None))
    flags = _MS_NOSUID | _MS_NODEV | _MS_NOEXEC
    _call(libc.mount(b"tmpfs", os.fsencode(folder), b"tmpfs", flags, b"mode=0700"))


def _probe_private_tmpfs(libc: ctypes.CDLL, folder: Path) -> bool:
    """Try the whole sequence in a forked copy first: a half-done one (a user namespace without its uid
    map) cannot be undone and would leave this process unable to create files."""
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the forked probe
        try:
            _enter_private_tmpfs(libc, folder)
            os._exit(0)
        except BaseException:
            os._exit(1)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status) == 0


def private_tmpfs(folder: Path) -> bool:
    """Mount a fresh tmpfs on ``folder`` in a mount namespace of this process alone; False if refused.

    Must run before the process starts any thread (``unshare`` of a user namespace requires it). Without
    root, a user namespace mapping only our own uid and gid gives the right to mount; nothing else
    changes for the process (same uid, same network). Files written there never appear in the shared
    /dev/shm, and the kernel frees them when the last process in the namespace exits, however it dies.
    Refused (False) where the kernel or a security policy (AppArmor, seccomp) forbids it.
    """
    libc = _libc()
    if libc is None or not _probe_private_tmpfs(libc, folder):
        return False
    try:
        _enter_private_tmpfs(libc, folder)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EINVAL, errno.ENOSPC, errno.EACCES, errno.ENOSYS):
            raise
        return False
    return True


def release_private_tmpfs(folder: Path) -> None:
    """Unmount the private tmpfs (its files are freed; the folder underneath is empty)."""
    libc = _libc()
    if libc is not None:
        libc.umount2(os.fsencode(folder), _MNT_DETACH)
