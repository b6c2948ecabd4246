"""Benchmark: median seconds per file for `strip`, side by side with mat2 and a bare Pillow round trip.

    taskset -c 0 /work/venv/bin/python bench/bench_strip.py [--corpus DIR] [--big N] [--repeat R]

Prints a markdown table. The process pins itself to one CPU (like ``taskset -c 0``) so every tool,
including the mat2 subprocesses it starts, runs on one core. Rows:

- photolab strip, in-process, per file: read, decode, inspect, encode, atomic write, read-back check.
- mat2 (Debian package) as a subprocess per file (how a user runs it), and mat2's own parser called
  in-process through Debian's python3 (``libmat2``), when available. mat2 refuses some formats (HEIC);
  medians are given over the files each tool handled, plus photolab over the same subset.
- 12-megapixel JPEGs (generated, with EXIF): photolab vs a bare Pillow decode + encode at the same
  settings (quality 92, 4:4:4) with nothing else (no orientation, ICC, checks or write).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from photolab.batch import run_batch
from photolab.metadata import JPEG_QUALITY

DEFAULT_CORPUS = Path(__file__).resolve().parents[2] / "shared" / "data" / "metadata-corpus"
SKIP = {"MANIFEST.md", "sources.json", "manifest.json", "README.md"}

MAT2_IN_PROCESS = r"""
import json, sys, time, shutil, os
from libmat2 import parser_factory
out = {}
for src in json.loads(sys.stdin.read()):
    try:
        t = time.perf_counter()
        parser, _ = parser_factory.get_parser(src)
        ok = parser is not None and parser.remove_all()
        out[src] = time.perf_counter() - t if ok else None
    except Exception:
        out[src] = None
