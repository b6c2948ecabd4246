"""Step 4 · Preview: the photo before and after, at any zoom up to full resolution, exactly as exported."""

from __future__ import annotations

from typing import Any

import gradio as gr

from photolab.ui.desk import photos, views
from photolab.ui.desk.page import Page, go, heading, label, t
from photolab.ui.desk.state import Desk
from photolab.ui.desk.viewer import viewer_component


def build(page: Page) -> None:
    heading(page, "preview")
    label(page, gr.Markdown(t("preview.help"), elem_id="preview-help"), value="preview.help")
    compare = viewer_component("compare")
    summary = gr.HTML("", elem_id="preview-summary")
    with gr.Row():
        back = label(page, gr.Button(t("btn.back_areas"), elem_id="back-to-areas"), value="btn.back_areas")
        onward = label(
            page, gr.Button(t("btn.to_ethics"), variant="primary", elem_id="to-ethics"), value="btn.to_ethics"
        )
    page.parts["preview"] = {"compare": compare, "summary": summary, "back": back, "onward": onward}


def show(page: Page, desk: Desk, tile: dict[str, Any] | None = None) -> dict[Any, Any]:
    p = page.parts["preview"]
    item = desk.item()
    if item is None or item.output is None:
        return {p["compare"]: "", p["summary"]: ""}
    after_url = views.jpeg_url(views.preview_of(photos.output_image(item))[0])
    return {
        p["compare"]: views.viewer_html(item, desk.lang, mode="compare", after=after_url, tile=tile),
        p["summary"]: f'<p class="pl-status">{views.esc(views.preview_summary(item, desk.lang))}</p>',
    }


def outputs(page: Page) -> list[Any]:
    return [page.part("preview", "compare"), page.part("preview", "summary")]


def wire(page: Page, ethics_view: Any, ethics_outputs: list[Any]) -> None:
    p = page.parts["preview"]

    def on_tile(desk: Desk, evt: gr.EventData) -> dict[Any, Any]:
        item = desk.item()
        if item is None or item.output is None:
            return {p["compare"]: gr.skip()}
        data = dict(evt._data or {})
        layer = data.get("layer", "after")
        source = photos.output_image(item) if layer == "after" else item.pixels.image()
        if layer == "bright":
            source = views.brightened(source)
        box = tuple(int(data.get(k, 0)) for k in ("x", "y", "w", "h"))
        src, placed = views.tile_data_url(source, box)  # type: ignore[arg-type]
        return show(page, desk, tile={"src": src, "box": placed, "layer": layer})

    def onward(desk: Desk) -> dict[Any, Any]:
        return {**ethics_view(desk), page.wizard: go("ethics")}

    p["compare"].tile(on_tile, [page.desk], outputs(page), api_name="compare_tile", show_progress="hidden")
    p["back"].click(lambda: go("areas"), None, page.wizard, api_name="back_to_areas")
    p["onward"].click(onward, [page.desk], [page.wizard, *ethics_outputs], api_name="to_ethics")
