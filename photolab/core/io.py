"""The one way photolab writes a file: temp file beside the target, read back, checked, then put in place.

- A target that exists is never replaced unless ``force``: the temp file is hard-linked to the target
  name, which fails atomically if the name is taken (two runs writing one folder cannot both "win"); on
  filesystems without hard links (FAT, exFAT, some network shares) ``renameat2(RENAME_NOREPLACE)`` does the
  same, and as a last resort the target is created with ``O_EXCL``.
- Ctrl+C or SIGTERM during the write is held until the file is either in place or gone: no ``.part`` is
  left behind. A ``kill -9`` can leave one; its name carries the writer's pid, and ``remove_stale_parts``
  (run by every batch) deletes those whose writer is dead.
- Temp names are short, so a 255-byte target name still works.
- Parent folders are created inside ``root`` only: a symbolic link on the way is refused, so a link
  planted in the output folder cannot send outputs elsewhere.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import secrets
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from photolab.errors import OutputExists, UnsafeOutput, UsageError

PART_PREFIX = ".photolab-"
PART_SUFFIX = ".part"
_RENAME_NOREPLACE = 1
_NO_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.EMLINK, errno.EXDEV, errno.ENOSYS}

Check = Callable[[bytes], None]


def write_verified(
    target: Path, data: bytes, *, check: Check | None = None, force: bool = False, root: Path | None = None
) -> None:
    """Write ``data`` to ``target`` atomically; ``check(read_back)`` must pass before it is put in place.

    Raises OutputExists when ``target`` exists (and ``force`` is False), UnsafeOutput when the read-back
    differs or ``check`` refuses it; in every case nothing is left at ``target`` or beside it.
    """
    target = Path(target)
    created = make_folders(target.parent, root or target.parent)
    try:
        with deferred_signals():
            _write_and_place(target, data, check, force)
    except BaseException:
        remove_empty(created)
        raise


def write_text(target: Path, text: str, *, force: bool = True) -> None:
    """A text file (reports, exports) through the same atomic write; undecodable path characters that
    came from file names (surrogate escapes) are written as JSON-style escapes, never as an error."""
    write_verified(target, encode_text(text), force=force)


def encode_text(text: str) -> bytes:
    """UTF-8, with lone surrogates (from undecodable file names) spelled ``\\udcNN`` instead of failing."""
    return text.encode("utf-8", "backslashreplace")


def _write_and_place(target: Path, data: bytes, check: Check | None, force: bool) -> None:
    if not force and os.path.lexists(target):
        raise OutputExists(f"{target}: output already exists (use --force to overwrite)")
    tmp = target.parent / f"{PART_PREFIX}{os.getpid()}-{secrets.token_hex(4)}{PART_SUFFIX}"
    try:
        _write_synced(tmp, data)
        written = tmp.read_bytes()
        if written != data:
            raise UnsafeOutput(f"{target}: read-back differs from what was written")
        if check is not None:
            check(written)
        if force:
            os.replace(tmp, target)
        else:
            _place_new(tmp, target, data)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _write_synced(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _place_new(tmp: Path, target: Path, data: bytes) -> None:
    """Give ``tmp`` the name ``target`` only if that name is free, atomically."""
    try:
        os.link(tmp, target, follow_symlinks=False)
        return
    except FileExistsError:
        raise OutputExists(f"{target}: output already exists (use --force to overwrite)") from None
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise
    if _rename_noreplace(tmp, target):
        return
    _create_exclusive(target, data)


def _rename_noreplace(tmp: Path, target: Path) -> bool:
    """``renameat2(..., RENAME_NOREPLACE)``; False where the C library or filesystem lacks it."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(tmp), at_fdcwd, os.fsencode(target), _RENAME_NOREPLACE)
    if result == 0:
        return True
    code = ctypes.get_errno()
    if code == errno.EEXIST:
        raise OutputExists(f"{target}: output already exists (use --force to overwrite)")
    if code in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(target))


def _create_exclusive(target: Path, data: bytes) -> None:
    try:
        _write_synced(target, data)
    except FileExistsError:
        raise OutputExists(f"{target}: output already exists (use --force to overwrite)") from None
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            target.unlink()
        raise


def make_folders(folder: Path, root: Path) -> list[Path]:
    """Create ``folder`` (inside ``root``) and its missing parents; return the ones created, outermost
    first. Refuses a symbolic link or a non-folder anywhere between ``root`` and ``folder``."""
    folder, root = Path(folder), Path(root)
    try:
        parts = folder.relative_to(root).parts
    except ValueError:
        raise UsageError(f"{folder}: outside the output folder {root}") from None
    created = _make_root(root)
    current = root
    for part in parts:
        current = current / part
        if current.is_symlink():
            remove_empty(created)
            raise UsageError(f"{current}: is a symbolic link inside the output folder; refusing to follow it")
        if not current.exists():
            current.mkdir()
            created.append(current)
        elif not current.is_dir():
            remove_empty(created)
            raise UsageError(f"{current}: exists and is not a folder")
    return created


def _make_root(root: Path) -> list[Path]:
    """The output folder itself, as the user named it (links above it are the user's choice)."""
    missing = []
    probe = root
    while not probe.exists() and probe != probe.parent:
        missing.append(probe)
        probe = probe.parent
    root.mkdir(parents=True, exist_ok=True)
    if not root.is_dir():
        raise UsageError(f"{root}: output path exists and is not a folder")
    return list(reversed(missing))


def remove_empty(folders: list[Path]) -> None:
    """Remove folders this write created, innermost first, as long as they are empty."""
    for folder in reversed(folders):
        try:
            folder.rmdir()
        except OSError:
            break


def remove_stale_parts(folder: Path) -> int:
    """Delete temp files left in ``folder`` (recursively) by writers that no longer run; return how many."""
    removed = 0
    for path in Path(folder).rglob(f"{PART_PREFIX}*{PART_SUFFIX}"):
        pid = path.name[len(PART_PREFIX):].split("-", 1)[0]
        if pid.isdigit() and not pid_alive(int(pid)):
            with contextlib.suppress(OSError):
                path.unlink()
                removed += 1
    return removed


def pid_alive(pid: int) -> bool:
    """Whether a process with this id exists (someone else's counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


_HELD = (signal.SIGINT, signal.SIGTERM)


@contextlib.contextmanager
def deferred_signals() -> Iterator[None]:
    """Hold Ctrl+C and SIGTERM while the body runs (main thread only); deliver them afterwards."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = {sig: signal.getsignal(sig) for sig in _HELD}
    for sig in _HELD:
        signal.signal(sig, lambda number, _frame: caught.append(number))
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for number in dict.fromkeys(caught):
            signal.raise_signal(number)
