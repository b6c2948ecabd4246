"""View helpers shared by the workshop pages: the app context, scenario image files, the box editor's
value, the error-to-message decorator, the join panel, and the page script and style."""

from __future__ import annotations

import atexit
import functools
import hashlib
import html
import io
import json
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import gradio as gr
import segno
from PIL import Image, ImageDraw

from photolab import config
from photolab import workshop as ws
from photolab.core.io import write_verified
from photolab.errors import PhotoLabError
from photolab.workshop.address import JoinAddress, join_address

# The first kind is what a new box gets: neutral, so a box over a sign is never called a face.
KINDS = ("area", "face", "text", "person", "place", "other")
KIND_COLOURS = ((194, 65, 12), (220, 38, 38), (37, 99, 235), (22, 163, 74), (161, 98, 7), (124, 58, 237))
PARTICIPANT_STATE_KEY = "photolab-workshop"
FACILITATOR_STATE_KEY = "photolab-workshop-facilitator"
REFRESH_SECONDS = 3.0
TOOL_KEYS = ("create", "drag", "remove", "edit", "canvas")  # the box editor's controls, see page_script

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Workshop:
    """What every page of one workshop app shares."""

    store: ws.WorkshopStore
    scenarios: dict[str, ws.Scenario]
    lang: str  # the facilitator's language (pages without a participant)
    files: ImageFiles = field(default_factory=lambda: ImageFiles())
    export_dir: Path = field(default_factory=lambda: private_temp_folder("photolab-workshop-export-"))

    def texts(self, lang: str | None = None) -> dict[str, Any]:
        return ws.load_texts(lang or self.lang)

    def ui(self, key: str, lang: str | None = None, **values: Any) -> str:
        return ws.ui_text(lang or self.lang, key, **values)


def private_temp_folder(prefix: str) -> Path:
    """A folder inside the server's private temp dir (GRADIO_TEMP_DIR, emptied at start and exit)."""
    parent = os.environ.get("GRADIO_TEMP_DIR")
    if parent:
        Path(parent).mkdir(mode=0o700, parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent or None))
    atexit.register(shutil.rmtree, folder, True)
    return folder


def shows_errors(lang_of: Callable[..., str] | str) -> Callable[[F], F]:
    """Turn a PhotoLabError raised by a handler into a plain message toast (in the reader's language:
    ``lang_of`` is a code, or a function of the handler's arguments). Anything else is a bug and
    propagates."""

    def decorate(handler: F) -> F:
        @functools.wraps(handler)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return handler(*args, **kwargs)
            except ws.WorkshopError as exc:
                lang = lang_of(*args) if callable(lang_of) else lang_of
                raise gr.Error(exc.text(lang), print_exception=False) from None
            except PhotoLabError as exc:
                raise gr.Error(exc.message, print_exception=False) from None

        return wrapper  # type: ignore[return-value]

    return decorate


# --------------------------------------------------------------------------------------- images


class ImageFiles:
    """Scenario images (pixels only, no metadata) and their box drawings as files in a private folder.

    Handlers return *paths*: gradio copies a path into its cache atomically and once, whereas a returned
    PIL image is re-encoded and rewritten in place on every event, which races when 30 sessions show the
    same picture (a browser can then read a half-written file).
    """

    def __init__(self) -> None:
        self.folder = private_temp_folder("photolab-workshop-")
        self._lock = threading.Lock()

    @lru_cache(maxsize=64)  # noqa: B019 - one instance per app, lives as long as the app
    def image(self, source: str) -> Image.Image:
        """The scenario photo as the core job opens any photo: upright sRGB pixels, no metadata."""
        from photolab.core.job import open_photo

        photo = open_photo(Path(source).read_bytes(), Path(source).name).photo
        return photo.image.convert("RGB") if photo.image.mode != "RGB" else photo.image

    def base(self, source: Path) -> str:
        return self._file(str(source), ())

    def drawn(self, source: Path, boxes: list[dict[str, Any]]) -> str:
        return self._file(str(source), tuple((tuple(b["box"]), b.get("label", "area")) for b in boxes))

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
            image = draw_boxes(image, [{"box": list(b), "label": label} for b, label in boxes])
        buffer = io.BytesIO()
        image.save(buffer, format="JPEG", quality=90)
        data = buffer.getvalue()
        path = self.folder / f"{hashlib.sha256(data).hexdigest()[:32]}.jpg"
        if not path.exists():
            write_verified(path, data, force=True, root=self.folder)  # the one atomic write
        return str(path)


