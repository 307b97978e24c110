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


def start_service(daemon: Daemon, notify_path: Path, **extra: str) -> subprocess.Popen[str]:
    """`onboardd run` in a process of its own, told to notify `notify_path`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHDOG_")}
    env |= {"NOTIFY_SOCKET": str(notify_path), **extra}
    # Output to a file, not a pipe nobody reads while it runs (a full pipe would block it).
    with (notify_path.parent / "service.log").open("w") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "onboardd.daemon.cli", "--config", str(daemon.config), "run"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )


def test_ready_watchdog_stopping_and_a_clean_exit_losing_nothing(
    daemon: Daemon, tmp_path: Path
) -> None:
    for n in (1, 2):
        daemon.maildir.deliver(
            compose(f"User {n} <u{n}@acmehealth.example.com>", REQUEST.format(n=n))
        )
    notify = Notifications(tmp_path / "notify")
    # systemd's WatchdogSec=2: a WATCHDOG=1 at least every second.
    process = start_service(daemon, tmp_path / "notify", WATCHDOG_USEC="2000000")
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
    stderr = (tmp_path / "service.log").read_text()
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


def test_sighup_rereads_the_config_and_a_broken_one_is_refused(
    daemon: Daemon, tmp_path: Path
) -> None:
    notify = Notifications(tmp_path / "notify")
    process = start_service(daemon, tmp_path / "notify")
    moved = daemon.outbox.parent / "outbox-after-reload"
    try:
        notify.wait_for("READY=1")
        notify.seen.clear()
        # A broken edit: the service says so and keeps running on what it had.
        good = daemon.config.read_text()
        daemon.config.write_text(good + "\n[nonsense\n")
        process.send_signal(signal.SIGHUP)
        notify.wait_for("RELOADING=1")
        notify.wait_for("READY=1")
        assert "STATUS=reload refused; running the previous config" in notify.seen
        assert process.poll() is None
        # A good edit: the next reply goes where the new config says.
        notify.seen.clear()
        daemon.config.write_text(good.replace('path = "var/outbox"', f'path = "{moved}"'))
        process.send_signal(signal.SIGHUP)
        notify.wait_for("RELOADING=1")
        notify.wait_for("READY=1")
        daemon.maildir.deliver(compose("u1@acmehealth.example.com", REQUEST.format(n=1)))
        until(lambda: moved.exists() and any(moved.glob("*.eml")))
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    stderr = (tmp_path / "service.log").read_text()
    assert code == 0, stderr
    assert "reload refused" in stderr and "config and templates reloaded" in stderr
    assert daemon.sent() == []  # nothing went to the old outbox
