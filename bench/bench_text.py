"""Text redaction benchmark on the text dev set: can OCR still read the identifying lines?

    python bench/bench_text.py [--data ../shared/data/text-dev] [--out DIR] [--images a.jpg ...]

For every labelled identifying line: readable before (rapidocr reads one of its tokens in the original),
exposed after (still read after photolab's detect_text + redact). A line is read when the recogniser,
run on the line's strip (raw and contrast-stretched) or the whole image's OCR result over the line,
returns one of its tokens (fuzzy, similarity >= 0.6; 2-3 character tokens must match exactly).
Also: ms per image for detection alone (one thread), and the share of the image area filled.
``--out`` writes the redacted PNGs, e.g. for ../shared/tools/text_eval.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from PIL import Image

from photolab.detect import text as text_mod
from photolab.readable import LineReader, reveals
from photolab.redact import padded_box, redact

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "text-dev"
KINDS = ["door_sign", "badge", "register", "whiteboard", "screen", "plate", "poster"]


def filled_share(regions, width: int, height: int) -> float:
    mask = np.zeros((height, width), bool)
    for r in regions:
        x, y, w, h = padded_box(r, 0.25, width, height)
        mask[y:y + h, x:x + w] = True
    return float(mask.mean())


def run_image(path: Path, lines: list[dict], reader: LineReader, out_dir: Path | None) -> dict:
    original = Image.open(path).convert("RGB")
    rgb = np.asarray(original)
    bgr = rgb[:, :, ::-1].copy()
    start = time.perf_counter()
    lines_found = text_mod.find_text_lines(bgr, threads=1)
    detect_ms = 1000 * (time.perf_counter() - start)
    regions = text_mod.regions_from_lines(bgr, lines_found, recognise=False)
    redacted = redact(original, regions)
    if out_dir:
        redacted.save(out_dir / f"{path.stem}.png")
    before = reader.readings(bgr, lines)
    after = reader.readings(np.asarray(redacted)[:, :, ::-1].copy(), lines)
    rows = []
    for line, rb, ra in zip(lines, before, after, strict=True):
        readable = any(reveals(line["tokens"], t) for t in rb)
        rows.append({"kind": line["kind"], "text": line["text"], "readable": readable,
                     "exposed": readable and any(reveals(line["tokens"], t) for t in ra)})
    return {"rows": rows, "detect_ms": detect_ms, "filled": filled_share(regions, *original.size)}


def print_table(results: dict[str, dict]) -> None:
    by_kind: dict[str, list[dict]] = defaultdict(list)
    for res in results.values():
        for row in res["rows"]:
            by_kind[row["kind"]].append(row)
    print(f"{'kind':<11} {'lines':>5} {'readable':>8} {'exposed':>7}")
    by_kind["all"] = [r for res in results.values() for r in res["rows"]]
    for kind in [k for k in KINDS if k in by_kind] + sorted(set(by_kind) - {*KINDS, "all"}) + ["all"]:
        rows = by_kind[kind]
        readable, exposed = sum(r["readable"] for r in rows), sum(r["exposed"] for r in rows)
        print(f"{kind:<11} {len(rows):>5} {readable:>8} {exposed:>7}")
    ms = [res["detect_ms"] for res in results.values()]
    filled = [res["filled"] for res in results.values()]
    print(f"detection ms/image (1 thread): mean {np.mean(ms):.0f}  max {np.max(ms):.0f}   "
          f"area filled: mean {100 * np.mean(filled):.1f}%  max {100 * np.max(filled):.1f}%")
    for name, res in results.items():
        for r in res["rows"]:
            if r["exposed"]:
                print(f"  EXPOSED {name} {r['kind']} {r['text']!r}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--out", type=Path, help="write redacted PNGs here")
    ap.add_argument("--images", nargs="*")
    a = ap.parse_args(argv)
    labels_path = a.data / "labels.json"
    if not labels_path.is_file():
        print(f"no dev set at {a.data}", file=sys.stderr)
        return 2
    labels = json.loads(labels_path.read_text(encoding="utf-8"))["images"]
    if a.out:
        a.out.mkdir(parents=True, exist_ok=True)
    reader, results = LineReader(), {}
    for name in a.images or sorted(labels):
        lines = [ln for ln in labels[name]["lines"] if ln.get("identifying", True) and ln.get("tokens")]
        results[name] = run_image(a.data / name, lines, reader, a.out)
        res = results[name]
        print(f"  {name}: readable {sum(r['readable'] for r in res['rows'])} exposed "
              f"{sum(r['exposed'] for r in res['rows'])} detect {res['detect_ms']:.0f} ms", file=sys.stderr)
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
