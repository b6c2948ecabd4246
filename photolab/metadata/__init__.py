"""What a file gives away, and how photolab writes a copy that gives nothing away.

- ``inspect`` (inspect.py) reads every metadata block of a file (EXIF, XMP, IPTC, Photoshop resources,
  ICC profile, maker notes, comments, text chunks, thumbnails, secondary images, trailers, unknown
  segments) and explains each in plain language as a ``Finding``; XMP sidecars and camera RAW too.
- ``encode_clean`` / ``encode_photo`` (encode.py) write pixels only: no metadata argument is ever passed
  to the encoder; ``output_format`` chooses the format.
- ``residual_check`` / ``assert_clean`` (residual.py) are photolab's own parser of the written bytes:
  anything beyond what a decoder needs (each container's allowlist) is reported and refused.

Layout: one parser class per container (jpeg, png, gif, webp, tiff, bmff; the base in container.py,
TIFF directories in ifd.py), interpreters shared by all containers (exif, xmp, iptc, photoshop, icc,
vendor for maker notes and FLIR blocks), and the meaning of every field as data in rules.py.
"""

from photolab.metadata import bmff, gif, jpeg, png, tiff, webp  # noqa: F401 - each registers its parser
from photolab.metadata.container import Block, Layout, walk
from photolab.metadata.encode import (
    EXTENSIONS,
    JPEG_QUALITY,
    WEBP_QUALITY,
    encode_clean,
    encode_photo,
    output_format,
)
from photolab.metadata.findings import Finding
from photolab.metadata.inspect import inspect
from photolab.metadata.residual import assert_clean, residual_check
from photolab.metadata.rules import GROUP_ORDER, RISK_ORDER

__all__ = [
    "EXTENSIONS",
    "GROUP_ORDER",
    "JPEG_QUALITY",
    "RISK_ORDER",
    "WEBP_QUALITY",
    "Block",
    "Finding",
    "Layout",
    "assert_clean",
    "encode_clean",
    "encode_photo",
    "inspect",
    "output_format",
    "residual_check",
    "walk",
]
