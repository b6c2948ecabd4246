"""Step 6 · Approve and export (or refuse): every gate again on the server, then the record and a zip that
only this browser can download, straight from memory."""

from __future__ import annotations

from typing import Any

import gradio as gr

from photolab.review import checklist as cl
from photolab.review import gates
from photolab.review.record import build_record, export_zip
from photolab.ui.desk import views
from photolab.ui.desk.errors import Refused, shown
from photolab.ui.desk.page import Page, heading, label, lang_of, t
from photolab.ui.desk.state import Desk, Item
from photolab.ui.desk.steps.ethics import answers_of
from photolab.ui.i18n import text


def build(page: Page) -> None:
    heading(page, "export")
    reviewer = label(
        page, gr.Textbox(label=t("export.reviewer"), elem_id="reviewer", max_lines=1), label="export.reviewer"
    )
    caption = label(
        page,
        gr.Textbox(label=t("export.caption"), info=t("export.caption_info"), lines=2, elem_id="caption"),
        label="export.caption",
        info="export.caption_info",
    )
    alt_text = label(
        page,
        gr.Textbox(label=t("export.alt"), info=t("export.alt_info"), lines=2, elem_id="alt-text"),
        label="export.alt",
        info="export.alt_info",
    )
    with gr.Row():
        back = label(page, gr.Button(t("btn.back_ethics"), elem_id="back-to-ethics"), value="btn.back_ethics")
        approve = label(
            page, gr.Button(t("btn.approve"), variant="primary", elem_id="approve"), value="btn.approve"
        )
    status = gr.HTML("", elem_id="export-status")
    download = gr.HTML("", elem_id="download")
    with label(
        page,
        gr.Accordion(t("export.refuse_title"), open=False, elem_id="refuse-box"),
        label="export.refuse_title",
    ):
        reason = label(
            page,
            gr.Textbox(label=t("export.refusal_reason"), lines=2, elem_id="refusal-reason"),
            label="export.refusal_reason",
        )
        refuse = label(page, gr.Button(t("btn.refuse"), variant="stop", elem_id="refuse"), value="btn.refuse")
    next_photo = label(
        page, gr.Button(t("btn.next_photo"), visible=False, elem_id="next-photo"), value="btn.next_photo"
    )
    page.parts["export"] = {
        "reviewer": reviewer,
        "caption": caption,
        "alt": alt_text,
        "back": back,
        "approve": approve,
        "status": status,
        "download": download,
        "reason": reason,
        "refuse": refuse,
        "next": next_photo,
    }


def show(page: Page, desk: Desk) -> dict[Any, Any]:
    p = page.parts["export"]
    return {p["status"]: "", p["download"]: "", p["next"]: gr.update(visible=False)}


def outputs(page: Page) -> list[Any]:
    p = page.parts["export"]
    return [p["status"], p["download"], p["next"]]


def record_for(
    item: Item,
    checklist: cl.Checklist,
    answers: dict[str, str],
    justifications: dict[str, str],
    *,
    reviewer: str,
    caption: str = "",
    alt_text: str = "",
    refusal: str = "",
) -> Any:
    output = item.output.data if item.output is not None and not refusal else b""
    return build_record(
        reviewer=reviewer,
        checklist=checklist,
        answers=answers,
        justifications=justifications,
        original_sha256=item.photo.sha256,
        output_bytes=output,
        output_format=item.output.format if item.output is not None else "",
        output_size=(item.width, item.height),
        caption=caption,
        alt_text=alt_text,
        findings=item.findings,
        regions=item.regions,
        input_name=None,
        refuse=bool(refusal),
        refusal_reasons=(refusal,) if refusal else (),
    )


def wire(page: Page, store: Any, after_decision: Any, after_outputs: list[Any], inputs: list[Any]) -> None:
    p = page.parts["export"]

    @shown(lang_of)
    def approve(name: str, caption: str, alt: str, *args: Any) -> dict[Any, Any]:
        *values, desk = args
        item = _current(desk)
        checklist = cl.load_checklist(desk.lang)
        answers, justifications = answers_of(checklist, list(values))
        problems = gates.approval_problems(
            reviewer=name,
            caption=caption,
            alt_text=alt,
            needs_check=item.needs_full_size_check,
            checked=item.checked_full_size,
            output_is_current=item.output_is_current(),
            checklist=checklist,
            answers=answers,
            justifications=justifications,
        )
        if problems:
            raise Refused(problems, lead="err.not_approved")
        record = record_for(
            item, checklist, answers, justifications, reviewer=name, caption=caption, alt_text=alt
        )
        store.save(record)
        bundle = export_zip(item.output.data, item.export_stem + item.output.ext, record, caption, alt)
        link = offer_download(desk, f"{item.export_stem}.zip", bundle)
        item.decision = "approved"
        item.pixels.park()
        done = text("export.done", desk.lang, record=record.record_id)
        return {
            p["status"]: f'<p class="pl-status" role="status">✓ {views.esc(done)}</p>',
            p["download"]: link,
            **after_decision(desk),
        }

    @shown(lang_of)
    def refuse(name: str, reason: str, *args: Any) -> dict[Any, Any]:
        *values, desk = args
        item = _current(desk)
        problems = gates.refusal_problems(reviewer=name, reason=reason)
        if problems:
            raise Refused(problems)
        checklist = cl.load_checklist(desk.lang)
        answers, justifications = answers_of(checklist, list(values))
        record = record_for(item, checklist, answers, justifications, reviewer=name, refusal=reason)
        store.save(record)
        item.decision = "refused"
        item.pixels.park()
        said = text("export.refused", desk.lang, record=record.record_id)
        return {
            p["status"]: f'<p class="pl-status" role="status">✗ {views.esc(said)}</p>',
            **after_decision(desk),
        }

    from photolab.ui.desk.page import go

    p["back"].click(lambda: go("ethics"), None, page.wizard, api_name="back_to_ethics")
    p["approve"].click(
        approve,
        [p["reviewer"], p["caption"], p["alt"], *inputs, page.desk],
        [p["status"], p["download"], *after_outputs],
        api_name="approve",
        concurrency_limit=4,
    )
    p["refuse"].click(
        refuse,
        [p["reviewer"], p["reason"], *inputs, page.desk],
        [p["status"], *after_outputs],
        api_name="refuse",
    )


def offer_download(desk: Desk, filename: str, data: bytes) -> str:
    """A link that only this browser can follow, to bytes held in memory (never written to disk)."""
    from photolab.server import downloads

    url = downloads.offer(desk.browser or "", filename, data)
    desk.downloads.append(url)
    label = text("btn.download", desk.lang)
    return (
        f'<p class="pl-download"><a href="{views.esc(url)}" download="{views.esc(filename)}">'
        f"{views.esc(label)}</a></p>"
    )


def _current(desk: Desk) -> Item:
    item = desk.item() if desk is not None else None
    if item is None:
        raise Refused([gates.Problem("err.no_photo")])
    return item
