"""Review records: what was removed, what the reviewer answered and decided; kept in SQLite and exported.

A ``ReviewRecord`` never holds pixels, nor the values of the metadata that was removed, nor the text that
was read inside a redacted region: only their kinds, sizes and positions. Anything else would turn the
record into a second, unredacted copy of the image.

The SQLite store of records is ``photolab.review.store``.
"""

from __future__ import annotations

import hashlib
import html
import io
import json
import uuid
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path, PurePath
from typing import Any

import photolab
from photolab.errors import ReviewBlocked
from photolab.review.checklist import Checklist, evaluate

RECORD_SCHEMA = "photolab.review-record/1"
DECISIONS = ("approved", "refused")


# --------------------------------------------------------------------------------------------- record


@dataclass(frozen=True)
class RemovedFinding:
    """The kind of a metadata item that was removed (e.g. "GPS position"), never its value."""

    group: str
    kind: str
    risk: str = ""

    def describe(self) -> str:
        return f"{self.kind} removed"


@dataclass(frozen=True)
class RegionEntry:
    """A redacted region as recorded.

    For text regions only the *length* of the recognised string is kept, never the string itself: it is
    exactly what the redaction hides (a name, a room number, a diagnosis), so storing it would republish
    it in every export and database copy.
    """

    kind: str
    box: tuple[int, int, int, int]  # x, y, w, h in output pixels
    style: str
    shape: str = "rect"
    source: str = "detector"  # detector | manual
    detector: str = ""
    enabled: bool = True
    score: float = 1.0
    text_length: int | None = None
    id: str = ""  # stable for the region's whole life (detection, edits, report)
    removed: bool = False  # the reviewer judged it a false detection

    @classmethod
    def from_region(cls, region: Any) -> RegionEntry:
        """From a ``photolab.regions.Region`` (or anything with the same attributes)."""
        text = getattr(region, "text", "") or ""
        return cls(
            kind=str(region.kind),
            box=tuple(int(v) for v in region.box),  # type: ignore[arg-type]
            style=str(getattr(region, "style", "solid")),
            shape=str(getattr(region, "shape", "rect")),
            source=str(getattr(region, "source", "detector")),
            detector=str(getattr(region, "detector", "")),
            enabled=bool(getattr(region, "enabled", True)),
            score=round(float(getattr(region, "score", 1.0)), 4),
            text_length=len(text) if text else None,
            id=str(getattr(region, "id", "")),
            removed=bool(getattr(region, "extra", {}).get("deleted", False)),
        )


@dataclass(frozen=True)
class AnswerEntry:
    """One checklist answer, with the question and option wording in the checklist's language."""

    question_id: str
    option_id: str
    effect: str
    justification: str = ""
    section: str = ""
    question: str = ""
    option: str = ""


