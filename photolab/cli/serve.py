"""``photolab serve``: the review desk (or the workshop) in the browser."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from photolab.cli.output import problem


def serve_command(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Images or folders to open in the review desk at start.")
    ] = None,
    host: Annotated[
        str, typer.Option(help="Address to listen on. Anything but 127.0.0.1 requires a login.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 7860,
    workshop: Annotated[bool, typer.Option("--workshop", help="Serve the workshop, not the desk.")] = False,
    db: Annotated[Path | None, typer.Option(help="SQLite file for review records.")] = None,
) -> None:
    """Start the review desk in the browser: local, sends nothing, deletes uploads once read."""
    from photolab.batch.paths import expand
    from photolab.server import serve

    preload: list[Path] = []
    if paths:
        found = expand(paths, None)
        for path, reason in found.failures:
            problem(path, reason)
        preload = [job.source for job in found.jobs]
    debug = bool(ctx.parent and ctx.parent.params.get("debug"))
    serve(host=host, port=port, workshop=workshop, db=db, preload=preload, debug=debug)
