"""Render photolab's workshop scenario images, their ground-truth hazards and planted metadata.

Every image is drawn with Pillow primitives; the only photographs used are public-domain or CC0
images that scikit-image ships inside its wheel (read straight from the package folder, never
downloaded). Every name, number, place and metadata value is fictional.

    python scripts/make_samples.py [--out samples]

Writes <out>/sNN_*.jpg and <out>/hazards.json. Deterministic: same inputs, same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import numpy as np
import piexif
from PIL import Image, ImageDraw, ImageFilter, ImageFont

SEED = 20261130
W, H = 1600, 1067
JPEG_QUALITY = 90
GENERATOR = "scripts/make_samples.py"
HAZARD_KINDS = ("face", "text", "person", "tattoo", "plate", "place", "document", "screen", "other")

Point = tuple[float, float]
Labels = tuple[str, str, str]  # en, fr, es
RGB = tuple[int, int, int]


# ----------------------------------------------------------------------------- public-domain sources
@dataclass(frozen=True)
class Source:
    file: str
    sha256: str
    credit: str
    licence: str
    face_box: tuple[int, int, int, int] | None = None  # x, y, w, h in the source image, measured once


SOURCES = {
    "astronaut": Source(
        "astronaut.png",
        "88431cd9653ccd539741b555fb0a46b61558b301d4110412b5bc28b5e3ea6cb5",
        "NASA portrait of astronaut Eileen Collins (NASA Great Images), via scikit-image",
        "Public domain (NASA)",
        face_box=(177, 66, 95, 95),
    ),
    "camera": Source(
        "camera.png",
        "b0793d2adda0fa6ae899c03989482bff9a42d3d5690fc7e3648f2795d730c23a",
        "'camera' photograph by Lav Varshney, via scikit-image",
        "CC0 1.0",
        face_box=(158, 80, 102, 122),
    ),  # profile: back of the head to the nose, hair to chin
    "coffee": Source(
        "coffee.png",
        "cc02f8ca188b167c775a7101b5d767d1e71792cf762c33d6fa15a4599b5a8de7",
        "'coffee' photograph by Rachel Michetti, via scikit-image",
        "CC0 1.0",
    ),
    "brick": Source(
        "brick.png",
        "7966caf324f6ba843118d98f7a07746d22f6a343430add0233eca5f6eaaa8fcf",
        "'brick' texture from CC0Textures (Bricks25), via scikit-image",
        "CC0 1.0",
    ),
    "grass": Source(
        "grass.png",
        "b6b6022426b38936c43a4ac09635cd78af074e90f42ffa8227ac8b7452d39f89",
        "'grass' texture by linolafett (DeviantArt), via scikit-image",
        "CC0 1.0",
    ),
    "gravel": Source(
        "gravel.png",
        "c48615b451bf1e606fbd72c0aa9f8cc0f068ab7111ef7d93bb9b0f2586440c12",
        "'gravel' texture from CC0Textures (Gravel04), via scikit-image",
        "CC0 1.0",
    ),
}


class SourceMissing(RuntimeError):
    pass


def skimage_data_dir() -> Path:
    """The folder of images bundled in the scikit-image wheel (found without importing skimage.data)."""
    import importlib.util

    spec = importlib.util.find_spec("skimage")
    if spec is None or not spec.submodule_search_locations:
        raise SourceMissing("scikit-image is not installed (pip install scikit-image)")
    return Path(next(iter(spec.submodule_search_locations))) / "data"


@cache
def load_source(name: str) -> Image.Image:
    src = SOURCES[name]
    path = skimage_data_dir() / src.file
    if not path.is_file():
        raise SourceMissing(f"{path} is missing: it should ship inside the scikit-image wheel")
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != src.sha256:
        raise SourceMissing(f"{path} differs from the image these samples were made from")
    return Image.open(io.BytesIO(data)).convert("RGB")


# ----------------------------------------------------------------------------- drawing helpers
@cache
def font(size: int) -> ImageFont.FreeTypeFont:
    f = ImageFont.load_default(size=size)
    if not isinstance(f, ImageFont.FreeTypeFont):
        raise RuntimeError("Pillow was built without FreeType; the samples need scalable text")
    return f


def lerp(a: Point, b: Point, t: float) -> Point:
    return (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t)


def homography(src: Sequence[Point], dst: Sequence[Point]) -> np.ndarray:
    """3x3 matrix mapping the four src points onto the four dst points."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(src, dst, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    h = np.linalg.solve(np.array(rows, float), np.array(rhs, float))
    return np.append(h, 1.0).reshape(3, 3)


def apply_h(m: np.ndarray, pts: Sequence[Point]) -> list[Point]:
    out = []
    for x, y in pts:
        u, v, w = m @ np.array([x, y, 1.0])
        out.append((u / w, v / w))
    return out


