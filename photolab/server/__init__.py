"""Serve the review desk (or the workshop): a local web server that keeps nothing and sends nothing.

- ``temp``: private run folders (0700, in RAM when /dev/shm is usable, a private tmpfs when the kernel
  allows), emptied at start, on every stop and after a crash; folders of dead runs removed at each start.
- ``supervisor``: ``photolab serve`` is a light parent and a server child; whatever kills the child, the
  parent removes its files; if the parent dies, the kernel tells the child, which removes them itself.
- ``auth``: a login off loopback, strong passwords only, failed logins slowed and locked out.
- ``web``: Gradio in FastAPI behind the middleware (no-store, browser cookie, Gradio's file routes refused
  on the desk, login guard), private downloads, a terminal with one plain line per refusal.
- ``downloads``: bytes offered to one browser only, from memory.

Importing this package loads only the standard library (the supervisor stays light); the web names
(``mount``, ``start``, ``build``, ...) load gradio's stack on first use.
"""

from __future__ import annotations

from importlib import import_module
from pathlib import Path
from typing import Any

from photolab.server.auth import LOCAL_HOSTS, login_for, parse_users
from photolab.server.temp import prepare_environment, wipe_temp_dir

_WEB = ("mount", "start", "build", "Running", "free_port", "quiet_gradio", "MAX_FILE_SIZE")
__all__ = [
    "LOCAL_HOSTS",
    "login_for",
    "parse_users",
    "prepare_environment",
    "serve",
    "wipe_temp_dir",
    *_WEB,
]


def __getattr__(name: str) -> Any:
    if name in _WEB:
        return getattr(import_module("photolab.server.web"), name)
    raise AttributeError(f"module 'photolab.server' has no attribute {name!r}")


def serve(
    host: str = "127.0.0.1",
    port: int = 7860,
    *,
    workshop: bool = False,
    db: Path | None = None,
    preload: list[Path] | None = None,
    echo: Any = print,
    debug: bool = False,
) -> None:
    """Blocking entry point for ``photolab serve``: supervisor and server child (see ``supervisor``).

    Weak passwords in PHOTOLAB_USERS raise UsageError before anything starts. The child prints the banner
    itself (``echo`` is kept for callers of the former signature). Exits with the child's status when
    it is not 0. ``debug`` shows the traceback of an unexpected error in an event.
    """
    from photolab.server.supervisor import ServeConfig, supervise

    del echo
    users, generated = login_for(host)
    config = ServeConfig(
        host=host,
        port=port,
        workshop=workshop,
        db=str(db) if db else None,
        preload=[str(p) for p in preload or []],
        debug=debug,
        users=users,
        generated=generated,
    )
    status = supervise(config)
    if status:
        raise SystemExit(status)
