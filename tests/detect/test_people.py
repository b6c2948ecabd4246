"""People (silhouette) detection on real photographs with the real selfie-segmentation model."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PIL import Image
from support import require_shared

from photolab import detect
from photolab.detect.people import detect_people, person_mask


def dev_photo(name: str) -> tuple[np.ndarray, list[list[float]]]:
    folder = require_shared("data/faces-dev")
    rec = json.loads((folder / "labels.json").read_text())["images"][name]
    rgb = np.asarray(Image.open(folder / "images" / name).convert("RGB"))
    return rgb, [f["box"] for f in rec["faces"] if not f.get("ignore")]


def inside(face: list[float], box: tuple[int, int, int, int]) -> bool:
    cx, cy = face[0] + face[2] / 2, face[1] + face[3] / 2
    return box[0] <= cx <= box[0] + box[2] and box[1] <= cy <= box[1] + box[3]


@pytest.mark.parametrize("name", ["ulfd_handshake.jpg", "nasa_office_group.jpg", "dlib_voc_dim_pair.jpg"])
def test_people_near_the_camera_are_outlined(name: str) -> None:
    rgb, faces = dev_photo(name)
    people = detect_people(rgb)
    assert people and all(r.kind == "person" and r.detector == "selfie-segmentation" for r in people)
    for face in faces:  # every labelled person's face lies inside a person region
        assert any(inside(face, r.box) for r in people), face
    h, w = rgb.shape[:2]
    for r in people:
        x, y, bw, bh = r.box
        assert x >= 0 and y >= 0 and x + bw <= w and y + bh <= h


def test_person_mask_marks_the_body_not_the_background() -> None:
    rgb, faces = dev_photo("ulfd_handshake.jpg")
    mask = person_mask(rgb)
    sy, sx = mask.shape[0] / rgb.shape[0], mask.shape[1] / rgb.shape[1]
    x, y, w, h = faces[0]
    below_face = mask[int((y + 1.6 * h) * sy), int((x + w / 2) * sx)]  # chest
    assert below_face > 0.5


def test_empty_scene_has_no_person() -> None:
    ramp = np.tile(np.linspace(40, 200, 640, dtype=np.uint8)[None, :, None], (480, 1, 3))
    assert detect_people(ramp) == []


def test_run_people_kind() -> None:
    rgb, _ = dev_photo("ulfd_handshake.jpg")
    found = detect.run(Image.fromarray(rgb), kinds=("people",))
    assert [r.kind for r in found.regions] == ["person"] * len(found.regions) and found.regions


def test_crowd_people_get_bodies_from_their_faces() -> None:
    """Segmentation finds no one in a crowd; each found face still gets a body box below it."""
    rgb, faces = dev_photo("ulfd_masks_crowd.jpg")
    found = detect.run(Image.fromarray(rgb), kinds=("people", "faces"))
    people = [r for r in found.regions if r.kind == "person"]
    assert any(r.detector == "face-anchored" for r in people)
    caught = sum(any(inside(face, r.box) for r in people) for face in faces)
    assert caught / len(faces) >= 0.95
    for body in (r for r in people if r.detector == "face-anchored"):
        assert body.box[3] > 2 * body.box[2] / 3  # taller than a face row: it reaches down to the body
