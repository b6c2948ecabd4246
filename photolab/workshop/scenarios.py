"""Workshop scenarios: an image, its brief in each language and its answer key (the hazards).

They are read from ``samples/scenarios.yaml`` and ``samples/hazards.json`` (``$PHOTOLAB_SAMPLES`` points
elsewhere). Texts missing in a language fall back to English.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from PIL import Image

from photolab import config
from photolab.workshop.texts import WorkshopError

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class Hazard:
    """One identifying element of a scenario image: the ground truth participants should spot."""

    id: str
    kind: str
    label: str
    box: Box
    must_redact: bool = True
    labels: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    def label_in(self, lang: str) -> str:
        return self.labels.get(lang) or self.label


@dataclass(frozen=True)
class Scenario:
    id: str
    image: Path
    title: dict[str, str]
    brief: dict[str, str]
    learning_points: dict[str, list[str]]
    discussion_prompts: dict[str, list[str]]
    hazards: tuple[Hazard, ...]
    suggested_decision: str = ""  # a starting point for the debrief, not the answer
    size: tuple[int, int] = (0, 0)  # width, height of the image in pixels

    def text(self, what: str, lang: str) -> Any:
        values = getattr(self, what)
        return values.get(lang) or values.get("en") or next(iter(values.values()), "")


def default_samples_dir() -> Path:
    return config.settings().samples or Path(__file__).resolve().parents[2] / "samples"


def load_scenarios(samples_dir: Path | None = None) -> list[Scenario]:
    """Read the shipped scenarios and their hazards (ground truth)."""
    samples_dir = samples_dir or default_samples_dir()
    if not (samples_dir / "scenarios.yaml").is_file() or not (samples_dir / "hazards.json").is_file():
        raise WorkshopError("no_samples", path=str(samples_dir))
    spec = yaml.safe_load((samples_dir / "scenarios.yaml").read_text(encoding="utf-8"))
    entries = spec.get("scenarios", spec) if isinstance(spec, dict) else spec
    hazards_data = json.loads((samples_dir / "hazards.json").read_text(encoding="utf-8"))
    return [_scenario(e, samples_dir, hazards_data) for e in entries]


def _scenario(entry: dict[str, Any], samples_dir: Path, hazards_data: Any) -> Scenario:
    image_name = str(entry["image"])
    image = (samples_dir / image_name).resolve()
    with Image.open(image) as im:  # reads the header only
        size = im.size
    hazards = tuple(_hazard(h) for h in _hazard_entries(hazards_data, image_name, str(entry["id"])))
    return Scenario(
        id=str(entry["id"]),
        image=image,
        title=_localised_text(entry.get("title", entry["id"])),
        brief=_localised_text(entry.get("brief", "")),
        learning_points=_localised_list(entry.get("learning_points", [])),
        discussion_prompts=_localised_list(entry.get("discussion_prompts", [])),
        suggested_decision=str(entry.get("suggested_decision", "") or ""),
        hazards=hazards,
        size=size,
    )


def _hazard(h: dict[str, Any]) -> Hazard:
    return Hazard(
        id=str(h["id"]),
        kind=str(h.get("kind", "other")),
        label=str(h.get("label", h["id"])),
        box=tuple(round(v) for v in h["box"]),  # type: ignore[arg-type]
        must_redact=bool(h.get("must_redact", True)),
        labels={str(k): str(v) for k, v in (h.get("labels") or {}).items()},
    )


def _localised_text(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        return {str(k): str(v) for k, v in value.items()}
    return {"en": "" if value is None else str(value)}


def _localised_list(value: Any) -> dict[str, list[str]]:
    """Accept ``{en: [...], fr: [...]}``, ``[{en:..., fr:...}, ...]`` or a plain list of strings."""
    if isinstance(value, dict):
        return {str(k): [str(x) for x in (v if isinstance(v, list) else [v])] for k, v in value.items()}
    out: dict[str, list[str]] = {}
    for item in value or []:
        for lang, text in _localised_text(item).items():
            out.setdefault(lang, []).append(text)
    return out


def _hazard_entries(data: Any, image_name: str, scenario_id: str) -> list[dict[str, Any]]:
    """Find the hazards of one image in hazards.json, whichever reasonable layout it uses."""
    keys = (image_name, Path(image_name).name, Path(image_name).stem, scenario_id)
    if isinstance(data, dict):
        for key in ("images", "scenarios"):
            if key in data:
                return _hazard_entries(data[key], image_name, scenario_id)
        for key in keys:
            if key in data:
                entry = data[key]
                return entry.get("hazards", []) if isinstance(entry, dict) else list(entry)
        return []
    for entry in data or []:
        image = str(entry.get("image", ""))
        if {image, Path(image).name, str(entry.get("id", ""))} & set(keys):
            return list(entry.get("hazards", []))
    return []
