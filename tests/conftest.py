"""Fixtures every test folder may use. Plain builders live in ``support.py`` (importable: tests/ is on
pytest's pythonpath); nothing is imported from this file."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import SAMPLES, require_shared


@pytest.fixture
def shared_dir() -> Path:
    """../shared (dev data and judges), or skip."""
    return require_shared()


@pytest.fixture
def corpus_dir() -> Path:
    """The metadata corpus, or skip."""
    return require_shared("data/metadata-corpus")


@pytest.fixture
def faces_dev() -> Path:
    """faces-dev (images/ and labels.json), or skip."""
    return require_shared("data/faces-dev")


@pytest.fixture
def text_dev() -> Path:
    """text-dev (scenes and labels.json), or skip."""
    return require_shared("data/text-dev")


@pytest.fixture
def samples_dir() -> Path:
    """The project's shipped sample scenarios."""
    return SAMPLES


@pytest.fixture(autouse=True)
def _fresh_config():
    """photolab.config reads the environment once: re-read it around tests that change it."""
    from photolab import config

    config.reload()
    yield
    config.reload()
