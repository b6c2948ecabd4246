"""Private downloads: files handed to one browser only, from memory, never written to disk.

Every page load gives the browser a random cookie (``photolab-browser-<port>``, HttpOnly,
SameSite=Strict, signed with a key that lives only in this process; see ``web.BrowserCookie``). A handler
reads it with :func:`browser_of` and offers bytes to that browser::

    url = downloads.offer(downloads.browser_of(request), "photolab-export.zip", data)
    # -> "/photolab/download/<token>": served only to a request carrying the same cookie;
    #    anything else (no cookie, another browser's cookie, an unknown or expired token) gets 404.
    downloads.forget(browser)   # when the session ends: every offer to that browser is dropped

Offers expire after ``ttl`` seconds (30 minutes by default); each browser holds at most
``MAX_BYTES_PER_BROWSER`` (older offers are dropped first). Images may be offered ``inline`` (shown in
the page); anything else is always sent as an attachment.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import mimetypes
import secrets
import threading
import time
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

COOKIE_PREFIX = "photolab-browser"
ROUTE = "/photolab/download/"
DEFAULT_TTL = 1800.0
MAX_BYTES_PER_BROWSER = 1 << 30

_KEY = secrets.token_bytes(32)  # signs browser cookies; a restart makes every old cookie invalid
_lock = threading.Lock()


@dataclass(frozen=True)
class Offer:
    browser: str
    filename: str
    data: bytes
    media_type: str
    inline: bool
    expires: float
    created: float

    def content_disposition(self) -> str:
        ascii_name = self.filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
        kind = "inline" if self.inline else "attachment"
        return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(self.filename, safe='')}"


_offers: dict[str, Offer] = {}


def cookie_name(port: int | None) -> str:
    """Cookies are shared by every port of a host, so each server's name carries its port."""
    return f"{COOKIE_PREFIX}-{port}" if port else COOKIE_PREFIX


def _sign(browser: str) -> str:
    mac = hmac.new(_KEY, browser.encode(), hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(mac).decode()


def new_cookie_value() -> str:
    browser = secrets.token_urlsafe(18)
    return f"{browser}.{_sign(browser)}"


def browser_from_cookie(value: str | None) -> str | None:
    """The browser id in a cookie value this process issued; None for anything else."""
    if not value or value.count(".") != 1:
        return None
    browser, mac = value.split(".")
    return browser if browser and hmac.compare_digest(mac, _sign(browser)) else None


def browser_in(cookies: Mapping[str, str]) -> str | None:
    """The browser id from the first photolab cookie (any port) that this process signed."""
    for name, value in cookies.items():
        if name.startswith(COOKIE_PREFIX):
            browser = browser_from_cookie(value)
            if browser:
                return browser
    return None


def _cookies_of(request: Any) -> dict[str, str]:
    inner = getattr(request, "request", None)  # gr.Request wraps the Starlette request
    if inner is not None and inner is not request:
        return _cookies_of(inner)
    kwargs = getattr(request, "kwargs", None)  # a gr.Request rebuilt from plain values
    if isinstance(kwargs, dict) and isinstance(kwargs.get("cookies"), Mapping):
        return dict(kwargs["cookies"])
    cookies = getattr(request, "cookies", None)
    return dict(cookies) if isinstance(cookies, Mapping) else {}


def browser_of(request: Any) -> str | None:
    """The browser behind a ``gr.Request`` or a Starlette request, or None (no valid cookie)."""
    return None if request is None else browser_in(_cookies_of(request))


def _clean_filename(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip(" .")
    return name[:150] or "download"


def _purge(now: float) -> None:
    for token in [t for t, o in _offers.items() if o.expires <= now]:
        del _offers[token]


def _make_room(browser: str, size: int) -> None:
    mine = sorted((o.created, t) for t, o in _offers.items() if o.browser == browser)
    held = sum(len(_offers[t].data) for _, t in mine)
    for _, token in mine:
        if held + size <= MAX_BYTES_PER_BROWSER:
            break
        held -= len(_offers.pop(token).data)


def offer(browser: str, filename: str, data: bytes, *, ttl: float = DEFAULT_TTL, inline: bool = False) -> str:
    """Keep ``data`` in memory for ``browser``; return the URL path it is served at (to that browser only).

    An empty ``browser`` (the request carried no valid cookie: an API client, cookies blocked) gives a
    URL that is never served.
    """
    if len(data) > MAX_BYTES_PER_BROWSER:
        raise ValueError("download larger than the per-browser limit")
    name = _clean_filename(filename)
    media_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    now = time.monotonic()
    item = Offer(
        browser=browser,
        filename=name,
        data=bytes(data),
        media_type=media_type,
        inline=inline and media_type.startswith("image/") and media_type != "image/svg+xml",
        expires=now + ttl,
        created=now,
    )
    token = secrets.token_urlsafe(32)
    with _lock:
        _purge(now)
        _make_room(browser, len(item.data))
        _offers[token] = item
    return ROUTE + token


def fetch(token: str, browser: str | None) -> Offer | None:
    """The offer behind ``token`` if it is for ``browser`` and has not expired, else None."""
    with _lock:
        _purge(time.monotonic())
        item = _offers.get(token)
    if item is None or not browser or not item.browser or not hmac.compare_digest(item.browser, browser):
        return None
    return item


def withdraw(url: str) -> bool:
    """Drop one offer (by the URL :func:`offer` returned); True if it was there."""
    token = url.rsplit("/", 1)[-1]
    with _lock:
        return _offers.pop(token, None) is not None


def forget(browser: str | None) -> int:
    """Drop every offer to ``browser`` (the desk calls it when a session ends); return how many."""
    if not browser:
        return 0
    with _lock:
        tokens = [t for t, o in _offers.items() if o.browser == browser]
        for token in tokens:
            del _offers[token]
    return len(tokens)
