"""photolab serve: private run folders, a light supervisor, no-store, login off loopback, nothing sent."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from support import wait_for_http

from photolab import server
from photolab.errors import UsageError

STRONG = "Vx7#kq2!Lm9@tz"


def test_parse_users_and_login_rules() -> None:
    assert server.parse_users("alice:pw1, bob:p:w2") == [("alice", "pw1"), ("bob", "p:w2")]
    with pytest.raises(UsageError):
        server.parse_users("alice")
    assert server.login_for("127.0.0.1", env={}) == (None, False)
    users, generated = server.login_for("0.0.0.0", env={})
    assert generated and users and len(users[0][1]) >= 12
    assert server.login_for("0.0.0.0", env={"PHOTOLAB_USERS": f"a:{STRONG}"}) == ([("a", STRONG)], False)
    # A login set in the environment applies on loopback too.
    assert server.login_for("127.0.0.1", env={"PHOTOLAB_USERS": f"a:{STRONG}"}) == ([("a", STRONG)], False)
    with pytest.raises(UsageError, match="too weak"):
        server.login_for("0.0.0.0", env={"PHOTOLAB_USERS": "a:b"})


def test_importing_the_server_package_and_supervisor_loads_nothing_heavy() -> None:
    """The supervisor outlives the server child only if it is small: no gradio, numpy or models in it."""
    code = (
        "import sys, photolab.server, photolab.server.supervisor\n"
        "heavy = ('gradio', 'fastapi', 'starlette', 'uvicorn', 'numpy', 'PIL', 'onnxruntime', 'cv2')\n"
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr


def test_a_live_run_folder_is_kept_and_a_dead_one_removed(tmp_path: Path) -> None:
    from photolab.server import temp

    run = temp.create_run(tmp_path)
    assert run.path.name.startswith("run-") and run.gradio.is_dir() and run.tmp.is_dir()
    assert all(p.stat().st_mode & 0o777 == 0o700 for p in (tmp_path, run.path, run.files, run.gradio))
    (run.gradio / "upload.jpg").write_bytes(b"an upload")
    assert temp.remove_dead_runs(tmp_path) == 0 and run.path.exists(), "its lock is held: a live run"
    os.close(run.lock_fd)  # what the death of the supervisor and its child does
    assert temp.remove_dead_runs(tmp_path) == 1 and not run.path.exists()
    half_made = tmp_path / ".new-abc"  # a start that died before its folder got its name
    half_made.mkdir()
    os.utime(half_made, (time.time() - 3600, time.time() - 3600))
    assert temp.remove_dead_runs(tmp_path) == 1 and not half_made.exists()


def test_a_temp_root_planted_by_someone_else_is_refused(tmp_path: Path) -> None:
    from photolab.server import temp

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "root").symlink_to(elsewhere)
    with pytest.raises(UsageError, match="not a folder owned by you"):
        temp.ensure_root(tmp_path / "root")


def test_temp_folder_is_private_emptied_and_dead_runs_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PHOTOLAB_TEMP_ROOT", str(tmp_path))
    from photolab import config

    config.reload()
    dead = tmp_path / "run-999999999"  # no such process
    (dead / "abc").mkdir(parents=True)
    (dead / "abc" / "upload.jpg").write_bytes(b"left by a crash")
    saved = {k: os.environ.get(k) for k in ("GRADIO_TEMP_DIR", "GRADIO_ANALYTICS_ENABLED")}
    try:
        folder = server.prepare_environment()
        (folder / "x").mkdir()
        (folder / "x" / "y.jpg").write_bytes(b"1")
        (folder / "tmpabc").write_bytes(b"")
        again = server.prepare_environment()
        assert again == folder and list(folder.iterdir()) == [], "emptied at start"
        assert not dead.exists(), "folders of dead runs are removed"
        assert folder.stat().st_mode & 0o777 == 0o700
        assert os.environ["GRADIO_TEMP_DIR"] == str(folder)
        assert os.environ["GRADIO_ANALYTICS_ENABLED"] == "False"
        (folder / "keep").mkdir()
        (folder / "keep" / "bundle.zip").write_bytes(b"z")
        (folder / "other.png").write_bytes(b"p")
        assert server.wipe_temp_dir(folder, keep=[folder / "keep" / "bundle.zip"]) == 1
        assert [p.name for p in folder.rglob("*") if p.is_file()] == ["bundle.zip"]
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        monkeypatch.undo()
        config.reload()


@pytest.mark.slow
def test_serve_on_a_lan_address_requires_login_sets_no_store_and_cleans_up(tmp_path: Path) -> None:
    """The real command in a subprocess: login printed, 401 without it, no-store, temp gone on SIGTERM."""
    port = server.free_port("0.0.0.0")
    env = {**os.environ, "PHOTOLAB_TEMP_ROOT": str(tmp_path / "temp"), "PHOTOLAB_USERS": ""}
    env.pop("GRADIO_TEMP_DIR", None)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "photolab",
            "serve",
            "--host",
            "0.0.0.0",
            "--port",
            str(port),
            "--db",
            str(tmp_path / "records.sqlite3"),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/", timeout=90)
        with pytest.raises(urllib.error.HTTPError) as denied:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/config", timeout=5)
        assert denied.value.code == 401
        page = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5)
        assert page.headers["Cache-Control"] == "no-store"
        run_dirs = list((tmp_path / "temp").glob("run-*"))
        assert len(run_dirs) == 1 and run_dirs[0].stat().st_mode & 0o777 == 0o700
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _ = proc.communicate(timeout=30)
    assert "Login required" in out
    assert re.search(r"user: reviewer\s+password: \S{12,}", out)
    assert not list((tmp_path / "temp").glob("run-*")), "the temp folder is removed at exit"
    assert proc.returncode == 0 and "Traceback" not in out, out


def test_no_connection_leaves_the_machine_while_building_and_serving(tmp_path: Path) -> None:
    """Audit hook on socket connects and DNS lookups in a fresh interpreter: only loopback is used."""
    script = f"""
