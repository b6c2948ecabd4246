"""The review desk: Gradio Blocks from upload to an approved, exported image with its review record.

Wiring only: every decision (what a file gives away, where faces are, how pixels are destroyed, whether
the answers allow approval, what the record holds) is made by the library. This module keeps the
session's data small and clean, and re-checks every gate on the server, whatever the browser shows.

Privacy in the session:
- the original upload is read once and deleted at once; only encoded *clean* bytes (upright pixels, no
  metadata) and a downscaled preview are kept, never a decoded full-size image;
- every image handed to a component is written from clean bytes by this module (no PIL ``info``);
- everything written lives in this process's private temp folder (``photolab.server``).
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import secrets
import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, is_dataclass
from pathlib import Path
from typing import Any

import gradio as gr
from gradio_image_annotation import image_annotator
from PIL import Image

from photolab.errors import PhotoLabError
from photolab.regions import KINDS, STYLES, Region, clip
from photolab.review import checklist as cl
from photolab.ui import i18n
from photolab.ui.i18n import t, text

PREVIEW_MAX_SIDE = 2000
PREVIEW_QUALITY = 88
SOLID_KINDS = ("text", "plate")  # text is filled solid by default: blur and mosaics can be read back
NEW_BOX_LABEL = "+"
KIND_COLOURS = {
    "face": (200, 30, 30),
    "text": (30, 80, 220),
    "person": (200, 110, 0),
    "plate": (120, 40, 200),
    "other": (0, 130, 80),
}
OFF_COLOUR = (110, 110, 110)
STEP_UPLOAD, STEP_FINDINGS, STEP_REGIONS, STEP_PREVIEW, STEP_CHECKLIST, STEP_EXPORT = range(1, 7)


# --- session data --------------------------------------------------------------------------------


@dataclass
class Item:
    """One uploaded photo, as the session holds it: clean encoded bytes, never the original."""

    name: str
    sha256: str
    source_format: str
    out_format: str
    out_ext: str
    width: int
    height: int
    clean: bytes  # upright pixels re-encoded from the pixel array only (metadata.encode_clean)
    preview: bytes  # JPEG, long side <= PREVIEW_MAX_SIDE
    preview_scale: float  # preview pixels per full-size pixel
    findings: list[dict[str, Any]]
    regions: list[Region] | None = None  # None until detection has run
    dark: bool = False
    low_confidence: bool = False
    review_reasons: list[str] = field(default_factory=list)
    checked_full_size: bool = False
    output: bytes | None = None  # exactly the bytes that will be exported
    output_for: tuple[Any, ...] | None = None  # regions the output was rendered from
    decision: str = ""  # "", "approved" or "refused"

    @property
    def needs_full_size_check(self) -> bool:
        return self.dark or self.low_confidence

    @property
    def export_name(self) -> str:
        # A neutral name: original file names often carry names, places or case numbers.
        return f"photo-{self.sha256[:10]}.{self.out_ext}"


@dataclass
class Desk:
    """Per-browser-session state."""

    items: list[Item] = field(default_factory=list)
    current: int = 0
    lang: str = i18n.REFERENCE
    folder: str = field(default_factory=lambda: secrets.token_hex(8))
    # What the browser shows of the checklist, so that only changes are sent (100+ components).
    shown: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    answered: bool = False
    corner: tuple[int, int] | None = None  # first corner clicked on the photo, full-size pixels

    def item(self) -> Item:
        if not self.items:
            raise gr.Error(text("err.no_photo", self.lang))
        return self.items[min(self.current, len(self.items) - 1)]


def _session_dir(desk: Desk) -> Path:
    root = Path(os.environ.get("GRADIO_TEMP_DIR") or "/nonexistent")
    folder = root / "photolab" / desk.folder
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def _write(desk: Desk, name: str, data: bytes) -> str:
    path = _session_dir(desk) / name
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    tmp.replace(path)
    return str(path)


def forget_files(desk: Desk, items: list[Item]) -> int:
    """Delete every file this session wrote or gradio cached for ``items`` (previews, outputs, bundles).

    Files are found by the photo fingerprint in their names, so other reviewers' files on a shared
    server are left alone (their uploads in flight too). Empty folders go as well.
    """
    root = Path(os.environ.get("GRADIO_TEMP_DIR") or "/nonexistent")
    if not root.is_dir():
        return 0
    marks = {it.sha256[:10] for it in items}
    removed = 0
    for path in sorted(root.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        with contextlib.suppress(OSError):
            if path.is_file() and (
                any(m in path.name for m in marks) or (path.parent == root and path.stat().st_size == 0)
            ):
                path.unlink()
                removed += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return removed


def ensure_detected(desk: Desk, item: Item) -> None:
    """detect_regions for a handler: a detector failure becomes a plain message on screen."""
    try:
        detect_regions(item, folder=desk.folder)
    except PhotoLabError as exc:
        raise gr.Error(exc.message) from exc


def end_session(desk: Any) -> None:
    """The browser tab closed (or the session expired): drop queued detections and delete its files."""
    if not isinstance(desk, Desk):
        return
    with _PENDING_LOCK:
        for key in [k for k in _PENDING if k[0] == desk.folder]:
            _PENDING.pop(key).cancel()
    forget_files(desk, desk.items)
    with contextlib.suppress(OSError):
        root = Path(os.environ.get("GRADIO_TEMP_DIR") or "/nonexistent") / "photolab" / desk.folder
        if root.is_dir():
            import shutil

            shutil.rmtree(root, ignore_errors=True)
    desk.items.clear()


def _forget_upload(path: Path) -> None:
    """Delete an upload and its hash folder, wherever gradio put it."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    parent = path.parent
    if parent.name and os.environ.get("GRADIO_TEMP_DIR") and parent != Path(os.environ["GRADIO_TEMP_DIR"]):
        with contextlib.suppress(OSError):
            parent.rmdir()


def _as_dict(obj: Any) -> dict[str, Any]:
    if isinstance(obj, dict):
        return dict(obj)
    if is_dataclass(obj) and not isinstance(obj, type):
        return asdict(obj)
    return dict(vars(obj))


def _clean_copy(image: Image.Image) -> Image.Image:
    """A new image from the pixel array only (no info, no exif, no icc)."""
    return Image.frombytes(image.mode, image.size, image.tobytes())


def _preview(image: Image.Image) -> tuple[bytes, float]:
    scale = min(1.0, PREVIEW_MAX_SIDE / max(image.size))
    small = (
        image
        if scale >= 1.0
        else image.resize(
            (max(1, round(image.width * scale)), max(1, round(image.height * scale))),
            Image.Resampling.BILINEAR,
        )
    )
    small = _clean_copy(small.convert("RGB"))
    buf = io.BytesIO()
    small.save(buf, "JPEG", quality=PREVIEW_QUALITY)
    return buf.getvalue(), scale


