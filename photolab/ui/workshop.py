"""Photo Lab workshop views (Gradio wiring only; the logic is in ``photolab.workshop``).

How it is mounted: ``photolab serve --workshop`` (photolab/server.py) calls
``build_workshop(db_path, lang=...)`` and serves the returned ``gr.Blocks`` like the review desk: on a LAN
host, login required, analytics and run history off, ``Cache-Control: no-store``. The Blocks has two tabs:

- **Join** (participants, first tab): join with the code (the QR code's URL carries it as ``?join=CODE``),
  choose en/fr/es, mark boxes on each scenario image (drag, or click two corners / type numbers), answer
  the framing and consent questions, write a caption, decide, submit. A secret participant token is kept
  in the browser (``gr.BrowserState``, encrypted with a per-database key) and every answer is saved on the
  server as it is given, so a reload resumes where the participant was.
- **Facilitator**: create a round, pick scenarios, show the join code and QR code (drawn locally with
  segno), live dashboard refreshed by a ``gr.Timer`` (SVG charts, captions side by side, prompts), close
  the round, write "what we will change", export CSV / JSON / one-page summary. The round's facilitator
  key stays in that browser too; anyone else needs it to see the round's results.

Named API endpoints (used by tests/test_workshop_client.py): ``/ws_join``, ``/ws_resume``,
``/ws_save_boxes``, ``/ws_submit``, ``/ws_create``, ``/ws_dashboard``.
"""

from __future__ import annotations

import atexit
import hashlib
import html
import io
import json
import os
import shutil
import socket
import tempfile
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import gradio as gr
import segno
from gradio_image_annotation import image_annotator
from PIL import Image, ImageDraw

from photolab import workshop as ws

KINDS = ("face", "text", "person", "place", "other")
KIND_COLOURS = ((220, 38, 38), (37, 99, 235), (22, 163, 74), (202, 138, 4), (124, 58, 237))
LANG_NAMES = {"en": "English", "fr": "Français", "es": "Español"}
REFRESH_SECONDS = 3.0
# The annotator's rotate buttons would turn boxes into another frame (gradio notes); hide them.
WORKSHOP_CSS = """
#ws-annotator button[aria-label^=Rotate], #ws-annotator button[title^=Rotate] { display: none !important; }
.ws-code { font-size: 3rem; font-weight: 700; letter-spacing: .3rem; font-family: monospace; }
.ws-cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: .75rem; }
.ws-card { border: 1px solid #8886; border-radius: .5rem; padding: .6rem .8rem; }
.ws-card .ws-decision { font-weight: 700; }
.ws-charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(22rem, 1fr)); gap: 1.25rem; }
"""


# ------------------------------------------------------------------------------------------ helpers


def private_temp_folder(prefix: str) -> Path:
    """A folder inside the server's private temp dir (GRADIO_TEMP_DIR, emptied at start and exit)."""
    parent = os.environ.get("GRADIO_TEMP_DIR")
    if parent:
        Path(parent).mkdir(mode=0o700, parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=parent or None))


class ImageFiles:
    """Scenario images (pixels only, no metadata) and their box drawings as files in a private folder.

    Handlers return *paths*: gradio copies a path into its cache atomically and once, whereas a returned
    PIL image is re-encoded and rewritten in place on every event, which races when 30 sessions show the
    same picture (a browser can then read a half-written file).
    """

    def __init__(self) -> None:
        self.folder = private_temp_folder("photolab-workshop-")
        atexit.register(shutil.rmtree, self.folder, True)
        self._lock = threading.Lock()

    @lru_cache(maxsize=64)  # noqa: B019 - one instance per app, lives as long as the app
    def image(self, source: str) -> Image.Image:
        with Image.open(source) as im:
            rgb = im.convert("RGB")
        return Image.frombytes("RGB", rgb.size, rgb.tobytes())

    def _write(self, image: Image.Image) -> str:
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=90)
        data = buffer.getvalue()
        path = self.folder / f"{hashlib.sha256(data).hexdigest()[:32]}.jpg"
        if not path.exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{threading.get_ident()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        return str(path)

    def base(self, source: Path) -> str:
        return self._file(str(source), ())

    def drawn(self, source: Path, boxes: list[dict[str, Any]]) -> str:
        return self._file(str(source), tuple((tuple(b["box"]), b.get("label", "other")) for b in boxes))

    def _file(self, source: str, boxes: tuple[tuple[tuple[int, ...], str], ...]) -> str:
        path = self._cached(source, boxes)
        if not Path(path).exists():  # someone emptied the temp folder: draw again
            self._cached.cache_clear()
            path = self._cached(source, boxes)
        return path

    @lru_cache(maxsize=512)  # noqa: B019 - same lifetime as the app
    def _cached(self, source: str, boxes: tuple[tuple[tuple[int, ...], str], ...]) -> str:
        image = self.image(source)
        if boxes:
            image = _drawn(image, [{"box": list(b), "label": label} for b, label in boxes])
        path = self._write(image)
        return path


def _kind_names(texts: dict[str, Any]) -> list[str]:
    return [texts["ui"]["kinds"][k] for k in KINDS]


@lru_cache(maxsize=1)
def _kind_by_name() -> dict[str, str]:
    names = {k: k for k in KINDS}
    for lang in ws.LANGS:
        for key, name in ws.load_texts(lang)["ui"]["kinds"].items():
            names[name] = key
    return names


def _to_annotator(image: str, boxes: list[dict[str, Any]], texts: dict[str, Any]) -> dict[str, Any]:
    names = dict(zip(KINDS, _kind_names(texts), strict=True))
    colours = dict(zip(KINDS, KIND_COLOURS, strict=True))
    out = []
    for b in boxes:
        x, y, w, h = b["box"]
        kind = b.get("label", "other") if b.get("label") in KINDS else "other"
        out.append(
            {"xmin": x, "ymin": y, "xmax": x + w, "ymax": y + h, "label": names[kind], "color": colours[kind]}
        )
    return {"image": image, "boxes": out}


def _from_annotator(value: dict[str, Any] | None) -> list[dict[str, Any]]:
    kinds = _kind_by_name()
    boxes = []
    for b in (value or {}).get("boxes") or []:
        x1, y1, x2, y2 = (int(b[k]) for k in ("xmin", "ymin", "xmax", "ymax"))
        boxes.append(
            {
                "box": [min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1)],
                "label": kinds.get(b.get("label"), "other"),
            }
        )
    return boxes