import sys, socket
seen = []
def hook(event, args):
    if event == "socket.getaddrinfo":
        seen.append(("dns", str(args[0])))
    elif event == "socket.connect":
        addr = args[1]
        seen.append(("connect", str(addr[0]) if isinstance(addr, tuple) else str(addr)))
sys.addaudithook(hook)
from photolab import server
server.prepare_environment()
from photolab.review.store import RecordStore
from photolab.ui.desk import build_desk
demo = build_desk(RecordStore({str(tmp_path / "r.sqlite3")!r}))
running = server.start(server.mount(demo))
import urllib.request
for path in ("/", "/config", "/gradio_api/info"):
    urllib.request.urlopen(running.url + path, timeout=10).read()
running.stop()
bad = [s for s in seen if s[1] not in ("127.0.0.1", "localhost", "::1", "None") and not s[1].startswith("/")]
print("OUTSIDE", bad)
"""
    env = {**os.environ, "PHOTOLAB_TEMP_ROOT": str(tmp_path / "temp")}
    for key in ("GRADIO_ANALYTICS_ENABLED", "GRADIO_TEMP_DIR"):
        env.pop(key, None)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=180)
    assert "OUTSIDE []" in out.stdout, out.stdout + out.stderr[-3000:]


def test_the_private_tmpfs_of_an_ordinary_user_is_invisible_outside_and_gone_after(tmp_path: Path) -> None:
    """The user-namespace path (any uid but root) of ``temp.private_tmpfs``, run as uid 65534 via unshare."""
    import shutil

    if not shutil.which("unshare"):
        pytest.skip("util-linux unshare is missing")
    folder = tmp_path / "files"
    folder.mkdir(mode=0o700)
    script = (
        "import os, sys\nfrom pathlib import Path\nfrom photolab.server import temp\n"
        "assert temp.private_tmpfs(Path('/no/such/folder')) is False  # refused: the process is untouched\n"
        f"ok = temp.private_tmpfs(Path({str(folder)!r}))\n"
        f"Path({str(folder)!r}, 'upload.jpg').write_bytes(b'PLMARK-private')\n"
        "print(ok, os.getuid(), flush=True)\nsys.stdin.read()\n"
    )
    command = ["unshare", "--user", "--map-user=65534", "--map-group=65534", sys.executable, "-c", script]
    proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdin is not None
    ready = proc.stdout.readline().split()
    if not ready:
        proc.wait(timeout=10)
        pytest.skip("user namespaces are not allowed here")
    try:
        assert ready == ["True", "65534"], "mounted as an ordinary uid"
        assert list(folder.iterdir()) == [], "nothing is visible outside the namespace"
        inside = Path(f"/proc/{proc.pid}/root{folder}/upload.jpg")
        assert inside.read_bytes() == b"PLMARK-private", "the file is there, in the process's own view"
    finally:
        proc.stdin.close()
        proc.wait(timeout=10)
    assert list(folder.iterdir()) == [] and not inside.exists()
