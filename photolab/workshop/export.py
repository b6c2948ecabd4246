"""A round's results as files: CSV and JSON for machines, a one-page summary (Markdown and HTML) for the
follow-up. None of them holds a participant's browser key or a name they did not choose to show."""

from __future__ import annotations

import csv
import html
import io
import json
import os
import tempfile
import time
from dataclasses import asdict
from pathlib import Path
from typing import Any

from photolab.workshop.charts import CHART_CSS, scenario_charts_html
from photolab.workshop.results import MISSED_BY_MOST, RoundResult, ScenarioResult, discussion_prompts
from photolab.workshop.scoring import matching_rule, score_boxes
from photolab.workshop.store import WorkshopStore
from photolab.workshop.texts import decision_name, direction, load_questions, load_texts


def export_csv(store: WorkshopStore, result: RoundResult, lang: str = "en") -> str:
    rows = answer_rows(store, result, lang)
    out = io.StringIO()
    fields = list(rows[0].keys()) if rows else ["round", "scenario", "participant"]
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    writer.writerows({k: _csv_safe(v) for k, v in row.items()} for row in rows)
    return out.getvalue()


def _csv_safe(value: Any) -> Any:
    """A cell a spreadsheet would run as a formula gets a leading quote."""
    if isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")):
        return "'" + value
    return value


def answer_rows(store: WorkshopStore, result: RoundResult, lang: str) -> list[dict[str, Any]]:
    """One row per participant and scenario: hazards found and missed, extra marks, every answer."""
    anonymous = load_texts(lang)["ui"]["participant"]
    questions = load_questions(lang)
    people = {p.token: p for p in store.participants(result.round.id)}
    by_id = {sr.scenario.id: sr.scenario for sr in result.scenarios}
    rows = []
    for sub in store.submissions(result.round.id):
        scenario = by_id.get(sub.scenario_id)
        if scenario is None:
            continue
        sc = score_boxes(sub.marked_boxes(), scenario.hazards, scenario.size)
        person = people.get(sub.token)
        row: dict[str, Any] = {
            "round": result.round.code,
            "scenario": sub.scenario_id,
            "participant": person.label(anonymous) if person else anonymous,
            "language": person.lang if person else "",
            "hazards_found": ";".join(sc.found),
            "hazards_missed": ";".join(sc.missed),
            "must_redact_found": sc.must_found,
            "must_redact_total": sc.must_total,
            "extra_marks": len(sc.extra),
            "decision": sub.decision,
            "reason": sub.reason,
            "caption": sub.caption,
        }
        for q in questions:
            row[f"q_{q.id}"] = sub.answers.get(q.id, "")
        rows.append(row)
    return rows


def export_json(store: WorkshopStore, result: RoundResult, lang: str = "en") -> dict[str, Any]:
    """The whole round for machines: aggregates, prompts, every answer sheet (no tokens, no hidden names)."""
    rnd = result.round
    return {
        "round": {
            "code": rnd.code,
            "title": rnd.title,
            "created_at": rnd.created_at,
            "scenarios": list(rnd.scenario_ids),
            "participants": result.participants,
            "finished": result.finished,
            "takeaways": rnd.takeaways,
        },
        "matching_rule": matching_rule(),
        "scenarios": [_scenario_json(sr) for sr in result.scenarios],
        "prompts": [asdict(p) for p in discussion_prompts(result, lang)],
        "submissions": answer_rows(store, result, lang),
    }


def _scenario_json(sr: ScenarioResult) -> dict[str, Any]:
    return {
        "id": sr.scenario.id,
        "submitted": sr.submitted,
        "mean_recall": round(sr.mean_recall, 3),
        "extra_marks": sr.extra_marks,
        "hazards": [
            {**asdict(hr.hazard), "box": list(hr.hazard.box), "found_by": hr.found_by, "of": hr.of}
            for hr in sr.hazards
        ],
        "questions": [
            {"id": qr.question.id, "counts": qr.counts, "entropy": round(qr.entropy, 3)}
            for qr in sr.questions
        ],
        "decisions": sr.decisions,
    }


