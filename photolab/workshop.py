"""Photo Lab workshop: rounds, participants, submissions, scoring, aggregation, prompts and exports.

A facilitator creates a *round* over a few scenarios (``samples/scenarios.yaml`` + ``samples/hazards.json``)
and shows its join code. Each participant joins with the code, gets a secret *token* (kept in their
browser so a reload resumes), marks boxes on each scenario image, answers a few framing and consent
questions, writes a caption and decides: publish, publish with changes, or do not publish, with a reason.
Everything is saved server-side as they go, in SQLite tables next to the review records (same file, WAL).

Scoring a participant's boxes against the scenario's hazards (the ground truth):

- a marked box *finds* a hazard when
  1. their intersection over union is at least 0.3, or
  2. the hazard's centre lies inside the marked box and the marked box is at most 4 times the hazard's
     area (a generous box drawn around it; the cap stops one box over the whole image finding everything), or
  3. the marked box's centre lies inside the hazard (a tight box on its core, e.g. only the name on a sign);
- one marked box may find several hazards (one box over a door sign covers name and room number);
- a hazard no marked box finds is *missed*; a marked box that finds no hazard is *extra*.
The label a participant gives a box is recorded but does not affect matching.

Privacy: participants are anonymous by default ("Participant 3"). A name is stored only when the
participant ticks the opt-in; otherwise it is dropped before it reaches the database.
"""

from __future__ import annotations

import csv
import html
import io
import json
import math
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from photolab.errors import PhotoLabError
from photolab.regions import iou
from photolab.review.store import Migration, connect, default_db_path, ensure_schema, transaction

Box = tuple[int, int, int, int]

LANGS: tuple[str, ...] = ("en", "fr", "es")
DECISIONS: tuple[str, ...] = ("publish", "publish_with_changes", "do_not_publish")
MATCH_IOU = 0.3
MATCH_MAX_AREA_RATIO = 4.0
JOIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: codes are read off a projector
JOIN_CODE_LENGTH = 6
TEXTS_DIR = Path(__file__).resolve().parent / "ui" / "workshop_i18n"


class WorkshopError(PhotoLabError):
    """A workshop action that cannot be done (unknown code, closed round, incomplete submission).

    ``key`` and ``params`` name the message in the ``errors`` section of the workshop strings, so the UI
    can show it in the participant's language; ``message`` is the English text.
    """

    def __init__(self, key: str, **params: Any) -> None:
        self.key, self.params = key, params
        super().__init__(error_text(key, "en", **params))

    def text(self, lang: str) -> str:
        return error_text(self.key, lang, **self.params)


def error_text(key: str, lang: str, **params: Any) -> str:
    return str(load_texts(lang)["errors"][key]).format(**params)


# --------------------------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Hazard:
    """One identifying element of a scenario image: the ground truth participants should spot."""

    id: str
    kind: str
    label: str
    box: Box
    must_redact: bool = True
    labels: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def label_in(self, lang: str) -> str:
        return self.labels.get(lang) or self.label


@dataclass(frozen=True)
class Scenario:
    id: str
    image: Path
    title: dict[str, str]
    brief: dict[str, str]
    learning_points: dict[str, list[str]]
    discussion_prompts: dict[str, list[str]]
    hazards: tuple[Hazard, ...]
    suggested_decision: str = ""  # a starting point for the debrief, not the answer

    def text(self, what: str, lang: str) -> Any:
        values = getattr(self, what)
        return values.get(lang) or values.get("en") or next(iter(values.values()), "")


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    options: tuple[tuple[str, str], ...]  # (value, label)


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


# ------------------------------------------------------------------------------------ localised data


