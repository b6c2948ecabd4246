"""(c) The look: a blurred area has no hard edge at its border, and carries no fine detail.

Hard edge, measured (``edge_ratio``): the mean absolute grey-level step between 4-neighbour pixel pairs
that straddle the border of the hidden pixels (one outside, one inside), divided by the mean absolute step
between the two rings of pixels just outside it (the typical gradient there) plus 2 grey levels (so a flat
background does not turn sensor noise into a large ratio). A fill that continues its surroundings scores
about 1 or less; a solid box scores 3 to 90 on the same photos.

Fine detail: the variance of the Laplacian that ``photolab verify`` uses to accept a detector hit as
redacted (below ``REDACTED_DETAIL``).
"""

from __future__ import annotations

import json

import cv2
import numpy as np
import pytest
from PIL import Image
from redact.reid import generated_scene, hidden_mask
from support import SAMPLES

from photolab.core.policy import DEFAULT_PADDING
from photolab.core.verify import REDACTED_DETAIL, fine_detail
from photolab.redact import redact
from photolab.regions import Region

CROSS = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], np.uint8)
NOISE_FLOOR = 2.0  # grey levels added to the outside gradient


def edge_ratio(gray: np.ndarray, hidden: np.ndarray) -> float:
    across, outside = border_steps(gray, hidden)
    return across / (outside + NOISE_FLOOR)


def border_steps(gray: np.ndarray, hidden: np.ndarray) -> tuple[float, float]:
    """(mean |step| across the border of ``hidden``, mean |step| between the two rings just outside)."""
    g = gray.astype(np.float64)
    ring1 = cv2.dilate(hidden.astype(np.uint8), CROSS).astype(bool) & ~hidden
    ring2 = cv2.dilate((hidden | ring1).astype(np.uint8), CROSS).astype(bool) & ~hidden & ~ring1
    across, outside = [], []
    for a, b in (((slice(None), slice(None, -1)), (slice(None), slice(1, None))),
                 ((slice(None, -1), slice(None)), (slice(1, None), slice(None)))):
        step = np.abs(g[a] - g[b])
        across.append(step[hidden[a] ^ hidden[b]])
        outside.append(step[(ring1[a] & ring2[b]) | (ring2[a] & ring1[b])])
    return float(np.concatenate(across).mean()), float(np.concatenate(outside).mean())


def grey_after(image: Image.Image, regions: list[Region], style: str,
               padding: float = DEFAULT_PADDING) -> np.ndarray:
    return np.asarray(redact(image, [r.with_(style=style) for r in regions], padding=padding,
                             seed=1).convert("L"))


def sample_scenes() -> list[tuple[str, list[Region]]]:
    """The shipped samples with faces or people in them, and those boxes (from hazards.json)."""
    hazards = json.loads((SAMPLES / "hazards.json").read_text())["images"]
    scenes = []
    for entry in hazards:
        boxes = [h for h in entry["hazards"] if h["kind"] in ("face", "person")]
        if boxes:
            scenes.append((entry["image"], [Region(kind=h["kind"], box=tuple(h["box"])) for h in boxes]))
    return scenes


def test_the_measure_sees_a_hard_edge():
    """A solid fill, and a blur that leaves a sharp step (a fill 40 levels off), score high."""
    scene = generated_scene(0)
    image = Image.fromarray(scene.pixels)
    hidden = hidden_mask(scene.pixels.shape[:2], scene.regions)
    assert edge_ratio(grey_after(image, scene.regions, "solid"), hidden) > 5
    offset = grey_after(image, scene.regions, "blur").astype(int)
    offset[hidden] = np.clip(offset[hidden] + 40, 0, 255)
    assert edge_ratio(offset, hidden) > 3


@pytest.mark.parametrize("seed", range(5))
def test_blurred_people_of_a_generated_scene_have_no_hard_edge(seed):
    scene = generated_scene(seed)
    image = Image.fromarray(scene.pixels)
    hidden = hidden_mask(scene.pixels.shape[:2], scene.regions)
    assert edge_ratio(grey_after(image, scene.regions, "blur"), hidden) <= 1.0
    assert edge_ratio(grey_after(image, scene.regions, "solid"), hidden) > 5


@pytest.mark.parametrize(("name", "regions"), sample_scenes(), ids=[s[0] for s in sample_scenes()])
def test_blurred_faces_and_people_of_the_samples_have_no_hard_edge(name, regions):
    """The samples' hazard boxes are whole people; at a quarter of the long side their borders never run
    along the strong straight edges of the drawn rooms (a window frame exactly on a border shows a faint
    halo: the fill continues the glass beyond the frame — a look, not a leak)."""
    image = Image.open(SAMPLES / name).convert("RGB")
    hidden = hidden_mask((image.height, image.width), regions, 0.25)
    assert edge_ratio(grey_after(image, regions, "blur", 0.25), hidden) <= 2.0
    assert edge_ratio(grey_after(image, regions, "solid", 0.25), hidden) > 5


@pytest.mark.slow
def test_blurred_real_faces_have_no_hard_edge(faces_dev):
    """Every photo of faces-dev with all its labelled faces blurred: the measure over all their borders.
    The worst is a dense crowd (107 faces covering nearly the whole frame): its fill is one grid of at
    most 320 cells across, coarser than the slivers of hands and collars left between the areas."""
    labels = json.loads((faces_dev / "labels.json").read_text())["images"]
    blur, solid = [], []
    for name in sorted(labels):
        image = Image.open(faces_dev / "images" / name).convert("RGB")
        regions = [Region(kind="face", box=tuple(round(v) for v in f["box"])) for f in labels[name]["faces"]]
        hidden = hidden_mask((image.height, image.width), regions)
        blur.append(edge_ratio(grey_after(image, regions, "blur"), hidden))
        solid.append(edge_ratio(grey_after(image, regions, "solid"), hidden))
    assert np.median(blur) <= 1.0
    assert max(blur) <= 3.0
    assert min(solid) >= 2.5 and np.median(solid) >= 5


def test_blurred_areas_carry_no_fine_detail_for_verify():
    """Every blurred face of the generated scenes and the samples reads as redacted to verify."""
    checks = [(Image.fromarray(s.pixels), s.regions) for s in map(generated_scene, range(3))]
    checks += [(Image.open(SAMPLES / name).convert("RGB"), regions) for name, regions in sample_scenes()]
    for image, regions in checks:
        gray = grey_after(image, regions, "blur").astype(np.float32)
        for r in regions:
            assert fine_detail(gray, r.box) < REDACTED_DETAIL


@pytest.mark.slow
def test_blurred_real_faces_carry_no_fine_detail_for_verify(faces_dev):
    """faces-dev faces of 48 px and more. (Smaller faces between a bright and a dark surround get a steep
    ramp, which verify's measure - computed on the crop alone, reflected at its edges - reads as detail.)"""
    labels = json.loads((faces_dev / "labels.json").read_text())["images"]
    details = []
    for name in sorted(labels):
        image = Image.open(faces_dev / "images" / name).convert("RGB")
        regions = [Region(kind="face", box=tuple(round(v) for v in f["box"])) for f in labels[name]["faces"]]
        gray = grey_after(image, regions, "blur").astype(np.float32)
        details += [fine_detail(gray, r.box) for r in regions if min(r.box[2], r.box[3]) >= 48]
    assert len(details) >= 100
    assert max(details) < REDACTED_DETAIL
