"""Every rule that stands between a photo and its publication, as plain functions.

The desk calls them on the server whatever the browser shows; the workshop and the tests call the same
ones. Each problem is a message key (translated by the caller) with its values, so the rules carry no
wording and no language.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from photolab.review.checklist import Checklist, Evaluation, evaluate


@dataclass(frozen=True)
class Problem:
    """One reason approval (or refusal) cannot be recorded yet."""

    key: str  # e.g. "err.caption", "err.checklist_blocked"
    values: dict[str, Any] = field(default_factory=dict)


def full_size_check(needs_check: bool, checked: bool) -> list[Problem]:
    """A dark or uncertain photo must have been looked at by eye, at full size."""
    return [Problem("err.check_full_size")] if needs_check and not checked else []


def preview_current(output_is_current: bool) -> list[Problem]:
    """What is approved must be exactly what the reviewer last previewed."""
    return [] if output_is_current else [Problem("err.preview_first")]


def checklist_problems(
    checklist: Checklist, answers: dict[str, str], justifications: dict[str, str]
) -> tuple[Evaluation, list[Problem]]:
    """The ethics review: blocking answers, missing justifications, unanswered questions."""
    evaluation = evaluate(checklist, answers, justifications)
    problems = [
        Problem("err.checklist_blocked", {"question": checklist.question(qid).text, "reason": reason})
        for qid, reason in evaluation.blocking
    ]
    problems += [
        Problem("err.checklist_justify", {"question": checklist.question(qid).text})
        for qid in evaluation.needs_justification
    ]
    if evaluation.missing:
        problems.append(Problem("err.checklist_missing", {"count": len(evaluation.missing)}))
    return evaluation, problems


def approval_problems(
    *,
    reviewer: str,
    caption: str,
    alt_text: str,
    needs_check: bool,
    checked: bool,
    output_is_current: bool,
    checklist: Checklist,
    answers: dict[str, str],
    justifications: dict[str, str],
) -> list[Problem]:
    """Everything that blocks an approval, in the order a reviewer would fix it."""
    problems = full_size_check(needs_check, checked) + preview_current(output_is_current)
    problems += checklist_problems(checklist, answers, justifications)[1]
    problems += [
        Problem(key)
        for key, value in (("err.reviewer", reviewer), ("err.caption", caption), ("err.alt", alt_text))
        if not (value or "").strip()
    ]
    return problems


def refusal_problems(*, reviewer: str, reason: str) -> list[Problem]:
    """A refusal needs a name and a reason (it is recorded too)."""
    return [
        Problem(key)
        for key, value in (("err.reviewer", reviewer), ("err.refusal_reason", reason))
        if not (value or "").strip()
    ]
