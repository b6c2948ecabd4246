"""Every approval rule as a plain function: the desk calls these on the server whatever the browser shows."""

from __future__ import annotations

from photolab.review import gates
from photolab.review.checklist import load_checklist

CHECKLIST = load_checklist("en")


def acceptable_answers(blocking: str | None = None) -> tuple[dict[str, str], dict[str, str]]:
    answers: dict[str, str] = {}
    justifications: dict[str, str] = {}
    for q in CHECKLIST.questions:
        if not CHECKLIST.applies(q, answers):
            continue
        effect = "blocks" if q.id == blocking else "ok"
        option = next((o for o in q.options if o.effect == effect), q.options[0])
        answers[q.id] = option.id
        if option.effect == "needs_justification":
            justifications[q.id] = "Explained in the visit report."
    return answers, justifications


def approval(**changes: object) -> list[gates.Problem]:
    answers, justifications = acceptable_answers()
    args = {"reviewer": "R. Viewer", "caption": "A corridor.", "alt_text": "An empty corridor.",
            "needs_check": False, "checked": False, "output_is_current": True, "checklist": CHECKLIST,
            "answers": answers, "justifications": justifications} | changes
    return gates.approval_problems(**args)  # type: ignore[arg-type]


def test_a_complete_review_passes() -> None:
    assert approval() == []


def test_each_missing_piece_is_named() -> None:
    assert [p.key for p in approval(reviewer=" ", caption="", alt_text="")] == ["err.reviewer", "err.caption",
                                                                                "err.alt"]
    assert [p.key for p in approval(needs_check=True)] == ["err.check_full_size"]
    assert approval(needs_check=True, checked=True) == []
    assert [p.key for p in approval(output_is_current=False)] == ["err.preview_first"]


def test_a_blocking_answer_blocks_with_its_reason() -> None:
    first = CHECKLIST.questions[0]
    answers, justifications = acceptable_answers(blocking=first.id)
    problems = approval(answers=answers, justifications=justifications)
    reason = next(o.reason for o in first.options if o.effect == "blocks")
    assert [p.key for p in problems] == ["err.checklist_blocked"]
    assert problems[0].values == {"question": first.text, "reason": reason}


def test_unanswered_and_unjustified_questions_are_counted() -> None:
    problems = approval(answers={}, justifications={})
    assert [p.key for p in problems] == ["err.checklist_missing"] and problems[0].values["count"] > 10
    answers, justifications = acceptable_answers()
    needing = [qid for qid in justifications]
    problems = approval(answers=answers, justifications={})
    assert {p.values["question"] for p in problems} == {CHECKLIST.question(q).text for q in needing}


def test_a_refusal_needs_a_name_and_a_reason() -> None:
    assert [p.key for p in gates.refusal_problems(reviewer="", reason="")] == ["err.reviewer",
                                                                               "err.refusal_reason"]
    assert gates.refusal_problems(reviewer="R", reason="No consent.") == []
