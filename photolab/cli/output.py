"""What the command line prints: every name and value made safe for a terminal.

File names and metadata values come from whoever made the file. Control characters (ESC sequences that
move the cursor or recolour the terminal, newlines that forge report lines, bidi overrides such as U+202E
that reverse what follows) are printed as escapes, and nothing is ever read as rich markup.
"""

from __future__ import annotations

import re
import sys

import typer

_UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f"  # C0 and C1 controls, DEL
    "\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"  # bidi marks and overrides, separators
    "\ud800-\udfff]"  # surrogates: undecodable bytes of file names
)


def safe(text: object) -> str:
    """``text`` with every control, bidi-control and undecodable character spelled as an escape."""
    return _UNSAFE.sub(_escape, str(text))


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    if 0xDC80 <= code <= 0xDCFF:  # an undecodable byte of a file name (surrogate escape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def say(text: str, *, err: bool = False) -> None:
    """One line, already made safe by the caller where it holds names or values."""
    typer.echo(text, err=err)


def problem(path: object, reason: str) -> None:
    """``path: reason`` on stderr."""
    typer.echo(f"{safe(path)}: {safe(reason)}", err=True)


def interactive() -> bool:
    return sys.stderr.isatty()
