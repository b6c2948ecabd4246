"""``photolab serve`` as two processes, so that a crash of the server leaves nothing behind.

The parent (this module's :func:`supervise`, importing nothing heavy: no gradio, numpy or models) makes the
private run folder (``temp.create_run``), starts the server child (``python -m photolab.server``) with
``GRADIO_TEMP_DIR`` and ``TMPDIR`` inside it, forwards SIGINT, SIGTERM and SIGHUP to it, and when the child
exits by any means (``kill -9`` included) removes the run folder and exits with the child's status
(128 + N for a child killed by signal N). If the child does not stop within ``STOP_GRACE`` seconds of a
forwarded signal it is killed.

The child (:func:`child_main`) asks the kernel for SIGTERM should the supervisor die
(``prctl(PR_SET_PDEATHSIG)``), moves its files into a tmpfs of its own mount namespace when the kernel
allows (``temp.private_tmpfs``), and on any catchable signal empties its folder *before* shutting down.

What remains if both are killed at once (``kill -9`` of both): with the private tmpfs (Linux with
unprivileged user namespaces, or root), no file content at all - the kernel frees the tmpfs with the
child's last process - only the empty ``run-*`` folder and its empty ``.lock``, removed by the next start.
Without it (namespaces refused, e.g. by an AppArmor or container policy; the banner says which), the run
folder with whatever uploads were not yet read stays in /dev/shm (RAM: gone at reboot) until the next
``photolab serve`` removes it.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from photolab.server import temp
from photolab.server.auth import LOCAL_HOSTS

STOP_GRACE = 10.0  # seconds the supervisor waits after forwarding a stop before it kills the child
SHUTDOWN_TIMEOUT = 3  # seconds the child's web server waits for open connections when stopping
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_PR_SET_PDEATHSIG = 1


@dataclass
class ServeConfig:
    """Everything the child needs; sent as JSON on its stdin (never on the command line: passwords)."""

    host: str = "127.0.0.1"
    port: int = 7860
    workshop: bool = False
    db: str | None = None
    preload: list[str] = field(default_factory=list)
    debug: bool = False
    users: list[tuple[str, str]] | None = None
    generated: bool = False
    run_dir: str = ""
    supervisor_pid: int = 0
    lock_fd: int = -1
    private_tmpfs: bool = True  # False: files stay in the plain run folder (tests of that fallback)

    @classmethod
    def from_json(cls, text: str) -> ServeConfig:
        values = json.loads(text)
        if values.get("users") is not None:
            values["users"] = [tuple(pair) for pair in values["users"]]
        return cls(**values)


# --- the parent ----------------------------------------------------------------------------------


def _child_environment(run: temp.Run) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        GRADIO_TEMP_DIR=str(run.gradio),
        TMPDIR=str(run.tmp),
        TEMP=str(run.tmp),
        TMP=str(run.tmp),
        PYTHONUNBUFFERED="1",
    )
    return env


class _Forwarder:
    """Signal handlers of the supervisor: pass the signal on; kill the child if it does not stop."""

    def __init__(self) -> None:
        self.child: subprocess.Popen[bytes] | None = None
        self.pending: list[int] = []

    def install(self) -> None:
        for sig in FORWARDED:
            signal.signal(sig, self.forward)
        signal.signal(signal.SIGALRM, self.kill)

    def forward(self, sig: int, _frame: Any) -> None:
        if self.child is None:
            self.pending.append(sig)
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.child.pid, sig)
        if signal.getitimer(signal.ITIMER_REAL)[0] == 0:
            signal.setitimer(signal.ITIMER_REAL, STOP_GRACE)

    def kill(self, _sig: int, _frame: Any) -> None:
        if self.child is not None:
            with contextlib.suppress(ProcessLookupError):
                self.child.kill()

    def started(self, child: subprocess.Popen[bytes]) -> None:
        self.child = child
        for sig in self.pending:
            self.forward(sig, None)


def exit_status(returncode: int) -> int:
    """The child's exit status as a shell reports it (128 + N when killed by signal N)."""
    return 128 - returncode if returncode < 0 else returncode


def supervise(config: ServeConfig, root: Path | None = None) -> int:
    """Run the server child until it exits; remove its run folder; return its exit status."""
    run = temp.create_run(root or temp.default_temp_root())
    forwarder = _Forwarder()
    forwarder.install()
    config.run_dir = str(run.path)
    config.supervisor_pid = os.getpid()
    config.lock_fd = run.lock_fd
    try:
        child = subprocess.Popen(
            [sys.executable, "-m", "photolab.server"],
            stdin=subprocess.PIPE,
            env=_child_environment(run),
            pass_fds=(run.lock_fd,),
            process_group=0,  # the terminal's Ctrl+C reaches only the supervisor, which forwards it once
        )
        forwarder.started(child)
        assert child.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            child.stdin.write(json.dumps(asdict(config)).encode())
            child.stdin.close()
        returncode = child.wait()
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        temp.remove_run(run.path)
        os.close(run.lock_fd)
    return exit_status(returncode)


