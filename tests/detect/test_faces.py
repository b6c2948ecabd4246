"""Face detection on real photographs (faces-dev), with the real models.

A labelled face counts as caught when the central 70% of its box is at least 80% covered by the detected
boxes grown 1.3x about their centres (the judging rule of the dev set's notes; redact pads more than that).
"""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from support import require_shared

from photolab import detect
from photolab.detect import blazeface, faces, runtime, yunet
from photolab.regions import Region

CORE, COVER, GROW = 0.7, 0.8, 1.3


@cache
def labels() -> dict:
    return json.loads((require_shared("data/faces-dev") / "labels.json").read_text())["images"]


def photo(name: str) -> np.ndarray:
    return np.asarray(Image.open(require_shared("data/faces-dev/images") / name).convert("RGB"))


def scaled(box: list[float] | tuple, s: float) -> tuple[float, float, float, float]:
    x, y, w, h = box
    return x + w * (1 - s) / 2, y + h * (1 - s) / 2, w * s, h * s


def coverage_mask(regions: list[Region], width: int, height: int) -> np.ndarray:
    mask = np.zeros((height, width), bool)
    for r in regions:
        x, y, w, h = scaled(r.box, GROW)
        mask[max(0, int(y)):max(0, int(np.ceil(y + h))), max(0, int(x)):max(0, int(np.ceil(x + w)))] = True
    return mask


def missed(regions: list[Region], faces_: list[dict], width: int, height: int) -> list[list[float]]:
    """Labelled (non-ignored) faces not caught by ``regions``."""
    mask = coverage_mask(regions, width, height)
    out = []
    for face in faces_:
        if face.get("ignore"):
            continue
        x, y, w, h = scaled(face["box"], CORE)
        core = mask[max(0, int(y)):int(np.ceil(y + h)), max(0, int(x)):int(np.ceil(x + w))]
        if core.size == 0 or core.mean() < COVER:
            out.append(face["box"])
    return out


def over_redaction(regions: list[Region], faces_: list[dict], width: int, height: int) -> float:
    """Share of non-face pixels (outside every labelled box grown 1.5x) that the regions cover."""
    nonface = np.ones((height, width), bool)
    for face in faces_:
        x, y, w, h = scaled(face["box"], 1.5)
        nonface[max(0, int(y)):int(np.ceil(y + h)), max(0, int(x)):int(np.ceil(x + w))] = False
    return float((coverage_mask(regions, width, height) & nonface).sum() / max(1, nonface.sum()))


@pytest.mark.parametrize("name", ["nasa_office_group.jpg", "ulfd_group_rows.jpg", "deface_city_street.jpg",
                                  "dlib_voc_dim_pair.jpg"])
def test_every_labelled_face_is_caught(name: str) -> None:
    rec = labels()[name]
    found = detect.run(Image.open(require_shared("data/faces-dev/images") / name), kinds=("faces",))
    assert all(r.kind == "face" and r.source == "detector" for r in found.regions)
    assert missed(found.regions, rec["faces"], rec["width"], rec["height"]) == []
    assert over_redaction(found.regions, rec["faces"], rec["width"], rec["height"]) < 0.05


OUT_OF_FOCUS = [("ulfd_group_students.jpg", 0), ("ulfd_school_rows.jpg", 0), ("solvay_1927_gray.jpg", 1),
                ("ulfd_large_group_dark_bg.jpg", 3),
                ("ulfd_masks_crowd_large.jpg", 9)]  # masked: 12 missed when one detector's box outlined them


@pytest.mark.parametrize("name, most_missed", OUT_OF_FOCUS)
def test_a_group_out_of_focus_is_caught(name: str, most_missed: int) -> None:
    """The whole photo out of focus (Gaussian blur, sigma 0.4% of its long side): the faces the blur has
    not already anonymised (at least 6 sigma high, the judge's rule) are caught by the half-size passes,
    plain and sharpened (without the sharpened copy the last two photos lose 3 of 29 and 7 of 74)."""
    import cv2

    rec, rgb = labels()[name], photo(name)
    sigma = 0.004 * max(rgb.shape[:2])
    blurred = cv2.GaussianBlur(rgb, (0, 0), sigma)
    required = [f for f in rec["faces"] if not f.get("ignore") and f["box"][3] >= 6 * sigma]
    assert faces._soft(blurred) and len(required) >= 10
    found = faces.detect_faces(blurred)
    assert len(missed(found.regions, required, rec["width"], rec["height"])) <= most_missed


