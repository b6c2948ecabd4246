"""Benchmark: redaction speed on a 12-megapixel photo, and the re-identification attack, new vs old.

    taskset -c 0 python bench/bench_redact.py [--speed] [--reid] [--repeat R] [--old REV | --no-old]

Speed: one area of each size, from a small face to the whole 4000 x 3000 frame, per style and shape,
timed around ``redact()`` (best and median of R runs, milliseconds). ``copy`` is ``Image.copy()`` of the
same photo alone: the floor any redaction that returns a new image pays. ``old`` is the previous
algorithm (``photolab/redact.py`` at ``--old``, read from git history: coarse grid of the *inside*, blurred
at full resolution); it runs once per row when it is slow.

Re-identification (``tests/redact/reid.py``): match rate (%) of the 4x4 nearest-candidate attack among 20
people, per fill, on generated scenes (100 people) and on faces-dev (every labelled face >= 20 px, when
the data is there). Columns: geometry (face box / whole area) x candidates (exact / another shot) x
distance (L2 / normalised). Chance is 5%.

The load average is printed with each table: on a busy machine times are upper bounds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import types
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from redact import reid  # noqa: E402  (tests/redact/reid.py, shared with the tests)

from photolab.redact import redact  # noqa: E402
from photolab.regions import Region  # noqa: E402

OLD_REV = "70e60ed"  # the last commit of the inside-derived algorithm
FACES_DEV = ROOT.parent / "shared" / "data" / "faces-dev"
W, H = 4000, 3000
SIDES = (40, 120, 400, 1000, 2000, 3000)  # area height; width 4/3 of it, capped at the frame


def old_module(rev: str) -> types.ModuleType | None:
    try:
        source = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:photolab/redact.py"],
                                capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    module = types.ModuleType("old_redact")
    exec(compile(source, f"{rev}:photolab/redact.py", "exec"), module.__dict__)
    return module


def photo_12mp() -> Image.Image:
    """A shipped sample scene upscaled to 12 MP, plus sensor noise (so no area is flat)."""
    image = Image.open(ROOT / "samples" / "s07_common_room.jpg").convert("RGB").resize((W, H))
    noise = np.random.default_rng(0).normal(0, 3, (H, W, 1))
    return Image.fromarray(np.clip(np.asarray(image) + noise, 0, 255).astype(np.uint8))


def timed(call: Callable[[], object], repeat: int) -> tuple[float, float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
        if times[-1] > 2000:
            break  # one run of a multi-second row is enough
    return min(times), statistics.median(times)


def speed(repeat: int, old: types.ModuleType | None) -> None:
    image = photo_12mp()
    whole = [Region(kind="face", box=(0, 0, W, H), style="blur", source="manual")]
    timed(lambda: redact(image, whole, seed=1), 3)  # warm the allocator: first touches of memory are slow
    print(f"\n12 MP ({W}x{H}), one area, ms, load {os.getloadavg()[0]:.2f}")
    best, median = timed(image.copy, repeat)
    print(f"copy (floor): best {best:.1f}, median {median:.1f}\n")
    print("| area (px) | style | shape | new best | new median | old |")
    print("|---|---|---|---:|---:|---:|")
    for side in (*SIDES, None):
        w, h = (W, H) if side is None else (min(W, side * 4 // 3), side)
        box = ((W - w) // 2, (H - h) // 2, w, h)
        for style in ("solid", "blur", "pixelate"):
            for shape in ("rect", "ellipse"):
                regions = [Region(kind="face", box=box, style=style, shape=shape, source="manual")]
                best, median = timed(lambda r=regions: redact(image, r, seed=1), repeat)
                was = f"{timed(lambda r=regions: old.redact(image, r), repeat)[0]:.0f}" if old else "-"
                label = "whole frame" if side is None else f"{w}x{h}"
                print(f"| {label} | {style} | {shape} | {best:.1f} | {median:.1f} | {was} |")


def fills(old: types.ModuleType | None) -> dict[str, Callable[[np.ndarray, list[Region]], np.ndarray]]:
    def new(style: str):
        return lambda px, rs: np.asarray(redact(Image.fromarray(px), restyled(rs, style), seed=1))

    def before(style: str):
        return lambda px, rs: np.asarray(old.redact(Image.fromarray(px), restyled(rs, style)))

    out = {f"new {s}": new(s) for s in ("solid", "blur", "pixelate")}
    if old is not None:
        out |= {f"old {s}": before(s) for s in ("blur", "pixelate")}
    out["surround-only reference"] = reid.reference_fill
    out["control: inside mosaic"] = reid.coarse_mosaic
    return out


def restyled(regions: list[Region], style: str) -> list[Region]:
    return [r.with_(style=style) for r in regions]


def reidentification(old: types.ModuleType | None) -> None:
    datasets = [("generated", generated())]
    if FACES_DEV.exists():
        datasets.append(("faces-dev", reid.faces_dev_scenes(FACES_DEV)))
    columns = [(g, m, k) for g in reid.GEOMETRIES for m in reid.MODES for k in reid.METRICS]
    for name, (images, regions, trials) in datasets:
        print(f"\nRe-identification, {name}: {len(trials)} faces, 20 candidates each (chance 5%), match %")
        print("| fill | " + " | ".join(f"{g} {m} {k}" for g, m, k in columns) + " |")
        print("|---|" + "---:|" * len(columns))
        for label, fill in fills(old).items():
            rates = reid.attack(images, regions, trials, fill)
            print(f"| {label} | " + " | ".join(f"{100 * rates[c]:.1f}" for c in columns) + " |")


def generated(scenes: int = 5):
    images, regions, trials = {}, {}, []
    for seed in range(scenes):
        scene = reid.generated_scene(seed)
        images[f"gen{seed}"], regions[f"gen{seed}"] = scene.pixels, scene.regions
        trials += scene.trials
    return images, regions, trials


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--speed", action="store_true", help="only the speed table")
    parser.add_argument("--reid", action="store_true", help="only the re-identification tables")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--old", default=OLD_REV, help="git revision of the previous algorithm")
    parser.add_argument("--no-old", action="store_true", help="leave the previous algorithm out")
    args = parser.parse_args()
    old = None if args.no_old else old_module(args.old)
    if old is None and not args.no_old:
        print(f"(old algorithm not available: no git history at {args.old})")
    if not args.reid:
        speed(args.repeat, old)
    if not args.speed:
        reidentification(old)


if __name__ == "__main__":
    main()
