"""Nothing is left behind after a crash: ``kill -9`` of the server child, of the supervisor, of both.

The real ``photolab serve`` in a subprocess with the real desk. A JPEG with a random marker planted in
its EXIF (description, artist; GPS too) is sent twice: once through the desk's ``ingest`` (gradio_client,
as a browser does) and once only uploaded, never handed to a handler - the copy a crash could leave on
disk. Before the kill that pending copy is found in the server's folder (so the scan can fail); after it,
no file with the upload's SHA-256 or the marker exists under /dev/shm, /tmp, /var/tmp or ~/.cache (the
test HOME's and the real one).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

pytest.importorskip("gradio_client")
pytestmark = pytest.mark.slow

CLEAN_WITHIN = 3.0  # seconds


def _shm_root() -> Path:
    shm = Path("/dev/shm")
    if not (shm.is_dir() and os.access(shm, os.W_OK)):
        pytest.skip("no writable /dev/shm")
    return shm / f"photolab-{os.getuid()}"


def _send(url: str, upload: Any, folder: Path) -> None:
    """Ingest one copy through the desk; upload a second one that no handler reads."""
    from gradio_client import Client, handle_file

    folder.mkdir()
    source = folder / upload.name
    source.write_bytes(upload.data)
    client = Client(url, verbose=False, download_files=False)
    try:
        client.predict(api_name="/load")  # what a page load does first: the session's desk
        client.predict([handle_file(str(source))], api_name="/ingest")
    finally:
        client.close()
    with source.open("rb") as handle:
        pending = ("pending-" + upload.name, handle, "image/jpeg")  # another path than the ingested copy
        answer = httpx.post(f"{url}/gradio_api/upload", files={"files": pending})
    assert answer.status_code == 200, answer.text
    source.unlink()  # the test's own copy: from here on, any copy found is the server's


def _gone(pid: int) -> bool:
    """Exited: no such process, or a zombie whose threads have all finished (so its files are closed)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        threads = len(os.listdir(f"/proc/{pid}/task"))
    except OSError:
        return True
    return state in ("Z", "X") and threads <= 1


def _wait(condition, timeout: float) -> float:  # type: ignore[no-untyped-def]
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > timeout:
            break
        time.sleep(0.01)
    return time.monotonic() - start


def _stopped(pid: int) -> bool:
    """Every thread of ``pid`` is stopped (SIGSTOP is delivered asynchronously: on a loaded machine a
    thread may still run for a moment after ``kill`` returns, and see its parent die)."""
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
        return all(Path(f"/proc/{pid}/task/{t}/stat").read_text().rsplit(")", 1)[1].split()[0] == "T"
                   for t in tasks)
    except OSError:
        return False


def _kill_both(supervisor: Any, child: int) -> None:
    """kill -9 of both at the same instant: stopped first, so neither can react to the other's death."""
    for pid in (supervisor.pid, child):
        os.kill(pid, signal.SIGSTOP)
    assert _wait(lambda: _stopped(supervisor.pid) and _stopped(child), 10) < 10
    for pid in (supervisor.pid, child):
        os.kill(pid, signal.SIGKILL)
    assert _wait(lambda: _gone(child) and supervisor.poll() is not None, 10) < 10


def _private(output: str) -> bool:
    return "private in-memory folder" in output


def _pending_copy_is_there(running: Any, upload: Any, find_copies: Any) -> None:
    child, run = running.child_pid(), running.run_dir()
    inside = find_copies(upload, [Path(f"/proc/{child}/root{run}")])  # the child's own view of its folder
    assert inside, "the pending upload is in the server folder before the kill (or the scan proves nothing)"
    if _private(running.output):
        assert not find_copies(upload, [run]), "a private tmpfs is invisible outside the server"


@pytest.mark.parametrize("victim", ["child", "supervisor"])
def test_kill_9_leaves_no_copy_of_the_upload(
    victim: str,
    tmp_path: Path,
    serve_env: dict[str, str],
    marked_upload: Any,
    find_copies: Any,
    scanned_roots: Any,
    start_serve: Any,
) -> None:
    from photolab.server import free_port

    root = _shm_root() if victim == "child" else tmp_path / "temp"  # the real /dev/shm once
    env = dict(serve_env)
    if victim == "child":
        env.pop("PHOTOLAB_TEMP_ROOT")
    running = start_serve(["--db", str(tmp_path / "records.sqlite3")], env, root, free_port())
    _send(running.url, marked_upload, tmp_path / "in")
    _pending_copy_is_there(running, marked_upload, find_copies)
    child, run = running.child_pid(), running.run_dir()
    os.kill(child if victim == "child" else running.proc.pid, signal.SIGKILL)
    t_kill = time.monotonic()
    both_views = [run, Path(f"/proc/{child}/root{run}")]  # ours, and the child's while it lives
    copies_gone = _wait(lambda: not find_copies(marked_upload, both_views), 10)
    folder_gone = _wait(lambda: not run.exists(), 10) + copies_gone
    child_gone = _wait(lambda: _gone(child), 10) + folder_gone
    scan_start = time.monotonic() - t_kill
    left = find_copies(marked_upload, scanned_roots(Path(env["HOME"])))
    print(f"\nkill -9 {victim}: copies gone {copies_gone:.2f} s, run folder gone {folder_gone:.2f} s, "
          f"child gone {child_gone:.2f} s, private tmpfs: {_private(running.output)}")  # fmt: skip
    assert not left, f"copies left after kill -9 of the {victim}: {left}"
    assert scan_start < CLEAN_WITHIN, "the folder is gone and the child stopped within 3 s"
    if victim == "child":
        assert running.proc.wait(timeout=10) == 128 + signal.SIGKILL, "the child's status is passed on"


