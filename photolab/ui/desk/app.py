"""The review desk: six steps from upload to an approved, exported image with its review record.

Wiring only: what a file gives away, where faces are, how pixels are destroyed, whether the answers allow
approval and what the record holds are decided by the library (``core``, ``review``); the steps here call
it and show the result. Every gate is checked again on the server, whatever the browser shows.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from photolab.ui import i18n
from photolab.ui.desk import photos, session, views
from photolab.ui.desk.page import STEP_ID, Page, go, heading_updates, label, t
from photolab.ui.desk.session import DETECTIONS, end_session
from photolab.ui.desk.state import Desk
from photolab.ui.desk.steps import areas, ethics, export, findings, preview, upload
from photolab.ui.i18n import text

SESSION_HOURS = 12  # a session's photos are dropped this long after its last use at the latest


def build_desk(store: Any, preload: list[Path] | None = None) -> gr.Blocks:
    """The desk. ``store`` is a ``RecordStore``; ``preload`` photos are offered in every new session
    (read from disk, never deleted)."""
    page = Page()
    with gr.Blocks(analytics_enabled=False, title="photolab", fill_width=False) as demo:
        page.desk = gr.State(None, time_to_live=SESSION_HOURS * 3600, delete_callback=end_session)
        page.timer = gr.Timer(1.0, active=False)
        _header(page)
        with gr.Tabs(elem_id="tabs"):
            review = label(
                page, gr.Tab(t("tab.review"), id="review", elem_id="tab-review"), label="tab.review"
            )
            with review, gr.Walkthrough(selected=STEP_ID["upload"], elem_id="wizard") as page.wizard:
                for name, step in _STEPS:
                    with label(
                        page,
                        gr.Step(t(f"step.{name}"), id=STEP_ID[name], elem_id=f"step-{name}"),
                        label=f"step.{name}",
                    ):
                        step.build(page)
            with label(
                page, gr.Tab(t("tab.history"), id="history", elem_id="tab-history"), label="tab.history"
            ):
                history = _history(page)
        _wire(demo, page, store, history, [Path(p) for p in preload or []])
    return demo


_STEPS = (
    ("upload", upload),
    ("findings", findings),
    ("areas", areas),
    ("preview", preview),
    ("ethics", ethics),
    ("export", export),
)


def _header(page: Page) -> None:
    with gr.Row(elem_id="topbar"):
        page.parts["header"] = {"title": gr.HTML(title_html(i18n.REFERENCE), elem_id="app-title")}
        page.language = label(
            page,
            gr.Dropdown(
                choices=[(i18n.language_name(c), c) for c in i18n.languages()],
                value=i18n.REFERENCE,
                label=t("app.language"),
                elem_id="language",
                scale=0,
                min_width=170,
            ),
            label="app.language",
        )
    page.parts["header"]["status"] = gr.HTML("", elem_id="upload-status")
    page.photo_select = label(
        page,
        gr.Dropdown(
            choices=[], value=None, label=t("photo.select"), elem_id="photo-select", interactive=True
        ),
        label="photo.select",
    )


def title_html(lang: str) -> str:
    return (
        f'<h1 class="pl-title">{views.esc(text("app.title", lang))}</h1>'
        f'<p class="pl-subtitle">{views.esc(text("app.subtitle", lang))}</p>'
    )


def _history(page: Page) -> Any:
    refresh = label(page, gr.Button(t("btn.refresh"), elem_id="history-refresh"), value="btn.refresh")
    table = gr.Dataframe(
        value=None,
        headers=["created_at", "reviewer", "decision", "record_id", "output_sha256"],
        interactive=False,
        elem_id="history-table",
        wrap=True,
    )
    page.parts["history"] = {"refresh": refresh, "table": table}
    return table


def _photo_outputs(page: Page) -> list[Any]:
    return [
        page.part("findings", "findings"),
        *areas.outputs(page),
        *preview.outputs(page),
        *ethics.outputs(page),
        *export.outputs(page),
        page.photo_select,
    ]


def show_photo(page: Page, desk: Desk) -> dict[Any, Any]:
    """Everything that depends on the current photo, reset for a fresh review of it."""
    out: dict[Any, Any] = {}
    out.update(findings.show(page, desk))
    out.update(areas.show(page, desk))
    out.update({c: "" for c in preview.outputs(page)})
    out.update(ethics.show(page, desk, reset=True))
    out.update(export.show(page, desk))
    out[page.photo_select] = gr.update(
        choices=views.photo_choices(desk, desk.lang), value=desk.item().key if desk.item() else None
    )
    return out


def _wire(demo: gr.Blocks, page: Page, store: Any, history: Any, preload: list[Path]) -> None:
    def history_rows() -> list[list[str]]:
        return [[s.created_at, s.reviewer, s.decision, s.record_id, s.output_sha256] for s in store.list(200)]

    _wire_steps(page, store, history, history_rows)
    _wire_photos(page)
    _wire_language(page)
    page.part("history", "refresh").click(history_rows, None, history, api_name="history")
    page.wizard.change(None, None, None, js="() => { window.photolabFocusStep?.(); }")

    def on_load(request: gr.Request) -> dict[Any, Any]:
        """A new session (never built with the app: its state would be shared by every session)."""
        desk = session.desk_for(request)  # an upload dropped before the page loaded may have opened it
        lang = desk.lang
        _preload(desk, preload)
        status = views.upload_status(desk, lang)
        out = {
            page.desk: desk,
            page.language: gr.update(value=lang),
            history: history_rows(),
            page.part("upload", "status"): status,
            page.wizard: go("findings" if desk.items else "upload"),
            page.timer: gr.Timer(active=bool(desk.items)),
        }
        if lang != i18n.REFERENCE:  # the page is built in English: only another language needs its strings
            out.update(language_view(page, lang))
        out.update(show_photo(page, desk))
        return out

    outputs = [
        page.desk,
        page.language,
        history,
        page.part("upload", "status"),
        page.wizard,
        page.timer,
        *_language_outputs(page),
        *_photo_outputs(page),
    ]
    demo.load(on_load, None, list(dict.fromkeys(outputs)), api_name="load", show_progress="hidden")

    def on_unload(request: gr.Request) -> None:
        session.page_closed(getattr(request, "session_hash", None))

    demo.unload(on_unload)


def _wire_steps(page: Page, store: Any, history: Any, history_rows: Any) -> None:
    """Each step's events, and what one step hands to the next."""

    def after_decision(desk: Desk) -> dict[Any, Any]:
        return {
            page.part("export", "next"): gr.update(visible=bool(desk.pending())),
            history: history_rows(),
            page.photo_select: gr.update(choices=views.photo_choices(desk, desk.lang)),
        }

    upload.wire(page, lambda desk: show_photo(page, desk), _photo_outputs(page))
    findings.wire(page, lambda desk: areas.show(page, desk), areas.outputs(page))
    areas.wire(page, lambda desk: preview.show(page, desk), preview.outputs(page))
    preview.wire(page, lambda desk: ethics.show(page, desk, []), ethics.outputs(page))
    ethics.wire(page, lambda desk: export.show(page, desk), export.outputs(page))
    export.wire(
        page,
        store,
        after_decision,
        [page.part("export", "next"), history, page.photo_select],
        ethics.inputs(page),
    )


