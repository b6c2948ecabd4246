"""Pure view functions of the facilitator's page and the projector: results in, HTML or Markdown out."""

from __future__ import annotations

from collections.abc import Sequence

from photolab import workshop as ws
from photolab.ui.workshop.common import esc


def status_line(result: ws.RoundResult, chosen: ws.ScenarioResult | None, lang: str) -> str:
    ui = lambda key, **v: ws.ui_text(lang, key, **v)  # noqa: E731
    status = ui("status", participants=result.participants, finished=result.finished)
    if not result.round.open:
        status += f" · **{ui('round_closed')}**"
    if chosen is not None:
        status += " · " + ui("submitted_n", n=chosen.submitted, p=chosen.in_progress)
    return status


def prompts_markdown(result: ws.RoundResult, chosen: ws.ScenarioResult, lang: str) -> str:
    if chosen.submitted < 2:
        return ws.ui_text(lang, "no_prompts")
    prompts = [p for p in ws.discussion_prompts(result, lang) if p.scenario_id == chosen.scenario.id]
    return "\n".join(f"- {p.text}" for p in prompts)


def facilitator_notes(sc: ws.Scenario, lang: str) -> str:
    """The scenario's learning points and suggested starting point, for the facilitator only."""
    points = "\n".join(f"- {p}" for p in sc.text("learning_points", lang))
    notes = f"\n\n**{ws.ui_text(lang, 'learning_points')}**\n\n{points}" if points else ""
    if sc.suggested_decision in ws.DECISIONS:
        decision = ws.decision_name(lang, sc.suggested_decision)
        notes += "\n\n" + ws.ui_text(lang, "suggested", decision=decision)
    return notes


def cards_html(entries: Sequence[ws.Entry], lang: str) -> str:
    """Captions side by side, each with its decision, reason and how much of the key it found."""
    spotted = lambda e: esc(ws.ui_text(lang, "spotted", found=e.found, total=e.must_total))  # noqa: E731
    cards = "".join(
        f'<li class="ws-card"><p class="ws-decision">{esc(ws.decision_name(lang, e.decision))}</p>'
        f"<p>{esc(e.caption) or '—'}</p><p><em>{esc(e.reason)}</em></p>"
        f"<p><small>{esc(e.participant)} · {spotted(e)}"
        "</small></p></li>"
        for e in entries
    )
    return f'<ul class="ws-cards" role="list">{cards}</ul>' if cards else ""


def progress_html(result: ws.RoundResult, lang: str) -> str:
    """How far the room is, per scenario: for the projector (no answer key in it)."""
    ui = lambda key, **v: ws.ui_text(lang, key, **v)  # noqa: E731
    rows = "".join(
        f"<li>{esc(sr.scenario.text('title', lang))}: "
        f"{esc(ui('submitted_n', n=sr.submitted, p=sr.in_progress))}</li>"
        for sr in result.scenarios
    )
    status = ui("status", participants=result.participants, finished=result.finished)
    closed = f"<p><strong>{esc(ui('round_closed'))}</strong></p>" if not result.round.open else ""
    return f'<p class="ws-progress">{esc(status)}</p>{closed}<ul>{rows}</ul>'


def projected_results_html(result: ws.RoundResult, lang: str) -> str:
    """The shown scenario's charts and prompts, once the facilitator has revealed them."""
    chosen = result.scenario(result.round.shown_scenario)
    if chosen is None:
        return ""
    title = f"<h2>{esc(ws.ui_text(lang, 'results_of', title=chosen.scenario.text('title', lang)))}</h2>"
    if not chosen.submitted:
        return title + f"<p>{esc(ws.ui_text(lang, 'not_played'))}</p>"
    prompts = [p for p in ws.discussion_prompts(result, lang) if p.scenario_id == chosen.scenario.id]
    listing = "".join(f"<li>{esc(p.text)}</li>" for p in prompts) if chosen.submitted >= 2 else ""
    prompt_block = (
        f'<h3>{esc(ws.ui_text(lang, "prompts"))}</h3><ul class="ws-prompts">{listing}</ul>' if listing else ""
    )
    return title + ws.scenario_charts_html(chosen, lang) + prompt_block
