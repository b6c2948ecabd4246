"""Workshop strings: one YAML file per language in ``photolab/ui/workshop_i18n/``, English the reference.

The languages offered are the files present: adding ``pt.yaml`` adds Portuguese everywhere (join page,
exports, errors). A file may carry ``_meta: {name: Português, dir: ltr}``; without it the name is the
code and the direction is right-to-left for the scripts that need it (Arabic, Hebrew, Persian, Urdu).
A missing key falls back to English. The exercise questions and decisions live here too, so a
participant answers them in their own language while the stored values stay language-neutral.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from photolab.errors import PhotoLabError

TEXTS_DIR = Path(__file__).resolve().parents[1] / "ui" / "workshop_i18n"
REFERENCE = "en"
RTL_LANGUAGES = frozenset({"ar", "he", "fa", "ur"})
DECISIONS: tuple[str, ...] = ("publish", "publish_with_changes", "do_not_publish")


@cache
def _raw(lang: str) -> dict[str, Any]:
    path = TEXTS_DIR / f"{lang}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    return data if isinstance(data, dict) else {}


@cache
def languages() -> tuple[str, ...]:
    """Codes of the languages with a strings file, English first."""
    codes = sorted(p.stem for p in TEXTS_DIR.glob("*.yaml") if p.stem != REFERENCE)
    return (REFERENCE, *codes)


def language_name(code: str) -> str:
    return str((_raw(code).get("_meta") or {}).get("name") or code)


def direction(code: str) -> str:
    """``"rtl"`` or ``"ltr"``."""
    declared = (_raw(code).get("_meta") or {}).get("dir")
    if declared in ("rtl", "ltr"):
        return str(declared)
    return "rtl" if code in RTL_LANGUAGES else "ltr"


def supported(code: str | None, default: str = REFERENCE) -> str:
    return code if code in languages() else default


def pick_language(accept_language: str | None, default: str = REFERENCE) -> str:
    """The best offered language for an HTTP ``Accept-Language`` header (q-values honoured)."""
    from photolab.ui.i18n import preferred_languages

    return next((code for code in preferred_languages(accept_language) if code in languages()), default)


@cache
def load_texts(lang: str) -> dict[str, Any]:
    """Every string of one language, English filling the gaps. Cached: treat it as read-only."""
    merged = _copy(_raw(REFERENCE))
    if lang != REFERENCE:
        _deep_update(merged, _raw(lang))
    return merged


def _copy(data: Any) -> Any:
    if isinstance(data, dict):
        return {k: _copy(v) for k, v in data.items()}
    if isinstance(data, list):
        return [_copy(v) for v in data]
    return data


def _deep_update(base: dict[str, Any], other: dict[str, Any]) -> None:
    for key, value in other.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _deep_update(base[key], value)
        else:
            base[key] = value


def ui_text(lang: str, key: str, **values: Any) -> str:
    template = str(load_texts(lang)["ui"].get(key, load_texts(REFERENCE)["ui"].get(key, key)))
    return template.format(**values) if values else template


# ---------------------------------------------------------------------------------------- errors


def error_text(key: str, lang: str, **params: Any) -> str:
    return str(load_texts(lang)["errors"][key]).format(**params)


class WorkshopError(PhotoLabError):
    """A workshop action that cannot be done (unknown code, closed round, incomplete submission).

    ``key`` and ``params`` name the message in the ``errors`` section of the strings, so the UI can show
    it in the participant's language; ``message`` is the English text.
    """

    def __init__(self, key: str, **params: Any) -> None:
        self.key, self.params = key, params
        super().__init__(error_text(key, REFERENCE, **params))

    def text(self, lang: str) -> str:
        return error_text(self.key, lang, **self.params)


# -------------------------------------------------------------------------------------- questions


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    options: tuple[tuple[str, str], ...]  # (value, label)


@cache
def load_questions(lang: str) -> tuple[Question, ...]:
    """The framing and consent questions of the exercise (a subset of the review checklist's themes)."""
    return tuple(
        Question(id=q["id"], text=q["text"], options=tuple((str(k), str(v)) for k, v in q["options"].items()))
        for q in load_texts(lang)["questions"]
    )


def question_ids() -> list[str]:
    return [q.id for q in load_questions(REFERENCE)]


def decision_name(lang: str, decision: str) -> str:
    return str(load_texts(lang)["decisions"].get(decision, decision))
