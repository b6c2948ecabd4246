"""Turn the failures a reviewer can cause into one plain message on screen (and one plain log line).

A handler wrapped with ``@shown`` that raises a PhotoLabError, an edit error or a gate refusal shows the
translated message once, as plain text (never Markdown, never a path or a traceback); the server log
gets one line. Anything else is a bug and is left to propagate.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import gradio as gr

from photolab.errors import PhotoLabError
from photolab.review.gates import Problem
from photolab.ui.desk.edits import EditError
from photolab.ui.i18n import text

log = logging.getLogger("photolab.desk")


class Refused(Exception):
    """A gate said no: the problems, still to be translated."""

    def __init__(self, problems: list[Problem], lead: str = "") -> None:
        super().__init__(lead or "refused")
        self.problems = problems
        self.lead = lead


def message(problems: list[Problem], lang: str, lead: str = "") -> str:
    lines = [text(p.key, lang, **p.values) for p in problems]
    return (text(lead, lang) + " " if lead else "") + " · ".join(lines)


def shown(lang_of: Callable[..., str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator factory: ``lang_of(*args)`` finds the session's language among the handler's arguments."""

    def wrap(handler: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(handler)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return handler(*args, **kwargs)
            except Refused as exc:
                lang = lang_of(*args)
                raise _error(message(exc.problems, lang, exc.lead)) from None
            except EditError as exc:
                raise _error(text("err.edit", lang_of(*args), reason=str(exc))) from None
            except PhotoLabError as exc:
                raise _error(exc.message) from None

        return run

    return wrap


def warn(problems: list[Problem], lang: str) -> None:
    """Say it in a toast without failing the event: the outputs are still updated (a wholly failed upload
    lists its files in the status, and Gradio does not paint "Error" over the upload box)."""
    text_ = message(problems, lang)
    log.info("refused: %s", text_)
    gr.Warning(text_)


def _error(text_: str) -> gr.Error:
    log.info("refused: %s", text_)
    return gr.Error(text_, print_exception=False)
