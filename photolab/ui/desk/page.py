"""The parts of the review desk page that every step reaches: session state, walkthrough, labels.

``Page`` holds the components steps share; each step module adds its own to ``page.parts[name]`` in
``build`` and connects its events in ``wire``. ``Labels`` remembers which component labels come from the
catalogue, so a manual language switch can re-send them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from photolab.ui import i18n
from photolab.ui.desk.state import Desk
from photolab.ui.i18n import t, text

STEPS = ("upload", "findings", "areas", "preview", "ethics", "export")
STEP_ID = {name: number for number, name in enumerate(STEPS, 1)}


class Labels:
    """Components whose visible strings come from the catalogue (re-sent on a manual language switch)."""

    def __init__(self) -> None:
        self.entries: list[tuple[Any, dict[str, str]]] = []

    def __call__(self, component: Any, **keys: str) -> Any:
        self.entries.append((component, keys))
        return component

    def components(self) -> list[Any]:
        return [c for c, _ in self.entries]

    def updates(self, lang: str) -> list[Any]:
        out = []
        for _component, keys in self.entries:
            values: dict[str, Any] = {}
            for attr, key in keys.items():
                if attr == "choices":  # a key prefix: the choices are (translated name, id) pairs
                    prefix, ids = key.split(":", 1)
                    values["choices"] = [(text(prefix + i, lang), i) for i in ids.split(",")]
                else:
                    values[attr] = text(key, lang)
            out.append(gr.update(**values))
        return out


@dataclass
class Page:
    """Shared components; filled while the Blocks are built."""

    desk: Any = None  # gr.State holding a Desk (None until the page has loaded)
    wizard: Any = None
    photo_select: Any = None
    language: Any = None
    timer: Any = None
    labels: Labels = field(default_factory=Labels)
    parts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def part(self, step: str, name: str) -> Any:
        return self.parts[step][name]


def heading_html(step: str, lang: str) -> str:
    return f'<h2 class="pl-step-heading" tabindex="-1">{text("step." + step, lang)}</h2>'


def heading(page: Page, step: str) -> Any:
    """The step's heading: a real <h2> that takes focus when the step opens (see the page script)."""
    component = gr.HTML(heading_html(step, i18n.REFERENCE), elem_id=f"heading-{step}")
    page.parts.setdefault("headings", {})[step] = component
    return component


def heading_updates(page: Page, lang: str) -> dict[Any, str]:
    return {component: heading_html(step, lang) for step, component in page.parts.get("headings", {}).items()}


def go(step: str) -> Any:
    return gr.Walkthrough(selected=STEP_ID[step])


def lang_of(*args: Any) -> str:
    """The session language, from whichever handler argument is the Desk."""
    return next((a.lang for a in args if isinstance(a, Desk)), i18n.REFERENCE)


def label(page: Page, component: Any, **keys: str) -> Any:
    return page.labels(component, **keys)


__all__ = [
    "STEPS",
    "STEP_ID",
    "Labels",
    "Page",
    "go",
    "heading",
    "heading_html",
    "heading_updates",
    "label",
    "lang_of",
    "t",
]
