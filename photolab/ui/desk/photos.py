"""Photos in and out of a session: open an upload through the core job, render what is exported.

Uploads are read into memory and their files deleted before anything else happens, whatever the
detection queue is doing; the desk then holds only what ``core.job.open_photo`` returns (upright clean
pixels and the findings), never the original bytes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import secrets
from pathlib import Path
from typing import Any

from photolab.core import job, policy
from photolab.errors import PhotoLabError
from photolab.ui.desk import views
from photolab.ui.desk.state import Item, Pixels


def read_and_delete(files: list[Any] | None) -> list[tuple[str, bytes | None, str]]:
    """(name, bytes or None, reason) for each upload; every upload file is gone when this returns."""
    out = []
    for f in files or []:
        path = Path(f if isinstance(f, str) else getattr(f, "name", str(f)))
        try:
            data, reason = path.read_bytes(), ""
        except OSError as exc:
            data, reason = None, exc.strerror or "cannot be read"
        finally:
            _delete_upload(path)
        out.append((path.name, data, reason))
    return out


def _delete_upload(path: Path) -> None:
    """The upload and the per-upload folder Gradio made for it (its name is the upload's hash)."""
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    root = os.environ.get("GRADIO_TEMP_DIR")
    if root and path.parent != Path(root) and Path(root) in path.parents:
        with contextlib.suppress(OSError):
            path.parent.rmdir()


def open_item(data: bytes, name: str) -> Item:
    """Decode once through the core job; keep pixels, preview and findings (the bytes are dropped)."""
    opened = job.open_photo(data, name)
    photo = opened.photo
    preview, scale = views.preview_of(photo.image)
    return Item(
        key=secrets.token_hex(6),
        name=name,
        photo=dataclasses.replace(photo, image=None),
        pixels=Pixels(photo.image),
        findings=opened.findings,
        preview=preview,
        preview_scale=scale,
    )


def open_uploads(blobs: list[tuple[str, bytes | None, str]]) -> tuple[list[Item], list[str]]:
    items, errors = [], []
    for name, data, reason in blobs:
        if data is None:
            errors.append(f"{name}: {reason}")
            continue
        try:
            items.append(open_item(data, name))
        except PhotoLabError as exc:
            errors.append(_named(name, exc.message))
    return items, errors


def _named(name: str, message: str) -> str:
    return message if message.startswith(f"{name}: ") else f"{name}: {message}"


def photo_of(item: Item) -> Any:
    """The core job's Photo for ``item``, with its pixels."""
    return dataclasses.replace(item.photo, image=item.pixels.image())


def render(item: Item) -> Any:
    """Redact and encode exactly what will be exported (cached while the areas stay the same)."""
    from photolab.ui.desk.state import render_key

    key = render_key(item.regions)
    if item.output is None or item.output_for != key:
        item.output = job.render(photo_of(item), list(key), policy.DEFAULT_PADDING)
        item.output_for = key
    return item.output


def output_image(item: Item) -> Any:
    """The exported image decoded again, for the before/after view (never kept)."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(render(item).data))
    image.load()
    return image
