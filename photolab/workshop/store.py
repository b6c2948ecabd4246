"""Workshop storage: rounds, participants and answer sheets in the review records' SQLite file.

The tables sit beside the review records (``photolab.review.store``: connect, transaction, migrations,
WAL), as component "workshop". Each write is one ``BEGIN IMMEDIATE`` transaction, so concurrent
participants queue on the database lock instead of overwriting each other's answers; every answer is
saved as it is given, so a reload resumes where the participant was.

Privacy: a participant is anonymous ("Participant 3") unless they tick the opt-in; otherwise the name
is dropped before it reaches the database. Deleting a round overwrites its rows (``secure_delete``) and
empties the write-ahead log, see :meth:`WorkshopStore.delete_round`.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from photolab.review.store import (
    Migration,
    connect,
    default_db_path,
    ensure_schema,
    retry_locked,
    transaction,
)
from photolab.workshop.scenarios import Box
from photolab.workshop.texts import DECISIONS, WorkshopError, error_text, supported

JOIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read off a projector
JOIN_CODE_LENGTH = 6
SCRUB_WAIT_S = 2.0  # how long a delete waits for readers before finishing in the background
SCRUB_BACKGROUND_S = 600.0

WORKSHOP_MIGRATIONS: list[Migration] = [
    # version 1 (append new versions; never edit a released one)
    """
CREATE TABLE workshop_rounds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL UNIQUE,
    admin_key TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    scenario_ids TEXT NOT NULL,
    created_at REAL NOT NULL,
    open INTEGER NOT NULL DEFAULT 1,
    takeaways TEXT NOT NULL DEFAULT ''
);
CREATE TABLE workshop_participants (
    token TEXT PRIMARY KEY,
    round_id INTEGER NOT NULL REFERENCES workshop_rounds(id),
    number INTEGER NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    lang TEXT NOT NULL DEFAULT 'en',
    position INTEGER NOT NULL DEFAULT 0,
    joined_at REAL NOT NULL,
    UNIQUE (round_id, number)
);
CREATE TABLE workshop_submissions (
    token TEXT NOT NULL REFERENCES workshop_participants(token),
    scenario_id TEXT NOT NULL,
    boxes TEXT NOT NULL DEFAULT '[]',
    answers TEXT NOT NULL DEFAULT '{}',
    caption TEXT NOT NULL DEFAULT '',
    decision TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL DEFAULT '',
    submitted_at REAL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (token, scenario_id)
);
CREATE TABLE workshop_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
""",
    # version 2: what the projector shows (the scenario, and whether its results are revealed)
    """
ALTER TABLE workshop_rounds ADD COLUMN shown TEXT NOT NULL DEFAULT '';
ALTER TABLE workshop_rounds ADD COLUMN revealed INTEGER NOT NULL DEFAULT 0;
""",
]


@dataclass(frozen=True)
class Round:
    id: int
    code: str
    admin_key: str
    title: str
    scenario_ids: tuple[str, ...]
    created_at: float
    open: bool
    takeaways: str = ""
    shown: str = ""  # scenario on the projector ("" = the first)
    revealed: bool = False  # the projector shows the shown scenario's results (and so its answer key)

    @property
    def shown_scenario(self) -> str:
        return self.shown if self.shown in self.scenario_ids else self.scenario_ids[0]


@dataclass(frozen=True)
class Participant:
    token: str
    round_id: int
    number: int  # join order within the round, for the anonymous label
    name: str  # empty unless the participant opted in
    lang: str
    position: int  # index of the scenario they are on; == len(scenarios) when finished

    def label(self, anonymous_word: str = "Participant") -> str:
        return self.name or f"{anonymous_word} {self.number}"


@dataclass
class Submission:
    """A participant's work on one scenario, saved as they go; ``submitted_at`` is set on submit."""

    token: str
    scenario_id: str
    boxes: list[dict[str, Any]] = field(default_factory=list)  # {"box": [x, y, w, h], "label": str}
    answers: dict[str, str] = field(default_factory=dict)
    caption: str = ""
    decision: str = ""
    reason: str = ""
    submitted_at: float | None = None
    updated_at: float = 0.0

    def marked_boxes(self) -> list[Box]:
        return [tuple(int(v) for v in b["box"]) for b in self.boxes]  # type: ignore[misc]


@dataclass(frozen=True)
class DeleteOutcome:
    """``complete``: the deleted text is gone from the database file and its write-ahead log.

    When a reader keeps the log busy beyond :data:`SCRUB_WAIT_S`, the rows are deleted (no query finds
    them) but their old copies stay in the files until that reader stops; a background thread finishes
    the job then (``WorkshopStore.wait_scrubbed``)."""

    complete: bool