def draw_boxes(image: Image.Image, boxes: list[dict[str, Any]]) -> Image.Image:
    """The image with numbered boxes, for the click-two-corners alternative (lines differ by kind)."""
    out = image.copy()
    draw = ImageDraw.Draw(out)
    width = max(2, out.width // 300)
    for i, b in enumerate(boxes, 1):
        x, y, w, h = b["box"]
        colour = kind_colour(b.get("label", "area"))
        draw.rectangle(
            (x, y, x + w, y + h), outline=colour, width=width * (2 if b.get("label") == "text" else 1)
        )
        draw.text((x + 3, y + 2), str(i), fill=colour)
    return out


# ------------------------------------------------------------------------------------ box editor


def kind_colour(kind: str) -> tuple[int, int, int]:
    return KIND_COLOURS[KINDS.index(kind)] if kind in KINDS else KIND_COLOURS[0]


def kind_names(lang: str) -> list[str]:
    names = ws.load_texts(lang)["ui"]["kinds"]
    return [str(names.get(k, k)) for k in KINDS]


@lru_cache(maxsize=1)
def _kind_by_name() -> dict[str, str]:
    names = {k: k for k in KINDS}
    for lang in ws.languages():
        names.update({name: key for key, name in zip(KINDS, kind_names(lang), strict=True)})
    return names


def to_annotator(image: str, boxes: list[dict[str, Any]], lang: str) -> dict[str, Any]:
    """The editor's value. Colours go as ``rgb(r, g, b)`` text, the form the editor sends back: a list
    here came back unchanged after a reload and the editor then refused every new box."""
    names = dict(zip(KINDS, kind_names(lang), strict=True))
    out = []
    for b in boxes:
        x, y, w, h = b["box"]
        kind = b.get("label") if b.get("label") in KINDS else "area"
        r, g, bl = kind_colour(kind)
        out.append(
            {
                "xmin": x,
                "ymin": y,
                "xmax": x + w,
                "ymax": y + h,
                "label": names[kind],
                "color": f"rgb({r}, {g}, {bl})",
            }
        )
    return {"image": image, "boxes": out}


def from_annotator(value: dict[str, Any] | None) -> list[dict[str, Any]]:
    kinds = _kind_by_name()
    boxes = []
    for b in (value or {}).get("boxes") or []:
        x1, y1, x2, y2 = (int(b[k]) for k in ("xmin", "ymin", "xmax", "ymax"))
        box = [min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1)]
        if box[2] >= 1 and box[3] >= 1:  # the editor reports a 0 x 0 box when a drag starts
            boxes.append({"box": box, "label": kinds.get(b.get("label"), "area")})
    return boxes


def box_list_html(boxes: list[dict[str, Any]], lang: str, note: str = "") -> str:
    """The boxes as text (the canvas is invisible to a screen reader): count, then one line per box."""
    names = dict(zip(KINDS, kind_names(lang), strict=True))
    items = "".join(
        f"<li>{esc(names.get(b.get('label', 'area'), names['area']))}: "
        f'<bdi dir="ltr">x {b["box"][0]}, y {b["box"][1]}, {b["box"][2]} × {b["box"][3]}</bdi></li>'
        for b in boxes
    )
    count = esc(ws.ui_text(lang, "boxes_marked", n=len(boxes)))
    extra = f" {esc(note)}" if note else ""
    listing = f'<ol class="ws-box-list">{items}</ol>' if items else ""
    return f'<div role="status" aria-live="polite"><p>{count}{extra}</p></div>{listing}'


# ----------------------------------------------------------------------------------- join panel


def esc(text: str) -> str:
    return html.escape(text or "")


def address_for(request: gr.Request | None) -> JoinAddress:
    headers = request.headers if request else {}
    scheme = headers.get("x-forwarded-proto", "http") if headers else "http"
    port = None
    raw = getattr(request, "request", None) if request else None
    server = getattr(raw, "scope", {}).get("server") if raw is not None else None
    if server:
        port = int(server[1])
    return join_address(
        headers.get("host", "") if headers else "",
        scheme=scheme,
        server_port=port,
        public_url=config.settings().public_url,
    )


def qr_svg(url: str, alt: str) -> str:
    svg = segno.make(url, error="m").svg_inline(scale=8, title=alt, dark="#000", light="#fff")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{esc(alt)}" ', 1)