print(json.dumps(out))
"""


def corpus_files(root: Path) -> list[Path]:
    keep = (p for p in root.rglob("*") if p.is_file() and p.name not in SKIP)
    return sorted(p for p in keep if not p.name.endswith(".LICENSE"))


def time_photolab(files: list[Path], repeat: int) -> dict[Path, float | None]:
    times: dict[Path, float | None] = {}
    for src in files:
        best = None
        for _ in range(repeat):
            with tempfile.TemporaryDirectory() as out:
                start = time.perf_counter()
                result = run_batch([src], out)[0]
                took = time.perf_counter() - start
            if result["status"] != "ok":
                best = None
                break
            best = took if best is None else min(best, took)
        times[src] = best
    return times


def time_mat2_cli(files: list[Path]) -> dict[Path, float | None]:
    mat2 = shutil.which("mat2")
    times: dict[Path, float | None] = {}
    if mat2 is None:
        return times
    for src in files:
        with tempfile.TemporaryDirectory() as work:
            copy = Path(work) / src.name
            shutil.copyfile(src, copy)
            start = time.perf_counter()
            run = subprocess.run([mat2, str(copy)], capture_output=True)
            took = time.perf_counter() - start
            cleaned = list(Path(work).glob("*.cleaned.*"))
            times[src] = took if run.returncode == 0 and cleaned else None
    return times


def time_mat2_in_process(files: list[Path]) -> dict[Path, float | None]:
    python = "/usr/bin/python3"
    if not Path(python).exists():
        return {}
    with tempfile.TemporaryDirectory() as work:
        copies = {}
        for i, src in enumerate(files):
            copy = Path(work) / f"{i:04d}_{src.name}"
            shutil.copyfile(src, copy)
            copies[str(copy)] = src
        run = subprocess.run(
            [python, "-c", MAT2_IN_PROCESS], input=json.dumps(list(copies)), capture_output=True, text=True
        )
        if run.returncode != 0:
            return {}
        raw = json.loads(run.stdout.strip().splitlines()[-1])
    return {copies[k]: v for k, v in raw.items()}


def make_12mp_jpegs(folder: Path, count: int) -> list[Path]:
    """Photo-like 4000x3000 JPEGs (smooth gradients plus grain) carrying EXIF with GPS."""
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:3000, 0:4000].astype(np.float32)
    paths = []
    for i in range(count):
        red = 128 + 100 * np.sin(x / (300 + 50 * i))
        base = np.stack([red, 128 + 100 * np.cos(y / 250), (x + y) / 7000 * 255], axis=-1)
        pixels = np.clip(base + rng.normal(0, 12, base.shape), 0, 255).astype(np.uint8)
        exif = Image.Exif()
        exif[0x010F] = "BenchCam"
        exif[0x0112] = 1
        path = folder / f"big{i}.jpg"
        Image.fromarray(pixels).save(path, "JPEG", quality=90, exif=exif.tobytes())
        paths.append(path)
    return paths


def time_bare_pillow(files: list[Path], repeat: int) -> dict[Path, float]:
    times = {}
    for src in files:
        best = None
        for _ in range(repeat):
            start = time.perf_counter()
            with Image.open(src) as im:
                im.load()
                buf = io.BytesIO()
                im.save(buf, "JPEG", quality=JPEG_QUALITY, subsampling="4:4:4")
            took = time.perf_counter() - start
            best = took if best is None else min(best, took)
        times[src] = best
    return times


def median(values: list[float | None]) -> float | None:
    good = [v for v in values if v is not None]
    return statistics.median(good) if good else None


def fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--big", type=int, default=3, help="how many 12 MP JPEGs to generate")
    parser.add_argument("--repeat", type=int, default=3, help="runs per file; the fastest counts")
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core, inherited by children

    rows: list[tuple[str, int, str, str]] = []
    if args.corpus.exists():
        files = corpus_files(args.corpus)
        ours = time_photolab(files, args.repeat)
        mat2_cli = time_mat2_cli(files)
        mat2_lib = time_mat2_in_process(files)
        both = [f for f in files if ours.get(f) is not None and mat2_cli.get(f) is not None]
        rows += [
            ("photolab strip, in-process (all decodable files)", sum(v is not None for v in ours.values()),
             fmt(median(list(ours.values()))), ""),
            ("photolab strip, in-process (files mat2 also handles)", len(both),
             fmt(median([ours[f] for f in both])), ""),
            ("mat2 CLI, one subprocess per file", len(both), fmt(median([mat2_cli[f] for f in both])), ""),
        ]  # fmt: skip
        if mat2_lib:
            lib_ok = [f for f in both if mat2_lib.get(f) is not None]
            rows.append(("mat2 in-process (libmat2 remove_all, no startup)", len(lib_ok),
                         fmt(median([mat2_lib[f] for f in lib_ok])), ""))  # fmt: skip
        mat2_median = median([mat2_cli[f] for f in both])
        our_median = median([ours[f] for f in both])
        if mat2_median and our_median:
            rows[2] = (*rows[2][:3], f"photolab {mat2_median / our_median:.1f}x faster")
    with tempfile.TemporaryDirectory() as work:
        big = make_12mp_jpegs(Path(work), args.big)
        ours_big = time_photolab(big, args.repeat)
        bare = time_bare_pillow(big, args.repeat)
        ratio = median(list(ours_big.values())) / median(list(bare.values()))
        rows += [
            ("photolab strip, 12 MP JPEG", len(big), fmt(median(list(ours_big.values()))),
             f"{ratio:.2f}x bare Pillow"),
            ("bare Pillow decode + encode (q92, 4:4:4), 12 MP JPEG", len(big),
             fmt(median(list(bare.values()))), ""),
        ]  # fmt: skip

    print(f"one core (affinity {sorted(os.sched_getaffinity(0))}), best of {args.repeat} runs per file, "
          f"Python {sys.version.split()[0]}")  # fmt: skip
    print()
    print("| what | files | median s/file | note |")
    print("|---|---:|---:|---|")
    for what, n, value, note in rows:
        print(f"| {what} | {n} | {value} | {note} |")


if __name__ == "__main__":
    main()
