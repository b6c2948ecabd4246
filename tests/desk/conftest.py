"""A real review desk (the server as ``photolab serve`` mounts it) and Debian's chromium driven by Playwright.

Every page a test opens records each request it makes; a request to anything but 127.0.0.1 fails the test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from photolab import server

CHROMIUM = Path("/usr/bin/chromium")
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class RunningDesk:
    url: str
    store: Any
    temp_dir: Path


@dataclass
class Pages:
    """Opens browser sessions (each its own cookie jar, like another reviewer's browser)."""

    browser: Any
    url: str
    outside: list[str] = field(default_factory=list)
    contexts: list[Any] = field(default_factory=list)

    def open(self, locale: str = "en-GB", width: int = 1400, height: int = 1000) -> Any:
        context = self.browser.new_context(
            viewport={"width": width, "height": height},
            locale=locale,
            accept_downloads=True,
            extra_http_headers={"Accept-Language": locale},
        )
        context.on("request", self._record)
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(60_000)  # a shared 2-core machine running the detectors can be slow
        page.goto(self.url)
        page.locator("#upload").wait_for(timeout=60_000)
        return page

    def _record(self, request: Any) -> None:
        host = urlsplit(request.url).hostname
        if request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            return
        self.outside.append(request.url)


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningDesk]:
    temp_dir = server.prepare_environment()
    blocks, store = server.build(db=tmp_path_factory.mktemp("db") / "records.sqlite3")
    running = server.start(server.mount(blocks, gradio_files=False))
    yield RunningDesk(running.url, store, temp_dir)
    running.stop()
    blocks.close()
    server.wipe_temp_dir(temp_dir)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def pages(chromium: Any, desk: RunningDesk) -> Iterator[Pages]:
    opened = Pages(chromium, desk.url)
    yield opened
    for context in opened.contexts:
        context.close()
    assert opened.outside == [], f"the page reached beyond this computer: {opened.outside[:5]}"
