"""The workshop's view helpers without a browser: the box editor's value, the box list, the join panel."""

from __future__ import annotations

import re

import pytest

from photolab import workshop as ws

common = pytest.importorskip("photolab.ui.workshop.common")


def test_editor_value_round_trips_and_sends_colours_as_the_editor_does() -> None:
    """Issue 10: colours sent as lists came back unchanged after a reload and the editor then refused
    every new box (ComponentProcessingError). They go as ``rgb(r, g, b)`` text, like the editor's own."""
    boxes = [{"box": [10, 20, 30, 40], "label": "text"}, {"box": [5, 6, 7, 8], "label": "area"}]
    value = common.to_annotator("/x.jpg", boxes, "fr")
    assert all(re.fullmatch(r"rgb\(\d+, \d+, \d+\)", b["color"]) for b in value["boxes"])
    assert value["boxes"][0]["label"] == ws.load_texts("fr")["ui"]["kinds"]["text"]
    assert common.from_annotator(value) == boxes
    zero = {"boxes": [{"xmin": 3, "ymin": 3, "xmax": 3, "ymax": 3, "label": "Face"}]}
    assert common.from_annotator(zero) == []  # the editor's 0 x 0 box at the start of a drag


@pytest.mark.parametrize("lang", ws.languages())
def test_a_new_box_gets_a_neutral_kind_in_every_language(lang: str) -> None:
    """Issue 10: every new box was called "Rostro" (face), also on a door sign."""
    names = common.kind_names(lang)
    assert common.KINDS[0] == "area" and names[0] != names[common.KINDS.index("face")]
    assert len(set(names)) == len(names)


def test_box_list_names_each_box_in_text_with_numbers_left_to_right() -> None:
    html = common.box_list_html([{"box": [1413, 472, 80, 21], "label": "text"}], "en", "Box added.")
    assert 'role="status"' in html and "Boxes marked: 1 Box added." in html
    assert '<bdi dir="ltr">x 1413, y 472, 80 × 21</bdi>' in html and "Name, number or text" in html


def test_join_panel_says_plainly_when_others_cannot_reach_it(small_samples: object) -> None:
    from photolab.workshop.address import JoinAddress

    app = common.Workshop(store=None, scenarios={}, lang="en")  # type: ignore[arg-type]
    rnd = ws.Round(1, "ABC234", "key", "", ("s01",), 0.0, True)
    local = common.join_panel_html(app, rnd, JoinAddress("http://127.0.0.1:7860/", False), qr=True)
    assert "--host 0.0.0.0" in local and "<svg" in local and 'aria-label="A B C 2 3 4"' in local
    lan = common.join_panel_html(app, rnd, JoinAddress("http://192.168.1.20:7860/", True), qr=False)
    assert "--host" not in lan and "http://192.168.1.20:7860/?join=ABC234" in lan and "<svg" not in lan
