"""Archives on a Dask cluster (issue 11): the same outputs and report as a local run; a worker that dies
mid-run loses no file and leaves no partial output."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import threading
from pathlib import Path

import pytest
from support import SAMPLES

from photolab import batch
from photolab.batch.manifest import NAME as MANIFEST
from photolab.core import job
from photolab.core.io import PART_PREFIX

distributed = pytest.importorskip("distributed")

FACES = job.Options(detect=("faces",))
NAMES = [
    "s02_seclusion.jpg",
    "s05_window.jpg",
    "s06_tattoo.jpg",
    "s07_common_room.jpg",
    "s09_courtyard.jpg",
    "s10_framing_wide.jpg",
]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("archive")
    for name in NAMES:
        shutil.copy(SAMPLES / name, folder / name)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really")
    return folder


def outputs(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.name != MANIFEST
    }


def comparable(entries: list[dict], root: Path) -> list[dict]:
    return [{**e, "output": e["output"] and str(Path(e["output"]).relative_to(root))} for e in entries]


@pytest.mark.slow
def test_a_local_cluster_gives_the_same_outputs_and_report_as_one_process(
    inputs: Path, tmp_path: Path
) -> None:
    here = batch.run([inputs], tmp_path / "here", FACES, jobs=1)
    there = batch.run([inputs], tmp_path / "there", FACES, cluster="local:2")
    assert outputs(tmp_path / "here") == outputs(tmp_path / "there")
    assert len(outputs(tmp_path / "here")) == len(NAMES)
    assert comparable(here.entries, tmp_path / "here") == comparable(there.entries, tmp_path / "there")
    assert [e["status"] for e in there.entries].count("error") == 1


@pytest.mark.slow
def test_a_worker_killed_mid_run_loses_no_file(inputs: Path, tmp_path: Path) -> None:
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            env={"PHOTOLAB_THREADS": "1"},
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        pids = list(client.run(os.getpid).values())
        killed = threading.Event()

        def kill_one(event: batch.Event) -> None:
            if not killed.is_set():  # right after the first file: the other worker is mid-task
                killed.set()
                os.kill(pids[0], signal.SIGKILL)

        summary = batch.run(
            [inputs], tmp_path / "out", FACES, cluster=cluster.scheduler_address, progress=kill_one
        )
    assert killed.is_set()
    assert sorted(e["status"] for e in summary.entries).count("ok") == len(NAMES)
    assert len(outputs(tmp_path / "out")) == len(NAMES)
    assert not list((tmp_path / "out").rglob(f"{PART_PREFIX}*.part"))
