"""The command line loses nothing (issue 8, part 6): concurrent runs, Ctrl+C, long and hostile names,
reports that always parse, no escape through a planted symlink; and resume after an interruption."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PIL import Image
from support import encode, pattern_image

from photolab.batch.manifest import NAME as MANIFEST
from photolab.core.io import PART_PREFIX


def photolab(*args: str | Path, **kw) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "photolab", *map(os.fsencode, args)], capture_output=True, timeout=300, **kw
    )


def start(*args: str | Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "photolab", *map(os.fsencode, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def photos(folder: Path, count: int, size: int = 64) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        (folder / f"p{i:03d}.png").write_bytes(encode(pattern_image(size + i % 7, size), "PNG"))
    return folder


def leftovers(folder: Path) -> list[Path]:
    return [p for p in folder.rglob(f"{PART_PREFIX}*") if p.name != MANIFEST]


def test_two_runs_into_one_folder_never_both_claim_a_file(tmp_path: Path) -> None:
    src = photos(tmp_path / "in", 60)
    out = tmp_path / "out"
    runs = [
        start("strip", src, "-o", out, "--report", tmp_path / f"r{i}.json", "--jobs", "1") for i in range(2)
    ]
    for run in runs:
        run.communicate(timeout=300)
    reports = [json.loads((tmp_path / f"r{i}.json").read_text()) for i in range(2)]
    written: dict[str, int] = {}
    for report in reports:
        for entry in report:
            if entry["status"] == "ok" and not entry.get("resumed"):
                written[entry["output"]] = written.get(entry["output"], 0) + 1
            elif entry["status"] != "ok":
                assert "already exists" in entry["error"], entry
    assert sorted(written.values()) == [1] * 60  # each output written (and reported) by exactly one run
    assert not leftovers(out)


def test_ctrl_c_leaves_no_partial_file_and_a_rerun_finishes(tmp_path: Path) -> None:
    src = photos(tmp_path / "in", 40, size=400)
    out = tmp_path / "out"
    for trial in range(6):
        run = start(
            "strip", src, "-o", out, "--jobs", "1", "--report", tmp_path / "r.json", "--progress", "json"
        )
        assert run.stdout is not None
        run.stdout.readline()  # the batch is under way: interrupt it somewhere in the next writes
        time.sleep(0.05 * trial)
        run.send_signal(signal.SIGINT)
        _, err = run.communicate(timeout=120)
        assert run.returncode in (0, 130, -signal.SIGINT), err.decode()
        assert not leftovers(out), f"trial {trial}: {leftovers(out)}"
        json.loads((tmp_path / "r.json").read_text())  # the report of an interrupted run still parses
    done = photolab("strip", src, "-o", out, "--report", tmp_path / "final.json")
    assert done.returncode == 0, done.stderr
    entries = json.loads((tmp_path / "final.json").read_text())
    assert len(entries) == 40 and all(e["status"] == "ok" for e in entries)  # the report covers the whole run
    assert b"already done in an earlier run" in done.stderr


def test_a_255_byte_name_is_processed(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    name = "é" * 125 + "a.png"
    assert len(name.encode()) == 255
    (src / name).write_bytes(encode(pattern_image(), "PNG"))
    run = photolab("strip", src, "-o", tmp_path / "out")
    assert run.returncode == 0, run.stderr
    assert (tmp_path / "out" / name).is_file()


def test_undecodable_and_markup_names_reach_the_report(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "x[").mkdir(parents=True)
    latin1 = os.fsdecode(b"caf\xe9.png")
    (src / latin1).write_bytes(encode(pattern_image(), "PNG"))
    (src / "x[" / "y]z.jpg").write_bytes(b"not a photo at all")  # fails: its name looks like markup
    (src / "ok.png").write_bytes(encode(pattern_image(), "PNG"))
    run = photolab("strip", src, "-o", tmp_path / "out", "--report", tmp_path / "r.json")
    assert run.returncode == 1 and b"Traceback" not in run.stderr
    assert b"x[/y]z.jpg: " in run.stderr  # printed literally, the batch went on
    entries = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    names = {Path(os.fsencode(e["input"]).decode("utf-8", "surrogateescape")).name: e for e in entries}
    assert names[latin1]["status"] == "ok" and names["ok.png"]["status"] == "ok"
    assert os.fsencode(names[latin1]["input"]).endswith(b"caf\xe9.png")  # the exact bytes come back


def test_control_characters_in_names_are_printed_escaped(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    hostile = ["esc\x1b[31mred.png", "new\nline.png", "rlo\u202egnp.png"]
    for name in hostile:
        (src / name).write_bytes(b"broken")
    run = photolab("strip", src, "-o", tmp_path / "out")
    assert run.returncode == 1
    text = (run.stdout + run.stderr).decode()
    assert "\x1b" not in text and "\u202e" not in text
    assert "esc\\x1b[31mred.png" in text and "new\\x0aline.png" in text and "rlo\\u202egnp.png" in text
    assert len([ln for ln in run.stderr.decode().splitlines() if not ln.startswith("photolab:")]) == 3


def test_a_symlinked_subfolder_in_the_output_is_not_followed(tmp_path: Path) -> None:
    src = tmp_path / "in"
    (src / "sub").mkdir(parents=True)
    (src / "sub" / "a.png").write_bytes(encode(pattern_image(), "PNG"))
    (src / "b.png").write_bytes(encode(pattern_image(), "PNG"))
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "sub").symlink_to(elsewhere)
    run = photolab("strip", src, "-o", out)
    assert run.returncode == 1
    assert b"symbolic link" in run.stderr
    assert list(elsewhere.iterdir()) == [] and (out / "b.png").is_file()


def test_progress_json_gives_one_line_per_file(tmp_path: Path) -> None:
    src = photos(tmp_path / "in", 5)
    (src / "bad.jpg").write_bytes(b"\xff\xd8\xff broken")
    run = photolab("strip", src, "-o", tmp_path / "out", "--progress", "json")
    assert run.returncode == 1
    lines = [json.loads(line) for line in run.stdout.decode().splitlines()]
    assert len(lines) == 6 and lines[-1]["done"] == lines[-1]["total"] == 6
    assert {ln["status"] for ln in lines} == {"ok", "error"}
    assert all({"rate", "eta_s", "input", "output"} <= set(ln) for ln in lines)


def test_resume_skips_finished_files_and_redoes_changed_ones(tmp_path: Path) -> None:
    src = photos(tmp_path / "in", 4)
    out = tmp_path / "out"
    assert photolab("strip", src, "-o", out).returncode == 0
    changed = src / "p001.png"
    Image.new("RGB", (20, 20), (9, 9, 9)).save(changed)
    os.utime(changed, ns=(time.time_ns(), time.time_ns() + 10**9))
    run = photolab("strip", src, "-o", out, "--force", "--report", tmp_path / "r.json")
    assert run.returncode == 0  # --force redoes everything
    run = photolab("strip", src, "-o", out, "--report", tmp_path / "r.json")
    assert run.returncode == 0, run.stderr
    assert b"4 already done in an earlier run" in run.stderr
    manifest = (out / MANIFEST).read_text()
    assert str(src) not in manifest  # the manifest beside published files holds no paths
    assert all(e.get("resumed") for e in json.loads((tmp_path / "r.json").read_text()))


@pytest.mark.parametrize("cores", ["0", "0,1"])
def test_jobs_default_follows_the_affinity_mask(cores: str) -> None:
    if len(os.sched_getaffinity(0)) < len(cores.split(",")):
        pytest.skip("needs more cores")
    probe = subprocess.run(
        [
            "taskset",
            "-c",
            cores,
            sys.executable,
            "-c",
            "from photolab.config import usable_cores; print(usable_cores())",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip() == str(len(cores.split(",")))


def test_every_file_in_a_folder_is_processed_or_named(tmp_path: Path) -> None:
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.png").write_bytes(encode(pattern_image(), "PNG"))
    (src / "DSCF0001.RAF").write_bytes(b"FUJIFILMCCD-RAW 0201FF383501" + bytes(4000))
    (src / "P1000001.RW2").write_bytes(b"IIU\x00\x18\x00\x00\x00" + bytes(4000))
    (src / "a.xmp").write_text('<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF/></x:xmpmeta>')
    (src / "notes.txt").write_text("visit notes")
    (src / "mystery.bin").write_bytes(bytes(range(256)) * 4)
    run = photolab("strip", src, "-o", tmp_path / "out")
    err = run.stderr.decode()
    assert run.returncode == 1
    assert "DSCF0001.RAF: camera RAW" in err and "P1000001.RW2: camera RAW" in err and "mystery.bin: " in err
    assert "not images: 1" in err and "1 XMP sidecar file(s) not copied" in err
    assert "3 of 4 file(s) failed" in err and (tmp_path / "out" / "a.png").is_file()
