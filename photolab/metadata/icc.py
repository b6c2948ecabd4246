"""ICC colour profiles: the readable text (description, copyright, device maker and model)."""

from __future__ import annotations

import struct

from photolab.metadata.findings import Collector, text
from photolab.metadata.rules import ICC

_TEXT_TAGS = {b"desc": "description", b"cprt": "copyright", b"dmnd": "device maker", b"dmdd": "device model"}


def interpret(icc: bytes, out: Collector) -> None:
    texts = profile_texts(icc)
    if texts:
        out.add(ICC, "ICC profile", "; ".join(f"{k}: {v}" for k, v in texts.items()))
    elif icc:
        out.add(ICC, "ICC profile", f"{len(icc)} bytes, no readable text")


def profile_texts(icc: bytes) -> dict[str, str]:
    """Readable text tags of an ICC profile."""
    found: dict[str, str] = {}
    if len(icc) < 132:
        return found
    count = struct.unpack(">I", icc[128:132])[0]
    for i in range(min(count, 200)):
        entry = icc[132 + 12 * i : 144 + 12 * i]
        if len(entry) < 12:
            break
        sig, off, size = entry[:4], *struct.unpack(">II", entry[4:])
        if sig in _TEXT_TAGS:
            value = _tag_text(icc[off : off + size])
            if value:
                found[_TEXT_TAGS[sig]] = value
    return found


def _tag_text(tag: bytes) -> str:
    kind = tag[:4]
    if kind == b"desc" and len(tag) >= 12:
        length = struct.unpack(">I", tag[8:12])[0]
        return text(tag[12 : 12 + length])
    if kind == b"text":
        return text(tag[8:])
    if kind == b"mluc" and len(tag) >= 28:
        count = struct.unpack(">I", tag[8:12])[0]
        if count:
            length, offset = struct.unpack(">II", tag[20:28])
            return tag[offset : offset + length].decode("utf-16-be", "replace").strip("\0 ")
    return ""
