"""The ethics checklist: questions as data, and the rules that decide whether an image may be approved.

Questions live in ``checklists/<lang>.yaml``, one file per language with the same structure (see the
comment at the top of ``en.yaml``). A missing language falls back to English. ``evaluate`` is the
server-side gate: the UI and the record builder call it, so a blocking answer stops an export even if
the browser's buttons were bypassed.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from photolab.errors import ReviewBlocked

DEFAULT_LANGUAGE = "en"
EFFECTS: tuple[str, ...] = ("ok", "blocks", "needs_justification")
_CHECKLIST_PACKAGE = "photolab.review"
_CHECKLIST_DIR = "checklists"


class ChecklistError(ValueError):
    """A checklist file is malformed (a bug in the shipped data, caught by the tests)."""


@dataclass(frozen=True)
class Option:
    id: str
    label: str
    effect: str  # ok | blocks | needs_justification
    reason: str = ""  # shown when effect == "blocks"
    prompt: str = ""  # what to write when effect == "needs_justification"


@dataclass(frozen=True)
class Condition:
    """The question is asked only when ``question`` was answered with one of ``any_of``."""

    question: str
    any_of: tuple[str, ...]


@dataclass(frozen=True)
class Question:
    id: str
    section: str
    text: str
    help: str
    options: tuple[Option, ...]
    applies_when: Condition | None = None

    def option(self, option_id: str) -> Option | None:
        return next((o for o in self.options if o.id == option_id), None)


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Checklist:
    language: str
    language_name: str
    direction: str  # "ltr" or "rtl"
    version: int
    title: str
    intro: str
    sections: tuple[Section, ...]
    _by_id: dict[str, Question] = field(default_factory=dict, repr=False, compare=False, hash=False)

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.sections for q in s.questions)

    def question(self, question_id: str) -> Question:
        return self._by_id[question_id]

    def applies(self, question: Question, answers: dict[str, str]) -> bool:
        """Whether ``question`` is asked given ``answers``.

        An unanswered controlling question counts as "applies" (ask more rather than less); a controlling
        question that does not apply itself switches its dependants off.
        """
        cond = question.applies_when
        if cond is None:
            return True
        gate = self._by_id[cond.question]
        if not self.applies(gate, answers):
            return False
        answer = answers.get(gate.id)
        if answer is None or gate.option(answer) is None:
            return True
        return answer in cond.any_of

    def applicable_questions(self, answers: dict[str, str]) -> list[Question]:
        return [q for q in self.questions if self.applies(q, answers)]


@dataclass(frozen=True)
class Evaluation:
    complete: bool
    missing: list[str]  # applicable questions with no valid answer
    blocking: list[tuple[str, str]]  # (question id, reason shown to the reviewer)
    needs_justification: list[str]  # questions whose answer needs text that was not given
    approvable: bool
    invalid: list[str] = field(default_factory=list)  # answers naming an option that does not exist

    def problems(self) -> list[str]:
        """Plain-language lines explaining why approval is not possible (empty when approvable)."""
        lines = [reason for _, reason in self.blocking]
        if self.missing:
            lines.append(f"Unanswered: {', '.join(self.missing)}")
        if self.needs_justification:
            lines.append(f"Justification needed: {', '.join(self.needs_justification)}")
        if self.invalid:
            lines.append(f"Unknown answer for: {', '.join(self.invalid)}")
        return lines


def evaluate(checklist: Checklist, answers: dict[str, str], justifications: dict[str, str]) -> Evaluation:
    """Check answers against the checklist's rules. Answers to questions that do not apply are ignored."""
    missing: list[str] = []
    invalid: list[str] = []
    blocking: list[tuple[str, str]] = []
    unjustified: list[str] = []
    for question in checklist.applicable_questions(answers):
        answer = answers.get(question.id)
        if answer is None or answer == "":
            missing.append(question.id)
            continue
        option = question.option(str(answer))
        if option is None:
            invalid.append(question.id)
            missing.append(question.id)
            continue
        if option.effect == "blocks":
            blocking.append((question.id, option.reason))
        elif option.effect == "needs_justification" and not justifications.get(question.id, "").strip():
            unjustified.append(question.id)
    complete = not missing
    return Evaluation(
        complete=complete,
        missing=missing,
        blocking=blocking,
        needs_justification=unjustified,
        approvable=complete and not blocking and not unjustified,
        invalid=invalid,
    )


def require_approvable(
    checklist: Checklist, answers: dict[str, str], justifications: dict[str, str]
) -> Evaluation:
    """``evaluate`` and raise ReviewBlocked (with every reason) unless the answers allow approval."""
    result = evaluate(checklist, answers, justifications)
    if not result.approvable:
        raise ReviewBlocked("Approval blocked: " + "; ".join(result.problems()))
    return result


def normalise_language(lang: str | None) -> str:
    """``"fr-CH"``, ``"fr_FR"``, ``"FR"`` -> ``"fr"``; empty -> the default language."""
    if not lang:
        return DEFAULT_LANGUAGE
    return lang.strip().replace("_", "-").split("-")[0].lower() or DEFAULT_LANGUAGE