def _drawn(image: Image.Image, boxes: list[dict[str, Any]]) -> Image.Image:
    """The image with numbered boxes, for the click-two-corners alternative (lines differ by kind)."""
    out = image.copy()
    draw = ImageDraw.Draw(out)
    width = max(2, out.width // 300)
    for i, b in enumerate(boxes, 1):
        x, y, w, h = b["box"]
        kind = b.get("label", "other")
        colour = KIND_COLOURS[KINDS.index(kind)] if kind in KINDS else KIND_COLOURS[-1]
        draw.rectangle((x, y, x + w, y + h), outline=colour, width=width if kind != "text" else width * 2)
        draw.text((x + 3, y + 2), str(i), fill=colour)
    return out


def lan_base_url(host_header: str, scheme: str = "http") -> str:
    """The address participants type or scan: the host the facilitator's page came from, with the
    machine's LAN address in place of a loopback name (the server sends no Referer, so the Host header
    is what we have). ``PHOTOLAB_PUBLIC_URL`` overrides it (e.g. behind a proxy or a mount path)."""
    override = os.environ.get("PHOTOLAB_PUBLIC_URL")
    if override:
        return override.rstrip("/") + "/"
    parts = urlsplit(f"//{host_header or '127.0.0.1:7860'}")
    host, port = parts.hostname or "127.0.0.1", parts.port
    if host in ("127.0.0.1", "localhost", "::1"):
        host = _lan_ip() or host
    netloc = f"{host}:{port}" if port else host
    return f"{scheme}://{netloc}/"


def _lan_ip() -> str | None:
    # A UDP "connect" only asks the routing table which interface would be used; no packet is sent.
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))
            ip = s.getsockname()[0]
    except OSError:
        return None
    return None if ip.startswith("127.") else ip


def qr_svg(url: str, alt: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=6, title=alt, dark="#000", light="#fff")


def _esc(text: str) -> str:
    return html.escape(text or "")


def _cards_html(entries: Sequence[ws.Entry], decision_names: dict[str, str], spotted: str) -> str:
    """Captions side by side, each with its decision, reason and how much of the key it found."""
    cards = "".join(
        f'<div class="ws-card"><div class="ws-decision">{_esc(decision_names.get(e.decision, ""))}</div>'
        f"<p>{_esc(e.caption) or '—'}</p><p><em>{_esc(e.reason)}</em></p>"
        f"<small>{_esc(e.participant)} · {_esc(spotted.format(found=e.found, total=e.must_total))}"
        "</small></div>"
        for e in entries
    )
    return f'<div class="ws-cards">{cards}</div>'


# ------------------------------------------------------------------------------------------- builder


