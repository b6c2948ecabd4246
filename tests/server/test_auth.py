"""Logins off loopback: weak passwords refused; failed logins slowed, locked out, logged without passwords."""

from __future__ import annotations

import logging
import math
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from photolab.errors import UsageError
from photolab.server import auth

RIGHT = "Vx7#kq2!Lm9@tz"


@pytest.mark.parametrize(
    ("user", "password", "reason"),
    [
        ("room", "lab-2026", "example from the documentation"),
        ("room", "lab-2026", "shorter than 12"),
        ("ana", "Password2026!", "common password word"),
        ("ana", "P@ssw0rd-2026!x", "common password word"),
        ("ana", "Summer!2026#xyz", "common password word"),
        ("alice", "alice-Secure#77x", "user name"),
        ("ana", "Qwerty!2345678", "sequence"),
        ("ana", "Zx!9dcba8765Lp", "sequence"),
        ("ana", "AAAAAAAAAAAAAAA", "too few different characters"),
        ("ana", "Ab1!Ab1!Ab1!Ab1!", "repeats a short pattern"),
        ("ana", "plainlowercaseonly", "too few kinds"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(user: str, password: str, reason: str) -> None:
    with pytest.raises(UsageError) as refused:
        auth.login_for("0.0.0.0", env={"PHOTOLAB_USERS": f"{user}:{password}"})
    message = refused.value.message
    assert reason in message and repr(user) in message
    assert password not in message, "the message never repeats the password"


@pytest.mark.parametrize(
    "password", ["Vx7#kq2!Lm9@tz", "mango ladder violet cobble", "9Tr-Gh4v#Wq2pZ", "Ohne Fleiss kein Preis 7"]
)
def test_strong_passwords_and_passphrases_pass(password: str) -> None:
    assert auth.password_problems("ana", password) == []


def test_generated_passwords_are_strong() -> None:
    passwords = {auth.generate_password() for _ in range(200)}
    assert len(passwords) == 200 and all(not auth.password_problems("reviewer", p) for p in passwords)


def test_the_default_rules_schedule() -> None:
    """With the defaults: 3 failures answered at once, then 1, 2, 4, 8, 16, 30 s; the 10th locks 15 min."""
    now = [0.0]
    throttle = auth.LoginThrottle(clock=lambda: now[0])
    delays = []
    for _ in range(10):
        assert throttle.admit("10.0.0.7") is None
        delays.append(throttle.failed("10.0.0.7"))
        throttle.release("10.0.0.7")
        now[0] += delays[-1]
    assert delays == [0, 0, 0, 1, 2, 4, 8, 16, 30, 30]
    assert throttle.admit("10.0.0.7") == pytest.approx(900)
    now[0] += 900
    assert throttle.admit("10.0.0.7") is None
    throttle.failed("10.0.0.7")  # one more failure after the lockout locks again, twice as long
    throttle.release("10.0.0.7")
    assert throttle.admit("10.0.0.7") == pytest.approx(30 + 1800)
    assert throttle.admit("10.0.0.8") is None, "another address is not locked"


def test_many_addresses_lock_everyone_but_those_who_logged_in_before() -> None:
    now = [0.0]
    throttle = auth.LoginThrottle(clock=lambda: now[0])
    assert throttle.admit("10.0.0.1") is None
    throttle.succeeded("10.0.0.1")
    throttle.release("10.0.0.1")
    for i in range(50):
        address = f"10.0.1.{i % 6}"
        assert throttle.admit(address) is None
        throttle.failed(address)
        throttle.release(address)
        now[0] += 1
    assert throttle.admit("10.0.2.9") == pytest.approx(299), "a new address waits for the overall lockout"
    assert throttle.admit("10.0.0.1") is None, "an address that logged in before still may"


# --- over HTTP: the real login route of a Gradio app behind the guard ------------------------------

FAST = auth.ThrottleRules(first_delay=0.05, max_delay=0.4, lockout=2.0, overall_failures=1000)


@pytest.fixture(scope="module")
def login_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, auth.LoginThrottle]]:
    from photolab import server

    server.prepare_environment(tmp_path_factory.mktemp("gradio-temp"))
    import gradio as gr

    with gr.Blocks() as demo:
        gr.Markdown("desk")
    throttle = auth.LoginThrottle(rules=FAST)
    running = server.start(server.mount(demo, auth=[("alice", RIGHT)], throttle=throttle))
    yield running.url, throttle
    running.stop()


def _login(
    url: str, password: str, source: str = "127.0.0.1", client: httpx.Client | None = None
) -> httpx.Response:
    if client is not None:
        return client.post(f"{url}/login", data={"username": "alice", "password": password})
    with httpx.Client(transport=httpx.HTTPTransport(local_address=source), timeout=30) as own:
        return _login(url, password, client=own)


def test_200_wrong_logins_are_slowed_and_locked_out_and_the_right_one_works_after(
    login_server: tuple[str, auth.LoginThrottle], caplog: pytest.LogCaptureFixture
) -> None:
    url, _throttle = login_server
    wrong = [f"guess-{i:03d}-Xq!9" for i in range(200)]
    caplog.set_level(logging.INFO, logger="photolab")
    local = threading.local()

    def attempt(password: str) -> httpx.Response:
        """An attacker that retries a guess at once when told "busy", and gives it up when locked out."""
        if not hasattr(local, "client"):
            local.client = httpx.Client(timeout=30)  # one keep-alive connection per attacker thread
        while True:
            answer = _login(url, password, client=local.client)
            if answer.status_code != 429 or int(answer.headers["Retry-After"]) > 1:
                return answer
            time.sleep(0.01)

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(attempt, wrong))
    elapsed = time.monotonic() - start
    codes = Counter(a.status_code for a in answers)
    locks = sum("locked for" in r.getMessage() for r in caplog.records)
    print(f"\n200 wrong logins from 8 parallel clients: {dict(codes)} in {elapsed:.2f} s, {locks} lockout(s)")
    # 10 checks, then locked; each time a lockout (2, 4, 8 s ...) ends, exactly one more check relocks.
    assert set(codes) <= {400, 429} and codes[400] == FAST.lock_after + locks - 1
    assert 1 <= locks <= 2 + math.log2(1 + elapsed / FAST.lockout)
    refused = next(a for a in answers if a.status_code == 429)
    assert int(refused.headers["Retry-After"]) >= 1
    assert _login(url, RIGHT).status_code == 429, "while locked, even the right password is not checked"
    assert _login(url, RIGHT, source="127.0.0.2").status_code == 200, "another address is not locked"
    wait = int(_login(url, "still-Wrong#1").headers["Retry-After"])
    time.sleep(wait + 0.2)
    ok = _login(url, RIGHT)
    assert ok.status_code == 200 and ok.json() == {"success": True}
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("photolab")]
    assert any("locked" in line for line in lines) and all("\n" not in line for line in lines)
    logged = "\n".join(lines) + caplog.text
    assert not any(p in logged for p in [*wrong, RIGHT, "alice"]), "no password (nor user name) is logged"


def test_a_failed_login_is_answered_later_and_later(login_server: tuple[str, auth.LoginThrottle]) -> None:
    url, _throttle = login_server
    source = "127.0.0.3"
    times = []
    for i in range(6):
        start = time.monotonic()
        answer = _login(url, f"nope-{i}-Zz#9", source=source)
        times.append(time.monotonic() - start)
        assert answer.status_code == 400
    print("\nanswer times of failures 1-6:", [round(t, 2) for t in times])
    # free, free, free, then 0.05, 0.1, 0.2 s on top of the check itself
    assert times[5] >= 0.2 and times[4] >= 0.1 and times[3] >= 0.05
    assert _login(url, RIGHT, source=source).status_code == 200


def test_the_served_desk_refuses_weak_passwords_before_starting(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    env = {**os.environ, "PHOTOLAB_USERS": "room:lab-2026", "PHOTOLAB_TEMP_ROOT": str(tmp_path)}
    out = subprocess.run(
        [sys.executable, "-m", "photolab", "serve", "--host", "0.0.0.0", "--port", "1"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert out.returncode == 2
    assert "the password for 'room' is too weak" in out.stderr and "Traceback" not in out.stderr
    assert not list(tmp_path.glob("run-*")), "nothing started"
