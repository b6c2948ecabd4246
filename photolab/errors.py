"""Errors photolab raises on purpose.

Every error a user can cause (a bad file, a missing model, a wrong option) is a PhotoLabError with a
one-line, plain-language message. The CLI prints ``file: message`` and maps the class to an exit code;
the UI shows the message. Anything else reaching the top is a bug (shown only with ``--debug``).
"""

from __future__ import annotations


class PhotoLabError(Exception):
    """Base class: a user-facing failure with a plain message."""

    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UnsupportedFormat(PhotoLabError):
    """The bytes are not an image format photolab reads (whatever the extension says)."""


class CorruptImage(PhotoLabError):
    """The file claims to be an image but cannot be decoded completely."""


class ImageTooLarge(PhotoLabError):
    """Pixel count or file size over the safety limits (decompression bombs)."""


class UnsafeOutput(PhotoLabError):
    """A written file failed the read-back check; it was removed and not reported as done."""


class OutputExists(PhotoLabError):
    """The output file already exists and --force was not given."""


class ModelError(PhotoLabError):
    """A model file is missing or does not match its pinned SHA-256."""


class ReviewBlocked(PhotoLabError):
    """The ethics review has an answer that blocks approval."""


class UsageError(PhotoLabError):
    """Wrong options or paths (exit code 2)."""

    exit_code = 2
