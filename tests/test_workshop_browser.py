"""End to end in Debian's chromium: a facilitator and two participants in separate browser contexts.

The facilitator creates a round on two shipped scenarios; participant 1 (French, name shown by choice)
draws a box with the mouse, answers and submits, then reloads and resumes on scenario 2; participant 2
(English, anonymous) marks boxes the non-drag way (numbers, then two clicks). The live dashboard must show
both. No request may leave 127.0.0.1. With PHOTOLAB_SCREENSHOTS=1 the steps are saved to
docs/screenshots/workshop-*.png for the README.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from PIL import Image

from photolab import workshop as ws

pytestmark = [pytest.mark.browser, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
SHOTS = REPO / "docs" / "screenshots"
TIMEOUT_MS = 60_000  # generous: the test machine is shared and often loaded


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium not installed")
    pytest.importorskip("playwright.sync_api")
    if not (REPO / "samples" / "scenarios.yaml").exists():
        pytest.skip("samples/ not built")
    from photolab import server

    root = tmp_path_factory.mktemp("workshop-browser")
    server.prepare_environment(root / "gradio-temp")
    os.environ.pop("PHOTOLAB_SAMPLES", None)
    from photolab.ui.workshop import build_workshop

    db = root / "photolab.sqlite3"
    running = server.start(server.mount(build_workshop(db)))
    try:
        yield {"url": running.url + "/", "db": db, "scenarios": ws.load_scenarios(REPO / "samples")}
    finally:
        running.stop()


def shot(page: Any, name: str) -> None:
    if os.environ.get("PHOTOLAB_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"workshop-{name}.png"), full_page=True)


def answer_and_submit(page: Any, option: str, caption: str, decision: str, reason: str) -> None:
    for q in ws.load_questions("en"):
        value = "unsure" if q.id == "typical" else option
        page.locator(f"#ws-q-{q.id} input[value='{value}']").check()
    page.fill("#ws-caption textarea", caption)
    page.locator(f"#ws-decision input[value='{decision}']").check()
    page.fill("#ws-reason textarea", reason)
    page.click("#ws-submit")


def test_facilitator_and_two_participants(served: dict[str, Any]) -> None:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)
    url, scenarios = served["url"], served["scenarios"]
    first, second = scenarios[0], scenarios[1]
    outside: list[str] = []
    profile = tempfile.mkdtemp(prefix="photolab-pw-")

    def watch(request: Any) -> None:
        if urlsplit(request.url).hostname not in ("127.0.0.1", None) and not request.url.startswith("data:"):
            outside.append(request.url)

    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            contexts = [browser.new_context(viewport={"width": 1280, "height": 1000}) for _ in range(3)]
            for ctx in contexts:
                ctx.on("request", watch)
                ctx.set_default_timeout(TIMEOUT_MS)
            fac, one, two = (ctx.new_page() for ctx in contexts)

            # facilitator: a round on the first two scenarios
            fac.goto(url)
            expect(fac.locator("#ws-join-btn")).to_be_visible()
            fac.get_by_role("tab", name="Facilitator").click()
            picks = fac.locator("#ws-pick input[type=checkbox]")
            for i in range(picks.count()):
                picks.nth(i).set_checked(i < 2)
            fac.click("#ws-create-btn")
            code = fac.locator(".ws-code").inner_text().strip()
            assert re.fullmatch(r"[A-Z2-9]{6}", code)
            expect(fac.locator("#ws-qr svg")).to_be_visible()
            expect(fac.locator("#ws-join-info")).to_contain_text(f"?join={code}")
            shot(fac, "1-facilitator-round")

            # participant 1: French, shows their name, draws a box with the mouse
            one.goto(f"{url}?join={code}")
            expect(one.locator("#ws-code input, #ws-code textarea").first).to_have_value(code)
            one.locator("#ws-lang input[value='fr']").check()
            expect(one.locator("#ws-join-btn")).to_have_text("Rejoindre")
            one.fill("#ws-name input, #ws-name textarea", "Amina")
            one.locator("#ws-share input").check()
            one.click("#ws-join-btn")
            expect(one.locator("#ws-header")).to_contain_text(
                f"Scénario 1 sur 2: {first.text('title', 'fr')}"
            )
            canvas = one.locator("#ws-annotator canvas")
            canvas.scroll_into_view_if_needed()
            expect(canvas).to_be_visible()
            one.wait_for_timeout(500)
            area = canvas.bounding_box()
            assert area is not None
            with Image.open(first.image) as im:
                scale = area["width"] / im.width
            hx, hy, hw, hh = first.hazards[0].box
            pad = 4
            one.mouse.move(area["x"] + (hx - pad) * scale, area["y"] + (hy - pad) * scale)
            one.mouse.down()
            one.mouse.move(area["x"] + (hx + hw + pad) * scale, area["y"] + (hy + hh + pad) * scale, steps=8)
            one.mouse.up()
            expect(one.locator("#ws-box-status")).to_contain_text("Cadres marqués : 1")
            shot(one, "2-participant-marking")
            answer_and_submit(
                one, "yes", "Couloir d'un service, noms masqués", "publish_with_changes", "Noms"
            )
            expect(one.locator("#ws-header")).to_contain_text("Scénario 2 sur 2")

            # participant 2: English, anonymous, marks without dragging (numbers, then two clicks)
            two.goto(f"{url}?join={code}")
            two.click("#ws-join-btn")
            expect(two.locator("#ws-header")).to_contain_text("Scenario 1 of 2")
            two.locator("#ws-nodrag").get_by_text("Mark without dragging").click()
            bx, by, bw, bh = first.hazards[1].box if len(first.hazards) > 1 else first.hazards[0].box
            for field, value in zip(("nx", "ny", "nw", "nh"), (bx, by, bw, bh), strict=True):
                two.fill(f"#ws-{field} input", str(value))
            two.click("#ws-add-box")
            expect(two.locator("#ws-box-status")).to_contain_text("Boxes marked: 1")
            img = two.locator("#ws-click-image img")
            img.scroll_into_view_if_needed()
            box = img.bounding_box()
            assert box is not None
            img.click(position={"x": box["width"] * 0.05, "y": box["height"] * 0.9})
            expect(two.locator("#ws-box-status")).to_contain_text("First corner")
            img.click(position={"x": box["width"] * 0.15, "y": box["height"] * 0.97})
            expect(two.locator("#ws-box-status")).to_contain_text("Boxes marked: 2")
            two.wait_for_timeout(500)
            two.wait_for_function(
                "() => { const i = document.querySelector('#ws-click-image img');"
                " return i && i.complete && i.naturalWidth > 0 }"
            )
            shot(two, "3-participant-nodrag")
            answer_and_submit(two, "no", "A bare corridor", "do_not_publish", "The names are readable")
            expect(two.locator("#ws-header")).to_contain_text("Scenario 2 of 2")

            # participant 1 reloads: same place, same language, answers kept on the server
            one.reload()
            expect(one.locator("#ws-header")).to_contain_text(
                f"Scénario 2 sur 2: {second.text('title', 'fr')}"
            )
            expect(one.locator("#ws-status")).to_contain_text("Bon retour")

            # the facilitator's dashboard follows live
            expect(fac.locator("#ws-dash-status")).to_contain_text("2 joined")
            expect(fac.locator("#ws-dash-status")).to_contain_text("2 submitted")
            expect(fac.locator("#ws-cards")).to_contain_text("Amina")
            expect(fac.locator("#ws-cards")).to_contain_text("Participant 2")
            expect(fac.locator("#ws-cards")).to_contain_text("A bare corridor")
            assert fac.locator("#ws-charts svg").count() >= 3
            expect(fac.locator("#ws-prompts")).not_to_contain_text("Prompts appear")
            expect(fac.locator("#ws-prompts")).to_contain_text("Points to bring out")
            fac.locator("#ws-charts").scroll_into_view_if_needed()
            shot(fac, "4-dashboard")
            fac.reload()  # the facilitator's browser keeps the round: the dashboard comes back by itself
            fac.get_by_role("tab", name="Facilitator").click()
            expect(fac.locator(".ws-code")).to_have_text(code)
            expect(fac.locator("#ws-dash-status")).to_contain_text("2 submitted")

            store = ws.WorkshopStore(served["db"])
            rnd = store.round_by_code(code)
            people = store.participants(rnd.id)
            assert [(p.name, p.lang) for p in people] == [("Amina", "fr"), ("", "en")]
            marked = store.submission(people[0].token, first.id)
            found = ws.score_boxes(marked.marked_boxes(), first.hazards).found
            assert first.hazards[0].id in found  # the mouse-drawn box lands on the hazard in image pixels
            assert len(store.submission(people[1].token, first.id).boxes) == 2

            # deleting asks first; cancelling keeps everything, accepting forgets the round
            fac.once("dialog", lambda dialog: dialog.dismiss())
            fac.click("#ws-delete")
            fac.wait_for_timeout(1500)
            assert store.round_by_code(code).id == rnd.id
            fac.once("dialog", lambda dialog: dialog.accept())
            fac.click("#ws-delete")
            expect(fac.locator(".ws-code")).to_have_count(0)
            with pytest.raises(ws.WorkshopError):
                store.round_by_code(code)
            assert store.participants(rnd.id) == []
            browser.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert not outside, outside[:5]
