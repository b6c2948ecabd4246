"""The ethics checklist: data files in every language agree, and the rules block what they should."""

from __future__ import annotations

import copy
from importlib import resources
from typing import Any

import pytest
import yaml

from photolab.errors import ReviewBlocked
from photolab.review.checklist import (
    Checklist,
    ChecklistError,
    Question,
    available_languages,
    evaluate,
    load_checklist,
    parse_checklist,
    require_approvable,
)

REQUIRED_LANGUAGES = ("en", "fr", "es", "pt", "ar", "ru")
SECTIONS = (
    "purpose",
    "consent",
    "identifiability",
    "dignity",
    "framing",
    "reprisal",
    "caption",
    "confidentiality",
    "retention",
    "technical",
)
# Strings that are legitimately the same as in English (words shared by both languages, acronyms).
SAME_AS_ENGLISH = {"es": {"No"}, "fr": set()}


def _raw(lang: str) -> dict[str, Any]:
    path = resources.files("photolab.review").joinpath("checklists", f"{lang}.yaml")
    return yaml.safe_load(path.read_text("utf-8"))


def _structure(checklist: Checklist) -> list[Any]:
    """What must be identical across languages: ids, order, effects, conditions, prompts present."""
    return [
        (
            s.id,
            [
                (
                    q.id,
                    q.section,
                    q.applies_when,
                    bool(q.help),
                    [(o.id, o.effect, bool(o.reason), bool(o.prompt)) for o in q.options],
                )
                for q in s.questions
            ],
        )
        for s in checklist.sections
    ] + [checklist.version]


def _strings(checklist: Checklist) -> dict[str, str]:
    """Every human-readable string, keyed by where it is."""
    out = {"title": checklist.title, "intro": checklist.intro}
    for s in checklist.sections:
        out[f"{s.id}.title"] = s.title
        for q in s.questions:
            out[f"{q.id}.text"], out[f"{q.id}.help"] = q.text, q.help
            for o in q.options:
                out[f"{q.id}.{o.id}.label"] = o.label
                if o.reason:
                    out[f"{q.id}.{o.id}.reason"] = o.reason
                if o.prompt:
                    out[f"{q.id}.{o.id}.prompt"] = o.prompt
    return out


def good_answers(checklist: Checklist) -> dict[str, str]:
    """The first harmless option of every question (the purpose always needs a written justification)."""
    return {q.id: next(o.id for o in q.options if o.effect != "blocks") for q in checklist.questions}


WHY = {"purpose_objective": "Annual report 2026, chapter on seclusion: recommendation 4."}


def _make_applicable(checklist: Checklist, question: Question, answers: dict[str, str]) -> None:
    cond = question.applies_when
    if cond is not None:
        answers[cond.question] = cond.any_of[0]
        _make_applicable(checklist, checklist.question(cond.question), answers)


def test_required_languages_are_shipped() -> None:
    assert set(REQUIRED_LANGUAGES) <= set(available_languages())
    assert available_languages()[0] == "en"


def test_english_covers_every_section_of_the_brief() -> None:
    checklist = load_checklist("en")
    assert tuple(s.id for s in checklist.sections) == SECTIONS
    assert all(
        q.section == s.id and q.id.startswith(s.id + "_") for s in checklist.sections for q in s.questions
    )
    assert all(len(s.questions) >= 2 for s in checklist.sections)


@pytest.mark.parametrize("lang", [lang for lang in available_languages() if lang != "en"])
def test_every_language_has_the_same_structure(lang: str) -> None:
    english, other = load_checklist("en"), load_checklist(lang)
    assert other.language == lang
    assert _structure(other) == _structure(english)


@pytest.mark.parametrize("lang", [lang for lang in available_languages() if lang != "en"])
def test_every_string_is_translated(lang: str) -> None:
    english, other = _strings(load_checklist("en")), _strings(load_checklist(lang))
    assert other.keys() == english.keys()
    untranslated = [
        k for k, v in other.items() if v == english[k] and v not in SAME_AS_ENGLISH.get(lang, set())
    ]
    assert untranslated == []


def test_language_codes_and_locales_fall_back_to_english() -> None:
    assert load_checklist("fr-CH").language == "fr"
    assert load_checklist("es_ES").language == "es"
    assert load_checklist("DE").language == "en"  # no German file: English
    assert load_checklist("pt-PT").language == "pt" and load_checklist("ar").direction == "rtl"
    assert load_checklist("").language == "en"
    assert load_checklist("fr") is load_checklist("fr")  # cached


def test_harmless_answers_are_approvable() -> None:
    checklist = load_checklist("en")
    result = evaluate(checklist, good_answers(checklist), WHY)
    assert result.complete and result.approvable
    assert result.missing == result.needs_justification == result.invalid == []
    assert result.blocking == []


def test_no_answers_means_everything_missing() -> None:
    checklist = load_checklist("en")
    result = evaluate(checklist, {}, {})
    assert not result.complete and not result.approvable
    assert result.missing == [q.id for q in checklist.questions]


def test_every_blocking_option_blocks_with_its_reason() -> None:
    checklist = load_checklist("en")
    blocking_options = [(q, o) for q in checklist.questions for o in q.options if o.effect == "blocks"]
    assert len(blocking_options) >= 20
    for question, option in blocking_options:
        answers = good_answers(checklist)
        answers[question.id] = option.id
        _make_applicable(checklist, question, answers)
        result = evaluate(checklist, answers, WHY)
        assert result.complete, question.id
        assert not result.approvable, question.id
        assert result.blocking == [(question.id, option.reason)]
        with pytest.raises(ReviewBlocked, match="Approval blocked"):
            require_approvable(checklist, answers, WHY)