def test_boxes_are_in_input_pixels_and_unpadded() -> None:
    rec = labels()["retinaface_couple.jpg"]
    rgb = photo("retinaface_couple.jpg")
    result = faces.detect_faces(rgb)
    big = [f["box"] for f in rec["faces"] if not f.get("ignore")]
    for x, y, w, h in big:  # each large labelled face has a detection of about its own size and place
        sizes = [r.box[3] / h for r in result.regions
                 if abs(r.box[0] + r.box[2] / 2 - (x + w / 2)) < w / 2 and r.box[1] < y + h / 2 < r.y2]
        assert sizes and 0.6 < max(sizes) < 1.4


def test_face_lying_sideways_is_found() -> None:
    """People on beds and floors: the photo turned 90 degrees still has every face caught."""
    name = "nasa_office_group.jpg"
    rec = labels()[name]
    rgb = photo(name)
    turned = np.ascontiguousarray(np.rot90(rgb))  # counter-clockwise: (x, y) -> (y, W - x)
    width = rec["width"]
    turned_faces = [{"box": [y, width - x - w, h, w]} for x, y, w, h in (f["box"] for f in rec["faces"])]
    result = faces.detect_faces(turned)
    assert missed(result.regions, turned_faces, turned.shape[1], turned.shape[0]) == []
    without_rotation = faces.detect_faces(turned, passes=("centerface", "yunet", "blazeface"))
    assert len(result.regions) >= len(without_rotation.regions)


def night_shot(rgb: np.ndarray, gain: float, quality: int) -> np.ndarray:
    """Underexposed phone photo: little light, sensor noise, then JPEG quantisation of the dark pixels."""
    noisy = rgb.astype(np.float32) * gain + np.random.default_rng(0).normal(0, 1.5, rgb.shape)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(buffer, "JPEG", quality=quality)
    return np.asarray(Image.open(buffer).convert("RGB"))


@pytest.mark.parametrize("gain, quality", [(0.12, 90), (0.05, 40)])
def test_dark_photo_is_caught_or_flagged(gain: float, quality: int) -> None:
    """Every dark photo is either fully caught or flagged for a human check (here: always flagged)."""
    name = "nasa_office_group.jpg"
    rec = labels()[name]
    result = faces.detect_faces(night_shot(photo(name), gain, quality))
    assert result.dark and result.low_confidence
    assert any("dark" in reason for reason in result.needs_review_reasons)
    lost = missed(result.regions, rec["faces"], rec["width"], rec["height"])
    assert len(lost) <= (0 if gain > 0.1 else 1)  # the harsh case may lose one face: a known gap, flagged


def test_bright_photo_is_not_dark() -> None:
    result = faces.detect_faces(photo("ulfd_group_rows.jpg"))
    assert not result.dark


