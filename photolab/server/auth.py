"""Logins for ``photolab serve`` off loopback: strong passwords only, and guessing made slow and short.

- :func:`login_for` decides who may log in (``PHOTOLAB_USERS``, or one generated account off loopback) and
  refuses weak passwords with a message that says what is wrong (never the password itself).
- :class:`LoginThrottle` keeps the count of failed logins per client address and overall; :class:`LoginGuard`
  is the ASGI middleware in front of Gradio's login route that applies it: the first few failures are
  answered at once (typos), later ones only after an exponentially growing delay, and after
  ``lock_after`` failures in a row the address is locked out (429 with ``Retry-After``, the password is
  not even checked). Many failures from several addresses lock logins for everyone for a while, except
  for addresses that have logged in successfully before. One login check per address runs at a time, so
  parallel requests gain nothing. Each event is logged as one plain line, without the attempted password
  or user name.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import math
import re
import secrets
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from photolab import config
from photolab.errors import UsageError

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1")
MIN_LENGTH = 12
PASSPHRASE_LENGTH = 20  # this long, two kinds of characters are enough (a passphrase with spaces)
log = logging.getLogger("photolab.server")

# Words that passwords are most often built on, in the languages photolab speaks, plus the project's own.
_COMMON_WORDS = (
    "password", "passwort", "passe", "contrasena", "senha", "parol", "secret", "secreto", "segredo",
    "qwerty", "azerty", "qwertz", "letmein", "welcome", "bienvenue", "bienvenido", "admin", "root",
    "login", "guest", "default", "changeme", "iloveyou", "jetaime", "monkey", "dragon", "master",
    "shadow", "superman", "batman", "football", "soccer", "baseball", "sunshine", "princess",
    "freedom", "whatever", "trustno", "hello", "test", "spring", "summer", "autumn", "winter",
    "photolab", "reviewer", "review", "workshop", "desk", "monitor",
)  # fmt: skip
_SEQUENCES = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    "qwertyuiop", "asdfghjkl", "zxcvbnm", "azertyuiop", "qwertzuiop", "1qaz2wsx3edc",
)  # fmt: skip
_OLD_EXAMPLES = ("lab-2026", "lab2026", "long-password", "another-one")  # once suggested by the docs
_LEET = str.maketrans("0134578@$!|+", "oieastbasilt")


def _kinds(password: str) -> int:
    return sum(
        (
            any(c.islower() for c in password),
            any(c.isupper() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )


def _has_sequence(text: str, run: int = 4) -> bool:
    for line in _SEQUENCES:
        for seq in (line, line[::-1]):
            if any(seq[i : i + run] in text for i in range(len(seq) - run + 1)):
                return True
    return False


def _built_on_common_word(normalised: str) -> bool:
    """A common word with fewer than six other letters around it (digits and symbols do not count)."""
    letters = re.sub(r"[^a-z]", "", normalised)
    rest = letters
    for word in _COMMON_WORDS:
        rest = rest.replace(word, "")
    return rest != letters and len(rest) < 6


def password_problems(user: str, password: str) -> list[str]:
    """Why ``password`` is too weak for ``user`` (empty when it is acceptable)."""
    lowered = password.lower()
    normalised = lowered.translate(_LEET)
    problems: list[str] = []
    if len(password) < MIN_LENGTH:
        problems.append(f"it is shorter than {MIN_LENGTH} characters")
    kinds = _kinds(password)
    if kinds < 3 and not (len(password) >= PASSPHRASE_LENGTH and kinds >= 2):
        problems.append(
            "it mixes too few kinds of characters (use three of: lower case, upper case, digits, symbols)"
        )
    if len(set(password)) < 8:
        problems.append("it repeats too few different characters")
    if re.search(r"(.{1,4})\1{2,}", lowered):
        problems.append("it repeats a short pattern")
    if _has_sequence(lowered) or _has_sequence(normalised):
        problems.append("it contains a keyboard or counting sequence (like 'abcd', '4321' or 'qwer')")
    if _built_on_common_word(normalised):
        problems.append("it is built on a common password word")
    name = user.lower()
    if len(name) >= 3 and (name in lowered or name in normalised or name[::-1] in lowered):
        problems.append("it contains the user name")
    if any(example in lowered for example in _OLD_EXAMPLES):
        problems.append("it is an example from the documentation")
    return problems


def check_password(user: str, password: str) -> None:
    """Raise UsageError naming the user and every reason, when the password is weak."""
    problems = password_problems(user, password)
    if problems:
        raise UsageError(
            f"PHOTOLAB_USERS: the password for {user!r} is too weak: {'; '.join(problems)}. "
            f"Choose at least {MIN_LENGTH} characters mixing letters, digits and symbols, or a passphrase "
            "of four or more unrelated words with spaces, that contains neither the user name nor a common "
            "password."
        )


def generate_password() -> str:
    """A random password that passes :func:`password_problems` (about 120 bits)."""
    while True:
        candidate = secrets.token_urlsafe(15)
        if not password_problems("reviewer", candidate):
            return candidate


def parse_users(spec: str) -> list[tuple[str, str]]:
    """``"alice:pw1,bob:pw2"`` -> [("alice", "pw1"), ("bob", "pw2")] (the password may contain ':')."""
    users: list[tuple[str, str]] = []
    for item in spec.split(","):
        item = item.strip()
        if not item:
            continue
        name, sep, password = item.partition(":")
        if not sep or not name or not password:
            raise UsageError("PHOTOLAB_USERS must look like 'name:password,name2:password2'")
        users.append((name, password))
    return users


def login_for(host: str, env: dict[str, str] | None = None) -> tuple[list[tuple[str, str]] | None, bool]:
    """Credentials required for ``host``: None on loopback; from PHOTOLAB_USERS or generated otherwise.

    Returns (users, generated). Weak passwords in PHOTOLAB_USERS raise UsageError.
    """
    spec = config.settings().users if env is None else env.get("PHOTOLAB_USERS", "")
    if spec:
        users = parse_users(spec)
        for name, password in users:
            check_password(name, password)
        return users, False
    if host in LOCAL_HOSTS:
        return None, False
    return [("reviewer", generate_password())], True


# --- throttling ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ThrottleRules:
    free_failures: int = 3  # answered at once (typos)
    first_delay: float = 1.0  # seconds, doubled for every further failure in a row
    max_delay: float = 30.0
    lock_after: int = 10  # failures in a row from one address
    lockout: float = 900.0  # the first lockout; doubled for every further one, up to max_lockout
    max_lockout: float = 86_400.0
    overall_failures: int = 50  # failures from all addresses within overall_window lock everyone out
    overall_window: float = 600.0
    overall_lockout: float = 300.0
    max_checks_at_once: int = 4
    forget_after: float = 86_400.0  # an address quiet this long starts afresh
    max_addresses: int = 10_000


@dataclass
class _Address:
    failures: int = 0
    lockouts: int = 0
    locked_until: float = 0.0
    checking: bool = False
    trusted: bool = False  # logged in before: exempt from the overall lockout
    last_seen: float = 0.0


@dataclass
class LoginThrottle:
    """Failed-login bookkeeping (thread-safe). ``admit`` before a check, then ``failed`` or ``succeeded``,
    then ``release``."""

    rules: ThrottleRules = field(default_factory=ThrottleRules)
    clock: Callable[[], float] = time.monotonic
    _addresses: dict[str, _Address] = field(default_factory=dict)
    _recent: deque[float] = field(default_factory=deque)
    _everyone_locked_until: float = 0.0
    _checking: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _entry(self, address: str, now: float) -> _Address:
        entry = self._addresses.get(address)
        if entry is None or (now - entry.last_seen > self.rules.forget_after and not entry.checking):
            if len(self._addresses) >= self.rules.max_addresses:
                oldest = min(self._addresses, key=lambda a: self._addresses[a].last_seen)
                del self._addresses[oldest]
            entry = self._addresses[address] = _Address()
        entry.last_seen = now
        return entry

    def admit(self, address: str) -> float | None:
        """None: go ahead and check the password. A number: refuse, the client may retry in that many s."""
        with self._lock:
            now = self.clock()
            entry = self._entry(address, now)
            if now < entry.locked_until:
                return entry.locked_until - now
            if not entry.trusted and now < self._everyone_locked_until:
                return self._everyone_locked_until - now
            if entry.checking or self._checking >= self.rules.max_checks_at_once:
                return 1.0
            entry.checking = True
            self._checking += 1
            return None

    def release(self, address: str) -> None:
        with self._lock:
            entry = self._addresses.get(address)
            if entry is not None and entry.checking:
                entry.checking = False
                self._checking -= 1

    def succeeded(self, address: str) -> None:
        with self._lock:
            entry = self._entry(address, self.clock())
            entry.failures = entry.lockouts = 0
            entry.trusted = True

    def failed(self, address: str) -> float:
        """Record a failure; return how long to hold its answer. Logs one line per event."""
        rules = self.rules
        with self._lock:
            now = self.clock()
            entry = self._entry(address, now)
            entry.failures += 1
            extra = entry.failures - rules.free_failures
            delay = 0.0 if extra <= 0 else min(rules.first_delay * 2 ** (extra - 1), rules.max_delay)
            log.warning(
                "login failed from %s (%d in a row; answer delayed %.1f s)", address, entry.failures, delay
            )
            if entry.failures >= rules.lock_after:
                entry.lockouts += 1
                length = min(rules.lockout * 2 ** (entry.lockouts - 1), rules.max_lockout)
                entry.locked_until = now + delay + length
                entry.failures = rules.lock_after - 1  # after the lockout, one more failure locks again
                log.warning("logins from %s locked for %.0f s after %d failures", address, length,
                            rules.lock_after)  # fmt: skip
            self._recent.append(now)
            while self._recent and now - self._recent[0] > rules.overall_window:
                self._recent.popleft()
            if len(self._recent) >= rules.overall_failures:
                self._everyone_locked_until = now + rules.overall_lockout
                self._recent.clear()
                log.warning("logins locked for %.0f s for every address not logged in before, after %d "
                            "failures in %.0f s", rules.overall_lockout, rules.overall_failures,
                            rules.overall_window)  # fmt: skip
            return delay


# --- the middleware in front of Gradio's login route ---------------------------------------------

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def is_login_request(scope: Scope) -> bool:
    path = re.sub(r"/+", "/", scope.get("path", "")).rstrip("/")
    return scope.get("type") == "http" and scope.get("method") == "POST" and path.endswith("/login")


def client_address(scope: Scope) -> str:
    """The address failures are counted for: the peer's IP (an IPv6 client by its /64 network)."""
    client = scope.get("client")
    host = client[0] if client else "unknown"
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return str(host)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


async def too_many_attempts(send: Send, retry_after: float) -> None:
    seconds = max(1, math.ceil(retry_after))
    body = json.dumps({"detail": f"Too many failed logins. Try again in {seconds} s."}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 429,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(seconds).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class LoginGuard:
    """ASGI middleware: every POST to ``.../login`` goes through a :class:`LoginThrottle`."""

    def __init__(self, app: ASGIApp, throttle: LoginThrottle | None = None) -> None:
        self.app = app
        self.throttle = throttle or LoginThrottle()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not is_login_request(scope):
            await self.app(scope, receive, send)
            return
        address = client_address(scope)
        wait = self.throttle.admit(address)
        if wait is not None:
            await too_many_attempts(send, wait)
            return
        held: list[Message] = []

        async def hold(message: Message) -> None:
            held.append(message)

        try:
            await self.app(scope, receive, hold)
            status = next((m["status"] for m in held if m["type"] == "http.response.start"), 500)
            if 200 <= status < 300:
                self.throttle.succeeded(address)
            else:
                await asyncio.sleep(self.throttle.failed(address))
        finally:
            self.throttle.release(address)
        for message in held:
            await send(message)
