"""``Finding`` (one thing a file gives away), the collector the interpreters fill, and value helpers."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from photolab.metadata.rules import (
    CAPITALISED_PAIR,
    COMMON_CAPITALISED,
    GROUP_ORDER,
    IDENTIFYING_TEXT,
    RISK_ORDER,
    TEXT,
    TEXT_IDENTIFYING,
    Rule,
)


@dataclass(frozen=True)
class Finding:
    """One thing a file gives away. ``kind`` is a stable label without the value (for review records)."""

    group: str
    name: str
    value: str
    risk: str
    explanation: str
    kind: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


class Collector:
    """Gathers findings while the blocks of one file are interpreted (duplicates are dropped)."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self._seen: set[tuple[str, str, str]] = set()

    def add(self, rule: Rule, name: str, value: object) -> None:
        text = short(value)
        if rule is TEXT and identifying(text):
            rule = TEXT_IDENTIFYING
        key = (rule.kind, name, text)
        if key in self._seen:
            return
        self._seen.add(key)
        self.findings.append(Finding(rule.group, name, text, rule.risk, rule.explanation, rule.kind))

    def sorted(self) -> list[Finding]:
        return sorted(self.findings, key=_sort_key)


def _sort_key(f: Finding) -> tuple[int, int, str]:
    group = GROUP_ORDER.index(f.group) if f.group in GROUP_ORDER else len(GROUP_ORDER)
    return RISK_ORDER.get(f.risk, 3), group, f.name


def identifying(text: str) -> bool:
    """Does free text look like it names a person, a room or case number, or contact details?"""
    if any(pattern.search(text) for pattern in IDENTIFYING_TEXT):
        return True
    return any(not {first, second} & COMMON_CAPITALISED for first, second in CAPITALISED_PAIR.findall(text))


def as_bytes(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8", "replace")
    if isinstance(value, tuple | list):
        try:
            return bytes(int(v) & 0xFF for v in value)
        except (TypeError, ValueError):
            return b""
    return b""


def text(raw: bytes) -> str:
    """Bytes as text: UTF-8 when valid, else Latin-1; NULs become spaces."""
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        decoded = raw.decode("latin-1")
    return decoded.replace("\0", " ").strip()


def blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, bytes):
        return not value.strip(b"\0 ")
    return not str(value).strip("\0 \t\n")


def short(value: object, limit: int = 200) -> str:
    if isinstance(value, bytes):
        value = text(value)
    flat = re.sub(r"\s+", " ", str(value)).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def size_label(n: int) -> str:
    """A byte count as people read it: '812 bytes', '13 kB', '2.4 MB'."""
    if n < 1000:
        return f"{n} bytes"
    if n < 1_000_000:
        return f"{round(n / 1000)} kB"
    return f"{n / 1_000_000:.1f} MB"


def printable_ident(payload: bytes, limit: int = 16) -> str:
    """The readable ASCII at the start of a block (its signature), for naming unknown blocks."""
    return re.sub(rb"[^ -~]", b"", payload[:limit]).decode("ascii").strip()
