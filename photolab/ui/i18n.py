"""UI strings: one YAML file per language in ``ui/i18n/``; English is the reference and the fallback.

- Component labels are given as ``t(key)`` (gr.I18n): the browser translates them from its locale.
- Text the server writes (findings, warnings, errors) uses ``text(key, lang, **values)``.
- A manual language switch re-sends every registered label as plain text in the chosen language.

Adding a language = adding ``<code>.yaml`` with the same keys and a ``_meta`` block
(``name`` in that language, ``dir: rtl`` for Arabic and other right-to-left scripts).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

I18N_DIR = Path(__file__).with_name("i18n")
CSS_PATH = Path(__file__).parent / "desk" / "static" / "desk.css"
REFERENCE = "en"


@cache
def _catalogues() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(I18N_DIR.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        out[path.stem] = data
    return out


def languages() -> list[str]:
    """Language codes with a catalogue, reference first."""
    codes = sorted(_catalogues())
    return [REFERENCE, *[c for c in codes if c != REFERENCE]]


def language_name(code: str) -> str:
    return str(_catalogues().get(code, {}).get("_meta", {}).get("name", code))


def direction(code: str) -> str:
    """ "rtl" or "ltr"."""
    return str(_catalogues().get(code, {}).get("_meta", {}).get("dir", "ltr"))


def strings(code: str) -> dict[str, str]:
    """All strings of a language, English filling any gap."""
    ref = {k: str(v) for k, v in _catalogues()[REFERENCE].items() if k != "_meta"}
    own = {k: str(v) for k, v in _catalogues().get(code, {}).items() if k != "_meta"}
    return {**ref, **own}


def missing_keys(code: str) -> list[str]:
    ref = set(_catalogues()[REFERENCE]) - {"_meta"}
    return sorted(ref - set(_catalogues().get(code, {})))


def preferred_languages(accept_language: str | None) -> list[str]:
    """Base language codes of an HTTP Accept-Language header, most wanted first (q-values honoured,
    q=0 means "not this one")."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag.strip() and quality > 0:
            ranked.append((-quality, position, tag.strip().lower().split("-")[0]))
    return [code for _q, _p, code in sorted(ranked)]


def pick_language(accept_language: str | None, default: str = REFERENCE) -> str:
    """Best supported language from an HTTP Accept-Language header."""
    supported = set(languages())
    return next((code for code in preferred_languages(accept_language) if code in supported), default)


@cache
def _metadata_catalogue(code: str) -> dict[str, dict[str, str]]:
    path = I18N_DIR / "metadata" / f"{code}.yaml"
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}) if path.is_file() else {}


def metadata_text(section: str, english: str, lang: str) -> str:
    """A metadata finding's group or explanation in ``lang`` (``section``: "groups" or "explanations");
    the English text itself where no translation exists."""
    return str(_metadata_catalogue(lang).get(section, {}).get(english, english))


def text(key: str, lang: str = REFERENCE, /, **values: Any) -> str:
    """A translated string with ``{name}`` placeholders filled; the key itself if unknown."""
    template = strings(lang if lang in _catalogues() else REFERENCE).get(key, key)
    return template.format(**values) if values else template


def _build_i18n() -> Any:
    import gradio as gr

    return gr.I18n(**{code: strings(code) for code in languages()})


class _LazyI18n:
    """gr.I18n built on first use, so importing this module does not import gradio."""

    _value: Any = None

    def __getattr__(self, name: str) -> Any:
        if _LazyI18n._value is None:
            _LazyI18n._value = _build_i18n()
        return getattr(_LazyI18n._value, name)

    def get(self) -> Any:
        if _LazyI18n._value is None:
            _LazyI18n._value = _build_i18n()
        return _LazyI18n._value


I18N = _LazyI18n()


def t(key: str) -> Any:
    """Translation marker for component labels (translated in the browser)."""
    return I18N.get()(key)


def load_css() -> str:
    return CSS_PATH.read_text(encoding="utf-8") if CSS_PATH.exists() else ""


def head_script() -> str:
    """Page script: text direction and language of the page, and focus on the heading of each new step.

    ``window.photolabSetLang(code)`` is called by the language menu; the browser's language is the default.
    ``window.photolabFocusStep()`` runs after every step change, so keyboard and screen-reader users land
    on the new step's heading instead of the top of the page.
    """
    import json

    rtl = [code for code in languages() if direction(code) == "rtl"]
    codes = languages()
    return (
        "<script>(function(){"
        f"const CODES={json.dumps(codes)};const RTL={json.dumps(rtl)};"
        "let lang=(navigator.language||'en').slice(0,2).toLowerCase();if(!CODES.includes(lang))lang='en';"
        "window.photolabSetLang=function(code){if(CODES.includes(code))lang=code;"
        "document.documentElement.dir=RTL.includes(lang)?'rtl':'ltr';document.documentElement.lang=lang;};"
        "window.photolabFocusStep=function(){setTimeout(function(){"
        "const h=Array.from(document.querySelectorAll('.pl-step-heading')).find(e=>e.offsetParent!==null);"
        "if(h)h.focus();},150);};"
        # gradio's upload button names itself "Click to upload or drop files" over different visible text
        # (WCAG 2.5.3): let its visible text be its name.
        "function names(){document.querySelectorAll('.upload-container[aria-label]').forEach("
        "e=>e.removeAttribute('aria-label'));}"
        "new MutationObserver(names).observe(document.documentElement,{childList:true,subtree:true});"
        "if(document.readyState==='loading')document.addEventListener('DOMContentLoaded',()=>window.photolabSetLang(lang));"
        "else window.photolabSetLang(lang);"
        "})();</script>"
    )
