"""Which instance serves a mailbox: a PostgreSQL session advisory lock per mailbox.

The lock lives on a connection of its own, outside the pool's reuse, so it is held
exactly as long as the process is alive and connected: when an instance dies, its
session ends, the lock is freed, and another instance takes the mailbox on its next pass.
On SQLite (one host by design) every mailbox is always ours.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError


def lock_key(mailbox: str) -> int:
    """A stable signed 64-bit key for pg_advisory_lock, from the mailbox name."""
    digest = hashlib.sha256(f"onboardd:mailbox:{mailbox}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class MailboxLock:
    def __init__(self, engine: Engine, mailbox: str) -> None:
        self.engine = engine
        self.key = lock_key(mailbox)
        self._connection: Connection | None = None

    @property
    def shared(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def acquire(self) -> bool:
        """True when this instance holds the mailbox (now or already)."""
        if not self.shared:
            return True
        if self._connection is not None:
            return self._still_held()
        connection = self.engine.connect()
        try:
            held = bool(
                connection.execute(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key}
                ).scalar()
            )
            connection.commit()
        except DBAPIError:
            connection.close()
            return False
        if held:
            self._connection = connection
        else:
            connection.close()
        return held

    def _still_held(self) -> bool:
        assert self._connection is not None
        try:
            self._connection.execute(text("SELECT 1"))
            self._connection.commit()
            return True
        except DBAPIError:
            self.release()
            return False

    def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
            connection.commit()
        except DBAPIError:
            pass  # the session is gone, and the lock with it
        finally:
            # Invalidate rather than return to the pool: a pooled session would keep
            # any lock we failed to release.
            connection.invalidate()
            connection.close()
