"""The reviewer's corrections: commands on stable ids change only what they name (issue 10's blocking
defect: a round trip through the editor turned detector areas into 'other (added)' and text into blur)."""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import pytest
from PIL import Image

from photolab.core import policy
from photolab.regions import Region
from photolab.ui.desk import edits
from photolab.ui.desk.state import Item, Pixels


def item_with(regions: list[Region]) -> Item:
    image = Image.new("RGB", (400, 300), (90, 90, 90))
    return Item(
        key="k",
        name="x.jpg",
        photo=None,
        pixels=Pixels(image),
        findings=[],
        preview=b"",
        preview_scale=1.0,
        regions=regions,
    )


def detected() -> list[Region]:
    found = [
        Region("face", (10, 10, 40, 40), 0.9),
        Region("face", (100, 10, 40, 40), 0.8),
        Region("text", (10, 200, 120, 20), 0.7, text="Room 14"),
        Region("plate", (200, 200, 80, 20), 0.6),
    ]
    weak = [Region("face", (300, 100, 20, 20), 0.12)]
    return policy.plan(found, "blur", weak)


def test_plan_numbers_by_kind_text_solid_candidates_off() -> None:
    regions = detected()
    assert [r.id for r in regions] == ["face-1", "face-2", "text-1", "plate-1", "face-candidate-1"]
    assert [r.style for r in regions] == ["blur", "blur", "solid", "solid", "blur"]
    assert [r.enabled for r in regions] == [True, True, True, True, False]
    assert edits.group_of(regions[-1]) == "unsure"


def test_every_edit_keeps_kind_source_and_style_of_the_others() -> None:
    item = item_with(detected())
    before = {r.id: (r.kind, r.source, r.style, r.text) for r in item.regions}
    for command in (
        {"op": "toggle", "ids": ["face-1"]},
        {"op": "add", "box": [5, 5, 30, 30], "kind": "other"},
        {"op": "move", "id": "face-2", "box": [101, 11, 42, 41]},
        {"op": "delete", "ids": ["face-1"]},
        {"op": "toggle", "ids": ["face-candidate-1"], "on": True},
    ):
        edits.apply(item, command)
    after = {r.id: (r.kind, r.source, r.style, r.text) for r in item.regions}
    assert {k: v for k, v in after.items() if k in before} == before
    assert after["added-1"] == ("other", "manual", "blur", "")


def test_text_stays_solid_whatever_style_is_chosen() -> None:
    item = item_with(detected())
    edits.apply(item, {"op": "style_all", "style": "pixelate"})
    edits.apply(item, {"op": "style", "ids": ["text-1", "plate-1"], "style": "blur"})
    styles = {r.id: r.style for r in item.regions}
    assert styles["text-1"] == styles["plate-1"] == "solid" and styles["face-1"] == "pixelate"
    edits.apply(item, {"op": "kind", "ids": ["face-1"], "kind": "text"})
    assert next(r for r in item.regions if r.id == "face-1").style == "solid"
    edits.apply(item, {"op": "kind", "ids": ["face-1"], "kind": "face"}, "blur")
    assert next(r for r in item.regions if r.id == "face-1").style == "blur"


def test_deleting_a_detection_keeps_it_for_the_record_and_removes_a_drawn_area() -> None:
    item = item_with(detected())
    edits.apply(item, {"op": "add", "box": [5, 5, 30, 30], "kind": "face"})
    nxt = edits.apply(item, {"op": "delete", "ids": ["face-2"]})
    assert nxt == "text-1"  # the next area is selected
    edits.apply(item, {"op": "delete", "ids": ["added-1"]})
    ids = [r.id for r in item.regions]
    assert "added-1" not in ids and "face-2" in ids
    gone = next(r for r in item.regions if r.id == "face-2")
    assert not gone.enabled and gone.extra["deleted"] and gone not in edits.visible(item.regions)


def test_groups_hide_or_show_together() -> None:
    item = item_with(detected())
    edits.apply(item, {"op": "group", "group": "unsure", "on": True})
    assert next(r for r in item.regions if r.id == "face-candidate-1").enabled
    edits.apply(item, {"op": "group", "group": "face", "on": False})
    assert [r.enabled for r in item.regions if r.kind == "face" and not edits.is_unsure(r)] == [False, False]


@pytest.mark.parametrize(
    "command",
    [
        {"op": "toggle", "ids": ["nope"]},
        {"op": "toggle", "ids": []},
        {"op": "add", "box": [500, 500, 10, 10]},
        {"op": "add", "box": [1, 1, 1, 1]},
        {"op": "add", "box": "x"},
        {"op": "kind", "ids": ["face-1"], "kind": "cat"},
        {"op": "style", "ids": ["face-1"], "style": "swirl"},
        {"op": "explode"},
    ],
)
def test_bad_commands_are_refused_and_change_nothing(command: dict) -> None:
    item = item_with(detected())
    before = [dataclasses.astuple(r) for r in item.regions]
    with pytest.raises(edits.EditError):
        edits.apply(item, command)
    assert [dataclasses.astuple(r) for r in item.regions] == before


def test_a_box_dragged_backwards_is_normalised_and_clipped() -> None:
    item = item_with([])
    edits.apply(item, {"op": "add", "box": [390, 290, -50, -40], "kind": "face"})
    assert item.regions[0].box == (340, 250, 50, 40)
    edits.apply(item, {"op": "add", "box": [380, 280, 100, 100], "kind": "face"})
    assert item.regions[1].box == (380, 280, 20, 20)


def test_photos_off_screen_are_parked_losslessly_once_detection_is_done() -> None:
    """A long session holds one decoded photo; the others as exact PNGs (issue 11: memory per photo)."""
    import numpy as np

    from photolab.ui.desk.state import Desk

    desk = Desk(lang="en")
    rng = np.random.default_rng(1)
    for n in range(3):
        item = item_with([])
        item.key = f"k{n}"
        item.pixels = Pixels(Image.fromarray(rng.integers(0, 255, (300, 400, 3), dtype=np.uint8)))
        desk.items.append(item)
    exact = np.asarray(desk.items[0].pixels.image()).copy()
    desk.items[0].detected = {"faces", "text"}
    desk.items[1].detected = {"faces"}  # text still to come: its pixels stay decoded
    desk.show(2)
    held = [it.pixels.nbytes() for it in desk.items]
    assert held[0] < 300 * 400 * 3 * 1.1 and desk.items[0].pixels._image is None
    assert desk.items[1].pixels._image is not None and desk.items[2].pixels._image is not None
    assert np.array_equal(np.asarray(desk.items[0].pixels.image()), exact)  # back bit for bit


def test_a_session_ends_when_its_page_goes_or_expires_and_is_forgotten_either_way() -> None:
    from photolab.ui.desk import session

    def page(hash_: str) -> SimpleNamespace:
        return SimpleNamespace(session_hash=hash_, headers={})

    opened = {h: session.desk_for(page(h)) for h in ("gone", "expired", "other")}
    gone, expired, other = opened["gone"], opened["expired"], opened["other"]
    for desk in opened.values():
        desk.items.append(item_with([]))
    assert session.desk_for(page("other")) is other  # one desk a session
    session.page_closed("gone")  # the tab closed: Gradio's unload
    session.end_session(expired)  # Gradio's delete callback, hours later, for a page that never unloaded
    assert gone.closed and gone.items == [] and expired.closed and expired.items == []
    assert not other.closed and len(other.items) == 1
    assert "gone" not in session._open and "expired" not in session._open and session._open["other"] is other
    session.page_closed("other")
