"""photolab command line. Wiring only: every command calls the library and prints what it returns.

One module per command; ``main`` maps errors to exit codes: 0 all files done; 1 some files failed (each
reported on stderr); 2 usage error; 130 interrupted (a re-run continues where it stopped).
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from photolab import __version__
from photolab.cli import models, records
from photolab.cli.batch import anonymise_command, strip_command
from photolab.cli.inspect import inspect_command
from photolab.cli.output import safe
from photolab.cli.serve import serve_command
from photolab.cli.verify import verify_command
from photolab.errors import PhotoLabError

app = typer.Typer(
    name="photolab",
    help="Review desk for sensitive photographs: strip metadata, redact faces and text, review, export.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
_debug = False


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
    global _debug
    _debug = debug


app.command("inspect")(inspect_command)
app.command("strip")(strip_command)
app.command("anonymise")(anonymise_command)
app.command("verify")(verify_command)
app.command("serve")(serve_command)
app.add_typer(models.app, name="models")
app.add_typer(records.app, name="records")


def main() -> None:
    """Console entry point: no traceback reaches the user unless --debug is given."""
    try:
        app(standalone_mode=True)
    except PhotoLabError as exc:
        typer.echo(f"photolab: {safe(exc.message)}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        typer.echo("photolab: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: say so plainly, show the traceback only when asked
        if _debug or "--debug" in sys.argv:
            raise
        typer.echo(f"photolab: internal error: {exc.__class__.__name__}: {safe(exc)} (run with --debug)",
                   err=True)
        sys.exit(1)
