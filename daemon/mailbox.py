"""What every mailbox adapter offers the ingest loop, whatever its protocol."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class MailboxError(Exception):
    """The mailbox cannot be reached or used; the message names the mailbox."""


@dataclass(frozen=True)
class FetchedMail:
    """One message as fetched, with what the adapter needs to mark it done later."""

    mailbox: str
    folder: str
    handle: str
    raw: bytes
    arrived_at: datetime | None = None
    uidvalidity: int | None = None
    uid: int | None = None


class Mailbox(Protocol):
    name: str
    address: str
    backlog_days: int
    folder: str  # the folder read, for per-folder state such as UIDVALIDITY
    uidvalidity: int | None  # None where the store has no such notion (Maildir)

    def connect(self) -> None: ...

    def fetch_new(self) -> Iterator[FetchedMail]:
        """Messages not yet marked done, oldest first; never changes their state."""
        ...

    def mark_done(self, mail: FetchedMail) -> None:
        """Move a committed message out of the way (only after its commit)."""
        ...

    def mark_all_done(self, mails: Sequence[FetchedMail]) -> None:
        """mark_done for several committed messages, in as few round trips as the
        protocol allows."""
        ...

    def quarantine(self, mail: FetchedMail) -> None: ...

    def close(self) -> None: ...
