"""The database held by another writer for a while: the daemon waits, then loses nothing."""

from __future__ import annotations

import sqlite3
import threading
import time

from tests.conftest import sqlite_only
from tests.daemon.harness import Daemon
from tests.mailkit import compose


@sqlite_only
def test_a_locked_database_delays_but_loses_nothing(daemon: Daemon) -> None:
    daemon.run_once()  # create the database
    for number in range(3):
        daemon.maildir.deliver(
            compose(
                f"P{number} <p{number}@acmehealth.example.com>",
                "Organization: Acme Health Solutions\nService: Jira\n",
            )
        )
    blocker = sqlite3.connect(
        daemon.config.parent / "var" / "onboardd.db", isolation_level=None, check_same_thread=False
    )
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock
    released = threading.Timer(2.0, blocker.execute, ("COMMIT",))
    released.start()
    began = time.monotonic()
    daemon.run_once()
    released.join()
    assert time.monotonic() - began >= 1.5  # it waited for the lock instead of failing
    assert len(daemon.export()) == 3 and daemon.maildir.new() == []
    assert len(daemon.sent()) == 3
