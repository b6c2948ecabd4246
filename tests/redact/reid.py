"""The re-identification attack of issue 8, and the scenes it runs on (shared by the tests and the bench).

The attacker holds candidate photos of the people (a staff list, another shot of the scene). For each
redacted face they shrink a crop to 4x4 pixels, shrink each of 20 candidate crops of the same geometry
the same way, and pick the nearest. Two geometries: the face box (the centre of the area: the padding
rule is public) and the whole padded area. Two distances: plain L2, and L2 after removing each vector's
mean and scale (normalised: insensitive to a change of lighting). Candidates are either *exact* (the
same pixels as the original photo) or from *another shot* (shifted by up to 8% of the face, rescaled
0.9-1.1, re-lit: gain, offset, colour cast, a slight blur).

What makes the attack meaningful on generated scenes: 20 people who differ in what survives a 4x4
downscale (skin tone, hair colour and extent, beard, glasses), each in distinct surroundings, so that a
fill made from the inside is easy to match while what stays visible around an area (hair, collar,
background) tells a little - measured by a reference fill made from the surroundings alone (OpenCV's
Telea inpainting of the areas). The control is the old coarse mosaic (the area averaged into <= 6
cells), which must score far above chance.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from photolab.core.policy import DEFAULT_PADDING
from photolab.redact import padded_box, shape_mask
from photolab.regions import Region

CANDIDATES = 20
SHRINK = 4  # the attacker's downscale: 4x4 pixels
GEOMETRIES = ("face", "area")
MODES = ("exact", "shifted")
METRICS = ("l2", "normalised")
Box = tuple[int, int, int, int]


# --- the attack ------------------------------------------------------------------------------------


def signature(crop: np.ndarray) -> np.ndarray:
    """The 4x4 (per channel) downscale of a crop, as a float vector."""
    small = cv2.resize(crop.astype(np.float32), (SHRINK, SHRINK), interpolation=cv2.INTER_AREA)
    return small.reshape(-1).astype(np.float64)


def distance(a: np.ndarray, b: np.ndarray, metric: str) -> float:
    if metric == "normalised":
        a, b = _normalised(a), _normalised(b)
    return float(np.linalg.norm(a - b))


def _normalised(v: np.ndarray) -> np.ndarray:
    v = v - v.mean()
    return v / max(float(np.linalg.norm(v)), 1e-6)


def match_credit(target: np.ndarray, candidates: list[np.ndarray], truth: int, metric: str) -> float:
    """1 when the true candidate is the unique nearest, 1/k when it ties with k-1 others, else 0."""
    d = np.array([distance(target, c, metric) for c in candidates])
    winners = np.flatnonzero(d <= d.min() + 1e-9)
    return 1.0 / len(winners) if truth in winners else 0.0


@dataclass(frozen=True)
class Trial:
    """One redacted face: its crop box per geometry, and 20 candidate signatures per (geometry, mode);
    candidate 0 is the true person."""

    image_key: str
    boxes: dict[str, Box]
    candidates: dict[tuple[str, str], list[np.ndarray]]


Rates = dict[tuple[str, str, str], float]  # (geometry, mode, metric) -> match rate


def match_rates(trials: list[Trial], redacted: dict[str, np.ndarray]) -> Rates:
    """Share of trials where the attacker picks the right person, per (geometry, mode, metric)."""
    rates = {}
    for geometry in GEOMETRIES:
        targets = []
        for t in trials:
            x, y, w, h = t.boxes[geometry]
            targets.append(signature(redacted[t.image_key][y:y + h, x:x + w]))
        for mode in MODES:
            for metric in METRICS:
                credits = [match_credit(target, t.candidates[(geometry, mode)], 0, metric)
                           for target, t in zip(targets, trials, strict=True)]
                rates[(geometry, mode, metric)] = float(np.mean(credits))
    return rates


def _trials(key: str, boxes: list[dict[str, Box]], signatures: dict[tuple[str, str], list[np.ndarray]],
            rng: np.random.Generator) -> list[Trial]:
    """One trial per face: the true candidate first, then 19 others (all others when there are 19)."""
    trials = []
    n = len(boxes)
    for i in range(n):
        others = [j for j in range(n) if j != i]
        if len(others) > CANDIDATES - 1:
            others = rng.choice(others, CANDIDATES - 1, replace=False).tolist()
        order = [i, *others]
        trials.append(Trial(key, boxes[i],
                            {k: [v[j] for j in order] for k, v in signatures.items()}))
    return trials


# --- fills the attack is run against ---------------------------------------------------------------


def hidden_mask(shape: tuple[int, int], regions: list[Region],
                padding: float = DEFAULT_PADDING) -> np.ndarray:
    """Union of the pixels ``redact`` replaces."""
    height, width = shape
    mask = np.zeros((height, width), bool)
    for r in regions:
        if not r.enabled:
            continue
        x, y, w, h = padded_box(r, padding, width, height)
        mask[y:y + h, x:x + w] |= shape_mask(r.shape, w, h)
    return mask


def reference_fill(pixels: np.ndarray, regions: list[Region]) -> np.ndarray:
    """A fill made from the surroundings alone, by an independent method: Telea inpainting."""
    mask = hidden_mask(pixels.shape[:2], regions).astype(np.uint8)
    return cv2.inpaint(pixels, mask, 3, cv2.INPAINT_TELEA)


def coarse_mosaic(pixels: np.ndarray, regions: list[Region], seed: int = 0) -> np.ndarray:
    """The control: the old pixelate, made from the INSIDE (each area averaged into <= 6 cells, noised)."""
    rng = np.random.default_rng(seed)
    out = pixels.copy()
    height, width = pixels.shape[:2]
    for r in regions:
        x, y, w, h = padded_box(r, DEFAULT_PADDING, width, height)
        cell = max(1, -(-max(w, h) // 6))
        gw, gh = max(1, -(-w // cell)), max(1, -(-h // cell))
        inside = pixels[y:y + h, x:x + w].astype(np.float32)
        small = cv2.resize(inside, (gw, gh), interpolation=cv2.INTER_AREA)
        small = small + rng.normal(0, 12.0, small.shape).astype(np.float32)
        big = cv2.resize(small, (w, h), interpolation=cv2.INTER_NEAREST)
        out[y:y + h, x:x + w] = np.clip(np.round(big), 0, 255).astype(np.uint8).reshape(h, w, -1)
    return out


# --- candidates from "another shot" ----------------------------------------------------------------


def relit(crop: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Another camera and light: gain, offset, a colour cast and a slight blur."""
    gain = rng.uniform(0.75, 1.25)
    cast = rng.uniform(0.92, 1.08, size=crop.shape[2]) if crop.ndim == 3 else 1.0
    out = crop.astype(np.float32) * gain * cast + rng.uniform(-20, 20)
    out = cv2.GaussianBlur(out, (0, 0), 0.8)
    return np.clip(out, 0, 255).reshape(crop.shape)


