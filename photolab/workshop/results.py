"""What the room did: per scenario, who spotted each hazard, the spread of answers and decisions, the
answer sheets side by side, and discussion prompts drawn from where the room disagreed or missed."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from photolab.workshop.scenarios import Hazard, Scenario
from photolab.workshop.scoring import BoxScore, score_boxes
from photolab.workshop.store import Participant, Round, Submission, WorkshopStore
from photolab.workshop.texts import DECISIONS, Question, decision_name, load_questions, load_texts

SPLIT_ENTROPY = 0.75  # answers spread at least this evenly count as a split room
MISSED_BY_MOST = 0.5  # a must-redact hazard found by fewer than half the room


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

    def scenario(self, scenario_id: str | None) -> ScenarioResult | None:
        """The result of one scenario (the first when the id is unknown or empty)."""
        chosen = next((sr for sr in self.scenarios if sr.scenario.id == scenario_id), None)
        return chosen or (self.scenarios[0] if self.scenarios else None)


def normalised_entropy(counts: Iterable[int], n_options: int) -> float:
    values = [c for c in counts if c > 0]
    total = sum(values)
    if total == 0 or n_options < 2:
        return 0.0
    h = -sum((c / total) * math.log(c / total) for c in values)
    return h / math.log(n_options)


def aggregate(
    store: WorkshopStore, round_id: int, scenarios: Sequence[Scenario], lang: str = "en"
) -> RoundResult:
    """Everything the dashboard, the projector and the exports show, from the stored answer sheets."""
    rnd = store.round_by_id(round_id)
    people = {p.token: p for p in store.participants(round_id)}
    all_subs = store.submissions(round_id, submitted_only=False)
    by_id = {s.id: s for s in scenarios}
    results = tuple(
        _scenario_result(by_id[sid], all_subs, people, lang) for sid in rnd.scenario_ids if sid in by_id
    )
    finished = sum(1 for p in people.values() if p.position >= len(rnd.scenario_ids))
    return RoundResult(round=rnd, participants=len(people), finished=finished, scenarios=results)


def _scenario_result(
    scenario: Scenario, all_subs: Sequence[Submission], people: dict[str, Participant], lang: str
) -> ScenarioResult:
    anonymous = load_texts(lang)["ui"]["participant"]
    subs = [s for s in all_subs if s.scenario_id == scenario.id and s.submitted_at is not None]
    in_progress = sum(1 for s in all_subs if s.scenario_id == scenario.id and s.submitted_at is None)
    scores = [score_boxes(s.marked_boxes(), scenario.hazards, scenario.size) for s in subs]
    return ScenarioResult(
        scenario=scenario,
        submitted=len(subs),
        in_progress=in_progress,
        hazards=tuple(
            HazardResult(h, sum(1 for sc in scores if h.id in sc.found), len(subs)) for h in scenario.hazards
        ),
        questions=tuple(
            QuestionResult(q, {v: sum(1 for s in subs if s.answers.get(q.id) == v) for v, _ in q.options})
            for q in load_questions(lang)
        ),
        decisions={d: sum(1 for s in subs if s.decision == d) for d in DECISIONS},
        entries=tuple(_entry(s, sc, people, anonymous) for s, sc in zip(subs, scores, strict=True)),
        extra_marks=sum(len(sc.extra) for sc in scores),
        mean_recall=sum(sc.recall for sc in scores) / len(scores) if scores else 0.0,
    )


def _entry(sub: Submission, score: BoxScore, people: dict[str, Participant], anonymous: str) -> Entry:
    person = people.get(sub.token)
    return Entry(
        participant=person.label(anonymous) if person else anonymous,
        caption=sub.caption,
        decision=sub.decision,
        reason=sub.reason,
        found=score.must_found,
        must_total=score.must_total,
        extra=len(score.extra),
    )


# ----------------------------------------------------------------------------------------- prompts


@dataclass(frozen=True)
class Prompt:
    """A discussion prompt drawn from where the room disagreed or missed something."""

    scenario_id: str
    kind: str  # question_split | decision_split | hazard_missed | extra_marks | scenario
    weight: float  # higher = more worth discussing
    text: str


def discussion_prompts(result: RoundResult, lang: str = "en", limit: int = 8) -> list[Prompt]:
    prompts = [p for sr in result.scenarios if sr.submitted >= 2 for p in _scenario_prompts(sr, lang)]
    prompts.sort(key=lambda p: -p.weight)
    prompts = prompts[:limit]
    if len(prompts) < 3:  # a room that agreed on everything still gets the scenario's own questions
        for sr in result.scenarios:
            for text in sr.scenario.text("discussion_prompts", lang)[:1]:
                prompts.append(Prompt(sr.scenario.id, "scenario", 0.0, text))
    return prompts[: max(limit, 3)]


def _scenario_prompts(sr: ScenarioResult, lang: str) -> list[Prompt]:
    tpl = load_texts(lang)["prompts"]
    title = sr.scenario.text("title", lang)
    sid = sr.scenario.id
    out: list[Prompt] = []
    for qr in sr.questions:
        if qr.total >= 2 and qr.entropy >= SPLIT_ENTROPY:
            spread = ", ".join(f"{label} {qr.counts[v]}" for v, label in qr.question.options if qr.counts[v])
            text = tpl["question_split"].format(scenario=title, question=qr.question.text, spread=spread)
            out.append(Prompt(sid, "question_split", qr.entropy, text))
    if sr.decision_entropy >= SPLIT_ENTROPY * 0.8:
        spread = ", ".join(f"{decision_name(lang, d)} {n}" for d, n in sr.decisions.items() if n)
        text = tpl["decision_split"].format(scenario=title, spread=spread)
        out.append(Prompt(sid, "decision_split", sr.decision_entropy + 0.1, text))
    for hr in sr.hazards:
        if hr.hazard.must_redact and hr.share < MISSED_BY_MOST:
            text = tpl["hazard_missed"].format(
                scenario=title,
                hazard=hr.hazard.label_in(lang),
                missed=hr.of - hr.found_by,
                of=hr.of,
            )
            out.append(Prompt(sid, "hazard_missed", 1.2 - hr.share, text))
    if sr.extra_marks >= sr.submitted:
        out.append(
            Prompt(sid, "extra_marks", 0.5, tpl["extra_marks"].format(scenario=title, n=sr.extra_marks))
        )
    return out
