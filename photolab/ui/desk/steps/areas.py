"""Step 3 · Areas to hide: the photo at any zoom with numbered boxes, the areas grouped by kind, and every
way to correct the detectors (toggle, delete, add by two clicks or typed, change kind or style)."""

from __future__ import annotations

from typing import Any

import gradio as gr

from photolab.core import policy
from photolab.review import gates
from photolab.ui.desk import edits, photos, views
from photolab.ui.desk.errors import Refused, shown
from photolab.ui.desk.page import Page, go, heading, label, lang_of, t
from photolab.ui.desk.session import DETECTIONS
from photolab.ui.desk.state import FAMILIES, Desk
from photolab.ui.desk.viewer import viewer_component


def build(page: Page) -> None:
    heading(page, "areas")
    warning = gr.HTML("", elem_id="warning")
    label(page, gr.Markdown(t("areas.help"), elem_id="areas-help"), value="areas.help")
    viewer = viewer_component("viewer")
    summary = gr.HTML("", elem_id="areas-summary")
    with gr.Row():
        style = label(
            page,
            gr.Radio(
                choices=[(t(f"style.{s}"), s) for s in policy.STYLES],
                value=policy.DEFAULT_STYLE,
                label=t("areas.style_all"),
                elem_id="style-all",
            ),
            label="areas.style_all",
            choices="style.:" + ",".join(policy.STYLES),
        )
        apply_style = label(
            page,
            gr.Button(t("btn.apply_all"), elem_id="apply-style", scale=0, min_width=160),
            value="btn.apply_all",
        )
    with label(
        page, gr.Accordion(t("areas.type_title"), open=False, elem_id="type-area"), label="areas.type_title"
    ):
        label(page, gr.Markdown(t("areas.type_help"), elem_id="type-help"), value="areas.type_help")
        with gr.Row():
            coords = [
                label(
                    page,
                    gr.Number(label=t(f"areas.{k}"), precision=0, elem_id=f"add-{k}", value=None),
                    label=f"areas.{k}",
                )
                for k in ("x", "y", "w", "h")
            ]
            kind = label(
                page,
                gr.Dropdown(
                    choices=[(t(f"kind.{k}"), k) for k in policy.REGION_KINDS],
                    value="face",
                    label=t("areas.kind"),
                    elem_id="add-kind",
                ),
                label="areas.kind",
                choices="kind.:" + ",".join(policy.REGION_KINDS),
            )
        add = label(page, gr.Button(t("btn.add_area"), elem_id="add-area"), value="btn.add_area")
    checked = label(
        page,
        gr.Checkbox(False, label=t("areas.checked"), elem_id="checked-full-size", visible=False),
        label="areas.checked",
    )
    to_preview = label(
        page, gr.Button(t("btn.to_preview"), variant="primary", elem_id="to-preview"), value="btn.to_preview"
    )
    page.parts["areas"] = {
        "warning": warning,
        "viewer": viewer,
        "summary": summary,
        "style": style,
        "apply_style": apply_style,
        "coords": coords,
        "kind": kind,
        "add": add,
        "checked": checked,
        "to_preview": to_preview,
    }


def show(page: Page, desk: Desk, *, selected: str = "", tile: dict[str, Any] | None = None) -> dict[Any, Any]:
    """The areas step for the current photo (what changes when boxes arrive or the reviewer edits)."""
    p = page.parts["areas"]
    item = desk.item()
    if item is None:
        return {p["viewer"]: "", p["summary"]: "", p["warning"]: "", p["checked"]: gr.update(visible=False)}
    desk.shown_version = (item.key, item.version)
    return {
        p["viewer"]: views.viewer_html(item, desk.lang, selected=selected, tile=tile),
        p[
            "summary"
        ]: f'<p class="pl-status" role="status">{views.esc(views.areas_summary(item, desk.lang))}</p>',
        p["warning"]: views.warning_html(item, desk.lang),
        p["checked"]: gr.update(visible=item.needs_full_size_check, value=item.checked_full_size),
    }


