"""The reviewer's corrections to the areas of one photo, as plain commands on stable region ids.

The viewer sends one small command per action (``{"op": "toggle", "ids": ["face-3"]}``); nothing is
ever matched by label or position, so an edit can change only what it names, and never a region's kind,
source or style unless that is the edit. Text and plates stay solid whatever style is chosen.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from photolab.core import policy
from photolab.regions import Region, clip

GROUPS = ("face", "text", "person", "other", "unsure", "all")


class EditError(ValueError):
    """A command that does not fit this photo (unknown id, empty box, unknown kind)."""


def visible(regions: Iterable[Region]) -> list[Region]:
    """The areas the reviewer sees (detector areas they deleted stay in the record, not on screen)."""
    return [r for r in regions if not r.extra.get("deleted")]


def is_unsure(region: Region) -> bool:
    return bool(region.extra.get("candidate"))


def group_of(region: Region) -> str:
    """The list group an area is shown in: unsure candidates apart, plates with text."""
    if is_unsure(region):
        return "unsure"
    return {"plate": "text"}.get(region.kind, region.kind if region.kind in GROUPS else "other")


def apply(item: Any, command: dict[str, Any], default_style: str = policy.DEFAULT_STYLE) -> str:
    """Apply one command to ``item.regions``; return the id the viewer should select afterwards."""
    op = str(command.get("op", ""))
    handler = _OPS.get(op)
    if handler is None:
        raise EditError(f"unknown edit {op!r}")
    return handler(item, command, default_style)


def _ids(item: Any, command: dict[str, Any]) -> set[str]:
    ids = {str(i) for i in command.get("ids", [])}
    known = {r.id for r in visible(item.regions)}
    if not ids or not ids <= known:
        raise EditError("no such area")
    return ids


def _toggle(item: Any, command: dict[str, Any], _style: str) -> str:
    ids = _ids(item, command)
    on = command.get("on")
    item.regions = [
        r.with_(enabled=(not r.enabled) if on is None else bool(on)) if r.id in ids else r
        for r in item.regions
    ]
    return sorted(ids)[0]


def _delete(item: Any, command: dict[str, Any], _style: str) -> str:
    ids = _ids(item, command)
    order = [r.id for r in visible(item.regions)]
    kept = []
    for r in item.regions:
        if r.id not in ids:
            kept.append(r)
        elif r.source != "manual":  # a false detection: kept, switched off, for the record
            kept.append(r.with_(enabled=False, extra={**r.extra, "deleted": True}))
    item.regions = kept
    rest = [i for i in order if i not in ids]
    after = [i for i in order[order.index(min(ids, key=order.index)) :] if i not in ids]
    return (after or rest or [""])[0]


def _add(item: Any, command: dict[str, Any], default_style: str) -> str:
    box = _box(item, command.get("box"))
    kind = str(command.get("kind") or "other")
    if kind not in policy.REGION_KINDS:
        raise EditError(f"unknown kind {kind!r}")
    item.added += 1
    region = Region(
        kind=kind,
        box=box,
        source="manual",
        style=policy.style_for(kind, default_style),
        id=f"added-{item.added}",
    )
    item.regions = [*item.regions, region]
    return region.id


def _box(item: Any, raw: Any) -> tuple[int, int, int, int]:
    try:
        x, y, w, h = (float(v) for v in raw)
    except (TypeError, ValueError):
        raise EditError("a box needs x, y, width and height") from None
    if w < 0:
        x, w = x + w, -w
    if h < 0:
        y, h = y + h, -h
    box = clip((x, y, w, h), item.width, item.height)
    if box[2] < 2 or box[3] < 2:
        raise EditError("the box is empty or outside the photo")
    return box


def _kind(item: Any, command: dict[str, Any], default_style: str) -> str:
    ids = _ids(item, command)
    kind = str(command.get("kind"))
    if kind not in policy.REGION_KINDS:
        raise EditError(f"unknown kind {kind!r}")
    item.regions = [_rekind(r, kind, default_style) if r.id in ids else r for r in item.regions]
    return sorted(ids)[0]


def _rekind(region: Region, kind: str, default_style: str) -> Region:
    """A text area turned into a face gets the chosen style back; anything turned into text goes solid."""
    style = default_style if region.kind in policy.SOLID_KINDS else region.style
    return region.with_(kind=kind, style=policy.style_for(kind, style))


def _style(item: Any, command: dict[str, Any], _default: str) -> str:
    ids = _ids(item, command)
    style = _checked_style(command)
    item.regions = [
        r.with_(style=policy.style_for(r.kind, style)) if r.id in ids else r for r in item.regions
    ]
    return sorted(ids)[0]


def _checked_style(command: dict[str, Any]) -> str:
    style = str(command.get("style"))
    if style not in policy.STYLES:
        raise EditError(f"unknown style {style!r}")
    return style


def _move(item: Any, command: dict[str, Any], _style: str) -> str:
    (rid,) = _ids(item, {"ids": [command.get("id")]})
    box = _box(item, command.get("box"))
    item.regions = [r.with_(box=box) if r.id == rid else r for r in item.regions]
    return rid


def _group(item: Any, command: dict[str, Any], _style: str) -> str:
    group = str(command.get("group"))
    if group not in GROUPS:
        raise EditError(f"unknown group {group!r}")
    on = bool(command.get("on", True))
    item.regions = [
        r.with_(enabled=on) if not r.extra.get("deleted") and group in ("all", group_of(r)) else r
        for r in item.regions
    ]
    return ""


def _style_all(item: Any, command: dict[str, Any], _default: str) -> str:
    style = _checked_style(command)
    item.regions = [r.with_(style=policy.style_for(r.kind, style)) for r in item.regions]
    return ""


_OPS = {
    "toggle": _toggle,
    "delete": _delete,
    "add": _add,
    "kind": _kind,
    "style": _style,
    "move": _move,
    "group": _group,
    "style_all": _style_all,
}
