"""Drain the outbox after commit: send, record the server's reply, back off on failure."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from onboardd.daemon.transport import (
    Envelope,
    PermanentSendError,
    TransientSendError,
    Transport,
    TransportDown,
)
from onboardd.store import queries
from onboardd.store.models import OutboxMessage

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


def drain(factory: sessionmaker[Session], transport: Transport, now: datetime) -> DrainReport:
    """Send every message due at `now` once.

    Each message is claimed in one short transaction (its next attempt pushed a lease
    ahead), sent with no transaction open, and its result recorded in another. A crash
    in between leaves the claim to expire, and the same bytes under the same
    Message-ID go out again: at worst a duplicate, never a different reply.

    When the server cannot be reached at all (TransportDown) the round ends there: the
    message tried is deferred, the rest stay due untouched, so an unreachable server
    costs one connection attempt per round rather than one timeout per message.
    """
    report = DrainReport()
    while True:
        with factory() as session, session.begin():
            batch = queries.due_outbox(session, now, limit=1)
            if not batch:
                return report
            row = batch[0]
            row.attempts += 1
            row.next_attempt_at = now + LEASE
            envelope = Envelope(row.message_id, row.mail_from, tuple(row.recipients), row.raw)
            claimed = row.id
        outcome = _send(transport, envelope)
        with factory() as session, session.begin():
            row = session.get(OutboxMessage, claimed)
            if row is not None:
                _record(row, outcome, now, report)
        if outcome[0] == "unreachable":
            report.unreachable = True
            return report


def _send(transport: Transport, envelope: Envelope) -> tuple[str, str]:
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


def _record(
    row: OutboxMessage, outcome: tuple[str, str], now: datetime, report: DrainReport
) -> None:
    result, text = outcome
    if result == "sent":
        row.status, row.sent_at, row.last_error, row.server_reply = "sent", now, None, text
        report.sent += 1
        log.info("outbox %d (%s) sent", row.id, row.kind)
    elif result == "permanent" or now - row.created_at >= GIVE_UP_AFTER:
        row.status, row.last_error = "failed", text
        report.failed += 1
        log.error("outbox %d (%s) failed: %s", row.id, row.kind, _brief(text))
    else:
        row.last_error = text
        row.next_attempt_at = next_attempt(row.attempts, now)
        report.deferred += 1
        log.warning("outbox %d (%s) deferred: %s", row.id, row.kind, _brief(text))
