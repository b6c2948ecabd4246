"""The one atomic write (core.io): no-replace, read-back check, nothing left behind, no symlink escapes."""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path

import pytest

from photolab.core import io
from photolab.errors import OutputExists, UnsafeOutput, UsageError


def parts(folder: Path) -> list[Path]:
    return sorted(folder.rglob(f"{io.PART_PREFIX}*"))


def test_writes_and_creates_folders(tmp_path: Path) -> None:
    target = tmp_path / "out" / "a" / "b.bin"
    io.write_verified(target, b"data", root=tmp_path / "out")
    assert target.read_bytes() == b"data" and not parts(tmp_path)


def test_never_replaces_without_force(tmp_path: Path) -> None:
    target = tmp_path / "x.bin"
    target.write_bytes(b"old")
    with pytest.raises(OutputExists):
        io.write_verified(target, b"new")
    assert target.read_bytes() == b"old" and not parts(tmp_path)
    io.write_verified(target, b"new", force=True)
    assert target.read_bytes() == b"new"


def test_a_refused_check_leaves_nothing(tmp_path: Path) -> None:
    def refuse(data: bytes) -> None:
        raise UnsafeOutput("not clean")

    with pytest.raises(UnsafeOutput):
        io.write_verified(tmp_path / "new" / "x.bin", b"data", check=refuse, root=tmp_path / "new")
    assert not (tmp_path / "new").exists()  # the folders it created are gone too


def test_many_threads_race_for_one_name_and_exactly_one_wins(tmp_path: Path) -> None:
    target = tmp_path / "race.bin"
    wins, losses = [], []
    barrier = threading.Barrier(16)

    def write(n: int) -> None:
        barrier.wait()
        try:
            io.write_verified(target, f"writer {n}".encode())
            wins.append(n)
        except OutputExists:
            losses.append(n)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(wins) == 1 and len(losses) == 15
    assert target.read_bytes() == f"writer {wins[0]}".encode() and not parts(tmp_path)


def test_a_255_byte_name_works(tmp_path: Path) -> None:
    name = "é" * 125 + "a.jpg"
    assert len(os.fsencode(name)) == 255  # the longest name the filesystem allows
    target = tmp_path / name
    io.write_verified(target, b"x")
    assert target.read_bytes() == b"x"


def test_a_symlink_inside_the_output_folder_is_refused(tmp_path: Path) -> None:
    root, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    root.mkdir()
    elsewhere.mkdir()
    (root / "sub").symlink_to(elsewhere)
    with pytest.raises(UsageError, match="symbolic link"):
        io.write_verified(root / "sub" / "x.bin", b"x", root=root)
    assert list(elsewhere.iterdir()) == []
    with pytest.raises(UsageError, match="symbolic link"):
        io.write_verified(root / "sub" / "deeper" / "x.bin", b"x", root=root)
    assert list(elsewhere.iterdir()) == []


def test_a_symlinked_target_name_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"keep")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "x.bin").symlink_to(outside)
    with pytest.raises(OutputExists):
        io.write_verified(tmp_path / "out" / "x.bin", b"new", root=tmp_path / "out")
    assert outside.read_bytes() == b"keep"


def test_signals_wait_until_the_file_is_in_place(tmp_path: Path) -> None:
    target = tmp_path / "x.bin"

    def check(data: bytes) -> None:  # runs mid-write: a Ctrl+C now must not leave a .part
        os.kill(os.getpid(), signal.SIGINT)

    with pytest.raises(KeyboardInterrupt):  # delivered once the file is in place
        io.write_verified(target, b"data", check=check)
    assert target.read_bytes() == b"data" and not parts(tmp_path)


def test_stale_parts_of_dead_writers_are_removed(tmp_path: Path) -> None:
    dead = tmp_path / f"{io.PART_PREFIX}999999999-ab12{io.PART_SUFFIX}"
    live = tmp_path / f"{io.PART_PREFIX}{os.getpid()}-cd34{io.PART_SUFFIX}"
    dead.write_bytes(b"x")
    live.write_bytes(b"x")
    assert io.remove_stale_parts(tmp_path) == 1
    assert not dead.exists() and live.exists()


def test_text_with_undecodable_name_characters_is_written(tmp_path: Path) -> None:
    name = os.fsdecode(b"caf\xe9.jpg")  # a Latin-1 name on a UTF-8 system
    io.write_text(tmp_path / "r.json", f'["{name}"]')
    assert (tmp_path / "r.json").read_bytes() == b'["caf\\udce9.jpg"]'
