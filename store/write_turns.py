"""Threads of one process take turns, first come first served, at SQLite's write lock.

SQLite lets one writer in at a time and makes the others poll: its busy handler sleeps
1, 2, 5, ... up to 100 ms between tries. A thread that commits and begins again at once
(the drain, mail after mail) gets the lock back every time, and a second thread (the
outbox sender) sleeps through every short gap, most of its time, while the drain in
turn waits for the replies it has not sent.
Writers of one process therefore queue here before they ask SQLite, and the lock is
handed on in arrival order as soon as a COMMIT or ROLLBACK has finished. Other
processes on the same file still meet SQLite's own busy timeout, as before.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from typing import Any


class WriteTurns:
    """A ticket lock: `take()` waits for every earlier taker's `give_back()`."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._next_ticket = 0
        self._serving = 0
        self._abandoned: set[int] = set()

    def take(self, timeout: float) -> None:
        """Wait for this thread's turn; sqlite3.OperationalError, as SQLite itself would
        raise, if it has not come within `timeout` seconds."""
        with self._changed:
            ticket = self._next_ticket
            self._next_ticket += 1
            if self._changed.wait_for(lambda: self._serving == ticket, timeout):
                return
            # Give the ticket up without blocking those behind it: whoever is served
            # when it comes up passes it on.
            self._abandoned.add(ticket)
            raise sqlite3.OperationalError("database is locked")

    def give_back(self) -> None:
        with self._changed:
            self._serving += 1
            while self._serving in self._abandoned:
                self._abandoned.discard(self._serving)
                self._serving += 1
            self._changed.notify_all()


_turns_by_file: dict[str, WriteTurns] = {}
_turns_lock = threading.Lock()


def turns_for(database: str) -> WriteTurns | None:
    """The turns of one database file, shared by every engine of this process on it;
    None for an in-memory database, which no other connection can see."""
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        return None
    key = os.path.realpath(database)
    with _turns_lock:
        return _turns_by_file.setdefault(key, WriteTurns())


# SQLite's own default: a commit that takes the WAL past this many pages checkpoints it.
AUTOCHECKPOINT_PAGES = 1000


class TurnTakingConnection(sqlite3.Connection):
    """A pysqlite connection that holds its file's write turn from `take_turn()` until
    its COMMIT or ROLLBACK has finished (or it is closed)."""

    def __init__(self, database: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self._turns = turns_for(os.fsdecode(database))
        self._holding = False
        self.in_wal = False  # set once the connection is in WAL mode (store/engine.py)
        self._full_sync = True

    def sync_at_commit(self, full: bool) -> None:
        """synchronous=FULL (each commit waits for an fsync) or NORMAL (group commits);
        NORMAL only in WAL mode, where it still keeps every commit whole.

        A group commit also leaves the WAL to store.engine.checkpoint(), which the drain
        runs once a move batch is durable: SQLite's automatic checkpoint runs inside the
        commit that takes the WAL past 1,000 pages, copying them and, at NORMAL, waiting
        for two fsyncs there, in the middle of a mail."""
        full = full or not self.in_wal
        if full != self._full_sync:
            self.execute(f"PRAGMA synchronous={'FULL' if full else 'NORMAL'}")
            self.execute(f"PRAGMA wal_autocheckpoint={AUTOCHECKPOINT_PAGES if full else 0}")
            self._full_sync = full

    def take_turn(self, timeout: float) -> None:
        """Wait for this file's write turn (sqlite3.OperationalError after `timeout`)."""
        if self._turns is not None and not self._holding:
            self._turns.take(timeout)
            self._holding = True

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.give_turn_back()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.give_turn_back()

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.give_turn_back()

    def give_turn_back(self) -> None:
        if self._holding and self._turns is not None:
            self._holding = False
            self._turns.give_back()
