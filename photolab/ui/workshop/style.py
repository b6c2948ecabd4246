"""The workshop pages' style (one ``<style>`` block per page, so the review desk's CSS stays its own).

Contrast (WCAG 1.4.3, 4.5:1 for text): gradio's default orange primary button (white on #f97316 is 2.8:1),
red stop button and pale help text are darkened. Right to left: the page mirrors, but the scenario image,
its box editor and every coordinate stay left to right, so boxes land where they are drawn.
"""

from __future__ import annotations

from photolab.workshop.charts import CHART_CSS

WORKSHOP_CSS = (
    """
.gradio-container {
  --button-primary-background-fill: #c2410c; --button-primary-background-fill-hover: #9a3412;
  --button-primary-text-color: #ffffff; --button-primary-text-color-hover: #ffffff;
  --button-cancel-background-fill: #b91c1c; --button-cancel-background-fill-hover: #991b1b;
  --button-cancel-text-color: #ffffff; --button-cancel-text-color-hover: #ffffff;
  --block-info-text-color: #4b5563; --body-text-color-subdued: #4b5563;
}
.gradio-container :focus-visible { outline: 3px solid #1a56db !important; outline-offset: 2px !important; }
.ws-step-heading:focus { outline: 3px solid #1a56db; outline-offset: 4px; }
#ws-annotator button[aria-label^=Rotate], #ws-annotator button[title^=Rotate] { display: none !important; }
#ws-annotator, #ws-click-image, .ws-join-url, .ws-code, .ws-qr { direction: ltr !important; }
/* gradio writes dir="ltr" on every block; in a right-to-left page the blocks follow the page */
[dir="rtl"] .gradio-container, [dir="rtl"] .gradio-container .block { direction: rtl; text-align: right; }
.ws-code { font-size: 3rem; font-weight: 700; letter-spacing: .3rem; font-family: monospace; margin: .2em 0; }
.ws-warning { border-inline-start: 6px solid #b45309; background: #fff7ed; color: #1f2937;
  padding: .5em 1em; }
.ws-cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(16rem, 1fr)); gap: .75rem; }
.ws-cards { list-style: none !important; padding: 0 !important; }
.ws-card { border: 1px solid #6b7280; border-radius: .5rem; padding: .6rem .8rem; list-style: none; }
.ws-card > p { display: block; margin: .25em 0 !important; }
.ws-card .ws-decision { font-weight: 700; }
.ws-box-list { margin: .2em 0 .6em 0; }
.gradio-container > .nav-holder { display: none !important; }  /* pages are reached by links */
#ws-projector, #ws-projector p, #ws-projector li, #ws-projector span { font-size: 28px; line-height: 1.35; }
#ws-projector h1 { font-size: 48px; }
#ws-projector h2 { font-size: 36px; }
#ws-projector h3 { font-size: 32px; }
#ws-projector .ws-code { font-size: 120px; letter-spacing: 1.5rem; }
#ws-projector .ws-join-url code { font-size: 32px; }
.ws-projector-top { display: flex; flex-wrap: wrap; gap: 2rem; align-items: center; }
.ws-qr svg { width: 360px !important; height: 360px !important; max-width: none !important; }
.ws-prompts li { margin-bottom: .4em; }
"""
    + CHART_CSS
)


def style_block() -> str:
    return f"<style>{WORKSHOP_CSS}</style>"
