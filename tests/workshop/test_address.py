"""The join address shown to the room is one participants can reach, or the page says plainly it is not."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import pytest

from photolab.workshop.address import join_address, lan_addresses, listens_on


@contextmanager
def listening(host: str) -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind((host, 0))
        server.listen()
        yield server.getsockname()[1]


def test_loopback_only_server_is_reported_unreachable() -> None:
    with listening("127.0.0.1") as port:
        address = join_address(f"127.0.0.1:{port}", server_port=port)
    assert not address.reachable and address.base == f"http://127.0.0.1:{port}/"


def test_server_on_all_interfaces_gives_an_address_that_answers() -> None:
    if not lan_addresses():
        pytest.skip("this machine has no network interface besides loopback")
    with listening("0.0.0.0") as port:
        address = join_address(f"localhost:{port}", server_port=port)
        assert address.reachable
        parts = urlsplit(address.with_code("ABC234"))
        assert parts.hostname in lan_addresses() and parts.port == port and parts.query == "join=ABC234"
        with socket.create_connection((parts.hostname, port), timeout=2):  # a participant's connection
            pass


def test_an_address_the_facilitator_used_is_kept_and_the_override_wins() -> None:
    assert join_address("192.168.1.20:7860").base == "http://192.168.1.20:7860/"
    assert join_address("lab.local", scheme="https").base == "https://lab.local/"
    override = join_address("127.0.0.1:7860", public_url="http://10.0.0.5:8080/lab")
    assert override.base == "http://10.0.0.5:8080/lab/" and override.reachable


def test_bind_probe_tells_listening_from_free() -> None:
    with listening("127.0.0.1") as port:
        assert listens_on("127.0.0.1", port)
    assert not listens_on("127.0.0.1", port)