def make_item(data: bytes, name: str) -> tuple[Item, Image.Image]:
    """Read one original (bytes) into a session item; also return the upright image for detection."""
    from photolab import metadata, photo

    loaded = photo.load(data, name=name)
    findings = [_as_dict(f) for f in metadata.inspect(data)]
    has_alpha = loaded.image.mode in ("RGBA", "LA", "PA")
    out_format, out_ext = metadata.output_format(loaded.format, has_alpha=has_alpha)
    clean = metadata.encode_clean(loaded.image, out_format)
    preview, scale = _preview(loaded.image)
    item = Item(
        name=name,
        sha256=loaded.sha256,
        source_format=loaded.format,
        out_format=out_format,
        out_ext=out_ext.lstrip("."),
        width=loaded.width,
        height=loaded.height,
        clean=clean,
        preview=preview,
        preview_scale=scale,
        findings=findings,
    )
    return item, loaded.image


# Detection runs in the background, one photo at a time (it takes seconds on a 12 MP photo, and the machine
# may be a laptop): the reviewer reads the findings and sees the photo meanwhile. Keyed by session and photo.
_DETECTOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="photolab-detect")
_PENDING: dict[tuple[str, str], Future[Any]] = {}
_PENDING_LOCK = threading.Lock()


def _run_detectors(clean: bytes | None, image: Image.Image | None) -> Any:
    from photolab import detect

    if image is None and clean is not None:
        decoded = Image.open(io.BytesIO(clean))
        decoded.load()
        image = _clean_copy(decoded)
    return detect.run(image)


def start_detection(folder: str, item: Item, image: Image.Image | None = None) -> None:
    """Queue detection for ``item`` unless it is done or queued (decodes the clean bytes when it runs)."""
    key = (folder, item.sha256)
    with _PENDING_LOCK:
        if item.regions is not None or key in _PENDING:
            return
        _PENDING[key] = _DETECTOR.submit(_run_detectors, None if image is not None else item.clean, image)


def detect_regions(item: Item, image: Image.Image | None = None, *, folder: str = "") -> None:
    """Make sure ``item`` has its detected regions: wait for the queued run, or run the detectors now."""
    if item.regions is not None:
        return
    start_detection(folder, item, image)
    with _PENDING_LOCK:
        future = _PENDING.get((folder, item.sha256))
    found = future.result() if future is not None else _run_detectors(item.clean, image)
    with _PENDING_LOCK:
        _PENDING.pop((folder, item.sha256), None)
    if item.regions is not None:  # another event of the same session got there first
        return
    apply_detection(item, found)


def apply_detection(item: Item, found: Any) -> None:
    regions = [r.with_(style="solid") if r.kind in SOLID_KINDS else r for r in found.regions]
    # Weak detections are offered, switched off: the reviewer decides (they are not redacted unless ticked).
    regions += [
        c.with_(enabled=False, extra={**c.extra, "candidate": True}) for c in getattr(found, "candidates", [])
    ]
    item.dark = bool(getattr(found, "dark", False))
    item.low_confidence = bool(getattr(found, "low_confidence", False))
    item.review_reasons = list(getattr(found, "needs_review_reasons", []) or [])
    item.regions = regions


def _open_clean(item: Item) -> Image.Image:
    image = Image.open(io.BytesIO(item.clean))
    image.load()
    return _clean_copy(image)


# --- what is shown -------------------------------------------------------------------------------


def _kind_name(kind: str, lang: str) -> str:
    return text(f"kind.{kind}", lang) if kind in KINDS else kind


def region_label(index: int, region: Region, lang: str) -> str:
    label = f"{index + 1} {_kind_name(region.kind, lang)}"
    if region.source == "manual":
        label += f" ({text('regions.manual', lang)})"
    elif region.extra.get("candidate"):
        label += f" ({text('regions.unsure', lang)})"
    if region.text:
        snippet = region.text if len(region.text) <= 24 else region.text[:23] + "…"
        label += f" «{snippet}»"
    if not region.enabled:
        label += f" — {text('regions.off', lang)}"
    return label


def canvas_label(index: int, region: Region, lang: str) -> str:
    """Short label drawn on the photo: number and kind, "?" for a weak detection, "✗" when not hidden."""
    label = f"{index + 1} {_kind_name(region.kind, lang)}"
    if region.extra.get("candidate"):
        label += "?"
    if region.text:
        label += f" «{region.text if len(region.text) <= 12 else region.text[:11] + '…'}»"
    return label if region.enabled else label + " ✗"


def _visible_regions(item: Item) -> list[tuple[int, Region]]:
    return [(i, r) for i, r in enumerate(item.regions or []) if not r.extra.get("deleted")]


def annotator_value(desk: Desk, item: Item) -> dict[str, Any]:
    path = _session_dir(desk) / f"preview-{item.sha256[:16]}.jpg"
    if not path.exists():
        _write(desk, path.name, item.preview)
    s = item.preview_scale
    boxes = []
    for i, r in _visible_regions(item):
        x, y, w, h = r.box
        boxes.append(
            {
                "label": canvas_label(i, r, desk.lang),
                "color": _css_rgb(
                    KIND_COLOURS.get(r.kind, KIND_COLOURS["other"]) if r.enabled else OFF_COLOUR
                ),
                "xmin": round(x * s),
                "ymin": round(y * s),
                "xmax": round((x + w) * s),
                "ymax": round((y + h) * s),
            }
        )
    return {"image": str(path), "boxes": boxes}


def _css_rgb(colour: tuple[int, int, int]) -> str:
    """The form the box editor sends back (and parses); a tuple would not survive the round trip."""
    return "rgb({}, {}, {})".format(*colour)


def _region_choices(desk: Desk, item: Item) -> list[tuple[str, str]]:
    return [(region_label(i, r, desk.lang), str(i)) for i, r in _visible_regions(item)]


def findings_markdown(item: Item, lang: str) -> str:
    lines = [f"### {text('findings.title_for', lang, name=item.name)}", ""]
    if not item.findings:
        lines.append(text("findings.none", lang))
    order = {"high": 0, "medium": 1, "low": 2}
    for f in sorted(item.findings, key=lambda f: order.get(str(f.get("risk")), 3)):
        risk = str(f.get("risk", "low"))
        value = str(f.get("value", ""))
        if len(value) > 120:
            value = value[:117] + "…"
        lines.append(
            f"- **{text('risk.' + risk, lang)}** · {f.get('group', '')} · {f.get('name', '')}: `{value}`"
            f" — {f.get('explanation', '')}"
        )
    lines += ["", f"**{text('findings.all_removed', lang)}**"]
    return "\n".join(lines)


def regions_status(item: Item, lang: str) -> str:
    if item.regions is None:
        return text("regions.detecting", lang)
    visible = _visible_regions(item)
    on = sum(1 for _, r in visible if r.enabled)
    return text("regions.summary", lang, total=len(visible), on=on)


