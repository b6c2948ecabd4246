"""Photo Lab workshop pages (Gradio wiring only; the logic is in ``photolab.workshop``).

How it is mounted: ``photolab serve --workshop`` (photolab/server.py) calls ``build_workshop(db_path)``
and serves the returned ``gr.Blocks`` like the review desk (login off loopback, analytics and run
history off, ``Cache-Control: no-store``). One app, three pages:

- ``/``: participants (``participant.py`` + ``marking.py``); the QR code opens ``/?join=CODE``;
- ``/facilitator``: create a round, follow it, reveal results, close, export, delete (``facilitator.py``);
- ``/projector``: the code, QR code and progress for the wall; results once revealed (``projector.py``).

Shared helpers are in ``common.py`` (context, images, box editor value, error decorator, page script),
pure views in ``views.py``, the style in ``style.py``.

Named API endpoints (used by tests/workshop/test_workshop_client.py): ``/ws_join``, ``/ws_resume``,
``/ws_save_boxes``, ``/ws_add_box``, ``/ws_undo``, ``/ws_submit``, ``/ws_lang``, ``/ws_create``,
``/ws_reopen``, ``/ws_dashboard``, ``/ws_project``, ``/ws_close``, ``/ws_open``, ``/ws_takeaways``,
``/ws_export``, ``/ws_delete``, ``/ws_projector``.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from photolab import workshop as ws
from photolab.ui.workshop.common import Workshop, script_host
from photolab.ui.workshop.facilitator import FacilitatorPage
from photolab.ui.workshop.participant import ParticipantPage
from photolab.ui.workshop.projector import ProjectorPage
from photolab.ui.workshop.style import style_block

__all__ = ["build_workshop"]


def build_workshop(db_path: Path | None = None, *, lang: str = "en") -> gr.Blocks:
    """The workshop app over one SQLite database (the review records' file by default)."""
    app = Workshop(
        store=ws.WorkshopStore(db_path),
        scenarios={s.id: s for s in ws.load_scenarios()},
        lang=ws.supported(lang),
    )
    with gr.Blocks(title=app.ui("app_title"), analytics_enabled=False) as demo:
        _page_frame(app.lang)
        participant = ParticipantPage(app)
        participant.wire_load(demo)
    with demo.route(app.ui("facilitator_title"), "facilitator"):
        _page_frame(app.lang)
        facilitator = FacilitatorPage(app)
        facilitator.wire_load(demo)
    with demo.route(app.ui("projector_title"), "projector"):
        _page_frame(app.lang)
        ProjectorPage(app).wire_load(demo)
    demo.queue(default_concurrency_limit=16)
    return demo


def _page_frame(lang: str) -> None:
    """Style, page script, and no navigation bar (participants have no business on the other pages)."""
    gr.Navbar(visible=False)
    gr.HTML(style_block(), elem_id="ws-style", padding=False)
    script_host(lang)
