"""Fixtures of the workshop tests: two small generated scenarios (so logic tests need no shipped samples)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from PIL import Image


@pytest.fixture(scope="session")
def small_samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A samples folder with two 400 x 300 scenarios, "ward" (three hazards) and "office" (one)."""
    return _make_samples(tmp_path_factory.mktemp("workshop-samples"))


def _make_samples(root: Path) -> Path:
    """Two small scenarios in the layout the shipped samples use."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("ward.png", "office.png"):
        Image.new("RGB", (400, 300), (180, 170, 160)).save(root / name)
    scenarios = [
        {
            "id": "ward",
            "image": "ward.png",
            "title": {"en": "Seclusion room", "fr": "Chambre d'isolement", "es": "Sala de aislamiento"},
            "brief": {"en": "Annual report chapter on seclusion.", "fr": "Chapitre.", "es": "Capítulo."},
            "learning_points": {
                "en": ["Door signs carry names."],
                "fr": ["Les portes."],
                "es": ["Las puertas."],
            },
            "discussion_prompts": {"en": ["Would you publish a restraint bed?"], "fr": ["?"], "es": ["?"]},
        },
        {
            "id": "office",
            "image": "office.png",
            "title": {"en": "Staff office"},
            "brief": {"en": "Registers."},
        },
    ]
    hazards = {
        "ward.png": [
            {
                "id": "door_name",
                "kind": "text",
                "label": "Name on door",
                "box": [10, 10, 60, 20],
                "must_redact": True,
            },
            {
                "id": "face",
                "kind": "face",
                "label": "Face",
                "labels": {"fr": "Visage", "es": "Rostro"},
                "box": [200, 100, 40, 50],
                "must_redact": True,
            },
            {
                "id": "view",
                "kind": "place",
                "label": "Window view",
                "box": [300, 20, 90, 80],
                "must_redact": False,
            },
        ],
        "office.png": [
            {
                "id": "register",
                "kind": "text",
                "label": "Register",
                "box": [50, 150, 120, 60],
                "must_redact": True,
            },
        ],
    }
    (root / "scenarios.yaml").write_text(yaml.safe_dump({"scenarios": scenarios}, allow_unicode=True))
    (root / "hazards.json").write_text(json.dumps(hazards))
    return root
