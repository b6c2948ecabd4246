"""(a) Redaction carries nothing of what it hides: replace every pixel inside the areas with other content
(random noise, another picture, a face) and the output is byte-identical for the same seed - every style,
both shapes, overlapping and touching areas, areas at the image edges, grey and alpha images. Plus the
fallbacks (no outside pixel near an area, none at all) and the one assumption the fast path makes about
Pillow."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from PIL import Image
from redact.reid import hidden_mask
from support import SAMPLES

from photolab.redact import NEUTRAL_GREY, SOLID_FILL, redact
from photolab.regions import Region

MODES = ("L", "LA", "RGB", "RGBA")
KINDS = ("face", "person", "other", "text", "plate")


@cache
def photo(width: int, height: int) -> np.ndarray:
    """A real picture (a shipped sample scene, people in it) at the given size: 'another face'."""
    image = Image.open(SAMPLES / "s07_common_room.jpg").convert("RGB")
    return np.asarray(image.crop((900, 300, 1300, 700)).resize((width, height)))


def base_image(seed: int, width: int, height: int, mode: str) -> np.ndarray:
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width]
    ramp = (xx * 160 / width + yy * 60 / height)[..., None]
    bands = len(mode)
    return np.clip(ramp + rng.integers(-40, 41, (height, width, bands)), 0, 255).astype(np.uint8)


def replaced(pixels: np.ndarray, hidden: np.ndarray, content: str, seed: int) -> np.ndarray:
    """``pixels`` with everything in ``hidden`` swapped for other content (alpha included)."""
    out = pixels.copy()
    height, width, bands = pixels.shape
    if content == "noise":
        other = np.random.default_rng(seed + 1).integers(0, 256, pixels.shape, dtype=np.uint8)
    elif content == "photo":
        rgb = photo(width, height)
        grey = np.asarray(Image.fromarray(rgb).convert("L"))[..., None]
        other = rgb if bands >= 3 else grey
        if bands in (2, 4):
            other = np.concatenate([other, 255 - grey], axis=2)
    else:  # "inverted": the same content, every bit flipped
        other = 255 - pixels
    out[hidden] = other[hidden]
    return out


def to_image(pixels: np.ndarray, mode: str) -> Image.Image:
    return Image.fromarray(pixels[:, :, 0] if mode == "L" else pixels)


@st.composite
def layouts(draw, max_side: int = 96):
    """An image size, a mode and 1-5 regions: any kind, style, shape and source, often overlapping or
    touching the previous one, often running off an edge of the image."""
    width, height = draw(st.integers(6, max_side)), draw(st.integers(6, max_side))
    regions: list[Region] = []
    for _ in range(draw(st.integers(1, 5))):
        if regions and draw(st.booleans()):
            px, py, pw, ph = regions[-1].box
            x = draw(st.sampled_from([px + pw, px + pw // 2, px - 1]))  # touching, overlapping, 1 px gap
            y = draw(st.integers(py - ph // 2, py + ph // 2))
        else:
            x, y = draw(st.integers(-width // 4, width - 1)), draw(st.integers(-height // 4, height - 1))
        w, h = draw(st.integers(1, width)), draw(st.integers(1, height))
        regions.append(Region(
            kind=draw(st.sampled_from(KINDS)), box=(x, y, w, h),
            style=draw(st.sampled_from(("blur", "pixelate", "solid"))),
            shape=draw(st.sampled_from(("rect", "ellipse"))),
            source=draw(st.sampled_from(("detector", "manual"))),
            enabled=draw(st.booleans()) or not regions,
        ))
    return width, height, draw(st.sampled_from(MODES)), regions


def check_invariance(layout, padding: float, seed: int, content: str) -> None:
    width, height, mode, regions = layout
    pixels = base_image(seed, width, height, mode)
    hidden = hidden_mask((height, width), regions, padding)
    first = redact(to_image(pixels, mode), regions, padding=padding, seed=seed)
    swapped = to_image(replaced(pixels, hidden, content, seed), mode)
    second = redact(swapped, regions, padding=padding, seed=seed)
    assert first.mode == mode
    assert first.tobytes() == second.tobytes()
    out = np.asarray(first).reshape(height, width, -1)
    assert np.array_equal(out[~hidden], pixels[~hidden])  # nothing outside the areas changes
    if mode in ("LA", "RGBA"):
        assert (out[hidden][:, -1] == 255).all()  # no original alpha survives


# two areas touching, covering the whole image
TOUCHING_AND_COVERING = (40, 30, "RGB", [
    Region(kind="face", box=(0, 0, 20, 30), source="manual"),
    Region(kind="face", box=(20, 0, 20, 30), source="manual", shape="ellipse")])
# an ellipse running off the bottom-right corner; a text line along the top edge
OFF_THE_CORNER = (64, 48, "RGBA", [
    Region(kind="face", box=(50, 36, 30, 30), style="pixelate", shape="ellipse"),
    Region(kind="text", box=(0, 0, 64, 6), style="blur")])


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layout=layouts(), padding=st.sampled_from([0.0, 0.25, 0.5]), seed=st.integers(0, 2**32 - 1),
       content=st.sampled_from(["noise", "photo", "inverted"]))
@example(layout=TOUCHING_AND_COVERING, padding=0.25, seed=1, content="noise")
@example(layout=OFF_THE_CORNER, padding=0.25, seed=2, content="photo")
def test_the_output_does_not_depend_on_the_hidden_pixels(layout, padding, seed, content):
    check_invariance(layout, padding, seed, content)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(layout=layouts(max_side=900), seed=st.integers(0, 2**32 - 1),
       content=st.sampled_from(["noise", "photo"]))
def test_the_output_does_not_depend_on_the_hidden_pixels_of_large_areas(layout, seed, content):
    """Large areas read their surroundings on a sparse lattice (the fast path): the same property."""
    check_invariance(layout, 0.25, seed, content)


def test_pillow_nearest_resize_of_a_box_reads_the_lattice_redact_assumes():
    """redact reads outside pixels with ``resize(NEAREST, box)``: output pixel i is input pixel
    x0 + step * i + step // 2. If a Pillow release changed that, sampling could land inside an area."""
    rng = np.random.default_rng(3)
    width, height = 1500, 1000
    yy, xx = np.mgrid[0:height, 0:width]
    coords = Image.fromarray(np.stack([xx % 256, xx // 256, yy % 256, yy // 256], -1).astype(np.uint8))
    for _ in range(300):
        step = int(rng.integers(1, 40))
        x0, y0 = int(rng.integers(0, width - step)), int(rng.integers(0, height - step))
        nx = int(rng.integers(1, (width - x0) // step + 1))
        ny = int(rng.integers(1, (height - y0) // step + 1))
        got = np.asarray(coords.resize((nx, ny), Image.Resampling.NEAREST,
                                       box=(x0, y0, x0 + nx * step, y0 + ny * step))).astype(int)
        assert (got[..., 0] + 256 * got[..., 1] == x0 + step * np.arange(nx) + step // 2).all()
        assert (got[..., 2] + 256 * got[..., 3] == (y0 + step * np.arange(ny) + step // 2)[:, None]).all()


@pytest.mark.parametrize("style", ["blur", "pixelate"])
def test_an_area_whose_surroundings_are_all_hidden_takes_its_colour_from_further_out(style):
    """A crowd: the target's ring lies entirely inside a frame of other areas (1 px apart, so it is
    filled on its own). Its fill comes from beyond the frame, not from the hidden pixels and not grey."""
    wall = (200, 60, 40)
    pixels = np.zeros((300, 300, 3), np.uint8)
    pixels[:] = wall
    pixels[100:200, 100:200] = np.random.default_rng(4).integers(0, 256, (100, 100, 3))
    frame = [(40, 40, 220, 59), (40, 201, 220, 59), (40, 99, 59, 102), (201, 99, 59, 102)]
    regions = [Region(kind="face", box=(100, 100, 100, 100), style=style, source="manual")]
    regions += [Region(kind="person", box=b, style="solid", source="manual") for b in frame]
    out = np.asarray(redact(Image.fromarray(pixels), regions, seed=5)).astype(int)
    target = out[100:200, 100:200]
    assert np.abs(target - wall).max() <= 12  # the wall's colour (plus the style's faint noise)
    assert (out[40:99, 40:260] == SOLID_FILL).all()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("style", ["blur", "pixelate"])
def test_an_image_hidden_entirely_is_neutral_grey(mode, style):
    pixels = base_image(6, 50, 40, mode)
    out = redact(to_image(pixels, mode), [Region(kind="face", box=(-5, -5, 60, 50), style=style)], seed=1)
    arr = np.asarray(out).reshape(40, 50, -1)
    colour = arr[..., : 3 if mode.startswith("RGB") else 1]
    assert (np.abs(colour.astype(int) - NEUTRAL_GREY) <= 12).all()
    if mode in ("LA", "RGBA"):
        assert (arr[..., -1] == 255).all()


@pytest.mark.parametrize("kind", ["text", "plate"])
@pytest.mark.parametrize("style", ["blur", "pixelate"])
def test_text_and_plates_are_filled_solid_whatever_their_style(kind, style):
    pixels = base_image(7, 120, 80, "RGB")
    r = Region(kind=kind, box=(20, 30, 80, 20), style=style, source="manual")
    out = np.asarray(redact(to_image(pixels, "RGB"), [r], seed=1))
    assert (out[30:50, 20:100] == SOLID_FILL).all()


def test_a_solid_area_wins_where_it_overlaps_a_blurred_one():
    pixels = base_image(8, 160, 120, "RGB")
    face = Region(kind="face", box=(20, 20, 100, 80), style="blur", source="manual")
    text = Region(kind="text", box=(60, 50, 80, 20), style="solid", source="manual")
    for regions in ([face, text], [text, face]):
        out = np.asarray(redact(to_image(pixels, "RGB"), regions, seed=1))
        assert (out[50:70, 60:140] == SOLID_FILL).all()


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_noise():
    image = to_image(base_image(9, 200, 150, "RGB"), "RGB")
    regions = [Region(kind="face", box=(30, 30, 120, 90), style=s, source="manual") for s in ("pixelate",)]
    assert redact(image, regions, seed=11).tobytes() == redact(image, regions, seed=11).tobytes()
    assert redact(image, regions, seed=11).tobytes() != redact(image, regions, seed=12).tobytes()
