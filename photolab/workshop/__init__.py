"""Photo Lab workshop: rounds, participants, answer sheets, scoring, results, prompts and exports.

A facilitator creates a *round* over a few scenarios and projects its join code. Each participant joins
with the code, gets a secret *token* (kept in their browser so a reload resumes), marks boxes on each
scenario image, answers a few framing and consent questions, writes a caption and decides: publish,
publish with changes, or do not publish, with a reason.

Modules, one job each (the UI in ``photolab.ui.workshop`` only wires them):

- ``texts``: strings per language (the files present), questions, decisions, ``WorkshopError``;
- ``scenarios``: the scenario images, briefs and answer keys (``samples/``);
- ``scoring``: when a marked box spots a hazard (the rule is in its docstring);
- ``store``: rounds, participants and answer sheets in the shared SQLite file; complete deletion;
- ``results``: aggregation per scenario and discussion prompts;
- ``charts``: bar charts as accessible HTML;
- ``export``: CSV, JSON and the one-page summary;
- ``address``: the join address participants can really reach.
"""

from photolab.workshop.charts import CHART_CSS, bar_chart, scenario_charts_html
from photolab.workshop.export import (
    answer_rows,
    export_csv,
    export_json,
    summary_html,
    summary_markdown,
    write_exports,
)
from photolab.workshop.results import (
    Entry,
    HazardResult,
    Prompt,
    QuestionResult,
    RoundResult,
    ScenarioResult,
    aggregate,
    discussion_prompts,
    normalised_entropy,
)
from photolab.workshop.scenarios import Box, Hazard, Scenario, default_samples_dir, load_scenarios
from photolab.workshop.scoring import (
    MATCH_COVER,
    MATCH_IOU,
    MAX_PHOTO_SHARE,
    BoxScore,
    box_finds_hazard,
    matching_rule,
    score_boxes,
)
from photolab.workshop.store import (
    JOIN_ALPHABET,
    JOIN_CODE_LENGTH,
    WORKSHOP_MIGRATIONS,
    DeleteOutcome,
    Participant,
    Round,
    Submission,
    WorkshopStore,
    normalise_code,
    submission_problems,
)
from photolab.workshop.texts import (
    DECISIONS,
    TEXTS_DIR,
    Question,
    WorkshopError,
    decision_name,
    direction,
    error_text,
    language_name,
    languages,
    load_questions,
    load_texts,
    pick_language,
    question_ids,
    supported,
    ui_text,
)

__all__ = [
    "CHART_CSS",
    "DECISIONS",
    "JOIN_ALPHABET",
    "JOIN_CODE_LENGTH",
    "MATCH_COVER",
    "MATCH_IOU",
    "MAX_PHOTO_SHARE",
    "TEXTS_DIR",
    "WORKSHOP_MIGRATIONS",
    "Box",
    "BoxScore",
    "DeleteOutcome",
    "Entry",
    "Hazard",
    "HazardResult",
    "Participant",
    "Prompt",
    "Question",
    "QuestionResult",
    "Round",
    "RoundResult",
    "Scenario",
    "ScenarioResult",
    "Submission",
    "WorkshopError",
    "WorkshopStore",
    "aggregate",
    "answer_rows",
    "bar_chart",
    "box_finds_hazard",
    "decision_name",
    "default_samples_dir",
    "direction",
    "discussion_prompts",
    "error_text",
    "export_csv",
    "export_json",
    "language_name",
    "languages",
    "load_questions",
    "load_scenarios",
    "load_texts",
    "matching_rule",
    "normalise_code",
    "normalised_entropy",
    "pick_language",
    "question_ids",
    "scenario_charts_html",
    "score_boxes",
    "submission_problems",
    "summary_html",
    "summary_markdown",
    "supported",
    "ui_text",
    "write_exports",
]
