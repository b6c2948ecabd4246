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
import difflib
import json
import re
import sys
import time
import unicodedata
from collections import defaultdict
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from photolab.detect import text as text_mod
from photolab.redact import padded_box, redact

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "text-dev"
KINDS = ["door_sign", "badge", "register", "whiteboard", "screen", "plate", "poster"]


def norm(s: str) -> str:
    s = unicodedata.normalize("NFKD", s.casefold())
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[\W_]+", "", s)


def reveals(tokens: list[str], reading: str) -> bool:
    hay = norm(reading)
    words = {norm(w) for w in re.split(r"[\s,;:/()\-]+", reading)} | set(re.findall(r"\d+|[^\W\d_]+", hay))
    for token in (norm(t) for t in tokens):
        if len(token) < 2:
            continue
        if len(token) <= 3:
            if token in words:
                return True
        elif hay and max(difflib.SequenceMatcher(None, token, hay[i:i + len(token)], autojunk=False).ratio()
                         for i in range(max(1, len(hay) - len(token) + 1))) >= 0.6:
            return True
    return False


class Reader:
    def __init__(self) -> None:
        from rapidocr import RapidOCR

        eng = {"EngineConfig.onnxruntime.intra_op_num_threads": 1, "Global.log_level": "error",
               "Det.model_path": str(text_mod.model_dir() / text_mod.DET_MODEL),
               "Rec.model_path": str(text_mod.model_dir() / text_mod.REC_MODEL)}
        self.whole = RapidOCR(params={**eng, "Global.text_score": 0.3, "Global.use_cls": False})
        self.rec = RapidOCR(params={**eng, "Global.use_det": False, "Global.use_cls": False})

    def readings(self, bgr: np.ndarray, lines: list[dict]) -> list[list[str]]:
        found = self.whole(bgr)
        boxes = getattr(found, "boxes", None)
        whole = list(zip(boxes, found.txts, strict=False)) if boxes is not None and found.txts else []
        out = []
        for line in lines:
            quad = np.asarray(line["quad"], np.float32)
            texts = [t for q, t in whole if overlap(quad, np.asarray(q, np.float32)) >= 0.5]
            strip = line_strip(bgr, quad)
            for img in (strip, stretched(strip)):
                res = self.rec(img)
                texts += [t for t, s in zip(res.txts or (), res.scores or (), strict=False) if s >= 0.3]
            out.append(texts)
        return out


def line_strip(bgr: np.ndarray, quad: np.ndarray) -> np.ndarray:
    h = (np.linalg.norm(quad[3] - quad[0]) + np.linalg.norm(quad[2] - quad[1])) / 2
    w = (np.linalg.norm(quad[1] - quad[0]) + np.linalg.norm(quad[2] - quad[3])) / 2
    ex, ey = (quad[1] - quad[0]) / max(w, 1), (quad[3] - quad[0]) / max(h, 1)
    m = 0.15 * h + 1
    grown = quad + np.array([-ex - ey, ex - ey, ex + ey, -ex + ey]) * m
    k = max(1.0, 40.0 / h)
    size = (int((w + 2 * m) * k), int((h + 2 * m) * k))
    target = np.float32([[0, 0], [size[0], 0], [size[0], size[1]], [0, size[1]]])
    matrix = cv2.getPerspectiveTransform(grown.astype(np.float32), target)
    return cv2.warpPerspective(bgr, matrix, size, flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)


def stretched(strip: np.ndarray) -> np.ndarray:
    g = cv2.cvtColor(strip, cv2.COLOR_BGR2GRAY).astype(np.float32)
    lo, hi = np.percentile(g, 1), np.percentile(g, 99)
    g = np.clip((g - lo) * 255.0 / max(hi - lo, 1.0), 0, 255).astype(np.uint8)
    return cv2.cvtColor(g, cv2.COLOR_GRAY2BGR)


def overlap(a: np.ndarray, b: np.ndarray) -> float:
    inter, _ = cv2.intersectConvexConvex(cv2.convexHull(a), cv2.convexHull(b))
    smaller = min(cv2.contourArea(a), cv2.contourArea(b))
    return inter / smaller if smaller > 0 else 0.0


def filled_share(regions, width: int, height: int) -> float:
    mask = np.zeros((height, width), bool)
    for r in regions:
        x, y, w, h = padded_box(r, 0.25, width, height)
        mask[y:y + h, x:x + w] = True
    return float(mask.mean())


def run_image(path: Path, lines: list[dict], reader: Reader, out_dir: Path | None) -> dict:
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
    reader, results = Reader(), {}
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
