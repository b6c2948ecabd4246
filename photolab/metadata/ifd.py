"""photolab's own reader of TIFF image file directories (classic TIFF and BigTIFF).

One IFD entry reader serves the TIFF walker (what is in the file), BigTIFF and maker-note inspection and
camera-RAW recognition. It never decodes pixels and never trusts an offset: every read is bounds-checked
and a damaged directory simply yields fewer entries.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

# Bytes per value of each TIFF field type (BYTE, ASCII, SHORT, LONG, RATIONAL, SBYTE, UNDEFINED, SSHORT,
# SLONG, SRATIONAL, FLOAT, DOUBLE, IFD, LONG8, SLONG8, IFD8).
TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4,
              16: 8, 17: 8, 18: 8}  # fmt: skip
_INT_CODES = {3: "H", 4: "I", 8: "h", 9: "i", 13: "I", 16: "Q", 17: "q", 18: "Q", 1: "B", 6: "b"}
MAX_ENTRIES = 4096  # a real directory has a few hundred at most
MAX_VALUES = 1_000_000


@dataclass(frozen=True)
class Header:
    endian: str  # "<" or ">"
    bigtiff: bool
    first_ifd: int


@dataclass(frozen=True)
class Entry:
    tag: int
    type: int
    count: int
    value_pos: int  # absolute position of the value bytes in the data the directory was read from
    size: int  # bytes of value

    def raw(self, data: bytes) -> bytes:
        return data[self.value_pos : self.value_pos + self.size]


@dataclass(frozen=True)
class Directory:
    offset: int
    entries: tuple[Entry, ...]
    next_offset: int
    end: int  # first byte after the entry table and the next-IFD pointer


def read_header(data: bytes, magic_ok: tuple[int, ...] = (42,)) -> Header | None:
    """The byte order and first IFD of a TIFF-structured file, or None. ``magic_ok`` lists the accepted
    version numbers besides BigTIFF's 43 (Panasonic RW2 uses 0x55, Olympus ORF 0x4F52 / 0x5352)."""
    if len(data) < 8 or data[:2] not in (b"II", b"MM"):
        return None
    endian = "<" if data[:2] == b"II" else ">"
    version = struct.unpack(endian + "H", data[2:4])[0]
    if version == 43:
        if len(data) < 16:
            return None
        return Header(endian, True, struct.unpack(endian + "Q", data[8:16])[0])
    if version not in magic_ok:
        return None
    return Header(endian, False, struct.unpack(endian + "I", data[4:8])[0])


def read_directory(
    data: bytes, offset: int, endian: str, *, bigtiff: bool = False, base: int = 0
) -> Directory:
    """The entries of the IFD at ``offset`` (value offsets relative to ``base``, as in maker notes)."""
    count_fmt, entry_size, pointer = ("Q", 20, "Q") if bigtiff else ("H", 12, "I")
    head = struct.calcsize(count_fmt)
    if offset < 0 or offset + head > len(data):
        return Directory(offset, (), 0, offset)
    count = min(struct.unpack(endian + count_fmt, data[offset : offset + head])[0], MAX_ENTRIES)
    entries = []
    pos = offset + head
    for _ in range(count):
        if pos + entry_size > len(data):
            break
        entry = _entry(data, pos, endian, bigtiff, base)
        if entry is not None:
            entries.append(entry)
        pos += entry_size
    ptr_size = struct.calcsize(pointer)
    raw_next = data[pos : pos + ptr_size]
    next_offset = struct.unpack(endian + pointer, raw_next)[0] if len(raw_next) == ptr_size else 0
    return Directory(offset, tuple(entries), next_offset, pos + ptr_size)


def _entry(data: bytes, pos: int, endian: str, bigtiff: bool, base: int) -> Entry | None:
    if bigtiff:
        tag, typ, count = struct.unpack(endian + "HHQ", data[pos : pos + 12])
        inline, field, pointer = pos + 12, 8, "Q"
    else:
        tag, typ, count = struct.unpack(endian + "HHI", data[pos : pos + 8])
        inline, field, pointer = pos + 8, 4, "I"
    unit = TYPE_SIZES.get(typ)
    if unit is None:
        return None
    size = unit * count
    if size <= field:
        return Entry(tag, typ, count, inline, size)
    value_pos = base + struct.unpack(endian + pointer, data[inline : inline + field])[0]
    return Entry(tag, typ, count, value_pos, size)


def value(entry: Entry, data: bytes, endian: str) -> object:
    """The entry's value the way Pillow presents EXIF values: str for ASCII, bytes for BYTE/UNDEFINED,
    a number for a single value, a tuple for several; None when it cannot be read."""
    raw = entry.raw(data)
    if len(raw) < entry.size or entry.count > MAX_VALUES:
        return None
    if entry.type == 2:
        return raw.split(b"\0", 1)[0].decode("utf-8", "replace").strip()
    if entry.type in (1, 7):
        return raw
    if entry.type in (5, 10):
        code = "I" if entry.type == 5 else "i"
        pairs = struct.unpack(f"{endian}{2 * entry.count}{code}", raw)
        values = tuple(n / d if d else 0.0 for n, d in zip(pairs[::2], pairs[1::2], strict=True))
    elif entry.type in (11, 12):
        values = struct.unpack(f"{endian}{entry.count}{'f' if entry.type == 11 else 'd'}", raw)
    else:
        values = struct.unpack(f"{endian}{entry.count}{_INT_CODES[entry.type]}", raw)
    return values[0] if len(values) == 1 else values


def ints(entry: Entry, data: bytes, endian: str) -> tuple[int, ...]:
    """Integer values of an entry (offsets, lengths, sub-IFD pointers); () for other types."""
    if entry.type not in _INT_CODES or entry.count > MAX_VALUES:
        return ()
    raw = entry.raw(data)
    if len(raw) < entry.size:
        return ()
    return struct.unpack(f"{endian}{entry.count}{_INT_CODES[entry.type]}", raw)


def as_dict(directory: Directory, data: bytes, endian: str) -> dict[int, object]:
    """tag -> value for every readable entry of ``directory``."""
    out: dict[int, object] = {}
    for entry in directory.entries:
        decoded = value(entry, data, endian)
        if decoded is not None:
            out[entry.tag] = decoded
    return out


def chain(data: bytes, header: Header, limit: int = 64) -> list[Directory]:
    """IFD0 and the directories chained after it (pages, thumbnails), loops cut."""
    found: list[Directory] = []
    seen: set[int] = set()
    offset = header.first_ifd
    while offset and offset not in seen and len(found) < limit and offset < len(data):
        seen.add(offset)
        directory = read_directory(data, offset, header.endian, bigtiff=header.bigtiff)
        found.append(directory)
        offset = directory.next_offset
    return found


def sub_directories(data: bytes, header: Header, directory: Directory, tag: int) -> list[Directory]:
    """Directories that ``tag`` (e.g. 330 SubIFDs, 34665 Exif) of ``directory`` points to."""
    for entry in directory.entries:
        if entry.tag == tag:
            offsets = ints(entry, data, header.endian)
            return [read_directory(data, o, header.endian, bigtiff=header.bigtiff)
                    for o in offsets[:32] if 0 < o < len(data)]  # fmt: skip
    return []
