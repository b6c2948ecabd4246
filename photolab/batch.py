"""Batch runner shared by ``strip`` and ``anonymise``: expand paths, process each file, write safely.

``run_batch(paths, outdir, process)`` never aborts on a bad file: every input gets one result dict in the
``--report`` shape of DESIGN.md. A file is reported ``ok`` only after its bytes were written to a temp
file in the output folder, read back, passed ``assert_clean`` and were renamed into place.
"""

from __future__ import annotations

import multiprocessing
import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from photolab.errors import OutputExists, PhotoLabError, UnsafeOutput, UsageError
from photolab.metadata import EXTENSIONS, assert_clean, encode_clean, inspect, output_format, walk
from photolab.photo import load, read_source, sniff_format


@dataclass
class Processed:
    """What a ``process`` function hands back for one input."""

    data: bytes
    format: str
    ext: str
    width: int
    height: int
    findings: list[dict] = field(default_factory=list)
    regions: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # stage-specific report keys, e.g. anonymise's "dark"


@dataclass(frozen=True)
class Job:
    """One input file and where its output goes (relative to OUTDIR, extension still the input's)."""

    source: Path
    relative: Path


# Files in folders are taken when their bytes sniff as an image, or when their name claims to be one
# (so an empty or broken "photo.jpg" is reported instead of silently skipped).
IMAGE_SUFFIXES = {
    ".jpg", ".jpeg", ".jpe", ".jfif", ".png", ".gif", ".webp", ".tif", ".tiff", ".heic", ".heif",
    ".hif", ".avif", ".mpo", ".bmp", ".dng",
}

Process = Callable[[Path], Processed]
Progress = Callable[[int, int, dict], None]


def strip_file(path: Path) -> Processed:
    """The ``strip`` stage: decode, list what the input gave away, encode anew from the pixels."""
    data, name = read_source(path)
    photo = load(data, name=name)
    findings = [f.to_dict() for f in inspect(data)]
    fmt, ext = output_format(photo.format, has_alpha=photo.image.mode in ("RGBA", "LA"))
    lossless = photo.format == "WEBP" and any(b.label == "VP8L" for b in walk(data, "WEBP").blocks)
    encoded = encode_clean(photo.image, fmt, lossless=lossless)
    return Processed(encoded, fmt, ext, photo.width, photo.height, findings, [], list(photo.notes))


def run_batch(
    paths: Iterable[str | Path],
    outdir: str | Path,
    process: Process = strip_file,
    *,
    force: bool = False,
    progress: Progress | None = None,
    jobs: int = 1,
) -> list[dict]:
    """Process every image under ``paths`` into ``outdir``; one result dict per input, in input order.

    With ``jobs > 1`` the ``process`` calls run in that many worker processes (``process`` must be
    picklable: a module-level function or a ``functools.partial`` of one); writing, checking and
    reporting stay in this process, in input order.
    """
    out_root = Path(outdir)
    if out_root.exists() and not out_root.is_dir():
        raise UsageError(f"{out_root}: output path exists and is not a folder")
    if jobs < 1:
        raise UsageError("--jobs must be at least 1")
    jobs_list, results = expand(paths, out_root)
    total = len(jobs_list) + len(results)
    for index, result in enumerate(results, 1):
        if progress:
            progress(index, total, result)
    taken: set[Path] = set()
    for job, produce in _producers(jobs_list, process, jobs):
        result = _run_one(job, out_root, produce, force, taken)
        results.append(result)
        if progress:
            progress(len(results), total, result)
    return results


def _producers(
    jobs_list: list[Job], process: Process, workers: int
) -> Iterator[tuple[Job, Callable[[], Processed]]]:
    """Yield each job with a call that returns its ``Processed`` (computed here or in a worker)."""
    if workers == 1 or len(jobs_list) < 2:
        for job in jobs_list:
            yield job, partial(process, job.source)
        return
    # spawn, not fork: the parent may already hold model sessions and their threads. Each worker runs
    # its models on one thread (the environment is inherited), so N workers use N cores.
    os.environ.setdefault("PHOTOLAB_THREADS", "1")
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs_list)), mp_context=context) as pool:
        window = workers * 2  # bounded read-ahead: outputs wait in memory until written
        pending: list[tuple[Job, Future]] = []
        queue = iter(jobs_list)
        for job in queue:
            pending.append((job, pool.submit(process, job.source)))
            if len(pending) >= window:
                break
        while pending:
            job, future = pending.pop(0)
            yield job, future.result
            nxt = next(queue, None)
            if nxt is not None:
                pending.append((nxt, pool.submit(process, nxt.source)))


