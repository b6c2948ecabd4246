"""Where the jobs of a batch run: in this process, in local worker processes, or on a Dask cluster.

Each runner yields ``(job, outcome)`` where the outcome is a ``core.job.Result`` or the exception that
file raised; writing, checking and reporting stay with the caller, in this process. Every worker runs its
models on one thread, so N workers use N cores and never oversubscribe a pinned process.

Dask: the client reads each input and sends its bytes with the task; the worker sends the encoded output
back. Workers need photolab and its models installed, no shared filesystem. A worker that dies mid-task
has its tasks rescheduled by the Dask scheduler; a task that raises is retried once.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any

from photolab.batch.paths import Job
from photolab.core import job as core_job
from photolab.errors import UsageError
from photolab.photo import release_memory

Outcome = Any  # core_job.Result | BaseException


def run_local(jobs: list[Job], options: core_job.Options, workers: int) -> Iterator[tuple[Job, Outcome]]:
    """In input order; ``workers > 1`` uses that many spawned processes with bounded read-ahead."""
    if workers <= 1 or len(jobs) < 2:
        for job in jobs:
            yield job, _outcome(lambda j=job: core_job.run_file(j.source, options))
        return
    context = multiprocessing.get_context("spawn")  # not fork: this process may hold model threads
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context,
                             initializer=_one_thread) as pool:
        window = 2 * workers  # outputs wait in memory until written: keep only a few
        pending: list[tuple[Job, Future]] = []
        queue = iter(jobs)
        for job in queue:
            pending.append((job, pool.submit(pooled_job, job.source, options)))
            if len(pending) >= window:
                break
        while pending:
            job, future = pending.pop(0)
            yield job, _outcome(future.result)
            nxt = next(queue, None)
            if nxt is not None:
                pending.append((nxt, pool.submit(pooled_job, nxt.source, options)))


def _one_thread() -> None:
    os.environ["PHOTOLAB_THREADS"] = "1"
    from photolab import config

    config.reload()


def _outcome(call: Any) -> Outcome:
    try:
        return call()
    except Exception as exc:  # reported per file by the caller; one bad file never stops a batch
        return exc
    finally:
        release_memory()  # memory stays bounded by the largest photo, however long the batch


# --------------------------------------------------------------------------------------------- Dask

def run_cluster(jobs: list[Job], options: core_job.Options, address: str) -> Iterator[tuple[Job, Outcome]]:
    """On a Dask cluster (``tcp://host:8786``) or a local one (``local:N``), in completion order."""
    from distributed import as_completed

    with _client(address) as client:
        window = max(2, 2 * _worker_count(client))
        futures: dict[Any, Job] = {}
        pending = as_completed()
        queue = iter(jobs)

        def refill() -> Iterator[tuple[Job, Outcome]]:
            while len(futures) < window and (job := next(queue, None)) is not None:
                failed = _submit(client, pending, futures, job, options)
                if failed is not None:
                    yield job, failed

        yield from refill()
        while futures:
            future = next(pending)
            job = futures.pop(future)
            yield job, _outcome(future.result)
            future.release()
            yield from refill()


def _submit(client: Any, pending: Any, futures: dict[Any, Job], job: Job,
            options: core_job.Options) -> BaseException | None:
    """Send one input's bytes to the cluster; a file that cannot be read fails here, not remotely."""
    from photolab.photo import read_source

    try:
        data, name = read_source(job.source)
    except Exception as exc:
        return exc
    future = client.submit(remote_job, data, name, options, pure=False, retries=1)
    futures[future] = job
    pending.add(future)
    return None


def remote_job(data: bytes, name: str, options: core_job.Options) -> core_job.Result:
    """What a Dask worker runs: one photo, models on one thread (Dask runs ``nthreads`` tasks at once)."""
    if not os.environ.get("PHOTOLAB_THREADS"):
        os.environ["PHOTOLAB_THREADS"] = "1"
        from photolab import config

        config.reload()
    try:
        return core_job.run(data, name, options)
    finally:
        release_memory()


def pooled_job(source: Any, options: core_job.Options) -> core_job.Result:
    """What a local worker process runs for one file."""
    try:
        return core_job.run_file(source, options)
    finally:
        release_memory()


@contextmanager
def _client(address: str) -> Iterator[Any]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise UsageError("--cluster needs Dask: pip install 'photolab[cluster]'") from None
    if address.startswith("local:"):
        count = _local_count(address)
        with LocalCluster(n_workers=count, threads_per_worker=1, processes=True, host="127.0.0.1",
                          dashboard_address=None, env={"PHOTOLAB_THREADS": "1"}) as cluster, \
                Client(cluster) as client:
            yield client
        return
    if not address.startswith(("tcp://", "tls://")):
        raise UsageError(f"--cluster {address!r}: give tcp://HOST:PORT of a Dask scheduler, or local:N")
    try:
        client = Client(address, timeout="20s")
    except OSError as exc:
        raise UsageError(f"--cluster {address}: cannot reach the Dask scheduler ({exc})") from None
    with client:
        yield client


def _local_count(address: str) -> int:
    try:
        count = int(address.removeprefix("local:"))
    except ValueError:
        count = 0
    if count < 1:
        raise UsageError("--cluster local:N needs N >= 1 workers")
    return count


def _worker_count(client: Any) -> int:
    return len(client.scheduler_info().get("workers", {})) or 1