@dataclass(frozen=True)
class ReviewRecord:
    reviewer: str
    original_sha256: str
    output_sha256: str
    output_format: str
    output_width: int
    output_height: int
    output_bytes: int
    checklist_language: str
    checklist_version: int
    answers: tuple[AnswerEntry, ...]
    decision: str  # approved | refused
    reasons: tuple[str, ...] = ()
    caption: str = ""
    alt_text: str = ""
    input_name: str | None = None  # None when the reviewer withholds it (file names can identify)
    findings_removed: tuple[RemovedFinding, ...] = ()
    regions: tuple[RegionEntry, ...] = ()
    record_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created_at: str = field(default_factory=lambda: utc_now())
    tool_version: str = photolab.__version__
    schema: str = RECORD_SCHEMA

    def __post_init__(self) -> None:
        if self.decision not in DECISIONS:
            raise ValueError(f"decision must be one of {DECISIONS}, not {self.decision!r}")

    # -- serialisation

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["regions"] = [{**r, "box": list(r["box"])} for r in d["regions"]]
        d["answers"] = list(d["answers"])
        d["findings_removed"] = list(d["findings_removed"])
        d["reasons"] = list(d["reasons"])
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ReviewRecord:
        d = dict(d)
        d["answers"] = tuple(AnswerEntry(**a) for a in d.get("answers", ()))
        d["findings_removed"] = tuple(RemovedFinding(**f) for f in d.get("findings_removed", ()))
        d["regions"] = tuple(RegionEntry(**{**r, "box": tuple(r["box"])}) for r in d.get("regions", ()))
        d["reasons"] = tuple(d.get("reasons", ()))
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known})

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    @classmethod
    def from_json(cls, text: str) -> ReviewRecord:
        return cls.from_dict(json.loads(text))

    def to_markdown(self) -> str:
        """The record as Markdown, its headings in the language of the checklist it records."""
        h = headings(self.checklist_language)
        lines = [f"# {h['title']} {self.record_id}", "", f"**{h['decision']}: {h[self.decision]}**", ""]
        if self.reasons:
            lines += [f"{h['reasons']}:", "", *[f"- {_md_inline(r)}" for r in self.reasons], ""]
        lines += [f"## {h['summary']}", "", f"| {h['field']} | {h['value']} |", "|---|---|"]
        lines += [f"| {k} | {_md_cell(v)} |" for k, v in self._summary_rows(h)]
        lines += [
            "",
            f"## {h['caption']}",
            "",
            _md_block(self.caption),
            "",
            f"## {h['alt_text']}",
            "",
            _md_block(self.alt_text),
            "",
            f"## {h['removed']}",
            "",
        ]
        lines += [
            f"- {_md_inline(f.describe())}" + (f" ({h['risk']}: {f.risk})" if f.risk else "")
            for f in self.findings_removed
        ] or [h["none_found"]]
        lines += ["", f"## {h['regions']}", ""]
        lines += self._regions_markdown(h) or [h["none"]]
        lines += [
            "",
            f"## {h['checklist']} ({self.checklist_language}, {h['version']} {self.checklist_version})",
            "",
            f"| {h['question']} | {h['answer']} | {h['effect']} | {h['justification']} |",
            "|---|---|---|---|",
        ]
        for a in self.answers:
            question = f"{a.question} ({a.question_id})" if a.question else a.question_id
            lines.append(
                f"| {_md_cell(question)} | {_md_cell(a.option or a.option_id)} | {a.effect} | "
                f"{_md_cell(a.justification)} |"
            )
        return "\n".join(lines) + "\n"

    def _regions_markdown(self, h: dict[str, str]) -> list[str]:
        if not self.regions:
            return []
        header = [
            "#",
            h["kind"],
            h["box"],
            h["style"],
            h["shape"],
            h["source"],
            h["enabled"],
            h["text_length"],
        ]
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for i, r in enumerate(self.regions, 1):
            source = r.source + (f" ({r.detector})" if r.detector else "")
            length = "" if r.text_length is None else str(r.text_length)
            lines.append(
                f"| {i} | {_md_cell(r.kind)} | {', '.join(map(str, r.box))} | {_md_cell(r.style)} | "
                f"{_md_cell(r.shape)} | {_md_cell(source)} | {h['yes'] if r.enabled else h['no']} | "
                f"{length} |"
            )
        return lines

    def to_html(self) -> str:
        """A standalone page (no external resources) for people who do not read Markdown."""
        e = html.escape
        h = headings(self.checklist_language)
        rows = "".join(
            f"<tr><th scope='row'>{e(k)}</th><td>{e(str(v))}</td></tr>" for k, v in self._summary_rows(h)
        )
        findings = (
            "".join(f"<li>{e(f.describe())}</li>" for f in self.findings_removed)
            or f"<li>{e(h['none_found'])}</li>"
        )
        regions = "".join(
            f"<tr><td>{i}</td><td>{e(r.kind)}</td><td>{e(', '.join(map(str, r.box)))}</td>"
            f"<td>{e(r.style)}</td>"
            f"<td>{e(r.source)}</td><td>{e(h['yes'] if r.enabled else h['no'])}</td>"
            f"<td>{'' if r.text_length is None else r.text_length}</td></tr>"
            for i, r in enumerate(self.regions, 1)
        )
        answers = "".join(
            f"<tr><td>{e(a.question or a.question_id)}</td><td>{e(a.option or a.option_id)}</td>"
            f"<td>{e(a.effect)}</td><td>{e(a.justification)}</td></tr>"
            for a in self.answers
        )
        reasons = "".join(f"<li>{e(r)}</li>" for r in self.reasons)
        region_head = "".join(
            f"<th>{e(h[k])}</th>" for k in ("kind", "box", "style", "source", "enabled", "text_length")
        )
        answer_head = "".join(
            f"<th>{e(h[k])}</th>" for k in ("question", "answer", "effect", "justification")
        )
        direction = "rtl" if self.checklist_language in RTL_LANGUAGES else "ltr"
        return (
            f"<!doctype html><html lang='{e(self.checklist_language)}' dir='{direction}'><head>"
            f"<meta charset='utf-8'><title>{e(h['title'])} {e(self.record_id)}</title></head><body>"
            f"<h1>{e(h['title'])} {e(self.record_id)}</h1>"
            f"<p><strong>{e(h['decision'])}: {e(h[self.decision])}</strong></p>"
            + (f"<ul>{reasons}</ul>" if reasons else "")
            + f"<h2>{e(h['summary'])}</h2><table>{rows}</table>"
            f"<h2>{e(h['caption'])}</h2><p>{e(self.caption)}</p><h2>{e(h['alt_text'])}</h2><p>{e(self.alt_text)}</p>"
            f"<h2>{e(h['removed'])}</h2><ul>{findings}</ul>"
            f"<h2>{e(h['regions'])}</h2><table><tr><th>#</th>{region_head}</tr>{regions}</table>"
            f"<h2>{e(h['checklist'])}</h2><table><tr>{answer_head}</tr>{answers}</table></body></html>\n"
        )

    def _summary_rows(self, h: dict[str, str]) -> list[tuple[str, Any]]:
        return [
            (h["record_id"], self.record_id),
            (h["created"], self.created_at),
            (h["reviewer"], self.reviewer),
            (h["tool_version"], f"photolab {self.tool_version}"),
            (h["input_name"], self.input_name if self.input_name is not None else h["withheld"]),
            (h["original_hash"], self.original_sha256),
            (h["output_hash"], self.output_sha256),
            (
                h["output"],
                f"{self.output_format}, {self.output_width} x {self.output_height} px, "
                f"{self.output_bytes} {h['bytes']}",
            ),
            (h["checklist"], f"{self.checklist_language} v{self.checklist_version}"),
        ]