def jittered(box: Box, rng: np.random.Generator) -> tuple[float, float, float, float]:
    """The box shifted by up to 8% of its size and rescaled 0.9-1.1 about its centre."""
    x, y, w, h = box
    scale = rng.uniform(0.9, 1.1)
    cx = x + w / 2 + rng.uniform(-0.08, 0.08) * w
    cy = y + h / 2 + rng.uniform(-0.08, 0.08) * h
    return cx - w * scale / 2, cy - h * scale / 2, w * scale, h * scale


def crop_resampled(pixels: np.ndarray, box: tuple[float, float, float, float], size: tuple[int, int]) -> (
        np.ndarray):
    """``box`` (float, may leave the image: edges repeat) resampled to ``size`` (w, h)."""
    x, y, w, h = box
    m = np.array([[w / size[0], 0, x], [0, h / size[1], y]], np.float32)
    return cv2.warpAffine(pixels, m, size, flags=cv2.INTER_AREA | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REPLICATE).reshape(size[1], size[0], -1)


# --- generated scenes: 20 distinct synthetic people in distinct surroundings -------------------------

SKIN = [(236, 204, 180), (224, 178, 148), (198, 150, 112), (160, 112, 80), (118, 80, 56), (84, 56, 40)]
HAIR = [(20, 16, 14), (70, 44, 28), (130, 90, 50), (200, 170, 110), (150, 60, 30), (160, 160, 160),
        (235, 235, 230), (40, 40, 120)]
STYLES = ("bald", "short", "long", "afro", "bun")


@dataclass(frozen=True)
class Person:
    skin: tuple[int, int, int]
    hair: tuple[int, int, int]
    hair_style: str
    beard: bool
    glasses: bool
    shirt: tuple[int, int, int]
    width: float  # face width / height


def people(rng: np.random.Generator, n: int = CANDIDATES) -> list[Person]:
    """``n`` people, no two with the same skin, hair colour and hair style."""
    seen: set[tuple[int, int, str]] = set()
    out = []
    while len(out) < n:
        skin, hair = int(rng.integers(len(SKIN))), int(rng.integers(len(HAIR)))
        style = STYLES[rng.integers(len(STYLES))]
        if (skin, hair, style) in seen:
            continue
        seen.add((skin, hair, style))
        jitter = rng.integers(-12, 13, size=3)
        out.append(Person(
            skin=tuple(int(v) for v in np.clip(np.array(SKIN[skin]) + jitter, 0, 255)),
            hair=HAIR[hair], hair_style=style, beard=bool(rng.random() < 0.3),
            glasses=bool(rng.random() < 0.3),
            shirt=tuple(int(v) for v in rng.integers(20, 236, size=3)), width=float(rng.uniform(0.68, 0.84)),
        ))
    return out


