"""``photolab strip`` and ``photolab anonymise``: wiring of ``photolab.batch.run`` to the terminal.

Progress: a bar with count, rate and ETA on a terminal; plain ``input -> output`` lines when piped;
one JSON object per file with ``--progress json``. The report is written atomically, also when the run
is interrupted (then the exit code is 130 and a re-run continues where this one stopped).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from photolab.cli.output import interactive, problem, safe, say

PathsArg = Annotated[list[Path], typer.Argument(help="Image files or folders (recursed).")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite existing outputs; redo finished files.")]
ReportOpt = Annotated[Path | None, typer.Option("--report", help="Write a JSON report here.")]
JobsOpt = Annotated[
    int | None, typer.Option("--jobs", "-j", min=1, help="Worker processes (default: usable cores).")
]
ClusterOpt = Annotated[
    str | None,
    typer.Option("--cluster", help="Run on a Dask scheduler (tcp://HOST:8786) or local:N workers."),
]
ProgressOpt = Annotated[
    str, typer.Option("--progress", help="auto | bar | plain | json (one JSON line per file on stdout).")
]
PROGRESS_MODES = ("auto", "bar", "plain", "json")


def run_command(paths: list[Path], outdir: Path, options: Any, *, force: bool, report: Path | None,
                jobs: int | None, cluster: str | None, progress: str) -> int:
    """Run a batch with the chosen progress display; write the report; return the exit code."""
    from photolab import batch

    if progress not in PROGRESS_MODES:
        raise typer.BadParameter(f"choose one of {', '.join(PROGRESS_MODES)}", param_hint="--progress")
    mode = ("bar" if interactive() else "plain") if progress == "auto" else progress
    run = lambda show: batch.run(paths, outdir, options, force=force, jobs=jobs or 0,  # noqa: E731
                                 cluster=cluster, progress=show)
    summary = _with_bar(run) if mode == "bar" else run(_line_printer(mode))
    if report is not None:
        write_report(report, summary.entries)
    return _finish(summary, outdir)


def _line_printer(mode: str) -> Any:
    def show(event: Any) -> None:
        entry = event.entry
        if mode == "json":
            say(json.dumps(_progress_record(event), ensure_ascii=True))
        elif entry["status"] != "ok":
            problem(entry["input"], entry["error"])
        else:
            say(_done_line(entry))

    return show


def _progress_record(event: Any) -> dict[str, Any]:
    import time

    e = event.entry
    elapsed = max(1e-6, time.monotonic() - event.started)
    rate = event.done / elapsed
    return {"done": event.done, "total": event.total, "rate": round(rate, 3),
            "eta_s": round((event.total - event.done) / rate, 1) if rate else None,
            "input": e["input"], "output": e["output"], "status": e["status"], "error": e["error"],
            "resumed": bool(e.get("resumed")), "needs_review": bool(e.get("needs_review"))}


def _done_line(entry: dict[str, Any]) -> str:
    notes = f"  ({safe('; '.join(entry['notes']))})" if entry.get("notes") else ""
    resumed = "  (done in an earlier run)" if entry.get("resumed") else ""
    return f"{safe(entry['input'])} -> {safe(entry['output'])}{notes}{resumed}"


def _with_bar(run: Any) -> Any:
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True, highlight=False)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"),
               TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("photos", total=None, rate="")

        def tick(event: Any) -> None:
            import time

            rate = event.done / max(1e-6, time.monotonic() - event.started)
            bar.update(task, completed=event.done, total=event.total, rate=f"{rate:.2f}/s")
            if event.entry["status"] != "ok":
                bar.console.print(f"{safe(event.entry['input'])}: {safe(event.entry['error'])}",
                                  markup=False, style="red")

        summary = run(tick)
    for entry in summary.entries:
        if entry["status"] == "ok" and entry.get("notes"):
            say(_done_line(entry))
    return summary


def _finish(summary: Any, outdir: Path) -> int:
    parts = [f"{summary.written} file(s) written to {safe(outdir)}"]
    if summary.skipped:
        parts.append(f"{summary.skipped} already done in an earlier run (skipped)")
    if summary.not_images:
        parts.append(f"not images: {summary.not_images}")
    if summary.sidecars:
        parts.append(f"{summary.sidecars} XMP sidecar file(s) not copied (they can hold GPS and names)")
    review = sum(bool(e.get("needs_review")) for e in summary.entries)
    if review:
        parts.append(f"{review} need a human look (needs_review in the report)")
    say("photolab: " + "; ".join(parts), err=True)
    if summary.interrupted:
        say("photolab: interrupted; run the same command again to continue", err=True)
        return 130
    if not summary.entries:
        say("photolab: no image files found", err=True)
        return 1
    if summary.failed:
        say(f"photolab: {summary.failed} of {len(summary.entries)} file(s) failed", err=True)
        return 1
    return 0


def write_report(path: Path, entries: list[dict[str, Any]]) -> None:
    """The JSON report, atomically; undecodable file-name bytes stay as ``\\udcNN`` escapes."""
    from photolab.core.io import write_text

    write_text(path, json.dumps(entries, indent=2, ensure_ascii=False) + "\n")


def strip_command(
    paths: PathsArg,
    outdir: Annotated[Path, typer.Option("-o", "--outdir", "--output", help="Folder for the clean copies.")],
    force: ForceOpt = False,
    report: ReportOpt = None,
    jobs: JobsOpt = None,
    cluster: ClusterOpt = None,
    progress: ProgressOpt = "auto",
) -> None:
    """Write metadata-free, upright copies of every image into OUTDIR (names and folders kept)."""
    from photolab.core.job import STRIP

    raise typer.Exit(run_command(paths, outdir, STRIP, force=force, report=report, jobs=jobs,
                                 cluster=cluster, progress=progress))


def anonymise_command(
    paths: PathsArg,
    outdir: Annotated[
        Path, typer.Option("-o", "--output", "--outdir", help="Folder for the redacted copies.")
    ],
    report: ReportOpt = None,
    style: Annotated[str, typer.Option("--style", help="blur | pixelate | solid (text: solid).")] = "blur",
    detect: Annotated[str, typer.Option("--detect", help="faces,text,people or all.")] = "faces,text",
    padding: Annotated[float, typer.Option("--padding", help="Box growth, share of long side.")] = 0.2,
    jobs: JobsOpt = None,
    cluster: ClusterOpt = None,
    force: ForceOpt = False,
    progress: ProgressOpt = "auto",
) -> None:
    """Strip metadata, detect faces/text/people and redact them irreversibly; verify every output."""
    from photolab.core import policy
    from photolab.core.job import Options

    options = Options(detect=policy.parse_detect(detect), style=style, padding=padding)
    raise typer.Exit(run_command(paths, outdir, options, force=force, report=report, jobs=jobs,
                                 cluster=cluster, progress=progress))
