"""Six languages, complete: every desk string, every metadata explanation, every checklist."""

from __future__ import annotations

import re

import pytest

from photolab.metadata import rules
from photolab.ui import i18n

LANGUAGES = ("en", "fr", "es", "pt", "ar", "ru")


def test_the_desk_speaks_six_languages() -> None:
    assert set(i18n.languages()) == set(LANGUAGES)
    assert {code: i18n.missing_keys(code) for code in LANGUAGES} == {code: [] for code in LANGUAGES}
    assert i18n.direction("ar") == "rtl" and all(i18n.direction(c) == "ltr" for c in LANGUAGES if c != "ar")


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_placeholders_are_kept(lang: str) -> None:
    english, other = i18n.strings("en"), i18n.strings(lang)
    fields = re.compile(r"{(\w+)}")
    assert {k: set(fields.findall(v)) for k, v in other.items()} == {k: set(fields.findall(v))
                                                                     for k, v in english.items()}


@pytest.mark.parametrize("lang", LANGUAGES[1:])
def test_every_metadata_finding_is_explained_in_every_language(lang: str) -> None:
    found = [v for v in vars(rules).values() if isinstance(v, rules.Rule)]
    untranslated = [r.explanation for r in found
                    if i18n.metadata_text("explanations", r.explanation, lang) == r.explanation]
    groups = [g for g in rules.GROUP_ORDER
              if i18n.metadata_text("groups", g, lang) == g and g != "ICC profile"]
    assert untranslated == [] and groups == []