def _localised_text(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return {"en": "" if value is None else str(value)}


def _localised_list(value: Any) -> dict[str, list[str]]:
    """Accept ``{en: [...], fr: [...]}``, ``[{en:..., fr:...}, ...]`` or a plain list of strings."""
    if isinstance(value, dict):
        return {str(k): [str(x) for x in (v if isinstance(v, list) else [v])] for k, v in value.items()}
    out: dict[str, list[str]] = {}
    for item in value or []:
        for lang, text in _localised_text(item).items():
            out.setdefault(lang, []).append(text)
    return out


def _hazard_entries(data: Any, image_name: str, scenario_id: str) -> list[dict[str, Any]]:
    """Find the hazards of one image in hazards.json, whichever reasonable layout it uses."""
    if isinstance(data, dict):
        for key in ("images", "scenarios"):
            if key in data:
                return _hazard_entries(data[key], image_name, scenario_id)
        for key in (image_name, Path(image_name).name, Path(image_name).stem, scenario_id):
            if key in data:
                entry = data[key]
                return entry.get("hazards", []) if isinstance(entry, dict) else list(entry)
        return []
    for entry in data or []:
        names = {
            str(entry.get("image", "")),
            Path(str(entry.get("image", ""))).name,
            str(entry.get("id", "")),
        }
        if names & {image_name, Path(image_name).name, scenario_id}:
            return list(entry.get("hazards", []))
    return []


def load_scenarios(samples_dir: Path | None = None) -> list[Scenario]:
    """Read the shipped scenarios and their hazards (ground truth)."""
    samples_dir = samples_dir or default_samples_dir()
    if not (samples_dir / "scenarios.yaml").is_file() or not (samples_dir / "hazards.json").is_file():
        raise WorkshopError("no_samples", path=str(samples_dir))
    spec = yaml.safe_load((samples_dir / "scenarios.yaml").read_text(encoding="utf-8"))
    entries = spec.get("scenarios", spec) if isinstance(spec, dict) else spec
    hazards_data = json.loads((samples_dir / "hazards.json").read_text(encoding="utf-8"))
    scenarios = []
    for e in entries:
        image_name = str(e["image"])
        hazards = tuple(
            Hazard(
                id=str(h["id"]),
                kind=str(h.get("kind", "other")),
                label=str(h.get("label", h["id"])),
                box=tuple(round(v) for v in h["box"]),  # type: ignore[arg-type]
                must_redact=bool(h.get("must_redact", True)),
                labels={str(k): str(v) for k, v in (h.get("labels") or {}).items()},
            )
            for h in _hazard_entries(hazards_data, image_name, str(e["id"]))
        )
        scenarios.append(
            Scenario(
                id=str(e["id"]),
                image=(samples_dir / image_name).resolve(),
                title=_localised_text(e.get("title", e["id"])),
                brief=_localised_text(e.get("brief", "")),
                learning_points=_localised_list(e.get("learning_points", [])),
                discussion_prompts=_localised_list(e.get("discussion_prompts", [])),
                suggested_decision=str(e.get("suggested_decision", "") or ""),
                hazards=hazards,
            )
        )
    return scenarios


def default_samples_dir() -> Path:
    env = os.environ.get("PHOTOLAB_SAMPLES")
    return Path(env) if env else Path(__file__).resolve().parents[1] / "samples"


@lru_cache(maxsize=8)
def load_texts(lang: str) -> dict[str, Any]:
    """UI strings, exercise questions, decisions and prompt templates for one language (en fallback).

    Cached: treat the returned dict as read-only."""
    base = yaml.safe_load((TEXTS_DIR / "en.yaml").read_text(encoding="utf-8"))
    if lang != "en" and (TEXTS_DIR / f"{lang}.yaml").exists():
        _deep_update(base, yaml.safe_load((TEXTS_DIR / f"{lang}.yaml").read_text(encoding="utf-8")))
    return base


def _deep_update(base: dict[str, Any], other: dict[str, Any]) -> None:
    for k, v in other.items():
        if isinstance(v, dict) and isinstance(base.get(k), dict):
            _deep_update(base[k], v)
        else:
            base[k] = v


@lru_cache(maxsize=8)
def load_questions(lang: str) -> tuple[Question, ...]:
    """The framing and consent questions of the exercise (a subset of the review checklist's themes)."""
    texts = load_texts(lang)
    return tuple(
        Question(id=q["id"], text=q["text"], options=tuple((str(k), str(v)) for k, v in q["options"].items()))
        for q in texts["questions"]
    )


# ------------------------------------------------------------------------------------------ scoring


@dataclass(frozen=True)
class BoxScore:
    found: tuple[str, ...]
    missed: tuple[str, ...]
    extra: tuple[Box, ...]
    must_found: int
    must_total: int

    @property
    def recall(self) -> float:
        return self.must_found / self.must_total if self.must_total else 1.0


def _inside(point: tuple[float, float], box: Box) -> bool:
    return box[0] <= point[0] <= box[0] + box[2] and box[1] <= point[1] <= box[1] + box[3]


def _centre(box: Box) -> tuple[float, float]:
    return (box[0] + box[2] / 2, box[1] + box[3] / 2)


def box_finds_hazard(marked: Box, hazard: Box) -> bool:
    """The matching rule documented in the module docstring."""
    if marked[2] <= 0 or marked[3] <= 0:
        return False
    if iou(marked, hazard) >= MATCH_IOU:
        return True
    hazard_area = max(1, hazard[2] * hazard[3])
    if _inside(_centre(hazard), marked) and marked[2] * marked[3] <= MATCH_MAX_AREA_RATIO * hazard_area:
        return True
    return _inside(_centre(marked), hazard)


def score_boxes(marked: Sequence[Box], hazards: Sequence[Hazard]) -> BoxScore:
    found = [h for h in hazards if any(box_finds_hazard(m, h.box) for m in marked)]
    found_ids = {h.id for h in found}
    extra = tuple(m for m in marked if not any(box_finds_hazard(m, h.box) for h in hazards))
    return BoxScore(
        found=tuple(h.id for h in found),
        missed=tuple(h.id for h in hazards if h.id not in found_ids),
        extra=extra,
        must_found=sum(1 for h in found if h.must_redact),
        must_total=sum(1 for h in hazards if h.must_redact),
    )


# -------------------------------------------------------------------------------------------- store

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
]


