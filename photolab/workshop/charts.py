"""Bar charts as plain HTML (text, not pictures): readable by screen readers, offline, and scalable to a
projector, where the chart text is at least 24 px (legible from about 6 m on a 1080p screen)."""

from __future__ import annotations

import html
from collections.abc import Sequence

from photolab.workshop.results import ScenarioResult
from photolab.workshop.texts import decision_name, load_texts

# Shared by the live pages and the exported summary. ``.ws-projector`` scales everything up.
CHART_CSS = """
.ws-charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(22rem, 1fr)); gap: 1.25rem; }
.ws-chart { margin: 0; }
.ws-chart figcaption { font-weight: 700; font-size: 1.05em; margin-bottom: .4em; }
.ws-bars { list-style: none !important; margin: 0 !important; padding: 0 !important; }
.ws-bars li { margin: 0 0 .55em 0 !important; list-style: none !important; }
.ws-bar-label { display: block; }
.ws-bar-row { display: flex; align-items: center; gap: .5em; }
.ws-bar-track { flex: 1; height: .9em; background: #e5e7eb; border: 1px solid #4b5563; border-radius: 2px; }
.ws-bar-fill { display: block; height: 100%; background: #1e40af; }
.ws-bar-value { min-width: 4.5em; font-variant-numeric: tabular-nums; }
.ws-projector .ws-charts { grid-template-columns: repeat(auto-fill, minmax(34rem, 1fr)); }
.ws-projector .ws-chart, .ws-projector .ws-chart figcaption, .ws-projector .ws-chart span {
  font-size: 28px; line-height: 1.3; }
"""


def bar_chart(rows: Sequence[tuple[str, float, str]], *, title: str, maximum: float | None = None) -> str:
    """Rows of (label, value, value text) as a captioned list of bars; long labels wrap, never cut."""
    top = maximum if maximum else max([v for _, v, _ in rows] + [1])
    items = []
    for label, value, value_text in rows:
        share = 0.0 if top <= 0 else 100 * min(value, top) / top
        items.append(
            f'<li><span class="ws-bar-label">{html.escape(label)}</span><span class="ws-bar-row">'
            '<span class="ws-bar-track" aria-hidden="true">'
            f'<span class="ws-bar-fill" style="width:{share:.1f}%">'
            f'</span></span><span class="ws-bar-value">{html.escape(value_text)}</span></span></li>'
        )
    return (
        f'<figure class="ws-chart"><figcaption>{html.escape(title)}</figcaption>'
        f'<ul class="ws-bars">{"".join(items)}</ul></figure>'
    )


def scenario_charts_html(sr: ScenarioResult, lang: str = "en", *, hazards: bool = True) -> str:
    """The charts of one scenario: hazards spotted (the answer key, unless ``hazards=False``), decisions,
    and the spread of each answer."""
    ui = load_texts(lang)["ui"]
    n = sr.submitted
    parts = []
    if hazards:
        rows = [
            (
                hr.hazard.label_in(lang) + ("" if hr.hazard.must_redact else " *"),
                hr.share,
                f"{hr.found_by}/{n}",
            )
            for hr in sr.hazards
        ]
        parts.append(bar_chart(rows, title=ui["chart_hazards"], maximum=1.0))
    decision_rows = [(decision_name(lang, d), c, f"{c}/{n}") for d, c in sr.decisions.items()]
    parts.append(bar_chart(decision_rows, title=ui["chart_decisions"], maximum=max(n, 1)))
    for qr in sr.questions:
        rows = [(label, qr.counts[value], f"{qr.counts[value]}/{n}") for value, label in qr.question.options]
        parts.append(bar_chart(rows, title=qr.question.text, maximum=max(n, 1)))
    return f'<div class="ws-charts">{"".join(parts)}</div>'
