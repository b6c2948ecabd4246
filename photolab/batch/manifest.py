"""Resume: a manifest in the output folder of the files a run finished, so a re-run continues, not restarts.

``OUTDIR/.photolab-manifest.jsonl`` gets one line per verified output, appended (under a lock, fsynced)
as soon as the output is in place. A file is skipped on a later run when its key — absolute input path,
size, modification time, the command and its options — is there and the output still has the SHA-256 it
was written with. A half-written last line (a crash) is ignored.

The output folder may be published, so the manifest holds nothing the report would not hold *and* nothing
that was hidden: the input path only as a hash, findings by kind (never their values: no GPS, no names),
regions without the words read in them.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

NAME = ".photolab-manifest.jsonl"


def file_key(source: Path, command: str, options_fingerprint: str) -> str | None:
    """The identity of one input for resuming; None when the file cannot be stat'ed."""
    try:
        st = os.stat(source)
    except OSError:
        return None
    ident = "\0".join([os.fsdecode(os.path.abspath(source)), str(st.st_size), str(st.st_mtime_ns),
                       command, options_fingerprint])
    return hashlib.sha256(ident.encode("utf-8", "surrogateescape")).hexdigest()


@dataclass(frozen=True)
class Done:
    """One finished file as the manifest remembers it."""

    output: str  # relative to the output folder
    sha256: str
    entry: dict[str, Any]  # the report entry, without values


class Manifest:
    """Finished files of earlier runs into ``outdir`` (read once), and the append of new ones."""

    def __init__(self, outdir: Path) -> None:
        self.outdir = Path(outdir)
        self.path = self.outdir / NAME
        self.done: dict[str, Done] = self._read()

    def _read(self) -> dict[str, Done]:
        done: dict[str, Done] = {}
        try:
            lines = self.path.read_bytes().splitlines()
        except OSError:
            return done
        for line in lines:
            try:
                item = json.loads(line)
                done[item["key"]] = Done(item["output"], item["sha256"], item.get("entry", {}))
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a crash
        return done

    def finished(self, key: str | None) -> Done | None:
        """The earlier result for ``key`` when its output is still there, unchanged."""
        done = self.done.get(key or "")
        if done is None:
            return None
        try:
            data = (self.outdir / done.output).read_bytes()
        except OSError:
            return None
        return done if hashlib.sha256(data).hexdigest() == done.sha256 else None

    def add(self, key: str | None, output: Path, data: bytes, entry: dict[str, Any]) -> None:
        """Remember a verified output (called right after it was put in place)."""
        if key is None:
            return
        relative = os.fsdecode(output.relative_to(self.outdir))
        line = json.dumps({"key": key, "output": relative, "sha256": hashlib.sha256(data).hexdigest(),
                           "entry": without_values(entry)}, ensure_ascii=False)
        self.outdir.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, line.encode("utf-8", "backslashreplace") + b"\n")
            os.fsync(fd)
        finally:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        self.done[key] = Done(relative, hashlib.sha256(data).hexdigest(), without_values(entry))


_KEPT = ("status", "width", "height", "notes", "dark", "low_confidence", "needs_review")


def without_values(entry: dict[str, Any]) -> dict[str, Any]:
    """A report entry reduced to what may sit beside published files: no paths, values or words."""
    kept = {k: entry[k] for k in _KEPT if k in entry}
    kept["findings"] = [{k: f.get(k) for k in ("group", "kind", "risk")} for f in entry.get("findings", [])]
    kept["regions"] = [{k: v for k, v in r.items() if k != "text"} for r in entry.get("regions", [])]
    return kept
