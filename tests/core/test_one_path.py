"""One path for every photo (issue 9): the desk and the command line give the same bytes for the same
photo and the same areas, and a desk export is encoded once, from the decoded upright pixels."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image
from support import SAMPLES, encode, pattern_image

from photolab.core import job
from photolab.ui.desk import edits, photos, session
from photolab.ui.desk.state import Desk


def desk_item(data: bytes, name: str):
    desk = Desk(lang="en")
    item = photos.open_item(data, name)
    desk.items.append(item)
    for family in session.FAMILIES:
        session.run_family(desk, item, family)
    return item


def test_desk_export_equals_anonymise_of_the_same_photo() -> None:
    data = (SAMPLES / "s07_common_room.jpg").read_bytes()
    cli = job.run(data, "s07_common_room.jpg", job.ANONYMISE)
    item = desk_item(data, "s07_common_room.jpg")
    assert {r["id"] for r in cli.regions} == {r.id for r in item.regions if r.enabled}
    assert photos.render(item).data == cli.data


def test_the_same_areas_edited_in_the_desk_give_the_same_bytes_as_rendering_them_directly() -> None:
    data = (SAMPLES / "s01_corridor.jpg").read_bytes()
    item = desk_item(data, "s01_corridor.jpg")
    edits.apply(item, {"op": "add", "box": [100, 100, 80, 60], "kind": "face"})
    edits.apply(item, {"op": "delete", "ids": [item.regions[0].id]})
    direct = job.render(job.open_photo(data, "x").photo, item.regions)
    assert photos.render(item).data == direct.data


def test_an_unredacted_desk_export_is_the_strip_output(tmp_path: Path) -> None:
    data = encode(pattern_image(301, 203), "PNG")
    item = photos.open_item(data, "p.png")
    item.pixels.park()  # parked as PNG and decoded again: still exact
    stripped = job.run(data, "p.png", job.STRIP)
    assert photos.render(item).data == stripped.data


def test_the_desk_holds_the_decoded_pixels_not_a_lossy_copy() -> None:
    """So its export is the one and only lossy encode (the old desk encoded a JPEG at upload, then again)."""
    data = (SAMPLES / "s01_corridor.jpg").read_bytes()
    decoded = job.open_photo(data, "c.jpg").photo.image
    item = photos.open_item(data, "c.jpg")
    assert item.pixels.image().tobytes() == decoded.tobytes()
    item.pixels.park()
    assert item.pixels.image().tobytes() == decoded.tobytes()
    exported = Image.open(io.BytesIO(photos.render(item).data))
    once = Image.open(io.BytesIO(encode(decoded, "JPEG", quality=92, subsampling="4:4:4")))
    assert exported.tobytes() == once.tobytes()
