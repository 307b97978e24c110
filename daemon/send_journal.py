"""Send results kept where a kill cannot take them, until the database has them.

A result must be kept before the next message is sent: then a kill repeats at most the
one reply whose DATA the server had just accepted (design §8). On SQLite a commit of its
own for each result takes the database's one write lock, which the drain loop holds for
most of each mail, so a sender committing every result waits its turn for every reply,
and falls behind the drain. A line written to a file beside the database is in the
kernel's hands once write() returns: a kill cannot take it back (a power loss can, as it
can a commit not yet synced, unless the journal is synced too). So the sender writes each
result here, commits a claim's results together before the next claim, and empties the
file. Lines left by a sender that was killed are committed before anything is claimed.

One process writes the journal at a time: the one holding its lock (flock), taken for a
drain round and released by the kernel when that process dies. A sender that finds it
taken (a second instance, `onboardd outbox send` beside a running daemon) commits each
result instead, as every sender does where there is no database file: PostgreSQL has no
single write lock for it to wait on.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from onboardd.store.engine import database_file

log = logging.getLogger("onboardd.outbox")


@dataclass(frozen=True)
class SendResult:
    """One send's result as it is recorded: the claimed row's id, kind, attempt and
    creation, what the server said ("sent", "permanent", "transient", "unreachable") and
    its text, and when."""

    row_id: int
    kind: str
    attempts: int
    created_at: datetime
    outcome: str
    text: str
    at: datetime

    def line(self) -> bytes:
        fields = asdict(self)
        fields["created_at"] = self.created_at.isoformat()
        fields["at"] = self.at.isoformat()
        return json.dumps(fields, ensure_ascii=True).encode("ascii") + b"\n"

    @classmethod
    def from_line(cls, line: bytes) -> SendResult:
        fields = json.loads(line)
        return cls(
            row_id=int(fields["row_id"]),
            kind=str(fields["kind"]),
            attempts=int(fields["attempts"]),
            created_at=datetime.fromisoformat(fields["created_at"]),
            outcome=str(fields["outcome"]),
            text=str(fields["text"]),
            at=datetime.fromisoformat(fields["at"]),
        )


def journal_path(database: Path) -> Path:
    return Path(f"{database}-sent")


class SendJournal:
    """The journal file of one SQLite database, held by this process until `close()`.

    With `sync`, each line is on disk before `write()` returns, as a commit at
    synchronous=FULL would be.
    """

    def __init__(self, descriptor: int, path: Path, sync: bool) -> None:
        self._descriptor = descriptor
        self.path = path
        self._sync = sync

    @classmethod
    def take(cls, engine: Engine, *, sync: bool) -> SendJournal | None:
        """The database's journal, locked for this process; None where there is no
        database file, or another process holds the journal, or it cannot be opened."""
        database = database_file(engine)
        if database is None:
            return None
        path = journal_path(database)
        try:
            descriptor = os.open(path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC,
                                 0o600)
        except OSError as exc:
            log.warning("outbox: cannot open %s (%s); each send result is committed alone",
                        path, exc.strerror)
            return None
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # held by another process (or this one, on another thread)
            os.close(descriptor)
            return None
        return cls(descriptor, path, sync)

    def left_over(self) -> list[SendResult]:
        """What a sender that stopped before committing its results left here. A line that
        does not read (cut short by a power loss) is skipped: its reply, if it went out,
        goes out again after its lease, as it would had it never been written."""
        size = os.fstat(self._descriptor).st_size
        if size == 0:
            return []
        results: list[SendResult] = []
        for line in os.pread(self._descriptor, size, 0).splitlines():
            try:
                results.append(SendResult.from_line(line))
            except (ValueError, KeyError, TypeError):
                log.warning("outbox: an unreadable line in %s was skipped", self.path.name)
        return results

    def write(self, result: SendResult) -> None:
        """Append one result (OSError if the file cannot take it whole)."""
        line = result.line()
        if os.write(self._descriptor, line) != len(line):
            raise OSError(f"{self.path.name}: a short write")
        if self._sync:
            os.fdatasync(self._descriptor)

    def clear(self) -> None:
        """Empty the journal: what it held is committed (with `sync`, durably)."""
        os.ftruncate(self._descriptor, 0)
        if self._sync:
            os.fsync(self._descriptor)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._descriptor)  # the lock goes with the last descriptor
