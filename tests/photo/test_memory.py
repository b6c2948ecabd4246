"""Memory stays bounded by the largest image over a folder: it does not grow pass after pass.

Phones' HEIC photos are tiled and decoded on libheif's threads; before the malloc-arena cap a process
grew by about a photo per thread arena over the dev corpus. Generated HEICs are not tiled, so this reads
the dev corpus (skipped when it is absent) in a fresh process.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

SCRIPT = r"""
import json, sys
from pathlib import Path
from photolab.metadata import encode_photo, inspect
from photolab.photo import load, release_memory

files = [Path(p) for p in json.loads(sys.argv[1])]
def rss_mib():
    return int(open("/proc/self/statm").read().split()[1]) * 4096 / 2**20
after = []
for _ in range(4):
    for path in files:
        data = path.read_bytes()
        try:
            photo = load(data, name=path.name)
            inspect(data)
            encode_photo(photo)
            del photo
        except Exception:
            pass
        del data
        release_memory()
    after.append(rss_mib())
print(json.dumps(after))
"""


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/statm")
def test_memory_does_not_grow_over_passes(corpus_dir) -> None:
    files = sorted(str(p) for p in corpus_dir.rglob("*") if p.suffix.lower() in (".heic", ".avif", ".jpg"))
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(files)],
        capture_output=True,
        text=True,
        check=True,
        timeout=900,
    )
    after = json.loads(run.stdout)
    assert max(after[1:]) - after[0] < 12, after  # MiB: the heap settles after the first pass
