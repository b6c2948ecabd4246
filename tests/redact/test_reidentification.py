"""(b) The re-identification attack of issue 8 (see ``reid.py``): for every style, the attacker matches the
right person no more often than against a reference fill made from the surroundings alone (Telea
inpainting), within 5 points - for every geometry (face box, whole area), candidate kind (exact, another
shot) and distance (L2, normalised). The control - the old coarse mosaic, made from the inside - must
score far above chance, so the test cannot pass because the attack is too weak."""

from __future__ import annotations

from functools import cache

import numpy as np
import pytest
from PIL import Image
from redact.reid import (
    CANDIDATES,
    GEOMETRIES,
    METRICS,
    MODES,
    attack,
    coarse_mosaic,
    faces_dev_scenes,
    generated_scene,
    hidden_mask,
    reference_fill,
)

from photolab.redact import redact

TOLERANCE = 0.05
CHANCE = 1 / CANDIDATES
SCENES = 5  # generated scenes of 20 people: 100 trials
COLUMNS = [(g, m, k) for g in GEOMETRIES for m in MODES for k in METRICS]


def styled(style: str):
    def fill(pixels: np.ndarray, regions) -> np.ndarray:
        out = redact(Image.fromarray(pixels), [r.with_(style=style) for r in regions], seed=1)
        return np.asarray(out)

    return fill


@cache
def generated():
    images, regions, trials = {}, {}, []
    for seed in range(SCENES):
        scene = generated_scene(seed)
        key = f"gen{seed}"
        images[key], regions[key] = scene.pixels, scene.regions
        trials += scene.trials
    return images, regions, trials


def assert_no_better_than_reference(rates, reference, style):
    worse = {c: (rates[c], reference[c]) for c in COLUMNS if rates[c] > reference[c] + TOLERANCE}
    assert not worse, f"{style}: attack beats the surround-only reference: {worse}"


def test_the_reference_fill_is_itself_made_from_the_surroundings_alone():
    """Sanity of the yardstick: Telea's fill does not change when the hidden pixels do."""
    images, regions, _ = generated()
    pixels, rs = images["gen0"], regions["gen0"]
    hidden = hidden_mask(pixels.shape[:2], rs)
    other = pixels.copy()
    other[hidden] = np.random.default_rng(0).integers(0, 256, (int(hidden.sum()), 3))
    assert np.array_equal(reference_fill(pixels, rs), reference_fill(other, rs))


def test_the_attack_works_on_a_fill_made_from_the_inside():
    images, regions, trials = generated()
    control = attack(images, regions, trials, coarse_mosaic)
    for geometry in GEOMETRIES:
        assert control[(geometry, "exact", "l2")] >= 0.9
        assert max(control[(geometry, "shifted", k)] for k in METRICS) >= 5 * CHANCE


@pytest.mark.parametrize("style", ["blur", "pixelate", "solid"])
def test_generated_people_are_no_easier_to_match_than_with_a_surround_only_fill(style):
    images, regions, trials = generated()
    rates = attack(images, regions, trials, styled(style))
    reference = attack(images, regions, trials, reference_fill)
    assert_no_better_than_reference(rates, reference, style)
    if style == "solid":
        assert all(abs(rates[c] - CHANCE) < 1e-9 for c in COLUMNS if c[2] == "normalised")


@pytest.mark.slow
def test_real_faces_are_no_easier_to_match_than_with_a_surround_only_fill(faces_dev):
    """The same on every labelled face (>= 20 px) of faces-dev, with distractors from the whole set."""
    images, regions, trials = faces_dev_scenes(faces_dev)
    assert len(trials) >= 200
    reference = attack(images, regions, trials, reference_fill)
    control = attack(images, regions, trials, coarse_mosaic)
    assert control[("face", "exact", "l2")] >= 0.9
    assert control[("face", "shifted", "normalised")] >= 10 * CHANCE
    for style in ("blur", "pixelate", "solid"):
        assert_no_better_than_reference(attack(images, regions, trials, styled(style)), reference, style)
