"""The facilitator's page (``/facilitator``): create or reopen a round, follow progress, choose what the
projector shows, read the results, close, export and delete.

Nothing of the answer key is on screen until the facilitator asks: results, prompts and the learning
points sit in a folded section, and the projector (``/projector``, another window of the same browser)
shows them only when "Show results on the projector" is ticked. The round's controls appear once a
round exists. The round's facilitator key stays in this browser (``gr.BrowserState``).
"""

from __future__ import annotations

import json
import shutil
from typing import Any

import gradio as gr

from photolab import workshop as ws
from photolab.ui.workshop.common import (
    FACILITATOR_STATE_KEY,
    FOCUS_STEP_JS,
    REFRESH_SECONDS,
    Workshop,
    address_for,
    esc,
    join_panel_html,
    shows_errors,
    step_heading,
)
from photolab.ui.workshop.views import cards_html, facilitator_notes, prompts_markdown, status_line

NO_CHANGE = gr.update()


class FacilitatorPage:
    def __init__(self, app: Workshop) -> None:
        self.app = app
        self._build()
        self._wire()

    def _build(self) -> None:
        ui, lang, app = self.app.ui, self.app.lang, self.app
        gr.HTML(f"<h1>{esc(ui('facilitator_title'))}</h1>")
        self.saved = gr.BrowserState(
            {"admin": ""}, storage_key=FACILITATOR_STATE_KEY, secret=app.store.secret("browser-state")
        )
        with gr.Accordion(ui("create_title"), open=True, elem_id="ws-create") as self.create_box:
            self.round_title = gr.Textbox(label=ui("round_title"), max_length=120, elem_id="ws-round-title")
            self.pick = gr.CheckboxGroup(
                [(s.text("title", lang), s.id) for s in app.scenarios.values()],
                value=list(app.scenarios)[:3], label=ui("pick_scenarios"), elem_id="ws-pick",
            )  # fmt: skip
            self.create_btn = gr.Button(ui("create_button"), variant="primary", elem_id="ws-create-btn")
            self.reopen_key = gr.Textbox(label=ui("reopen"), type="password", elem_id="ws-reopen-key")
            self.reopen_btn = gr.Button(ui("reopen_button"), elem_id="ws-reopen-btn")
        with gr.Column(visible=False, elem_id="ws-round") as self.round_col:
            self.round_heading = gr.HTML(elem_id="ws-round-heading")
            self.join_info = gr.HTML(elem_id="ws-join-info")
            self.status = gr.Markdown(elem_id="ws-dash-status")
            self.shown = gr.Dropdown([], label=ui("scenario_pick"), value=None, elem_id="ws-shown")
            self.reveal = gr.Checkbox(label=ui("reveal"), value=False, elem_id="ws-reveal")
            self._build_results()
            self._build_controls()
        self.timer = gr.Timer(REFRESH_SECONDS, active=False)

    def _build_results(self) -> None:
        ui = self.app.ui
        with gr.Accordion(ui("results_title"), open=False, elem_id="ws-results"):
            self.charts = gr.HTML(elem_id="ws-charts")
            gr.HTML(f"<h3>{esc(ui('prompts'))}</h3>")
            self.prompts = gr.Markdown(ui("no_prompts"), elem_id="ws-prompts")
            gr.HTML(f"<h3>{esc(ui('captions'))}</h3>")
            self.cards = gr.HTML(elem_id="ws-cards")

    def _build_controls(self) -> None:
        ui = self.app.ui
        gr.HTML(f"<h2>{esc(ui('after_title'))}</h2>")
        self.close_btn = gr.Button(ui("close_round"), elem_id="ws-close")
        self.open_btn = gr.Button(ui("reopen_round"), visible=False, elem_id="ws-open")
        self.takeaways = gr.Textbox(label=ui("takeaways"), lines=4, elem_id="ws-takeaways")
        self.takeaways_btn = gr.Button(ui("save_takeaways"), elem_id="ws-save-takeaways")
        self.export_btn = gr.Button(ui("export_button"), elem_id="ws-export")
        self.export_files = gr.File(
            label=ui("export"),
            file_count="multiple",
            interactive=False,
            visible=False,
            elem_id="ws-export-files",
        )
        self.delete_btn = gr.Button(ui("delete_round"), variant="stop", elem_id="ws-delete")
        with gr.Accordion(ui("admin_key"), open=False, elem_id="ws-admin"):
            self.admin_out = gr.Textbox(label=ui("admin_key"), interactive=False, elem_id="ws-admin-key")

    # ---------------------------------------------------------------------------------- views

    @property
    def round_outputs(self) -> list[Any]:
        return [
            self.create_box, self.round_col, self.round_heading, self.join_info, self.shown, self.reveal,
            self.close_btn, self.open_btn, self.takeaways, self.admin_out, self.saved, self.timer,
        ]  # fmt: skip

    def round_view(self, rnd: ws.Round | None, request: gr.Request | None) -> dict[Any, Any]:
        """The round panel for ``rnd``, or the empty page (create a round) when there is none."""
        if rnd is None:
            hidden = {c: NO_CHANGE for c in self.round_outputs}
            empty = {self.admin_out: "", self.saved: {"admin": ""}}
            return {
                **hidden,
                **empty,
                self.create_box: gr.update(open=True),
                self.round_col: gr.update(visible=False),
                self.timer: gr.Timer(active=False),
            }
        ids = [sid for sid in rnd.scenario_ids if sid in self.app.scenarios]
        heading = (
            self.app.ui("round_heading", code=rnd.code, title=rnd.title)
            if rnd.title
            else self.app.ui("round_heading_plain", code=rnd.code)
        )
        link = esc(self.app.ui("projector_link"))
        projector = f'<p><a href="projector" target="_blank" rel="noopener">{link}</a></p>'
        return {
            self.create_box: gr.update(open=False),
            self.round_col: gr.update(visible=True),
            self.round_heading: step_heading(heading),
            self.join_info: join_panel_html(self.app, rnd, address_for(request), qr=False) + projector,
            self.shown: gr.update(
                choices=[(self.app.scenarios[sid].text("title", self.app.lang), sid) for sid in ids],
                value=rnd.shown_scenario,
            ),
            self.reveal: rnd.revealed,
            self.close_btn: gr.update(visible=rnd.open),
            self.open_btn: gr.update(visible=not rnd.open),
            self.takeaways: rnd.takeaways,
            self.admin_out: rnd.admin_key,
            self.saved: {"admin": rnd.admin_key},
            self.timer: gr.Timer(active=True),
        }

    def _round(self, key: str) -> ws.Round:
        return self.app.store.round_by_admin_key((key or "").strip())

    # ------------------------------------------------------------------------------- handlers

    def create(self, title: str, picked: list[str], request: gr.Request) -> dict[Any, Any]:
        rnd = self.app.store.create_round([s for s in self.app.scenarios if s in (picked or [])], title or "")
        return self.round_view(rnd, request)

    def reopen(self, key: str, request: gr.Request) -> dict[Any, Any]:
        return self.round_view(self._round(key), request)

    def restore(self, saved_state: dict[str, Any] | None, request: gr.Request) -> dict[Any, Any]:
        try:
            rnd = self._round((saved_state or {}).get("admin", ""))
        except ws.WorkshopError:
            return {c: NO_CHANGE for c in self.round_outputs}
        return self.round_view(rnd, request)

    def dashboard(self, key: str, sid: str | None) -> tuple[str, str, str, str]:
        """Status line, charts, prompts and captions for the round whose facilitator key is given."""
        ui, lang = self.app.ui, self.app.lang
        try:
            rnd = self._round(key)
        except ws.WorkshopError:
            return ui("no_round"), "", ui("no_prompts"), ""
        result = ws.aggregate(self.app.store, rnd.id, list(self.app.scenarios.values()), lang)
        chosen = result.scenario(sid)
        if chosen is None:
            return status_line(result, None, lang), "", ui("no_prompts"), ""
        prompts = prompts_markdown(result, chosen, lang) + facilitator_notes(chosen.scenario, lang)
        charts = (
            ws.scenario_charts_html(chosen, lang) if chosen.submitted else f"<p>{esc(ui('not_played'))}</p>"
        )
        return status_line(result, chosen, lang), charts, prompts, cards_html(chosen.entries, lang)

    def project(self, key: str, sid: str | None, reveal: bool) -> None:
        self.app.store.set_projection(self._round(key).id, shown=sid or "", revealed=bool(reveal))

    def set_open(self, key: str, is_open: bool) -> dict[Any, Any]:
        self.app.store.set_open(self._round(key).id, is_open)
        return {self.close_btn: gr.update(visible=is_open), self.open_btn: gr.update(visible=not is_open)}

    def save_takeaways(self, key: str, text: str) -> None:
        self.app.store.set_takeaways(self._round(key).id, text or "")
        gr.Info(self.app.ui("saved"))

    def export(self, key: str) -> dict[Any, Any]:
        rnd = self._round(key)
        result = ws.aggregate(self.app.store, rnd.id, list(self.app.scenarios.values()), self.app.lang)
        self._empty_exports()  # keep only the latest export on disk
        paths = ws.write_exports(self.app.store, result, self.app.export_dir, self.app.lang)
        return gr.update(value=[str(p) for p in paths], visible=True)

    def _empty_exports(self) -> None:
        for old in self.app.export_dir.iterdir():
            shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)

    def delete(self, key: str) -> dict[Any, Any]:
        if not key:  # cancelled in the confirmation dialog
            return {c: NO_CHANGE for c in [*self.round_outputs, self.export_files]}
        outcome = self.app.store.delete_round(self._round(key).id)
        self._empty_exports()
        gr.Info(self.app.ui("deleted" if outcome.complete else "deleted_pending"))
        return {**self.round_view(None, None), self.export_files: gr.update(value=None, visible=False)}

    # ---------------------------------------------------------------------------------- wiring

    def _wire(self) -> None:
        guard = shows_errors(self.app.lang)
        outs = self.round_outputs
        dash = [self.status, self.charts, self.prompts, self.cards]
        refresh = {
            "fn": self.dashboard,
            "inputs": [self.admin_out, self.shown],
            "outputs": dash,
            "api_visibility": "private",
        }
        self.create_btn.click(
            guard(self.create), [self.round_title, self.pick], outs, api_name="ws_create"
        ).then(**refresh).then(None, None, None, js=FOCUS_STEP_JS)
        self.reopen_btn.click(guard(self.reopen), [self.reopen_key], outs, api_name="ws_reopen").then(
            **refresh
        ).then(None, None, None, js=FOCUS_STEP_JS)
        self.timer.tick(
            self.dashboard,
            [self.admin_out, self.shown],
            dash,
            api_name="ws_dashboard",
            show_progress="hidden",
        )
        gr.on(
            [self.shown.input, self.reveal.input],
            guard(self.project),
            [self.admin_out, self.shown, self.reveal],
            None,
            api_name="ws_project",
        ).then(**refresh)
        toggles = [self.close_btn, self.open_btn]
        self.close_btn.click(
            guard(lambda k: self.set_open(k, False)), [self.admin_out], toggles, api_name="ws_close"
        ).then(**refresh)
        self.open_btn.click(
            guard(lambda k: self.set_open(k, True)), [self.admin_out], toggles, api_name="ws_open"
        ).then(**refresh)
        self.takeaways_btn.click(
            guard(self.save_takeaways), [self.admin_out, self.takeaways], None, api_name="ws_takeaways"
        )
        self.export_btn.click(guard(self.export), [self.admin_out], [self.export_files], api_name="ws_export")
        self.delete_btn.click(
            guard(self.delete),
            [self.admin_out],
            [*outs, self.export_files],
            js=f"(key) => [confirm({json.dumps(self.app.ui('delete_confirm'))}) ? key : '']",
            api_name="ws_delete",
        )

    def wire_load(self, demo: gr.Blocks) -> None:
        dash = [self.status, self.charts, self.prompts, self.cards]
        demo.load(self.restore, [self.saved], self.round_outputs, api_visibility="private").then(
            self.dashboard, [self.admin_out, self.shown], dash, api_visibility="private"
        )
