"""Batch runs for ``strip`` and ``anonymise``: every file under the given paths through ``core.job``.

``run(paths, outdir, options)`` never stops at a bad file: each input gets one report entry (the
``--report`` shape of DESIGN.md), and a file is reported ``ok`` only once its output was written by
``core.io.write_verified`` (temp file, read back, residual check, no-replace rename). When a folder is
given, finished files are remembered in the output folder's resume manifest, so an interrupted run
continues where it stopped.
Jobs run here, in local worker processes (``jobs``) or on a Dask cluster (``cluster``).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from photolab.batch.manifest import Manifest, file_key
from photolab.batch.paths import Expanded, Job, expand
from photolab.core import io
from photolab.core.job import STRIP, Options, Result
from photolab.errors import OutputExists, PhotoLabError, UsageError

STRIP_PARALLEL_FROM = 16  # files: below this a strip is faster here than after starting worker processes


@dataclass
class Event:
    """Progress after one more input: counts so far, and the entry of the file just finished."""

    done: int
    total: int
    entry: dict[str, Any]
    started: float  # time.monotonic() at the start of the run


Progress = Callable[[Event], None]


@dataclass
class Summary:
    """A whole run: entries in input order, and what was counted aside."""

    entries: list[dict[str, Any]] = field(default_factory=list)
    skipped: int = 0  # finished by an earlier run (resume)
    not_images: int = 0
    sidecars: int = 0
    interrupted: bool = False

    @property
    def failed(self) -> int:
        return sum(e["status"] != "ok" for e in self.entries)

    @property
    def written(self) -> int:
        return sum(e["status"] == "ok" and not e.get("resumed") for e in self.entries)


def run_batch(paths: Iterable[str | Path], outdir: str | Path, options: Options = STRIP,
              **kw: Any) -> list[dict]:
    """``run``, returning only the report entries."""
    return run(paths, outdir, options, **kw).entries


def run(
    paths: Iterable[str | Path],
    outdir: str | Path,
    options: Options = STRIP,
    *,
    command: str = "",
    force: bool = False,
    jobs: int = 0,
    cluster: str | None = None,
    progress: Progress | None = None,
) -> Summary:
    """Process every image under ``paths`` into ``outdir``. ``jobs`` worker processes (0: the usable cores
    for detection, or for a strip of many files; a few small files are quicker in this process)."""
    paths, out_root = list(paths), Path(outdir)
    if out_root.exists() and not out_root.is_dir():
        raise UsageError(f"{out_root}: output path exists and is not a folder")
    if jobs < 0:
        raise UsageError("--jobs must be at least 1")
    found = expand(paths, out_root)
    summary = Summary(not_images=len(found.not_images), sidecars=len(found.sidecars))
    if out_root.is_dir():
        io.remove_stale_parts(out_root)
    report = _reporter(summary, found, progress)
    command = command or ("anonymise" if options.detect else "strip")
    resumable = any(Path(p).is_dir() for p in paths)  # archives resume; single files need no manifest
    runner = _Runner(out_root, options, command, force, report, resumable)
    todo = runner.resume(found.jobs, summary)
    workers = jobs or _auto_workers(options, len(todo))
    try:
        for job, outcome in _outcomes(todo, options, workers, cluster):
            runner.finish(job, outcome)
    except KeyboardInterrupt:
        summary.interrupted = True
    order = runner.order(found)
    summary.entries.sort(key=lambda entry: order.get(entry["input"], len(order)))
    return summary


def _auto_workers(options: Options, count: int) -> int:
    from photolab.config import usable_cores

    return usable_cores() if options.detect or count >= STRIP_PARALLEL_FROM else 1


def _outcomes(todo: list[Job], options: Options, jobs: int, cluster: str | None) -> Iterator[tuple[Job, Any]]:
    from photolab.batch import workers

    if cluster:
        return workers.run_cluster(todo, options, cluster)
    return workers.run_local(todo, options, jobs)


def _reporter(summary: Summary, found: Expanded, progress: Progress | None) -> Callable[[dict], None]:
    total = len(found.jobs) + len(found.failures)
    started = time.monotonic()

    def report(entry: dict[str, Any]) -> None:
        summary.entries.append(entry)
        if progress:
            progress(Event(len(summary.entries), total, entry, started))

    for path, reason in found.failures:
        report(error_entry(path, reason))
    return report


class _Runner:
    """Turns each job's outcome into a written, verified output and a report entry."""

    def __init__(self, out_root: Path, options: Options, command: str, force: bool,
                 report: Callable[[dict], None], resumable: bool) -> None:
        self.out_root = out_root
        self.command = command
        self.fingerprint = options.fingerprint()
        self.force = force
        self.manifest = Manifest(out_root) if resumable else None
        self.keys: dict[Job, str | None] = {}
        self.taken: set[Path] = set()
        self.report = report

    def resume(self, jobs: list[Job], summary: Summary) -> list[Job]:
        """Report files an earlier run finished (unless ``force``); return the jobs still to do."""
        todo = []
        for job in jobs:
            key = self.keys[job] = file_key(job.source, self.command, self.fingerprint)
            done = None if self.force or self.manifest is None else self.manifest.finished(key)
            if done is None:
                todo.append(job)
                continue
            summary.skipped += 1
            self.taken.add(self.out_root / done.output)
            self.report({**done.entry, "input": display(job.source),
                         "output": display(self.out_root / done.output), "error": None, "resumed": True})
        return todo

    def finish(self, job: Job, outcome: Any) -> None:
        try:
            if isinstance(outcome, BaseException):
                raise outcome
            self.report(self._write(job, outcome))
        except PhotoLabError as exc:
            self.report(error_entry(job.source, without_name(exc.message, job.source)))
        except Exception as exc:  # a bug must not abort the batch; it is reported like any failure
            self.report(error_entry(job.source, f"internal error: {exc.__class__.__name__}: {exc}"))

    def _write(self, job: Job, result: Result) -> dict[str, Any]:
        from photolab.metadata import assert_clean

        target = self.out_root / output_name(job.relative, result.format, result.ext)
        if target in self.taken:
            raise OutputExists(f"{target}: another input in this batch already writes to this output")
        entry = {
            "input": display(job.source), "output": display(target), "status": "ok", "error": None,
            "width": result.width, "height": result.height, "findings": result.findings,
            "regions": result.regions, "notes": result.notes, **result.flags,
        }
        with io.deferred_signals():  # an output in place is always in the manifest too
            io.write_verified(target, result.data, check=lambda b: assert_clean(b, display(target)),
                              force=self.force, root=self.out_root)
            if self.manifest is not None:
                self.manifest.add(self.keys.get(job), target, result.data, entry)
        self.taken.add(target)
        return entry

    def order(self, found: Expanded) -> dict[str, int]:
        """Report order: unusable paths first, then inputs as given and walked."""
        names = [display(p) for p, _ in found.failures] + [display(j.source) for j in found.jobs]
        return {name: i for i, name in reversed(list(enumerate(names)))}


def output_name(relative: Path, fmt: str, ext: str) -> Path:
    """Keep the input's name when its extension already names the output format; otherwise append
    ``ext`` to the whole name (``a.heic`` -> ``a.heic.jpg``) so it cannot collide with ``a.jpg``."""
    from photolab.metadata import EXTENSIONS

    if relative.suffix.lower() in EXTENSIONS.get(fmt, set()):
        return relative
    return relative.with_name(relative.name + ext)


def display(path: Path) -> str:
    """A path as report text (undecodable bytes kept as surrogate escapes, written as ``\\udcNN``)."""
    return os.fsdecode(path)


def error_entry(path: Path, reason: str) -> dict[str, Any]:
    return {"input": display(path), "output": None, "status": "error", "error": reason, "width": None,
            "height": None, "findings": [], "regions": [], "notes": []}


def without_name(message: str, path: Path) -> str:
    prefix = f"{display(path)}: "
    return message[len(prefix):] if message.startswith(prefix) else message


__all__ = ["Event", "Job", "Summary", "error_entry", "expand", "output_name", "run", "run_batch"]
