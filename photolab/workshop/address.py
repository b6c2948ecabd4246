"""The address participants type or scan, and whether they can really reach it.

The facilitator usually opens the page as ``127.0.0.1``; participants need the laptop's network address,
and the server must listen on it (``photolab serve --workshop --host 0.0.0.0``). Nothing here sends a
packet: interface addresses come from the kernel (``SIOCGIFADDR``), and whether the server listens on one
is probed by *binding* a socket to it (the bind fails with "address in use" exactly when a server
listens there, on that address or on all of them); the probe socket is closed without listening.
"""

from __future__ import annotations

import contextlib
import errno
import socket
import struct
import sys
from dataclasses import dataclass
from urllib.parse import urlsplit

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1", "[::1]")
_SIOCGIFADDR = 0x8915  # Linux


@dataclass(frozen=True)
class JoinAddress:
    base: str  # e.g. "http://192.168.1.20:7860/"
    reachable: bool  # False: only this computer can open it (server listens on loopback only)

    def with_code(self, code: str) -> str:
        return f"{self.base}?join={code}"


def join_address(
    host_header: str, *, scheme: str = "http", server_port: int | None = None, public_url: str = ""
) -> JoinAddress:
    """Where participants should go, given the facilitator's request (its Host header and the port the
    server accepted it on). ``public_url`` (``$PHOTOLAB_PUBLIC_URL``) wins: behind a proxy only the
    facilitator knows the outside address."""
    if public_url:
        return JoinAddress(public_url.rstrip("/") + "/", True)
    parts = urlsplit(f"//{host_header or '127.0.0.1'}")
    host = parts.hostname or "127.0.0.1"
    port = server_port or parts.port or (443 if scheme == "https" else 80)
    if host not in LOOPBACK_NAMES and not host.startswith("127."):
        return JoinAddress(f"{scheme}://{_netloc(host, parts.port)}/", True)  # they reached it: so can others
    for ip in lan_addresses():
        if listens_on(ip, port):
            return JoinAddress(f"{scheme}://{ip}:{port}/", True)
    return JoinAddress(f"{scheme}://127.0.0.1:{port}/", False)


def _netloc(host: str, port: int | None) -> str:
    host = f"[{host}]" if ":" in host else host
    return f"{host}:{port}" if port else host


def lan_addresses() -> list[str]:
    """This machine's IPv4 addresses other than loopback (Linux; elsewhere an empty list)."""
    if not sys.platform.startswith("linux"):
        return []
    import fcntl

    found = []
    with contextlib.suppress(OSError):
        for _index, name in socket.if_nameindex():
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
                try:
                    packed = fcntl.ioctl(s.fileno(), _SIOCGIFADDR, struct.pack("256s", name[:15].encode()))
                except OSError:  # interface without an IPv4 address
                    continue
            ip = socket.inet_ntoa(packed[20:24])
            if not ip.startswith("127.") and ip not in found:
                found.append(ip)
    return found


def listens_on(ip: str, port: int) -> bool:
    """True when a server on this machine accepts connections on ``ip:port``."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((ip, port))
        except OSError as exc:
            return exc.errno == errno.EADDRINUSE
    return False
