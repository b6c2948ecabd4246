"""The web app: Gradio mounted in FastAPI behind photolab's middleware, and a quiet terminal.

Middleware, outermost first (each a small ASGI class):
- :class:`SecurityHeaders`: ``Cache-Control: no-store`` (the browser keeps no copy of any image),
  no referrer, no MIME sniffing, on every response;
- :class:`BrowserCookie`: a signed random browser cookie on page loads (see ``downloads``);
- :class:`RefuseGradioFiles` (desk only): Gradio's own file routes answer 404, so nothing the server
  holds can be fetched by path; the workshop still serves its scenario images through them;
- ``auth.LoginGuard`` (when a login is required): slows and locks out repeated failed logins.
Private downloads are served at ``/photolab/download/<token>`` from memory (``downloads.fetch``).
"""

from __future__ import annotations

import re
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.requests import Request, cookie_parser
from starlette.responses import PlainTextResponse, Response

from photolab.errors import PhotoLabError
from photolab.server import downloads
from photolab.server.auth import ASGIApp, LoginGuard, LoginThrottle, Message, Receive, Scope, Send
from photolab.server.auth import log as server_log

MAX_FILE_SIZE = "60mb"
_GRADIO_FILE_ROUTE = re.compile(r"/gradio_api/(?:file=|file/|proxy=)")
_SECURITY_HEADERS = [
    (b"cache-control", b"no-store"),
    (b"pragma", b"no-cache"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-content-type-options", b"nosniff"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def add_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name for name, _ in _SECURITY_HEADERS}
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() not in names]
                message["headers"] = kept + _SECURITY_HEADERS
            await send(message)

        await self.app(scope, receive, add_headers)


def _request_cookies(scope: Scope) -> dict[str, str]:
    raw = b"; ".join(v for k, v in scope.get("headers", []) if k.lower() == b"cookie")
    return cookie_parser(raw.decode("latin-1")) if raw else {}


class BrowserCookie:
    """On a page load (an HTML answer to GET) without a valid browser cookie, set one."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("method") not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        if downloads.browser_in(_request_cookies(scope)):
            await self.app(scope, receive, send)
            return
        server = scope.get("server")
        name = downloads.cookie_name(server[1] if server else None)
        secure = "; Secure" if scope.get("scheme") == "https" else ""

        async def set_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = dict(message.get("headers", []))
                if headers.get(b"content-type", b"").startswith(b"text/html"):
                    value = downloads.new_cookie_value()
                    cookie = f"{name}={value}; Path=/; HttpOnly; SameSite=Strict{secure}"
                    message["headers"] = [*message.get("headers", []), (b"set-cookie", cookie.encode())]
            await send(message)

        await self.app(scope, receive, set_cookie)


class RefuseGradioFiles:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = re.sub(r"/+", "/", scope.get("path", ""))
        if scope["type"] == "http" and _GRADIO_FILE_ROUTE.search(path):
            await PlainTextResponse("Not Found", status_code=404)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def _download(token: str, request: Request) -> Response:
    item = downloads.fetch(token, downloads.browser_of(request))
    if item is None:
        return PlainTextResponse("Not Found", status_code=404)
    return Response(
        item.data, media_type=item.media_type, headers={"Content-Disposition": item.content_disposition()}
    )


def _app(*, gradio_files: bool, auth_required: bool, throttle: LoginThrottle | None) -> Any:
    import fastapi

    app = fastapi.FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.add_api_route(downloads.ROUTE + "{token}", _download, methods=["GET"], include_in_schema=False)
    if auth_required:
        app.add_middleware(LoginGuard, throttle=throttle)
    if not gradio_files:
        app.add_middleware(RefuseGradioFiles)
    app.add_middleware(BrowserCookie)
    app.add_middleware(SecurityHeaders)  # added last: the outermost, so every answer carries the headers
    return app


def mount(
    blocks: Any,
    *,
    auth: list[tuple[str, str]] | None = None,
    path: str = "/",
    gradio_files: bool = True,
    throttle: LoginThrottle | None = None,
) -> Any:
    """FastAPI app with photolab's middleware and ``blocks`` mounted with every privacy flag.

    ``gradio_files=False`` (the desk) refuses Gradio's file routes; ``throttle`` overrides the login rules.
    """
    import gradio as gr

    from photolab.ui import i18n

    app = _app(gradio_files=gradio_files, auth_required=bool(auth), throttle=throttle)
    return gr.mount_gradio_app(
        app,
        blocks,
        path=path,
        auth=auth,
        auth_message=i18n.text("auth.message", "en"),
        footer_links=[],
        run_history=False,
        enable_monitoring=False,
        mcp_server=False,
        ssr_mode=False,
        show_error=False,
        max_file_size=MAX_FILE_SIZE,
        i18n=i18n.I18N.get(),
        css=i18n.load_css(),
        head=i18n.head_script(),
        theme=None,
    )


def build(
    *,
    db: Path | None = None,
    preload: list[Path] | None = None,
    workshop: bool = False,
) -> tuple[Any, Any]:
    """Build the Blocks to serve and its record store (import gradio only after prepare_environment)."""
    from photolab.detect import runtime
    from photolab.review.store import RecordStore

    runtime.keep_memory_small()  # the server lives for days: models, not their last photo's activations
    store = RecordStore(db)
    if workshop:
        from photolab.ui.workshop import build_workshop

        return build_workshop(db), store
    from photolab.ui.desk import build_desk

    return build_desk(store, preload or []), store


# --- in-process servers (tests, benchmarks) -------------------------------------------------------


@dataclass
class Running:
    """A server started in a background thread (tests, benchmarks)."""

    url: str
    server: Any
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def start(app: Any, host: str = "127.0.0.1", port: int | None = None) -> Running:
    """Run ``app`` with uvicorn in a daemon thread and wait until it answers."""
    import uvicorn

    port = port or free_port(host)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True, name="photolab-server")
    thread.start()
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and thread.is_alive():
        if server.started:
            return Running(url=url, server=server, thread=thread)
        time.sleep(0.05)
    raise RuntimeError("the review desk did not start within 60 s")


# --- a terminal that shows what matters -----------------------------------------------------------

# gradio.routes prints one line for every custom-component asset a page loads (hundreds per session).
_ASSET_LINE = re.compile(r"^id=.*, environment=(?:client|server), type=.*, file_name=")


def _one_line(text: str, limit: int = 240) -> str:
    flat = " ".join(str(text).split())
    flat = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in flat)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class _EventErrors:
    """Stands in for the ``traceback`` module inside Gradio's event runners (see :func:`quiet_gradio`)."""

    def __init__(self, debug: bool, log: Callable[[str], None]) -> None:
        self.debug = debug
        self.log = log

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)

    def print_exc(self, *args: Any, **kwargs: Any) -> None:
        import gradio as gr

        exc = sys.exc_info()[1]
        if isinstance(exc, gr.Error | PhotoLabError):
            self.log(f"refused: {_one_line(exc.message)}")
        elif self.debug or exc is None:
            traceback.print_exc(*args, **kwargs)
        else:
            name = type(exc).__name__
            self.log(f"internal error: {name}: {_one_line(exc)} (start with --debug for the traceback)")


