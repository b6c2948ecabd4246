"""Accessibility checks for browser tests: axe-core run inside the page under test.

axe-core comes from the npm package pinned in ``tests/axe/package.json`` (``npm install --prefix
tests/axe``) and is injected from that file: no CDN, nothing fetched at test time. Any Playwright page
works (review desk, workshop)::

    from a11y import axe_violations, describe
    found = axe_violations(page)                 # whole page
    found = axe_violations(page, "#ws-work")     # one part of it
    assert not found, describe(found)

The rules are axe's default set (WCAG 2.0/2.1/2.2 A and AA plus axe's best practices, such as
``page-has-heading-one``); experimental rules are left out.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest

AXE_JS = Path(__file__).resolve().parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"

_RUN = """async (context) => {
  const result = await window.axe.run(context || document, {resultTypes: ["violations"]});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, tags: v.tags,
    nodes: v.nodes.map(n => ({target: n.target, html: n.html.slice(0, 300), summary: n.failureSummary})),
  }));
}"""


@cache
def axe_source() -> str:
    """The axe-core script, or skip the calling test when the npm package is not installed."""
    if not AXE_JS.is_file():
        pytest.skip(f"axe-core not installed: run `npm install --prefix {AXE_JS.parents[2]}`")
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page: Any, context: str | dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """axe-core's violations on ``page`` (a Playwright page), optionally limited to a CSS selector or an
    axe context object. Each is ``{id, impact, help, helpUrl, tags, nodes: [{target, html, summary}]}``."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source())
    return list(page.evaluate(_RUN, context))


def describe(violations: list[dict[str, Any]], limit: int = 3) -> str:
    """A readable assertion message: rule, impact, help and the first few offending elements."""
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:limit]:
            lines.append(f"    {json.dumps(node['target'])}: {node['html'][:160]}")
            if node.get("summary"):
                lines.append("      " + node["summary"].replace("\n", " ")[:300])
    return "\n".join(lines)
