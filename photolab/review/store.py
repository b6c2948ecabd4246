"""SQLite storage shared by review records and workshop rounds: one private file, WAL, migrations.

Storage
-------
``RecordStore(path)`` keeps records in one SQLite file: ``path``, else ``$PHOTOLAB_DB``, else
``$XDG_DATA_HOME/photolab/photolab.sqlite3`` (``~/.local/share/photolab/photolab.sqlite3``). Each call opens
its own connection (WAL journal, busy timeout), so a store can be shared by threads and processes.

Sharing the database with other parts (the workshop)
----------------------------------------------------
Other modules add their own tables to the same file with two helpers::

    from photolab.review.store import connect, ensure_schema, default_db_path, transaction

    WORKSHOP_MIGRATIONS = [
        # version 1
        '''CREATE TABLE rounds (id TEXT PRIMARY KEY, created_at TEXT NOT NULL);
           CREATE TABLE submissions (id TEXT PRIMARY KEY, round_id TEXT REFERENCES rounds(id),
                                     payload TEXT NOT NULL);''',
        # version 2 (append, never edit a released entry)
        "ALTER TABLE rounds ADD COLUMN title TEXT;",
    ]
    with connect(path) as conn:                 # closes the connection at the end
        ensure_schema(conn, "workshop", WORKSHOP_MIGRATIONS)
        with transaction(conn):                 # BEGIN IMMEDIATE ... COMMIT / ROLLBACK
            conn.execute("INSERT INTO rounds VALUES (?, ?)", (rid, now))

``retry_locked(fn)`` reruns a whole operation if SQLite reports "database is locked" without waiting
(rare, seen only under heavy load while a new file is being set up).

``ensure_schema`` applies the migrations a component has not seen yet, in one write transaction, and
tracks each component's version in the ``schema_migrations`` table. ``PRAGMA user_version`` holds the
version of that shared layout itself (``LAYOUT_VERSION``). Each migration is a string of SQL statements
(each ending at the end of a line) or a callable taking the connection.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sqlite3
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from photolab import config
from photolab.review.record import ReviewRecord

LAYOUT_VERSION = 1
Migration = str | Callable[[sqlite3.Connection], None]




def default_db_path() -> Path:
    """``$PHOTOLAB_DB``, else the user data directory."""
    settings = config.settings()
    return settings.db or settings.data_home / "photolab" / "photolab.sqlite3"


_INIT_LOCK = threading.Lock()
_WAL_READY: set[Path] = set()
LOCK_RETRIES = 5


@contextlib.contextmanager
def connect(path: Path | None = None, timeout_s: float = 30.0) -> Iterator[sqlite3.Connection]:
    """A fresh connection (WAL, busy timeout, foreign keys, rows by name), closed on exit.

    Autocommit mode: group writes with ``transaction(conn)``. The file and its folder are created private
    to the user, since they describe sensitive material.
    """
    path = Path(path) if path is not None else default_db_path()
    _prepare_file(path, timeout_s)
    conn = _open(path, timeout_s)
    try:
        yield conn
    finally:
        conn.close()


def _open(path: Path, timeout_s: float) -> sqlite3.Connection:
    conn = sqlite3.connect(path, timeout=timeout_s, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout = {int(timeout_s * 1000)}")
    conn.execute("PRAGMA foreign_keys = ON")
    return conn


def _prepare_file(path: Path, timeout_s: float) -> None:
    """Create the file (mode 0600) and switch it to WAL once per process, one thread at a time.

    Switching the journal mode needs an exclusive lock; doing it while other threads of this process open
    the same new file is where "database is locked" came from under load.
    """
    key = path.absolute()
    if key in _WAL_READY and path.exists():
        return
    with _INIT_LOCK:
        if key in _WAL_READY and path.exists():
            return
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            with contextlib.suppress(FileExistsError):
                os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        for attempt in range(LOCK_RETRIES):
            conn = _open(path, timeout_s)
            try:
                if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    conn.execute("PRAGMA journal_mode = WAL")
                break
            except sqlite3.OperationalError as exc:
                if not _is_locked(exc) or attempt == LOCK_RETRIES - 1:
                    raise
                time.sleep(0.05 * 2**attempt)
            finally:
                conn.close()
        _WAL_READY.add(key)


def _is_locked(exc: sqlite3.OperationalError) -> bool:
    return "locked" in str(exc) or "busy" in str(exc)


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """``BEGIN IMMEDIATE`` (take the write lock up front, so no deadlock on upgrade) ... COMMIT/ROLLBACK."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def ensure_schema(conn: sqlite3.Connection, component: str, migrations: Sequence[Migration]) -> int:
    """Apply the migrations ``component`` has not seen yet; return its schema version afterwards."""
    with transaction(conn):
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations "
            "(component TEXT PRIMARY KEY, version INTEGER NOT NULL)"
        )
        if conn.execute("PRAGMA user_version").fetchone()[0] < LAYOUT_VERSION:
            conn.execute(f"PRAGMA user_version = {LAYOUT_VERSION}")
        row = conn.execute(
            "SELECT version FROM schema_migrations WHERE component = ?", (component,)
        ).fetchone()
        current = row[0] if row else 0
        if current > len(migrations):
            raise RuntimeError(f"database schema of {component!r} is newer ({current}) than this photolab")
        for migration in migrations[current:]:
            if callable(migration):
                migration(conn)
            else:
                for statement in _statements(migration):
                    conn.execute(statement)
        conn.execute(
            "INSERT INTO schema_migrations (component, version) VALUES (?, ?) "
            "ON CONFLICT(component) DO UPDATE SET version = excluded.version",
            (component, len(migrations)),
        )
    return len(migrations)


