"""photolab's own check of written bytes: anything beyond what a decoder needs is reported.

Each container's allowlist (structural markers, chunks, tags) lives in its parser module; this module
only turns a parse into problems. ``assert_clean`` refuses a file with any.
"""

from __future__ import annotations

from photolab.errors import UnsafeOutput
from photolab.metadata.container import walk
from photolab.photo import sniff_format


def residual_check(data: bytes) -> list[str]:
    """Everything in ``data`` beyond what a decoder needs; [] means clean."""
    fmt = sniff_format(data)
    if fmt is None:
        return ["not a recognised image format"]
    layout = walk(data, fmt)
    problems = list(layout.problems)
    for block in layout.blocks:
        if not block.structural:
            problems.append(f"{fmt} {block.label}" + (f" ({block.note})" if block.note else ""))
        elif block.note:
            problems.append(f"{fmt} {block.label} ({block.note})")
    if layout.images > 1:
        problems.append(f"{fmt} holds {layout.images} images (secondary images, pages or frames)")
    if layout.trailer:
        problems.append(f"{len(layout.trailer)} bytes after the end of the image")
    return problems


def assert_clean(data: bytes, name: str = "output") -> None:
    """Raise UnsafeOutput if ``residual_check`` finds anything."""
    problems = residual_check(data)
    if problems:
        shown = "; ".join(problems[:3]) + (f" (+{len(problems) - 3} more)" if len(problems) > 3 else "")
        raise UnsafeOutput(f"{name}: written file is not clean: {shown}")
