"""`onboardd run` as systemd runs it: a real process, a notify socket, SIGTERM at the end."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.daemon.harness import Daemon
from tests.mailkit import compose

REQUEST = "Organization: Acme Health Solutions\nServices: Jira\nUsers: {n}\n"


class Notifications:
    """The datagram socket systemd would listen on, and everything sent to it."""

    def __init__(self, path: Path) -> None:
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(str(path))
        self.seen: list[str] = []

    def wait_for(self, field: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while field not in self.seen:
            left = deadline - time.monotonic()
            assert left > 0, f"no {field} within {timeout} s; got {self.seen}"
            self.sock.settimeout(left)
            try:
                self.seen.extend(self.sock.recv(4096).decode().splitlines())
            except TimeoutError:
                continue

    def drain(self) -> None:
        self.sock.setblocking(False)
        try:
            while True:
                self.seen.extend(self.sock.recv(4096).decode().splitlines())
        except BlockingIOError:
            return


def until(condition: Callable[[], bool], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_ready_watchdog_stopping_and_a_clean_exit_losing_nothing(
    daemon: Daemon, tmp_path: Path
) -> None:
    for n in (1, 2):
        daemon.maildir.deliver(
            compose(f"User {n} <u{n}@acmehealth.example.com>", REQUEST.format(n=n))
        )
    notify = Notifications(tmp_path / "notify")
    env = {
        **os.environ,
        "NOTIFY_SOCKET": str(tmp_path / "notify"),
        "WATCHDOG_USEC": "2000000",  # systemd's WatchdogSec=2: a WATCHDOG=1 every second
    }
    env.pop("WATCHDOG_PID", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "onboardd.daemon.cli", "--config", str(daemon.config), "run"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        notify.wait_for("READY=1")
        until(lambda: len(daemon.sent()) == 2)  # both answered by the running service
        notify.seen.clear()
        notify.wait_for("WATCHDOG=1", timeout=5)
        notify.wait_for("WATCHDOG=1", timeout=5)  # and again: it comes from the loop

        # More mail, and SIGTERM while the service may be in the middle of it.
        for n in range(3, 9):
            daemon.maildir.deliver(
                compose(f"User {n} <u{n}@acmehealth.example.com>", REQUEST.format(n=n))
            )
        until(lambda: len(daemon.maildir.cur()) >= 3)
        stopped_at = time.monotonic()
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=15)
        took = time.monotonic() - stopped_at
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    _, stderr = process.communicate()
    notify.drain()
    assert code == 0, stderr
    assert took < 5, f"took {took:.1f} s to stop"
    assert "STOPPING=1" in notify.seen
    assert "Traceback" not in stderr

    # Nothing lost: each mail is either done (moved, recorded, answered) or still waiting
    # in new/, untouched, for the next start.
    done, waiting = len(daemon.maildir.cur()), len(daemon.maildir.new())
    assert done + waiting == 8 and done >= 3
    assert len(daemon.export()) == done
    assert len(daemon.sent()) == done
    daemon.run_once()
    assert len(daemon.maildir.cur()) == 8 and daemon.maildir.new() == []
    requests = daemon.export()
    assert len(requests) == 8
    # ...and nobody was answered twice.
    answered = [s.to for s in daemon.sent()]
    assert len(answered) == len(set(answered)) == 8
