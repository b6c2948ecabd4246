"""Step 2 · Hidden data: what the file gives away, ranked by risk, in plain words; all of it is removed."""

from __future__ import annotations

from typing import Any

import gradio as gr

from photolab.ui.desk import views
from photolab.ui.desk.page import Page, go, heading, label, t
from photolab.ui.desk.state import Desk


def build(page: Page) -> None:
    heading(page, "findings")
    findings = gr.HTML("", elem_id="findings")
    to_areas = label(
        page, gr.Button(t("btn.to_areas"), variant="primary", elem_id="to-areas"), value="btn.to_areas"
    )
    page.parts["findings"] = {"findings": findings, "to_areas": to_areas}


def show(page: Page, desk: Desk) -> dict[Any, Any]:
    item = desk.item()
    return {page.part("findings", "findings"): views.findings_html(item, desk.lang) if item else ""}


def wire(page: Page, areas_view: Any, area_outputs: list[Any]) -> None:
    def to_areas(desk: Desk) -> dict[Any, Any]:
        return {**areas_view(desk), page.wizard: go("areas")}

    page.part("findings", "to_areas").click(
        to_areas, [page.desk], [page.wizard, *area_outputs], api_name="to_areas"
    )