# --- the child -----------------------------------------------------------------------------------


def _die_with_supervisor(supervisor_pid: int) -> None:
    """SIGTERM from the kernel when the supervisor dies; a watchdog thread where prctl is missing."""
    libc = temp._libc()
    if libc is not None and libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) == 0:
        if os.getppid() != supervisor_pid:  # it died before the request took effect
            os.kill(os.getpid(), signal.SIGTERM)
        return

    def watch() -> None:
        while os.getppid() == supervisor_pid:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True, name="photolab-watchdog").start()


def _stop_handler(server: Any, wipe: Callable[[], None], orphaned: Callable[[], bool]) -> Callable[..., None]:
    def stop(_sig: int, _frame: Any) -> None:
        wipe()  # first: nothing may outlive a stop request, whatever the shutdown below does
        if orphaned():  # the supervisor died (kill -9): nobody waits for a tidy exit; go now
            os._exit(1)
        if server.should_exit:
            server.force_exit = True
        server.should_exit = True

    return stop


def _make_server(
    app: Any, config: ServeConfig, wipe: Callable[[], None], orphaned: Callable[[], bool]
) -> Any:
    import uvicorn

    class WipingServer(uvicorn.Server):
        @contextlib.contextmanager
        def capture_signals(self) -> Any:  # replaces uvicorn's: wipe first, exit 0, also on SIGHUP
            handler = _stop_handler(self, wipe, orphaned)
            for sig in FORWARDED:
                signal.signal(sig, handler)
            yield

    settings = uvicorn.Config(
        app,
        host=config.host,
        port=config.port,
        log_level="warning",
        timeout_graceful_shutdown=SHUTDOWN_TIMEOUT,
    )
    return WipingServer(settings)


def _banner(config: ServeConfig, private: bool) -> list[str]:
    shown = "127.0.0.1" if config.host in LOCAL_HOSTS else config.host
    what = "workshop" if config.workshop else "review desk"
    lines = [
        f"photolab {what}: http://{shown}:{config.port}/  (stop with Ctrl+C)",
        "Nothing is sent to the internet; uploads are kept in memory and deleted after reading.",
        "Temporary files: a private in-memory folder that disappears with the server."
        if private
        else f"Temporary files: {config.run_dir} (removed when the server stops or crashes).",
    ]
    if config.users:
        lines.append(f"Login required (listening on {config.host}; plain HTTP).")
        if config.generated:
            name, password = config.users[0]
            lines.append(f"  user: {name}   password: {password}   (set PHOTOLAB_USERS='name:pass,...')")
    return lines


def _finish(run: Path, private: bool, orphaned: bool) -> None:
    files = run / "files"
    temp.wipe_temp_dir(files / "gradio")
    temp.wipe_temp_dir(files / "tmp")
    if private:
        temp.release_private_tmpfs(files)
    if orphaned:  # the supervisor is gone: nobody else will remove the run folder
        temp.remove_run(run)


def child_main() -> int:
    """Entry point of the server child (``python -m photolab.server``), config as JSON on stdin."""
    config = ServeConfig.from_json(sys.stdin.read())
    with open(os.devnull, "rb") as null:
        os.dup2(null.fileno(), 0)
    run = Path(config.run_dir)
    if config.lock_fd >= 0:  # held until this process ends; not handed on to anything it starts
        os.set_inheritable(config.lock_fd, False)
    private = config.private_tmpfs and temp.private_tmpfs(run / "files")  # before any thread starts
    for folder in ("gradio", "tmp"):
        (run / "files" / folder).mkdir(mode=0o700, exist_ok=True)
    gradio_dir = run / "files" / "gradio"

    def orphaned() -> bool:
        return os.getppid() != config.supervisor_pid

    def wipe() -> None:
        if orphaned():
            _finish(run, private, orphaned=True)
        else:
            temp.wipe_temp_dir(gradio_dir)
            temp.wipe_temp_dir(run / "files" / "tmp")

    def stop_while_starting(_sig: int, _frame: Any) -> None:  # until the web server takes over
        # Exit here and now: a SystemExit raised while the import machinery runs a callback is swallowed
        # ("Exception ignored in ..."), and the desk went on starting after Ctrl+C until it was killed.
        _finish(run, private, orphaned())
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(1 if orphaned() else 0)

    for sig in FORWARDED:
        signal.signal(sig, stop_while_starting)
    _die_with_supervisor(config.supervisor_pid)
    try:
        temp.prepare_environment(gradio_dir)
        from photolab.server import web

        web.log_to_terminal()
        web.quiet_gradio(debug=config.debug)
        blocks, _store = web.build(
            db=Path(config.db) if config.db else None,
            preload=[Path(p) for p in config.preload],
            workshop=config.workshop,
        )
        app = web.mount(blocks, auth=config.users, gradio_files=config.workshop)
        server = _make_server(app, config, wipe, orphaned)
        for line in _banner(config, private):
            print(line, flush=True)
        server.run()  # a port already in use ends it with SystemExit(1)
        return 0
    finally:
        _finish(run, private, orphaned())
