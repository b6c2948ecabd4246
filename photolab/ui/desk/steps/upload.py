"""Step 1 · Upload: read each file once, delete it at once, keep the clean pixels; detect meanwhile."""

from __future__ import annotations

from typing import Any

import gradio as gr

from photolab.review.gates import Problem
from photolab.ui.desk import photos, session, views
from photolab.ui.desk.errors import shown, warn
from photolab.ui.desk.page import Page, go, heading, label, lang_of, t
from photolab.ui.desk.state import Desk

FILE_TYPES = ["image", ".heic", ".heif", ".tif", ".tiff", ".webp", ".avif"]


def build(page: Page) -> None:
    heading(page, "upload")
    label(page, gr.Markdown(t("upload.help"), elem_id="upload-help"), value="upload.help")
    files = label(
        page,
        gr.File(file_count="multiple", label=t("upload.label"), elem_id="upload", file_types=FILE_TYPES),
        label="upload.label",
    )
    # The status (how many photos, which files could not be read) sits above the steps, in the header:
    # it must stay in sight after the desk has moved on to the first photo.
    page.parts["upload"] = {"files": files, "status": page.part("header", "status")}


def wire(page: Page, show_photo: Any, outputs: list[Any]) -> None:
    files, status = page.part("upload", "files"), page.part("upload", "status")

    @shown(lang_of)
    def ingest(uploads: list[Any] | None, desk: Desk | None, request: gr.Request) -> dict[Any, Any]:
        blobs = photos.read_and_delete(uploads)  # first of all: no upload stays on disk
        desk = desk or session.desk_for(request)  # dropped while the page was still loading its session
        items, errors = photos.open_uploads(blobs)
        with desk.lock:
            first_new = len(desk.items)
            desk.items.extend(items)
            desk.refused += errors
        for index, item in enumerate(items):
            session.DETECTIONS.submit(desk, item, first=index == 0)
        if not items:
            warn([Problem("err.upload_failed", {"details": " · ".join(errors) or "-"})], desk.lang)
            return {page.desk: desk, files: None, status: views.upload_status(desk, desk.lang)}
        desk.show(first_new)
        out = show_photo(desk)
        out.update(
            {
                page.desk: desk,
                files: None,
                status: views.upload_status(desk, desk.lang),
                page.wizard: go("findings"),
                page.timer: gr.Timer(active=True),
            }
        )
        return out

    # No concurrency limit: reading and deleting an upload must never wait behind another session.
    files.upload(
        ingest,
        [files, page.desk],
        list(dict.fromkeys([page.desk, files, status, page.wizard, page.timer, *outputs])),
        api_name="ingest",
        concurrency_limit=None,
        show_progress="minimal",
    )
