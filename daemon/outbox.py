"""Drain the outbox after commit: send, record the server's reply, back off on failure."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from onboardd.daemon.transport import (
    Envelope,
    PermanentSendError,
    TransientSendError,
    Transport,
    TransportDown,
)
from onboardd.store import outbox_queries as queries
from onboardd.store.engine import database_of, make_durable, transaction

log = logging.getLogger("onboardd.outbox")

FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(days=1)
# How long a claimed message is left alone while it is being sent.
LEASE = timedelta(minutes=5)


@dataclass
class DrainReport:
    sent: int = 0
    deferred: int = 0
    failed: int = 0
    # The round stopped early because the server could not be reached at all.
    unreachable: bool = False

    def add(self, other: DrainReport) -> None:
        self.sent += other.sent
        self.deferred += other.deferred
        self.failed += other.failed
        self.unreachable = self.unreachable or other.unreachable


def next_attempt(attempts: int, now: datetime) -> datetime:
    """Exponential backoff: 30 s, 1 min, 2 min, ... capped at an hour between tries."""
    wait = min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)
    return now + wait


# What the server said: ("sent" | "permanent" | "transient" | "unreachable", its text).
Outcome = tuple[str, str]


@dataclass(frozen=True)
class Claim:
    """What sending one claimed message and recording its result needs, without its row."""

    id: int
    kind: str
    attempts: int
    created_at: datetime
    due_at: datetime
    envelope: Envelope


# One send's result as it is recorded: the claim, what the server said, and when.
Result = tuple["Claim", Outcome, datetime]


class Handover:
    """A result handed to a loop transaction; `committed()` waits for that transaction
    and says whether it committed the result (None: it did not, the caller must)."""

    def __init__(self, result: Result, changed: threading.Condition) -> None:
        self.result = result
        self._changed = changed
        self._done = False
        self._counted: DrainReport | None = None

    def settle(self, counted: DrainReport | None) -> None:
        """Called by the loop, holding the lock: the transaction ended."""
        self._counted = counted
        self._done = True

    def committed(self) -> DrainReport | None:
        with self._changed:
            self._changed.wait_for(lambda: self._done)
            return self._counted


class NextCommit:
    """A send result committed by the drain loop's open transaction, when there is one.

    The background sender must see each result committed before the next message is
    handed over (RecordEach). Committed alone, a result costs a write turn, a BEGIN and
    a COMMIT of its own, thousands of times in a backlog, while the loop that drains the
    mailbox is inside a transaction of its own most of the time. So while a loop
    transaction is open, the sender hands its result over (`hand_over`), the loop
    writes it just before it commits (`carrying`), and the sender, which has gone on
    meanwhile with the next message's envelope, waits for that commit before handing
    the message over. When no loop transaction is open, or the one that took the result
    rolled back or ended without writing it, the sender commits the result itself. One
    sender at a time: a result is handed over only while no other is held.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._open = False  # a loop transaction will write a result handed over now
        self._handed: Handover | None = None

    def hand_over(self, result: Result) -> Handover | None:
        """The result in the open loop transaction's hands; None when none is open."""
        with self._changed:
            if not self._open or self._handed is not None:
                return None
            self._handed = Handover(result, self._changed)
            return self._handed

    @contextmanager
    def carrying(self) -> Iterator[Callable[[Session], None]]:
        """Around one loop transaction (outside it, so that its end is the commit's): the
        function to call in it, last, to write a result handed over meanwhile."""
        written: Handover | None = None
        counted = DrainReport()

        def write(session: Session) -> None:
            nonlocal written
            with self._changed:
                self._open = False
                written, self._handed = self._handed, None
            if written is not None:
                record_results(session, [written.result], counted)

        with self._changed:
            self._open = True
        committed = False
        try:
            yield write
            committed = True
        finally:
            with self._changed:
                self._open = False
                if written is not None:
                    written.settle(counted if committed else None)
                if self._handed is not None:  # handed over but never written
                    self._handed.settle(None)
                    self._handed = None
                self._changed.notify_all()


class RecordEach:
    """Each result committed before the next message is handed over, and with `sync` on
    disk.

    A "sent" not yet committed when the process dies is sent again after its lease, so
    committing one result before the next message's handover (SMTP's DATA, a file's
    link; its envelope may go first) bounds what a kill can repeat to the one message
    the server had just accepted. A commit survives the process's death; what a
    power loss can take back is what was committed since the WAL was last synced: with
    `sync`, nothing. The commit is a group commit, synced (when it is) once it has
    let go of the write lock: a drain taking turns at that lock does not wait behind it.
    Given a NextCommit, a result rides on the loop's transaction when one is open; the
    loop syncs its commits before it moves the mails they recorded.
    """

    def __init__(self, factory: sessionmaker[Session], report: DrainReport, sync: bool,
                 next_commit: NextCommit | None = None) -> None:
        self._factory = factory
        self._report = report
        self._sync = sync
        self._next_commit = next_commit
        self._handed: Handover | None = None  # the last result, in a loop transaction
        self._unsynced: Engine | None = None  # the database of results not yet synced

    def record(self, claim: Claim, outcome: Outcome, now: datetime) -> None:
        """Record a result: committed now, or handed to the loop's open transaction,
        whose commit `committed()` waits for."""
        self.committed()
        if self._next_commit is not None:
            self._handed = self._next_commit.hand_over((claim, outcome, now))
            if self._handed is not None:
                return
        self._commit((claim, outcome, now))

    def committed(self) -> None:
        """Every result recorded so far committed: the one handed to the loop waited
        for, and committed here if its transaction did not."""
        handed, self._handed = self._handed, None
        if handed is None:
            return
        counted = handed.committed()
        if counted is None:
            self._commit(handed.result)
        else:
            self._report.add(counted)

    def _commit(self, result: Result) -> None:
        with transaction(self._factory, group_commit=True) as session:
            record_results(session, [result], self._report)
            database = database_of(session)
        self._unsynced = database
        if self._sync:
            self.settle()

    def settle(self) -> None:
        """Every result recorded so far on disk (a claim's sync does it too); one the
        loop committed is synced by the loop, before it moves the mail it recorded."""
        self.committed()
        if self._unsynced is not None:
            make_durable(self._unsynced)
            self._unsynced = None


