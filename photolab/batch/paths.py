"""Which files a batch takes: every path given, folders recursed, and a reason for each one it does not.

Every file under a folder is either a job or an entry with a reason (``photo.recognise`` decides from the
first bytes and the name): an image is a job; a file that is clearly not an image (a text file, a video)
is counted as "not an image", an XMP sidecar as a sidecar (not copied: it can hold GPS and names);
anything else (a camera RAW, an unrecognised file, an unreadable one) is a failure line, never skipped in
silence.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Job:
    """One input file and where its output goes (relative to OUTDIR, extension still the input's)."""

    source: Path
    relative: Path


@dataclass
class Expanded:
    """The files of a batch: jobs in input order, failures with reasons, and what was left aside."""

    jobs: list[Job] = field(default_factory=list)
    failures: list[tuple[Path, str]] = field(default_factory=list)
    not_images: list[Path] = field(default_factory=list)
    sidecars: list[Path] = field(default_factory=list)


def expand(paths: Iterable[str | Path], out_root: Path | None) -> Expanded:
    """Jobs for every image under ``paths``; failures for paths that cannot be used."""
    found = Expanded()
    out_real = Path(os.path.realpath(out_root)) if out_root is not None else None
    for raw in dict.fromkeys(paths):  # the same PATH given twice is read once
        path = Path(raw)
        try:
            st = os.stat(path)
        except OSError as exc:
            found.failures.append((path, os_reason(exc)))
            continue
        if not stat.S_ISDIR(st.st_mode):
            found.jobs.append(Job(path, Path(path.name)))
            continue
        real = Path(os.path.realpath(path))
        if out_real is not None and (out_real == real or real in out_real.parents):
            found.failures.append((path, "output folder is inside this input folder; choose another -o"))
            continue
        for item in _walk_folder(path, found):
            found.jobs.append(Job(item, item.relative_to(path)))
    return found


def _walk_folder(root: Path, found: Expanded) -> Iterator[Path]:
    """Files under ``root`` to process (sorted; symlinks followed once: a loop is reported)."""
    seen: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        folder = stack.pop()
        entries = _folder_entries(folder, seen, found)
        subfolders = []
        for entry in entries:
            path = Path(entry.path)
            try:
                is_dir = entry.is_dir(follow_symlinks=True)
            except OSError as exc:
                found.failures.append((path, os_reason(exc)))
                continue
            if is_dir:
                subfolders.append(path)
            elif _take(path, found):
                yield path
        stack.extend(reversed(subfolders))


def _folder_entries(folder: Path, seen: set[tuple[int, int]], found: Expanded) -> list[os.DirEntry]:
    try:
        st = os.stat(folder)
    except OSError as exc:
        found.failures.append((folder, os_reason(exc)))
        return []
    if (st.st_dev, st.st_ino) in seen:
        found.failures.append((folder, "symbolic link loop: this folder was already read"))
        return []
    seen.add((st.st_dev, st.st_ino))
    try:
        return sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        found.failures.append((folder, os_reason(exc)))
        return []


def _take(path: Path, found: Expanded) -> bool:
    """True for a file to process; otherwise it is counted aside or recorded as a failure here."""
    from photolab.photo import RECOGNISE_HEAD_BYTES, recognise

    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            found.failures.append((path, "not a regular file (pipe, socket or device)"))
            return False
        with open(path, "rb") as fh:
            head = fh.read(RECOGNISE_HEAD_BYTES)
    except OSError as exc:
        found.failures.append((path, os_reason(exc)))
        return False
    what = recognise(head, path.name)
    if what.kind == "image":
        return True
    if what.kind == "sidecar":
        found.sidecars.append(path)
    elif what.kind == "not_image":
        found.not_images.append(path)
    else:  # camera RAW, unsupported or unrecognised: named with its reason, never skipped in silence
        found.failures.append((path, what.reason))
    return False


def os_reason(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    if exc.errno == errno.ENOENT:
        return "no such file or folder"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.ENAMETOOLONG:
        return "file name too long"
    return exc.strerror or exc.__class__.__name__
