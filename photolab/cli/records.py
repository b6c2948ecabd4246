"""``photolab records list|show|export``: the review records kept in the local database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from photolab.cli.output import safe, say

app = typer.Typer(help="Review records kept in the local database: list, show, export.",
                  no_args_is_help=True)

_DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database file (default: $PHOTOLAB_DB, else the user data folder)."),
]


def _record_store(db: str | None):  # -> RecordStore (imported lazily: keeps `photolab --help` fast)
    from photolab.review.store import RecordStore

    return RecordStore(Path(db).expanduser() if db else None)


def _choose(value: str | None, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(allowed)}", param_hint="--format")


@app.command("list")
def records_list(
    db: _DbOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many, newest first.")] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip this many of the newest.")] = 0,
) -> None:
    """List review records, newest first: id, time, decision, reviewer, input name."""
    for s in _record_store(db).list(limit=limit, offset=offset):
        name = s.input_name if s.input_name is not None else "(withheld)"
        say(f"{s.record_id}  {s.created_at}  {s.decision:8}  {safe(s.reviewer)}  {safe(name)}")


@app.command("show")
def records_show(
    record_id: Annotated[str, typer.Argument(help="Record id (see `photolab records list`).")],
    db: _DbOption = None,
    fmt: Annotated[str, typer.Option("--format", help="md, json or html.")] = "md",
) -> None:
    """Print one review record."""
    _choose(fmt, ("md", "json", "html"))
    record = _record_store(db).get(record_id)
    if record is None:
        say(f"photolab: no review record with id {record_id}", err=True)
        raise typer.Exit(1)
    typer.echo({"md": record.to_markdown, "json": record.to_json, "html": record.to_html}[fmt](), nl=False)


@app.command("export")
def records_export(
    db: _DbOption = None,
    fmt: Annotated[str | None, typer.Option("--format", help="json or csv (default: by -o suffix).")] = None,
    output: Annotated[str | None, typer.Option("-o", "--output", help="Write here, not stdout.")] = None,
) -> None:
    """Export every review record as JSON (complete) or CSV (one row per record, one column per answer)."""
    _choose(fmt, ("json", "csv"))
    out = Path(output).expanduser() if output else None
    chosen = fmt or ("csv" if out is not None and out.suffix.lower() == ".csv" else "json")
    store = _record_store(db)
    text = store.export_csv(out) if chosen == "csv" else store.export_json(out)
    if out is None:
        typer.echo(text, nl=False)
    else:
        say(f"{store.count()} records written to {out}", err=True)
