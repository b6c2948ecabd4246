"""The photo viewer component: server-rendered markup (``views.viewer_html``) plus a small script
(``static/viewer.js``) that keeps zoom, pan and selection and sends the reviewer's commands as the custom
events ``edit`` and ``tile``."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import gradio as gr

STATIC = Path(__file__).with_name("static")


@cache
def script() -> str:
    return (STATIC / "viewer.js").read_text(encoding="utf-8")


@cache
def stylesheet() -> str:
    return (STATIC / "desk.css").read_text(encoding="utf-8")


def viewer_component(elem_id: str) -> Any:
    """A gr.HTML whose value is the viewer markup; ``.edit`` and ``.tile`` are its events."""
    return gr.HTML(
        "",
        html_template="${value}",
        js_on_load=script(),
        elem_id=elem_id,
        elem_classes=["pl-viewer"],
        apply_default_css=False,
        padding=False,
    )