class WorkshopStore:
    """Rounds, participants and submissions in SQLite (WAL), one short connection per operation.

    The tables live in the review records' database file (``photolab.review.record``'s ``connect`` and
    migrations helper, component "workshop"). Each write is one ``BEGIN IMMEDIATE`` transaction, so
    concurrent participants (threads of one server) queue on the database lock instead of overwriting
    each other's answers.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else default_db_path()
        with connect(self.path) as conn:
            ensure_schema(conn, "workshop", WORKSHOP_MIGRATIONS)

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with connect(self.path) as conn, transaction(conn):
            yield conn

    def _read(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with connect(self.path) as conn:
            return conn.execute(sql, args).fetchall()

    # ---- meta

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
            for _ in range(50):
                code = "".join(secrets.choice(JOIN_ALPHABET) for _ in range(JOIN_CODE_LENGTH))
                if not db.execute("SELECT 1 FROM workshop_rounds WHERE code = ?", (code,)).fetchone():
                    break
            cur = db.execute(
                "INSERT INTO workshop_rounds (code, admin_key, title, scenario_ids, created_at)"
                " VALUES (?,?,?,?,?)",
                (code, secrets.token_urlsafe(24), title.strip(), json.dumps(list(scenario_ids)), time.time()),
            )
            round_id = cur.lastrowid
        return self.round_by_id(int(round_id or 0))

    @staticmethod
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
        )

    def round_by_id(self, round_id: int) -> Round:
        rows = self._read("SELECT * FROM workshop_rounds WHERE id = ?", (round_id,))
        if not rows:
            raise WorkshopError("unknown_round")
        return self._round(rows[0])

    def round_by_code(self, code: str) -> Round:
        rows = self._read("SELECT * FROM workshop_rounds WHERE code = ?", (normalise_code(code),))
        if not rows:
            raise WorkshopError("unknown_code")
        return self._round(rows[0])

    def round_by_admin_key(self, admin_key: str) -> Round:
        rows = self._read("SELECT * FROM workshop_rounds WHERE admin_key = ?", (admin_key or "",))
        if not rows:
            raise WorkshopError("unknown_round")
        return self._round(rows[0])

    def set_open(self, round_id: int, is_open: bool) -> None:
        with self._tx() as db:
            db.execute("UPDATE workshop_rounds SET open = ? WHERE id = ?", (int(is_open), round_id))

    def set_takeaways(self, round_id: int, text: str) -> None:
        with self._tx() as db:
            db.execute("UPDATE workshop_rounds SET takeaways = ? WHERE id = ?", (text.strip(), round_id))

    def delete_round(self, round_id: int) -> None:
        """Forget a round entirely: its answers, its participants (and any names), the round itself.

        Deleted rows are overwritten (``secure_delete``) and the write-ahead log is checkpointed and
        truncated, so the text does not linger in the database files.
        """
        with connect(self.path) as db:
            db.execute("PRAGMA secure_delete = ON")
            with transaction(db):
                db.execute(
                    "DELETE FROM workshop_submissions WHERE token IN"
                    " (SELECT token FROM workshop_participants WHERE round_id = ?)",
                    (round_id,),
                )
                db.execute("DELETE FROM workshop_participants WHERE round_id = ?", (round_id,))
                db.execute("DELETE FROM workshop_rounds WHERE id = ?", (round_id,))
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

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
                (token, rnd.id, number, kept_name, lang if lang in LANGS else "en", time.time()),
            )
        return self.participant(token)

    @staticmethod
    def _participant(row: sqlite3.Row) -> Participant:
        return Participant(
            token=row["token"],
            round_id=row["round_id"],
            number=row["number"],
            name=row["name"],
            lang=row["lang"],
            position=row["position"],
        )

    def participant(self, token: str) -> Participant:
        rows = self._read("SELECT * FROM workshop_participants WHERE token = ?", (token or "",))
        if not rows:
            raise WorkshopError("unknown_participant")
        return self._participant(rows[0])

    def participants(self, round_id: int) -> list[Participant]:
        rows = self._read(
            "SELECT * FROM workshop_participants WHERE round_id = ? ORDER BY number", (round_id,)
        )
        return [self._participant(r) for r in rows]

    def set_lang(self, token: str, lang: str) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE workshop_participants SET lang = ? WHERE token = ?",
                (lang if lang in LANGS else "en", token),
            )

    def set_position(self, token: str, position: int) -> None:
        with self._tx() as db:
            db.execute(
                "UPDATE workshop_participants SET position = ? WHERE token = ?", (max(0, position), token)
            )

    # ---- submissions

    @staticmethod
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

    def submission(self, token: str, scenario_id: str) -> Submission:
        rows = self._read(
            "SELECT * FROM workshop_submissions WHERE token = ? AND scenario_id = ?", (token, scenario_id)
        )
        return self._submission(rows[0]) if rows else Submission(token=token, scenario_id=scenario_id)

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
            sub = self._submission(row) if row else Submission(token=token, scenario_id=scenario_id)
            if boxes is not None:
                sub.boxes = [_clean_box(b) for b in boxes]
            if answers is not None:
                for k, v in answers.items():
                    if v:
                        sub.answers[str(k)] = str(v)
                    else:
                        sub.answers.pop(str(k), None)
            if caption is not None:
                sub.caption = caption.strip()[:2000]
            if decision is not None:
                sub.decision = decision
            if reason is not None:
                sub.reason = reason.strip()[:2000]
            sub.updated_at = time.time()
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
        return [
            self._submission(r) for r in self._read(sql + " ORDER BY p.number, s.scenario_id", (round_id,))
        ]


def normalise_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


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


# -------------------------------------------------------------------------------------- aggregation


@dataclass(frozen=True)
class HazardResult:
    hazard: Hazard
    found_by: int
    of: int

    @property
    def share(self) -> float:
        return self.found_by / self.of if self.of else 0.0


@dataclass(frozen=True)
class QuestionResult:
    question: Question
    counts: dict[str, int]  # option value -> count, every option present

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def entropy(self) -> float:
        """Normalised answer entropy: 0 when everyone agrees, 1 when answers are spread evenly."""
        return normalised_entropy(self.counts.values(), len(self.counts))


@dataclass(frozen=True)
class Entry:
    """One submitted answer sheet, shown side by side (anonymous unless the participant opted in)."""

    participant: str
    caption: str
    decision: str
    reason: str
    found: int
    must_total: int
    extra: int


@dataclass(frozen=True)
class ScenarioResult:
    scenario: Scenario
    submitted: int
    in_progress: int
    hazards: tuple[HazardResult, ...]
    questions: tuple[QuestionResult, ...]
    decisions: dict[str, int]
    entries: tuple[Entry, ...]
    extra_marks: int
    mean_recall: float

    @property
    def decision_entropy(self) -> float:
        return normalised_entropy(self.decisions.values(), len(DECISIONS))


@dataclass(frozen=True)
class RoundResult:
    round: Round
    participants: int
    finished: int
    scenarios: tuple[ScenarioResult, ...]


def normalised_entropy(counts: Any, n_options: int) -> float:
    values = [c for c in counts if c > 0]
    total = sum(values)
    if total == 0 or n_options < 2:
        return 0.0
    h = -sum((c / total) * math.log(c / total) for c in values)
    return h / math.log(n_options)


def aggregate(
    store: WorkshopStore, round_id: int, scenarios: Sequence[Scenario], lang: str = "en"
) -> RoundResult:
    """Everything the dashboard and the exports show, computed from the stored submissions."""
    texts = load_texts(lang)
    anonymous = texts["ui"]["participant"]
    rnd = store.round_by_id(round_id)
    people = {p.token: p for p in store.participants(round_id)}
    all_subs = store.submissions(round_id, submitted_only=False)
    by_id = {s.id: s for s in scenarios}
    questions = load_questions(lang)
    results = []
    for sid in rnd.scenario_ids:
        scenario = by_id.get(sid)
        if scenario is None:
            continue
        subs = [s for s in all_subs if s.scenario_id == sid and s.submitted_at is not None]
        in_progress = sum(1 for s in all_subs if s.scenario_id == sid and s.submitted_at is None)
        scores = [score_boxes(s.marked_boxes(), scenario.hazards) for s in subs]
        hazard_results = tuple(
            HazardResult(h, sum(1 for sc in scores if h.id in sc.found), len(subs)) for h in scenario.hazards
        )
        question_results = tuple(
            QuestionResult(
                q,
                {value: sum(1 for s in subs if s.answers.get(q.id) == value) for value, _ in q.options},
            )
            for q in questions
        )
        decisions = {d: sum(1 for s in subs if s.decision == d) for d in DECISIONS}
        entries = tuple(
            Entry(
                participant=people[s.token].label(anonymous) if s.token in people else anonymous,
                caption=s.caption,
                decision=s.decision,
                reason=s.reason,
                found=sc.must_found,
                must_total=sc.must_total,
                extra=len(sc.extra),
            )
            for s, sc in zip(subs, scores, strict=True)
        )
        results.append(
            ScenarioResult(
                scenario=scenario,
                submitted=len(subs),
                in_progress=in_progress,
                hazards=hazard_results,
                questions=question_results,
                decisions=decisions,
                entries=entries,
                extra_marks=sum(len(sc.extra) for sc in scores),
                mean_recall=sum(sc.recall for sc in scores) / len(scores) if scores else 0.0,
            )
        )
    finished = sum(1 for p in people.values() if p.position >= len(rnd.scenario_ids))
    return RoundResult(round=rnd, participants=len(people), finished=finished, scenarios=tuple(results))


# ----------------------------------------------------------------------------------------- prompts


@dataclass(frozen=True)
class Prompt:
    """A discussion prompt drawn from where the room disagreed or missed something."""

    scenario_id: str
    kind: str  # question_split | decision_split | hazard_missed | extra_marks | scenario
    weight: float  # higher = more worth discussing
    text: str


SPLIT_ENTROPY = 0.75  # answers spread at least this evenly count as a split room
MISSED_BY_MOST = 0.5  # a must-redact hazard found by fewer than half the room


def discussion_prompts(result: RoundResult, lang: str = "en", limit: int = 8) -> list[Prompt]:
    texts = load_texts(lang)
    tpl = texts["prompts"]
    decision_names = texts["decisions"]
    prompts: list[Prompt] = []
    for sr in result.scenarios:
        title = sr.scenario.text("title", lang)
        if sr.submitted < 2:
            continue
        for qr in sr.questions:
            if qr.total >= 2 and qr.entropy >= SPLIT_ENTROPY:
                spread = ", ".join(
                    f"{label} {qr.counts[value]}" for value, label in qr.question.options if qr.counts[value]
                )
                prompts.append(
                    Prompt(
                        sr.scenario.id,
                        "question_split",
                        qr.entropy,
                        tpl["question_split"].format(
                            scenario=title, question=qr.question.text, spread=spread
                        ),
                    )
                )
        if sr.decision_entropy >= SPLIT_ENTROPY * 0.8:
            spread = ", ".join(f"{decision_names[d]} {n}" for d, n in sr.decisions.items() if n)
            prompts.append(
                Prompt(
                    sr.scenario.id,
                    "decision_split",
                    sr.decision_entropy + 0.1,
                    tpl["decision_split"].format(scenario=title, spread=spread),
                )
            )
        for hr in sr.hazards:
            if hr.hazard.must_redact and hr.share < MISSED_BY_MOST:
                prompts.append(
                    Prompt(
                        sr.scenario.id,
                        "hazard_missed",
                        1.2 - hr.share,
                        tpl["hazard_missed"].format(
                            scenario=title,
                            hazard=hr.hazard.label_in(lang),
                            missed=hr.of - hr.found_by,
                            of=hr.of,
                        ),
                    )
                )
        if sr.extra_marks >= sr.submitted:
            prompts.append(
                Prompt(
                    sr.scenario.id,
                    "extra_marks",
                    0.5,
                    tpl["extra_marks"].format(scenario=title, n=sr.extra_marks),
                )
            )
    prompts.sort(key=lambda p: -p.weight)
    prompts = prompts[:limit]
    if len(prompts) < 3:  # a room that agreed on everything still gets the scenario's own questions
        for sr in result.scenarios:
            for text in sr.scenario.text("discussion_prompts", lang)[:1]:
                prompts.append(Prompt(sr.scenario.id, "scenario", 0.0, text))
    return prompts[: max(limit, 3)]


# ------------------------------------------------------------------------------------------- charts


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def svg_bar_chart(
    rows: Sequence[tuple[str, float, str]], *, title: str, maximum: float | None = None, width: int = 520
) -> str:
    """Horizontal bar chart as inline SVG: rows of (label, value, value text). Accessible and offline.

    Each label sits on its own line above its bar, so long hazard names are never cut; the title wraps.
    """
    line, bar_h, gap = 17, 16, 10
    title_lines = _wrap(title, width // 9)
    top = len(title_lines) * 19 + 6
    row_h = line + bar_h + gap
    height = top + len(rows) * row_h
    bar_w = width - 64
    top_value = maximum if maximum else max([v for _, v, _ in rows] + [1])
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="100%" style="max-width:{width}px" aria-label="{html.escape(title)}">',
        f"<title>{html.escape(title)}</title>",
    ]
    for i, text in enumerate(title_lines):
        parts.append(
            f'<text x="0" y="{15 + 19 * i}" font-size="15" font-weight="bold" fill="currentColor">'
            f"{html.escape(text)}</text>"
        )
    for i, (label, value, value_text) in enumerate(rows):
        y = top + i * row_h
        w = 0 if top_value <= 0 else bar_w * min(value, top_value) / top_value
        short = label if len(label) <= width // 7 else label[: width // 7 - 1] + "…"
        parts += [
            f'<text x="0" y="{y + 13}" font-size="13" fill="currentColor">{html.escape(short)}</text>',
            f'<rect x="0" y="{y + line}" width="{bar_w}" height="{bar_h}" fill="#8884" />',
            f'<rect x="0" y="{y + line}" width="{w:.1f}" height="{bar_h}" fill="#2b6cb0" />',
            f'<text x="{bar_w + 6}" y="{y + line + 13}" font-size="13" fill="currentColor">'
            f"{html.escape(value_text)}</text>",
        ]
    parts.append("</svg>")
    return "".join(parts)


def scenario_charts_html(sr: ScenarioResult, lang: str = "en") -> str:
    """The three charts of one scenario: hazards spotted, decisions, and the spread of each answer."""
    texts = load_texts(lang)
    ui = texts["ui"]
    n = sr.submitted
    hazard_rows = [
        (hr.hazard.label_in(lang) + ("" if hr.hazard.must_redact else " *"), hr.share, f"{hr.found_by}/{n}")
        for hr in sr.hazards
    ]
    decision_rows = [(texts["decisions"][d], c, str(c)) for d, c in sr.decisions.items()]
    parts = [
        svg_bar_chart(hazard_rows, title=ui["chart_hazards"], maximum=1.0),
        svg_bar_chart(decision_rows, title=ui["chart_decisions"], maximum=max(n, 1)),
    ]
    for qr in sr.questions:
        rows = [(label, qr.counts[value], str(qr.counts[value])) for value, label in qr.question.options]
        parts.append(svg_bar_chart(rows, title=qr.question.text, maximum=max(n, 1)))
    charts = "".join(f'<div class="ws-chart">{p}</div>' for p in parts)
    return f'<div class="ws-charts">{charts}</div>'


# ------------------------------------------------------------------------------------------- export


def export_csv(store: WorkshopStore, result: RoundResult, lang: str = "en") -> str:
    rows = _rows_with_answers(store, result, lang)
    out = io.StringIO()
    fields = list(rows[0].keys()) if rows else ["round", "scenario", "participant"]
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def _rows_with_answers(store: WorkshopStore, result: RoundResult, lang: str) -> list[dict[str, Any]]:
    texts = load_texts(lang)
    anonymous = texts["ui"]["participant"]
    questions = load_questions(lang)
    people = {p.token: p for p in store.participants(result.round.id)}
    by_id = {sr.scenario.id: sr.scenario for sr in result.scenarios}
    rows = []
    for sub in store.submissions(result.round.id):
        scenario = by_id.get(sub.scenario_id)
        if scenario is None:
            continue
        sc = score_boxes(sub.marked_boxes(), scenario.hazards)
        person = people.get(sub.token)
        row: dict[str, Any] = {
            "round": result.round.code,
            "scenario": sub.scenario_id,
            "participant": person.label(anonymous) if person else anonymous,
            "language": person.lang if person else "",
            "hazards_found": ";".join(sc.found),
            "hazards_missed": ";".join(sc.missed),
            "must_redact_found": sc.must_found,
            "must_redact_total": sc.must_total,
            "extra_marks": len(sc.extra),
            "decision": sub.decision,
            "reason": sub.reason,
            "caption": sub.caption,
        }
        for q in questions:
            row[f"q_{q.id}"] = sub.answers.get(q.id, "")
        rows.append(row)
    return rows


def export_json(store: WorkshopStore, result: RoundResult, lang: str = "en") -> dict[str, Any]:
    """The whole round for machines: aggregates, prompts, every answer sheet (no tokens, no hidden names)."""
    return {
        "round": {
            "code": result.round.code,
            "title": result.round.title,
            "created_at": result.round.created_at,
            "scenarios": list(result.round.scenario_ids),
            "participants": result.participants,
            "finished": result.finished,
            "takeaways": result.round.takeaways,
        },
        "matching_rule": {
            "iou_at_least": MATCH_IOU,
            "hazard_centre_inside_mark_max_area_ratio": MATCH_MAX_AREA_RATIO,
            "mark_centre_inside_hazard": True,
        },
        "scenarios": [
            {
                "id": sr.scenario.id,
                "submitted": sr.submitted,
                "mean_recall": round(sr.mean_recall, 3),
                "extra_marks": sr.extra_marks,
                "hazards": [
                    {**asdict(hr.hazard), "box": list(hr.hazard.box), "found_by": hr.found_by, "of": hr.of}
                    for hr in sr.hazards
                ],
                "questions": [
                    {"id": qr.question.id, "counts": qr.counts, "entropy": round(qr.entropy, 3)}
                    for qr in sr.questions
                ],
                "decisions": sr.decisions,
            }
            for sr in result.scenarios
        ],
        "prompts": [asdict(p) for p in discussion_prompts(result, lang)],
        "submissions": _rows_with_answers(store, result, lang),
    }


def summary_markdown(result: RoundResult, lang: str = "en") -> str:
    """One page for the follow-up: what the room found and missed, where it split, what we will change."""
    texts = load_texts(lang)
    s = texts["summary"]
    rnd = result.round
    lines = [
        f"# {s['title']}: {rnd.title or rnd.code}",
        "",
        s["meta"].format(
            date=time.strftime("%Y-%m-%d", time.localtime(rnd.created_at)),
            participants=result.participants,
            scenarios=len(result.scenarios),
        ),
        "",
        f"## {s['learned']}",
        "",
    ]
    for sr in result.scenarios:
        lines.append(f"### {sr.scenario.text('title', lang)}")
        lines.append("")
        lines.append(s["spotted"].format(recall=round(100 * sr.mean_recall), n=sr.submitted))
        missed = [hr for hr in sr.hazards if hr.hazard.must_redact and hr.of and hr.share < MISSED_BY_MOST]
        if missed:
            lines.append(
                s["missed"].format(
                    items=", ".join(
                        f"{hr.hazard.label_in(lang)} ({hr.of - hr.found_by}/{hr.of})" for hr in missed
                    )
                )
            )
        spread = ", ".join(f"{texts['decisions'][d]} {n}" for d, n in sr.decisions.items() if n)
        if spread:
            lines.append(s["decisions"].format(spread=spread))
        for point in sr.scenario.text("learning_points", lang):
            lines.append(f"- {point}")
        lines.append("")
    prompts = discussion_prompts(result, lang)
    if prompts:
        lines += [f"## {s['discussed']}", ""] + [f"- {p.text}" for p in prompts] + [""]
    lines += [f"## {s['change']}", ""]
    if rnd.takeaways:
        lines += [f"- {line.strip()}" for line in rnd.takeaways.splitlines() if line.strip()]
    else:
        lines.append(s["change_empty"])
    lines += ["", f"_{s['privacy']}_", ""]
    return "\n".join(lines)


def summary_html(result: RoundResult, lang: str = "en") -> str:
    """The same page as HTML with the charts, self-contained (no external resources)."""
    body = _markdown_to_html(summary_markdown(result, lang))
    charts = "".join(
        f"<section><h3>{html.escape(sr.scenario.text('title', lang))}</h3>"
        f"{scenario_charts_html(sr, lang)}</section>"
        for sr in result.scenarios
    )
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{html.escape(load_texts(lang)['summary']['title'])}</title>"
        "<style>body{font-family:sans-serif;max-width:48rem;margin:2rem auto;padding:0 1rem;line-height:1.45}"
        ".ws-chart{margin:1rem 0}"
        ".ws-charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(20rem,1fr));gap:1rem}"
        "</style></head><body>"
        f"{body}{charts}</body></html>"
    )


def _markdown_to_html(md: str) -> str:
    """Just enough Markdown for the summary: headings, bullets, paragraphs, one italic line."""
    out, in_list = [], False
    for line in md.splitlines():
        if line.startswith("- ") and not in_list:
            out.append("<ul>")
            in_list = True
        if not line.startswith("- ") and in_list:
            out.append("</ul>")
            in_list = False
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            out.append(f"<h{level}>{html.escape(line[level:].strip())}</h{level}>")
        elif line.startswith("- "):
            out.append(f"<li>{html.escape(line[2:])}</li>")
        elif line.startswith("_") and line.endswith("_"):
            out.append(f"<p><em>{html.escape(line.strip('_'))}</em></p>")
        elif line.strip():
            out.append(f"<p>{html.escape(line)}</p>")
    if in_list:
        out.append("</ul>")
    return "\n".join(out)
