"""``photolab inspect``: what each file gives away, most risky first (tables, or JSON with --json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from photolab.cli.output import problem, safe, say

_RISK_STYLE = {"high": "bold red", "medium": "yellow", "low": "dim"}


def inspect_command(
    files: Annotated[list[Path], typer.Argument(help="Image files (or XMP sidecars) to inspect.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")] = False,
) -> None:
    """List what each file gives away (location, device, people, time, ...), most risky first."""
    from photolab.batch import without_name
    from photolab.errors import PhotoLabError
    from photolab.metadata import inspect as inspect_file

    reports, failed = [], 0
    for path in files:
        try:
            findings = inspect_file(path)
        except PhotoLabError as exc:
            failed += 1
            problem(path, without_name(exc.message, path))
            continue
        reports.append({"file": str(path), "findings": [f.to_dict() for f in findings]})
        if not as_json:
            _print_findings(path, findings)
    if as_json:
        say(json.dumps(reports, indent=2, ensure_ascii=False).encode("utf-8", "backslashreplace").decode())
    raise typer.Exit(1 if failed else 0)


def _print_findings(path: Path, findings: list[Any]) -> None:
    """One block per group, most risky group first; each explanation shown once per group."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    console = Console(highlight=False)
    name = Text(safe(path), style="bold")
    if not findings:
        console.print(name, Text(": nothing found that identifies a person, place, device or time."))
        console.print()
        return
    counts = {r: sum(f.risk == r for f in findings) for r in ("high", "medium", "low")}
    summary = ", ".join(f"{n} {r}" for r, n in counts.items() if n)
    console.print(name, Text(f": {len(findings)} finding(s) ({summary})"))
    groups: dict[str, list[Any]] = {}
    for f in findings:  # already sorted by risk, so groups appear most risky first
        groups.setdefault(f.group, []).append(f)
    for group, items in groups.items():
        top = items[0].risk
        console.print(Text(f"  {top.upper():6} ", style=_RISK_STYLE[top]), Text(group, style="bold"))
        table = Table.grid(padding=(0, 2))
        table.add_column(width=4)
        table.add_column(style="cyan", max_width=40, overflow="fold")
        table.add_column(overflow="fold")
        for f in items:
            table.add_row("", Text(safe(f.name)), Text(safe(f.value)))
        console.print(table)
        for why in dict.fromkeys(f.explanation for f in items):
            console.print(Text(f"      {why}", style="dim"))
    console.print()
