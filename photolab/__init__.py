"""photolab: the review desk every sensitive photograph passes through before publication.

One path for every photo (``photolab.core.job``): open (decode once, inspect) -> detect -> plan (policy)
-> render (redact, encode once) -> check; the command line, the review desk and the workshop all take it.
The names below are the public API, imported on first use so that ``photolab --help`` stays fast.
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
    "open_photo": "photolab.core.job",
    "detect_regions": "photolab.core.job",
    "plan": "photolab.core.policy",
    "render": "photolab.core.job",
    "run": "photolab.core.job",
    "run_file": "photolab.core.job",
    "verify": "photolab.core.verify:verify_file",
}
__all__ = ["__version__", *_API]


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module 'photolab' has no attribute {name!r}")
    module, _, attr = _API[name].partition(":")
    return getattr(import_module(module), attr or name)