def draw_person(canvas: np.ndarray, p: Person, cx: float, cy: float, face_h: float) -> Box:
    """Draw ``p`` with the face centred at (cx, cy); returns the face box (the skin ellipse's bbox)."""
    a, b = face_h * p.width / 2, face_h / 2

    def ell(x: float, y: float, ax: float, ay: float, colour, angle: float = 0) -> None:
        cv2.ellipse(canvas, (round(x), round(y)), (max(1, round(ax)), max(1, round(ay))), angle, 0, 360,
                    colour, -1, cv2.LINE_AA)

    def pt(dx: float, dy: float) -> tuple[int, int]:
        return round(cx + dx * a), round(cy + dy * b)

    cv2.rectangle(canvas, pt(-2.2, 1.1), pt(2.2, 4), p.shirt, -1)
    ell(cx, cy + 1.05 * b, 0.45 * a, 0.3 * b, p.skin)  # neck
    if p.hair_style == "long":
        cv2.rectangle(canvas, pt(-1.25, -0.6), pt(1.25, 1.3), p.hair, -1)
    if p.hair_style == "afro":
        ell(cx, cy - 0.35 * b, 1.7 * a, 1.05 * b, p.hair)
    if p.hair_style == "bun":
        ell(cx, cy - 1.25 * b, 0.5 * a, 0.35 * b, p.hair)
    ell(cx - a, cy, 0.18 * a, 0.22 * b, p.skin)  # ears
    ell(cx + a, cy, 0.18 * a, 0.22 * b, p.skin)
    ell(cx, cy, a, b, p.skin)
    if p.hair_style in ("short", "long", "bun", "afro"):
        cv2.ellipse(canvas, pt(0, -0.25), (round(1.05 * a), round(0.85 * b)), 0, 180, 360, p.hair, -1,
                    cv2.LINE_AA)
    dark = tuple(int(v * 0.35) for v in p.skin)
    for side in (-1, 1):
        ell(cx + side * 0.4 * a, cy - 0.1 * b, 0.16 * a, 0.07 * b, (245, 245, 245))
        ell(cx + side * 0.4 * a, cy - 0.1 * b, 0.07 * a, 0.07 * b, (40, 30, 20))
        cv2.line(canvas, pt(side * 0.2, -0.3), pt(side * 0.62, -0.32), p.hair, max(1, round(0.05 * b)),
                 cv2.LINE_AA)
    if p.beard:
        cv2.ellipse(canvas, pt(0, 0.2), (round(0.95 * a), round(0.8 * b)), 0, 0, 180, p.hair, -1, cv2.LINE_AA)
    ell(cx, cy + 0.45 * b, 0.35 * a, 0.06 * b, (150, 60, 60) if not p.beard else dark)
    if p.glasses:
        for side in (-1, 1):
            ell(cx + side * 0.4 * a, cy - 0.1 * b, 0.3 * a, 0.16 * b, (15, 15, 15))
    return (round(cx - a), round(cy - b), round(2 * a), round(2 * b))


def background(rng: np.random.Generator, size: tuple[int, int], room: np.ndarray | None = None) -> np.ndarray:
    """A distinct wall: a tint of the room's colour, a gradient, stripes or blotches, sensor noise."""
    w, h = size
    room = rng.integers(60, 196, size=3) if room is None else room
    base = np.clip(room + rng.integers(-WALL_TINT, WALL_TINT + 1, size=3), 0, 255).astype(np.float32)
    xx = np.mgrid[0:h, 0:w][1].astype(np.float32)
    kind = rng.integers(3)
    if kind == 0:
        pattern = (xx / w - 0.5)[..., None] * rng.uniform(-60, 60, size=3)
    elif kind == 1:
        period = rng.uniform(8, 30)
        pattern = (np.sin(xx * 2 * np.pi / period) > 0)[..., None] * rng.uniform(-50, 50, size=3)
    else:
        blotch = cv2.GaussianBlur(rng.normal(0, 1, (h, w)).astype(np.float32), (0, 0), 6)
        pattern = (blotch / (blotch.std() + 1e-6))[..., None] * rng.uniform(-25, 25, size=3)
    noise = rng.normal(0, 4, (h, w, 1))
    return np.clip(base + pattern + noise, 0, 255).astype(np.uint8)


WALL_TINT = 40  # how far one booth's wall strays from the room's colour, per channel
BOOTH = (150, 170)  # w, h of each person's part of a generated scene
GRID = (5, 4)  # booths across, down


@dataclass
class Scene:
    pixels: np.ndarray
    regions: list[Region]
    trials: list[Trial]


