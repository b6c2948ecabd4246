"""Face detection benchmark: recall by face size on faces-dev, and speed on 12-megapixel photos.

    python bench/bench_faces.py                    # both parts (needs ../shared beside the checkout)
    python bench/bench_faces.py --no-speed         # recall tables only
    python bench/bench_faces.py --people           # also: how often people regions contain the people
    python bench/bench_faces.py --deface PYTHON    # a Python that has deface==1.5.0 (for the speed table)

Judging rule (the dev set's, re-implemented here): a labelled face is caught when the central 70% of its
box is at least 80% covered by the union of detected boxes grown 1.3x about their centres (redact pads
more than that). Over-redaction: the share of non-face pixels (outside every labelled box grown 1.5x,
ignored faces included) covered, averaged over photos. Faces marked "ignore" count neither way.

12-megapixel photos are made from faces-dev: each photo is scaled to cover 4000 x 3000 (Lanczos) and
centre-cropped ("upscaled", faces become large), and 2 x 2 mosaics of four photos scaled to 2000 x 1500
each ("mosaic", crowds with small faces everywhere: the worst case for the fine pass). Speed runs in a
subprocess pinned to one core (`taskset -c 0`) with one thread; the photo is decoded before timing.
deface 1.5.0 is timed on the same photos in the same run (its CenterFace at full resolution, threshold
0.2, as its CLI does). Throughput with 2 jobs: two such processes at once, each on half the photos.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from photolab.detect import faces  # noqa: E402

SHARED = REPO.parent / "shared"
BUCKETS = [(0, 20, "<20"), (20, 40, "20-40"), (40, 80, "40-80"), (80, 160, "80-160"), (160, 1e9, ">160")]
CORE, COVER, GROW, FACE_MARGIN = 0.7, 0.8, 1.3, 1.5
CROWD_WORDS = ("crowd", "large_group", "marchingband", "team")


# ------------------------------------------------------------------------------------------- judging

def _grown(box: list[float], s: float) -> tuple[float, float, float, float]:
    x, y, w, h = box
    return x + w * (1 - s) / 2, y + h * (1 - s) / 2, w * s, h * s


def _paint(mask: np.ndarray, box: tuple[float, float, float, float], value: bool) -> None:
    x, y, w, h = box
    mask[max(0, int(y)):max(0, int(np.ceil(y + h))), max(0, int(x)):max(0, int(np.ceil(x + w)))] = value


def judge(boxes: list[list[float]], faces_: list[dict], width: int, height: int) -> tuple[list[bool], float]:
    """Caught flag per labelled face, and the over-redaction share for one photo."""
    covered = np.zeros((height, width), bool)
    for b in boxes:
        _paint(covered, _grown(b, GROW), True)
    caught = []
    for face in faces_:
        x, y, w, h = _grown(face["box"], CORE)
        core = covered[max(0, int(y)):int(np.ceil(y + h)), max(0, int(x)):int(np.ceil(x + w))]
        caught.append(bool(core.size) and float(core.mean()) >= COVER)
    nonface = np.ones((height, width), bool)
    for face in faces_:
        _paint(nonface, _grown(face["box"], FACE_MARGIN), False)
    return caught, float((covered & nonface).sum() / max(1, nonface.sum()))


def _boxes(array: np.ndarray) -> list[list[float]]:
    return [[float(a), float(b), float(c - a), float(d - b)] for a, b, c, d, _ in array]


def methods() -> dict[str, Callable[[np.ndarray], list[list[float]]]]:
    """photolab's default and each single detector (at its own usual setting, on the photo as it is)."""
    def ensemble(rgb: np.ndarray) -> list[list[float]]:
        return [list(r.box) for r in faces.detect_faces(rgb).regions]

    def blaze(rgb: np.ndarray) -> list[list[float]]:
        f = min(1.0, 1280 / max(rgb.shape[:2]))
        small = cv2.resize(rgb, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1 else rgb
        return [[v / f for v in b] for b in _boxes(faces.blazeface(small, 0.5))]

    return {
        "photolab (default ensemble)": ensemble,
        "CenterFace @0.1, 1x": lambda rgb: _boxes(faces.centerface(rgb, 0.1)),
        "CenterFace @0.2, 1x (deface)": lambda rgb: _boxes(faces.centerface(rgb, 0.2)),
        "YuNet @0.3, 1x": lambda rgb: _boxes(faces.yunet(rgb, 0.3)),
        "BlazeFace full @0.5": blaze,
    }


def recall_tables(dev: Path) -> None:
    labels = json.loads((dev / "labels.json").read_text())["images"]
    photos = {n: np.asarray(Image.open(dev / "images" / n).convert("RGB")) for n in sorted(labels)}
    required = sum(1 for r in labels.values() for f in r["faces"] if not f.get("ignore"))
    print(f"## Recall on faces-dev ({len(photos)} photos, {required} faces; boxes grown 1.3x)\n")
    header = "| method | " + " | ".join(b[2] + " px" for b in BUCKETS) + \
        " | all | photos with no miss | over-redaction | s/photo |"
    print(header)
    print("|" + "---|" * (len(BUCKETS) + 5))
    for title, method in methods().items():
        hits = {b[2]: [0, 0] for b in BUCKETS}
        clean, overs, seconds = 0, [], []
        for name, rgb in photos.items():
            rec = labels[name]
            t0 = time.perf_counter()
            boxes = method(rgb)
            seconds.append(time.perf_counter() - t0)
            caught, over = judge(boxes, rec["faces"], rec["width"], rec["height"])
            overs.append(over)
            misses = 0
            for face, ok in zip(rec["faces"], caught, strict=True):
                if face.get("ignore"):
                    continue
                bucket = next(b[2] for b in BUCKETS if b[0] <= face["box"][3] < b[1])
                hits[bucket][0] += ok
                hits[bucket][1] += 1
                misses += not ok
            clean += misses == 0
        total = sum(v[1] for v in hits.values())
        found = sum(v[0] for v in hits.values())
        cells = " | ".join(f"{100 * k / n:.1f}% ({n})" if n else "-" for k, n in hits.values())
        print(f"| {title} | {cells} | {100 * found / total:.2f}% ({total - found} missed) | "
              f"{clean}/{len(photos)} | {100 * statistics.mean(overs):.1f}% | "
              f"{statistics.mean(seconds):.2f} |")
    print()


# --------------------------------------------------------------------------------------------- speed

def people_table(dev: Path) -> None:
    """How often a labelled person (their face centre) lies inside a ``person`` region."""
    from photolab.detect.people import detect_people

    labels = json.loads((dev / "labels.json").read_text())["images"]
    sizes = [(0, 40, "<40 px"), (40, 80, "40-80 px"), (80, 1e9, ">=80 px")]
    print("## People regions on faces-dev (labelled face centre inside a person box)\n")
    print("| method | " + " | ".join(s[2] for s in sizes) + " | image area covered | s/photo |")
    print("|---|" + "---|" * (len(sizes) + 2))
    for title, with_faces in (("selfie segmentation only", False), ("segmentation + face-anchored", True)):
        hits = {s[2]: [0, 0] for s in sizes}
        areas, seconds = [], []
        for name, rec in sorted(labels.items()):
            rgb = np.asarray(Image.open(dev / "images" / name).convert("RGB"))
            found = faces.detect_faces(rgb).regions if with_faces else None
            t0 = time.perf_counter()
            people = detect_people(rgb, faces=found)
            seconds.append(time.perf_counter() - t0)
            cover = np.zeros(rgb.shape[:2], bool)
            for p in people:
                _paint(cover, p.box, True)
            areas.append(float(cover.mean()))
            for face in rec["faces"]:
                if face.get("ignore"):
                    continue
                x, y, w, h = face["box"]
                size = next(s[2] for s in sizes if s[0] <= h < s[1])
                hits[size][1] += 1
                cx, cy = x + w / 2, y + h / 2
                hits[size][0] += any(p.box[0] <= cx <= p.x2 and p.box[1] <= cy <= p.y2 for p in people)
        cells = " | ".join(f"{100 * k / n:.0f}% ({n})" for k, n in hits.values())
        print(f"| {title} | {cells} | {100 * statistics.mean(areas):.0f}% | {statistics.mean(seconds):.3f} |")
    print()


def crowd_mosaics(dev: Path) -> list[tuple[Image.Image, list[dict]]]:
    """4000 x 3000 mosaics of four crowd photos (2000 x 1500 each), with their labels moved along."""
    labels = json.loads((dev / "labels.json").read_text())["images"]
    crowds = [n for n in sorted(labels) if any(k in n for k in CROWD_WORDS)]
    out = []
    for i in range(0, len(crowds) - 3, 4):
        canvas, moved = Image.new("RGB", (4000, 3000)), []
        for j, name in enumerate(crowds[i:i + 4]):
            tile = Image.open(dev / "images" / name).convert("RGB")
            sx, sy, ox, oy = 2000 / tile.width, 1500 / tile.height, (j % 2) * 2000, (j // 2) * 1500
            canvas.paste(tile.resize((2000, 1500), Image.Resampling.LANCZOS), (ox, oy))
            for face in labels[name]["faces"]:
                x, y, w, h = face["box"]
                box = [x * sx + ox, y * sy + oy, w * sx, h * sy]
                moved.append({"box": box, "ignore": face.get("ignore")})
        out.append((canvas, moved))
    return out


def mosaic_recall(dev: Path) -> None:
    """The 12 MP path (working copy + fine tiles) on labelled crowd mosaics."""
    print("## 12-megapixel crowd mosaics (photolab default)\n")
    print("| mosaic | faces | caught | recall | over-redaction | CPU s |")
    print("|---|---|---|---|---|---|")
    for i, (canvas, moved) in enumerate(crowd_mosaics(dev)):
        c0 = time.process_time()
        regions = faces.detect_faces(np.asarray(canvas)).regions
        cpu = time.process_time() - c0
        caught, over = judge([list(r.box) for r in regions], moved, 4000, 3000)
        required = [ok for ok, f in zip(caught, moved, strict=True) if not f["ignore"]]
        print(f"| {i} | {len(required)} | {sum(required)} | {100 * sum(required) / len(required):.1f}% | "
              f"{100 * over:.1f}% | {cpu:.2f} |")
    print()


def make_12mp(dev: Path, out: Path, count: int) -> list[Path]:
    """12-megapixel JPEGs made from faces-dev photos (see the module notes)."""
    names = sorted(p.name for p in (dev / "images").glob("*.jpg"))
    made = []
    for i, name in enumerate(names[:count]):
        img = Image.open(dev / "images" / name).convert("RGB")
        s = max(4000 / img.width, 3000 / img.height)
        img = img.resize((round(img.width * s), round(img.height * s)), Image.Resampling.LANCZOS)
        left, top = (img.width - 4000) // 2, (img.height - 3000) // 2
        path = out / f"up_{i:02d}.jpg"
        img.crop((left, top, left + 4000, top + 3000)).save(path, quality=92)
        made.append(path)
    for i, (canvas, _) in enumerate(crowd_mosaics(dev)):
        path = out / f"mosaic_{i:02d}.jpg"
        canvas.save(path, quality=92)
        made.append(path)
    return made


def _one_thread_sessions(onnxruntime) -> None:
    """Make every onnxruntime session single-threaded (its pool pins threads to cores, ignoring taskset)."""
    original = onnxruntime.InferenceSession

    def single(*args, **kwargs):
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = options.inter_op_num_threads = 1
        kwargs.setdefault("sess_options", options)
        return original(*args, **kwargs)

    onnxruntime.InferenceSession = single


def worker(engine: str, paths: list[str]) -> None:
    """Run inside the pinned subprocess: print one JSON line per photo with wall and CPU seconds."""
    photos = [np.asarray(Image.open(p).convert("RGB")) for p in paths]
    if engine == "photolab":
        faces.set_threads(1)
        faces.detect_faces(photos[0][:512, :512])  # load the models outside the timing

        def detect(rgb: np.ndarray) -> int:
            return len(faces.detect_faces(rgb).regions)
    else:
        import onnxruntime
        from deface.centerface import CenterFace

        _one_thread_sessions(onnxruntime)  # deface leaves onnxruntime's thread pool at its default
        model = CenterFace(in_shape=None, backend="auto")

        def detect(rgb: np.ndarray) -> int:
            dets, _ = model(rgb, threshold=0.2)
            return len(dets)
    for path, rgb in zip(paths, photos, strict=True):
        t0, c0 = time.perf_counter(), time.process_time()
        n = detect(rgb)
        print(json.dumps({"photo": Path(path).name, "wall": time.perf_counter() - t0,
                          "cpu": time.process_time() - c0, "faces": n}), flush=True)


def _spawn(python: str, engine: str, paths: list[Path], pin: bool) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PHOTOLAB_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    cmd = [python, str(Path(__file__).resolve()), "--worker", engine, *map(str, paths)]
    if pin and shutil.which("taskset"):
        cmd = ["taskset", "-c", "0", *cmd]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)


def _collect(proc: subprocess.Popen) -> list[dict]:
    out, _ = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark worker failed ({proc.returncode})")
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def speed_tables(dev: Path, count: int, deface_python: str | None) -> None:
    with tempfile.TemporaryDirectory(prefix="photolab-bench-") as tmp:
        paths = make_12mp(dev, Path(tmp), count)
        engines = [("photolab", sys.executable)] + ([("deface", deface_python)] if deface_python else [])
        rows = {}
        for engine, python in engines:
            rows[engine] = {r["photo"]: r for r in _collect(_spawn(python, engine, paths, pin=True))}
        print(f"## Seconds per 12-megapixel photo, one core (taskset -c 0), one thread "
              f"({len(paths)} photos)\n")
        print("| photo | " + " | ".join(f"{e} wall | {e} CPU | {e} faces" for e, _ in engines) + " |")
        print("|---|" + "---|---|---|" * len(engines))
        for p in paths:
            cells = " | ".join(f"{rows[e][p.name]['wall']:.2f} | {rows[e][p.name]['cpu']:.2f} | "
                               f"{rows[e][p.name]['faces']}" for e, _ in engines)
            print(f"| {p.name} | {cells} |")
        for kind in ("up_", "mosaic_"):
            summary = []
            for e, _ in engines:
                sel = [r for name, r in rows[e].items() if name.startswith(kind)]
                if sel:
                    summary.append(f"{e}: median wall {statistics.median(r['wall'] for r in sel):.2f} s, "
                                   f"median CPU {statistics.median(r['cpu'] for r in sel):.2f} s")
            print(f"\n{kind.rstrip('_')}: " + "; ".join(summary))
        t0 = time.perf_counter()
        halves = [paths[0::2], paths[1::2]]
        procs = [_spawn(sys.executable, "photolab", half, pin=False) for half in halves if half]
        done = sum(len(_collect(p)) for p in procs)
        wall = time.perf_counter() - t0
        print(f"\nphotolab throughput with 2 jobs (two processes, one thread each, model loading included): "
              f"{done} photos in {wall:.1f} s = {done / wall:.2f} photos/s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=SHARED)
    parser.add_argument("--no-recall", action="store_true")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--people", action="store_true", help="also the people-region table")
    parser.add_argument("--photos", type=int, default=6, help="upscaled 12 MP photos (plus the mosaics)")
    parser.add_argument("--deface", metavar="PYTHON", help="a Python interpreter with deface==1.5.0")
    parser.add_argument("--worker", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], args.worker[1:])
        return 0
    dev = args.shared / "data" / "faces-dev"
    if not dev.is_dir():
        print(f"faces-dev not found under {args.shared}", file=sys.stderr)
        return 2
    if not args.no_recall:
        recall_tables(dev)
        mosaic_recall(dev)
    if args.people:
        people_table(dev)
    if not args.no_speed:
        speed_tables(dev, args.photos, args.deface)
    return 0


if __name__ == "__main__":
    sys.exit(main())
