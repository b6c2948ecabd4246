"""Nothing is sent, nothing is recorded about the machine (issue 8, part 2).

Each command runs with HOME and the XDG folders pointed at an empty folder, an audit hook on every socket
connect and name lookup (installed through ``sitecustomize`` so spawned ``--jobs`` workers carry it too),
and — where strace exists — a trace of the ``connect`` system calls of every thread and child, which also
catches native code (onnxruntime's telemetry client, mediapipe) that Python's hooks never see. Afterwards
the home folder must still be empty and no connection may have gone beyond loopback.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "samples"

AUDIT_HOOK = '''
import os, sys
_log = os.environ.get("PHOTOLAB_TEST_AUDIT_LOG")
def _hook(event, args):
    if _log and event in ("socket.connect", "socket.getaddrinfo", "socket.gethostbyname", "socket.sendto"):
        with open(f"{_log}.{os.getpid()}", "a") as fh:
            fh.write(f"{event} {args!r}\\n")
sys.addaudithook(_hook)
'''


def sandbox(tmp_path: Path) -> tuple[dict[str, str], Path, Path]:
    home = tmp_path / "home"
    for sub in ("", ".cache", ".config", ".local/share"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    (hooks / "sitecustomize.py").write_text(AUDIT_HOOK)
    log = tmp_path / "audit.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ORT_", "GRADIO_", "HF_"))}
    env.update(HOME=str(home), XDG_CACHE_HOME=str(home / ".cache"), XDG_CONFIG_HOME=str(home / ".config"),
               XDG_DATA_HOME=str(home / ".local/share"), PYTHONPATH=str(hooks),
               PHOTOLAB_TEST_AUDIT_LOG=str(log), PHOTOLAB_MODELS=str(ROOT / "models"),
               PHOTOLAB_DB=str(tmp_path / "db.sqlite3"), PHOTOLAB_TEMP_ROOT=str(tmp_path / "run"))
    return env, home, log


def traced(cmd: list[str], trace: Path) -> list[str]:
    if shutil.which("strace") is None:
        return cmd
    return ["strace", "-f", "-qq", "-e", "trace=connect,sendto,sendmsg", "-o", str(trace), *cmd]


def outside_loopback(trace: Path, log_prefix: Path) -> list[str]:
    """Connections (system calls and Python audit events) to anything but loopback or a local socket."""
    bad = []
    if trace.exists():
        for line in trace.read_text(errors="replace").splitlines():
            if "AF_INET" not in line:
                continue  # AF_UNIX (dbus, X) and AF_NETLINK are local
            addr = re.search(r'inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)"', line)
            host = next((g for g in (addr.groups() if addr else ()) if g), "?")
            if not (host.startswith("127.") or host in ("::1", "::ffff:127.0.0.1")):
                bad.append(line)
    for log in log_prefix.parent.glob(log_prefix.name + ".*"):
        for line in log.read_text().splitlines():
            if not re.search(r"'(127\.\d+\.\d+\.\d+|localhost|::1)'|\(b?'/", line):
                bad.append(line)
    return bad


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to ``photolab serve`` itself (under strace, the traced child of the strace process)."""
    import signal

    children = Path(f"/proc/{process.pid}/task/{process.pid}/children")
    pids = children.read_text().split() if children.exists() else []
    for pid in pids or [str(process.pid)]:
        os.kill(int(pid), signal.SIGTERM)


def home_files(home: Path) -> list[str]:
    return [str(p.relative_to(home)) for p in home.rglob("*") if p.is_file()]


def test_anonymise_with_workers_sends_and_records_nothing(tmp_path: Path) -> None:
    env, home, log = sandbox(tmp_path)
    inputs = tmp_path / "in"
    inputs.mkdir()
    for name in ("s07_common_room.jpg", "s01_corridor.jpg", "s08_screen.jpg"):
        shutil.copy(SAMPLES / name, inputs / name)
    trace = tmp_path / "strace.txt"
    cmd = [sys.executable, "-m", "photolab", "anonymise", str(inputs), "-o", str(tmp_path / "out"),
           "--detect", "all", "--jobs", "2"]
    run = subprocess.run(traced(cmd, trace), env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr
    assert len(list((tmp_path / "out").glob("*.jpg"))) == 3
    assert home_files(home) == []  # no ~/.cache/Microsoft/DeveloperTools/.onnxruntime, nothing at all
    assert outside_loopback(trace, log) == []
    assert list(log.parent.glob(log.name + ".*")) or shutil.which("strace"), "the audit hook did not load"


def test_serving_the_desk_sends_and_records_nothing(tmp_path: Path) -> None:
    env, home, log = sandbox(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    trace = tmp_path / "strace.txt"
    cmd = [sys.executable, "-m", "photolab", "serve", str(SAMPLES / "s07_common_room.jpg"),
           "--port", str(port)]
    server = subprocess.Popen(traced(cmd, trace), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as page:
                    assert page.status == 200
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("the desk did not start: " + server.stderr.read().decode()[-2000:])
                time.sleep(0.5)
        with urllib.request.urlopen(url + "config", timeout=30) as config:
            assert config.status == 200
        time.sleep(3)  # give any background version check or telemetry thread its chance
    finally:
        stop(server)
        server.wait(timeout=60)
    assert home_files(home) == []
    assert outside_loopback(trace, log) == []