RTL_LANGUAGES = frozenset({"ar", "fa", "he", "ur"})


@cache
def _all_headings() -> dict[str, dict[str, str]]:
    import yaml

    text = resources.files("photolab.review").joinpath("record_headings.yaml").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def headings(lang: str) -> dict[str, str]:
    """The record's headings in ``lang`` (English for a language without them)."""
    table = _all_headings()
    return {**table["en"], **table.get(lang, {})}


def utc_now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def removed_findings(findings: Iterable[Any]) -> tuple[RemovedFinding, ...]:
    """Reduce metadata findings to their kinds, one entry per kind, dropping every value.

    Takes ``photolab.metadata.Finding`` objects or dicts. ``kind`` (a label made to carry no value) is
    used; the tag ``name`` only when a finding has no kind.
    """
    seen: dict[tuple[str, str], RemovedFinding] = {}
    for f in findings:
        get = f.get if isinstance(f, dict) else lambda k, _f=f: getattr(_f, k, "")
        key = (str(get("group") or ""), str(get("kind") or get("name") or ""))
        if key not in seen:
            seen[key] = RemovedFinding(group=key[0], kind=key[1], risk=str(get("risk") or ""))
    return tuple(seen.values())


def build_record(
    *,
    reviewer: str,
    checklist: Checklist,
    answers: dict[str, str],
    justifications: dict[str, str],
    original_sha256: str,
    output_bytes: bytes,
    output_format: str,
    output_size: tuple[int, int],
    caption: str,
    alt_text: str,
    findings: Iterable[Any] = (),
    regions: Iterable[Any] = (),
    input_name: str | None = None,
    refuse: bool = False,
    refusal_reasons: Sequence[str] = (),
) -> ReviewRecord:
    """Assemble a record after evaluating the checklist on the server.

    Approval (``refuse=False``) raises ReviewBlocked unless the checklist allows it and the caption and alt
    text are written. A refusal is always recordable; it keeps the reviewer's reasons and any blocking ones.
    """
    result = evaluate(checklist, answers, justifications)
    applicable = {q.id for q in checklist.applicable_questions(answers)}
    entries = []
    for q in checklist.questions:
        option = q.option(answers.get(q.id, ""))
        if q.id in applicable and option is not None:
            entries.append(
                AnswerEntry(
                    question_id=q.id,
                    option_id=option.id,
                    effect=option.effect,
                    justification=justifications.get(q.id, "").strip(),
                    section=q.section,
                    question=q.text,
                    option=option.label,
                )
            )
    if refuse:
        decision = "refused"
        reasons = tuple(r.strip() for r in refusal_reasons if r.strip()) + tuple(
            r for _, r in result.blocking
        )
    else:
        problems = result.problems()
        if not caption.strip():
            problems.append("A caption is required.")
        if not alt_text.strip():
            problems.append("Alt text is required.")
        if problems:
            raise ReviewBlocked("Approval blocked: " + "; ".join(problems))
        decision, reasons = "approved", ()
    return ReviewRecord(
        reviewer=reviewer.strip(),
        original_sha256=original_sha256,
        output_sha256=hashlib.sha256(output_bytes).hexdigest(),
        output_format=output_format,
        output_width=int(output_size[0]),
        output_height=int(output_size[1]),
        output_bytes=len(output_bytes),
        checklist_language=checklist.language,
        checklist_version=checklist.version,
        answers=tuple(entries),
        decision=decision,
        reasons=reasons,
        caption=caption.strip(),
        alt_text=alt_text.strip(),
        input_name=input_name,
        findings_removed=removed_findings(findings),
        regions=tuple(RegionEntry.from_region(r) for r in regions),
    )


