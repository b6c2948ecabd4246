"""Marking boxes on the participant page: by drawing in the box editor, or without dragging (two clicks
on the picture, or the box typed in pixels). Every change is saved on the server at once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import gradio as gr

from photolab import workshop as ws
from photolab.ui.workshop.common import box_list_html, from_annotator, shows_errors, to_annotator

if TYPE_CHECKING:
    from photolab.ui.workshop.participant import ParticipantPage


class Marking:
    def __init__(self, page: ParticipantPage) -> None:
        self.page = page
        self.app = page.app

    def current_boxes(self, tok: str, sid: str, value: dict[str, Any] | None) -> list[dict[str, Any]]:
        """The boxes on screen; the saved ones when the call carries no editor value (API use)."""
        return from_annotator(value) if value else self.app.store.submission(tok, sid).boxes

    def _view(
        self, tok: str, sid: str, boxes: list[dict[str, Any]], note: str = "", editor: bool = True
    ) -> dict:
        p = self.page
        code = p.lang_of(tok)
        source = self.app.scenarios[sid].image
        out: dict[Any, Any] = {
            p.click_img: self.app.files.drawn(source, boxes),
            p.box_list: box_list_html(boxes, code, note),
        }
        if editor:
            out[p.annot] = to_annotator(self.app.files.base(source), boxes, code)
            out[p.corner] = None
        return out

    def save_boxes(self, tok: str, sid: str, value: dict[str, Any] | None) -> dict[Any, Any]:
        if not tok or not sid:
            return {}
        boxes = from_annotator(value)
        self.app.store.save_progress(tok, sid, boxes=boxes)
        return self._view(tok, sid, boxes, editor=False)

    def add_box(self, tok: str, sid: str, value: dict[str, Any] | None, box: list[Any], kind: str) -> dict:
        if not tok or not sid or any(v is None for v in box) or box[2] < 1 or box[3] < 1:
            return {}
        width, height = self.app.scenarios[sid].size
        x, y, w, h = (int(v) for v in box)
        x, y = min(max(0, x), width - 1), min(max(0, y), height - 1)
        w, h = min(w, width - x), min(h, height - y)
        boxes = [*self.current_boxes(tok, sid, value), {"box": [x, y, w, h], "label": kind or "area"}]
        self.app.store.save_progress(tok, sid, boxes=boxes)
        return self._view(
            tok, sid, boxes, ws.ui_text(self.page.lang_of(tok), "corner_done", x=x, y=y, w=w, h=h)
        )

    def add_numbers(self, tok, sid, value, x, y, w, h, kind):  # type: ignore[no-untyped-def]
        return self.add_box(tok, sid, value, [x, y, w, h], kind)

    def click_corner(self, tok, sid, value, first, kind, evt: gr.SelectData):  # type: ignore[no-untyped-def]
        if not tok or not sid:
            return {}
        x, y = (int(v) for v in evt.index)
        if first is None:
            note = ws.ui_text(self.page.lang_of(tok), "corner_first", x=x, y=y)
            boxes = self.current_boxes(tok, sid, value)
            return {
                self.page.corner: [x, y],
                self.page.box_list: box_list_html(boxes, self.page.lang_of(tok), note),
            }
        x0, y0 = first
        return self.add_box(tok, sid, value, [min(x0, x), min(y0, y), abs(x - x0), abs(y - y0)], kind)

    def undo(self, tok: str, sid: str, value: dict[str, Any] | None) -> dict[Any, Any]:
        if not tok or not sid:
            return {}
        boxes = self.current_boxes(tok, sid, value)[:-1]
        self.app.store.save_progress(tok, sid, boxes=boxes)
        return self._view(tok, sid, boxes)


def wire_marking(p: ParticipantPage) -> None:
    m = Marking(p)
    guard = shows_errors(p.lang_of)
    editor_outputs = [p.annot, p.click_img, p.box_list, p.corner]
    p.annot.change(
        guard(m.save_boxes),
        [p.token, p.scenario_id, p.annot],
        [p.click_img, p.box_list],
        api_name="ws_save_boxes",
        show_progress="hidden",
    )
    p.add_btn.click(
        guard(m.add_numbers),
        [p.token, p.scenario_id, p.annot, p.nx, p.ny, p.nw, p.nh, p.nkind],
        editor_outputs,
        api_name="ws_add_box",
    )
    p.click_img.select(
        guard(m.click_corner), [p.token, p.scenario_id, p.annot, p.corner, p.nkind], editor_outputs,
        api_visibility="private",
    )  # fmt: skip
    p.undo_btn.click(guard(m.undo), [p.token, p.scenario_id, p.annot], editor_outputs, api_name="ws_undo")
