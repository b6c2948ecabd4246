"""Private downloads: one browser's files go to that browser only, from memory; Gradio's file route is shut.

Two browsers are two cookie jars (httpx clients that loaded the page), each driving the app through
gradio_client with its cookie, as a browser's page does.
"""

# No ``from __future__ import annotations`` here: the handlers' ``gr.Request`` annotation must be a real
# class for Gradio to pass the request, and gradio is imported only after prepare_environment.
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from photolab.server import downloads

pytest.importorskip("gradio_client")


class Browser:
    """A cookie jar that loaded the page, and a gradio_client session carrying its cookie."""

    def __init__(self, url: str) -> None:
        from gradio_client import Client

        self.url = url
        self.http = httpx.Client(base_url=url, timeout=30)
        page = self.http.get("/")
        assert page.status_code == 200
        self.set_cookie = page.headers.get("set-cookie", "")
        cookie = "; ".join(f"{k}={v}" for k, v in self.http.cookies.items())
        self.app = Client(url, headers={"Cookie": cookie}, verbose=False, download_files=False)

    def close(self) -> None:
        self.app.close()
        self.http.close()


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, dict[str, Any]]]:
    from photolab import server

    temp_dir = server.prepare_environment(tmp_path_factory.mktemp("gradio-temp"))
    import gradio as gr

    payloads: dict[str, Any] = {}

    def build() -> Any:
        with gr.Blocks() as demo:
            name = gr.Textbox()
            link = gr.Textbox()

            def export(filename: str, request: gr.Request) -> str:
                return downloads.offer(downloads.browser_of(request) or "", filename, payloads["data"])

            def end(request: gr.Request) -> str:
                return str(downloads.forget(downloads.browser_of(request)))

            name.submit(export, name, link, api_name="export")
            link.submit(end, None, link, api_name="end")
        return demo

    desk = server.start(server.mount(build(), gradio_files=False))
    workshop = server.start(server.mount(build(), gradio_files=True))
    yield desk.url, temp_dir, {"payloads": payloads, "workshop": workshop.url}
    desk.stop()
    workshop.stop()


def test_two_browsers_each_get_only_their_own_download_from_memory(
    app_url: tuple[str, Path, dict[str, Any]],
    marked_upload: Any,
    find_copies: Any,
    scanned_roots: Any,
    tmp_path: Path,
) -> None:
    url, temp_dir, extra = app_url
    extra["payloads"]["data"] = marked_upload.data
    a, b = Browser(url), Browser(url)
    try:
        for browser in (a, b):
            assert "HttpOnly" in browser.set_cookie and "SameSite=Strict" in browser.set_cookie
            assert "Path=/" in browser.set_cookie
        url_a = a.app.predict("photolab-export.zip", api_name="/export")
        url_b = b.app.predict("photolab-export.zip", api_name="/export")
        assert url_a.startswith("/photolab/download/") and url_a != url_b
        mine = a.http.get(url_a)
        assert mine.status_code == 200 and mine.content == marked_upload.data
        assert mine.headers["content-disposition"].startswith("attachment;")
        assert mine.headers["cache-control"] == "no-store"
        assert b.http.get(url_a).status_code == 404, "another browser's cookie"
        assert httpx.get(url + url_a).status_code == 404, "no cookie"
        forged = downloads.cookie_name(int(url.rsplit(":", 1)[1])) + "=" + "x" * 24 + ".forged"
        assert httpx.get(url + url_a, headers={"Cookie": forged}).status_code == 404, "a forged cookie"
        assert a.http.get("/photolab/download/unknown-token").status_code == 404
        assert b.http.get(url_b).status_code == 200
        assert not find_copies(marked_upload, [temp_dir, *scanned_roots(tmp_path)]), "never on disk"
        assert a.app.predict(api_name="/end") == "1", "the session's end drops its offers"
        assert a.http.get(url_a).status_code == 404
        assert b.http.get(url_b).status_code == 200, "closing A leaves B's download alone"
        again = a.http.get("/")
        assert "set-cookie" not in again.headers, "a browser with a valid cookie keeps it"
    finally:
        a.close()
        b.close()


def test_an_expired_offer_is_gone_and_odd_names_are_made_safe(
    app_url: tuple[str, Path, dict[str, Any]],
) -> None:
    import time

    url = app_url[0]
    browser = Browser(url)
    try:
        owner = downloads.browser_in(dict(browser.http.cookies.items()))
        assert owner
        link = downloads.offer(owner, "../../etc/pa\nss\u202ewd.zip", b"zip bytes", ttl=0.3)
        answer = browser.http.get(link)
        assert answer.status_code == 200
        disposition = answer.headers["content-disposition"]
        assert "/" not in disposition.split("filename*=")[0] and "\n" not in disposition
        assert "\u202e" not in disposition and "%E2%80%AE" not in disposition
        time.sleep(0.4)
        assert browser.http.get(link).status_code == 404, "expired"
        shown = downloads.offer(owner, "preview.png", b"\x89PNG...", inline=True)
        assert browser.http.get(shown).headers["content-disposition"].startswith("inline;")
        page = downloads.offer(owner, "page.html", b"<script>", inline=True)
        assert browser.http.get(page).headers["content-disposition"].startswith("attachment;")
        assert downloads.offer("", "x.zip", b"z").startswith("/photolab/download/")
        nobody = downloads.offer("", "x.zip", b"z")
        assert browser.http.get(nobody).status_code == 404, "an offer made without a browser goes to none"
    finally:
        browser.close()


def test_gradio_file_route_is_refused_on_the_desk_and_served_in_the_workshop(
    app_url: tuple[str, Path, dict[str, Any]],
) -> None:
    url, _temp_dir, extra = app_url
    for base, expected in ((url, 404), (extra["workshop"], 200)):
        png = ("a.png", b"\x89PNG\r\n\x1a\n", "image/png")
        uploaded = httpx.post(f"{base}/gradio_api/upload", files={"files": png})
        assert uploaded.status_code == 200
        path = uploaded.json()[0]
        for route in (f"/gradio_api/file={path}", f"//gradio_api//file={path}", f"/gradio_api/file/{path}"):
            answer = httpx.get(base + route)
            if expected == 404:
                assert answer.status_code == 404, route
        assert httpx.get(f"{base}/gradio_api/file={path}").status_code == expected
        Path(path).unlink()