def _statements(script: str) -> Iterator[str]:
    """Split SQL into statements at line ends (``sqlite3.complete_statement`` handles quotes and triggers)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip().strip(";").strip():
                yield buffer
            buffer = ""
    if buffer.strip():
        raise ValueError(f"incomplete SQL statement in migration: {buffer.strip()[:80]!r}")


# ----------------------------------------------------------------------------------------- records

RECORD_MIGRATIONS: list[Migration] = [
    """
    CREATE TABLE review_records (
        id TEXT PRIMARY KEY,
        created_at TEXT NOT NULL,
        reviewer TEXT NOT NULL,
        input_name TEXT,
        decision TEXT NOT NULL CHECK (decision IN ('approved', 'refused')),
        original_sha256 TEXT NOT NULL,
        output_sha256 TEXT NOT NULL,
        checklist_language TEXT NOT NULL,
        record_json TEXT NOT NULL
    );
    CREATE INDEX review_records_created ON review_records (created_at);
    """,
]


@dataclass(frozen=True)
class RecordSummary:
    record_id: str
    created_at: str
    reviewer: str
    input_name: str | None
    decision: str
    output_sha256: str


CSV_COLUMNS = (
    "record_id",
    "created_at",
    "reviewer",
    "tool_version",
    "input_name",
    "original_sha256",
    "output_sha256",
    "output_format",
    "output_width",
    "output_height",
    "output_bytes",
    "checklist_language",
    "checklist_version",
    "decision",
    "reasons",
    "caption",
    "alt_text",
    "findings_removed",
    "regions",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class RecordStore:
    """Review records in SQLite. Safe to share between threads: every call uses its own connection."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_db_path()
        self._ready = False
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        with connect(self.path) as conn:
            if not self._ready:
                with self._lock:
                    if not self._ready:
                        retry_locked(lambda: ensure_schema(conn, "records", RECORD_MIGRATIONS))
                        self._ready = True
            yield conn

    def save(self, record: ReviewRecord) -> str:
        retry_locked(lambda: self._insert(record))
        return record.record_id

    def _insert(self, record: ReviewRecord) -> None:
        with self._connect() as conn, transaction(conn):
            conn.execute(
                "INSERT INTO review_records (id, created_at, reviewer, input_name, decision, "
                "original_sha256, output_sha256, checklist_language, record_json) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.record_id,
                    record.created_at,
                    record.reviewer,
                    record.input_name,
                    record.decision,
                    record.original_sha256,
                    record.output_sha256,
                    record.checklist_language,
                    record.to_json(indent=None),
                ),
            )

    def get(self, record_id: str) -> ReviewRecord | None:
        with self._connect() as conn:
            row = conn.execute("SELECT record_json FROM review_records WHERE id = ?", (record_id,)).fetchone()
        return ReviewRecord.from_json(row[0]) if row else None

    def list(self, limit: int = 100, offset: int = 0) -> list[RecordSummary]:
        """Newest first."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT id, created_at, reviewer, input_name, decision, output_sha256 FROM review_records "
                "ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?",
                (int(limit), int(offset)),
            ).fetchall()
        return [RecordSummary(*tuple(r)) for r in rows]

    def count(self) -> int:
        with self._connect() as conn:
            return int(conn.execute("SELECT COUNT(*) FROM review_records").fetchone()[0])

    def all(self) -> list[ReviewRecord]:
        """Oldest first, the order of the exports."""
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT record_json FROM review_records ORDER BY created_at, rowid"
            ).fetchall()
        return [ReviewRecord.from_json(r[0]) for r in rows]

    def export_json(self, path: Path | None = None) -> str:
        """All records as a JSON array; written to ``path`` (atomically) when given. Returns the text."""
        text = json.dumps([r.to_dict() for r in self.all()], ensure_ascii=False, indent=2) + "\n"
        if path is not None:
            _write_atomic(Path(path), text)
        return text

    def export_csv(self, path: Path | None = None) -> str:
        """One row per record: the summary fields, then one ``answer:<id>`` and ``justification:<id>`` column
        per question. Cells that a spreadsheet would run as a formula are prefixed with a quote."""
        records = self.all()
        question_ids: list[str] = []
        for r in records:
            question_ids += [a.question_id for a in r.answers if a.question_id not in question_ids]
        header = [
            *CSV_COLUMNS,
            *(f"answer:{q}" for q in question_ids),
            *(f"justification:{q}" for q in question_ids),
        ]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(header)
        for r in records:
            d = r.to_dict()
            row: dict[str, Any] = {c: d.get(c) for c in CSV_COLUMNS}
            row["reasons"] = "; ".join(r.reasons)
            row["findings_removed"] = "; ".join(f.describe() for f in r.findings_removed)
            row["regions"] = json.dumps(d["regions"], ensure_ascii=False, separators=(",", ":"))
            for a in r.answers:
                row[f"answer:{a.question_id}"] = a.option_id
                row[f"justification:{a.question_id}"] = a.justification
            writer.writerow([_csv_safe(row.get(col)) for col in header])
        text = buffer.getvalue()
        if path is not None:
            _write_atomic(Path(path), text)
        return text


def retry_locked(operation: Callable[[], Any]) -> Any:
    """Run ``operation``; on "database is locked" (which SQLite can report without waiting in a few
    WAL corner cases) wait a little and run it again. Each attempt is a whole transaction."""
    for attempt in range(LOCK_RETRIES):
        try:
            return operation()
        except sqlite3.OperationalError as exc:
            if not _is_locked(exc) or attempt == LOCK_RETRIES - 1:
                raise
            time.sleep(0.05 * 2**attempt)
    raise AssertionError("unreachable")


def _csv_safe(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".photolab-", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