def _md_cell(value: Any) -> str:
    return _md_inline(str(value)).replace("|", "\\|")


def _md_inline(text: str) -> str:
    return " ".join(str(text).split())


def _md_block(text: str) -> str:
    return "\n".join(f"> {line}" for line in text.splitlines()) if text.strip() else "(none)"


# ------------------------------------------------------------------------------------- export zip

ZIP_TEXT_MEMBERS = ("caption.txt", "record.json", "record.md")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed: the zip should not reveal when or where it was packed


def export_zip(
    image_bytes: bytes, image_name: str, record: ReviewRecord, caption: str, alt_text: str
) -> bytes:
    """The publication bundle, in memory: the clean image, caption.txt, record.json and record.md.

    ``image_name`` is reduced to a bare file name. Member times are fixed, so the zip reveals nothing of
    when or where it was packed.
    """
    name = PurePath(image_name.replace("\\", "/")).name
    if not name or name.startswith(".") or name in ZIP_TEXT_MEMBERS:
        raise ValueError(f"unusable image name in the export: {image_name!r}")
    caption_txt = f"Caption:\n{caption.strip()}\n\nAlt text:\n{alt_text.strip()}\n"
    members = [
        (name, image_bytes, zipfile.ZIP_STORED),  # already compressed
        ("caption.txt", caption_txt.encode("utf-8"), zipfile.ZIP_DEFLATED),
        ("record.json", record.to_json().encode("utf-8"), zipfile.ZIP_DEFLATED),
        ("record.md", record.to_markdown().encode("utf-8"), zipfile.ZIP_DEFLATED),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for member, data, method in members:
            info = zipfile.ZipInfo(member, date_time=_ZIP_TIME)
            info.compress_type = method
            info.external_attr = 0o644 << 16
            zf.writestr(info, data)
    return buffer.getvalue()


def build_export_zip(
    out_path: Path, image_bytes: bytes, image_name: str, record: ReviewRecord, caption: str, alt_text: str
) -> Path:
    """``export_zip`` written to ``out_path`` through the one atomic write (replacing an older bundle)."""
    from photolab.core import io as core_io

    data = export_zip(image_bytes, image_name, record, caption, alt_text)
    core_io.write_verified(Path(out_path), data, force=True)
    return Path(out_path)