def test_justification_is_required_and_blank_text_does_not_count() -> None:
    checklist = load_checklist("en")
    answers = good_answers(checklist) | {"framing_crop": "yes"}
    assert answers["purpose_objective"] == "finding"
    result = evaluate(checklist, answers, {"framing_crop": "   \n"})
    assert result.complete and not result.approvable
    assert result.needs_justification == ["purpose_objective", "framing_crop"]
    justified = {
        "framing_crop": "The cropped part shows only a wall.",
        "purpose_objective": "Annual report 2026",
    }
    assert evaluate(checklist, answers, justified).approvable


@pytest.mark.parametrize(
    ("question_id", "option_id"),
    [
        ("consent_express", "no"),  # OPCAT Art. 21(2)
        ("consent_free", "through_authority"),
        ("consent_capacity", "substitute"),  # CRPD Art. 12: supported, not substitute, decision-making
        ("consent_informed", "no"),
        ("identifiability_documents", "yes"),
        ("dignity_situation", "yes"),
        ("framing_alteration", "yes_undisclosed"),
        ("reprisal_cooperation", "yes"),  # OPCAT Art. 21(1)
        ("reprisal_assessment", "no"),
        ("caption_names", "yes"),
        ("confidentiality_staff", "yes"),
        ("confidentiality_sources", "yes"),
        ("confidentiality_media", "originals_requested"),
        ("retention_original", "unsecured"),
        ("retention_health_data", "yes_no_basis"),
        ("technical_method", "blur_on_text"),
        ("technical_metadata", "failed"),
    ],
)
def test_sourced_rules_block_approval(question_id: str, option_id: str) -> None:
    question = load_checklist("en").question(question_id)
    option = question.option(option_id)
    assert option is not None and option.effect == "blocks" and option.reason


def test_questions_about_people_are_skipped_when_nobody_is_shown() -> None:
    checklist = load_checklist("en")
    answers = good_answers(checklist) | {"purpose_people_visible": "no"}
    skipped = {q.id for q in checklist.questions} - {q.id for q in checklist.applicable_questions(answers)}
    assert {"consent_informed", "consent_express", "dignity_situation", "purpose_alternative"} <= skipped
    for qid in skipped:
        del answers[qid]
    result = evaluate(checklist, answers, WHY)
    assert result.complete and result.approvable
    # A blocking answer left over from a question that no longer applies does not count.
    assert evaluate(checklist, answers | {"consent_informed": "no"}, WHY).approvable


def test_express_consent_is_asked_only_when_someone_is_recognisable() -> None:
    checklist = load_checklist("en")
    answers = good_answers(checklist)
    assert answers["consent_identifiable"] == "no"
    assert "consent_express" not in {q.id for q in checklist.applicable_questions(answers)}
    answers["consent_identifiable"] = "unsure"
    del answers["consent_express"]
    assert evaluate(checklist, answers, {}).missing == ["consent_express"]
    # Unanswered gate: the dependent question is asked (ask more rather than less).
    del answers["consent_identifiable"]
    assert evaluate(checklist, answers, {}).missing == ["consent_identifiable", "consent_express"]


def test_forged_option_ids_do_not_pass() -> None:
    checklist = load_checklist("en")
    answers = good_answers(checklist) | {"consent_express": "approved-anyway", "consent_identifiable": "yes"}
    result = evaluate(checklist, answers, WHY)
    assert result.invalid == ["consent_express"] and "consent_express" in result.missing
    assert not result.approvable


def test_translated_checklist_evaluates_the_same() -> None:
    answers = good_answers(load_checklist("en")) | {"caption_names": "yes"}
    english = evaluate(load_checklist("en"), answers, WHY)
    french = evaluate(load_checklist("fr"), answers, WHY)
    assert [q for q, _ in english.blocking] == [q for q, _ in french.blocking] == ["caption_names"]
    assert english.blocking[0][1] != french.blocking[0][1]  # the reason is shown in the reviewer's language


def test_right_to_left_language_structure_is_supported() -> None:
    data = _raw("en") | {"language": "ar", "language_name": "العربية", "direction": "rtl"}
    checklist = parse_checklist(data, source="ar.yaml")
    assert checklist.direction == "rtl" and len(checklist.questions) == len(load_checklist("en").questions)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["sections"][0]["questions"][1]["options"][0].update(id=True),
            "must be a non-empty string",
        ),
        (lambda d: d["sections"][0]["questions"][0]["options"][0].update(effect="maybe"), "unknown effect"),
        (lambda d: d["sections"][0]["questions"][0]["options"][2].pop("reason"), "needs a reason"),
        (lambda d: d["sections"][0]["questions"][0]["options"][0].pop("prompt"), "needs a prompt"),
        (
            lambda d: d["sections"][0]["questions"][2]["applies_when"].update(question="technical_flat"),
            "not an earlier question",
        ),
        (
            lambda d: d["sections"][0]["questions"][2]["applies_when"].update(any_of=["maybe"]),
            "unknown options",
        ),
        (
            lambda d: d["sections"][1]["questions"].append(d["sections"][0]["questions"][0]),
            "duplicate question",
        ),
        (lambda d: d.update(direction="up"), "direction"),
    ],
)
def test_malformed_checklists_are_rejected(mutate: Any, message: str) -> None:
    data = copy.deepcopy(_raw("en"))
    mutate(data)
    with pytest.raises(ChecklistError, match=message):
        parse_checklist(data)


def test_bare_yaml_yes_would_be_caught() -> None:
    text = """
language: "xx"
language_name: "X"
title: "T"
sections:
  - id: "s"
    title: "S"
    questions:
      - id: "q"
        text: "Q?"
        options:
          - {id: yes, label: "Yes", effect: "ok"}
"""
    with pytest.raises(ChecklistError, match="quote it"):
        parse_checklist(yaml.safe_load(text))