def test_both_killed_at_once_leave_no_content_and_the_next_start_removes_the_rest(
    tmp_path: Path,
    serve_env: dict[str, str],
    marked_upload: Any,
    find_copies: Any,
    scanned_roots: Any,
    start_serve: Any,
) -> None:
    from photolab.server import free_port, temp

    root = tmp_path / "temp"
    running = start_serve(["--db", str(tmp_path / "records.sqlite3")], serve_env, root, free_port())
    _send(running.url, marked_upload, tmp_path / "in")
    _pending_copy_is_there(running, marked_upload, find_copies)
    child, run = running.child_pid(), running.run_dir()
    _kill_both(running.proc, child)
    left = find_copies(marked_upload, scanned_roots(Path(serve_env["HOME"])))
    remaining = sorted(p for p in run.rglob("*"))
    print(f"\nboth killed: left in {run.name}: {[str(p.relative_to(run)) for p in remaining]}")
    if _private(running.output):
        assert not left, "the kernel frees the private tmpfs with the child"
        assert all(p.is_dir() or p.stat().st_size == 0 for p in remaining), "only empty folders and the lock"
    else:  # the documented limit without a private tmpfs: the folder stays (in RAM) until the next start
        assert left
    assert _wait(lambda: temp.remove_dead_runs(root) == 1, 10) < 10, "the next start removes the rest"
    assert not run.exists()
    assert not find_copies(marked_upload, scanned_roots(Path(serve_env["HOME"])))


def test_sigterm_stops_cleanly_with_status_0(
    tmp_path: Path, serve_env: dict[str, str], start_serve: Any
) -> None:
    from photolab.server import free_port

    running = start_serve(["--db", str(tmp_path / "r.sqlite3")], serve_env, tmp_path / "temp", free_port())
    run = running.run_dir()
    running.proc.send_signal(signal.SIGTERM)
    assert running.proc.wait(timeout=30) == 0
    assert not run.exists()
    assert "Traceback" not in running.output, running.output


def _without_private_tmpfs(tmp_path: Path, port: int) -> list[str]:
    """The supervisor as ``photolab serve`` runs it, with the private tmpfs turned off (its fallback)."""
    script = (
        "import sys\n"
        "from photolab.server.supervisor import ServeConfig, supervise\n"
        f"config = ServeConfig(port={port}, db={str(tmp_path / 'r.sqlite3')!r}, private_tmpfs=False)\n"
        "sys.exit(supervise(config))\n"
    )
    return [sys.executable, "-c", script]


def test_without_a_private_tmpfs_the_supervisor_still_wipes_after_kill_9_of_the_child(
    tmp_path: Path,
    serve_env: dict[str, str],
    marked_upload: Any,
    find_copies: Any,
    scanned_roots: Any,
    start_serve: Any,
) -> None:
    from photolab.server import free_port, temp

    root, port = tmp_path / "temp", free_port()
    running = start_serve([], serve_env, root, port, command=_without_private_tmpfs(tmp_path, port))
    assert not _private(running.output)
    _send(running.url, marked_upload, tmp_path / "in")
    run = running.run_dir()
    assert find_copies(marked_upload, [run]), "the pending upload sits in the plain run folder"
    os.kill(running.child_pid(), signal.SIGKILL)
    t_kill = time.monotonic()
    gone = _wait(lambda: not run.exists(), 10)
    print(f"\nno private tmpfs, kill -9 child: run folder gone {gone:.2f} s")
    assert time.monotonic() - t_kill < CLEAN_WITHIN
    assert not find_copies(marked_upload, scanned_roots(Path(serve_env["HOME"])))
    assert running.proc.wait(timeout=10) == 128 + signal.SIGKILL
    # Both at once (the documented limit): the folder stays, in RAM, until the next start removes it.
    running2 = start_serve([], serve_env, root, port, command=_without_private_tmpfs(tmp_path, port))
    _send(running2.url, marked_upload, tmp_path / "in2")
    run2, child2 = running2.run_dir(), running2.child_pid()
    assert find_copies(marked_upload, [run2])
    _kill_both(running2.proc, child2)
    assert find_copies(marked_upload, [run2]), "without the private tmpfs a double kill -9 leaves the folder"
    assert _wait(lambda: temp.remove_dead_runs(root) == 1, 10) < 10 and not run2.exists()


def test_ctrl_c_while_the_server_is_still_starting_is_a_clean_stop(
    tmp_path: Path, serve_env: dict[str, str]
) -> None:
    import subprocess

    from photolab.server import free_port

    root = tmp_path / "temp"
    port, db = str(free_port()), str(tmp_path / "r.sqlite3")
    command = [sys.executable, "-m", "photolab", "serve", "--port", port, "--db", db]
    merged = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT, "text": True}
    proc = subprocess.Popen(command, env=serve_env, **merged)  # type: ignore[call-overload]
    children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
    assert _wait(lambda: children.exists() and children.read_text().strip() != "", 30) < 30
    time.sleep(1.0)  # the child is importing gradio and building the desk
    proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 0, out
    assert "Traceback" not in out and "KeyboardInterrupt" not in out, out
    assert not list(root.glob("run-*"))