def generated_scene(seed: int) -> Scene:
    """20 people in a 5x4 grid of booths, each with its own wall; the trials' candidates are the same 20
    people, as exact crops and from another shot (new wall, jittered crop, other light)."""
    rng = np.random.default_rng(seed)
    crowd = people(rng)
    bw, bh = BOOTH
    pixels = np.zeros((bh * GRID[1], bw * GRID[0], 3), np.uint8)
    faces: list[tuple[Box, float, float, float]] = []
    room = rng.integers(60, 196, size=3)
    for i, person in enumerate(crowd):
        x0, y0 = (i % GRID[0]) * bw, (i // GRID[0]) * bh
        booth = background(rng, BOOTH, room)
        face_h = rng.uniform(44, 64)
        cx, cy = bw / 2 + rng.uniform(-10, 10), bh * 0.42 + rng.uniform(-8, 8)
        box = draw_person(booth, person, cx, cy, face_h)
        pixels[y0:y0 + bh, x0:x0 + bw] = booth
        faces.append(((box[0] + x0, box[1] + y0, box[2], box[3]), cx, cy, face_h))
    regions = [Region(kind="face", box=f[0]) for f in faces]
    boxes = [_geometries(r, pixels.shape) for r in regions]
    signatures: dict[tuple[str, str], list[np.ndarray]] = {}
    for geometry in GEOMETRIES:
        signatures[(geometry, "exact")] = [signature(_crop(pixels, b[geometry])) for b in boxes]
        signatures[(geometry, "shifted")] = [
            _another_shot(p, f, geometry, rng) for p, f in zip(crowd, faces, strict=True)]
    return Scene(pixels, regions, _trials(f"gen{seed}", boxes, signatures, rng))


def _geometries(region: Region, shape: tuple[int, ...]) -> dict[str, Box]:
    return {"face": region.box, "area": padded_box(region, DEFAULT_PADDING, shape[1], shape[0])}


def _crop(pixels: np.ndarray, box: Box) -> np.ndarray:
    x, y, w, h = box
    return pixels[y:y + h, x:x + w]


def _another_shot(person: Person, face: tuple[Box, float, float, float], geometry: str,
                  rng: np.random.Generator) -> np.ndarray:
    """The person drawn again on a new wall, cropped with a jittered box, re-lit: its signature."""
    _, cx, cy, face_h = face
    canvas = background(rng, BOOTH)
    local = draw_person(canvas, person, cx, cy, face_h)
    box = _geometries(Region(kind="face", box=local), (1 << 20, 1 << 20))[geometry]
    crop = crop_resampled(canvas, jittered(box, rng), (64, 64))
    return signature(relit(crop, rng))


# --- real faces (faces-dev) ------------------------------------------------------------------------

MIN_FACE = 20  # px: smaller labelled faces are still redacted, not attacked


def faces_dev_scenes(root: Path, seed: int = 0) -> tuple[dict[str, np.ndarray], dict[str, list[Region]],
                                                       list[Trial]]:
    """Every labelled face of faces-dev >= MIN_FACE px is a target; its 19 distractors are other labelled
    faces of the set. Returns (image key -> pixels, image key -> regions to redact, trials)."""
    labels = json.loads((root / "labels.json").read_text())["images"]
    rng = np.random.default_rng(seed)
    images, regions, faces = {}, {}, []
    for name in sorted(labels):
        pixels = np.asarray(Image.open(root / "images" / name).convert("RGB"))
        images[name] = pixels
        regions[name] = [Region(kind="face", box=tuple(round(v) for v in f["box"]))
                         for f in labels[name]["faces"]]
        for f, r in zip(labels[name]["faces"], regions[name], strict=True):
            if not f.get("ignore") and min(r.box[2], r.box[3]) >= MIN_FACE:
                faces.append((name, _geometries(r, pixels.shape)))
    signatures: dict[tuple[str, str], list[np.ndarray]] = {}
    for geometry in GEOMETRIES:
        signatures[(geometry, "exact")] = [signature(_crop(images[n], b[geometry])) for n, b in faces]
        signatures[(geometry, "shifted")] = [
            signature(relit(crop_resampled(images[n], jittered(b[geometry], rng), (64, 64)), rng))
            for n, b in faces]
    trials = _trials("", [b for _, b in faces], signatures, rng)
    return images, regions, [Trial(n, t.boxes, t.candidates) for (n, _), t in zip(faces, trials, strict=True)]


def attack(images: dict[str, np.ndarray], regions: dict[str, list[Region]], trials: list[Trial],
           fill: Callable[[np.ndarray, list[Region]], np.ndarray]) -> Rates:
    """Redact every image with ``fill`` and run the attack on every trial."""
    redacted = {key: fill(images[key], regions[key]) for key in images}
    return match_rates(trials, redacted)
