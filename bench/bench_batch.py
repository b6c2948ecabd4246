"""Batch speed: the default pipeline stage by stage, and throughput with 1 and 2 workers, local and on Dask.

1. One 12-megapixel photo, one thread, warm process, in-process: seconds per stage of ``core.job`` (open =
   decode + inspect, faces, text, redact, encode + residual check), median of ``--repeat``;
2. whole ``photolab anonymise`` runs over ``--photos`` 12 MP photos (whole process, start-up included):
   ``--jobs 1``, ``--jobs 2``, ``--cluster local:1`` and ``--cluster local:2``; photos per minute;
3. the same local runs over twice as many photos: the extra photos' seconds are the rate a long archive
   run goes at, without the start-up and the uneven end a short batch pays.

    .venv/bin/python bench/bench_batch.py [--photos 8] [--repeat 3] [--source PATH]

Targets (issue 11): default pipeline <= 2.0 s per photo on one thread; 2 cores >= 1.8x one core.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FACES = ROOT.parent / "shared" / "data" / "faces-dev" / "images"


def make_photos(sources: list[Path], folder: Path, count: int) -> list[Path]:
    """``count`` 4000 x 3000 JPEGs of real photo content (with grain, like a phone's)."""
    import numpy as np
    from PIL import Image

    out = []
    for i in range(count):
        image = Image.open(sources[i % len(sources)]).convert("RGB")
        image = image.resize((4000, 3000), Image.Resampling.LANCZOS)
        grain = np.random.default_rng(i).integers(-6, 7, (3000, 4000, 3), dtype=np.int16)
        image = Image.fromarray((np.asarray(image, dtype=np.int16) + grain).clip(0, 255).astype(np.uint8))
        path = folder / f"p{i:02d}.jpg"
        image.save(path, "JPEG", quality=90)
        out.append(path)
    return out


def stages(photo: Path, repeat: int) -> dict[str, float]:
    """Seconds per stage (one thread, warm: the first run loads the models and is not counted)."""
    os.environ["PHOTOLAB_THREADS"] = "1"
    from photolab import config, metadata, redact
    from photolab.core import job, policy

    config.reload()
    times: dict[str, list[float]] = {}
    data = photo.read_bytes()
    for run in range(repeat + 1):
        t = time.perf_counter()
        opened = job.open_photo(data, photo.name)
        laps = {"open (decode + inspect)": time.perf_counter() - t}
        regions: list = []
        for family in ("faces", "text"):
            t = time.perf_counter()
            found = job.detect_regions(opened.photo.image, (family,))
            laps[family] = time.perf_counter() - t
            regions += policy.plan(found.regions, "blur")
        t = time.perf_counter()
        image = redact.redact(opened.photo.image, regions, seed=1)
        laps["redact"] = time.perf_counter() - t
        t = time.perf_counter()
        encoded = metadata.encode_clean(image, "JPEG")
        metadata.assert_clean(encoded)
        laps["encode + residual check"] = time.perf_counter() - t
        if run:
            for k, v in laps.items():
                times.setdefault(k, []).append(v)
    return {k: statistics.median(v) for k, v in times.items()}


def whole_runs(folder: Path, runs: list[tuple[str, list[str]]]) -> list[tuple[str, float]]:
    out = []
    for label, extra in runs:
        target = Path(tempfile.mkdtemp(dir=folder.parent))
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "photolab", "anonymise", str(folder), "-o", str(target),
                        "--progress", "plain", *extra], check=True, capture_output=True)
        out.append((label, time.perf_counter() - t))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--source", type=Path, nargs="*",
                        default=[FACES / n for n in ("deface_city_street.jpg", "ulfd_nurses.jpg",
                                                     "wider_meeting_room.jpg", "ulfd_group_terrace.jpg")])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "in"
        folder.mkdir()
        photos = make_photos(args.source, folder, args.photos)
        per_stage = stages(photos[0], args.repeat)
        print(f"load average {os.getloadavg()[0]:.1f}\n")
        print("| stage (12 MP, one thread, warm, in-process) | seconds |\n|---|---|")
        for name, seconds in per_stage.items():
            print(f"| {name} | {seconds:.2f} |")
        print(f"| **total** | **{sum(per_stage.values()):.2f}** |")
        runs = [("--jobs 1", ["--jobs", "1"]), ("--jobs 2", ["--jobs", "2"]),
                ("--cluster local:1", ["--cluster", "local:1"]),
                ("--cluster local:2", ["--cluster", "local:2"])]
        results = whole_runs(folder, runs)
        base = results[0][1]
        print(f"\n| `photolab anonymise`, {args.photos} photos of 12 MP, whole process | seconds | "
              "photos/min | vs --jobs 1 |\n|---|---|---|---|")
        for label, seconds in results:
            print(f"| {label} | {seconds:.1f} | {60 * args.photos / seconds:.1f} | {base / seconds:.2f}x |")
        twice = Path(tmp) / "twice"
        twice.mkdir()
        steady_table(args.source, twice, args.photos, dict(results))


def steady_table(sources: list[Path], folder: Path, count: int, short: dict[str, float]) -> None:
    """Runs over 2 x ``count`` photos: the seconds the second ``count`` add are the long-run rate."""
    make_photos(sources, folder, 2 * count)
    longer = dict(whole_runs(folder, [("--jobs 1", ["--jobs", "1"]), ("--jobs 2", ["--jobs", "2"])]))
    print(f"\n| {2 * count} photos instead of {count} | seconds for {count} | seconds for {2 * count} | "
          "s per extra photo | vs --jobs 1 |\n|---|---|---|---|---|")
    rate = {label: (longer[label] - short[label]) / count for label in longer}
    for label in longer:
        print(f"| {label} | {short[label]:.1f} | {longer[label]:.1f} | {rate[label]:.2f} | "
              f"{rate['--jobs 1'] / rate[label]:.2f}x |")


if __name__ == "__main__":
    main()