def drain(
    factory: sessionmaker[Session],
    transport: Transport,
    now: datetime,
    *,
    sync_each: bool = True,
    next_commit: NextCommit | None = None,
) -> DrainReport:
    """Send every message due at `now` once.

    Messages are claimed a batch at a time in one short transaction (each one's next
    attempt pushed a lease ahead, and synced), sent with no transaction open, and each
    result is committed before the next message is sent (RecordEach; with `sync_each`
    also synced). A crash between the server's acceptance and that commit leaves the
    claim to expire, and the same bytes under the same Message-ID go out again: one
    message at most, never a different reply. Without `sync_each`, a power loss can
    take back the results of the batch in hand (the next claim's sync covers them), and
    those go out again.

    When the server cannot be reached at all (TransportDown) the round ends there: the
    message tried is deferred, the rest of the batch is handed back as it was, so an
    unreachable server costs one connection attempt per round rather than one timeout
    per message.
    """
    report = DrainReport()
    recorder = RecordEach(factory, report, sync_each, next_commit)
    while True:
        claims = _claim(factory, now)
        if not claims:
            recorder.settle()
            return report
        for position, claim in enumerate(claims):
            # The previous result is committed before this message is handed over.
            outcome = _send(transport, claim.envelope, recorder.committed)
            recorder.record(claim, outcome, now)
            if outcome[0] == "unreachable":
                rest = claims[position + 1 :]
                _release(factory, rest)
                # Handed back untried, they wait as the tried one does: the run's
                # summary counts every reply that did not go out.
                report.deferred += len(rest)
                report.unreachable = True
                recorder.settle()
                return report


def _claim(factory: sessionmaker[Session], now: datetime) -> list[Claim]:
    with transaction(factory, group_commit=True) as session:
        rows = queries.due_for_sending(session, now)
        claims = [
            Claim(
                row.id,
                row.kind,
                row.attempts + 1,
                row.created_at,
                row.next_attempt_at,
                Envelope(row.message_id, row.mail_from, tuple(row.recipients), row.raw),
            )
            for row in rows
        ]
        queries.lease(session, [(c.id, c.attempts, now + LEASE) for c in claims])
        database = database_of(session)
    if claims:
        # Before any is sent: the claim on disk, and with it the drain's group commits
        # that queued these messages, so no reply goes out for a mail whose outcome a
        # power loss could still undo. Synced after the commit rather than in it, so the
        # drain does not wait for the fsync behind this thread's write turn.
        make_durable(database)
    return claims


def _release(factory: sessionmaker[Session], claims: list[Claim]) -> None:
    """Hand claimed but untried messages back, due as they were and with no attempt spent."""
    if not claims:
        return
    with factory() as session, session.begin():
        queries.hand_back(session, [(c.id, c.attempts - 1, c.due_at) for c in claims])


def _send(transport: Transport, envelope: Envelope, before_handover: Callable[[], None]
          ) -> Outcome:
    try:
        return "sent", transport.send(envelope, before_handover)
    except PermanentSendError as exc:
        return "permanent", str(exc)
    except TransportDown as exc:
        return "unreachable", str(exc)
    except TransientSendError as exc:
        return "transient", str(exc)


_ADDRESS = re.compile(r"[^\s<>@]+@[^\s<>@]+")


def _brief(text: str) -> str:
    """A server reply fit for the log: addresses stay in the database only."""
    return _ADDRESS.sub("<address>", text)[:300]


def record_results(
    session: Session, results: Sequence[tuple[Claim, Outcome, datetime]], report: DrainReport
) -> None:
    """Write server answers into `session`'s transaction (one statement per kind of
    answer), and count them in `report`."""
    sent: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    deferred: list[dict[str, Any]] = []
    for claim, (result, text), now in results:
        if result == "sent":
            sent.append({"row_id": claim.id, "at": now, "text": text})
            log.info("outbox %d (%s) sent", claim.id, claim.kind)
        elif result == "permanent" or now - claim.created_at >= GIVE_UP_AFTER:
            failed.append({"row_id": claim.id, "text": text})
            log.error("outbox %d (%s) failed: %s", claim.id, claim.kind, _brief(text))
        else:
            retry_at = next_attempt(claim.attempts, now)
            deferred.append({"row_id": claim.id, "text": text, "retry_at": retry_at})
            log.warning("outbox %d (%s) deferred: %s", claim.id, claim.kind, _brief(text))
    queries.record_sent(session, sent)
    queries.record_failed(session, failed)
    queries.record_deferred(session, deferred)
    report.sent += len(sent)
    report.failed += len(failed)
    report.deferred += len(deferred)