def expand(paths: Iterable[str | Path], out_root: Path) -> tuple[list[Job], list[dict]]:
    """Jobs for every image under ``paths``, and error results for paths that cannot be used."""
    jobs: list[Job] = []
    errors: list[dict] = []
    out_real = Path(os.path.realpath(out_root))
    for raw in dict.fromkeys(paths):  # the same PATH given twice is read once
        path = Path(raw)
        try:
            st = os.stat(path)
        except OSError as exc:
            errors.append(error_result(path, _os_reason(exc)))
            continue
        if stat.S_ISDIR(st.st_mode):
            real = Path(os.path.realpath(path))
            if out_real == real or real in out_real.parents:
                reason = "output folder is inside this input folder; choose another -o"
                errors.append(error_result(path, reason))
                continue
            for item in _walk_folder(path, errors):
                jobs.append(Job(item, item.relative_to(path)))
        else:
            jobs.append(Job(path, Path(path.name)))
    return jobs, errors


def _walk_folder(root: Path, errors: list[dict]) -> Iterator[Path]:
    """Image files under ``root`` (sorted, symlinks followed once: a loop is reported, not followed)."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            st = os.stat(folder)
        except OSError as exc:
            errors.append(error_result(folder, _os_reason(exc)))
            continue
        if (st.st_dev, st.st_ino) in seen:
            errors.append(error_result(folder, "symbolic link loop: this folder was already read"))
            continue
        seen.add((st.st_dev, st.st_ino))
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            errors.append(error_result(folder, _os_reason(exc)))
            continue
        subfolders = []
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
            except OSError as exc:
                errors.append(error_result(path, _os_reason(exc)))
                continue
            if is_dir:
                subfolders.append(path)
            elif _looks_like_image(path, errors):
                yield path
        stack.extend(reversed(subfolders))


def _looks_like_image(path: Path, errors: list[dict]) -> bool:
    """Sniff the first bytes; unreadable or odd files are reported rather than skipped silently."""
    try:
        st = os.stat(path)
    except OSError as exc:
        errors.append(error_result(path, _os_reason(exc)))
        return False
    if not stat.S_ISREG(st.st_mode):
        errors.append(error_result(path, "not a regular file (pipe, socket or device)"))
        return False
    try:
        with open(path, "rb") as fh:
            head = fh.read(64)
    except OSError as exc:
        errors.append(error_result(path, _os_reason(exc)))
        return False
    return sniff_format(head) is not None or path.suffix.lower() in IMAGE_SUFFIXES


def _run_one(
    job: Job, out_root: Path, produce: Callable[[], Processed], force: bool, taken: set[Path]
) -> dict:
    target: Path | None = None
    try:
        processed = produce()
        target = out_root / _output_name(job.relative, processed.format, processed.ext)
        if target in taken:
            raise OutputExists(f"{target}: another input in this batch already writes to this output")
        if target.exists() and not force:
            raise OutputExists(f"{target}: output already exists (use --force to overwrite)")
        write_verified(target, processed.data)
        taken.add(target)
        return {
            "input": str(job.source),
            "output": str(target),
            "status": "ok",
            "error": None,
            "width": processed.width,
            "height": processed.height,
            "findings": processed.findings,
            "regions": processed.regions,
            "notes": processed.notes,
            **processed.extra,
        }
    except PhotoLabError as exc:
        return error_result(job.source, _without_name(exc.message, job.source))
    except Exception as exc:  # a bug must not abort the batch; it is reported like any failure
        return error_result(job.source, f"internal error: {exc.__class__.__name__}: {exc}")


def _output_name(relative: Path, fmt: str, ext: str) -> Path:
    """Keep the input's name when its extension already names the output format; otherwise append
    ``ext`` to the whole name (``a.heic`` -> ``a.heic.jpg``) so it cannot collide with ``a.jpg``."""
    if relative.suffix.lower() in EXTENSIONS.get(fmt, set()):
        return relative
    return relative.with_name(relative.name + ext)


def write_verified(target: Path, data: bytes) -> None:
    """Atomic write: temp file beside ``target``, read back and checked, then renamed into place."""
    created = _make_parents(target.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        written = tmp.read_bytes()
        if written != data:
            raise UnsafeOutput(f"{target}: read-back differs from what was written")
        assert_clean(written, str(target))
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        for folder in reversed(created):
            try:
                folder.rmdir()
            except OSError:
                break
        raise


def _make_parents(folder: Path) -> list[Path]:
    missing = []
    probe = folder
    while not probe.exists():
        missing.append(probe)
        probe = probe.parent
    folder.mkdir(parents=True, exist_ok=True)
    return list(reversed(missing))


def error_result(path: Path, reason: str) -> dict:
    return {
        "input": str(path),
        "output": None,
        "status": "error",
        "error": reason,
        "width": None,
        "height": None,
        "findings": [],
        "regions": [],
        "notes": [],
    }


def _without_name(message: str, path: Path) -> str:
    prefix = f"{path}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


def _os_reason(exc: OSError) -> str:
    import errno

    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if exc.errno == errno.ENOENT:
        return "no such file or folder"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    return exc.strerror or str(exc)