def test_altered_model_stops_detection(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from photolab.errors import ModelError

    monkeypatch.setenv("PHOTOLAB_MODELS", str(tmp_path))
    runtime.forget_backends()  # no backend cached: the next one loads from the empty folder
    try:
        with pytest.raises(ModelError, match="photolab models fetch"):
            yunet.detect(np.zeros((64, 64, 3), np.uint8))
        with pytest.raises(ModelError, match="photolab models fetch"):
            faces.detect_faces(np.zeros((64, 64, 3), np.uint8))
    finally:
        runtime.forget_backends()


def test_run_rejects_unknown_kind_and_accepts_grey() -> None:
    with pytest.raises(ValueError, match="unknown detection kind"):
        detect.run(np.zeros((32, 32, 3), np.uint8), kinds=("cats",))
    grey = np.asarray(Image.fromarray(photo("solvay_1927_gray.jpg")).convert("L"))
    found = detect.run(grey, kinds=("faces",))
    assert len(found.regions) >= 25 and found.timings["faces"] > 0


@pytest.mark.slow
def test_dev_set_recall_and_over_redaction() -> None:
    """The whole dev set: recall >= 99.8%, over-redaction <= 2% (mean over photos)."""
    total = caught = 0
    overs = []
    for name, rec in labels().items():
        result = faces.detect_faces(photo(name))
        required = [f for f in rec["faces"] if not f.get("ignore")]
        total += len(required)
        caught += len(required) - len(missed(result.regions, required, rec["width"], rec["height"]))
        overs.append(over_redaction(result.regions, rec["faces"], rec["width"], rec["height"]))
    assert caught / total >= 0.998, f"recall {caught}/{total}"
    assert float(np.mean(overs)) <= 0.02


@pytest.mark.parametrize("shape", [(1, 1, 3), (10, 7, 3), (33, 65, 3), (3000, 20, 3), (64, 64)])
def test_odd_sizes_and_empty_pictures(shape: tuple[int, ...]) -> None:
    result = faces.detect_faces(np.full(shape, 128, np.uint8))
    assert result.regions == [] and not result.dark


def test_blazeface_finds_large_near_faces_where_they_are() -> None:
    rec = labels()["retinaface_couple.jpg"]
    boxes = blazeface.detect(photo("retinaface_couple.jpg"), 0.5)
    for x, y, w, h in (f["box"] for f in rec["faces"] if not f.get("ignore") and f["box"][3] > 300):
        centres = [((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for b in boxes]
        assert any(abs(cx - (x + w / 2)) < w / 3 and abs(cy - (y + h / 2)) < h / 3 for cx, cy in centres)


def test_blazeface_reads_its_outputs_by_name_whatever_order_opencv_gives_them() -> None:
    # OpenCV 5.0 lists (classificators, regressors), 5.1 the reverse: a plain `pip install` gets 5.1.
    rgb = photo("retinaface_couple.jpg")
    net = blazeface.BlazeFace(threads=1)
    as_listed = net(rgb, 0.5)
    net.outputs.reverse()
    assert len(as_listed) >= 2
    np.testing.assert_array_equal(net(rgb, 0.5), as_listed)


def very_dark(rgb: np.ndarray) -> np.ndarray:
    """Mean brightness about 15/255 (a room lit by a phone screen), with sensor noise."""
    scaled = rgb.astype(np.float32) * (15.0 / max(1.0, float(rgb.mean())))
    noisy = scaled + np.random.default_rng(1).normal(0, 1.2, rgb.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


def test_very_dark_photo_is_flagged_and_the_desk_can_show_it_brightened() -> None:
    rgb = very_dark(photo("nasa_office_group.jpg"))
    result = faces.detect_faces(rgb)
    assert result.needs_review and any("brightened" in r for r in result.needs_review_reasons)
    shown, brightened = faces.review_view(rgb)
    assert brightened and shown.shape == rgb.shape and shown.mean() > 4 * rgb.mean()
    bright = photo("ulfd_group_rows.jpg")
    same, changed = faces.review_view(bright)
    assert not changed and np.array_equal(same, bright)


# ulfd_masks_crowd: 41 faces, the small turned probe alone misses a dozen; wider_marchingband: 132 faces of
# 9-30 px that the upright passes half see (so few are new to the probe), 11 of them missed before the
# probe's lead over the opposite turn also counted
@pytest.mark.parametrize("name", ["ulfd_masks_crowd.jpg", "wider_marchingband.jpg"])
def test_group_photographed_sideways_gets_full_passes_in_its_orientation(name: str) -> None:
    """A whole group turned 90 degrees: small faces too, not only the large ones the probe sees."""
    rec = labels()[name]
    turned = np.ascontiguousarray(np.rot90(photo(name)))
    width = rec["width"]
    moved = [{"box": [y, width - x - w, h, w], "ignore": f.get("ignore")}
             for f, (x, y, w, h) in ((f, f["box"]) for f in rec["faces"])]
    result = faces.detect_faces(turned)
    assert "centerface-turned" in {r.detector for r in result.regions}
    assert missed(result.regions, moved, turned.shape[1], turned.shape[0]) == []


@pytest.mark.parametrize("turns", [1, 2, 3])
def test_a_box_found_in_a_turned_copy_maps_back_onto_the_same_pixels(turns: int) -> None:
    image = np.zeros((60, 100), np.uint8)
    image[10:20, 70:90] = 255  # a bright block at x 70-90, y 10-20
    turned = np.rot90(image, turns)
    ys, xs = np.nonzero(turned)
    found = np.array([[xs.min(), ys.min(), xs.max() + 1, ys.max() + 1, 1.0]], np.float32)
    assert faces._rotated_back(found, turns, 100, 60)[0, :4].tolist() == [70, 10, 90, 20]


@pytest.mark.parametrize("name", ["wider_meeting_room.jpg", "retinaface_fans.jpg", "wider_meeting_hall.jpg"])
def test_a_photo_upside_down_is_searched_upside_down(name: str) -> None:
    """A print scanned upside down, or a photo whose orientation tag was lost: without the 180-degree
    probe and its full passes the held-back photos lost a third of their faces (67.1% -> 99.7%)."""
    rec = labels()[name]
    flipped = np.ascontiguousarray(photo(name)[::-1, ::-1])
    w, h = rec["width"], rec["height"]
    moved = [{"box": [w - x - bw, h - y - bh, bw, bh], "ignore": f.get("ignore")}
             for f, (x, y, bw, bh) in ((f, f["box"]) for f in rec["faces"])]
    assert missed(faces.detect_faces(flipped).regions, moved, w, h) == []
    upright_only = faces.detect_faces(flipped, passes=("centerface", "yunet", "blazeface", "fine"))
    assert len(missed(upright_only.regions, moved, w, h)) >= 3


@pytest.mark.parametrize("name", ["ulfd_group_bench.jpg", "nasa_office_group.jpg", "ulfd_group_rows.jpg"])
def test_an_upright_group_gets_no_turned_passes(name: str) -> None:
    """Large upright faces are seen by the probes turned either way (these three come closest to the
    rule); the full turned passes would double the time for nothing."""
    names = {p.name for p in faces.look(photo(name)).passes}
    assert "centerface-rotated" in names and "centerface-turned" not in names


def _looked(boxes: dict[str, list[list[float]]], dark: bool = False) -> faces.Looked:
    passes = [faces.Pass(name.split("-")[0], name, np.asarray(b, np.float32).reshape(-1, 5))
              for name, b in boxes.items()]
    return faces.Looked(passes, 1000, 800, 30.0 if dark else 120.0, dark, {})



def test_a_lone_weak_face_is_a_candidate_but_kept_next_to_a_clear_one() -> None:
    weak = [600, 300, 630, 340, 0.3]  # what CenterFace reports on a distant monitor or a knot in wood
    alone = faces.combine(_looked({"centerface": [weak]}))
    assert alone.regions == [] and len(alone.candidates) == 1 and alone.needs_review
    crowd = faces.combine(_looked({"centerface": [weak, [100, 100, 160, 180, 0.9]]}))
    assert len(crowd.regions) == 2 and not crowd.candidates  # the back row of a real group
    dark = faces.combine(_looked({"centerface": [weak]}, dark=True))
    assert dark.regions == [] and len(dark.candidates) == 1 and dark.dark and dark.needs_review


def test_a_large_box_is_not_confirmed_by_a_small_face_inside_it() -> None:
    face = [120, 130, 150, 170, 0.95]
    shirt = [80, 100, 300, 400, 0.55]  # YuNet on a shirt, around a real face
    found = faces.combine(_looked({"centerface": [face], "yunet": [shirt]}))
    assert [r.box for r in found.regions] == [(120, 130, 30, 40)]


def test_where_two_detectors_disagree_about_a_face_both_places_are_covered() -> None:
    """A masked or blurred face: CenterFace outlines the eyes and forehead, YuNet the face lower down.
    The outline used to be CenterFace's alone, and the judge counted such faces as missed (covering both:
    blurred hard cases 23 -> 19 missed, all hard cases 42 -> 35, bench/bench_faces.py)."""
    upper = [100, 100, 140, 150, 0.9]
    lower = [100, 125, 140, 175, 0.8]  # IoU 0.33 with the upper box: the same face, placed differently
    found = faces.combine(_looked({"centerface": [upper], "yunet": [lower]}))
    assert [r.box for r in found.regions] == [(100, 100, 40, 75)]
    assert found.regions[0].extra["confirmed"]


def test_where_two_detectors_agree_about_a_face_their_boxes_are_averaged() -> None:
    found = faces.combine(_looked({"centerface": [[100, 100, 140, 150, 0.9]],
                                   "yunet": [[104, 104, 144, 154, 0.8]]}))
    assert [r.box for r in found.regions] == [(102, 102, 40, 50)]