def build_workshop(db_path: Path | None = None, *, lang: str = "en") -> gr.Blocks:
    """The workshop app: participants' Join tab and the facilitator's tab, over one SQLite database."""
    store = ws.WorkshopStore(db_path)
    scenarios = {s.id: s for s in ws.load_scenarios()}
    question_ids = [q.id for q in ws.load_questions("en")]
    ftexts = ws.load_texts(lang)
    fui = ftexts["ui"]
    files = ImageFiles()
    export_dir = private_temp_folder("photolab-workshop-export-")
    atexit.register(shutil.rmtree, export_dir, True)

    with gr.Blocks(title=fui["app_title"], analytics_enabled=False) as demo:
        gr.HTML(f"<style>{WORKSHOP_CSS}</style>", elem_id="ws-style")
        saved = gr.BrowserState(
            {"token": "", "lang": "", "admin": ""},
            storage_key="photolab-workshop",
            secret=store.secret("browser-state"),
        )
        token = gr.State("")
        scenario_id = gr.State("")
        corner = gr.State(None)

        with gr.Tabs(elem_id="ws-tabs"):
            # ------------------------------------------------------------------ participant
            with gr.Tab(fui["tab_join"], id="join", elem_id="ws-tab-join"):
                p_lang = gr.Radio(
                    [(LANG_NAMES[code], code) for code in ws.LANGS],
                    value=lang,
                    label="Language · Langue · Idioma",
                    elem_id="ws-lang",
                )
                with gr.Column(visible=True, elem_id="ws-join") as join_col:
                    join_intro = gr.Markdown(fui["join_intro"])
                    code_in = gr.Textbox(label=fui["join_code"], max_length=12, elem_id="ws-code")
                    name_in = gr.Textbox(label=fui["your_name"], max_length=80, elem_id="ws-name")
                    share_in = gr.Checkbox(label=fui["share_name"], value=False, elem_id="ws-share")
                    join_btn = gr.Button(
                        fui["join_button"], variant="primary", interactive=False, elem_id="ws-join-btn"
                    )
                with gr.Column(visible=False, elem_id="ws-work") as work_col:
                    header = gr.Markdown(elem_id="ws-header")
                    mark_intro = gr.Markdown(fui["mark_intro"])
                    annot = image_annotator(
                        label=fui["annotator_label"],
                        label_list=_kind_names(ftexts),
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
                    with gr.Accordion(fui["nodrag_title"], open=False, elem_id="ws-nodrag") as nodrag:
                        nodrag_help = gr.Markdown(fui["nodrag_help"])
                        click_img = gr.Image(
                            label=fui["nodrag_image"],
                            type="pil",
                            interactive=False,
                            buttons=[],
                            format="jpeg",
                            height=560,
                            elem_id="ws-click-image",
                        )
                        with gr.Row():
                            nx = gr.Number(label=fui["nodrag_x"], precision=0, minimum=0, elem_id="ws-nx")
                            ny = gr.Number(label=fui["nodrag_y"], precision=0, minimum=0, elem_id="ws-ny")
                            nw = gr.Number(label=fui["nodrag_w"], precision=0, minimum=1, elem_id="ws-nw")
                            nh = gr.Number(label=fui["nodrag_h"], precision=0, minimum=1, elem_id="ws-nh")
                        nkind = gr.Dropdown(
                            list(zip(_kind_names(ftexts), KINDS, strict=True)),
                            value="face",
                            label=fui["nodrag_kind"],
                            elem_id="ws-nkind",
                        )
                        with gr.Row():
                            add_btn = gr.Button(fui["nodrag_add"], elem_id="ws-add-box")
                            undo_btn = gr.Button(fui["nodrag_remove_last"], elem_id="ws-undo-box")
                    box_status = gr.Markdown(elem_id="ws-box-status")
                    questions_title = gr.Markdown(f"### {fui['questions_title']}")
                    radios = [
                        gr.Radio(
                            [(label, value) for value, label in q.options],
                            label=q.text,
                            value=None,
                            elem_id=f"ws-q-{q.id}",
                        )
                        for q in ws.load_questions(lang)
                    ]
                    caption = gr.Textbox(
                        label=fui["caption"],
                        info=fui["caption_help"],
                        lines=2,
                        max_length=2000,
                        elem_id="ws-caption",
                    )
                    decision = gr.Radio(
                        [(ftexts["decisions"][d], d) for d in ws.DECISIONS],
                        label=fui["decision"],
                        value=None,
                        elem_id="ws-decision",
                    )
                    reason = gr.Textbox(label=fui["reason"], lines=2, max_length=2000, elem_id="ws-reason")
                    submit_btn = gr.Button(fui["submit"], variant="primary", elem_id="ws-submit")
                with gr.Column(visible=False, elem_id="ws-done") as done_col:
                    done_md = gr.Markdown(fui["all_done"])
                p_status = gr.Markdown(elem_id="ws-status")
                leave_btn = gr.Button(fui["leave"], size="sm", variant="secondary", elem_id="ws-leave")

            # ------------------------------------------------------------------ facilitator
            with gr.Tab(fui["tab_facilitator"], id="facilitator", elem_id="ws-tab-facilitator"):
                with gr.Accordion(fui["create_title"], open=True, elem_id="ws-create"):
                    round_title = gr.Textbox(
                        label=fui["round_title"], max_length=120, elem_id="ws-round-title"
                    )
                    pick = gr.CheckboxGroup(
                        [(s.text("title", lang), s.id) for s in scenarios.values()],
                        value=list(scenarios)[:3],
                        label=fui["pick_scenarios"],
                        elem_id="ws-pick",
                    )
                    create_btn = gr.Button(fui["create_button"], variant="primary", elem_id="ws-create-btn")
                    with gr.Row():
                        reopen_key = gr.Textbox(label=fui["reopen"], type="password", elem_id="ws-reopen-key")
                        reopen_btn = gr.Button(fui["reopen_button"], elem_id="ws-reopen-btn")
                with gr.Row():
                    join_info = gr.HTML(elem_id="ws-join-info")
                    qr = gr.HTML(elem_id="ws-qr")
                # the screen is projected: the key that opens this dashboard stays folded away
                with gr.Accordion(fui["admin_key"], open=False, elem_id="ws-admin"):
                    admin_out = gr.Textbox(label=fui["admin_key"], interactive=False, elem_id="ws-admin-key")
                gr.Markdown(f"## {fui['dashboard']}")
                f_status = gr.Markdown(elem_id="ws-dash-status")
                shown = gr.Dropdown(
                    [(s.text("title", lang), s.id) for s in scenarios.values()],
                    label=fui["scenario_pick"],
                    value=None,
                    elem_id="ws-shown",
                )
                charts = gr.HTML(elem_id="ws-charts")
                gr.Markdown(f"### {fui['prompts']}")
                prompts_md = gr.Markdown(fui["no_prompts"], elem_id="ws-prompts")
                gr.Markdown(f"### {fui['captions']}")
                cards = gr.HTML(elem_id="ws-cards")
                with gr.Row():
                    close_btn = gr.Button(fui["close_round"], elem_id="ws-close")
                    open_btn = gr.Button(fui["reopen_round"], elem_id="ws-open")
                takeaways = gr.Textbox(label=fui["takeaways"], lines=4, elem_id="ws-takeaways")
                takeaways_btn = gr.Button(fui["save_takeaways"], elem_id="ws-save-takeaways")
                gr.Markdown(f"### {fui['export']}")
                export_btn = gr.Button(fui["export_button"], elem_id="ws-export")
                export_files = gr.File(file_count="multiple", interactive=False, elem_id="ws-export-files")
                delete_btn = gr.Button(fui["delete_round"], variant="stop", elem_id="ws-delete")
                timer = gr.Timer(REFRESH_SECONDS, active=False)  # ticks only on a facilitator's page

        # ---------------------------------------------------------------- participant logic

        labelled = [
            join_intro,
            code_in,
            name_in,
            share_in,
            join_btn,
            mark_intro,
            annot,
            nodrag,
            nodrag_help,
            click_img,
            nx,
            ny,
            nw,
            nh,
            nkind,
            add_btn,
            undo_btn,
            questions_title,
            *radios,
            caption,
            decision,
            reason,
            submit_btn,
            done_md,
            leave_btn,
        ]
        view = [join_col, work_col, done_col, header, box_status, p_status, token, scenario_id, corner, saved]
        view_values = [annot, click_img, *radios, caption, decision, reason]

        def labels(code: str) -> dict[Any, Any]:
            t = ws.load_texts(code)
            ui = t["ui"]
            qs = ws.load_questions(code)
            kinds = _kind_names(t)
            out: dict[Any, Any] = {
                join_intro: ui["join_intro"],
                code_in: gr.update(label=ui["join_code"]),
                name_in: gr.update(label=ui["your_name"]),
                share_in: gr.update(label=ui["share_name"]),
                join_btn: gr.update(value=ui["join_button"]),
                mark_intro: ui["mark_intro"],
                annot: gr.update(label=ui["annotator_label"], label_list=kinds),
                nodrag: gr.update(label=ui["nodrag_title"]),
                nodrag_help: ui["nodrag_help"],
                click_img: gr.update(label=ui["nodrag_image"]),
                nx: gr.update(label=ui["nodrag_x"]),
                ny: gr.update(label=ui["nodrag_y"]),
                nw: gr.update(label=ui["nodrag_w"]),
                nh: gr.update(label=ui["nodrag_h"]),
                nkind: gr.update(label=ui["nodrag_kind"], choices=list(zip(kinds, KINDS, strict=True))),
                add_btn: gr.update(value=ui["nodrag_add"]),
                undo_btn: gr.update(value=ui["nodrag_remove_last"]),
                questions_title: f"### {ui['questions_title']}",
                caption: gr.update(label=ui["caption"], info=ui["caption_help"]),
                decision: gr.update(
                    label=ui["decision"], choices=[(t["decisions"][d], d) for d in ws.DECISIONS]
                ),
                reason: gr.update(label=ui["reason"]),
                submit_btn: gr.update(value=ui["submit"]),
                done_md: ui["all_done"],
                leave_btn: gr.update(value=ui["leave"]),
            }
            for radio, q in zip(radios, qs, strict=True):
                out[radio] = gr.update(label=q.text, choices=[(label, value) for value, label in q.options])
            return out

        def show(tok: str, code: str, saved_state: dict[str, Any], note: str = "") -> dict[Any, Any]:
            """Everything a participant sees, rebuilt from the server-side state of their token."""
            t = ws.load_texts(code)
            ui = t["ui"]
            state = {**(saved_state or {}), "token": tok, "lang": code}
            out: dict[Any, Any] = {**labels(code), saved: state, token: tok, corner: None, p_status: note}
            try:
                person = store.participant(tok) if tok else None
            except ws.WorkshopError:
                person = None
            if person is None:
                state["token"] = ""
                return {
                    **out,
                    saved: state,
                    token: "",
                    scenario_id: "",
                    join_col: gr.update(visible=True),
                    work_col: gr.update(visible=False),
                    done_col: gr.update(visible=False),
                    header: "",
                    box_status: "",
                }
            rnd = store.round_by_id(person.round_id)
            if person.position >= len(rnd.scenario_ids):
                return {
                    **out,
                    scenario_id: "",
                    join_col: gr.update(visible=False),
                    work_col: gr.update(visible=False),
                    done_col: gr.update(visible=True),
                    header: "",
                    box_status: "",
                }
            sid = rnd.scenario_ids[person.position]
            sc = scenarios[sid]
            sub = store.submission(tok, sid)
            image = files.base(sc.image)
            title = ui["scenario_of"].format(n=person.position + 1, total=len(rnd.scenario_ids))
            joined = ui["joined_as"].format(label=person.label(ui["participant"]))
            out.update(
                {
                    scenario_id: sid,
                    join_col: gr.update(visible=False),
                    work_col: gr.update(visible=True),
                    done_col: gr.update(visible=False),
                    header: f"{joined}\n\n## {title}: {sc.text('title', code)}\n\n{sc.text('brief', code)}",
                    annot: gr.update(
                        value=_to_annotator(image, sub.boxes, t),
                        label=ui["annotator_label"],
                        label_list=_kind_names(t),
                    ),
                    click_img: gr.update(value=files.drawn(sc.image, sub.boxes), label=ui["nodrag_image"]),
                    box_status: ui["boxes_marked"].format(n=len(sub.boxes)),
                    caption: gr.update(value=sub.caption, label=ui["caption"], info=ui["caption_help"]),
                    decision: gr.update(
                        value=sub.decision or None,
                        label=ui["decision"],
                        choices=[(t["decisions"][d], d) for d in ws.DECISIONS],
                    ),
                    reason: gr.update(value=sub.reason, label=ui["reason"]),
                }
            )
            for radio, q in zip(radios, ws.load_questions(code), strict=True):
                out[radio] = gr.update(
                    value=sub.answers.get(q.id),
                    label=q.text,
                    choices=[(label, value) for value, label in q.options],
                )
            return out

        outputs = list(dict.fromkeys([*labelled, *view, *view_values, p_lang, code_in]))

        def resume(saved_state: dict[str, Any], request: gr.Request) -> dict[Any, Any]:
            saved_state = saved_state or {}
            code = saved_state.get("lang") or lang
            tok = saved_state.get("token", "")
            ui = ws.load_texts(code)["ui"]
            # Join stays disabled until this has run, so a late reply here never undoes a fresh join.
            out = show(tok, code, saved_state, ui["resume"]) if tok else labels(code)
            out[join_btn] = gr.update(value=ui["join_button"], interactive=True)
            out[p_lang] = code
            join_code = request.query_params.get("join", "") if request else ""
            if join_code:
                out[code_in] = ws.normalise_code(join_code)
            return out

        def lang_of(tok: str) -> str:
            try:
                return store.participant(tok).lang
            except ws.WorkshopError:
                return lang

        def join(
            code: str, name: str, share: bool, lang_code: str, saved_state: dict[str, Any]
        ) -> dict[Any, Any]:
            try:
                person = store.join(code, name=name or "", share_name=bool(share), lang=lang_code)
            except ws.WorkshopError as exc:
                raise gr.Error(exc.text(lang_code)) from None
            return show(person.token, lang_code, saved_state)

        def change_lang(lang_code: str, tok: str, saved_state: dict[str, Any]) -> dict[Any, Any]:
            if tok:
                store.set_lang(tok, lang_code)
            return show(tok, lang_code, saved_state)

        def save_boxes(tok: str, sid: str, value: dict[str, Any] | None) -> dict[Any, Any]:
            if not tok or not sid:
                return {}
            boxes = _from_annotator(value)
            store.save_progress(tok, sid, boxes=boxes)
            return {
                click_img: files.drawn(scenarios[sid].image, boxes),
                box_status: _box_note(tok, len(boxes)),
            }

        def _box_note(tok: str, n: int, extra: str = "") -> str:
            code = store.participant(tok).lang
            note = ws.load_texts(code)["ui"]["boxes_marked"].format(n=n)
            return f"{note} {extra}".strip()

        def current_boxes(tok: str, sid: str, value: dict[str, Any] | None) -> list[dict[str, Any]]:
            """The boxes on screen; the saved ones when the call carries no annotator value (API use)."""
            return _from_annotator(value) if value else store.submission(tok, sid).boxes

        def add_box(
            tok: str, sid: str, value: dict[str, Any] | None, box: list[Any], kind: str
        ) -> dict[Any, Any]:
            if not tok or not sid or any(v is None for v in box) or box[2] < 1 or box[3] < 1:
                return {}
            source = scenarios[sid].image
            width, height = files.image(str(source)).size
            x, y, w, h = (int(v) for v in box)
            x, y = min(max(0, x), width - 1), min(max(0, y), height - 1)
            w, h = min(w, width - x), min(h, height - y)
            boxes = [*current_boxes(tok, sid, value), {"box": [x, y, w, h], "label": kind or "other"}]
            store.save_progress(tok, sid, boxes=boxes)
            code = store.participant(tok).lang
            t = ws.load_texts(code)
            done = t["ui"]["corner_done"].format(x=x, y=y, w=w, h=h)
            return {
                annot: _to_annotator(files.base(source), boxes, t),
                click_img: files.drawn(source, boxes),
                box_status: _box_note(tok, len(boxes), done),
                corner: None,
            }

        def add_numbers(tok, sid, value, x, y, w, h, kind):  # type: ignore[no-untyped-def]
            return add_box(tok, sid, value, [x, y, w, h], kind)

        def click_corner(tok, sid, value, first, kind, evt: gr.SelectData):  # type: ignore[no-untyped-def]
            if not tok or not sid:
                return {}
            x, y = (int(v) for v in evt.index)
            if first is None:
                code = store.participant(tok).lang
                return {
                    corner: [x, y],
                    box_status: ws.load_texts(code)["ui"]["corner_first"].format(x=x, y=y),
                }
            x0, y0 = first
            box = [min(x0, x), min(y0, y), abs(x - x0), abs(y - y0)]
            return add_box(tok, sid, value, box, kind)

        def undo_box(tok: str, sid: str, value: dict[str, Any] | None) -> dict[Any, Any]:
            if not tok or not sid:
                return {}
            boxes = current_boxes(tok, sid, value)[:-1]
            store.save_progress(tok, sid, boxes=boxes)
            source = scenarios[sid].image
            image = files.base(source)
            t = ws.load_texts(store.participant(tok).lang)
            return {
                annot: _to_annotator(image, boxes, t),
                click_img: files.drawn(source, boxes),
                box_status: _box_note(tok, len(boxes)),
            }

        def save_field(field: str):  # type: ignore[no-untyped-def]
            def save(tok: str, sid: str, value: Any) -> None:
                if tok and sid:
                    try:
                        store.save_progress(tok, sid, **{field: value or ""})
                    except ws.WorkshopError as exc:
                        raise gr.Error(exc.text(lang_of(tok))) from None

            return save

        def save_answer(qid: str):  # type: ignore[no-untyped-def]
            def save(tok: str, sid: str, value: str | None) -> None:
                if tok and sid:
                    try:
                        store.save_progress(tok, sid, answers={qid: value})
                    except ws.WorkshopError as exc:
                        raise gr.Error(exc.text(lang_of(tok))) from None

            return save

        def submit(tok, sid, saved_state, value, cap, dec, why, *answers):  # type: ignore[no-untyped-def]
            if not tok or not sid:
                raise gr.Error(ws.error_text("join_first", (saved_state or {}).get("lang") or lang))
            try:
                store.save_progress(
                    tok,
                    sid,
                    boxes=_from_annotator(value) if value else None,
                    caption=cap or "",
                    decision=dec or "",
                    reason=why or "",
                    answers=dict(zip(question_ids, answers, strict=True)),
                )
                store.submit(tok, sid, question_ids)
            except ws.WorkshopError as exc:
                raise gr.Error(exc.text(lang_of(tok))) from None
            code = store.participant(tok).lang
            return show(tok, code, saved_state, ws.load_texts(code)["ui"]["next_scenario"])

        def leave(saved_state: dict[str, Any]) -> dict[Any, Any]:
            code = (saved_state or {}).get("lang") or lang
            return show("", code, {**(saved_state or {}), "token": ""})

        demo.load(resume, [saved], outputs, api_name="ws_resume")
        join_btn.click(join, [code_in, name_in, share_in, p_lang, saved], outputs, api_name="ws_join")
        code_in.submit(join, [code_in, name_in, share_in, p_lang, saved], outputs, api_visibility="private")
        p_lang.input(change_lang, [p_lang, token, saved], outputs, api_name="ws_lang")
        annot.change(
            save_boxes, [token, scenario_id, annot], [click_img, box_status], api_name="ws_save_boxes"
        )
        add_btn.click(
            add_numbers,
            [token, scenario_id, annot, nx, ny, nw, nh, nkind],
            [annot, click_img, box_status, corner],
            api_name="ws_add_box",
        )
        click_img.select(
            click_corner,
            [token, scenario_id, annot, corner, nkind],
            [annot, click_img, box_status, corner],
            api_visibility="private",
        )
        undo_btn.click(
            undo_box, [token, scenario_id, annot], [annot, click_img, box_status], api_name="ws_undo"
        )
        caption.blur(save_field("caption"), [token, scenario_id, caption], None, api_visibility="private")
        reason.blur(save_field("reason"), [token, scenario_id, reason], None, api_visibility="private")
        decision.input(save_field("decision"), [token, scenario_id, decision], None, api_visibility="private")
        for radio, qid in zip(radios, question_ids, strict=True):
            radio.input(save_answer(qid), [token, scenario_id, radio], None, api_visibility="private")
        submit_btn.click(
            submit,
            [token, scenario_id, saved, annot, caption, decision, reason, *radios],
            outputs,
            api_name="ws_submit",
        )
        leave_btn.click(leave, [saved], outputs, api_visibility="private")

        # ---------------------------------------------------------------- facilitator logic

        def round_panel(rnd: ws.Round, request: gr.Request | None) -> tuple[str, str]:
            host = request.headers.get("host", "") if request else ""
            scheme = request.headers.get("x-forwarded-proto", "http") if request else "http"
            url = f"{lan_base_url(host, scheme)}?join={rnd.code}"
            info = (
                f"<p>{fui['join_here'].format(url=_esc(url.split('?')[0]))}</p>"
                f'<p class="ws-code" aria-label="{rnd.code}">{rnd.code}</p><p><code>{_esc(url)}</code></p>'
            )
            return info, qr_svg(url, fui["qr_alt"].format(url=url))

        def shown_choices(rnd: ws.Round) -> dict[str, Any]:
            ids = [sid for sid in rnd.scenario_ids if sid in scenarios]
            return gr.update(choices=[(scenarios[sid].text("title", lang), sid) for sid in ids], value=ids[0])

        def create(title: str, picked: list[str], saved_state: dict[str, Any], request: gr.Request):  # type: ignore[no-untyped-def]
            try:
                rnd = store.create_round([s for s in scenarios if s in (picked or [])], title or "")
            except ws.WorkshopError as exc:
                raise gr.Error(exc.text(lang)) from None
            info, code_svg = round_panel(rnd, request)
            state = {**(saved_state or {}), "admin": rnd.admin_key}
            return info, code_svg, rnd.admin_key, state, shown_choices(rnd)

        def reopen(key: str, saved_state: dict[str, Any], request: gr.Request):  # type: ignore[no-untyped-def]
            try:
                rnd = store.round_by_admin_key(key.strip())
            except ws.WorkshopError as exc:
                raise gr.Error(exc.text(lang)) from None
            info, code_svg = round_panel(rnd, request)
            state = {**(saved_state or {}), "admin": rnd.admin_key}
            return info, code_svg, rnd.admin_key, state, shown_choices(rnd)

        def restore(saved_state: dict[str, Any], request: gr.Request):  # type: ignore[no-untyped-def]
            key = (saved_state or {}).get("admin", "")
            try:
                rnd = store.round_by_admin_key(key)
            except ws.WorkshopError:  # nothing to restore; leave the panel alone (a round may be in creation)
                return gr.update(), gr.update(), gr.update(), gr.update()
            info, code_svg = round_panel(rnd, request)
            return info, code_svg, rnd.admin_key, shown_choices(rnd)

        def dashboard(key: str, sid: str | None) -> tuple[str, str, str, str]:
            """Status line, charts, prompts and captions for the round whose facilitator key is given."""
            if not key:
                return fui["no_round"], "", fui["no_prompts"], ""
            try:
                rnd = store.round_by_admin_key(key)
            except ws.WorkshopError:
                return fui["no_round"], "", fui["no_prompts"], ""
            result = ws.aggregate(store, rnd.id, list(scenarios.values()), lang)
            status = fui["status"].format(participants=result.participants, finished=result.finished)
            if not rnd.open:
                status += f" · **{fui['round_closed']}**"
            chosen = next((sr for sr in result.scenarios if sr.scenario.id == sid), None) or (
                result.scenarios[0] if result.scenarios else None
            )
            if chosen is None:
                return status, "", fui["no_prompts"], ""
            status += " · " + fui["submitted_n"].format(n=chosen.submitted, p=chosen.in_progress)
            prompts = [p for p in ws.discussion_prompts(result, lang) if p.scenario_id == chosen.scenario.id]
            prompt_md = (
                "\n".join(f"- {p.text}" for p in prompts) if chosen.submitted >= 2 else fui["no_prompts"]
            )
            prompt_md += facilitator_notes(chosen.scenario)
            cards_html = _cards_html(chosen.entries, ftexts["decisions"], fui["spotted"])
            return status, ws.scenario_charts_html(chosen, lang), prompt_md, cards_html

        def facilitator_notes(sc: ws.Scenario) -> str:
            """The scenario's learning points and suggested starting point, for the facilitator only."""
            points = "\n".join(f"- {p}" for p in sc.text("learning_points", lang))
            notes = f"\n\n**{fui['learning_points']}**\n\n{points}" if points else ""
            if sc.suggested_decision in ws.DECISIONS:
                notes += "\n\n" + fui["suggested"].format(decision=ftexts["decisions"][sc.suggested_decision])
            return notes

        def set_open(key: str, is_open: bool) -> None:
            try:
                store.set_open(store.round_by_admin_key(key).id, is_open)
            except ws.WorkshopError as exc:
                raise gr.Error(exc.text(lang)) from None

        def save_takeaways(key: str, text: str) -> None:
            try:
                store.set_takeaways(store.round_by_admin_key(key).id, text or "")
            except ws.WorkshopError as exc:
                raise gr.Error(exc.text(lang)) from None
            gr.Info(ws.load_texts(lang)["ui"]["saved"])

        def export(key: str) -> list[str]:
            try:
                rnd = store.round_by_admin_key(key)
            except ws.WorkshopError as exc:
                raise gr.Error(exc.text(lang)) from None
            result = ws.aggregate(store, rnd.id, list(scenarios.values()), lang)
            for old in export_dir.iterdir():  # keep only the latest export on disk
                shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink(missing_ok=True)
            stem = f"photolab-workshop-{rnd.code}"
            files = {
                f"{stem}.csv": ws.export_csv(store, result, lang),
                f"{stem}.json": json.dumps(ws.export_json(store, result, lang), ensure_ascii=False, indent=2),
                f"{stem}-summary.md": ws.summary_markdown(result, lang),
                f"{stem}-summary.html": ws.summary_html(result, lang),
            }
            paths = []
            for name, text in files.items():
                path = export_dir / name
                path.write_text(text, encoding="utf-8")
                paths.append(str(path))
            return paths

        create_btn.click(
            create, [round_title, pick, saved], [join_info, qr, admin_out, saved, shown], api_name="ws_create"
        )
        reopen_btn.click(
            reopen, [reopen_key, saved], [join_info, qr, admin_out, saved, shown], api_name="ws_reopen"
        )
        demo.load(restore, [saved], [join_info, qr, admin_out, shown], api_visibility="private")
        dash_out = [f_status, charts, prompts_md, cards]
        timer.tick(dashboard, [admin_out, shown], dash_out, api_name="ws_dashboard", show_progress="hidden")
        shown.change(dashboard, [admin_out, shown], dash_out, api_visibility="private")
        admin_out.change(dashboard, [admin_out, shown], dash_out, api_visibility="private")
        admin_out.change(lambda k: gr.Timer(active=bool(k)), [admin_out], [timer], api_visibility="private")
        close_btn.click(lambda k: set_open(k, False), [admin_out], None, api_name="ws_close").then(
            dashboard, [admin_out, shown], dash_out, api_visibility="private"
        )
        open_btn.click(lambda k: set_open(k, True), [admin_out], None, api_name="ws_open").then(
            dashboard, [admin_out, shown], dash_out, api_visibility="private"
        )

        def delete_round(key: str, saved_state: dict[str, Any]):  # type: ignore[no-untyped-def]
            if not key:  # cancelled in the confirmation dialog
                return gr.update(), gr.update(), gr.update(), gr.update(), gr.update()
            try:
                store.delete_round(store.round_by_admin_key(key).id)
            except ws.WorkshopError as exc:
                raise gr.Error(exc.text(lang)) from None
            for old in export_dir.iterdir():
                old.unlink(missing_ok=True)
            gr.Info(fui["deleted"])
            return "", "", "", {**(saved_state or {}), "admin": ""}, None

        takeaways_btn.click(save_takeaways, [admin_out, takeaways], None, api_name="ws_takeaways")
        delete_btn.click(
            delete_round,
            [admin_out, saved],
            [join_info, qr, admin_out, saved, export_files],
            js=f"(key, state) => [confirm({json.dumps(fui['delete_confirm'])}) ? key : '', state]",
            api_name="ws_delete",
        )
        export_btn.click(export, [admin_out], [export_files], api_name="ws_export")

    demo.queue(default_concurrency_limit=16)
    return demo