class WorkshopStore:
    """Rounds, participants and submissions in SQLite (WAL), one short connection per operation."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else default_db_path()
        self._scrubbed = threading.Event()
        self._scrubbed.set()
        with connect(self.path) as conn:
            retry_locked(lambda: ensure_schema(conn, "workshop", WORKSHOP_MIGRATIONS))

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with connect(self.path) as conn, transaction(conn):
            yield conn

    def _read(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with connect(self.path) as conn:
            return conn.execute(sql, args).fetchall()

    def secret(self, key: str) -> str:
        """A random value created once per database (e.g. the key that encrypts browser state)."""
        with self._tx() as db:
            row = db.execute("SELECT value FROM workshop_meta WHERE key = ?", (key,)).fetchone()
            if row:
                return str(row["value"])
            value = secrets.token_urlsafe(32)
            db.execute("INSERT INTO workshop_meta (key, value) VALUES (?, ?)", (key, value))
            return value

    # ---- rounds

    def create_round(self, scenario_ids: Sequence[str], title: str = "") -> Round:
        if not scenario_ids:
            raise WorkshopError("no_scenarios")
        with self._tx() as db:
            code = _free_code(db)
            cur = db.execute(
                "INSERT INTO workshop_rounds (code, admin_key, title, scenario_ids, created_at)"
                " VALUES (?,?,?,?,?)",
                (code, secrets.token_urlsafe(24), title.strip(), json.dumps(list(scenario_ids)), time.time()),
            )
            round_id = cur.lastrowid
        return self.round_by_id(int(round_id or 0))

    def round_by_id(self, round_id: int) -> Round:
        return self._one_round("id", round_id)

    def round_by_code(self, code: str) -> Round:
        return self._one_round("code", normalise_code(code), "unknown_code")

    def round_by_admin_key(self, admin_key: str) -> Round:
        return self._one_round("admin_key", admin_key or "")

    def _one_round(self, column: str, value: Any, error: str = "unknown_round") -> Round:
        rows = self._read(f"SELECT * FROM workshop_rounds WHERE {column} = ?", (value,))
        if not rows:
            raise WorkshopError(error)
        return _round(rows[0])

    def set_open(self, round_id: int, is_open: bool) -> None:
        self._update_round(round_id, "open", int(is_open))

    def set_takeaways(self, round_id: int, text: str) -> None:
        self._update_round(round_id, "takeaways", text.strip())

    def set_projection(
        self, round_id: int, *, shown: str | None = None, revealed: bool | None = None
    ) -> None:
        """What the projector shows: which scenario, and whether its results (the answer key) are out."""
        if shown is not None:
            self._update_round(round_id, "shown", shown)
        if revealed is not None:
            self._update_round(round_id, "revealed", int(revealed))

    def _update_round(self, round_id: int, column: str, value: Any) -> None:
        with self._tx() as db:
            db.execute(f"UPDATE workshop_rounds SET {column} = ? WHERE id = ?", (value, round_id))

    def delete_round(self, round_id: int, wait_s: float = SCRUB_WAIT_S) -> DeleteOutcome:
        """Forget a round entirely: its answers, its participants (and any names), the round itself.

        Deleted rows are overwritten (``secure_delete``); then the write-ahead log is copied into the
        database and truncated, which also overwrites the old pages in the main file. A reader in the
        middle of a read (a dashboard refresh) blocks that step: it is retried for ``wait_s`` seconds,
        then by a background thread until the reader has gone (see :class:`DeleteOutcome`).
        """
        with connect(self.path) as db:
            db.execute("PRAGMA secure_delete = ON")
            with transaction(db):
                tokens = "SELECT token FROM workshop_participants WHERE round_id = ?"
                db.execute(f"DELETE FROM workshop_submissions WHERE token IN ({tokens})", (round_id,))
                db.execute("DELETE FROM workshop_participants WHERE round_id = ?", (round_id,))
                db.execute("DELETE FROM workshop_rounds WHERE id = ?", (round_id,))
            if _checkpoint_until(db, time.monotonic() + wait_s):
                return DeleteOutcome(complete=True)
        self._scrubbed.clear()
        threading.Thread(target=self._scrub_later, name="photolab-workshop-scrub", daemon=True).start()
        return DeleteOutcome(complete=False)

    def _scrub_later(self) -> None:
        try:
            with connect(self.path) as db:
                _checkpoint_until(db, time.monotonic() + SCRUB_BACKGROUND_S)
        finally:
            self._scrubbed.set()

    def wait_scrubbed(self, timeout_s: float | None = None) -> bool:
        """Wait for a delete that finished in the background; True once the files hold no deleted text."""
        return self._scrubbed.wait(timeout_s)

    # ---- participants

    def join(self, code: str, *, name: str = "", share_name: bool = False, lang: str = "en") -> Participant:
        rnd = self.round_by_code(code)
        if not rnd.open:
            raise WorkshopError("round_closed")
        token = secrets.token_urlsafe(24)
        kept_name = name.strip()[:80] if share_name else ""  # never stored without the opt-in
        with self._tx() as db:
            number = db.execute(
                "SELECT COALESCE(MAX(number), 0) + 1 FROM workshop_participants WHERE round_id = ?", (rnd.id,)
            ).fetchone()[0]
            db.execute(
                "INSERT INTO workshop_participants (token, round_id, number, name, lang, joined_at)"
                " VALUES (?,?,?,?,?,?)",
                (token, rnd.id, number, kept_name, supported(lang), time.time()),
            )
        return self.participant(token)

    def participant(self, token: str) -> Participant:
        rows = self._read("SELECT * FROM workshop_participants WHERE token = ?", (token or "",))
        if not rows:
            raise WorkshopError("unknown_participant")
        return _participant(rows[0])

    def participants(self, round_id: int) -> list[Participant]:
        rows = self._read(
            "SELECT * FROM workshop_participants WHERE round_id = ? ORDER BY number", (round_id,)
        )
        return [_participant(r) for r in rows]

    def set_lang(self, token: str, lang: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE workshop_participants SET lang = ? WHERE token = ?", (supported(lang), token))

    def set_position(self, token: str, position: int) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE workshop_participants SET position = ? WHERE token = ?", (max(0, position), token)
            )

    # ---- answer sheets

    def submission(self, token: str, scenario_id: str) -> Submission:
        rows = self._read(
            "SELECT * FROM workshop_submissions WHERE token = ? AND scenario_id = ?", (token, scenario_id)
        )
        return _submission(rows[0]) if rows else Submission(token=token, scenario_id=scenario_id)

    def save_progress(
        self,
        token: str,
        scenario_id: str,
        *,
        boxes: Sequence[dict[str, Any]] | None = None,
        answers: dict[str, str | None] | None = None,
        caption: str | None = None,
        decision: str | None = None,
        reason: str | None = None,
    ) -> Submission:
        """Save what the participant has done so far; ``None`` fields are left as they were.

        Answers are merged key by key, so two events saving different questions never undo each other.
        """
        participant = self.participant(token)
        rnd = self.round_by_id(participant.round_id)
        if scenario_id not in rnd.scenario_ids:
            raise WorkshopError("not_in_round")
        if decision not in (None, "", *DECISIONS):
            raise WorkshopError("unknown_decision")
        with self._tx() as db:
            row = db.execute(
                "SELECT * FROM workshop_submissions WHERE token = ? AND scenario_id = ?", (token, scenario_id)
            ).fetchone()
            sub = _submission(row) if row else Submission(token=token, scenario_id=scenario_id)
            _apply(sub, boxes, answers, caption, decision, reason)
            db.execute(
                "INSERT OR REPLACE INTO workshop_submissions"
                " (token, scenario_id, boxes, answers, caption, decision, reason, submitted_at, updated_at)"
                " VALUES (?,?,?,?,?,?,?,?,?)",
                (
                    token,
                    scenario_id,
                    json.dumps(sub.boxes),
                    json.dumps(sub.answers, sort_keys=True),
                    sub.caption,
                    sub.decision,
                    sub.reason,
                    sub.submitted_at,
                    sub.updated_at,
                ),
            )
        return sub

    def submit(self, token: str, scenario_id: str, question_ids: Sequence[str]) -> Submission:
        """Mark a scenario as submitted once it is complete, and move the participant to the next one."""
        participant = self.participant(token)
        rnd = self.round_by_id(participant.round_id)
        if not rnd.open:
            raise WorkshopError("round_closed")
        sub = self.submission(token, scenario_id)
        missing = _problems(sub, question_ids)
        if missing:
            raise WorkshopError(missing[0][0], **missing[0][1])
        now = time.time()
        next_position = rnd.scenario_ids.index(scenario_id) + 1
        with self._tx() as db:
            db.execute(
                "UPDATE workshop_submissions SET submitted_at = ?, updated_at = ?"
                " WHERE token = ? AND scenario_id = ?",
                (now, now, token, scenario_id),
            )
            db.execute(
                "UPDATE workshop_participants SET position = MAX(position, ?) WHERE token = ?",
                (next_position, token),
            )
        sub.submitted_at = now
        return sub

    def submissions(self, round_id: int, *, submitted_only: bool = True) -> list[Submission]:
        sql = (
            "SELECT s.* FROM workshop_submissions s JOIN workshop_participants p ON p.token = s.token"
            " WHERE p.round_id = ?"
        )
        if submitted_only:
            sql += " AND s.submitted_at IS NOT NULL"
        return [_submission(r) for r in self._read(sql + " ORDER BY p.number, s.scenario_id", (round_id,))]


# ------------------------------------------------------------------------------------------ helpers


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def _free_code(db: sqlite3.Connection) -> str:
    for _ in range(50):
        code = "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
        if not db.execute("SELECT 1 FROM workshop_rounds WHERE code = ?", (code,)).fetchone():
            return code
    raise RuntimeError("no free join code after 50 draws")


def _checkpoint_until(db: sqlite3.Connection, deadline: float) -> bool:
    """Copy the write-ahead log into the database and truncate it; True once nothing is left in it."""
    pause = 0.02
    while True:
        try:
            busy, log_frames, _copied = db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        except sqlite3.OperationalError:
            busy, log_frames = 1, -1
        if busy == 0 and log_frames in (0, -1):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(pause)
        pause = min(0.25, pause * 2)


def _round(row: sqlite3.Row) -> Round:
    return Round(
        id=row["id"],
        code=row["code"],
        admin_key=row["admin_key"],
        title=row["title"],
        scenario_ids=tuple(json.loads(row["scenario_ids"])),
        created_at=row["created_at"],
        open=bool(row["open"]),
        takeaways=row["takeaways"],
        shown=row["shown"],
        revealed=bool(row["revealed"]),
    )


def _participant(row: sqlite3.Row) -> Participant:
    return Participant(
        token=row["token"],
        round_id=row["round_id"],
        number=row["number"],
        name=row["name"],
        lang=row["lang"],
        position=row["position"],
    )


def _submission(row: sqlite3.Row) -> Submission:
    return Submission(
        token=row["token"],
        scenario_id=row["scenario_id"],
        boxes=json.loads(row["boxes"]),
        answers=json.loads(row["answers"]),
        caption=row["caption"],
        decision=row["decision"],
        reason=row["reason"],
        submitted_at=row["submitted_at"],
        updated_at=row["updated_at"],
    )


def _apply(
    sub: Submission,
    boxes: Sequence[dict[str, Any]] | None,
    answers: dict[str, str | None] | None,
    caption: str | None,
    decision: str | None,
    reason: str | None,
) -> None:
    if boxes is not None:
        sub.boxes = [_clean_box(b) for b in boxes]
    for key, value in (answers or {}).items():
        if value:
            sub.answers[str(key)] = str(value)
        else:
            sub.answers.pop(str(key), None)
    if caption is not None:
        sub.caption = caption.strip()[:2000]
    if decision is not None:
        sub.decision = decision
    if reason is not None:
        sub.reason = reason.strip()[:2000]
    sub.updated_at = time.time()


def _clean_box(b: dict[str, Any]) -> dict[str, Any]:
    x, y, w, h = (round(float(v)) for v in b["box"])
    if w < 0:
        x, w = x + w, -w
    if h < 0:
        y, h = y + h, -h
    return {"box": [x, y, w, h], "label": str(b.get("label", "other"))[:40]}


def _problems(sub: Submission, question_ids: Sequence[str]) -> list[tuple[str, dict[str, Any]]]:
    problems: list[tuple[str, dict[str, Any]]] = []
    unanswered = [q for q in question_ids if not sub.answers.get(q)]
    if unanswered:
        problems.append(("answer_all", {"n": len(unanswered)}))
    if sub.decision not in DECISIONS:
        problems.append(("choose_decision", {}))
    if not sub.reason:
        problems.append(("give_reason", {}))
    if sub.decision in ("publish", "publish_with_changes") and not sub.caption:
        problems.append(("write_caption", {}))
    return problems


def submission_problems(sub: Submission, question_ids: Sequence[str], lang: str = "en") -> list[str]:
    """What is still missing before a scenario can be submitted (empty when complete)."""
    return [error_text(key, lang, **params) for key, params in _problems(sub, question_ids)]
