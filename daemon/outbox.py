"""Drain the outbox after commit: send, record the server's reply, back off on failure."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from onboardd.daemon.transport import Envelope, PermanentSendError, TransientSendError, Transport
from onboardd.store import queries
from onboardd.store.models import OutboxMessage

log = logging.getLogger("onboardd.outbox")

FIRST_RETRY = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
GIVE_UP_AFTER = timedelta(days=1)


@dataclass
class DrainReport:
    sent: int = 0
    deferred: int = 0
    failed: int = 0


def next_attempt(attempts: int, now: datetime) -> datetime:
    """Exponential backoff: 30 s, 1 min, 2 min, ... capped at an hour between tries."""
    wait = min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_WAIT)
    return now + wait


def drain(factory: sessionmaker[Session], transport: Transport, now: datetime) -> DrainReport:
    """Send every due message once; each result is committed before the next send."""
    report = DrainReport()
    while True:
        with factory() as session, session.begin():
            batch = queries.due_outbox(session, now, limit=1)
            if not batch:
                return report
            _send_one(session, batch[0], transport, now, report)


def _send_one(
    session: Session, row: OutboxMessage, transport: Transport, now: datetime, report: DrainReport
) -> None:
    envelope = Envelope(row.message_id, row.mail_from, tuple(row.recipients), row.raw)
    row.attempts += 1
    try:
        row.server_reply = transport.send(envelope)
    except PermanentSendError as exc:
        row.status, row.last_error = "failed", str(exc)
        report.failed += 1
        log.error("outbox %d (%s) failed for good: %s", row.id, row.kind, exc)
        return
    except TransientSendError as exc:
        row.last_error = str(exc)
        if now - row.created_at >= GIVE_UP_AFTER:
            row.status = "failed"
            report.failed += 1
            log.error("outbox %d (%s) gave up after a day: %s", row.id, row.kind, exc)
        else:
            row.next_attempt_at = next_attempt(row.attempts, now)
            report.deferred += 1
            log.warning("outbox %d (%s) deferred: %s", row.id, row.kind, exc)
        return
    row.status, row.sent_at, row.last_error = "sent", now, None
    report.sent += 1
    log.info("outbox %d (%s) sent", row.id, row.kind)
