"""The participant's page (the app's main page, ``/``; the QR code opens ``/?join=CODE``).

Steps: join (code, optional name, language) -> one scenario after another (mark boxes by drawing, or
without dragging: two clicks or typed numbers; answer the questions; caption; decision and reason;
submit) -> done. The language comes from what the participant chose before, else from the browser.
A secret participant token is kept in the browser (``gr.BrowserState``, encrypted with a per-database
key); every answer is saved on the server as it is given, so a reload resumes where they were.
Focus moves to the new step's heading on every step change.
"""

from __future__ import annotations

from typing import Any

import gradio as gr
from gradio_image_annotation import image_annotator

from photolab import workshop as ws
from photolab.ui.workshop.common import (
    FOCUS_STEP_JS,
    KIND_COLOURS,
    KINDS,
    PARTICIPANT_STATE_KEY,
    SET_LANG_JS,
    Workshop,
    box_list_html,
    esc,
    from_annotator,
    kind_names,
    shows_errors,
    step_heading,
    to_annotator,
)

EMPTY_STATE = {"token": "", "lang": ""}


def language_label() -> str:
    words = dict.fromkeys(ws.ui_text(code, "language") for code in ws.languages())
    return " · ".join(words)


class ParticipantPage:
    """Components of the participant page and the handlers that drive them."""

    def __init__(self, app: Workshop) -> None:
        self.app = app
        self.question_ids = ws.question_ids()
        self._build()
        self._wire()

    # ------------------------------------------------------------------------------ components

    def _build(self) -> None:
        app, lang = self.app, self.app.lang
        self.title = gr.HTML(f"<h1>{esc(app.ui('app_title'))}</h1>", elem_id="ws-title")
        self.saved = gr.BrowserState(
            EMPTY_STATE, storage_key=PARTICIPANT_STATE_KEY, secret=app.store.secret("browser-state")
        )
        self.token, self.scenario_id, self.corner = gr.State(""), gr.State(""), gr.State(None)
        self.lang = gr.Radio(
            [(ws.language_name(c), c) for c in ws.languages()],
            value=lang,
            label=language_label(),
            elem_id="ws-lang",
        )
        with gr.Column(visible=True, elem_id="ws-join") as self.join_col:
            self.join_heading = gr.HTML(step_heading(app.ui("tab_join")))
            self.join_intro = gr.Markdown(app.ui("join_intro"))
            self.code_in = gr.Textbox(label=app.ui("join_code"), max_length=12, elem_id="ws-code")
            self.name_in = gr.Textbox(label=app.ui("your_name"), max_length=80, elem_id="ws-name")
            self.share_in = gr.Checkbox(label=app.ui("share_name"), value=False, elem_id="ws-share")
            self.join_btn = gr.Button(
                app.ui("join_button"), variant="primary", interactive=False, elem_id="ws-join-btn"
            )
        with gr.Column(visible=False, elem_id="ws-work") as self.work_col:
            self.header = gr.HTML(elem_id="ws-header")
            self.mark_intro = gr.Markdown(app.ui("mark_intro"))
            self._build_marking()
            self.questions_title = gr.HTML(f"<h3>{esc(app.ui('questions_title'))}</h3>")
            self._build_answers()
        with gr.Column(visible=False, elem_id="ws-done") as self.done_col:
            self.done = gr.HTML(elem_id="ws-done-text")
        self.status = gr.Markdown(elem_id="ws-status")
        self.leave_btn = gr.Button(
            app.ui("leave"), size="sm", variant="secondary", visible=False, elem_id="ws-leave"
        )
        self.facilitator_link = gr.HTML(self._facilitator_link(lang), elem_id="ws-facilitator-link")

    def _build_marking(self) -> None:
        ui = self.app.ui
        self.annot = image_annotator(
            label=ui("annotator_label"),
            label_list=kind_names(self.app.lang),
            label_colors=list(KIND_COLOURS),
            use_default_label=True,
            image_type="filepath",
            sources=[],
            show_download_button=False,
            show_share_button=False,
            show_clear_button=False,
            show_remove_button=False,
            elem_id="ws-annotator",
        )
        self.box_list = gr.HTML(elem_id="ws-box-status")
        with gr.Accordion(ui("nodrag_title"), open=False, elem_id="ws-nodrag") as self.nodrag:
            self.nodrag_help = gr.Markdown(ui("nodrag_help"))
            self.click_img = gr.Image(
                label=ui("nodrag_image"), type="filepath", interactive=False, buttons=[], format="jpeg",
                height=560, elem_id="ws-click-image",
            )  # fmt: skip
            with gr.Row():
                self.nx = gr.Number(label=ui("nodrag_x"), precision=0, minimum=0, elem_id="ws-nx")
                self.ny = gr.Number(label=ui("nodrag_y"), precision=0, minimum=0, elem_id="ws-ny")
                self.nw = gr.Number(label=ui("nodrag_w"), precision=0, minimum=1, elem_id="ws-nw")
                self.nh = gr.Number(label=ui("nodrag_h"), precision=0, minimum=1, elem_id="ws-nh")
            self.nkind = gr.Dropdown(
                list(zip(kind_names(self.app.lang), KINDS, strict=True)), value="area",
                label=ui("nodrag_kind"), elem_id="ws-nkind",
            )  # fmt: skip
            with gr.Row():
                self.add_btn = gr.Button(ui("nodrag_add"), elem_id="ws-add-box")
                self.undo_btn = gr.Button(ui("nodrag_remove_last"), elem_id="ws-undo-box")

    def _build_answers(self) -> None:
        app = self.app
        self.radios = [
            gr.Radio(
                [(label, value) for value, label in q.options],
                label=q.text,
                value=None,
                elem_id=f"ws-q-{q.id}",
            )
            for q in ws.load_questions(app.lang)
        ]
        self.caption = gr.Textbox(
            label=app.ui("caption"),
            info=app.ui("caption_help"),
            lines=2,
            max_length=2000,
            elem_id="ws-caption",
        )
        self.decision = gr.Radio(
            [(ws.decision_name(app.lang, d), d) for d in ws.DECISIONS],
            label=app.ui("decision"), value=None, elem_id="ws-decision",
        )  # fmt: skip
        self.reason = gr.Textbox(label=app.ui("reason"), lines=2, max_length=2000, elem_id="ws-reason")
        self.submit_btn = gr.Button(app.ui("submit"), variant="primary", elem_id="ws-submit")

    def _facilitator_link(self, code: str) -> str:
        return f'<p><a href="facilitator">{esc(ws.ui_text(code, "facilitator_link"))}</a></p>'

    # ---------------------------------------------------------------------------------- views

    @property
    def outputs(self) -> list[Any]:
        join = [self.join_col, self.join_heading, self.join_intro, self.code_in, self.name_in, self.share_in]
        marking = [self.annot, self.box_list, self.nodrag, self.nodrag_help, self.click_img]
        numbers = [self.nx, self.ny, self.nw, self.nh, self.nkind, self.add_btn, self.undo_btn]
        answers = [
            self.questions_title,
            *self.radios,
            self.caption,
            self.decision,
            self.reason,
            self.submit_btn,
        ]
        rest = [self.done_col, self.done, self.status, self.leave_btn, self.facilitator_link]
        states = [self.token, self.scenario_id, self.corner, self.saved]
        work = [self.work_col, self.header, self.mark_intro]
        return [
            self.title,
            self.lang,
            *join,
            self.join_btn,
            *work,
            *marking,
            *numbers,
            *answers,
            *rest,
            *states,
        ]

    def labels(self, code: str) -> dict[Any, Any]:
        """Every label and static text in language ``code``."""
        ui = lambda key, **v: ws.ui_text(code, key, **v)  # noqa: E731
        kinds = kind_names(code)
        out: dict[Any, Any] = {
            self.title: f"<h1>{esc(ui('app_title'))}</h1>",
            self.join_heading: step_heading(ui("tab_join")),
            self.join_intro: ui("join_intro"),
            self.code_in: gr.update(label=ui("join_code")),
            self.name_in: gr.update(label=ui("your_name")),
            self.share_in: gr.update(label=ui("share_name")),
            self.join_btn: gr.update(value=ui("join_button")),
            self.mark_intro: ui("mark_intro"),
            self.nodrag: gr.update(label=ui("nodrag_title")),
            self.nodrag_help: ui("nodrag_help"),
            self.nx: gr.update(label=ui("nodrag_x")),
            self.ny: gr.update(label=ui("nodrag_y")),
            self.nw: gr.update(label=ui("nodrag_w")),
            self.nh: gr.update(label=ui("nodrag_h")),
            self.nkind: gr.update(label=ui("nodrag_kind"), choices=list(zip(kinds, KINDS, strict=True))),
            self.add_btn: gr.update(value=ui("nodrag_add")),
            self.undo_btn: gr.update(value=ui("nodrag_remove_last")),
            self.questions_title: f"<h3>{esc(ui('questions_title'))}</h3>",
            self.submit_btn: gr.update(value=ui("submit")),
            self.done: step_heading(ui("done_title"), extra=f"<p>{esc(ui('all_done'))}</p>"),
            self.leave_btn: gr.update(value=ui("leave")),
            self.facilitator_link: self._facilitator_link(code),
        }
        return out

    def show(self, tok: str, code: str, saved_state: dict[str, Any] | None, note: str = "") -> dict[Any, Any]:
        """Everything a participant sees, rebuilt from the server-side state of their token."""
        state = {**EMPTY_STATE, **(saved_state or {}), "token": tok, "lang": code}
        out = {**self.labels(code), self.saved: state, self.token: tok, self.corner: None, self.status: note}
        out[self.lang] = code
        try:
            person = self.app.store.participant(tok) if tok else None
        except ws.WorkshopError:
            person = None
        if person is None:
            state["token"] = ""
            return {**out, **self._step("join"), self.token: "", self.scenario_id: "", self.header: ""}
        rnd = self.app.store.round_by_id(person.round_id)
        if person.position >= len(rnd.scenario_ids):
            return {**out, **self._step("done"), self.scenario_id: "", self.header: ""}
        return {**out, **self._step("work"), **self._scenario_view(person, rnd, code)}

    def _step(self, step: str) -> dict[Any, Any]:
        return {
            self.join_col: gr.update(visible=step == "join"),
            self.work_col: gr.update(visible=step == "work"),
            self.done_col: gr.update(visible=step == "done"),
            self.leave_btn: gr.update(visible=step != "join"),
        }

    def _scenario_view(self, person: ws.Participant, rnd: ws.Round, code: str) -> dict[Any, Any]:
        ui = lambda key, **v: ws.ui_text(code, key, **v)  # noqa: E731
        sid = rnd.scenario_ids[person.position]
        sc = self.app.scenarios[sid]
        sub = self.app.store.submission(person.token, sid)
        title = ui("scenario_of", n=person.position + 1, total=len(rnd.scenario_ids))
        joined = esc(ui("joined_as", label=person.label(ui("participant"))))
        brief = esc(sc.text("brief", code))
        out: dict[Any, Any] = {
            self.scenario_id: sid,
            self.header: step_heading(
                f"{title}: {sc.text('title', code)}", extra=f"<p>{joined}</p><p>{brief}</p>"
            ),
            self.annot: gr.update(
                value=to_annotator(self.app.files.base(sc.image), sub.boxes, code),
                label=ui("annotator_label"),
                label_list=kind_names(code),
            ),
            self.click_img: gr.update(
                value=self.app.files.drawn(sc.image, sub.boxes), label=ui("nodrag_image")
            ),
            self.box_list: box_list_html(sub.boxes, code),
            self.caption: gr.update(value=sub.caption, label=ui("caption"), info=ui("caption_help")),
            self.decision: gr.update(
                value=sub.decision or None,
                label=ui("decision"),
                choices=[(ws.decision_name(code, d), d) for d in ws.DECISIONS],
            ),
            self.reason: gr.update(value=sub.reason, label=ui("reason")),
        }
        for radio, q in zip(self.radios, ws.load_questions(code), strict=True):
            options = [(label, value) for value, label in q.options]
            out[radio] = gr.update(value=sub.answers.get(q.id), label=q.text, choices=options)
        return out

    def lang_of(self, tok: str, *_: Any) -> str:
        try:
            return self.app.store.participant(tok).lang
        except ws.WorkshopError:
            return self.app.lang

    # ------------------------------------------------------------------------------- handlers

    def resume(self, saved_state: dict[str, Any] | None, request: gr.Request) -> dict[Any, Any]:
        saved_state = saved_state or {}
        accept = request.headers.get("accept-language", "") if request else ""
        code = ws.supported(saved_state.get("lang")) if saved_state.get("lang") else None
        code = code or ws.pick_language(accept, self.app.lang)
        tok = saved_state.get("token", "")
        out = self.show(tok, code, saved_state, ws.ui_text(code, "resume") if tok else "")
        # Join stays disabled until this has run, so a late reply here never undoes a fresh join.
        out[self.join_btn] = gr.update(value=ws.ui_text(code, "join_button"), interactive=True)
        join_code = request.query_params.get("join", "") if request else ""
        if join_code:
            out[self.code_in] = gr.update(
                value=ws.normalise_code(join_code), label=ws.ui_text(code, "join_code")
            )
        return out

    def join(
        self, code: str, name: str, share: bool, lang: str, saved_state: dict[str, Any]
    ) -> dict[Any, Any]:
        try:
            person = self.app.store.join(code, name=name or "", share_name=bool(share), lang=lang)
        except ws.WorkshopError as exc:
            raise gr.Error(exc.text(ws.supported(lang)), print_exception=False) from None
        return self.show(person.token, person.lang, saved_state)

    def change_lang(self, lang: str, tok: str, saved_state: dict[str, Any]) -> dict[Any, Any]:
        lang = ws.supported(lang)
        if tok:
            self.app.store.set_lang(tok, lang)
        return self.show(tok, lang, saved_state)

    def leave(self, saved_state: dict[str, Any]) -> dict[Any, Any]:
        code = ws.supported((saved_state or {}).get("lang"), self.app.lang)
        return self.show("", code, {**(saved_state or {}), "token": ""})

    def submit(self, tok, sid, saved_state, value, caption, decision, reason, *answers):  # type: ignore[no-untyped-def]
        if not tok or not sid:
            raise ws.WorkshopError("join_first")
        self.app.store.save_progress(
            tok,
            sid,
            boxes=from_annotator(value) if value else None,
            caption=caption or "",
            decision=decision or "",
            reason=reason or "",
            answers=dict(zip(self.question_ids, answers, strict=True)),
        )
        self.app.store.submit(tok, sid, self.question_ids)
        code = self.lang_of(tok)
        return self.show(tok, code, saved_state, ws.ui_text(code, "next_scenario"))

    def save_field(self, field: str):  # type: ignore[no-untyped-def]
        @shows_errors(self.lang_of)
        def save(tok: str, sid: str, value: Any) -> None:
            if tok and sid:
                self.app.store.save_progress(tok, sid, **{field: value or ""})

        return save

    def save_answer(self, qid: str):  # type: ignore[no-untyped-def]
        @shows_errors(self.lang_of)
        def save(tok: str, sid: str, value: str | None) -> None:
            if tok and sid:
                self.app.store.save_progress(tok, sid, answers={qid: value})

        return save

    # ---------------------------------------------------------------------------------- wiring

    def _wire(self) -> None:
        from photolab.ui.workshop.marking import wire_marking

        outs = self.outputs
        join_inputs = [self.code_in, self.name_in, self.share_in, self.lang, self.saved]
        submit = shows_errors(self.lang_of)(self.submit)
        gr.on(
            [self.join_btn.click, self.code_in.submit],
            self.join, join_inputs, outs, api_name="ws_join",
        ).then(None, [self.lang], None, js=SET_LANG_JS).then(None, None, None, js=FOCUS_STEP_JS)  # fmt: skip
        self.lang.input(self.change_lang, [self.lang, self.token, self.saved], outs, api_name="ws_lang").then(
            None, [self.lang], None, js=SET_LANG_JS
        )
        self.submit_btn.click(
            submit,
            [
                self.token,
                self.scenario_id,
                self.saved,
                self.annot,
                self.caption,
                self.decision,
                self.reason,
                *self.radios,
            ],
            outs,
            api_name="ws_submit",
        ).then(None, None, None, js=FOCUS_STEP_JS)
        self.leave_btn.click(self.leave, [self.saved], outs, api_visibility="private").then(
            None, None, None, js=FOCUS_STEP_JS
        )
        self.caption.blur(
            self.save_field("caption"),
            [self.token, self.scenario_id, self.caption],
            None,
            api_visibility="private",
        )
        self.reason.blur(
            self.save_field("reason"),
            [self.token, self.scenario_id, self.reason],
            None,
            api_visibility="private",
        )
        self.decision.input(
            self.save_field("decision"),
            [self.token, self.scenario_id, self.decision],
            None,
            api_visibility="private",
        )
        for radio, qid in zip(self.radios, self.question_ids, strict=True):
            radio.input(
                self.save_answer(qid), [self.token, self.scenario_id, radio], None, api_visibility="private"
            )
        wire_marking(self)

    def wire_load(self, demo: gr.Blocks) -> None:
        demo.load(self.resume, [self.saved], self.outputs, api_name="ws_resume").then(
            None, [self.lang], None, js=SET_LANG_JS
        )
