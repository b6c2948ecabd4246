"""``photolab verify``: re-check outputs as an attacker would (exit 1 if anything is left)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from photolab.cli.output import problem, safe, say


def verify_command(
    files: Annotated[list[Path], typer.Argument(help="Output files to re-check.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="An anonymise report: its redacted boxes are not counted.")
    ] = None,
) -> None:
    """No metadata left and no face found outside the redacted areas (exit 1 if any)."""
    from photolab.batch import without_name
    from photolab.core.verify import redacted_boxes_from_report, verify_file
    from photolab.errors import PhotoLabError

    boxes = redacted_boxes_from_report(report) if report else {}
    verdicts = []
    for path in files:
        try:
            verdict = verify_file(path, boxes.get(path.name))
            verdicts.append({"file": str(path), "ok": verdict.ok, "problems": verdict.problems})
        except PhotoLabError as exc:
            verdicts.append({"file": str(path), "ok": False, "problems": [without_name(exc.message, path)]})
    if as_json:
        say(json.dumps(verdicts, indent=2, ensure_ascii=False).encode("utf-8", "backslashreplace").decode())
    else:
        for v in verdicts:
            if v["ok"]:
                say(f"{safe(v['file'])}: ok")
            for reason in v["problems"]:
                problem(v["file"], reason)
    raise typer.Exit(0 if verdicts and all(v["ok"] for v in verdicts) else 1)