def _wire_photos(page: Page) -> None:
    """Moving between the session's photos: the menu, and "Next photo" after a decision."""

    def select_photo(key: str | None, desk: Desk) -> dict[Any, Any]:
        item = desk.find(key or "") if desk else None
        if item is None or item is desk.item():  # leaving the list on the photo shown keeps its step
            return {page.wizard: gr.skip()}
        desk.show(desk.items.index(item))
        DETECTIONS.submit(desk, item, first=True)
        return {**show_photo(page, desk), page.wizard: go("findings"), page.timer: gr.Timer(active=True)}

    def next_photo(desk: Desk) -> dict[Any, Any]:
        pending = desk.pending()
        return select_photo(pending[0].key, desk) if pending else {page.wizard: gr.skip()}

    outputs = [page.wizard, page.timer, *_photo_outputs(page)]
    page.photo_select.input(select_photo, [page.photo_select, page.desk], outputs, api_name="select_photo")
    page.part("export", "next").click(next_photo, [page.desk], outputs, api_name="next_photo")


def _wire_language(page: Page) -> None:
    def set_language(lang: str | None, desk: Desk | None, request: gr.Request) -> dict[Any, Any]:
        desk = desk or session.desk_for(request)  # chosen while the page was still loading its session
        desk.lang = lang if lang in i18n.languages() else i18n.REFERENCE
        desk.shown_checklist = {k: v for k, v in desk.shown_checklist.items() if k.startswith("q:")}
        return {
            page.desk: desk,
            **language_view(page, desk.lang),
            **(show_photo(page, desk) if desk.item() else {}),
        }

    outputs = list(dict.fromkeys([page.desk, *_language_outputs(page), *_photo_outputs(page)]))
    page.language.input(set_language, [page.language, page.desk], outputs, api_name="set_language")
    page.language.input(None, [page.language], None, js="(code) => { window.photolabSetLang?.(code); }")


def _language_outputs(page: Page) -> list[Any]:
    return [
        *page.labels.components(),
        *ethics.language_outputs(page),
        *page.parts["headings"].values(),
        page.part("header", "title"),
    ]


def language_view(page: Page, lang: str) -> dict[Any, Any]:
    """Every label, heading and checklist string of the page in ``lang``."""
    labels = zip(
        [*page.labels.components(), *ethics.language_outputs(page)],
        [*page.labels.updates(lang), *ethics.language_updates(page, lang)],
        strict=True,
    )
    return {**dict(labels), **heading_updates(page, lang), page.part("header", "title"): title_html(lang)}


def _preload(desk: Desk, paths: list[Path]) -> None:
    """Photos given to ``photolab serve``: opened for this session (the files are the user's; kept)."""
    for path in paths:
        try:
            items, failed = photos.open_uploads([(path.name, path.read_bytes(), "")])
        except OSError as exc:
            items, failed = [], [f"{path.name}: {exc.strerror or 'cannot be read'}"]
        with desk.lock:  # an upload into the same session may be adding its photos meanwhile
            desk.refused += failed
            desk.items.extend(items)
            first = len(desk.items) == len(items)
        for index, item in enumerate(items):
            DETECTIONS.submit(desk, item, first=first and index == 0)