def summary_markdown(result: RoundResult, lang: str = "en") -> str:
    """One page for the follow-up: what the room found and missed, where it split, what we will change."""
    s = load_texts(lang)["summary"]
    rnd = result.round
    date = time.strftime("%Y-%m-%d", time.localtime(rnd.created_at))
    meta = s["meta"].format(date=date, participants=result.participants, scenarios=len(result.scenarios))
    lines = [f"# {s['title']}: {rnd.title or rnd.code}", "", meta, "", f"## {s['learned']}", ""]
    for sr in result.scenarios:
        lines += _learned(sr, lang)
    prompts = discussion_prompts(result, lang)
    if prompts:
        lines += [f"## {s['discussed']}", ""] + [f"- {p.text}" for p in prompts] + [""]
    lines += [f"## {s['change']}", ""]
    takeaways = [line.strip() for line in rnd.takeaways.splitlines() if line.strip()]
    lines += [f"- {line}" for line in takeaways] if takeaways else [s["change_empty"]]
    lines += ["", f"_{s['privacy']}_", ""]
    return "\n".join(lines)


def _learned(sr: ScenarioResult, lang: str) -> list[str]:
    s = load_texts(lang)["summary"]
    lines = [f"### {sr.scenario.text('title', lang)}", ""]
    if not sr.submitted:
        lines.append(s["not_played"])
    else:
        lines.append(s["spotted"].format(recall=round(100 * sr.mean_recall), n=sr.submitted))
    missed = [hr for hr in sr.hazards if hr.hazard.must_redact and hr.of and hr.share < MISSED_BY_MOST]
    if missed:
        items = ", ".join(f"{hr.hazard.label_in(lang)} ({hr.of - hr.found_by}/{hr.of})" for hr in missed)
        lines.append(s["missed"].format(items=items))
    spread = ", ".join(f"{decision_name(lang, d)} {n}" for d, n in sr.decisions.items() if n)
    if spread:
        lines.append(s["decisions"].format(spread=spread))
    lines += [f"- {point}" for point in sr.scenario.text("learning_points", lang)]
    return [*lines, ""]


def summary_html(result: RoundResult, lang: str = "en") -> str:
    """The same page as HTML with the charts, self-contained (no external resources)."""
    body = _markdown_to_html(summary_markdown(result, lang))
    charts = "".join(
        f"<section><h3>{html.escape(sr.scenario.text('title', lang))}</h3>"
        f"{scenario_charts_html(sr, lang)}</section>"
        for sr in result.scenarios
        if sr.submitted
    )
    title = html.escape(load_texts(lang)["summary"]["title"])
    return (
        f'<!doctype html><html lang="{lang}" dir="{direction(lang)}"><head><meta charset="utf-8">'
        f"<title>{title}</title>"
        "<style>body{font-family:sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;line-height:1.45}"
        f"{CHART_CSS}</style></head><body>{body}{charts}</body></html>"
    )


def _markdown_to_html(md: str) -> str:
    """Just enough Markdown for the summary: headings, bullets, paragraphs, one italic line."""
    out, in_list = [], False
    for line in md.splitlines():
        if line.startswith("- ") != in_list:
            out.append("<ul>" if not in_list else "</ul>")
            in_list = not in_list
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            out.append(f"<h{level}>{html.escape(line[level:].strip())}</h{level}>")
        elif line.startswith("- "):
            out.append(f"<li>{html.escape(line[2:])}</li>")
        elif line.startswith("_") and line.endswith("_"):
            out.append(f"<p><em>{html.escape(line.strip('_'))}</em></p>")
        elif line.strip():
            out.append(f"<p>{html.escape(line)}</p>")
    if in_list:
        out.append("</ul>")
    return "\n".join(out)


def write_exports(store: WorkshopStore, result: RoundResult, folder: Path, lang: str = "en") -> list[Path]:
    """The four files of a round, written atomically into ``folder`` (created private)."""
    stem = f"photolab-workshop-{result.round.code}"
    files = {
        f"{stem}.csv": export_csv(store, result, lang),
        f"{stem}.json": json.dumps(export_json(store, result, lang), ensure_ascii=False, indent=2),
        f"{stem}-summary.md": summary_markdown(result, lang),
        f"{stem}-summary.html": summary_html(result, lang),
    }
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    paths = []
    for name, text in files.items():
        path = folder / name
        fd, tmp = tempfile.mkstemp(prefix=".photolab-", suffix=".part", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.replace(tmp, path)
        paths.append(path)
    return paths