def outputs(page: Page) -> list[Any]:
    p = page.parts["areas"]
    return [p["viewer"], p["summary"], p["warning"], p["checked"]]


def wire(page: Page, preview_view: Any, preview_outputs: list[Any]) -> None:
    p = page.parts["areas"]
    shows = outputs(page)

    @shown(lang_of)
    def on_edit(desk: Desk, style: str, evt: gr.EventData) -> dict[Any, Any]:
        item = _current(desk)
        with desk.lock:
            selected = edits.apply(item, dict(evt._data or {}), style or policy.DEFAULT_STYLE)
        return show(page, desk, selected=selected)

    def on_tile(desk: Desk, evt: gr.EventData) -> dict[Any, Any]:
        item = desk.item()
        if item is None:
            return {p["viewer"]: gr.skip()}
        data = dict(evt._data or {})
        box = tuple(int(data.get(k, 0)) for k in ("x", "y", "w", "h"))
        image = (
            views.brightened(item.pixels.image()) if data.get("layer") == "bright" else item.pixels.image()
        )
        src, placed = views.tile_data_url(image, box)  # type: ignore[arg-type]
        return show(page, desk, tile={"src": src, "box": placed, "layer": data.get("layer", "before")})

    @shown(lang_of)
    def add_typed(
        x: float, y: float, w: float, h: float, kind: str, style: str, desk: Desk
    ) -> dict[Any, Any]:
        item = _current(desk)
        with desk.lock:
            selected = edits.apply(item, {"op": "add", "box": [x, y, w, h], "kind": kind}, style)
        return show(page, desk, selected=selected)

    @shown(lang_of)
    def apply_style(style: str, desk: Desk) -> dict[Any, Any]:
        item = _current(desk)
        with desk.lock:
            edits.apply(item, {"op": "style_all", "style": style})
        return show(page, desk)

    def tick(desk: Desk) -> dict[Any, Any]:
        """While detection runs: show new boxes as they arrive (the reviewer's edits are kept)."""
        if desk is None or not desk.items:
            return {page.timer: gr.Timer(active=False)}
        busy = any(f not in it.detected for it in desk.items for f in FAMILIES)
        item = desk.item()
        out: dict[Any, Any] = {page.timer: gr.skip() if busy else gr.Timer(active=False)}
        if item is not None and desk.shown_version != (item.key, item.version):
            out.update(show(page, desk))
        return out

    @shown(lang_of)
    def to_preview(checked: bool, desk: Desk) -> dict[Any, Any]:
        item = _current(desk)
        item.checked_full_size = bool(checked)
        missing = [f for f in FAMILIES if f not in item.detected]
        if missing:
            DETECTIONS.submit(desk, item, first=True)
            raise Refused([gates.Problem("err.still_detecting")])
        problems = gates.full_size_check(item.needs_full_size_check, item.checked_full_size)
        if problems:
            raise Refused(problems)
        photos.render(item)
        return {**preview_view(desk), page.wizard: go("preview")}

    viewer = p["viewer"]
    viewer.edit(on_edit, [page.desk, p["style"]], shows, api_name="edit_area", show_progress="hidden")
    viewer.tile(on_tile, [page.desk], shows, api_name="tile", show_progress="hidden")
    p["add"].click(add_typed, [*p["coords"], p["kind"], p["style"], page.desk], shows, api_name="add_area")
    p["apply_style"].click(apply_style, [p["style"], page.desk], shows, api_name="style_all")
    page.timer.tick(tick, [page.desk], [page.timer, *shows], show_progress="hidden", api_name="detections")
    p["to_preview"].click(
        to_preview,
        [p["checked"], page.desk],
        [page.wizard, *preview_outputs],
        api_name="to_preview",
        concurrency_limit=4,
    )


def _current(desk: Desk) -> Any:
    item = desk.item() if desk is not None else None
    if item is None:
        raise Refused([gates.Problem("err.no_photo")])
    return item
