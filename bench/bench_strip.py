"""Benchmark: ``photolab strip`` and mat2 side by side, whole process, on one core; time and peak memory.

    python bench/bench_strip.py [--corpus DIR] [--mat2 PATH] [--setup-mat2] [--repeat R] [--copies N]

Rows (every command is run the way a user runs it: a new process, timed from start to exit):

- a generated 1 KB JPEG with EXIF: median of R runs per tool (start-up dominates: photolab's target is
  <= 0.2 s);
- every small corpus file (<= 100 KB), one process per file: median per tool over the files both handle;
- the whole corpus folder in one process per tool (mat2 takes a folder too; fastest of ``--folder-runs``),
  and photolab again over N copies of the folder: peak memory must stay bounded by the largest image, not
  grow with the folder.

Tools alternate run by run, so a busy machine slows them alike; the load average is printed with the table.

Peak memory is the largest resident set of any single process of the run (``wait4``); mat2 spreads a
folder over a process pool, so its total can be higher. The process pins itself to one CPU, inherited by
every child, so the tools compete on equal terms.

mat2 comes from PyPI in its own virtual environment (``--setup-mat2`` makes it at the default place). Its
image parsers need GObject introspection and cairo from the system (Debian: python3-gi python3-cairo
gir1.2-gdkpixbuf-2.0 gir1.2-rsvg-2.0 gir1.2-poppler-0.18); without them pip cannot build pycairo.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "metadata-corpus"
DEFAULT_MAT2_VENV = Path.home() / ".cache" / "photolab-bench" / "mat2"
SKIP = {"MANIFEST.md", "sources.json", "manifest.json", "README.md"}
SMALL_BYTES = 100_000


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mib: float
    ok: bool


def run(cmd: list[str]) -> Run:
    """One process, wall time from spawn to exit, its peak RSS (children included, the largest one)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Run(took, usage.ru_maxrss / 1024, proc.returncode == 0)


def corpus_files(root: Path) -> list[Path]:
    keep = (p for p in root.rglob("*") if p.is_file() and p.name not in SKIP)
    return sorted(p for p in keep if not p.name.endswith(".LICENSE"))


def tiny_jpeg(folder: Path) -> Path:
    from PIL import Image

    exif = Image.Exif()
    exif[0x010F] = "BenchCam"
    exif[0x013B] = "Bench Artist"
    path = folder / "tiny.jpg"
    Image.effect_noise((24, 24), 30).convert("RGB").save(path, "JPEG", quality=60, exif=exif.tobytes())
    return path


class Photolab:
    name = "photolab strip"

    def __init__(self, exe: Path) -> None:
        self.exe = exe

    def one(self, src: Path, work: Path) -> Run:
        out = work / "out"
        result = run([str(self.exe), "strip", str(src), "-o", str(out)])
        shutil.rmtree(out, ignore_errors=True)
        return result

    def folder(self, src: Path, work: Path) -> tuple[Run, int]:
        out = work / "out"
        result = run([str(self.exe), "strip", str(src), "-o", str(out)])
        written = sum(1 for p in out.rglob("*") if p.is_file() and not p.name.startswith("."))
        shutil.rmtree(out, ignore_errors=True)
        return result, written


class Mat2:
    name = "mat2 (PyPI)"

    def __init__(self, exe: Path) -> None:
        self.exe = exe

    def one(self, src: Path, work: Path) -> Run:
        copy = work / "m" / src.name
        copy.parent.mkdir(exist_ok=True)
        shutil.copyfile(src, copy)
        result = run([str(self.exe), str(copy)])
        cleaned = list(copy.parent.glob("*.cleaned.*"))
        shutil.rmtree(copy.parent, ignore_errors=True)
        return Run(result.seconds, result.peak_mib, result.ok and bool(cleaned))

    def folder(self, src: Path, work: Path) -> tuple[Run, int]:
        copy = work / "m"
        shutil.copytree(src, copy)
        result = run([str(self.exe), str(copy)])
        written = sum(1 for _ in copy.rglob("*.cleaned.*"))
        shutil.rmtree(copy, ignore_errors=True)
        return result, written


def find_mat2(given: Path | None, setup: bool) -> tuple[Path | None, str]:
    if given:
        return (given, "") if given.exists() else (None, f"{given} not found")
    exe = DEFAULT_MAT2_VENV / "bin" / "mat2"
    if not exe.exists() and setup:
        made = subprocess.run(
            ["/usr/bin/python3", "-m", "venv", "--system-site-packages", str(DEFAULT_MAT2_VENV)]
        )
        pip = subprocess.run(
            [str(DEFAULT_MAT2_VENV / "bin" / "pip"), "install", "-q", "mat2"], capture_output=True, text=True
        )
        if made.returncode or pip.returncode:
            return None, "pip install mat2 failed: " + (pip.stderr.strip().splitlines() or ["?"])[-1]
    if exe.exists():
        return exe, ""
    on_path = shutil.which("mat2")
    return (Path(on_path), "") if on_path else (None, "mat2 not installed (run with --setup-mat2)")


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


def fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def largest_image_mib(files: list[Path]) -> tuple[float, str]:
    """Decoded size (RGBA, 8 bit) of the largest image, to compare peak memory with."""
    import pillow_heif
    from PIL import Image

    pillow_heif.register_heif_opener()
    best, name = 0, ""
    for path in files:
        try:
            with Image.open(path) as im:
                pixels = im.width * im.height
        except Exception:  # not an image Pillow opens: it does not set the bound
            continue
        if pixels > best:
            best, name = pixels, path.name
    return best * 4 / 2**20, name


def small_file_rows(tools: list, corpus: Path | None, work: Path, repeat: int) -> list[tuple]:
    rows = []
    tiny = tiny_jpeg(work)
    # tools alternate run by run, so a busy machine slows them alike
    runs_by_tool: dict[str, list[Run]] = {tool.name: [] for tool in tools}
    for _ in range(repeat):
        for tool in tools:
            runs_by_tool[tool.name].append(tool.one(tiny, work))
    for tool in tools:
        runs = runs_by_tool[tool.name]
        rows.append(
            (
                tool.name,
                f"1 KB JPEG ({tiny.stat().st_size} bytes), x{repeat}",
                sum(r.ok for r in runs),
                fmt(median([r.seconds for r in runs])),
                fmt(max(r.peak_mib for r in runs), 0),
                "",
            )
        )
    if corpus is None:
        return rows
    small = [p for p in corpus_files(corpus) if p.stat().st_size <= SMALL_BYTES]
    results: dict[str, dict[Path, Run]] = {tool.name: {} for tool in tools}
    for path in small:
        for tool in tools:
            results[tool.name][path] = tool.one(path, work)
    both = [p for p in small if all(results[t.name][p].ok for t in tools)]
    for tool in tools:
        mine = results[tool.name]
        rows.append(
            (
                tool.name,
                f"small corpus files, 1 process each ({len(both)} both handle)",
                sum(r.ok for r in mine.values()),
                fmt(median([mine[p].seconds for p in both])),
                fmt(max(r.peak_mib for r in mine.values()), 0),
                "",
            )
        )
    return rows


def folder_rows(tools: list, corpus: Path, work: Path, copies: int, runs: int) -> list[tuple]:
    files = corpus_files(corpus)
    staged = work / "corpus"
    for path in files:
        target = staged / path.relative_to(corpus)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    best: dict[str, tuple[Run, int]] = {}
    for _ in range(runs):  # alternating, fastest run of each tool kept
        for tool in tools:
            result, written = tool.folder(staged, work)
            if tool.name not in best or result.seconds < best[tool.name][0].seconds:
                best[tool.name] = (result, written)
    rows, seconds = [], {}
    for tool in tools:
        result, written = best[tool.name]
        seconds[tool.name] = result.seconds
        rows.append(
            (
                tool.name,
                f"corpus folder, 1 process ({len(files)} files)",
                written,
                fmt(result.seconds / len(files)),
                fmt(result.peak_mib, 0),
                f"total {result.seconds:.1f} s",
            )
        )
    if len(tools) == 2 and all(seconds.values()):
        ours, theirs = seconds[tools[0].name], seconds[tools[1].name]
        rows[0] = (*rows[0][:5], rows[0][5] + f"; {theirs / ours:.2f}x mat2's speed")
    many = work / "many"
    for i in range(copies):
        shutil.copytree(staged, many / f"copy{i}")
    result, written = tools[0].folder(many, work)
    rows.append(
        (
            tools[0].name,
            f"{copies} copies of the folder, 1 process ({copies * len(files)} files)",
            written,
            fmt(result.seconds / (copies * len(files))),
            fmt(result.peak_mib, 0),
            "memory must not grow",
        )
    )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--mat2", type=Path, default=None, help="mat2 executable (default: its bench venv)")
    parser.add_argument("--setup-mat2", action="store_true", help="pip install mat2 into its bench venv")
    parser.add_argument("--photolab", type=Path, default=Path(sys.executable).with_name("photolab"))
    parser.add_argument("--repeat", type=int, default=5, help="runs of the 1 KB JPEG per tool")
    parser.add_argument("--copies", type=int, default=3, help="folder copies for the memory-growth row")
    parser.add_argument(
        "--folder-runs", type=int, default=2, help="whole-folder runs per tool (fastest kept)"
    )
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, inherited by children
    mat2, why = find_mat2(args.mat2, args.setup_mat2)
    tools: list = [Photolab(args.photolab)] + ([Mat2(mat2)] if mat2 else [])
    corpus = args.corpus if args.corpus.exists() else None
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        rows = small_file_rows(tools, corpus, work, args.repeat)
        if corpus is not None:
            rows += folder_rows(tools, corpus, work, args.copies, args.folder_runs)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"one core (affinity {sorted(os.sched_getaffinity(0))}), load average {load:.2f} at the end, "
        f"Python {sys.version.split()[0]}" + (f"; mat2 left out: {why}" if why else "")
    )
    if corpus is not None:
        size, name = largest_image_mib(corpus_files(corpus))
        print(f"largest image in the corpus: {name}, {size:.0f} MiB decoded as RGBA")
    print()
    print("| tool | input | ok | median s/file | peak MiB | note |")
    print("|---|---|---:|---:|---:|---|")
    for tool, what, ok, secs, peak, note in rows:
        print(f"| {tool} | {what} | {ok} | {secs} | {peak} | {note} |")


if __name__ == "__main__":
    main()
