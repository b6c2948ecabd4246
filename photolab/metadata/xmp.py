"""XMP packets (in JPEG, PNG, WebP, GIF, TIFF, HEIF, Photoshop blocks, and sidecar ``.xmp`` files).

Read with a tolerant scan rather than an XML parser: real packets are often truncated, padded or not
well-formed, and a strict parser would then report nothing. Both attribute form (``dc:City="..."``) and
element form (``<dc:creator><rdf:Seq><rdf:li>...``) are read; values are XML-unescaped.
"""

from __future__ import annotations

import re

from photolab.metadata.findings import Collector, blank
from photolab.metadata.rules import (
    GPS,
    GPS_EMPTY,
    MAKERNOTE,
    PERSON,
    SECOND,
    XMP,
    XMP_NOT_PEOPLE,
    XMP_RULES,
    XMP_SKIP,
    XMP_STRUCTURAL_PREFIXES,
    Rule,
)

_ATTR = re.compile(r'([A-Za-z][\w.-]*):([A-Za-z][\w.-]*)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_OPEN = re.compile(r"<([A-Za-z][\w.-]*):([A-Za-z][\w.-]*)(?:\s[^>]*)?(?<!/)>")
_LIST_ITEM = re.compile(r"<rdf:li[^>]*>([^<]*)</rdf:li>")
_SIDECAR_START = re.compile(rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*<(\?xpacket|x:xmpmeta|rdf:RDF)", re.S)


def looks_like_sidecar(data: bytes) -> bool:
    """Is ``data`` an XMP sidecar file (a bare packet, as written beside RAW files and by editors)?"""
    head = data[:4096].lstrip(b"\xef\xbb\xbf")
    return bool(_SIDECAR_START.match(head)) or (
        head.lstrip().startswith(b"<?xml") and b"adobe:ns:meta" in head and b"rdf:RDF" in head
    )


def interpret(raw: bytes, out: Collector) -> None:
    text = raw.decode("utf-8", "replace")
    positions: list[tuple[str, str]] = []  # GPS latitude/longitude, judged together at the end
    found = 0
    for prefix, local, double, single in _ATTR.findall(text):
        found += _property(prefix, local, double or single, out, positions)
    for match in _OPEN.finditer(text):
        prefix, local = match.group(1), match.group(2)
        close = text.find(f"</{prefix}:{local}>", match.end())
        if close < 0:
            continue
        inner = text[match.end() : close]
        if "<rdf:li" in inner:  # a list: its items are the value
            items = [item.strip() for item in _LIST_ITEM.findall(inner)]
            found += _property(prefix, local, "; ".join(i for i in items if i), out, positions)
        elif "<" not in inner:  # a simple value; structures are read through their children
            found += _property(prefix, local, inner.strip(), out, positions)
    _positions(positions, out)
    if not found and text.strip("\0 \n"):
        out.add(XMP, "XMP packet", f"{len(raw)} bytes")


def _positions(positions: list[tuple[str, str]], out: Collector) -> None:
    """XMP GPS coordinates; all of them zero (a camera without a fix) is no usable position."""
    if positions and all(not re.sub(r"[^1-9]", "", value) for _, value in positions):
        out.add(GPS_EMPTY, "GPS position", "GPS tags present, no usable position")
        return
    for name, value in positions:
        out.add(GPS, name, value)


def _property(prefix: str, local: str, raw_value: str, out: Collector, positions: list) -> int:
    if prefix in XMP_STRUCTURAL_PREFIXES or local in XMP_SKIP or blank(raw_value):
        return 0
    value = _unescape(raw_value)
    name = f"XMP {prefix}:{local}"
    rule = rule_for(prefix, local)
    if rule is GPS:
        positions.append((name, value))
    elif rule is SECOND or (prefix in ("GImage", "GDepth") and local == "Data"):
        out.add(SECOND, name, f"base64 image, {len(value)} characters")
    elif rule is MAKERNOTE:
        out.add(rule, name, f"{len(value)} characters of vendor data")
    else:
        out.add(rule, name, value)
    return 1


def _unescape(value: str) -> str:
    """XML character and entity references resolved ('Creator&#39;s' -> "Creator's")."""
    if "&" not in value:
        return value
    import html  # its entity table costs a few ms at import: only when a value needs it

    return html.unescape(value)


def rule_for(prefix: str, local: str) -> Rule:
    """The rule of an XMP property: the first pattern of ``XMP_RULES`` matching its local name."""
    for pattern, rule in XMP_RULES:
        if rule is PERSON and local in XMP_NOT_PEOPLE:
            continue
        if pattern.search(local):
            return rule
    return XMP
