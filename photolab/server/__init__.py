"""Serve the review desk: a local web server that keeps nothing and sends nothing.

Privacy rules applied here (see issue 4 and ../shared/notes/gradio.md):
- analytics off by environment variable *before* gradio is imported, and by the Blocks flag (app.py);
- a dedicated upload/cache folder (mode 0700, in RAM when /dev/shm is usable), emptied at start,
  after each export (app.py calls :func:`wipe_temp_dir`) and at exit; folders left by dead runs are removed;
- every response carries ``Cache-Control: no-store`` so the browser keeps no copy of any image;
- no run history, no footer links, no monitoring, no MCP, no SSR, no share link, neutral error toasts;
- 127.0.0.1 by default; any other address requires a login.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from photolab.errors import UsageError

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
MAX_FILE_SIZE = "60mb"
_RUN_PREFIX = "run-"


def _default_temp_root() -> Path:
    """RAM-backed when possible, so uploads never reach a disk; the user's temp dir otherwise."""
    override = os.environ.get("PHOTOLAB_TEMP_ROOT")
    if override:
        return Path(override)
    shm = Path("/dev/shm")
    with contextlib.suppress(OSError):
        if shm.is_dir() and os.access(shm, os.W_OK) and shutil.disk_usage(shm).free > 1 << 30:
            return shm / f"photolab-{os.getuid()}"
    return Path(tempfile.gettempdir()) / f"photolab-{os.getuid()}"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_dead_runs(root: Path) -> None:
    """Delete folders of earlier runs whose process is gone (crash, SIGKILL)."""
    for child in root.glob(f"{_RUN_PREFIX}*"):
        try:
            pid = int(child.name.removeprefix(_RUN_PREFIX))
        except ValueError:
            continue
        if pid != os.getpid() and not _pid_alive(pid):
            shutil.rmtree(child, ignore_errors=True)


def wipe_temp_dir(path: Path | str | None = None, keep: Iterable[Path] = ()) -> int:
    """Delete everything inside the upload/cache folder (not the folder itself); return files removed."""
    folder = Path(path or os.environ.get("GRADIO_TEMP_DIR", ""))
    if not folder.name or not folder.is_dir():
        return 0
    kept = {Path(p).resolve() for p in keep}
    removed = 0
    for child in list(folder.iterdir()):
        resolved = child.resolve()
        if resolved in kept or any(k.is_relative_to(resolved) for k in kept):
            continue
        if child.is_dir() and not child.is_symlink():
            removed += sum(1 for f in child.rglob("*") if f.is_file())
            shutil.rmtree(child, ignore_errors=True)
        else:
            removed += 1
            with contextlib.suppress(FileNotFoundError):
                child.unlink()
    return removed


def prepare_environment(temp_dir: Path | None = None) -> Path:
    """Set the privacy environment and create an empty private temp folder. Call before importing gradio."""
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
    os.environ["GRADIO_RUN_HISTORY"] = "False"
    os.environ["GRADIO_SSR_MODE"] = "False"
    os.environ["GRADIO_MCP_SERVER"] = "False"
    if temp_dir is None:
        root = _default_temp_root()
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(root, 0o700)
        _remove_dead_runs(root)
        temp_dir = root / f"{_RUN_PREFIX}{os.getpid()}"
    temp_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.chmod(temp_dir, 0o700)
    wipe_temp_dir(temp_dir)
    os.environ["GRADIO_TEMP_DIR"] = str(temp_dir)
    if "gradio" in sys.modules:
        _point_loaded_gradio_at(temp_dir)
    return temp_dir


def _point_loaded_gradio_at(temp_dir: Path) -> None:
    """gradio reads GRADIO_TEMP_DIR once at import in two modules; keep them in line when already loaded."""
    for name in ("gradio.route_utils", "gradio.routes"):
        module = sys.modules.get(name)
        if module is not None and hasattr(module, "DEFAULT_TEMP_DIR"):
            module.DEFAULT_TEMP_DIR = str(temp_dir)


