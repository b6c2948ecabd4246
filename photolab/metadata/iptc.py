"""IPTC IIM (news-agency fields: by-line, city, caption, keywords ...), record 2 datasets."""

from __future__ import annotations

import struct

from photolab.metadata.findings import Collector, blank, text
from photolab.metadata.rules import IPTC_OTHER, IPTC_RULES

_PREVIEW = 202


def interpret(raw: bytes, out: Collector) -> None:
    pos, n = 0, len(raw)
    while pos + 5 <= n and raw[pos] == 0x1C:
        record, dataset = raw[pos + 1], raw[pos + 2]
        length = struct.unpack(">H", raw[pos + 3 : pos + 5])[0]
        pos += 5
        if length & 0x8000:  # extended length: the next (length & 0x7FFF) bytes hold the size
            width = length & 0x7FFF
            length = int.from_bytes(raw[pos : pos + width], "big")
            pos += width
        value = raw[pos : pos + length]
        pos += length
        if record != 2 or dataset == 0:
            continue
        name, rule = IPTC_RULES.get(dataset, (f"IPTC field 2:{dataset}", IPTC_OTHER))
        shown = f"{len(value)} bytes" if dataset == _PREVIEW else text(value)
        if not blank(shown):
            out.add(rule, f"IPTC {name}", shown)