def join_panel_html(app: Workshop, rnd: ws.Round, address: JoinAddress, *, qr: bool) -> str:
    """The code in large letters, the address to type and, on the projector, the QR code."""
    url = address.with_code(rnd.code)
    spaced = " ".join(rnd.code)
    parts = [
        f'<p class="ws-join-here">{esc(app.ui("join_here", url=address.base))}</p>',
        f'<p class="ws-code" aria-label="{esc(spaced)}">{esc(rnd.code)}</p>',
        f'<p class="ws-join-url"><bdi dir="ltr"><code>{esc(url)}</code></bdi></p>',
    ]
    if not address.reachable:
        parts.append(f'<p class="ws-warning" role="note">{esc(app.ui("not_reachable"))}</p>')
    if qr:
        parts.append(f'<div class="ws-qr">{qr_svg(url, app.ui("qr_alt", url=url))}</div>')
    return "".join(parts)


# ---------------------------------------------------------------------------------- page script


def step_heading(text: str, level: int = 2, extra: str = "") -> str:
    """A heading that receives focus on a step change (``tabindex=-1``: focusable by script only)."""
    return f'<h{level} class="ws-step-heading" tabindex="-1">{esc(text)}</h{level}>{extra}'


def page_script() -> str:
    """``js_on_load`` of an invisible HTML block: installs ``window.photolabWs`` once per page.

    - ``setLang(code)``: sets ``<html lang dir>`` (Arabic right to left) and re-labels the box editor's
      toolbar and canvas, which gradio's annotator only offers in English, and names the clickable
      picture of "Mark without dragging" (gradio leaves that button without a name), and gives each
      group of radio buttons its question as its name (gradio's fieldsets have no legend);
    - ``focusStep()``: moves focus to the heading of the step now shown (after join, submit, resume).
    """
    tools = {
        code: {
            **{key: ws.ui_text(code, f"tool_{key}") for key in TOOL_KEYS},
            "click": ws.ui_text(code, "nodrag_image"),
        }
        for code in ws.languages()
    }
    rtl = [code for code in ws.languages() if ws.direction(code) == "rtl"]
    return (
        "if(!window.photolabWs){(function(){"
        f"const TOOLS={json.dumps(tools, ensure_ascii=False)};const RTL={json.dumps(rtl)};"
        "const NAMES={'Create box':'create','Drag boxes':'drag','Remove box':'remove','Edit label':'edit'};"
        "let lang=document.documentElement.lang||'en';"
        "function label(){const t=TOOLS[lang]||TOOLS.en;"
        "document.querySelectorAll('#ws-annotator button[aria-label]').forEach(b=>{"
        "const k=b.dataset.wsTool||NAMES[b.getAttribute('aria-label')];if(!k)return;b.dataset.wsTool=k;"
        "if(b.getAttribute('aria-label')!==t[k]){b.setAttribute('aria-label',t[k]);b.title=t[k];}});"
        "document.querySelectorAll('#ws-annotator canvas').forEach(c=>{"
        "if(c.getAttribute('aria-label')!==t.canvas){"
        "c.setAttribute('role','img');c.setAttribute('aria-label',t.canvas);}});"
        "document.querySelectorAll('#ws-click-image .image-container button').forEach(b=>{"
        "if(b.getAttribute('aria-label')!==t.click){b.setAttribute('aria-label',t.click);}});"
        "document.querySelectorAll('fieldset.block').forEach(f=>{"
        "const i=f.querySelector('[data-testid=block-info]');const n=i&&i.textContent.trim();"
        "if(n&&f.getAttribute('aria-label')!==n){f.setAttribute('aria-label',n);}});}"
        "function focusStep(tries){tries=tries||0;"
        "const h=[...document.querySelectorAll('.ws-step-heading')].find(e=>e.offsetParent!==null);"
        "if(h){h.focus();}else if(tries<40){setTimeout(()=>focusStep(tries+1),50);}}"
        "window.photolabWs={setLang(code){if(code){lang=code;}document.documentElement.lang=lang;"
        "document.documentElement.dir=RTL.includes(lang)?'rtl':'ltr';label();},"
        "focusStep(){setTimeout(()=>focusStep(0),60);}};"
        "new MutationObserver(label).observe(document.body,{childList:true,subtree:true});"
        "})();}"
    )


def script_host(lang: str) -> gr.HTML:
    """An empty block whose load installs the page script and sets the page language."""
    return gr.HTML(
        "",
        elem_id="ws-script",
        js_on_load=page_script() + f"window.photolabWs.setLang({json.dumps(lang)});",
        padding=False,
    )


SET_LANG_JS = "(code) => { window.photolabWs && window.photolabWs.setLang(code); }"
FOCUS_STEP_JS = "() => { window.photolabWs && window.photolabWs.focusStep(); }"
