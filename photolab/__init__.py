"""photolab: the review desk every sensitive photograph passes through before publication.

Pipeline: load -> inspect -> detect -> review -> redact -> encode -> verify -> export.
Each stage is a plain function over plain data, in its own module. The names below are the public API;
they are imported on first use so that ``photolab --help`` stays fast. Detection and redaction are
``photolab.detect.run`` and ``photolab.redact.redact`` (their modules share the stage names).
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from photolab.config import apply_privacy_environment

apply_privacy_environment()  # before any dependency (onnxruntime, gradio) is imported

__version__ = "0.1.0"

_API = {
    "load": "photolab.photo",
    "inspect": "photolab.metadata",
    "encode_clean": "photolab.metadata",
    "anonymise": "photolab.pipeline:anonymise_file",
    "verify": "photolab.pipeline:verify_file",
}
__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'photolab' has no attribute {name!r}")
    module, _, attr = _API[name].partition(":")
    return getattr(import_module(module), attr or name)
