"""daemon/systemd.py against a real datagram socket, as systemd would listen on it."""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from onboardd.daemon import systemd


@pytest.fixture
def listener(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[socket.socket]:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    path = tmp_path / "notify"
    sock.bind(str(path))
    sock.settimeout(2)
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    yield sock
    sock.close()


def test_each_state_reaches_the_socket(listener: socket.socket) -> None:
    assert systemd.ready("polling 1 mailbox")
    assert listener.recv(4096) == b"READY=1\nSTATUS=polling 1 mailbox"
    assert systemd.status("digest queued — 3 recipients")
    assert listener.recv(4096).decode() == "STATUS=digest queued — 3 recipients"  # UTF-8 kept
    assert systemd.watchdog() and listener.recv(4096) == b"WATCHDOG=1"
    assert systemd.reloading() and listener.recv(4096) == b"RELOADING=1"
    assert systemd.stopping() and listener.recv(4096) == b"STOPPING=1"


def test_abstract_namespace_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    name = f"onboardd-test-{secrets.token_hex(4)}"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind("\0" + name)
        sock.settimeout(2)
        monkeypatch.setenv("NOTIFY_SOCKET", "@" + name)
        assert systemd.ready()
        assert sock.recv(4096) == b"READY=1"


def test_silent_without_systemd(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("NOTIFY_SOCKET", raising=False)
    assert not systemd.ready() and not systemd.watchdog() and not systemd.stopping()
    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "nobody-listens"))
    assert not systemd.status("x")  # a vanished socket never raises into the loop


def test_watchdog_interval_is_half_the_timeout_for_this_process_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("WATCHDOG_USEC", raising=False)
    monkeypatch.delenv("WATCHDOG_PID", raising=False)
    assert systemd.watchdog_interval() is None
    monkeypatch.setenv("WATCHDOG_USEC", "30000000")
    assert systemd.watchdog_interval() == 15.0
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    assert systemd.watchdog_interval() == 15.0
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid() + 1))  # meant for another process
    assert systemd.watchdog_interval() is None
    monkeypatch.setenv("WATCHDOG_PID", str(os.getpid()))
    monkeypatch.setenv("WATCHDOG_USEC", "junk")
    assert systemd.watchdog_interval() is None
