"""The projector view (``/projector``): what the room sees on the wall.

The join code in large letters, the address, the QR code and how far the room is; the results of the
scenario the facilitator picked (charts, prompts) only once the facilitator has ticked "Show results on
the projector". It never shows the facilitator's notes, the key that opens the dashboard, or a caption.
It is opened from the facilitator's page in the same browser, whose stored facilitator key it reads.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from photolab import workshop as ws
from photolab.ui.workshop.common import (
    FACILITATOR_STATE_KEY,
    REFRESH_SECONDS,
    Workshop,
    address_for,
    esc,
    join_panel_html,
)
from photolab.ui.workshop.views import progress_html, projected_results_html


class ProjectorPage:
    def __init__(self, app: Workshop) -> None:
        self.app = app
        self.saved = gr.BrowserState(
            {"admin": ""}, storage_key=FACILITATOR_STATE_KEY, secret=app.store.secret("browser-state")
        )
        self.view = gr.HTML(self.empty(), elem_id="ws-projector", elem_classes=["ws-projector"])
        self.timer = gr.Timer(REFRESH_SECONDS, active=True)

    def empty(self) -> str:
        return f"<h1>{esc(self.app.ui('app_title'))}</h1><p>{esc(self.app.ui('projector_empty'))}</p>"

    def render(self, saved_state: dict[str, Any] | None, request: gr.Request) -> str:
        try:
            rnd = self.app.store.round_by_admin_key((saved_state or {}).get("admin", ""))
        except ws.WorkshopError:
            return self.empty()
        lang = self.app.lang
        result = ws.aggregate(self.app.store, rnd.id, list(self.app.scenarios.values()), lang)
        panel = join_panel_html(self.app, rnd, address_for(request), qr=False)
        top = (
            f'<div class="ws-projector-top"><div>{panel}'
            f"{progress_html(result, lang)}</div>"
            f'<div class="ws-qr">{_qr(self.app, rnd, request)}</div></div>'
        )
        results = projected_results_html(result, lang) if rnd.revealed else ""
        return f"<h1>{esc(rnd.title or self.app.ui('app_title'))}</h1>{top}{results}"

    def wire_load(self, demo: gr.Blocks) -> None:
        demo.load(self.render, [self.saved], [self.view], api_visibility="private")
        self.timer.tick(
            self.render, [self.saved], [self.view], api_name="ws_projector", show_progress="hidden"
        )


def _qr(app: Workshop, rnd: ws.Round, request: gr.Request | None) -> str:
    from photolab.ui.workshop.common import qr_svg

    url = address_for(request).with_code(rnd.code)
    return qr_svg(url, app.ui("qr_alt", url=url))
