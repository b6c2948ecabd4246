"""Step 5 · Ethics review: the checklist (questions as data), some answers blocking approval; the status
always says what is still missing."""

from __future__ import annotations

from typing import Any

import gradio as gr

from photolab.review import checklist as cl
from photolab.review import gates
from photolab.ui import i18n
from photolab.ui.desk import views
from photolab.ui.desk.page import Page, go, heading, label, t
from photolab.ui.desk.state import Desk
from photolab.ui.i18n import text


def build(page: Page) -> None:
    heading(page, "ethics")
    reference = cl.load_checklist(i18n.REFERENCE)
    intro = gr.Markdown(f"### {reference.title}\n{reference.intro}", elem_id="checklist-intro")
    radios, justs, sections = [], [], []
    for number, section in enumerate(reference.sections, 1):
        with gr.Accordion(
            f"{number}. {section.title}", open=number == 1, elem_id=f"section-{section.id}"
        ) as acc:
            sections.append(acc)
            for q in section.questions:
                radios.append(
                    gr.Radio(
                        choices=[(o.label, o.id) for o in q.options],
                        value=None,
                        label=q.text,
                        info=q.help or None,
                        elem_id=f"q-{q.id}",
                        visible=q.applies_when is None,
                    )
                )
                justs.append(gr.Textbox(label=q.text, lines=2, visible=False, elem_id=f"j-{q.id}"))
    status = gr.HTML(status_html(reference, {}, {}, i18n.REFERENCE), elem_id="checklist-status")
    onward = label(
        page, gr.Button(t("btn.to_export"), variant="primary", elem_id="to-export"), value="btn.to_export"
    )
    page.parts["ethics"] = {
        "intro": intro,
        "radios": radios,
        "justs": justs,
        "sections": sections,
        "status": status,
        "onward": onward,
    }


def answers_of(checklist: cl.Checklist, values: list[Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Split the flat list of component values (radios, then justifications) into two dicts."""
    questions = checklist.questions
    n = len(questions)
    values = [*values, *[None] * (2 * n - len(values))]
    answers = {q.id: str(v) for q, v in zip(questions, values[:n], strict=True) if v not in (None, "")}
    justifications = {
        q.id: str(v).strip()
        for q, v in zip(questions, values[n : 2 * n], strict=True)
        if v and str(v).strip()
    }
    return answers, justifications


def status_html(
    checklist: cl.Checklist, answers: dict[str, str], justifications: dict[str, str], lang: str
) -> str:
    evaluation, problems = gates.checklist_problems(checklist, answers, justifications)
    if evaluation.approvable:
        return f'<div class="pl-status" role="status"><p>✓ {views.esc(text("checklist.ok", lang))}</p></div>'
    rows = "".join(
        f"<li>{'✗' if p.key == 'err.checklist_blocked' else '✎' if p.key == 'err.checklist_justify' else '…'}"
        f" {views.esc(text(p.key, lang, **p.values))}</li>"
        for p in problems
    )
    still = views.esc(text("checklist.still", lang))
    return f'<div class="pl-status" role="status"><p><strong>{still}</strong></p><ul>{rows}</ul></div>'


def show(page: Page, desk: Desk, values: list[Any] | None = None, *, reset: bool = False) -> dict[Any, Any]:
    """Question visibility, justification boxes and the status; only what changed is sent."""
    p = page.parts["ethics"]
    checklist = cl.load_checklist(desk.lang)
    view: dict[Any, Any] = {}
    if reset:
        if desk.answered or desk.shown_checklist:
            for q, radio, just in zip(checklist.questions, p["radios"], p["justs"], strict=True):
                view[radio] = gr.update(value=None, visible=q.applies_when is None)
                view[just] = gr.update(value="", visible=False)
        desk.shown_checklist, desk.answered = {}, False
        view[p["status"]] = status_html(checklist, {}, {}, desk.lang)
        return view
    answers, justifications = answers_of(checklist, list(values or []))
    desk.answered = desk.answered or bool(answers)
    for q, radio, just in zip(checklist.questions, p["radios"], p["justs"], strict=True):
        applies = checklist.applies(q, answers)
        option = q.option(answers.get(q.id, "")) if applies else None
        needs_text = option is not None and option.effect == "needs_justification"
        shown_at_start = (q.applies_when is None,)
        _only_changed(
            desk, view, radio, "q:" + q.id, (applies,), shown_at_start, lambda a=applies: gr.update(visible=a)
        )
        state = (needs_text, option.prompt if needs_text and option else "")
        _only_changed(
            desk,
            view,
            just,
            "j:" + q.id,
            state,
            (False, ""),
            lambda s=state, q=q: gr.update(visible=s[0], label=s[1] or q.text),
        )
    view[p["status"]] = status_html(checklist, answers, justifications, desk.lang)
    return view


def _only_changed(
    desk: Desk,
    view: dict[Any, Any],
    component: Any,
    key: str,
    state: tuple[Any, ...],
    at_start: tuple[Any, ...],
    update: Any,
) -> None:
    """Send ``update()`` only when ``state`` differs from what the browser shows (100+ components)."""
    if desk.shown_checklist.get(key, at_start) != state:
        view[component] = update()
        desk.shown_checklist[key] = state


def outputs(page: Page) -> list[Any]:
    p = page.parts["ethics"]
    return [*p["radios"], *p["justs"], p["status"]]


def inputs(page: Page) -> list[Any]:
    p = page.parts["ethics"]
    return [*p["radios"], *p["justs"]]


def language_updates(page: Page, lang: str) -> list[Any]:
    """Intro, section titles and questions in ``lang`` (for a manual language switch)."""
    checklist = cl.load_checklist(lang)
    out: list[Any] = [gr.update(value=f"### {checklist.title}\n{checklist.intro}")]
    out += [gr.update(label=f"{n}. {s.title}") for n, s in enumerate(checklist.sections, 1)]
    out += [
        gr.update(label=q.text, info=q.help or None, choices=[(o.label, o.id) for o in q.options])
        for q in checklist.questions
    ]
    return out


def language_outputs(page: Page) -> list[Any]:
    p = page.parts["ethics"]
    return [p["intro"], *p["sections"], *p["radios"]]


def wire(page: Page, export_view: Any, export_outputs: list[Any]) -> None:
    p = page.parts["ethics"]

    def changed(*args: Any) -> dict[Any, Any]:
        *values, desk = args
        return show(page, desk, list(values))

    def onward(*args: Any) -> dict[Any, Any]:
        *values, desk = args
        return {**show(page, desk, list(values)), **export_view(desk), page.wizard: go("export")}

    gr.on(
        [r.change for r in p["radios"]] + [j.blur for j in p["justs"]],
        changed,
        [*inputs(page), page.desk],
        outputs(page),
        api_name="checklist_status",
        show_progress="hidden",
    )
    p["onward"].click(
        onward,
        [*inputs(page), page.desk],
        [*outputs(page), page.wizard, *export_outputs],
        api_name="to_export",
    )