def _not_a_shutdown_cancellation(record: Any) -> bool:
    """uvicorn logs each stream still open when a stop's grace period ends (a page left open) as an error
    with a CancelledError traceback; that is the stop working, not a fault."""
    import asyncio

    if record.exc_info and isinstance(record.exc_info[1], asyncio.CancelledError):
        return False
    return "timeout graceful shutdown exceeded" not in record.getMessage()


def log_to_terminal() -> None:
    """photolab's log lines (``photolab.*`` loggers: refusals, failed logins) as plain lines on stderr."""
    import logging

    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("photolab: %(message)s"))
    logger = logging.getLogger("photolab")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logging.getLogger("uvicorn.error").addFilter(_not_a_shutdown_cancellation)


def quiet_gradio(debug: bool = False, log: Callable[[str], None] | None = None) -> None:
    """One plain line per refused event (gr.Error, a bad file); a bug's traceback only with ``debug``.

    Gradio prints a traceback for every ``gr.Error`` raised with its default ``print_exception=True`` and a
    line per custom-component asset. Both go through module globals of gradio 6.31 (pinned), which this
    replaces: ``traceback`` in the modules that run events, ``print`` in ``gradio.routes``. A test
    (tests/server/test_terminal.py) fails if a Gradio upgrade changes that.
    """
    import builtins
    import importlib

    write = log or server_log.warning
    errors = _EventErrors(debug, write)
    for name in ("gradio.queueing", "gradio.routes", "gradio.utils"):
        importlib.import_module(name).traceback = errors  # type: ignore[attr-defined]

    def print_unless_asset_line(*args: Any, **kwargs: Any) -> None:
        if args and isinstance(args[0], str) and _ASSET_LINE.match(args[0]):
            return
        builtins.print(*args, **kwargs)

    importlib.import_module("gradio.routes").print = print_unless_asset_line  # type: ignore[attr-defined]