def warning_markdown(item: Item, lang: str) -> str:
    if not item.needs_full_size_check:
        return ""
    reasons = [text("warn.dark", lang)] if item.dark else []
    if item.low_confidence:
        reasons.append(text("warn.low_confidence", lang))
    reasons += [r for r in item.review_reasons if r]
    body = "\n".join(f"- {r}" for r in reasons)
    return f"### ⚠ {text('warn.title', lang)}\n{body}\n\n{text('warn.instruction', lang)}"


def upload_status(desk: Desk, errors: list[str]) -> str:
    lines = [text("upload.count", desk.lang, count=len(desk.items))] if desk.items else []
    lines += [f"- ⚠ {e}" for e in errors]
    return "\n".join(lines)


def _photo_choices(desk: Desk) -> list[tuple[str, str]]:
    out = []
    for i, it in enumerate(desk.items):
        mark = {"approved": " ✓", "refused": " ✗"}.get(it.decision, "")
        out.append((f"{i + 1}/{len(desk.items)} · {it.name}{mark}", str(i)))
    return out


# --- checklist helpers ---------------------------------------------------------------------------


def _checklist(lang: str) -> cl.Checklist:
    return cl.load_checklist(lang)


def collect_answers(checklist: cl.Checklist, values: list[Any]) -> tuple[dict[str, str], dict[str, str]]:
    """Split the flat list of component values into answers and justifications (by question order)."""
    questions = checklist.questions
    n = len(questions)
    answers = {q.id: str(v) for q, v in zip(questions, values[:n], strict=True) if v not in (None, "")}
    justifications = {
        q.id: str(v).strip()
        for q, v in zip(questions, values[n : 2 * n], strict=True)
        if v and str(v).strip()
    }
    return answers, justifications


def _question_text(checklist: cl.Checklist, question_id: str) -> str:
    return checklist.question(question_id).text


def checklist_markdown(checklist: cl.Checklist, evaluation: cl.Evaluation, lang: str) -> str:
    if evaluation.approvable:
        return f"✓ {text('checklist.ok', lang)}"
    lines = []
    for qid, reason in evaluation.blocking:
        lines.append(
            f"- ✗ **{text('checklist.blocked', lang)}** — {_question_text(checklist, qid)}: {reason}"
        )
    for qid in evaluation.needs_justification:
        lines.append(f"- ✎ {text('checklist.justify', lang)} — {_question_text(checklist, qid)}")
    if evaluation.missing:
        lines.append(f"- {text('checklist.missing', lang, count=len(evaluation.missing))}")
    return "\n".join(lines)


# --- records -------------------------------------------------------------------------------------


def make_record(
    item: Item,
    checklist: cl.Checklist,
    answers: dict[str, str],
    justifications: dict[str, str],
    *,
    reviewer: str,
    caption: str = "",
    alt_text: str = "",
    refuse: bool = False,
    refusal_reasons: tuple[str, ...] = (),
) -> Any:
    """The review record (approval raises ReviewBlocked unless the checklist allows it)."""
    from photolab.review.record import build_record

    output = item.output if item.output is not None and not refuse else b""
    return build_record(
        reviewer=reviewer,
        checklist=checklist,
        answers=answers,
        justifications=justifications,
        original_sha256=item.sha256,
        output_bytes=output,
        output_format=item.out_format,
        output_size=(item.width, item.height),
        caption=caption,
        alt_text=alt_text,
        findings=item.findings,
        regions=item.regions or [],
        input_name=None,
        refuse=refuse,
        refusal_reasons=refusal_reasons,
    )


