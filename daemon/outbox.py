"""Drain the outbox after commit: send, record the server's reply, back off on failure."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from onboardd.daemon.send_journal import SendJournal, SendResult
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

    def result(self, outcome: Outcome, at: datetime) -> SendResult:
        return SendResult(self.id, self.kind, self.attempts, self.created_at, *outcome, at)


class RecordEach:
    """Each result kept before the next message is sent, and with `sync` on disk.

    A "sent" not kept when the process dies is sent again after its lease, so keeping
    each result before the next send bounds what a kill can repeat to the one message
    the server had just accepted. Kept means written to the database's send journal
    (daemon/send_journal.py), whose results are committed together before the next claim,
    or, where there is no journal, committed. A power loss can take back what was not
    synced: with `sync`, nothing; without, the results since the last claim's sync.
    """

    def __init__(self, factory: sessionmaker[Session], report: DrainReport, sync: bool,
                 journal: SendJournal | None) -> None:
        self._factory = factory
        self._report = report
        self._sync = sync
        self._journal = journal
        self._kept: list[SendResult] = []  # in the journal, not yet committed
        self._unsynced: Engine | None = None  # the database of results not yet synced

    def record(self, result: SendResult) -> None:
        if self._journal is not None:
            try:
                self._journal.write(result)
            except OSError as exc:
                log.warning("outbox: the send journal cannot be written (%s); each result "
                            "is committed alone for the rest of this round", exc)
                self._journal = None
            else:
                self._kept.append(result)
                return
        self._commit([*self._kept, result])
        self._kept = []

    def commit_kept(self) -> None:
        """The journal's results committed, and the journal emptied."""
        if self._kept:
            self._commit(self._kept)
            self._kept = []
        if self._journal is not None:
            self._journal.clear()

    def _commit(self, results: list[SendResult]) -> None:
        # With sync the commit is durable when it returns (the journal may then be
        # emptied); without, the next claim's sync or settle() makes it so.
        with transaction(self._factory, group_commit=not self._sync) as session:
            record_results(session, results, self._report)
            database = database_of(session)
        if not self._sync:
            self._unsynced = database

    def settle(self) -> None:
        """Every result recorded so far committed and on disk."""
        self.commit_kept()
        if self._unsynced is not None:
            make_durable(self._unsynced)
            self._unsynced = None


def drain(
    factory: sessionmaker[Session],
    transport: Transport,
    now: datetime,
    *,
    sync_each: bool = True,
) -> DrainReport:
    """Send every message due at `now` once.

    Messages are claimed a batch at a time in one short transaction (each one's next
    attempt pushed a lease ahead, and synced), sent with no transaction open, and each
    result is kept before the next message is sent (RecordEach; with `sync_each` also
    synced). A kill between the server's acceptance and that leaves the claim to expire,
    and the same bytes under the same Message-ID go out again: one message at most,
    never a different reply. Without `sync_each`, a power loss can take back the results
    of the batch in hand (the next claim's sync covers them), and those go out again.
    Results a killed sender left in the send journal are committed before any claim.

    When the server cannot be reached at all (TransportDown) the round ends there: the
    message tried is deferred, the rest of the batch is handed back as it was, so an
    unreachable server costs one connection attempt per round rather than one timeout
    per message.
    """
    report = DrainReport()
    with factory() as session:
        journal = SendJournal.take(database_of(session), sync=sync_each)
    try:
        if journal is not None:
            _commit_left_over(factory, journal)
        recorder = RecordEach(factory, report, sync_each, journal)
        while True:
            recorder.commit_kept()  # the claim's sync covers them
            claims = _claim(factory, now)
            if not claims:
                recorder.settle()
                return report
            for position, claim in enumerate(claims):
                outcome = _send(transport, claim.envelope)
                recorder.record(claim.result(outcome, now))
                if outcome[0] == "unreachable":
                    rest = claims[position + 1 :]
                    _release(factory, rest)
                    # Handed back untried, they wait as the tried one does: the run's
                    # summary counts every reply that did not go out.
                    report.deferred += len(rest)
                    report.unreachable = True
                    recorder.settle()
                    return report
    finally:
        if journal is not None:
            journal.close()


def _commit_left_over(factory: sessionmaker[Session], journal: SendJournal) -> None:
    """Commit the results a sender that stopped left in the journal, then empty it.
    Each applies only to the attempt it was the result of, if that is still open."""
    left = journal.left_over()
    if left:
        with transaction(factory) as session:
            record_results(session, left, DrainReport())
        log.info("outbox: %d send result%s left by a stopped run recorded", len(left),
                 "" if len(left) == 1 else "s")
    journal.clear()


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


def _send(transport: Transport, envelope: Envelope) -> Outcome:
    try:
        return "sent", transport.send(envelope)
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


def record_results(session: Session, results: Sequence[SendResult], report: DrainReport) -> None:
    """Write server answers into `session`'s transaction (one statement per kind of
    answer), and count them in `report`. Each applies to its own attempt only: a result
    committed again (from the journal, after a kill) changes nothing a later one wrote."""
    sent: list[dict[str, Any]] = []
    failed: list[dict[str, Any]] = []
    deferred: list[dict[str, Any]] = []
    for result in results:
        row = {"row_id": result.row_id, "tries": result.attempts, "text": result.text}
        if result.outcome == "sent":
            sent.append({**row, "at": result.at})
            log.info("outbox %d (%s) sent", result.row_id, result.kind)
        elif result.outcome == "permanent" or result.at - result.created_at >= GIVE_UP_AFTER:
            failed.append(row)
            log.error("outbox %d (%s) failed: %s", result.row_id, result.kind,
                      _brief(result.text))
        else:
            deferred.append({**row, "retry_at": next_attempt(result.attempts, result.at)})
            log.warning("outbox %d (%s) deferred: %s", result.row_id, result.kind,
                        _brief(result.text))
    queries.record_sent(session, sent)
    queries.record_failed(session, failed)
    queries.record_deferred(session, deferred)
    report.sent += len(sent)
    report.failed += len(failed)
    report.deferred += len(deferred)
