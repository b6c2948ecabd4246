"""What the review desk shows, as pure functions of the session state (testable without a server).

Every string that came from a file (names, metadata values, words read in a photo) is HTML-escaped here;
every image is an inline ``data:`` URL of clean pixels, so the page never fetches a file a second browser
could also fetch.
"""

from __future__ import annotations

import base64
import html
import io
from typing import Any

from PIL import Image

from photolab.core import policy
from photolab.ui.desk import edits
from photolab.ui.desk.state import PREVIEW_LONG, Desk, Item
from photolab.ui.i18n import metadata_text, text

RISK_ORDER = {"high": 0, "medium": 1, "low": 2}
GROUP_ORDER = ("face", "text", "person", "other", "unsure")
TILE_LONG = 1600  # px: the most a full-resolution tile sends at once
JPEG_QUALITY = 88


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


# ------------------------------------------------------------------------------------------ images


def jpeg_data_url(image: Image.Image, quality: int = JPEG_QUALITY) -> str:
    """A ``data:`` URL of ``image``'s pixels only (no metadata can ride along)."""
    pixels = image.convert("RGB") if image.mode != "RGB" else image
    buffer = io.BytesIO()
    Image.frombytes("RGB", pixels.size, pixels.tobytes()).save(buffer, "JPEG", quality=quality)
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def jpeg_url(data: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(data).decode("ascii")


def preview_of(image: Image.Image, long_side: int = PREVIEW_LONG) -> tuple[bytes, float]:
    """A JPEG at most ``long_side`` px long and its scale (preview px per full-size px)."""
    scale = min(1.0, long_side / max(image.size))
    small = (
        image
        if scale >= 1
        else image.resize(
            (max(1, round(image.width * scale)), max(1, round(image.height * scale))),
            Image.Resampling.LANCZOS,
        )
    )
    buffer = io.BytesIO()
    rgb = small.convert("RGB") if small.mode != "RGB" else small
    Image.frombytes("RGB", rgb.size, rgb.tobytes()).save(buffer, "JPEG", quality=JPEG_QUALITY)
    return buffer.getvalue(), scale


def brightened(image: Image.Image) -> Image.Image:
    """For the eye only: lift the shadows of a dark photo so a reviewer can see what detectors could not."""
    import numpy as np

    rgb = np.asarray(image.convert("RGB"), dtype=np.float32) / 255.0
    mean = max(1e-3, float(rgb.mean()))
    gamma = min(1.0, max(0.25, np.log(0.45) / np.log(mean)))
    lifted = np.clip(rgb**gamma, 0, 1)
    lo, hi = np.percentile(lifted, 1), np.percentile(lifted, 99.5)
    stretched = np.clip((lifted - lo) / max(1e-3, hi - lo), 0, 1)
    return Image.fromarray((stretched * 255 + 0.5).astype("uint8"), "RGB")


def tile_data_url(
    image: Image.Image, box: tuple[int, int, int, int]
) -> tuple[str, tuple[int, int, int, int]]:
    """A crop of the full-size pixels, at full resolution up to TILE_LONG px (the viewer's 1:1 zoom)."""
    x, y, w, h = box
    x, y = max(0, x), max(0, y)
    w, h = min(w, image.width - x), min(h, image.height - y)
    crop = image.crop((x, y, x + w, y + h))
    scale = min(1.0, TILE_LONG / max(1, max(crop.size)))
    if scale < 1:
        crop = crop.resize((max(1, round(w * scale)), max(1, round(h * scale))), Image.Resampling.LANCZOS)
    return jpeg_data_url(crop, 90), (x, y, w, h)


# ------------------------------------------------------------------------------------------ findings


def findings_html(item: Item, lang: str) -> str:
    """What the file gave away, most risky first, each with why it matters; all of it is removed."""
    rows = sorted(item.findings, key=lambda f: RISK_ORDER.get(str(f.get("risk")), 3))
    title = f"<h3>{esc(text('findings.title_for', lang, name=item.name))}</h3>"
    if not rows:
        return title + f"<p>{esc(text('findings.none', lang))}</p>"
    cells = "".join(_finding_row(f, lang) for f in rows)
    head = "".join(
        f'<th scope="col">{esc(text(k, lang))}</th>'
        for k in (
            "findings.col_risk",
            "findings.col_group",
            "findings.col_what",
            "findings.col_value",
            "findings.col_why",
        )
    )
    summary = text("findings.count", lang, count=len(rows), high=sum(f.get("risk") == "high" for f in rows))
    return (
        f'{title}<p>{esc(summary)}</p><table class="pl-findings"><thead><tr>{head}</tr></thead>'
        f"<tbody>{cells}</tbody></table><p><strong>{esc(text('findings.all_removed', lang))}</strong></p>"
    )


def _finding_row(f: dict[str, Any], lang: str) -> str:
    risk = str(f.get("risk", "low"))
    group = metadata_text("groups", str(f.get("group", "")), lang)
    why = metadata_text("explanations", str(f.get("explanation", "")), lang)
    return (
        f'<tr class="risk-{esc(risk)}"><th scope="row">{esc(text("risk." + risk, lang))}</th>'
        f"<td>{esc(group)}</td><td>{esc(f.get('name', ''))}</td>"
        f"<td><code>{esc(_short(f.get('value', '')))}</code></td><td>{esc(why)}</td></tr>"
    )


def _short(value: object, limit: int = 120) -> str:
    s = str(value)
    return s if len(s) <= limit else s[: limit - 1] + "…"


# ------------------------------------------------------------------------------------------ areas


def kind_name(kind: str, lang: str) -> str:
    return text(f"kind.{kind}", lang) if kind in policy.REGION_KINDS else kind


def area_label(region: Any, lang: str, number: int) -> str:
    """How an area is named in the list and to a screen reader: number, kind, words read, state."""
    label = f"{number} · {kind_name(region.kind, lang)}"
    if region.source == "manual":
        label += f" ({text('areas.added', lang)})"
    if region.text:
        label += f" «{_short(region.text, 28)}»"
    return label


def numbered(item: Item) -> list[tuple[int, Any]]:
    """Visible areas with the numbers shown on the photo (stable for this list)."""
    return list(enumerate(edits.visible(item.regions), 1))


def areas_summary(item: Item, lang: str) -> str:
    shown = edits.visible(item.regions)
    hidden = sum(r.enabled for r in shown)
    waiting = [f for f in ("faces", "text") if f not in item.detected]
    line = text("areas.summary", lang, on=hidden, total=len(shown))
    if waiting:
        line += " " + text("areas.detecting_" + waiting[0], lang)
    for family, message in item.failed.items():
        name = kind_name({"faces": "face", "text": "text", "people": "person"}.get(family, "other"), lang)
        line += " " + text("areas.failed", lang, family=name, message=message)
    return line


def warning_html(item: Item, lang: str) -> str:
    """Why this photo needs a look by eye (said once), and what to do."""
    if not item.needs_full_size_check:
        return ""
    reasons = [text("warn.dark", lang)] if item.dark else []
    if item.low_confidence and not item.dark:
        reasons.append(text("warn.low_confidence", lang))
    reasons += [r for r in item.reasons if not r.startswith("dark photo")]
    items = "".join(f"<li>{esc(r)}</li>" for r in reasons)
    return (
        f'<div class="pl-warning" role="note"><h3>⚠ {esc(text("warn.title", lang))}</h3><ul>{items}</ul>'
        f"<p>{esc(text('warn.instruction', lang))}</p></div>"
    )


def viewer_html(
    item: Item,
    lang: str,
    *,
    mode: str = "edit",
    selected: str = "",
    after: str | None = None,
    tile: dict[str, Any] | None = None,
) -> str:
    """The photo viewer: the photo, numbered boxes over it, and the grouped list of areas.

    ``mode`` "edit" (areas step) or "compare" (preview: ``after`` is the redacted photo's data URL).
    """
    w, h = item.width, item.height
    preview = jpeg_url(item.preview)
    alt = esc(text("alt.photo", lang))
    layers = [f'<img class="plv-img plv-before" src="{preview}" alt="{alt}" draggable="false">']
    if item.dark:
        layers.append(f'<img class="plv-img plv-bright" src="{bright_url(item)}" alt="" draggable="false">')
    if after:
        layers.append(
            f'<img class="plv-img plv-after" src="{after}" alt="{esc(text("alt.after", lang))}" '
            'draggable="false">'
        )
    if tile:
        tx, ty, tw, th = tile["box"]
        layers.append(
            f'<img class="plv-tile" data-layer="{esc(tile["layer"])}" src="{tile["src"]}" alt="" '
            f'style="left:{100 * tx / w:.4f}%;top:{100 * ty / h:.4f}%;width:{100 * tw / w:.4f}%;'
            f'height:{100 * th / h:.4f}%" draggable="false">'
        )
    boxes = "" if mode == "compare" else _boxes_svg(item, lang)
    data = (
        f'data-mode="{mode}" data-w="{w}" data-h="{h}" data-scale="{item.preview_scale:.6f}" '
        f'data-dark="{int(item.dark)}" data-selected="{esc(selected)}" data-item="{esc(item.key)}" '
        f'data-waiting="{",".join(f for f in ("faces", "text") if f not in item.detected)}" '
        f"data-lang=\"{esc(lang)}\" data-i18n='{esc(_viewer_strings(lang))}'"
    )
    role, name = esc(text("viewer.role", lang)), esc(text("viewer.label", lang))
    stage = (
        f'class="plv-stage" tabindex="0" role="application" aria-describedby="plv-keys-{mode}" '
        f'aria-roledescription="{role}" aria-label="{name}"'
    )
    listing = "" if mode == "compare" else _area_list(item, lang)
    return (
        f'<div class="plv" {data}>{_toolbar(item, lang, mode)}'
        f'<div class="plv-body"><div {stage}><div class="plv-canvas" style="aspect-ratio:{w} / {h}">'
        f"{''.join(layers)}{boxes}</div></div>{listing}</div>"
        f'<p id="plv-keys-{mode}" class="plv-keys">{esc(text("viewer.keys_" + mode, lang))}</p>'
        f'<p class="plv-live" role="status" aria-live="polite"></p></div>'
    )


def bright_url(item: Item) -> str:
    """The brightened preview of a dark photo (made once per item)."""
    if not item.bright_url:
        item.bright_url = jpeg_data_url(brightened(Image.open(io.BytesIO(item.preview))))
    return item.bright_url


def _toolbar(item: Item, lang: str, mode: str) -> str:
    def button(action: str, key: str, shortcut: str, extra: str = "") -> str:
        label = text(f"viewer.{key}", lang)
        return (
            f'<button type="button" class="plv-btn" data-action="{action}" aria-keyshortcuts="{shortcut}" '
            f'title="{esc(label)} ({esc(shortcut)})"{extra}>{esc(label)}</button>'
        )

    parts = [
        button("zoom-out", "zoom_out", "-"),
        button("zoom-in", "zoom_in", "+"),
        button("fit", "fit", "0"),
        button("actual", "actual", "1"),
    ]
    if item.dark:
        parts.append(button("bright", "bright", "B", ' aria-pressed="true"'))
    if mode == "compare":
        parts.append(button("swap", "swap", "C", ' aria-pressed="true"'))
    else:
        kinds = "".join(
            f'<option value="{k}">{esc(kind_name(k, lang))}</option>' for k in policy.REGION_KINDS
        )
        parts.append(button("add", "add", "A", ' aria-pressed="false"'))
        parts.append(
            f'<label class="plv-kind">{esc(text("viewer.add_kind", lang))} '
            f'<select data-role="add-kind">{kinds}</select></label>'
        )
    tools = esc(text("viewer.tools", lang))
    return f'<div class="plv-toolbar" role="toolbar" aria-label="{tools}">{"".join(parts)}</div>'


def _boxes_svg(item: Item, lang: str) -> str:
    w, h = item.width, item.height
    stroke = max(2.0, max(w, h) / 600)
    shapes = []
    for number, r in numbered(item):
        x, y, bw, bh = r.box
        classes = f"plv-box k-{edits.group_of(r)}{' on' if r.enabled else ' off'}"
        shapes.append(
            f'<g class="{classes}" data-id="{esc(r.id)}"><rect x="{x}" y="{y}" width="{bw}" height="{bh}" '
            f'stroke-width="{stroke:.1f}"/><text x="{x + stroke}" y="{max(y - stroke, 12 * stroke)}" '
            f'font-size="{7 * stroke:.0f}">{number}</text></g>'
        )
    return (
        f'<svg class="plv-boxes" viewBox="0 0 {w} {h}" preserveAspectRatio="none" aria-hidden="true">'
        f'{"".join(shapes)}<rect class="plv-draft" x="0" y="0" width="0" height="0"/></svg>'
    )


def _area_list(item: Item, lang: str) -> str:
    groups: dict[str, list[tuple[int, Any]]] = {g: [] for g in GROUP_ORDER}
    for number, r in numbered(item):
        groups[edits.group_of(r)].append((number, r))
    sections = [_group_html(g, rows, lang) for g, rows in groups.items() if rows]
    empty = "" if sections else f"<p>{esc(text('areas.none', lang))}</p>"
    return (
        f'<div class="plv-list" role="region" aria-label="{esc(text("areas.list", lang))}">'
        f"{''.join(sections)}{empty}</div>"
    )


def _group_html(group: str, rows: list[tuple[int, Any]], lang: str) -> str:
    on = sum(r.enabled for _, r in rows)
    heading = text(f"areas.group_{group}", lang, count=len(rows), on=on)
    explain = (
        f'<p class="plv-explain">{esc(text("areas.unsure_help", lang))}</p>' if group == "unsure" else ""
    )
    entries = "".join(_area_row(n, r, lang) for n, r in rows)
    return (
        f'<section class="plv-group" data-group="{group}"><h3>{esc(heading)}</h3>{explain}'
        f'<div class="plv-group-actions"><button type="button" class="plv-btn" data-action="group-on" '
        f'data-group="{group}">{esc(text("areas.hide_all", lang))}</button><button type="button" '
        f'class="plv-btn" data-action="group-off" data-group="{group}">{esc(text("areas.show_all", lang))}'
        f"</button></div><ul>{entries}</ul></section>"
    )


def _area_row(number: int, region: Any, lang: str) -> str:
    state = text("areas.state_hidden" if region.enabled else "areas.state_shown", lang)
    style = text(f"style.{region.style}", lang)
    label = area_label(region, lang, number)
    remove = esc(text("areas.delete", lang, label=label))
    return (
        f'<li class="plv-row{" on" if region.enabled else " off"}" data-id="{esc(region.id)}">'
        f'<button type="button" class="plv-area" data-id="{esc(region.id)}" aria-pressed='
        f'"{"true" if region.enabled else "false"}" tabindex="-1">{esc(label)}<span class="plv-state"> — '
        f'{esc(state)} ({esc(style)})</span></button><button type="button" class="plv-btn plv-del" '
        f'data-action="delete" data-id="{esc(region.id)}" aria-label="{remove}" tabindex="-1">✕</button></li>'
    )


def _viewer_strings(lang: str) -> str:
    import json

    keys = ("first_corner", "added", "hidden", "shown", "deleted", "zoom", "need_two_clicks")
    return json.dumps({k: text(f"viewer.say_{k}", lang) for k in keys}, ensure_ascii=False)


# ------------------------------------------------------------------------------------------ other steps


def upload_status(desk: Desk, lang: str) -> str:
    """How many photos the session holds and every file it could not read (the start-up folder's and an
    upload's alike, whichever of them finished last)."""
    with desk.lock:
        count, refused = len(desk.items), list(desk.refused)
    lines = [f"<p>{esc(text('upload.count', lang, count=count))}</p>"] if count else []
    if refused:
        lines.append('<ul class="pl-errors">' + "".join(f"<li>⚠ {esc(e)}</li>" for e in refused) + "</ul>")
    return "".join(lines)


def photo_choices(desk: Desk, lang: str) -> list[tuple[str, str]]:
    marks = {"approved": " ✓", "refused": " ✗"}
    return [
        (f"{i + 1}/{len(desk.items)} · {it.name}{marks.get(it.decision, '')}", it.key)
        for i, it in enumerate(desk.items)
    ]


def preview_summary(item: Item, lang: str) -> str:
    on = sum(r.enabled for r in item.regions)
    fmt = item.output.format if item.output is not None else ""
    return text("preview.summary", lang, on=on, width=item.width, height=item.height, format=fmt)