def rect_corners(box: Sequence[float]) -> list[Point]:
    x0, y0, x1, y1 = box
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def bounds(points: Sequence[Point]) -> tuple[float, float, float, float]:
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def smooth_noise(w: int, h: int, rng: np.random.Generator, cells: int = 12) -> np.ndarray:
    """Low-frequency noise in [-1, 1], shape (h, w): cheap plaster, wood and cork variation."""
    small = rng.uniform(-1, 1, (max(2, cells * h // max(w, 1)), cells)).astype(np.float32)
    img = Image.fromarray(((small + 1) * 127.5).astype(np.uint8), "L").resize((w, h), Image.BICUBIC)
    return np.asarray(img, np.float32) / 127.5 - 1


def textured(
    size: tuple[int, int],
    rgb: RGB,
    rng: np.random.Generator,
    amp: float = 10,
    cells: int = 10,
    grain: float = 0.0,
) -> Image.Image:
    w, h = size
    n = smooth_noise(w, h, rng, cells) * amp
    if grain:
        n = n + rng.normal(0, grain, (h, w)).astype(np.float32)
    arr = np.clip(np.array(rgb, np.float32)[None, None, :] + n[..., None], 0, 255).astype(np.uint8)
    return Image.fromarray(arr, "RGB")


def tiled(
    tex: Image.Image, size: tuple[int, int], scale: float = 1.0, tint: RGB | None = None
) -> Image.Image:
    if scale != 1.0:
        tex = tex.resize((max(1, round(tex.width * scale)), max(1, round(tex.height * scale))), Image.LANCZOS)
    out = Image.new("RGB", size)
    for y in range(0, size[1], tex.height):
        for x in range(0, size[0], tex.width):
            out.paste(tex, (x, y))
    if tint:
        grey = np.asarray(out.convert("L"), np.float32)[..., None] / 255
        out = Image.fromarray(np.clip(grey * np.array(tint, np.float32) * 1.6, 0, 255).astype(np.uint8))
    return out


@dataclass
class Sprite:
    """A flat object (sign, sheet, screen) drawn upright, then placed into the scene."""

    img: Image.Image
    parts: dict[str, tuple[float, float, float, float]] = field(default_factory=dict)
    lines: dict[str, list[tuple[float, ...]]] = field(default_factory=dict)  # each text line of a part
    mask: Image.Image | None = None  # "L", same size as img; None = the whole rectangle

    @classmethod
    def blank(cls, w: int, h: int, rgb: RGB) -> Sprite:
        return cls(Image.new("RGB", (w, h), rgb))

    @property
    def draw(self) -> ImageDraw.ImageDraw:
        return ImageDraw.Draw(self.img)

    def text(
        self, key: str | None, xy: Point, s: str, size: int, fill: RGB = (20, 20, 20), anchor: str = "la"
    ) -> tuple[float, float, float, float]:
        d = self.draw
        d.text(xy, s, font=font(size), fill=fill, anchor=anchor)
        box = d.textbbox(xy, s, font=font(size), anchor=anchor)
        if key:
            self.mark(key, box)
        return box

    def mark(self, key: str, box: Sequence[float]) -> None:
        self.parts[key] = self.union(key, tuple(box))
        self.lines.setdefault(key, []).append(tuple(box))

    def union(self, key: str, box: Sequence[float]) -> tuple[float, float, float, float]:
        if key not in self.parts:
            return tuple(box)  # type: ignore[return-value]
        a = self.parts[key]
        return (min(a[0], box[0]), min(a[1], box[1]), max(a[2], box[2]), max(a[3], box[3]))


@dataclass
class Placed:
    """A sprite part as it lands in the scene: its outline and the outlines of its text lines."""

    points: list[Point]
    lines: list[list[Point]]


class Placement:
    """Maps boxes of a sprite that was warped into a scene onto scene points."""

    def __init__(self, sprite: Sprite, forward: np.ndarray):
        self.sprite, self.forward = sprite, forward

    def __call__(self, box: Sequence[float]) -> list[Point]:
        return apply_h(self.forward, rect_corners(box))

    def part(self, *keys: str, box: Sequence[float] | None = None) -> Placed:
        """The union of the named parts (or `box`), with every text line drawn under those names."""
        lines = [self(b) for k in keys for b in self.sprite.lines[k]]
        points = self(box) if box is not None else [p for line in lines for p in line]
        return Placed(points, lines)


def int_box(points: Sequence[Point], size: tuple[int, int]) -> list[int]:
    """[x, y, w, h] in whole pixels, covering the points and clipped to the image."""
    x0, y0, x1, y1 = bounds(points)
    x0, y0 = max(0, int(np.floor(x0))), max(0, int(np.floor(y0)))
    x1, y1 = min(size[0], int(np.ceil(x1))), min(size[1], int(np.ceil(y1)))
    return [x0, y0, x1 - x0, y1 - y0]


@cache
def more_labels() -> dict[str, dict[str, str]]:
    """Hazard labels in the languages added later (pt, ar, ru), by hazard id: scripts/hazard_labels.yaml."""
    import yaml

    return yaml.safe_load((Path(__file__).with_name("hazard_labels.yaml")).read_text(encoding="utf-8")) or {}


@dataclass
class Hazard:
    id: str
    kind: str
    labels: Labels
    box: list[int]
    must_redact: bool
    texts: list[str] = field(default_factory=list)
    hard: bool = False  # deliberately small or faint: easy to miss, for people and for detectors
    lines: list[list[int]] = field(default_factory=list)  # boxes of the single text lines inside

    def as_json(self) -> dict:
        d: dict = {
            "id": self.id,
            "kind": self.kind,
            "label": self.labels[0],
            "labels": {**dict(zip(("en", "fr", "es"), self.labels, strict=True)),
                       **more_labels().get(self.id, {})},
            "box": self.box,
            "must_redact": self.must_redact,
        }
        if self.texts:
            d["text"] = self.texts
        if self.lines:
            d["lines"] = self.lines
        if self.hard:
            d["hard"] = True
        return d


class Scene:
    def __init__(self, sid: str, file: str, rng: np.random.Generator, size: tuple[int, int] = (W, H)):
        self.id, self.file, self.rng = sid, file, rng
        self.img = Image.new("RGB", size, (128, 128, 128))
        self.hazards: list[Hazard] = []

    @property
    def draw(self) -> ImageDraw.ImageDraw:
        return ImageDraw.Draw(self.img)

    def text(
        self, xy: Point, s: str, size: int, fill: RGB = (20, 20, 20), anchor: str = "la"
    ) -> tuple[float, float, float, float]:
        d = self.draw
        d.text(xy, s, font=font(size), fill=fill, anchor=anchor)
        return d.textbbox(xy, s, font=font(size), anchor=anchor)

    def place(self, sprite: Sprite, quad: Sequence[Point], shade: float = 1.0) -> Placement:
        """Warp the sprite into quad (TL, TR, BR, BL). Returns a mapper from sprite boxes to scene points."""
        x0, y0, x1, y1 = bounds(quad)
        ox, oy = int(np.floor(x0)), int(np.floor(y0))
        size = (int(np.ceil(x1)) - ox + 1, int(np.ceil(y1)) - oy + 1)
        corners = rect_corners((0, 0, sprite.img.width, sprite.img.height))
        local = [(x - ox, y - oy) for x, y in quad]
        back = homography(local, corners)  # output pixel -> sprite pixel, as PIL wants
        coeffs = tuple((back / back[2, 2]).flatten()[:8])
        img = sprite.img
        if shade != 1.0:
            img = Image.fromarray(np.clip(np.asarray(img, np.float32) * shade, 0, 255).astype(np.uint8))
        warped = img.transform(size, Image.PERSPECTIVE, coeffs, Image.BICUBIC)
        alpha = sprite.mask or Image.new("L", sprite.img.size, 255)
        mask = alpha.transform(size, Image.PERSPECTIVE, coeffs, Image.BILINEAR)
        self.img.paste(warped, (ox, oy), mask)
        return Placement(sprite, homography(corners, quad))

    def paste(self, img: Image.Image, xy: tuple[int, int], mask: Image.Image | None = None) -> None:
        self.img.paste(img, xy, mask)

    def hazard(
        self,
        key: str,
        kind: str,
        labels: Labels,
        region: Sequence[float] | Sequence[Point] | Placed,
        must_redact: bool,
        texts: Sequence[str] = (),
        hard: bool = False,
        lines: Sequence[Sequence[float]] = (),
    ) -> None:
        """region: (x0, y0, x1, y1), a list of points or a placed sprite part (which brings its text lines).

        Stored as integer [x, y, w, h] inside the image; `lines` are (x0, y0, x1, y1) text-line boxes.
        """
        assert kind in HAZARD_KINDS, kind
        line_points = [rect_corners(b) for b in lines]
        if isinstance(region, Placed):
            region, line_points = region.points, region.lines
        points = region if isinstance(region[0], tuple) else rect_corners(region)  # type: ignore[arg-type]
        hid = f"{self.id}-{key}"
        assert all(h.id != hid for h in self.hazards), hid
        size = self.img.size
        self.hazards.append(
            Hazard(
                hid,
                kind,
                labels,
                int_box(points, size),
                must_redact,
                list(texts),
                hard,
                [int_box(q, size) for q in line_points],
            )
        )

    def finish(self, blur: float = 0.7, noise: float = 2.2) -> Image.Image:
        """Camera-ish degradation: sensor noise, slight softness, vignette."""
        arr = np.asarray(self.img, np.float32)
        h, w = arr.shape[:2]
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        r2 = ((xx - w / 2) / (w / 2)) ** 2 + ((yy - h / 2) / (h / 2)) ** 2
        arr = arr * (1 - 0.12 * r2)[..., None]
        arr = arr + self.rng.normal(0, noise, (h, w, 1)).astype(np.float32)
        out = Image.fromarray(np.clip(arr, 0, 255).round().astype(np.uint8), "RGB")
        return out.filter(ImageFilter.GaussianBlur(blur))


# ----------------------------------------------------------------------------- a one-point-perspective room
@dataclass
class Room:
    """Back wall is a rectangle in the image; the near plane is the image frame."""

    back: tuple[float, float, float, float]
    w: int = W
    h: int = H

    @property
    def z_far(self) -> float:
        return self.w / (self.back[2] - self.back[0])

    def s(self, d: float) -> float:
        """Image-space fraction for physical depth d in [0, 1] (0 = image frame, 1 = back wall)."""
        z = 1 + d * (self.z_far - 1)
        return (1 - 1 / z) / (1 - 1 / self.z_far)

    def wall(self, side: str, d: float, v: float) -> Point:
        """Point on the left ('L') or right ('R') wall at depth d and height v (0 floor, 1 ceiling)."""
        bx0, by0, bx1, by1 = self.back
        t = self.s(d)
        if side == "L":
            bottom, top = lerp((0, self.h), (bx0, by1), t), lerp((0, 0), (bx0, by0), t)
        else:
            bottom, top = lerp((self.w, self.h), (bx1, by1), t), lerp((self.w, 0), (bx1, by0), t)
        return lerp(bottom, top, v)

    def floor(self, u: float, d: float) -> Point:
        left, right = self.wall("L", d, 0), self.wall("R", d, 0)
        return lerp(left, right, u)

    def ceiling(self, u: float, d: float) -> Point:
        return lerp(self.wall("L", d, 1), self.wall("R", d, 1), u)

    def wall_quad(self, side: str, d0: float, d1: float, v0: float, v1: float) -> list[Point]:
        """Quad TL, TR, BR, BL as seen in the image (left edge first) for a rectangle on a side wall."""
        near_top, far_top = self.wall(side, d0, v1), self.wall(side, d1, v1)
        near_bot, far_bot = self.wall(side, d0, v0), self.wall(side, d1, v0)
        if side == "L":
            return [near_top, far_top, far_bot, near_bot]
        return [far_top, near_top, near_bot, far_bot]

    def floor_quad(self, u0: float, u1: float, d0: float, d1: float) -> list[Point]:
        return [self.floor(u0, d1), self.floor(u1, d1), self.floor(u1, d0), self.floor(u0, d0)]

    def paint(
        self,
        scene: Scene,
        wall: RGB,
        floor: RGB,
        ceiling: RGB,
        back: RGB | None = None,
        tiles: tuple[int, int] = (0, 0),
        tile_line: RGB = (0, 0, 0),
    ) -> None:
        bx0, by0, bx1, by1 = self.back
        rng = scene.rng
        layers = [
            ([(0, 0), (self.w, 0), (bx1, by0), (bx0, by0)], ceiling, 6),
            ([(0, self.h), (self.w, self.h), (bx1, by1), (bx0, by1)], floor, 12),
            ([(0, 0), (bx0, by0), (bx0, by1), (0, self.h)], shade(wall, 0.92), 8),
            ([(self.w, 0), (bx1, by0), (bx1, by1), (self.w, self.h)], shade(wall, 0.84), 8),
            ([(bx0, by0), (bx1, by0), (bx1, by1), (bx0, by1)], back or wall, 6),
        ]
        for poly, rgb, amp in layers:
            tex = textured((self.w, self.h), rgb, rng, amp=amp, cells=14)
            mask = Image.new("L", (self.w, self.h), 0)
            ImageDraw.Draw(mask).polygon(poly, fill=255)
            scene.img.paste(tex, (0, 0), mask)
        d = scene.draw
        across, deep = tiles
        for i in range(1, across):
            d.line([self.floor(i / across, 0), self.floor(i / across, 1)], fill=tile_line, width=2)
        for j in range(1, deep):
            d.line([self.floor(0, j / deep), self.floor(1, j / deep)], fill=tile_line, width=2)
        skirting = shade(wall, 0.55)
        for side in "LR":
            d.line([self.wall(side, 0, 0.02), self.wall(side, 1, 0.02)], fill=skirting, width=5)
        d.line([(bx0, by1 - 3), (bx1, by1 - 3)], fill=skirting, width=4)


def shade(rgb: RGB, f: float) -> RGB:
    return tuple(max(0, min(255, round(c * f))) for c in rgb)  # type: ignore[return-value]


def ceiling_lights(scene: Scene, room: Room, depths: Sequence[float]) -> None:
    for d in depths:
        quad = [
            room.ceiling(0.42, d + 0.04),
            room.ceiling(0.58, d + 0.04),
            room.ceiling(0.58, d),
            room.ceiling(0.42, d),
        ]
        scene.draw.polygon(quad, fill=(250, 250, 238), outline=(200, 200, 190))


def door(scene: Scene, room: Room, side: str, d0: float, d1: float, rgb: RGB, v1: float = 0.72) -> None:
    frame = room.wall_quad(side, d0 - 0.008, d1 + 0.008, 0.0, v1 + 0.02)
    scene.draw.polygon(frame, fill=shade(rgb, 0.6))
    leaf = room.wall_quad(side, d0, d1, 0.0, v1)
    scene.draw.polygon(leaf, fill=rgb, outline=shade(rgb, 0.5))
    # vision panel and handle
    scene.draw.polygon(
        room.wall_quad(side, d0 + (d1 - d0) * 0.35, d0 + (d1 - d0) * 0.65, 0.48, 0.62),
        fill=(70, 82, 92),
        outline=(40, 40, 40),
    )
    hx = d0 + (d1 - d0) * (0.12 if side == "R" else 0.88)
    scene.draw.polygon(room.wall_quad(side, hx, hx + (d1 - d0) * 0.06, 0.36, 0.385), fill=(190, 190, 180))


def figure(scene: Scene, cx: float, top: float, height: float, rgb: RGB) -> tuple[float, float, float, float]:
    """A simple standing human silhouette; returns its box."""
    d = scene.draw
    u = height / 8  # head units
    d.ellipse([cx - 0.45 * u, top, cx + 0.45 * u, top + 1.1 * u], fill=rgb)
    d.rectangle([cx - 0.18 * u, top + u, cx + 0.18 * u, top + 1.4 * u], fill=rgb)
    d.polygon(
        [
            (cx - 1.1 * u, top + 1.5 * u),
            (cx + 1.1 * u, top + 1.5 * u),
            (cx + 0.9 * u, top + 4.2 * u),
            (cx - 0.9 * u, top + 4.2 * u),
        ],
        fill=rgb,
    )
    d.rounded_rectangle([cx - 1.1 * u, top + 1.35 * u, cx + 1.1 * u, top + 2.0 * u], radius=u * 0.3, fill=rgb)
    d.polygon(
        [
            (cx - 0.85 * u, top + 4.0 * u),
            (cx - 0.05 * u, top + 4.0 * u),
            (cx - 0.15 * u, top + 8 * u),
            (cx - 0.7 * u, top + 8 * u),
        ],
        fill=rgb,
    )
    d.polygon(
        [
            (cx + 0.05 * u, top + 4.0 * u),
            (cx + 0.85 * u, top + 4.0 * u),
            (cx + 0.7 * u, top + 8 * u),
            (cx + 0.15 * u, top + 8 * u),
        ],
        fill=rgb,
    )
    for sx in (-1, 1):
        d.polygon(
            [
                (cx + sx * 1.1 * u, top + 1.6 * u),
                (cx + sx * 1.35 * u, top + 4.4 * u),
                (cx + sx * 1.05 * u, top + 4.5 * u),
                (cx + sx * 0.85 * u, top + 2.0 * u),
            ],
            fill=rgb,
        )
    return cx - 1.4 * u, top, cx + 1.4 * u, top + 8 * u


# ----------------------------------------------------------------------------- scenes
def s01_corridor(scene: Scene) -> None:
    room = Room((640, 330, 960, 610))
    room.paint(
        scene,
        wall=(206, 212, 196),
        floor=(150, 138, 118),
        ceiling=(232, 232, 226),
        back=(196, 204, 190),
        tiles=(6, 14),
        tile_line=(128, 118, 100),
    )
    ceiling_lights(scene, room, (0.1, 0.35, 0.6, 0.85))
    d = scene.draw
    # handrails along both walls
    for side in "LR":
        d.line([room.wall(side, 0, 0.36), room.wall(side, 1, 0.36)], fill=(120, 96, 70), width=9)
    # end of corridor: a window with bars
    d.rectangle([735, 390, 865, 520], fill=(176, 204, 226), outline=(90, 90, 90), width=5)
    for x in range(755, 865, 22):
        d.line([(x, 390), (x, 520)], fill=(70, 70, 70), width=4)
    door(scene, room, "L", 0.42, 0.55, (110, 140, 170))
    door(scene, room, "R", 0.10, 0.26, (110, 140, 170))
    door(scene, room, "R", 0.55, 0.66, (110, 140, 170))

    near = Sprite.blank(560, 300, (246, 246, 240))
    near.draw.rectangle([0, 0, 559, 299], outline=(40, 70, 120), width=10)
    near.draw.rectangle([10, 10, 549, 92], fill=(40, 70, 120))
    near.text("number", (280, 52), "ROOM 14", 60, (255, 255, 255), anchor="mm")
    near.text("name", (280, 160), "Amara Okafor", 62, (20, 20, 20), anchor="mm")
    near.text(None, (280, 246), "Please knock", 40, (90, 90, 90), anchor="mm")
    to_scene = scene.place(near, room.wall_quad("R", 0.03, 0.085, 0.49, 0.60))
    scene.hazard(
        "door-name",
        "text",
        (
            "Resident's name on the door sign of room 14",
            "Nom du résident sur la plaque de la chambre 14",
            "Nombre del residente en el letrero de la habitación 14",
        ),
        to_scene.part("name"),
        True,
        ["Amara Okafor"],
    )
    scene.hazard(
        "room-number",
        "text",
        (
            "Room number 14 (links the name to a place)",
            "Numéro de chambre 14 (relie le nom à un lieu)",
            "Número de habitación 14 (vincula el nombre a un lugar)",
        ),
        to_scene.part("number"),
        True,
        ["ROOM 14"],
    )

    far = Sprite.blank(400, 220, (246, 246, 240))
    far.draw.rectangle([0, 0, 399, 219], outline=(40, 70, 120), width=8)
    far.text("number", (200, 60), "ROOM 9", 60, (40, 70, 120), anchor="mm")
    far.text("name", (200, 150), "J. Lindqvist", 58, (20, 20, 20), anchor="mm")
    to_scene = scene.place(far, room.wall_quad("L", 0.325, 0.40, 0.50, 0.60))
    scene.hazard(
        "door-name-far",
        "text",
        (
            "Second resident's name, further down the corridor",
            "Nom d'un deuxième résident, plus loin dans le couloir",
            "Nombre de otro residente, más lejos en el pasillo",
        ),
        to_scene.part("number", "name", box=(0, 0, 400, 220)),
        True,
        ["Lindqvist"],
        hard=True,
    )

    # hanging ward sign, facing the camera
    sx0, sy0, sx1, sy1 = 500, 236, 1100, 312
    d.line([(sx0 + 40, sy0), (sx0 + 40, room.ceiling(0.3, 0.45)[1])], fill=(90, 90, 90), width=3)
    d.line([(sx1 - 40, sy0), (sx1 - 40, room.ceiling(0.7, 0.45)[1])], fill=(90, 90, 90), width=3)
    d.rectangle([sx0, sy0, sx1, sy1], fill=(30, 100, 70), outline=(240, 240, 240), width=4)
    box = scene.text(
        ((sx0 + sx1) / 2, (sy0 + sy1) / 2),
        "WARD 3 EAST  ·  Acute admissions",
        34,
        (255, 255, 255),
        anchor="mm",
    )
    scene.hazard(
        "ward-sign",
        "place",
        (
            "Ward sign: names the unit (discuss: is naming it intended?)",
            "Panneau du service : nomme l'unité (à discuter : est-ce voulu ?)",
            "Cartel de la unidad: la identifica (a discutir: ¿es intencional?)",
        ),
        (sx0, sy0, sx1, sy1),
        False,
        ["WARD 3 EAST"],
        lines=[box],
    )


def s02_seclusion(scene: Scene) -> None:
    room = Room((360, 150, 1240, 740))
    padded = (196, 190, 170)
    room.paint(scene, wall=padded, floor=(120, 128, 132), ceiling=(220, 220, 214), back=(205, 199, 180))
    d = scene.draw
    bx0, by0, bx1, by1 = room.back
    # padding seams
    for i in range(1, 8):
        x = bx0 + i * (bx1 - bx0) / 8
        d.line([(x, by0), (x, by1)], fill=shade(padded, 0.8), width=3)
    for side in "LR":
        for k in range(1, 4):
            dd = k / 4
            d.line([room.wall(side, dd, 0), room.wall(side, dd, 1)], fill=shade(padded, 0.72), width=3)
    ceiling_lights(scene, room, (0.55,))
    # camera dome in the corner
    d.ellipse([bx1 - 60, by0 + 12, bx1 - 14, by0 + 52], fill=(40, 40, 45))
    d.ellipse([bx1 - 45, by0 + 25, bx1 - 29, by0 + 41], fill=(170, 30, 30))
    # door with observation hatch, and its sign
    d.rectangle([960, 330, 1170, 740], fill=(150, 150, 150), outline=(90, 90, 90), width=5)
    d.rectangle([1020, 420, 1110, 480], fill=(40, 46, 52))
    d.rectangle([960, 272, 1170, 316], fill=(245, 245, 240))
    box = scene.text((1065, 294), "SECLUSION 2", 28, (150, 20, 20), anchor="mm")
    scene.hazard(
        "room-sign",
        "place",
        (
            "Room sign: 'Seclusion 2' (discuss: locates the room)",
            "Panneau « Seclusion 2 » (à discuter : situe la pièce)",
            "Cartel «Seclusion 2» (a discutir: ubica la sala)",
        ),
        (960, 272, 1170, 316),
        False,
        ["SECLUSION 2"],
        lines=[box],
    )
    # observation chart on the back wall
    chart = Sprite.blank(520, 700, (250, 250, 246))
    c = chart.draw
    c.rectangle([200, 0, 320, 40], fill=(120, 120, 125))
    chart.text(None, (30, 60), "SECLUSION OBSERVATION", 32)
    chart.text("name", (30, 115), "Patient: Lucia Ferreira", 38)
    chart.text("dob", (30, 170), "DOB 02/09/1991", 36)
    chart.text(None, (30, 225), "Checks every 15 min", 30, (60, 60, 60))
    for i, (t, note) in enumerate(
        [
            ("09:00", "lying on bed"),
            ("09:15", "shouting"),
            ("09:30", "calm"),
            ("09:45", "asleep"),
            ("10:00", "asleep"),
            ("10:15", "asked for water"),
        ]
    ):
        y = 285 + i * 66
        c.line([(30, y - 8), (490, y - 8)], fill=(180, 180, 190), width=2)
        chart.text(None, (30, y + 8), t, 30, (30, 30, 120))
        chart.text(None, (150, y + 8), note, 30, (30, 30, 120))
    quad = [(430, 300), (700, 304), (698, 666), (428, 662)]
    to_scene = scene.place(chart, quad)
    scene.hazard(
        "chart",
        "document",
        (
            "Observation chart on the wall (health record)",
            "Feuille de surveillance au mur (dossier de santé)",
            "Hoja de observación en la pared (historia clínica)",
        ),
        quad,
        True,
    )
    scene.hazard(
        "chart-name",
        "text",
        (
            "Patient's name and date of birth on the chart",
            "Nom et date de naissance de la patiente sur la feuille",
            "Nombre y fecha de nacimiento de la paciente en la hoja",
        ),
        to_scene.part("name", "dob"),
        True,
        ["Lucia Ferreira", "02/09/1991"],
    )
    # bed: a plinth in the middle of the room, with straps
    top = [room.floor(0.3, 0.8), room.floor(0.7, 0.8), room.floor(0.74, 0.2), room.floor(0.26, 0.2)]

    def lift(p: Point, depth: float) -> Point:
        wall_h = room.wall("L", depth, 0)[1] - room.wall("L", depth, 1)[1]
        return (p[0], p[1] - 0.2 * wall_h)

    mattress = [lift(top[0], 0.8), lift(top[1], 0.8), lift(top[2], 0.2), lift(top[3], 0.2)]
    d.polygon([top[3], top[2], mattress[2], mattress[3]], fill=(70, 80, 88))  # front face
    d.polygon([top[1], top[2], mattress[2], mattress[1]], fill=(62, 72, 80))  # right face
    d.polygon(mattress, fill=(90, 120, 140), outline=(60, 80, 95))
    pillow = [lerp(mattress[0], mattress[1], 0.2), lerp(mattress[0], mattress[1], 0.8)]
    d.rounded_rectangle(
        [pillow[0][0], pillow[0][1] + 4, pillow[1][0], pillow[1][1] + 34], 12, fill=(200, 210, 215)
    )
    strap_pts: list[Point] = []
    for f in (0.3, 0.55, 0.8):
        a = lerp(mattress[0], mattress[3], f)
        b = lerp(mattress[1], mattress[2], f)
        a2, b2 = (a[0] - 14, a[1] + 70 * f), (b[0] + 14, b[1] + 70 * f)
        width = round(8 + 14 * f)
        d.line([a2, a, b, b2], fill=(214, 200, 160), width=width, joint="curve")
        mid = lerp(a, b, 0.5)
        bw, bh = 14 + 16 * f, 8 + 10 * f
        d.rectangle(
            [mid[0] - bw, mid[1] - bh, mid[0] + bw, mid[1] + bh],
            fill=(175, 175, 180),
            outline=(90, 90, 90),
            width=3,
        )
        strap_pts += [a2, b2, (a[0], a[1] - bh), (b[0], b[1] - bh)]
    for corner in mattress:  # wrist and ankle cuffs
        d.ellipse(
            [corner[0] - 20, corner[1] - 10, corner[0] + 20, corner[1] + 14], outline=(214, 200, 160), width=8
        )
    scene.hazard(
        "restraint-bed",
        "other",
        (
            "Bed with restraint straps: dignity and context (discuss)",
            "Lit avec sangles de contention : dignité et contexte (à discuter)",
            "Cama con correas de contención: dignidad y contexto (a discutir)",
        ),
        [
            *mattress,
            top[2],
            top[3],
            *strap_pts,
            *[(x + dx, y + dy) for x, y in mattress for dx, dy in ((-20, -10), (20, 14))],
        ],
        False,
    )


def s03_notice_board(scene: Scene) -> None:
    rng = scene.rng
    scene.paste(textured((W, H), (214, 208, 190), rng, amp=8, cells=16), (0, 0))
    d = scene.draw
    d.rectangle([0, 930, W, H], fill=(140, 110, 80))
    bx0, by0, bx1, by1 = 110, 80, 1490, 900
    d.rectangle([bx0 - 18, by0 - 18, bx1 + 18, by1 + 18], fill=(120, 86, 52))
    cork = textured((bx1 - bx0, by1 - by0), (176, 132, 86), rng, amp=14, cells=40, grain=7)
    scene.paste(cork, (bx0, by0))

    def pin(x: float, y: float, rgb: RGB = (200, 30, 30)) -> None:
        d.ellipse([x - 9, y - 9, x + 9, y + 9], fill=rgb, outline=shade(rgb, 0.5))

    # staff rota
    rota = Sprite.blank(760, 540, (252, 252, 248))
    rota.text(None, (30, 26), "STAFF ROTA  -  WEEK 48", 40, (20, 40, 90))
    rows = [
        ("Ruth Adeyemi", "Nurse", "Early", "07700 900461"),
        ("Marco Bellini", "HCA", "Late", "07700 900118"),
        ("Sina Tupou", "Nurse", "Night", "07700 900732"),
        ("Owen Price", "Officer", "Early", "07700 900259"),
        ("Leila Haddad", "Doctor", "On call", "07700 900904"),
    ]
    heads = ["Name", "Role", "Shift", "Mobile"]
    cols = [30, 300, 430, 545]
    for x, head in zip(cols, heads, strict=True):
        rota.text(None, (x, 100), head, 28, (90, 90, 90))
    rota.draw.line([(30, 140), (730, 140)], fill=(60, 60, 60), width=2)
    for i, row in enumerate(rows):
        y = 160 + i * 70
        for j, (x, val) in enumerate(zip(cols, row, strict=True)):
            key = {0: "names", 3: "phones"}.get(j)
            size = 26 if j == 3 else 30
            rota.text(key, (x, y), val, size)
        rota.draw.line([(30, y + 52), (730, y + 52)], fill=(210, 210, 210), width=1)
    rq = [(150, 120), (905, 132), (900, 670), (148, 660)]
    to_scene = scene.place(rota, rq)
    pin(165, 136)
    pin(888, 148)
    scene.hazard("rota", "document", ("Staff rota", "Planning du personnel", "Turnos del personal"), rq, True)
    scene.hazard(
        "rota-names",
        "text",
        (
            "Staff names on the rota",
            "Noms du personnel sur le planning",
            "Nombres del personal en los turnos",
        ),
        to_scene.part("names"),
        True,
        [r[0] for r in rows],
    )
    scene.hazard(
        "rota-phones",
        "text",
        ("Staff mobile numbers", "Numéros de portable du personnel", "Números de móvil del personal"),
        to_scene.part("phones"),
        True,
        [r[3] for r in rows],
    )

    # pinned photo: team day out (camera.png, CC0)
    src = SOURCES["camera"]
    photo = load_source("camera").resize((380, 380), Image.LANCZOS)
    framed = Image.new("RGB", (404, 470), (250, 250, 250))
    framed.paste(photo, (12, 12))
    ImageDraw.Draw(framed).text((202, 430), "Team day out!", font=font(30), fill=(30, 30, 30), anchor="mm")
    px, py = 1010, 150
    scene.paste(framed, (px, py))
    pin(px + 202, py + 8, (30, 90, 200))
    f = 380 / 512
    fx, fy, fw, fh = src.face_box  # type: ignore[misc]
    scene.hazard(
        "photo-face",
        "face",
        (
            "Staff member's face in a pinned photo (profile)",
            "Visage d'un membre du personnel sur une photo épinglée (profil)",
            "Rostro de un miembro del personal en una foto (de perfil)",
        ),
        (px + 12 + fx * f, py + 12 + fy * f, px + 12 + (fx + fw) * f, py + 12 + (fy + fh) * f),
        True,
    )
    scene.hazard(
        "photo-person",
        "person",
        (
            "Whole person in the pinned photo (body, clothes)",
            "Personne entière sur la photo épinglée (corps, vêtements)",
            "Persona completa en la foto (cuerpo, ropa)",
        ),
        (px + 12, py + 12 + 55 * f, px + 12 + 340 * f, py + 392),
        False,
    )
    scene.hazard(
        "photo-landmark",
        "place",
        (
            "Recognisable buildings behind the person",
            "Bâtiments reconnaissables derrière la personne",
            "Edificios reconocibles detrás de la persona",
        ),
        (px + 12 + 330 * f, py + 12 + 110 * f, px + 392, py + 12 + 235 * f),
        False,
    )

    # visiting hours poster: names the institution
    poster = Sprite.blank(560, 300, (230, 240, 250))
    poster.text("inst", (280, 56), "HOLLIN VALE SECURE UNIT", 34, (20, 40, 90), anchor="mm")
    poster.text(None, (280, 130), "Visiting hours", 44, (20, 20, 20), anchor="mm")
    poster.text(None, (280, 195), "Tue, Thu 14:00-16:00", 32, (40, 40, 40), anchor="mm")
    poster.text(None, (280, 245), "Sat 10:00-12:00", 32, (40, 40, 40), anchor="mm")
    pq = [(200, 700), (760, 694), (764, 884), (204, 890)]
    to_scene = scene.place(poster, pq)
    pin(480, 706, (40, 160, 60))
    scene.hazard(
        "institution",
        "place",
        (
            "Name of the institution on a poster (discuss)",
            "Nom de l'établissement sur une affiche (à discuter)",
            "Nombre de la institución en un cartel (a discutir)",
        ),
        to_scene.part("inst"),
        False,
        ["HOLLIN VALE SECURE UNIT"],
    )
    # complaints leaflet: not a hazard, part of the systemic story
    leaflet = Sprite.blank(420, 300, (255, 250, 205))
    leaflet.text(None, (210, 60), "Not happy?", 40, (20, 20, 20), anchor="mm")
    leaflet.text(None, (210, 130), "You can write to the", 28, (40, 40, 40), anchor="mm")
    leaflet.text(None, (210, 175), "independent monitors.", 28, (40, 40, 40), anchor="mm")
    leaflet.text(None, (210, 235), "Forms at the office.", 28, (40, 40, 40), anchor="mm")
    scene.place(leaflet, [(1000, 660), (1420, 668), (1416, 880), (996, 872)])
    pin(1210, 668, (230, 200, 20))
    # sticky note with a direct line
    note = Sprite.blank(300, 210, (250, 235, 110))
    note.text("t", (150, 62), "Call Ruth", 40, (20, 20, 130), anchor="mm")
    note.text("t", (150, 140), "07700 900461", 34, (20, 20, 130), anchor="mm")
    nq = [(782, 688), (990, 698), (984, 852), (776, 842)]
    to_scene = scene.place(note, nq)
    scene.hazard(
        "sticky-note",
        "text",
        (
            "Sticky note with a staff member's name and number",
            "Post-it avec le prénom et le numéro d'une soignante",
            "Nota adhesiva con el nombre y número de una empleada",
        ),
        to_scene.part("t"),
        True,
        ["Ruth", "07700 900461"],
    )


def wood(size: tuple[int, int], rng: np.random.Generator, rgb: RGB = (140, 96, 58)) -> Image.Image:
    w, h = size
    base = textured(size, rgb, rng, amp=10, cells=6)
    arr = np.asarray(base, np.float32)
    ys = np.arange(h, dtype=np.float32)[:, None]
    xs = np.arange(w, dtype=np.float32)[None, :]
    phase = rng.uniform(0, 6.28)
    grain = np.sin(ys / 7 + 3.0 * np.sin(xs / 310 + phase) + 0.8 * np.sin(xs / 57 + ys / 140)) * 6
    return Image.fromarray(np.clip(arr + grain[..., None], 0, 255).astype(np.uint8))


def s04_register(scene: Scene) -> None:
    rng = scene.rng
    scene.paste(wood((W, H), rng), (0, 0))
    # the open register: two pages in one sprite, seen from the chair (slight perspective)
    book = Sprite.blank(1800, 1120, (246, 242, 228))
    b = book.draw
    b.rectangle([0, 0, 1799, 1119], outline=(90, 40, 30), width=14)
    b.line([(900, 0), (900, 1120)], fill=(180, 170, 150), width=8)
    book.text("title", (60, 40), "SEGREGATION UNIT REGISTER", 44, (120, 20, 20))
    heads = [("Date", 50), ("Name", 235), ("No.", 580), ("Reason", 710)]
    for head, x in heads:
        book.text(None, (x, 120), head, 32, (80, 80, 80))
    rows = [
        ("03/11/26", "Kwame Mensah", "A4471", "fight"),
        ("04/11/26", "Tomas Rivera", "B2093", "own request"),
        ("07/11/26", "Ali Demir", "A5120", "self-harm risk"),
        ("09/11/26", "Piotr Nowak", "C1187", "threats"),
        ("12/11/26", "Kwame Mensah", "A4471", "refused cell"),
        ("15/11/26", "Jean Bosco", "B3302", "transfer"),
    ]
    ink = (25, 35, 110)
    for i, (date, name, no, reason) in enumerate(rows):
        y = 185 + i * 118
        b.line([(60, y + 80), (870, y + 80)], fill=(170, 190, 210), width=3)
        book.text("dates", (50, y + 22), date, 34, ink)
        book.text("names", (235, y + 20), name, 40, ink)
        book.text("numbers", (580, y + 22), no, 36, ink)
        book.text("reasons", (710, y + 24), reason, 30, ink)
    book.text(None, (960, 120), "Authorised by", 32, (80, 80, 80))
    book.text(None, (1400, 120), "Released", 32, (80, 80, 80))
    for i in range(len(rows)):
        y = 185 + i * 118
        b.line([(960, y + 80), (1740, y + 80)], fill=(170, 190, 210), width=3)
        # signature scribble
        pts = [(990 + k * 22, y + 50 + 18 * np.sin(k * 1.7 + i)) for k in range(12)]
        b.line(pts, fill=ink, width=4, joint="curve")
        if i < 4:
            book.text(None, (1400, y + 20), f"{5 + i * 2:02d}/11  {10 + i}:30", 34, ink)
    quad = [(250, 120), (1350, 110), (1520, 880), (80, 900)]
    to_scene = scene.place(book, quad)
    scene.hazard(
        "register",
        "document",
        (
            "Open segregation register (whole page)",
            "Registre d'isolement ouvert (page entière)",
            "Registro de aislamiento abierto (página entera)",
        ),
        quad,
        True,
    )
    scene.hazard(
        "register-names",
        "text",
        (
            "Detainees' names in the register",
            "Noms des personnes détenues dans le registre",
            "Nombres de las personas detenidas en el registro",
        ),
        to_scene.part("names"),
        True,
        sorted({r[1] for r in rows}),
    )
    scene.hazard(
        "register-numbers",
        "text",
        (
            "Prison numbers in the register",
            "Numéros d'écrou dans le registre",
            "Números de interno en el registro",
        ),
        to_scene.part("numbers"),
        True,
        sorted({r[2] for r in rows}),
    )
    scene.hazard(
        "register-reasons",
        "text",
        (
            "Reasons, incl. health information ('self-harm risk')",
            "Motifs, dont une information de santé (« self-harm risk »)",
            "Motivos, incluida información de salud («self-harm risk»)",
        ),
        to_scene.part("reasons"),
        True,
        ["self-harm risk"],
    )
    # staff ID card lying on the desk
    card = Sprite.blank(430, 270, (240, 244, 250))
    c = card.draw
    c.rectangle([0, 0, 429, 60], fill=(20, 60, 110))
    card.text(None, (20, 12), "HMP EASTFOLD  STAFF", 30, (255, 255, 255))
    c.rectangle([20, 80, 140, 240], fill=(190, 196, 204))
    c.ellipse([50, 100, 110, 165], fill=(120, 126, 134))
    c.pieslice([30, 170, 130, 290], 180, 360, fill=(120, 126, 134))
    card.text("name", (160, 95), "P. Brennan", 40)
    card.text("id", (160, 165), "ID 30217", 36)
    cq = [(1150, 905), (1470, 890), (1490, 1055), (1160, 1062)]
    to_scene = scene.place(card, cq)
    scene.hazard(
        "staff-card",
        "text",
        (
            "Officer's ID card: name and number",
            "Carte professionnelle d'un surveillant : nom et numéro",
            "Credencial de un funcionario: nombre y número",
        ),
        to_scene.part("name", "id"),
        True,
        ["Brennan", "30217"],
    )
    # coffee mug (coffee.png, CC0) and a pen
    cup = load_source("coffee").crop((150, 20, 470, 340)).resize((250, 250), Image.LANCZOS)
    mask = Image.new("L", cup.size, 0)
    ImageDraw.Draw(mask).ellipse([8, 8, 242, 242], fill=255)
    scene.paste(cup, (1345, 620), mask.filter(ImageFilter.GaussianBlur(3)))
    scene.draw.line([(60, 990), (420, 930)], fill=(20, 20, 20), width=14)
    scene.draw.line([(420, 930), (445, 926)], fill=(200, 180, 60), width=8)


def s05_window(scene: Scene) -> None:
    rng = scene.rng
    scene.paste(textured((W, H), (222, 216, 200), rng, amp=7), (0, 0))
    d = scene.draw
    wx0, wy0, wx1, wy1 = 300, 90, 1300, 760
    # sky and town
    sky = np.linspace(0, 1, wy1 - wy0, dtype=np.float32)[:, None, None]
    top, bottom = np.array([120, 160, 210], np.float32), np.array([205, 220, 235], np.float32)
    grad = (top + (bottom - top) * sky) * np.ones((1, wx1 - wx0, 1), np.float32)
    scene.paste(Image.fromarray(grad.astype(np.uint8)), (wx0, wy0))
    for i in range(14):
        x = wx0 + i * 75 + int(rng.integers(-10, 10))
        hgt = int(rng.integers(120, 260))
        d.rectangle([x, wy1 - hgt, x + 70, wy1], fill=shade((170, 150, 130), 0.8 + 0.03 * (i % 4)))
        for wy in range(wy1 - hgt + 20, wy1 - 20, 40):
            d.rectangle([x + 12, wy, x + 24, wy + 18], fill=(90, 100, 110))
            d.rectangle([x + 44, wy, x + 56, wy + 18], fill=(90, 100, 110))
    # a distinctive tower: tall shaft, clock, gilded onion dome and a spire
    tx = 930
    d.polygon([(tx - 38, wy1), (tx + 38, wy1), (tx + 30, 300), (tx - 30, 300)], fill=(184, 120, 92))
    for y in range(330, wy1, 46):
        d.line([(tx - 34, y), (tx + 34, y)], fill=(150, 96, 74), width=3)
    d.rectangle([tx - 44, 250, tx + 44, 305], fill=(200, 140, 110))
    d.ellipse([tx - 24, 256, tx + 24, 300], fill=(245, 242, 230), outline=(40, 40, 40), width=3)
    d.line([(tx, 278), (tx, 262)], fill=(20, 20, 20), width=3)
    d.line([(tx, 278), (tx + 14, 284)], fill=(20, 20, 20), width=3)
    d.ellipse([tx - 46, 170, tx + 46, 258], fill=(214, 170, 60), outline=(150, 110, 30), width=3)
    d.polygon([(tx - 12, 186), (tx + 12, 186), (tx, 112)], fill=(214, 170, 60))
    scene.hazard(
        "tower",
        "place",
        (
            "Distinctive tower in the view: locates the building",
            "Tour reconnaissable dans la vue : situe le bâtiment",
            "Torre reconocible en la vista: ubica el edificio",
        ),
        (tx - 46, 112, tx + 46, wy1),
        False,
    )
    # street sign on a lamp post in the foreground of the view
    d.rectangle([520, 470, 532, wy1], fill=(50, 60, 60))
    d.rounded_rectangle([400, 470, 760, 560], radius=10, fill=(25, 55, 120), outline=(240, 240, 240), width=5)
    box = scene.text((580, 515), "Rue des Tanneurs", 42, (255, 255, 255), anchor="mm")
    scene.hazard(
        "street-sign",
        "place",
        (
            "Street sign outside the window (discuss)",
            "Plaque de rue devant la fenêtre (à discuter)",
            "Placa de calle frente a la ventana (a discutir)",
        ),
        (400, 470, 760, 560),
        False,
        ["Rue des Tanneurs"],
        lines=[box],
    )
    # window frame and bars
    d.rectangle([wx0 - 26, wy0 - 26, wx1 + 26, wy1 + 26], outline=(235, 235, 230), width=26)
    d.line([((wx0 + wx1) / 2, wy0), ((wx0 + wx1) / 2, wy1)], fill=(235, 235, 230), width=16)
    for x in range(wx0 + 60, wx1, 110):
        d.line([(x, wy0), (x, wy1)], fill=(60, 60, 64), width=12)
    d.line([(wx0, 420), (wx1, 420)], fill=(60, 60, 64), width=10)
    # reflection of the photographer in the glass: faint figure
    ghost = Image.new("L", (W, H), 0)
    gd = Scene("tmp", "tmp", rng)
    gd.img = Image.new("RGB", (W, H), (0, 0, 0))
    fb = figure(gd, 1160, 330, 420, (255, 255, 255))
    ghost = gd.img.convert("L").filter(ImageFilter.GaussianBlur(6)).point(lambda v: v * 0.22)
    scene.img.paste(Image.new("RGB", (W, H), (250, 250, 250)), (0, 0), ghost)
    scene.hazard(
        "reflection",
        "person",
        (
            "Faint reflection of a person in the glass",
            "Reflet discret d'une personne dans la vitre",
            "Reflejo tenue de una persona en el cristal",
        ),
        (fb[0], fb[1], fb[2], min(fb[3], wy1)),
        False,
        hard=True,
    )
    # windowsill with a letter
    d.rectangle([250, wy1 + 26, 1350, wy1 + 70], fill=(238, 236, 228))
    d.polygon([(250, wy1 + 70), (1350, wy1 + 70), (1400, wy1 + 110), (200, wy1 + 110)], fill=(210, 206, 196))
    letter = Sprite.blank(700, 430, (250, 250, 252))
    letter.draw.rectangle([0, 0, 699, 429], outline=(180, 180, 190), width=4)
    letter.draw.rectangle([560, 30, 660, 140], fill=(200, 80, 80))
    letter.text("addr", (60, 170), "Mr Kwabena Asante", 44, (20, 20, 20))
    letter.text("addr", (60, 235), "Cell 2-17, Wing B", 40, (20, 20, 20))
    letter.text("addr", (60, 295), "HMP Eastfold", 40, (20, 20, 20))
    lq = [(520, 850), (1090, 840), (1140, 1040), (470, 1055)]
    to_scene = scene.place(letter, lq)
    scene.hazard(
        "letter",
        "text",
        (
            "Envelope: detainee's name, cell and prison",
            "Enveloppe : nom, cellule et prison de la personne détenue",
            "Sobre: nombre, celda y prisión de la persona detenida",
        ),
        to_scene.part("addr"),
        True,
        ["Kwabena Asante", "Cell 2-17"],
    )


def s06_tattoo(scene: Scene) -> None:
    rng = scene.rng
    # dim room, bright barred window behind a person standing with folded arms
    scene.paste(textured((W, H), (92, 90, 86), rng, amp=8), (0, 0))
    d = scene.draw
    d.rectangle([880, 60, 1500, 700], fill=(232, 236, 240))
    for x in range(920, 1500, 80):
        d.line([(x, 60), (x, 700)], fill=(70, 70, 74), width=10)
    cx, top, u = 760, 110, 170
    dark, sleeve = (34, 32, 34), (44, 42, 46)
    d.ellipse([cx - 0.5 * u, top, cx + 0.5 * u, top + 1.15 * u], fill=dark)
    d.ellipse([cx + 0.25 * u, top + 0.3 * u, cx + 0.75 * u, top + 0.95 * u], fill=dark)  # hair tied back
    d.rectangle([cx - 0.2 * u, top + u, cx + 0.2 * u, top + 1.55 * u], fill=dark)
    d.rounded_rectangle(
        [cx - 1.3 * u, top + 1.45 * u, cx + 1.3 * u, top + 2.3 * u], radius=0.4 * u, fill=dark
    )
    d.polygon(
        [
            (cx - 1.3 * u, top + 1.8 * u),
            (cx + 1.3 * u, top + 1.8 * u),
            (cx + 1.15 * u, H),
            (cx - 1.15 * u, H),
        ],
        fill=dark,
    )
    for sx in (-1, 1):  # upper arms hanging to the elbows
        d.polygon(
            [
                (cx + sx * 1.05 * u, top + 1.6 * u),
                (cx + sx * 1.5 * u, top + 1.7 * u),
                (cx + sx * 1.62 * u, top + 3.55 * u),
                (cx + sx * 1.12 * u, top + 3.6 * u),
            ],
            fill=sleeve,
        )
    scene.hazard(
        "silhouette",
        "person",
        (
            "Person's silhouette: build, hair, posture",
            "Silhouette d'une personne : corpulence, cheveux, posture",
            "Silueta de una persona: complexión, pelo, postura",
        ),
        (cx - 1.65 * u, top, cx + 1.65 * u, H),
        False,
    )
    # the far forearm, mostly hidden under the near one
    d.rounded_rectangle(
        [cx - 1.1 * u, top + 3.0 * u, cx + 1.55 * u, top + 3.45 * u], radius=0.2 * u, fill=(120, 92, 74)
    )
    # the near forearm, lit by a lamp, drawn flat then laid across the body
    arm = Sprite(textured((1000, 190), (196, 150, 118), rng, amp=6, cells=20))
    shading = np.linspace(1.1, 0.8, 190, dtype=np.float32)[:, None, None]
    arm.img = Image.fromarray(np.clip(np.asarray(arm.img, np.float32) * shading, 0, 255).astype(np.uint8))
    ink = (34, 44, 70)
    a = arm.draw
    a.polygon([(60, 100), (140, 55), (200, 88), (270, 40), (240, 112), (160, 124)], fill=ink)  # a swallow
    a.polygon([(150, 118), (120, 165), (175, 126)], fill=ink)
    arm.mark("tattoo", (55, 38, 280, 168))
    a.rounded_rectangle([300, 45, 640, 140], radius=24, outline=ink, width=6)
    arm.text("tattoo", (470, 93), "MARISOL", 64, ink, anchor="mm")
    arm.text("tattoo", (740, 93), "1998", 54, ink, anchor="mm")
    a.rectangle([825, 0, 1000, 190], fill=(238, 242, 246))  # ID band at the wrist
    a.line([(825, 0), (825, 190)], fill=(170, 180, 190), width=4)
    arm.text("band", (912, 95), "04-3312", 40, (20, 20, 20), anchor="mm")
    arm.mask = Image.new("L", arm.img.size, 0)
    ImageDraw.Draw(arm.mask).polygon(
        [(0, 0), (420, 4), (1000, 26), (1000, 176), (420, 186), (0, 190)], fill=255
    )
    arm.mask = arm.mask.filter(ImageFilter.GaussianBlur(2))
    aq = [
        (cx - 1.62 * u, top + 2.95 * u),
        (cx + 1.35 * u, top + 2.72 * u),
        (cx + 1.38 * u, top + 3.3 * u),
        (cx - 1.6 * u, top + 3.55 * u),
    ]
    to_scene = scene.place(arm, aq)
    hand = aq[1][0], (aq[1][1] + aq[2][1]) / 2
    d.ellipse([hand[0] - 10, hand[1] - 0.32 * u, hand[0] + 0.45 * u, hand[1] + 0.3 * u], fill=(172, 130, 102))
    d.rectangle([aq[0][0] - 8, aq[0][1] - 6, aq[0][0] + 30, aq[3][1] + 6], fill=sleeve)  # rolled-up sleeve
    scene.hazard(
        "tattoo",
        "tattoo",
        (
            "Tattoo on the forearm: a swallow, a name and a year",
            "Tatouage sur l'avant-bras : une hirondelle, un prénom, une année",
            "Tatuaje en el antebrazo: una golondrina, un nombre y un año",
        ),
        to_scene.part("tattoo"),
        True,
        ["MARISOL", "1998"],
    )
    scene.hazard(
        "wristband",
        "text",
        (
            "ID band on the wrist with a number",
            "Bracelet d'identification avec un numéro",
            "Pulsera de identificación con un número",
        ),
        to_scene.part("band"),
        True,
        ["04-3312"],
    )
    scene.hazard(
        "forearm",
        "person",
        (
            "Bare forearm and hand: skin, shape can identify",
            "Avant-bras et main nus : peau, forme peuvent identifier",
            "Antebrazo y mano desnudos: piel y forma pueden identificar",
        ),
        [*aq, (hand[0] + 0.45 * u, hand[1])],
        False,
    )


def astronaut_cutout() -> tuple[Image.Image, Image.Image]:
    """The astronaut portrait with a soft silhouette mask (head, collar ring, shoulders)."""
    img = load_source("astronaut")
    mask = Image.new("L", img.size, 0)
    m = ImageDraw.Draw(mask)
    m.ellipse([150, 12, 302, 196], fill=255)
    m.ellipse([112, 140, 310, 300], fill=255)
    m.polygon([(40, 280), (120, 215), (310, 215), (360, 280), (372, 512), (30, 512)], fill=255)
    # drop the pale studio backdrop that the head outline still contains (not the face: teeth are pale too)
    hsv = np.asarray(img.convert("HSV"), np.int16)
    backdrop = (hsv[..., 1] < 40) & (hsv[..., 2] > 150)
    fx, fy, fw, fh = SOURCES["astronaut"].face_box  # type: ignore[misc]
    backdrop[fy : fy + fh, fx : fx + fw] = False
    backdrop[200:] = False
    arr = np.asarray(mask, np.uint8).copy()
    arr[backdrop] = 0
    return img, Image.fromarray(arr).filter(ImageFilter.MedianFilter(5)).filter(ImageFilter.GaussianBlur(2))


def s07_common_room(scene: Scene) -> None:
    room = Room((420, 240, 1180, 640))
    room.paint(
        scene,
        wall=(226, 214, 180),
        floor=(160, 120, 90),
        ceiling=(236, 232, 222),
        back=(214, 204, 176),
        tiles=(10, 12),
        tile_line=(140, 104, 78),
    )
    d = scene.draw
    ceiling_lights(scene, room, (0.3, 0.7))
    # poster and television on the back wall
    poster = Sprite.blank(360, 260, (250, 250, 240))
    poster.text(None, (180, 40), "HOUSE MEETING", 34, (150, 40, 40), anchor="mm")
    poster.text(None, (180, 100), "Thursday 4pm", 34, (20, 20, 20), anchor="mm")
    poster.text("kw", (180, 170), "Ask Ruth (keyworker)", 28, (20, 20, 20), anchor="mm")
    to_scene = scene.place(poster, [(450, 262), (710, 262), (710, 450), (450, 450)])
    scene.hazard(
        "poster-name",
        "text",
        (
            "Keyworker's first name on a poster",
            "Prénom de la référente sur une affiche",
            "Nombre de pila de la referente en un cartel",
        ),
        to_scene.part("kw"),
        True,
        ["Ruth"],
    )
    d.rectangle([740, 290, 960, 420], fill=(25, 25, 30), outline=(60, 60, 60), width=6)
    d.rectangle([752, 302, 948, 408], fill=(50, 70, 96))
    # beds along the left wall, each with a name card
    for i, (d0, d1) in enumerate([(0.05, 0.35), (0.55, 0.8)]):
        top = [room.floor(0.02, d1), room.floor(0.3, d1), room.floor(0.3, d0), room.floor(0.02, d0)]
        lift = 90 * (1 - 0.5 * d0)
        mattress = [(x, y - lift) for x, y in top]
        d.polygon([top[3], top[2], mattress[2], mattress[3]], fill=(90, 80, 70))
        d.polygon([top[1], top[2], mattress[2], mattress[1]], fill=(110, 96, 84))
        d.polygon(mattress, fill=(210, 214, 222), outline=(150, 150, 160))
        blanket = [
            lerp(mattress[0], mattress[3], 0.35),
            lerp(mattress[1], mattress[2], 0.35),
            mattress[2],
            mattress[3],
        ]
        d.polygon(blanket, fill=(70, 110, 150) if i == 0 else (140, 80, 80))
    card = Sprite.blank(420, 220, (255, 255, 255))
    card.draw.rectangle([0, 0, 419, 219], outline=(60, 60, 60), width=6)
    card.text(None, (210, 50), "BED 3", 44, (60, 60, 60), anchor="mm")
    card.text("name", (210, 140), "S. Marchetti", 52, (20, 20, 20), anchor="mm")
    cq = room.wall_quad("L", 0.05, 0.2, 0.40, 0.56)
    to_scene = scene.place(card, cq)
    scene.hazard(
        "bed-card",
        "text",
        (
            "Name card above a bed",
            "Étiquette nominative au-dessus d'un lit",
            "Tarjeta con nombre sobre una cama",
        ),
        to_scene.part("name"),
        True,
        ["Marchetti"],
    )
    # a resident watching television, seen from behind (not identifiable by face)
    fb = figure(scene, 850, 420, 215, (70, 80, 110))
    scene.hazard(
        "far-person",
        "person",
        (
            "Resident in the background, seen from behind",
            "Résident au fond, vu de dos",
            "Residente al fondo, de espaldas",
        ),
        fb,
        False,
    )
    # the astronaut portrait composited as a staff member standing behind a counter
    img, mask = astronaut_cutout()
    scale = 1.45
    size = (round(img.width * scale), round(img.height * scale))
    px, py = 800, 320
    scene.paste(img.resize(size, Image.LANCZOS), (px, py), mask.resize(size, Image.LANCZOS))
    fx, fy, fw, fh = SOURCES["astronaut"].face_box  # type: ignore[misc]
    scene.hazard(
        "face",
        "face",
        ("Face of a staff member", "Visage d'une membre du personnel", "Rostro de una miembro del personal"),
        (px + fx * scale, py + fy * scale, px + (fx + fw) * scale, py + (fy + fh) * scale),
        True,
    )
    # lanyard badge on the chest
    badge = Sprite.blank(300, 190, (250, 250, 250))
    badge.draw.rectangle([0, 0, 299, 50], fill=(30, 110, 90))
    badge.text(None, (150, 25), "STAFF", 34, (255, 255, 255), anchor="mm")
    badge.text("name", (150, 95), "J. Whitfield", 40, (20, 20, 20), anchor="mm")
    badge.text("name", (150, 150), "Nurse", 34, (60, 60, 60), anchor="mm")
    bx, by = px + 235 * scale, py + 240 * scale
    d.line([(px + 205 * scale, py + 215 * scale), (bx + 25, by + 2)], fill=(30, 110, 90), width=7)
    d.line([(px + 285 * scale, py + 225 * scale), (bx + 125, by + 4)], fill=(30, 110, 90), width=7)
    bq = [(bx, by), (bx + 150, by + 4), (bx + 148, by + 100), (bx - 2, by + 96)]
    to_scene = scene.place(badge, bq)
    scene.hazard(
        "badge",
        "text",
        ("Staff badge: name and role", "Badge : nom et fonction", "Credencial: nombre y cargo"),
        to_scene.part("name"),
        True,
        ["Whitfield"],
    )
    # counter in front, down to the floor (it also hides the original portrait's patch and name tag)
    ty = py + 330 * scale
    d.polygon([(560, ty), (1480, ty), (1560, ty + 110), (480, ty + 110)], fill=(186, 150, 110))
    d.rectangle([480, ty + 110, 1560, H], fill=(150, 116, 84))
    for x in range(540, 1560, 170):
        d.line([(x, ty + 130), (x, H)], fill=(130, 100, 72), width=3)
    d.line([(480, ty + 110), (1560, ty + 110)], fill=(120, 92, 66), width=5)
    scene.hazard(
        "person",
        "person",
        (
            "Whole person: hair, clothing, build",
            "Personne entière : cheveux, vêtements, silhouette",
            "Persona completa: pelo, ropa, complexión",
        ),
        (px + 30 * scale, py + 12 * scale, px + 372 * scale, ty),
        False,
    )


def s08_screen(scene: Scene) -> None:
    rng = scene.rng
    scene.paste(textured((W, H), (200, 206, 210), rng, amp=7), (0, 0))
    d = scene.draw
    scene.paste(wood((W, 330), rng, (170, 130, 90)), (0, 737))
    # monitor
    mx0, my0, mx1, my1 = 250, 80, 1350, 700
    quad = [(262, 96), (1340, 70), (1346, 716), (256, 688)]  # the monitor is turned slightly
    d.polygon(
        [
            (quad[0][0] - 22, quad[0][1] - 22),
            (quad[1][0] + 22, quad[1][1] - 24),
            (quad[2][0] + 22, quad[2][1] + 24),
            (quad[3][0] - 22, quad[3][1] + 22),
        ],
        fill=(28, 28, 32),
    )
    d.polygon([(720, my1 + 22), (880, my1 + 22), (920, 800), (680, 800)], fill=(40, 40, 44))
    d.ellipse([600, 780, 1000, 830], fill=(36, 36, 40))
    screen = Sprite.blank(mx1 - mx0, my1 - my0, (244, 247, 250))
    s = screen.draw
    s.rectangle([0, 0, screen.img.width, 60], fill=(0, 90, 140))
    screen.text(None, (24, 14), "CareTrack 7  -  Patient record", 32, (255, 255, 255))
    s.rectangle([0, 60, 230, screen.img.height], fill=(220, 228, 236))
    for i, item in enumerate(["Summary", "Notes", "Medication", "Incidents", "Legal"]):
        screen.text(None, (24, 90 + i * 56), item, 30, (30, 50, 80))
    fields = [
        ("Name", "Daniel Mwangi", "name"),
        ("Patient ID", "4471 208 553", "pid"),
        ("Date of birth", "14/03/1986", "dob"),
        ("Ward / bed", "3 East / 7", "ward"),
        ("Legal status", "Detained, s.3", "legal"),
        ("Diagnosis", "Paranoid schizophrenia", "dx"),
        ("Next of kin", "Grace Mwangi  07700 900377", "kin"),
    ]
    for i, (k, v, key) in enumerate(fields):
        y = 95 + i * 66
        screen.text(None, (270, y), k, 30, (90, 90, 90))
        screen.text(key, (520, y), v, 36, (10, 10, 10))
        s.line([(270, y + 52), (1060, y + 52)], fill=(210, 214, 220), width=2)
    s.rectangle([270, 570, 470, 612], fill=(0, 90, 140))
    screen.text(None, (370, 591), "Save", 28, (255, 255, 255), anchor="mm")
    to_scene = scene.place(screen, quad)
    glare = Image.new("L", (W, H), 0)
    ImageDraw.Draw(glare).polygon([(700, 70), (1000, 70), (640, 716), (340, 716)], fill=38)
    scene.img.paste((255, 255, 255), (0, 0, W, H), glare.filter(ImageFilter.GaussianBlur(40)))
    scene.hazard(
        "screen",
        "screen",
        (
            "Screen showing a patient record",
            "Écran affichant un dossier patient",
            "Pantalla con una historia clínica",
        ),
        quad,
        True,
    )
    labels: dict[str, Labels] = {
        "name": ("Patient's name", "Nom du patient", "Nombre del paciente"),
        "pid": ("Patient ID number", "Numéro d'identification du patient", "Número de identificación"),
        "dob": ("Date of birth", "Date de naissance", "Fecha de nacimiento"),
        "ward": (
            "Ward and bed: locate the patient",
            "Service et lit : situent le patient",
            "Unidad y cama: ubican al paciente",
        ),
        "legal": (
            "Legal status (detained)",
            "Statut légal (hospitalisation sous contrainte)",
            "Situación legal (internamiento involuntario)",
        ),
        "dx": ("Diagnosis (health data)", "Diagnostic (donnée de santé)", "Diagnóstico (dato de salud)"),
        "kin": (
            "Relative's name and phone number",
            "Nom et téléphone d'un proche",
            "Nombre y teléfono de un familiar",
        ),
    }
    texts = {
        "name": ["Daniel Mwangi"],
        "pid": ["4471 208 553"],
        "dob": ["14/03/1986"],
        "ward": ["3 East / 7"],
        "legal": ["Detained, s.3"],
        "dx": ["Paranoid schizophrenia"],
        "kin": ["Grace Mwangi", "07700 900377"],
    }
    for key, lab in labels.items():
        scene.hazard(f"screen-{key}", "text", lab, to_scene.part(key), True, texts[key])
    # sticky note with a password on the bezel
    note = Sprite.blank(260, 200, (250, 235, 110))
    note.text("t", (130, 70), "login:", 36, (20, 20, 120), anchor="mm")
    note.text("t", (130, 130), "Spring26!", 36, (20, 20, 120), anchor="mm")
    nq = [(1330, 540), (1500, 548), (1494, 690), (1324, 682)]
    to_scene = scene.place(note, nq)
    scene.hazard(
        "password",
        "other",
        (
            "Password on a sticky note (security, not identity)",
            "Mot de passe sur un post-it (sécurité, pas identité)",
            "Contraseña en una nota (seguridad, no identidad)",
        ),
        to_scene.part("t"),
        False,
        ["Spring26!"],
    )
    # keyboard and mug
    d.polygon([(420, 880), (1180, 880), (1240, 1000), (360, 1000)], fill=(50, 50, 56))
    for r in range(4):
        y = 892 + r * 26
        d.line([(400 - r * 12, y), (1200 + r * 12, y)], fill=(80, 80, 88), width=2)
    cup = load_source("coffee").crop((150, 20, 470, 340)).resize((200, 200), Image.LANCZOS)
    mask = Image.new("L", cup.size, 0)
    ImageDraw.Draw(mask).ellipse([6, 6, 194, 194], fill=255)
    scene.paste(cup, (1320, 800), mask.filter(ImageFilter.GaussianBlur(3)))


def car(scene: Scene, cx: float, base: float, wdt: float, plate: str) -> tuple[tuple[float, ...], ...]:
    """Rear view of a parked car; returns the plate's box and its text's box."""
    d = scene.draw
    h = wdt * 0.62
    x0, x1, top = cx - wdt / 2, cx + wdt / 2, base - h
    d.rounded_rectangle(
        [x0 + wdt * 0.05, base - wdt * 0.1, x0 + wdt * 0.2, base + wdt * 0.02], 12, fill=(20, 20, 20)
    )
    d.rounded_rectangle(
        [x1 - wdt * 0.2, base - wdt * 0.1, x1 - wdt * 0.05, base + wdt * 0.02], 12, fill=(20, 20, 20)
    )
    d.rounded_rectangle([x0, top + h * 0.38, x1, base - wdt * 0.04], 30, fill=(120, 30, 36))
    d.polygon(
        [
            (x0 + wdt * 0.12, top + h * 0.4),
            (x0 + wdt * 0.2, top),
            (x1 - wdt * 0.2, top),
            (x1 - wdt * 0.12, top + h * 0.4),
        ],
        fill=(100, 24, 30),
    )
    d.polygon(
        [
            (x0 + wdt * 0.17, top + h * 0.36),
            (x0 + wdt * 0.23, top + h * 0.06),
            (x1 - wdt * 0.23, top + h * 0.06),
            (x1 - wdt * 0.17, top + h * 0.36),
        ],
        fill=(60, 80, 96),
    )
    for sx in (x0 + wdt * 0.04, x1 - wdt * 0.16):
        d.rectangle([sx, top + h * 0.46, sx + wdt * 0.12, top + h * 0.58], fill=(220, 60, 40))
    pw, ph = wdt * 0.36, wdt * 0.085
    px0, py0 = cx - pw / 2, top + h * 0.62
    d.rectangle([px0, py0, px0 + pw, py0 + ph], fill=(245, 245, 240), outline=(20, 20, 20), width=3)
    size = int(ph * 0.72)
    text_box = scene.text((cx, py0 + ph / 2), plate, size, (15, 15, 15), anchor="mm")
    return (px0, py0, px0 + pw, py0 + ph), text_box


def s09_courtyard(scene: Scene) -> None:
    d = scene.draw
    sky = np.linspace(0, 1, 300, dtype=np.float32)[:, None, None]
    grad = (np.array([130, 170, 215], np.float32) + np.array([80, 60, 25], np.float32) * sky) * np.ones(
        (1, W, 1), np.float32
    )
    scene.paste(Image.fromarray(np.clip(grad, 0, 255).astype(np.uint8)), (0, 0))
    # brick building (brick.png, CC0) with barred windows
    wall = tiled(load_source("brick").transpose(Image.Transpose.ROTATE_90), (W, 430), 0.6, tint=(150, 84, 64))
    scene.paste(wall, (0, 230))
    for x in range(80, W, 250):
        d.rectangle([x, 300, x + 110, 430], fill=(40, 48, 56), outline=(200, 200, 196), width=6)
        for bx in range(x + 20, x + 110, 22):
            d.line([(bx, 300), (bx, 430)], fill=(160, 160, 160), width=4)
    # fence with razor wire
    d.rectangle([0, 600, W, 612], fill=(90, 90, 94))
    for x in range(0, W, 12):
        d.line([(x, 612), (x + 40, 660)], fill=(150, 150, 156), width=2)
    for x in range(0, W, 36):
        d.arc([x, 180, x + 60, 240], 0, 360, fill=(170, 170, 176), width=3)
    # ground: gravel (CC0) and a strip of grass (CC0)
    gravel = tiled(load_source("gravel"), (W, 420), 1.0, tint=(120, 116, 108)).filter(
        ImageFilter.GaussianBlur(1.2)
    )
    scene.paste(gravel, (0, 660))
    grass = tiled(load_source("grass"), (W, 40), 0.35, tint=(70, 120, 50))
    scene.paste(grass, (0, 640))
    # staff entrance sign
    d.rectangle([1110, 455, 1490, 560], fill=(245, 245, 240), outline=(20, 60, 110), width=6)
    name_box = scene.text((1300, 485), "HMP EASTFOLD", 34, (20, 60, 110), anchor="mm")
    scene.text((1300, 532), "Staff entrance", 30, (20, 20, 20), anchor="mm")
    scene.hazard(
        "entrance-sign",
        "place",
        (
            "Sign naming the prison (discuss)",
            "Panneau nommant la prison (à discuter)",
            "Cartel con el nombre de la prisión (a discutir)",
        ),
        (1110, 455, 1490, 560),
        False,
        ["HMP EASTFOLD"],
        lines=[name_box],
    )
    # person walking in the distance
    fb = figure(scene, 240, 470, 190, (40, 44, 60))
    scene.hazard(
        "walker",
        "person",
        (
            "Person in the distance (uniform? who could recognise them?)",
            "Personne au loin (uniforme ? qui pourrait la reconnaître ?)",
            "Persona a lo lejos (¿uniforme? ¿quién podría reconocerla?)",
        ),
        fb,
        False,
    )
    plate, plate_text = car(scene, 760, 920, 640, "KD 482 TX")
    scene.hazard(
        "plate",
        "plate",
        (
            "Licence plate of a parked car (staff or visitor)",
            "Plaque d'immatriculation d'une voiture (personnel ou visiteur)",
            "Matrícula de un coche aparcado (personal o visita)",
        ),
        plate,
        True,
        ["KD 482 TX"],
        lines=[plate_text],
    )


WASHROOM_BACK = (500, 250, 1100, 650)
FRAMING_CROP = (860, 385, 1085, 535)  # 3:2, around the broken sink, in wide-view pixels


def washroom_wall(scene: Scene, to: Callable[[Point], Point], k: float) -> dict[str, tuple[float, ...]]:
    """Back-wall tiles, sinks and the named cup, drawn through `to` (wide-view -> canvas) at scale k.

    The wide view and the close-up share this code, so the close-up is the same wall photographed
    nearer, not an enlargement. Returns canvas boxes of the parts the hazards need.
    """
    d = scene.draw

    def box(x0: float, y0: float, x1: float, y1: float) -> list[float]:
        (a, b), (c, e) = to((x0, y0)), to((x1, y1))
        return [a, b, c, e]

    def line(pts: Sequence[Point], rgb: RGB, width: float) -> None:
        d.line([to(q) for q in pts], fill=rgb, width=max(1, round(width * k)))

    bx0, by0, bx1, by1 = WASHROOM_BACK
    for x in range(bx0, bx1, 50):
        line([(x, by0), (x, by1)], (200, 206, 206), 2)
    for y in range(by0, by1, 50):
        line([(bx0, y), (bx1, y)], (200, 206, 206), 2)
    parts: dict[str, tuple[float, ...]] = {}
    for i, x in enumerate((560, 760, 960)):
        d.rectangle(
            box(x, 300, x + 90, 400), fill=(200, 220, 226), outline=(150, 160, 164), width=round(3 * k)
        )  # mirror
        d.rectangle(box(x + 40, 440, x + 50, 462), fill=(180, 180, 186))  # tap
        d.rectangle(box(x + 35, 510, x + 55, 600), fill=(236, 236, 236))  # pedestal
        d.rounded_rectangle(
            box(x - 10, 460, x + 100, 510),
            round(18 * k),
            fill=(250, 250, 250),
            outline=(170, 170, 170),
            width=round(3 * k),
        )
        if i == 2:  # the broken one
            line([(x + 5, 470), (x + 30, 490), (x + 22, 500), (x + 60, 508)], (60, 60, 60), 2)
            d.ellipse(box(x + 20, 476, x + 70, 500), fill=(176, 150, 96))
            line([(x, 300), (x + 90, 400)], (120, 130, 130), 1.5)
            line([(x + 70, 300), (x + 20, 400)], (120, 130, 130), 1.5)
            parts["sink"] = tuple(box(x - 10, 455, x + 100, 512))
            for mx, my, r in ((x + 108, 470, 5), (x + 116, 488, 4), (x + 104, 500, 6), (x - 20, 492, 4)):
                d.ellipse(box(mx - r, my - r * 0.7, mx + r, my + r * 0.7), fill=(96, 110, 92))  # mould
    # a cup with a name label, on the broken sink's edge
    d.rectangle(box(1005, 420, 1040, 462), fill=(70, 140, 200))
    d.rectangle(box(1003, 436, 1042, 452), fill=(255, 255, 255))
    centre = to((1022.5, 444))
    d.text(centre, "R. Alvarez", font=font(max(6, round(6 * k))), fill=(10, 10, 10), anchor="mm")
    parts["label"] = tuple(d.textbbox(centre, "R. Alvarez", font=font(max(6, round(6 * k))), anchor="mm"))
    parts["cup"] = tuple(box(1003, 420, 1042, 462))
    return parts


def s10_framing(scene: Scene) -> Callable[[], Scene]:
    """The wide view; returns a builder for the tight crop scenario (s11)."""
    room = Room(WASHROOM_BACK)
    room.paint(
        scene,
        wall=(226, 232, 232),
        floor=(190, 196, 198),
        ceiling=(240, 240, 238),
        back=(218, 226, 228),
        tiles=(8, 10),
        tile_line=(160, 166, 168),
    )
    ceiling_lights(scene, room, (0.4,))
    parts = washroom_wall(scene, lambda q: q, 1.0)
    # a new shower cubicle on the right wall
    d = scene.draw
    d.polygon(room.wall_quad("R", 0.25, 0.6, 0.0, 0.85), fill=(212, 232, 240), outline=(150, 160, 170))
    d.polygon(room.wall_quad("R", 0.28, 0.57, 0.05, 0.8), fill=(200, 226, 236))
    scene.hazard(
        "cropped-area",
        "other",
        (
            "Area shown in the tight crop (framing)",
            "Zone montrée par le recadrage serré (cadrage)",
            "Zona que muestra el encuadre cerrado (encuadre)",
        ),
        FRAMING_CROP,
        False,
    )
    scene.hazard(
        "cup-name",
        "text",
        (
            "Name on a cup (tiny here, legible in the close-up)",
            "Nom sur un gobelet (minuscule ici, lisible en gros plan)",
            "Nombre en un vaso (diminuto aquí, legible en el primer plano)",
        ),
        parts["cup"],
        True,
        hard=True,
        lines=[parts["label"]],
    )
    return lambda: close_up(scene)


def close_up(wide: Scene) -> Scene:
    """The same wall as FRAMING_CROP, photographed close: 1200x800, drawn at full detail."""
    x0, y0, x1, _ = FRAMING_CROP
    f = 1200 / (x1 - x0)
    out = Scene("s11", "s11_framing_crop.jpg", np.random.default_rng([SEED, 100]), (1200, 800))
    out.paste(textured((1200, 800), (218, 226, 228), out.rng, amp=5, cells=6), (0, 0))
    parts = washroom_wall(out, lambda q: ((q[0] - x0) * f, (q[1] - y0) * f), f)
    out.hazard(
        "cup-name",
        "text",
        ("Name on a cup", "Nom sur un gobelet", "Nombre en un vaso"),
        parts["label"],
        True,
        ["Alvarez"],
        lines=[parts["label"]],
    )
    out.hazard(
        "broken-sink",
        "other",
        (
            "Cracked, stained sink: the whole story? (framing)",
            "Lavabo fissuré et taché : toute l'histoire ? (cadrage)",
            "Lavabo roto y manchado: ¿toda la historia? (encuadre)",
        ),
        parts["sink"],
        False,
    )
    return out


# ----------------------------------------------------------------------------- planted metadata
@dataclass(frozen=True)
class Planted:
    make: str
    model: str
    serial: str
    artist: str
    taken: str  # EXIF "YYYY:MM:DD HH:MM:SS"
    lat: float
    lon: float
    altitude: int
    description: str = ""
    xmp: bool = False


PLANTED: dict[str, Planted] = {
    "s01": Planted(
        "Canon",
        "Canon EOS 80D",
        "083021004417",
        "M. Dubois (visiting team B)",
        "2026:11:03 10:14:52",
        46.2017,
        6.1466,
        375,
        "Room 14, A. Okafor, Ward 3 East",
        xmp=True,
    ),
    "s02": Planted(
        "Canon",
        "Canon EOS 80D",
        "083021004417",
        "M. Dubois (visiting team B)",
        "2026:11:03 10:41:07",
        46.2019,
        6.1471,
        375,
    ),
    "s03": Planted(
        "samsung", "SM-G991B", "R58N91KQ2ZT", "L. Ortega", "2026:11:04 15:02:31", -1.2864, 36.8172, 1795
    ),
    "s04": Planted(
        "samsung", "SM-G991B", "R58N91KQ2ZT", "L. Ortega", "2026:11:04 15:20:10", -1.2866, 36.8175, 1795
    ),
    "s05": Planted(
        "Apple", "iPhone 12", "F17DQ2XKP0N1", "A. Naidoo", "2026:11:12 09:48:00", 4.6097, -74.0817, 2640
    ),
    "s06": Planted(
        "Apple", "iPhone 12", "F17DQ2XKP0N1", "A. Naidoo", "2026:11:12 11:05:44", 4.6099, -74.0820, 2640
    ),
    "s07": Planted(
        "FUJIFILM",
        "X-T30",
        "9AQ04112",
        "K. Tuilagi",
        "2026:11:18 14:30:12",
        -13.8333,
        -171.7667,
        4,
        "Common room, nurse J. Whitfield",
        xmp=True,
    ),
    "s08": Planted(
        "FUJIFILM", "X-T30", "9AQ04112", "K. Tuilagi", "2026:11:18 14:52:39", -13.8336, -171.7662, 4
    ),
    "s09": Planted(
        "Canon",
        "Canon EOS 80D",
        "083021004417",
        "M. Dubois (visiting team B)",
        "2026:11:05 08:55:20",
        46.2031,
        6.1402,
        380,
    ),
    "s10": Planted(
        "Google", "Pixel 7", "2B121FDH300A7K", "S. Haddad", "2026:11:20 16:10:05", 45.7640, 4.8357, 170
    ),
    "s11": Planted(
        "Google", "Pixel 7", "2B121FDH300A7K", "S. Haddad", "2026:11:20 16:10:05", 45.7640, 4.8357, 170
    ),
}


def dms(value: float) -> tuple[tuple[int, int], ...]:
    value = abs(value)
    deg = int(value)
    minutes = int((value - deg) * 60)
    sec = round(((value - deg) * 60 - minutes) * 60 * 100)
    return ((deg, 1), (minutes, 1), (sec, 100))


def exif_bytes(p: Planted, thumb: bytes) -> bytes:
    zeroth = {
        piexif.ImageIFD.Make: p.make,
        piexif.ImageIFD.Model: p.model,
        piexif.ImageIFD.Artist: p.artist,
        piexif.ImageIFD.Software: "photolab samples (fictional metadata)",
        piexif.ImageIFD.DateTime: p.taken,
        piexif.ImageIFD.Orientation: 1,
        piexif.ImageIFD.Copyright: f"(c) {p.artist}",
    }
    if p.description:
        zeroth[piexif.ImageIFD.ImageDescription] = p.description
    exif = {
        piexif.ExifIFD.DateTimeOriginal: p.taken,
        piexif.ExifIFD.DateTimeDigitized: p.taken,
        piexif.ExifIFD.BodySerialNumber: p.serial,
        piexif.ExifIFD.CameraOwnerName: p.artist,
        piexif.ExifIFD.LensModel: "fictional 24mm f/2.8",
    }
    gps = {
        piexif.GPSIFD.GPSVersionID: (2, 3, 0, 0),
        piexif.GPSIFD.GPSLatitudeRef: "N" if p.lat >= 0 else "S",
        piexif.GPSIFD.GPSLatitude: dms(p.lat),
        piexif.GPSIFD.GPSLongitudeRef: "E" if p.lon >= 0 else "W",
        piexif.GPSIFD.GPSLongitude: dms(p.lon),
        piexif.GPSIFD.GPSAltitudeRef: 0,
        piexif.GPSIFD.GPSAltitude: (p.altitude, 1),
        piexif.GPSIFD.GPSDateStamp: p.taken[:10],
    }
    first = {
        piexif.ImageIFD.Compression: 6,
        piexif.ImageIFD.XResolution: (72, 1),
        piexif.ImageIFD.YResolution: (72, 1),
        piexif.ImageIFD.ResolutionUnit: 2,
    }
    return piexif.dump({"0th": zeroth, "Exif": exif, "GPS": gps, "1st": first, "thumbnail": thumb})


def xmp_packet(p: Planted, title: str) -> bytes:
    body = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/"
    xmlns:Iptc4xmpCore="http://iptc.org/std/Iptc4xmpCore/1.0/xmlns/">
   <dc:creator><rdf:Seq><rdf:li>{p.artist}</rdf:li></rdf:Seq></dc:creator>
   <dc:title><rdf:Alt><rdf:li xml:lang="x-default">{title}</rdf:li></rdf:Alt></dc:title>
   <dc:description><rdf:Alt><rdf:li xml:lang="x-default">{p.description}</rdf:li></rdf:Alt></dc:description>
   <photoshop:City>Fictional city</photoshop:City>
   <Iptc4xmpCore:Location>Hollin Vale Secure Unit (fictional)</Iptc4xmpCore:Location>
  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>"""
    return body.encode("utf-8")


def planted_summary(p: Planted) -> dict:
    """What the file gives away before stripping (all fictional), for the demo and the tests."""
    d = {
        "Make": p.make,
        "Model": p.model,
        "BodySerialNumber": p.serial,
        "Artist": p.artist,
        "DateTimeOriginal": p.taken,
        "GPS": [p.lat, p.lon, p.altitude],
        "thumbnail": True,
        "xmp": p.xmp,
    }
    if p.description:
        d["ImageDescription"] = p.description
    return d


def encode(img: Image.Image, p: Planted, title: str) -> bytes:
    thumb = img.copy()
    thumb.thumbnail((160, 120), Image.BICUBIC)
    tb = io.BytesIO()
    thumb.save(tb, "JPEG", quality=75)
    out = io.BytesIO()
    kwargs: dict = {"quality": JPEG_QUALITY, "exif": exif_bytes(p, tb.getvalue()), "subsampling": "4:2:0"}
    if p.xmp:
        kwargs["xmp"] = xmp_packet(p, title)
    img.save(out, "JPEG", **kwargs)
    return out.getvalue()


# ----------------------------------------------------------------------------- driver
SCENES: list[tuple[str, str, str, Callable[[Scene], object]]] = [
    ("s01", "s01_corridor.jpg", "Corridor with door signs", s01_corridor),
    ("s02", "s02_seclusion.jpg", "Seclusion room", s02_seclusion),
    ("s03", "s03_notice_board.jpg", "Staff notice board", s03_notice_board),
    ("s04", "s04_register.jpg", "Register on a desk", s04_register),
    ("s05", "s05_window.jpg", "View from a cell window", s05_window),
    ("s06", "s06_tattoo.jpg", "Silhouette with a tattoo", s06_tattoo),
    ("s07", "s07_common_room.jpg", "Common room", s07_common_room),
    ("s08", "s08_screen.jpg", "Patient record on screen", s08_screen),
    ("s09", "s09_courtyard.jpg", "Courtyard and car park", s09_courtyard),
    ("s10", "s10_framing_wide.jpg", "Washroom, wide view", s10_framing),
]


def build_all() -> list[tuple[Scene, Image.Image, str]]:
    """Render every scene; returns (scene, finished pixels, title)."""
    done: list[tuple[Scene, Image.Image, str]] = []
    for index, (sid, file, title, draw) in enumerate(SCENES):
        scene = Scene(sid, file, np.random.default_rng([SEED, index]))
        extra = draw(scene)
        if callable(extra):  # the framing scene also yields its tight crop, cut before degradation
            crop = extra()
            done.append((scene, scene.finish(), title))
            done.append((crop, crop.finish(blur=0.9, noise=2.6), "Washroom, tight crop"))
            continue
        done.append((scene, scene.finish(), title))
    return done


def write_all(out: Path) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    images = []
    for scene, pixels, title in build_all():
        data = encode(pixels, PLANTED[scene.id], title)
        (out / scene.file).write_bytes(data)
        images.append(
            {
                "id": scene.id,
                "image": scene.file,
                "title": title,
                "width": pixels.width,
                "height": pixels.height,
                "planted_metadata": planted_summary(PLANTED[scene.id]),
                "hazards": [h.as_json() for h in scene.hazards],
            }
        )
    doc = {
        "version": 1,
        "generator": GENERATOR,
        "seed": SEED,
        "note": "Ground truth for the workshop. Boxes are [x, y, w, h] in image pixels, computed by the "
        "drawing code. must_redact=false marks discussion-only hazards. All names, numbers, places "
        "and metadata are fictional.",
        "kinds": list(HAZARD_KINDS),
        "images": images,
    }
    (out / "hazards.json").write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return doc


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "samples")
    args = ap.parse_args(argv)
    try:
        doc = write_all(args.out)
    except SourceMissing as e:
        print(f"make_samples: {e}", file=sys.stderr)
        return 1
    total = 0
    for im in doc["images"]:
        size = (args.out / im["image"]).stat().st_size
        total += size
        dims = f"{im['width']}x{im['height']}"
        print(f"{im['image']:26s} {dims} {size / 1024:6.0f} KB  {len(im['hazards'])} hazards")
    print(f"{'total':26s} {total / 1024:16.0f} KB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
