"""The outbox's claim, lease and result statements, for daemon/outbox.py's drain.

Built once, run for every message (a run writes thousands), on the table and on the
session's connection: a plain row update needs none of the ORM's bulk-update machinery,
nor the Session's own execute. The caller holds the transaction each runs in; the claim
and its lease belong in the same one.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, select, update
from sqlalchemy.orm import Session

from onboardd.store.models import OutboxMessage, table_of

# Messages claimed per transaction: one claim for many sends, while a crash leaves at
# most this many waiting out the lease.
CLAIM_BATCH = 20

_outbox = table_of(OutboxMessage)
_by_id = _outbox.c.id == bindparam("row_id")
# A result is of one attempt: it applies while that attempt is the row's last and open.
_this_attempt = (_outbox.c.id == bindparam("row_id"), _outbox.c.attempts == bindparam("tries"),
                 _outbox.c.status == "pending")
_MARK_SENT = (
    update(_outbox)
    .where(*_this_attempt)
    .values(status="sent", sent_at=bindparam("at"), last_error=None, server_reply=bindparam("text"))
)
_MARK_FAILED = (
    update(_outbox).where(*_this_attempt).values(status="failed", last_error=bindparam("text"))
)
_MARK_DEFERRED = (
    update(_outbox)
    .where(*_this_attempt)
    .values(last_error=bindparam("text"), next_attempt_at=bindparam("retry_at"))
)


# The due messages, oldest first, locked against other instances (SKIP LOCKED: each
# takes its own), and their lease.
_DUE = (
    select(
        _outbox.c.id, _outbox.c.kind, _outbox.c.attempts, _outbox.c.created_at,
        _outbox.c.next_attempt_at, _outbox.c.message_id, _outbox.c.mail_from,
        _outbox.c.recipients, _outbox.c.raw,
    )
    .where(_outbox.c.status == "pending", _outbox.c.next_attempt_at <= bindparam("due"))
    .order_by(_outbox.c.id)
    .limit(CLAIM_BATCH)
    .with_for_update(skip_locked=True)
)
_LEASE = (
    update(_outbox)
    .where(_by_id)
    .values(attempts=bindparam("tries"), next_attempt_at=bindparam("until"))
)


def due_for_sending(session: Session, due: datetime) -> Sequence[Row[*tuple[Any, ...]]]:
    """Up to CLAIM_BATCH messages due by `due`, locked until the transaction ends:
    rows of id, kind, attempts, created_at, next_attempt_at, message_id, mail_from,
    recipients, raw."""
    return session.connection().execute(_DUE, {"due": due}).all()


def lease(session: Session, leases: Sequence[tuple[int, int, datetime]]) -> None:
    """Each (id, attempts, until): the attempt counted and the next one pushed to
    `until`, so no other drain takes the message while it is being sent."""
    if leases:
        session.connection().execute(
            _LEASE, [{"row_id": row_id, "tries": tries, "until": until}
                     for row_id, tries, until in leases]
        )


def hand_back(session: Session, claims: Sequence[tuple[int, int, datetime]]) -> None:
    """Each (id, attempts, due_at) of a claimed message still pending: its attempt
    count and due time as they were before the claim."""
    for row_id, attempts, due_at in claims:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id, OutboxMessage.status == "pending")
            .values(attempts=attempts, next_attempt_at=due_at)
        )


def record_sent(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Rows of row_id, tries (the attempt), at and text (the server's reply)."""
    if rows:
        session.connection().execute(_MARK_SENT, rows)


def record_failed(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Rows of row_id, tries (the attempt) and text (the last error)."""
    if rows:
        session.connection().execute(_MARK_FAILED, rows)


def record_deferred(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Rows of row_id, tries (the attempt), text (the last error) and retry_at."""
    if rows:
        session.connection().execute(_MARK_DEFERRED, rows)