def available_languages() -> list[str]:
    """Language codes that have a checklist file, English first."""
    folder = resources.files(_CHECKLIST_PACKAGE).joinpath(_CHECKLIST_DIR)
    codes = sorted(p.name[: -len(".yaml")] for p in folder.iterdir() if p.name.endswith(".yaml"))
    return sorted(codes, key=lambda c: (c != DEFAULT_LANGUAGE, c))


def load_checklist(lang: str = DEFAULT_LANGUAGE) -> Checklist:
    """The checklist in ``lang`` (a code or a browser locale), or in English when that language is missing."""
    code = normalise_language(lang)
    if code not in available_languages():
        code = DEFAULT_LANGUAGE
    return _load(code)


@functools.cache
def _load(code: str) -> Checklist:
    text = resources.files(_CHECKLIST_PACKAGE).joinpath(_CHECKLIST_DIR, f"{code}.yaml").read_text("utf-8")
    return parse_checklist(yaml.safe_load(text), source=f"{code}.yaml")


def parse_checklist(data: Any, source: str = "<checklist>") -> Checklist:
    """Build a Checklist from parsed YAML, validating ids, effects and references."""
    if not isinstance(data, dict):
        raise ChecklistError(f"{source}: top level must be a mapping")
    sections: list[Section] = []
    by_id: dict[str, Question] = {}
    for sdata in _list(data, "sections", source):
        section_id = _str(sdata, "id", source)
        questions: list[Question] = []
        for qdata in _list(sdata, "questions", source):
            question = _parse_question(qdata, section_id, f"{source}:{section_id}")
            if question.id in by_id:
                raise ChecklistError(f"{source}: duplicate question id {question.id!r}")
            _check_condition(question, by_id, source)
            by_id[question.id] = question
            questions.append(question)
        sections.append(
            Section(id=section_id, title=_str(sdata, "title", source), questions=tuple(questions))
        )
    direction = data.get("direction", "ltr")
    if direction not in ("ltr", "rtl"):
        raise ChecklistError(f"{source}: direction must be ltr or rtl")
    return Checklist(
        language=_str(data, "language", source),
        language_name=_str(data, "language_name", source),
        direction=direction,
        version=int(data.get("checklist_version", 1)),
        title=_str(data, "title", source),
        intro=str(data.get("intro", "")),
        sections=tuple(sections),
        _by_id=by_id,
    )


def _parse_question(qdata: Any, section_id: str, where: str) -> Question:
    qid = _str(qdata, "id", where)
    options: list[Option] = []
    for odata in _list(qdata, "options", f"{where}:{qid}"):
        option = Option(
            id=_str(odata, "id", f"{where}:{qid}"),
            label=_str(odata, "label", f"{where}:{qid}"),
            effect=_str(odata, "effect", f"{where}:{qid}"),
            reason=str(odata.get("reason", "")),
            prompt=str(odata.get("prompt", "")),
        )
        if option.effect not in EFFECTS:
            raise ChecklistError(f"{where}:{qid}: unknown effect {option.effect!r}")
        if option.effect == "blocks" and not option.reason:
            raise ChecklistError(f"{where}:{qid}:{option.id}: a blocking option needs a reason")
        if option.effect == "needs_justification" and not option.prompt:
            raise ChecklistError(f"{where}:{qid}:{option.id}: a justification option needs a prompt")
        options.append(option)
    if len({o.id for o in options}) != len(options):
        raise ChecklistError(f"{where}:{qid}: duplicate option ids")
    condition = None
    if (cdata := qdata.get("applies_when")) is not None:
        any_of = cdata.get("any_of") if isinstance(cdata, dict) else None
        if not isinstance(any_of, list) or not all(isinstance(a, str) for a in any_of):
            raise ChecklistError(f"{where}:{qid}: applies_when.any_of must be a list of quoted option ids")
        condition = Condition(question=_str(cdata, "question", f"{where}:{qid}"), any_of=tuple(any_of))
    return Question(
        id=qid,
        section=section_id,
        text=_str(qdata, "text", where),
        help=str(qdata.get("help", "")),
        options=tuple(options),
        applies_when=condition,
    )


def _check_condition(question: Question, earlier: dict[str, Question], source: str) -> None:
    cond = question.applies_when
    if cond is None:
        return
    gate = earlier.get(cond.question)
    if gate is None:
        raise ChecklistError(f"{source}: {question.id} depends on {cond.question!r}, not an earlier question")
    unknown = [a for a in cond.any_of if gate.option(a) is None]
    if unknown:
        raise ChecklistError(f"{source}: {question.id} refers to unknown options {unknown} of {gate.id}")


def _str(data: Any, key: str, where: str) -> str:
    value = data.get(key) if isinstance(data, dict) else None
    # A bare yes/no/on/off in YAML becomes a bool: insist on real strings so ids never silently change.
    if not isinstance(value, str) or not value.strip():
        raise ChecklistError(f"{where}: {key!r} must be a non-empty string (quote it), got {value!r}")
    return value


def _list(data: Any, key: str, where: str) -> list[Any]:
    value = data.get(key) if isinstance(data, dict) else None
    if not isinstance(value, list) or not value:
        raise ChecklistError(f"{where}: {key!r} must be a non-empty list")
    return value