# --- login ---------------------------------------------------------------------------------------


def parse_users(spec: str) -> list[tuple[str, str]]:
    """``"alice:pw1,bob:pw2"`` -> [("alice", "pw1"), ("bob", "pw2")]."""
    users: list[tuple[str, str]] = []
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        name, sep, password = item.partition(":")
        if not sep or not name or not password:
            raise UsageError("PHOTOLAB_USERS must look like 'name:password,name2:password2'")
        users.append((name, password))
    return users


def login_for(host: str, env: dict[str, str] | None = None) -> tuple[list[tuple[str, str]] | None, bool]:
    """Credentials required for ``host``: None on loopback; from PHOTOLAB_USERS or generated otherwise.

    Returns (users, generated).
    """
    env = os.environ if env is None else env
    spec = env.get("PHOTOLAB_USERS", "")
    if spec:
        return parse_users(spec), False
    if host in LOCAL_HOSTS:
        return None, False
    return [("reviewer", secrets.token_urlsafe(12))], True


# --- the web app ---------------------------------------------------------------------------------


def _no_store_app() -> Any:
    import fastapi

    app = fastapi.FastAPI(docs_url=None, redoc_url=None, openapi_url=None)

    @app.middleware("http")
    async def no_store(request: Any, call_next: Callable[[Any], Any]) -> Any:
        response = await call_next(request)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Pragma"] = "no-cache"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    return app


def mount(blocks: Any, *, auth: list[tuple[str, str]] | None = None, path: str = "/") -> Any:
    """FastAPI app with the no-store middleware and ``blocks`` mounted with every privacy flag."""
    import gradio as gr

    from photolab.ui import i18n

    app = _no_store_app()
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
    import socket

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
    url = f"http://{host}:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and thread.is_alive():
        if server.started:
            return Running(url=url, server=server, thread=thread)
        time.sleep(0.05)
    raise RuntimeError("the review desk did not start within 60 s")


def build(
    *,
    db: Path | None = None,
    preload: list[Path] | None = None,
    workshop: bool = False,
) -> tuple[Any, Any]:
    """Build the Blocks to serve and its record store (import gradio only after prepare_environment)."""
    from photolab.review.store import RecordStore
    from photolab.ui.app import build_app

    store = RecordStore(db)
    if workshop:
        from photolab.ui.workshop import build_workshop  # H7's hook: build_workshop(db_path) -> gr.Blocks

        return build_workshop(db), store
    return build_app(store=store, preload=preload or []), store


def serve(
    host: str = "127.0.0.1",
    port: int = 7860,
    *,
    workshop: bool = False,
    db: Path | None = None,
    preload: list[Path] | None = None,
    echo: Callable[[str], None] = print,
) -> None:
    """Blocking entry point for ``photolab serve``."""
    temp_dir = prepare_environment()
    atexit.register(wipe_temp_dir, temp_dir)
    atexit.register(shutil.rmtree, temp_dir, True)
    users, generated = login_for(host)
    blocks, _store = build(db=db, preload=preload, workshop=workshop)
    app = mount(blocks, auth=users)

    import uvicorn

    shown = "127.0.0.1" if host in LOCAL_HOSTS else host
    what = "workshop" if workshop else "review desk"
    echo(f"photolab {what}: http://{shown}:{port}/  (stop with Ctrl+C)")
    echo("Nothing is sent to the internet; uploads are kept in memory and deleted after reading.")
    if users:
        echo(f"Login required (listening on {host}, reachable from other machines; plain HTTP).")
        if generated:
            name, password = users[0]
            echo(f"  user: {name}   password: {password}   (set PHOTOLAB_USERS='name:pass,...' to choose)")
    for sig in (signal.SIGTERM, signal.SIGHUP):
        with contextlib.suppress(ValueError, OSError):
            signal.signal(sig, lambda *_: sys.exit(0))
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        wipe_temp_dir(temp_dir)
        shutil.rmtree(temp_dir, ignore_errors=True)