def _sha256(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()


# --- server-side steps (each one re-checks its gate) ---------------------------------------------


def _render_output(item: Item) -> bytes:
    """Redact the full-size image and encode it exactly as it will be exported; cached per region set."""
    from photolab import metadata, redact

    key = tuple(item.regions or [])
    if item.output is not None and item.output_for == key:
        return item.output
    image = _open_clean(item)
    redacted = redact.redact(image, [r for r in item.regions or [] if not r.extra.get("deleted")])
    data = metadata.encode_clean(_clean_copy(redacted), item.out_format)
    metadata.assert_clean(data)
    item.output, item.output_for = data, key
    return data


_BROWSER_FORMATS = ("jpg", "jpeg", "png", "webp")


def _displayable(desk: Desk, stem: str, data: bytes, ext: str) -> str:
    """Write bytes for an <img>: as they are when the browser can show them, else as a PNG of the pixels."""
    if ext.lower() not in _BROWSER_FORMATS:
        image = Image.open(io.BytesIO(data))
        image.load()
        buf = io.BytesIO()
        _clean_copy(image).save(buf, "PNG", compress_level=1)
        data, ext = buf.getvalue(), "png"
    return _write(desk, f"{stem}.{ext}", data)


def sync_boxes_into(item: Item, boxes: list[dict[str, Any]]) -> bool:
    """Apply the annotator's boxes to the regions: moved, deleted, new. Returns True if boxes were added."""
    regions = list(item.regions or [])
    scale = item.preview_scale
    seen: set[int] = set()
    added: list[Region] = []
    for b in boxes:
        shown = (int(b["xmin"]), int(b["ymin"]), int(b["xmax"]), int(b["ymax"]))
        full = clip(
            (
                shown[0] / scale,
                shown[1] / scale,
                (shown[2] - shown[0]) / scale,
                (shown[3] - shown[1]) / scale,
            ),
            item.width,
            item.height,
        )
        match = re.match(r"\s*(\d+)", str(b.get("label") or ""))
        index = int(match.group(1)) - 1 if match else -1
        if 0 <= index < len(regions) and index not in seen and not regions[index].extra.get("deleted"):
            seen.add(index)
            r = regions[index]
            x, y, w, h = r.box
            was = (round(x * scale), round(y * scale), round((x + w) * scale), round((y + h) * scale))
            if max(abs(a - c) for a, c in zip(was, shown, strict=True)) > 1:
                regions[index] = r.with_(box=full)
        elif full[2] > 0 and full[3] > 0:
            added.append(Region(kind="other", box=full, source="manual", style="solid", score=1.0))
    for i, r in enumerate(regions):
        if i not in seen and not r.extra.get("deleted"):
            regions[i] = r.with_(enabled=False, extra={**r.extra, "deleted": True})
    item.regions = regions + added
    return bool(added)


def add_region_to(item: Item, x: float, y: float, w: float, h: float, kind: str, style: str) -> Region:
    if None in (x, y, w, h) or w <= 0 or h <= 0:
        raise ValueError("empty box")
    box = clip((float(x), float(y), float(w), float(h)), item.width, item.height)
    if box[2] <= 0 or box[3] <= 0:
        raise ValueError("outside the image")
    kind = kind if kind in KINDS else "other"
    region = Region(kind=kind, box=box, source="manual", style="solid" if kind in SOLID_KINDS else style)
    item.regions = [*(item.regions or []), region]
    return region


# --- the Blocks ----------------------------------------------------------------------------------


class Labels:
    """Components whose visible strings come from the catalogue, re-sent on a manual language switch."""

    def __init__(self) -> None:
        self.entries: list[tuple[Any, dict[str, str]]] = []

    def __call__(self, component: Any, **keys: str) -> Any:
        self.entries.append((component, keys))
        return component

    def components(self) -> list[Any]:
        return [c for c, _ in self.entries]

    def updates(self, lang: str) -> list[Any]:
        out = []
        for _component, keys in self.entries:
            values = {attr: text(key, lang) for attr, key in keys.items()}
            if "choices" in values:  # "choices" holds a comma-free key prefix: kind./style.
                prefix = values.pop("choices")
                values["choices"] = _choices(prefix, lang)
            out.append(gr.update(**values))
        return out


def _choices(prefix: str, lang: str) -> list[tuple[str, str]]:
    names = KINDS if prefix == "kind." else STYLES
    return [(text(prefix + n, lang), n) for n in names]


def build_app(store: Any, preload: list[Path] | None = None) -> gr.Blocks:
    """The review desk. ``store`` is a photolab.review.record.RecordStore; ``preload`` images are offered
    in every new session (read from disk, never deleted)."""
    preload = [Path(p) for p in (preload or [])]
    checklist_en = _checklist(i18n.REFERENCE)
    L = Labels()
    en = i18n.REFERENCE

    with gr.Blocks(
        analytics_enabled=False, title="photolab", delete_cache=(3600, 8 * 3600), fill_width=False
    ) as demo:
        desk_state = gr.State(Desk(), delete_callback=end_session)
        with gr.Row(elem_id="topbar"):
            L(gr.Markdown(t("app.title"), elem_id="app-title"), value="app.title")
            language = L(
                gr.Dropdown(
                    choices=[(i18n.language_name(c), c) for c in i18n.languages()],
                    value=en,
                    label=t("app.language"),
                    elem_id="language",
                    scale=0,
                    min_width=160,
                ),
                label="app.language",
            )
        with gr.Tabs(elem_id="tabs"):
            with L(gr.Tab(t("tab.review"), id="review", elem_id="tab-review"), label="tab.review"):
                photo_select = L(
                    gr.Dropdown(
                        choices=[],
                        value=None,
                        label=t("photo.select"),
                        elem_id="photo-select",
                        interactive=True,
                    ),
                    label="photo.select",
                )
                with gr.Walkthrough(selected=STEP_UPLOAD, elem_id="wizard") as wizard:
                    # 1 -------------------------------------------------------------------------
                    with L(
                        gr.Step(t("step.upload"), id=STEP_UPLOAD, elem_id="step-upload"), label="step.upload"
                    ):
                        L(gr.Markdown(t("upload.help"), elem_id="upload-help"), value="upload.help")
                        upload = L(
                            gr.File(
                                file_count="multiple",
                                label=t("upload.label"),
                                elem_id="upload",
                                file_types=["image", ".heic", ".heif", ".tif", ".tiff", ".webp"],
                            ),
                            label="upload.label",
                        )
                        upload_md = gr.Markdown("", elem_id="upload-status")
                    # 2 -------------------------------------------------------------------------
                    with L(
                        gr.Step(t("step.findings"), id=STEP_FINDINGS, elem_id="step-findings"),
                        label="step.findings",
                    ):
                        findings_md = gr.Markdown("", elem_id="findings")
                        to_regions = L(
                            gr.Button(t("btn.to_regions"), variant="primary", elem_id="to-regions"),
                            value="btn.to_regions",
                        )
                    # 3 -------------------------------------------------------------------------
                    with L(
                        gr.Step(t("step.regions"), id=STEP_REGIONS, elem_id="step-regions"),
                        label="step.regions",
                    ):
                        warning_md = gr.Markdown("", elem_id="warning", visible=False)
                        L(gr.Markdown(t("regions.help"), elem_id="regions-help"), value="regions.help")
                        editor = image_annotator(
                            value=None,
                            label_list=[NEW_BOX_LABEL],
                            label_colors=[(0, 130, 80)],
                            use_default_label=True,
                            image_type="filepath",
                            sources=[],
                            box_thickness=3,
                            show_download_button=False,
                            show_share_button=False,
                            show_clear_button=False,
                            show_remove_button=False,
                            elem_id="regions-editor",
                            label="regions",
                            handle_size=10,
                        )
                        regions_md = gr.Markdown("", elem_id="regions-status")
                        toggles = L(
                            gr.CheckboxGroup(
                                choices=[],
                                value=[],
                                label=t("regions.toggles"),
                                elem_id="region-toggles",
                            ),
                            label="regions.toggles",
                        )
                        with gr.Row():
                            style_all = L(
                                gr.Radio(
                                    choices=_choices("style.", en),
                                    value="blur",
                                    label=t("regions.style_all"),
                                    elem_id="style-all",
                                ),
                                label="regions.style_all",
                                choices="style.",
                            )
                            apply_all = L(
                                gr.Button(
                                    t("btn.apply_all"), elem_id="apply-style-all", scale=0, min_width=160
                                ),
                                value="btn.apply_all",
                            )
                        with L(
                            gr.Accordion(t("regions.edit_one"), open=False, elem_id="edit-one"),
                            label="regions.edit_one",
                        ):
                            with gr.Row():
                                pick = L(
                                    gr.Dropdown(choices=[], label=t("regions.pick"), elem_id="region-pick"),
                                    label="regions.pick",
                                )
                                pick_kind = L(
                                    gr.Dropdown(
                                        choices=_choices("kind.", en),
                                        value="face",
                                        label=t("regions.kind"),
                                        elem_id="region-kind",
                                    ),
                                    label="regions.kind",
                                    choices="kind.",
                                )
                                pick_style = L(
                                    gr.Radio(
                                        choices=_choices("style.", en),
                                        value="solid",
                                        label=t("regions.style"),
                                        elem_id="region-style",
                                    ),
                                    label="regions.style",
                                    choices="style.",
                                )
                            apply_one = L(
                                gr.Button(t("btn.apply_one"), elem_id="apply-region"), value="btn.apply_one"
                            )
                        with L(
                            gr.Accordion(t("regions.add_title"), open=True, elem_id="add-region-box"),
                            label="regions.add_title",
                        ):
                            L(
                                gr.Markdown(t("regions.add_help"), elem_id="add-help"),
                                value="regions.add_help",
                            )
                            with gr.Row():
                                add_x = L(
                                    gr.Number(label=t("regions.x"), precision=0, minimum=0, elem_id="add-x"),
                                    label="regions.x",
                                )
                                add_y = L(
                                    gr.Number(label=t("regions.y"), precision=0, minimum=0, elem_id="add-y"),
                                    label="regions.y",
                                )
                                add_w = L(
                                    gr.Number(label=t("regions.w"), precision=0, minimum=1, elem_id="add-w"),
                                    label="regions.w",
                                )
                                add_h = L(
                                    gr.Number(label=t("regions.h"), precision=0, minimum=1, elem_id="add-h"),
                                    label="regions.h",
                                )
                                add_kind = L(
                                    gr.Dropdown(
                                        choices=_choices("kind.", en),
                                        value="face",
                                        label=t("regions.kind"),
                                        elem_id="add-kind",
                                    ),
                                    label="regions.kind",
                                    choices="kind.",
                                )
                            add_btn = L(
                                gr.Button(t("btn.add_region"), elem_id="add-region"), value="btn.add_region"
                            )
                            L(
                                gr.Markdown(t("regions.corners_help"), elem_id="corners-help"),
                                value="regions.corners_help",
                            )
                            corner_pick = L(
                                gr.Image(
                                    label=t("regions.corners"),
                                    elem_id="corner-pick",
                                    interactive=False,
                                    format="jpeg",
                                    buttons=[],
                                    alt_text=text("alt.corners", en),
                                ),
                                label="regions.corners",
                                alt_text="alt.corners",
                            )
                            corner_md = gr.Markdown("", elem_id="corner-status")
                        full_size = L(
                            gr.Image(
                                label=t("regions.full_size"),
                                elem_id="full-size",
                                visible=False,
                                interactive=False,
                                buttons=["fullscreen"],
                                format="jpeg",
                                alt_text=text("alt.full_size", en),
                            ),
                            label="regions.full_size",
                            alt_text="alt.full_size",
                        )
                        checked = L(
                            gr.Checkbox(
                                False,
                                label=t("regions.checked"),
                                elem_id="checked-full-size",
                                visible=False,
                            ),
                            label="regions.checked",
                        )
                        to_preview = L(
                            gr.Button(t("btn.to_preview"), variant="primary", elem_id="to-preview"),
                            value="btn.to_preview",
                        )
                    # 4 -------------------------------------------------------------------------
                    with L(
                        gr.Step(t("step.preview"), id=STEP_PREVIEW, elem_id="step-preview"),
                        label="step.preview",
                    ):
                        L(gr.Markdown(t("preview.help"), elem_id="preview-help"), value="preview.help")
                        with gr.Row():
                            before = L(
                                gr.Image(
                                    label=t("preview.before"),
                                    elem_id="before",
                                    interactive=False,
                                    format="jpeg",
                                    buttons=["fullscreen"],
                                    alt_text=text("alt.before", en),
                                ),
                                label="preview.before",
                                alt_text="alt.before",
                            )
                            after = L(
                                gr.Image(
                                    label=t("preview.after"),
                                    elem_id="after",
                                    interactive=False,
                                    format="jpeg",
                                    buttons=["fullscreen"],
                                    alt_text=text("alt.after", en),
                                ),
                                label="preview.after",
                                alt_text="alt.after",
                            )
                        preview_md = gr.Markdown("", elem_id="preview-status")
                        with gr.Row():
                            back_regions = L(
                                gr.Button(t("btn.back_regions"), elem_id="back-to-regions"),
                                value="btn.back_regions",
                            )
                            to_checklist = L(
                                gr.Button(t("btn.to_checklist"), variant="primary", elem_id="to-checklist"),
                                value="btn.to_checklist",
                            )
                    # 5 -------------------------------------------------------------------------
                    with L(
                        gr.Step(t("step.checklist"), id=STEP_CHECKLIST, elem_id="step-checklist"),
                        label="step.checklist",
                    ):
                        intro_md = gr.Markdown(
                            f"### {checklist_en.title}\n{checklist_en.intro}", elem_id="checklist-intro"
                        )
                        radios: list[Any] = []
                        justs: list[Any] = []
                        accordions: list[Any] = []
                        for number, section in enumerate(checklist_en.sections, 1):
                            with gr.Accordion(
                                f"{number}. {section.title}",
                                open=number == 1,
                                elem_id=f"section-{section.id}",
                            ) as acc:
                                accordions.append(acc)
                                for q in section.questions:
                                    radios.append(
                                        gr.Radio(
                                            choices=[(o.label, o.id) for o in q.options],
                                            value=None,
                                            label=q.text,
                                            info=q.help or None,
                                            elem_id=f"q-{q.id}",
                                            visible=q.applies_when is None,
                                        )
                                    )
                                    justs.append(
                                        gr.Textbox(
                                            label="",
                                            lines=2,
                                            visible=False,
                                            elem_id=f"j-{q.id}",
                                        )
                                    )
                        checklist_md = gr.Markdown("", elem_id="checklist-status")
                        to_export = L(
                            gr.Button(t("btn.to_export"), variant="primary", elem_id="to-export"),
                            value="btn.to_export",
                        )
                    # 6 -------------------------------------------------------------------------
                    with L(
                        gr.Step(t("step.export"), id=STEP_EXPORT, elem_id="step-export"), label="step.export"
                    ):
                        reviewer = L(
                            gr.Textbox(label=t("export.reviewer"), elem_id="reviewer", max_lines=1),
                            label="export.reviewer",
                        )
                        caption = L(
                            gr.Textbox(
                                label=t("export.caption"),
                                info=t("export.caption_info"),
                                lines=2,
                                elem_id="caption",
                            ),
                            label="export.caption",
                            info="export.caption_info",
                        )
                        alt_text = L(
                            gr.Textbox(
                                label=t("export.alt"), info=t("export.alt_info"), lines=2, elem_id="alt-text"
                            ),
                            label="export.alt",
                            info="export.alt_info",
                        )
                        with gr.Row():
                            back_checklist = L(
                                gr.Button(t("btn.back_checklist"), elem_id="back-to-checklist"),
                                value="btn.back_checklist",
                            )
                            approve_btn = L(
                                gr.Button(t("btn.approve"), variant="primary", elem_id="approve"),
                                value="btn.approve",
                            )
                        export_md = gr.Markdown("", elem_id="export-status")
                        download = L(
                            gr.DownloadButton(t("btn.download"), visible=False, elem_id="download"),
                            label="btn.download",
                        )
                        with L(
                            gr.Accordion(t("export.refuse_title"), open=False, elem_id="refuse-box"),
                            label="export.refuse_title",
                        ):
                            refusal = L(
                                gr.Textbox(
                                    label=t("export.refusal_reason"), lines=2, elem_id="refusal-reason"
                                ),
                                label="export.refusal_reason",
                            )
                            refuse_btn = L(
                                gr.Button(t("btn.refuse"), variant="stop", elem_id="refuse"),
                                value="btn.refuse",
                            )
                        next_btn = L(
                            gr.Button(t("btn.next_photo"), visible=False, elem_id="next-photo"),
                            value="btn.next_photo",
                        )
            with L(gr.Tab(t("tab.history"), id="history", elem_id="tab-history"), label="tab.history"):
                history_refresh = L(
                    gr.Button(t("btn.refresh"), elem_id="history-refresh"), value="btn.refresh"
                )
                history = gr.Dataframe(
                    value=None,
                    headers=["created_at", "reviewer", "decision", "record_id", "output_sha256"],
                    interactive=False,
                    elem_id="history-table",
                    wrap=True,
                )

        item_views = [
            findings_md,
            editor,
            toggles,
            pick,
            regions_md,
            warning_md,
            full_size,
            checked,
            before,
            after,
            preview_md,
            export_md,
            download,
            next_btn,
            corner_pick,
        ]
        checklist_views = [*radios, *justs, checklist_md]

        # -- view helpers (closures over the components) ----------------------------------------

        def item_view(desk: Desk) -> dict[Any, Any]:
            """Everything that depends on the current photo, reset for a fresh review."""
            if not desk.items:
                return {c: gr.update() for c in item_views}
            item = desk.item()
            lang = desk.lang
            desk.corner = None
            choices = _region_choices(desk, item)
            view: dict[Any, Any] = {
                findings_md: findings_markdown(item, lang),
                editor: annotator_value(desk, item),
                toggles: gr.update(
                    choices=choices, value=[v for _l, v in choices if item.regions[int(v)].enabled]
                ),
                pick: gr.update(choices=choices, value=choices[0][1] if choices else None),
                regions_md: regions_status(item, lang),
                warning_md: gr.update(value=warning_markdown(item, lang), visible=item.needs_full_size_check),
                checked: gr.update(value=item.checked_full_size, visible=item.needs_full_size_check),
                full_size: gr.update(
                    value=_displayable(desk, f"full-{item.sha256[:16]}", item.clean, item.out_ext)
                    if item.needs_full_size_check
                    else None,
                    visible=item.needs_full_size_check,
                ),
                corner_pick: _write(desk, f"corners-{item.sha256[:16]}.jpg", item.preview),
                before: None,
                after: None,
                preview_md: "",
                export_md: "",
                download: gr.update(visible=False, value=None),
                next_btn: gr.update(visible=False),
            }
            return view

        def regions_view(desk: Desk, item: Item, *, editor_too: bool = True) -> dict[Any, Any]:
            choices = _region_choices(desk, item)
            enabled = [v for _l, v in choices if item.regions[int(v)].enabled]
            view = {
                toggles: gr.update(choices=choices, value=enabled),
                pick: gr.update(choices=choices),
                regions_md: regions_status(item, desk.lang),
            }
            view[editor] = annotator_value(desk, item) if editor_too else gr.skip()
            return view

        def checklist_view(desk: Desk, values: list[Any], *, reset: bool = False) -> dict[Any, Any]:
            """Visibility of questions and justification boxes, and the status; only what changed is sent."""
            checklist = _checklist(desk.lang)
            view: dict[Any, Any] = {}
            if reset:
                if desk.answered or desk.shown:
                    for q, radio, just in zip(checklist.questions, radios, justs, strict=True):
                        view[radio] = gr.update(value=None, visible=q.applies_when is None)
                        view[just] = gr.update(value="", visible=False, label="")
                desk.shown, desk.answered = {}, False
                view[checklist_md] = ""
                return view
            answers, justifications = collect_answers(checklist, values)
            desk.answered = desk.answered or bool(answers)
            for q, radio, just in zip(checklist.questions, radios, justs, strict=True):
                applies = checklist.applies(q, answers)
                option = q.option(answers.get(q.id, "")) if applies else None
                needs_text = option is not None and option.effect == "needs_justification"
                radio_state = (applies,)
                just_state = (needs_text, option.prompt if needs_text and option else "")
                if desk.shown.get("q:" + q.id, (q.applies_when is None,)) != radio_state:
                    view[radio] = gr.update(visible=applies)
                    desk.shown["q:" + q.id] = radio_state
                if desk.shown.get("j:" + q.id, (False, "")) != just_state:
                    view[just] = gr.update(visible=just_state[0], label=just_state[1])
                    desk.shown["j:" + q.id] = just_state
            evaluation = cl.evaluate(checklist, answers, justifications)
            view[checklist_md] = checklist_markdown(checklist, evaluation, desk.lang)
            return view

        def language_view(lang: str) -> list[Any]:
            checklist = _checklist(lang)
            out: list[Any] = L.updates(lang)
            out.append(gr.update(value=f"### {checklist.title}\n{checklist.intro}"))
            for number, section in enumerate(checklist.sections, 1):
                out.append(gr.update(label=f"{number}. {section.title}"))
            for q in checklist.questions:
                out.append(
                    gr.update(label=q.text, info=q.help or None, choices=[(o.label, o.id) for o in q.options])
                )
            return out

        language_outputs = [*L.components(), intro_md, *accordions, *radios]

        # -- handlers -------------------------------------------------------------------------------

        def detected_view(desk: Desk) -> dict[Any, Any]:
            """Wait for the current photo's detection, then show its regions (second update of an event)."""
            if not desk.items:
                return {desk_state: desk}
            item = desk.item()
            ensure_detected(desk, item)
            view = item_view(desk)
            keep = (editor, toggles, pick, regions_md, warning_md, full_size, checked)
            return {desk_state: desk, **{c: view[c] for c in keep}}

        def ingest(files: list[Any] | None, desk: Desk) -> Iterator[dict[Any, Any]]:
            """Step 1: read each upload once, delete it, keep clean bytes; detect in the background."""
            paths = [Path(f if isinstance(f, str) else getattr(f, "name", f)) for f in files or []]
            forget_files(desk, [it for it in desk.items if it.decision])
            errors: list[str] = []
            first_new = len(desk.items)
            for path in paths:
                try:
                    data = path.read_bytes()
                finally:
                    _forget_upload(path)
                try:
                    item, image = make_item(data, path.name)
                    del data
                    start_detection(desk.folder, item, image if len(desk.items) == first_new else None)
                    del image
                except PhotoLabError as exc:
                    errors.append(f"{path.name}: {exc.message}")
                    continue
                desk.items.append(item)
            out: dict[Any, Any] = {desk_state: desk, upload: None, upload_md: upload_status(desk, errors)}
            if len(desk.items) == first_new:
                raise gr.Error(" · ".join(errors or [text("err.no_photo", desk.lang)]))
            desk.current = first_new
            out.update(item_view(desk))
            out.update(checklist_view(desk, [], reset=True))
            out[photo_select] = gr.update(choices=_photo_choices(desk), value=str(desk.current))
            out[wizard] = gr.Walkthrough(selected=STEP_FINDINGS)
            yield out
            yield detected_view(desk)

        def select_photo(choice: str | None, desk: Desk) -> Iterator[dict[Any, Any]]:
            if not desk.items or choice in (None, ""):
                yield {desk_state: desk}
                return
            desk.current = max(0, min(int(choice), len(desk.items) - 1))
            forget_files(desk, [it for it in desk.items if it.decision])
            start_detection(desk.folder, desk.item())
            out = {desk_state: desk, **item_view(desk)}
            out.update(checklist_view(desk, [], reset=True))
            out[photo_select] = gr.update(choices=_photo_choices(desk), value=str(desk.current))
            out[wizard] = gr.Walkthrough(selected=STEP_FINDINGS)
            yield out
            yield detected_view(desk)

        def go_regions(desk: Desk) -> dict[Any, Any]:
            # The editor already holds this photo (sent with step 2); boxes follow when detection is done.
            item = desk.item()
            return {
                desk_state: desk,
                **regions_view(desk, item, editor_too=False),
                wizard: gr.Walkthrough(selected=STEP_REGIONS),
            }

        def sync_boxes(value: dict[str, Any] | None, desk: Desk) -> dict[Any, Any]:
            if not desk.items or value is None or desk.item().regions is None:
                return {desk_state: desk}
            item = desk.item()
            added = sync_boxes_into(item, list(value.get("boxes") or []))
            return {desk_state: desk, **regions_view(desk, item, editor_too=added)}

        def toggle(selected: list[str] | None, desk: Desk) -> dict[Any, Any]:
            item = desk.item()
            chosen = set(selected or [])
            item.regions = [
                r if r.extra.get("deleted") else r.with_(enabled=str(i) in chosen)
                for i, r in enumerate(item.regions or [])
            ]
            return {desk_state: desk, **regions_view(desk, item)}

        def add_region(
            x: float, y: float, w: float, h: float, kind: str, default_style: str, desk: Desk
        ) -> dict[Any, Any]:
            item = desk.item()
            ensure_detected(desk, item)
            try:
                add_region_to(item, x, y, w, h, kind, default_style or "solid")
            except ValueError as exc:
                raise gr.Error(text("err.bad_box", desk.lang, width=item.width, height=item.height)) from exc
            return {desk_state: desk, **regions_view(desk, item)}

        def corner_click(kind: str, default_style: str, desk: Desk, evt: gr.SelectData) -> dict[Any, Any]:
            """Two clicks (opposite corners) on the photo add an area: no dragging needed (WCAG 2.5.7)."""
            item = desk.item()
            ensure_detected(desk, item)
            x, y = (int(v) for v in evt.index[:2])
            full = (round(x / item.preview_scale), round(y / item.preview_scale))
            if desk.corner is None:
                desk.corner = full
                return {
                    desk_state: desk,
                    corner_md: text("regions.corner_first", desk.lang, x=full[0], y=full[1]),
                }
            (x1, y1), desk.corner = desk.corner, None
            left, top = min(x1, full[0]), min(y1, full[1])
            try:
                add_region_to(
                    item, left, top, abs(full[0] - x1), abs(full[1] - y1), kind, default_style or "solid"
                )
            except ValueError as exc:
                raise gr.Error(text("err.bad_box", desk.lang, width=item.width, height=item.height)) from exc
            return {
                desk_state: desk,
                **regions_view(desk, item),
                corner_md: text("regions.corner_done", desk.lang),
            }

        def apply_style_all(style: str, desk: Desk) -> dict[Any, Any]:
            if style not in STYLES:
                raise gr.Error(text("err.bad_style", desk.lang))
            item = desk.item()
            item.regions = [r if r.kind in SOLID_KINDS else r.with_(style=style) for r in item.regions or []]
            return {
                desk_state: desk,
                **regions_view(desk, item),
                regions_md: regions_status(item, desk.lang) + "\n\n" + text("regions.text_stays", desk.lang),
            }

        def apply_style_one(index: str | None, kind: str, style: str, desk: Desk) -> dict[Any, Any]:
            item = desk.item()
            regions = item.regions or []
            if index in (None, "") or not 0 <= int(index) < len(regions) or style not in STYLES:
                raise gr.Error(text("err.pick_region", desk.lang))
            i = int(index)
            regions[i] = regions[i].with_(style=style, kind=kind if kind in KINDS else regions[i].kind)
            item.regions = regions
            return {desk_state: desk, **regions_view(desk, item)}

        def go_preview(checked_value: bool, desk: Desk) -> dict[Any, Any]:
            """Step 4: the gate of step 3 is enforced here, then the export bytes are rendered."""
            item = desk.item()
            ensure_detected(desk, item)
            item.checked_full_size = bool(checked_value)
            if item.needs_full_size_check and not item.checked_full_size:
                raise gr.Error(text("err.check_full_size", desk.lang))
            data = _render_output(item)
            stem = item.sha256[:16]
            on = sum(1 for r in item.regions or [] if r.enabled)
            return {
                desk_state: desk,
                before: _displayable(desk, f"before-{stem}", item.clean, item.out_ext),
                after: _displayable(desk, f"after-{stem}-{_sha256(data)[:8]}", data, item.out_ext),
                preview_md: text(
                    "preview.summary",
                    desk.lang,
                    on=on,
                    width=item.width,
                    height=item.height,
                    format=item.out_format,
                ),
                wizard: gr.Walkthrough(selected=STEP_PREVIEW),
            }

        def go_checklist(desk: Desk) -> dict[Any, Any]:
            item = desk.item()
            if item.output is None or item.output_for != tuple(item.regions or []):
                raise gr.Error(text("err.preview_first", desk.lang))
            return {wizard: gr.Walkthrough(selected=STEP_CHECKLIST)}

        def checklist_status(*args: Any) -> dict[Any, Any]:
            *values, desk = args
            return checklist_view(desk, list(values))

        def go_export(*args: Any) -> dict[Any, Any]:
            *values, desk = args
            out = checklist_view(desk, list(values))
            out[wizard] = gr.Walkthrough(selected=STEP_EXPORT)
            out[export_md] = out[checklist_md]
            return out

        def approve(name: str, caption_text: str, alt: str, *args: Any) -> dict[Any, Any]:
            """Step 6: every gate again, on the server; then record, zip, and empty the temp folder."""
            from photolab.review.record import build_export_zip

            *values, desk = args
            item = desk.item()
            lang = desk.lang
            problems = []
            if not (name or "").strip():
                problems.append(text("err.reviewer", lang))
            if not (caption_text or "").strip():
                problems.append(text("err.caption", lang))
            if not (alt or "").strip():
                problems.append(text("err.alt", lang))
            if item.needs_full_size_check and not item.checked_full_size:
                problems.append(text("err.check_full_size", lang))
            if item.output is None or item.output_for != tuple(item.regions or []):
                problems.append(text("err.preview_first", lang))
            checklist = _checklist(lang)
            answers, justifications = collect_answers(checklist, list(values))
            evaluation = cl.evaluate(checklist, answers, justifications)
            if not evaluation.approvable:
                problems.append(checklist_markdown(checklist, evaluation, lang))
            if problems:
                raise gr.Error(
                    text("err.not_approved", lang) + " " + " · ".join(p.replace("\n", " ") for p in problems)
                )
            record = make_record(
                item, checklist, answers, justifications, reviewer=name, caption=caption_text, alt_text=alt
            )
            store.save(record)
            export_dir = _session_dir(desk) / "export"
            forget_files(desk, desk.items)  # after each export: nothing of the session on disk but the zip
            zip_path = build_export_zip(
                export_dir / f"{item.export_name.rsplit('.', 1)[0]}.zip",
                item.output,
                item.export_name,
                record,
                caption_text,
                alt,
            )
            item.decision = "approved"
            remaining = [i for i, it in enumerate(desk.items) if not it.decision]
            return {
                desk_state: desk,
                export_md: "✓ " + text("export.done", lang, record=record.record_id),
                download: gr.DownloadButton(value=str(zip_path), visible=True),
                photo_select: gr.update(choices=_photo_choices(desk), value=str(desk.current)),
                next_btn: gr.update(visible=bool(remaining)),
                history: history_rows(),
            }

        def refuse(name: str, reason: str, *args: Any) -> dict[Any, Any]:
            *values, desk = args
            item = desk.item()
            lang = desk.lang
            if not (name or "").strip():
                raise gr.Error(text("err.reviewer", lang))
            if not (reason or "").strip():
                raise gr.Error(text("err.refusal_reason", lang))
            checklist = _checklist(lang)
            answers, justifications = collect_answers(checklist, list(values))
            record = make_record(
                item,
                checklist,
                answers,
                justifications,
                reviewer=name,
                refuse=True,
                refusal_reasons=(reason,),
            )
            store.save(record)
            item.decision = "refused"
            remaining = [i for i, it in enumerate(desk.items) if not it.decision]
            return {
                desk_state: desk,
                export_md: "✗ " + text("export.refused", lang, record=record.record_id),
                photo_select: gr.update(choices=_photo_choices(desk), value=str(desk.current)),
                next_btn: gr.update(visible=bool(remaining)),
                history: history_rows(),
            }

        def next_photo(desk: Desk) -> Iterator[dict[Any, Any]]:
            remaining = [i for i, it in enumerate(desk.items) if not it.decision]
            if not remaining:
                yield {desk_state: desk}
                return
            yield from select_photo(str(remaining[0]), desk)

        def history_rows() -> list[list[str]]:
            return [
                [s.created_at, s.reviewer, s.decision, s.record_id, s.output_sha256] for s in store.list(200)
            ]

        def set_language(lang: str | None, desk: Desk) -> list[Any]:
            desk.lang = lang if lang in i18n.languages() else i18n.REFERENCE
            desk.shown = {k: v for k, v in desk.shown.items() if k.startswith("q:")}  # prompts re-sent
            return [desk, *language_view(desk.lang)]

        def on_load(desk: Desk, request: gr.Request) -> list[Any]:
            """New session: language from the browser, preloaded images (read from disk, never deleted)."""
            lang = i18n.pick_language(request.headers.get("accept-language") if request else None)
            desk.lang = lang
            errors = []
            for path in preload:
                try:
                    item, image = make_item(path.read_bytes(), path.name)
                    start_detection(desk.folder, item, image if not desk.items else None)
                    del image
                    desk.items.append(item)
                except (OSError, PhotoLabError) as exc:
                    errors.append(f"{path.name}: {getattr(exc, 'message', exc.__class__.__name__)}")
            view = item_view(desk)
            return [
                desk,
                gr.update(value=lang),
                # The page is built in English: only another language needs its strings sent.
                *(language_view(lang) if lang != en else [gr.skip()] * len(language_outputs)),
                gr.update(choices=_photo_choices(desk), value=str(desk.current) if desk.items else None),
                upload_status(desk, errors) if (desk.items or errors) else "",
                *[view[c] for c in item_views],
                gr.Walkthrough(selected=STEP_FINDINGS if desk.items else STEP_UPLOAD),
                history_rows(),
            ]

        # -- events ---------------------------------------------------------------------------------

        all_outputs = [desk_state, upload, upload_md, photo_select, wizard, *item_views, *checklist_views]
        # Up to 8 sessions at once: these events wait for the (single, shared) detection worker.
        upload.upload(ingest, [upload, desk_state], all_outputs, api_name="ingest", concurrency_limit=8)
        photo_select.input(
            select_photo,
            [photo_select, desk_state],
            all_outputs,
            api_name="select_photo",
            concurrency_limit=8,
        )
        to_regions.click(
            go_regions,
            [desk_state],
            [desk_state, editor, toggles, pick, regions_md, wizard],
            api_name="to_regions",
        )
        region_outputs = [desk_state, editor, toggles, pick, regions_md]
        editor.change(sync_boxes, [editor, desk_state], region_outputs, api_name="sync_boxes")
        toggles.input(toggle, [toggles, desk_state], region_outputs, api_name="toggle_regions")
        corner_pick.select(
            corner_click,
            [add_kind, style_all, desk_state],
            [*region_outputs, corner_md],
            api_name="corner_click",
            concurrency_limit=8,
        )
        add_btn.click(
            add_region,
            [add_x, add_y, add_w, add_h, add_kind, style_all, desk_state],
            region_outputs,
            api_name="add_region",
            concurrency_limit=8,
        )
        apply_all.click(apply_style_all, [style_all, desk_state], region_outputs, api_name="style_all")
        apply_one.click(
            apply_style_one, [pick, pick_kind, pick_style, desk_state], region_outputs, api_name="style_one"
        )
        to_preview.click(
            go_preview,
            [checked, desk_state],
            [desk_state, before, after, preview_md, wizard],
            api_name="to_preview",
            concurrency_limit=8,
        )
        back_regions.click(
            lambda: gr.Walkthrough(selected=STEP_REGIONS), None, wizard, api_name="back_to_regions"
        )
        to_checklist.click(go_checklist, [desk_state], [wizard], api_name="to_checklist")
        back_checklist.click(
            lambda: gr.Walkthrough(selected=STEP_CHECKLIST), None, wizard, api_name="back_to_checklist"
        )
        answer_inputs = [*radios, *justs]
        gr.on(
            [r.change for r in radios] + [j.blur for j in justs],
            checklist_status,
            [*answer_inputs, desk_state],
            checklist_views,
            api_name="checklist_status",
        )
        to_export.click(
            go_export,
            [*answer_inputs, desk_state],
            [*checklist_views, wizard, export_md],
            api_name="to_export",
        )
        approve_btn.click(
            approve,
            [reviewer, caption, alt_text, *answer_inputs, desk_state],
            [desk_state, export_md, download, photo_select, next_btn, history],
            api_name="approve",
            concurrency_limit=8,
        )
        refuse_btn.click(
            refuse,
            [reviewer, refusal, *answer_inputs, desk_state],
            [desk_state, export_md, photo_select, next_btn, history],
            api_name="refuse",
        )
        next_btn.click(next_photo, [desk_state], all_outputs, api_name="next_photo", concurrency_limit=8)
        history_refresh.click(history_rows, None, history, api_name="history")
        language.input(
            set_language, [language, desk_state], [desk_state, *language_outputs], api_name="set_language"
        )
        language.input(None, [language], None, js="(code) => { window.photolabSetLang?.(code); }")
        demo.load(
            on_load,
            [desk_state],
            [desk_state, language, *language_outputs, photo_select, upload_md, *item_views, wizard, history],
            api_name="load",
        ).then(
            detected_view,
            [desk_state],
            [desk_state, editor, toggles, pick, regions_md, warning_md, full_size, checked],
            api_name="load_detections",
        )
    return demo
