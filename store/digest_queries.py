"""The daily digest's questions, each one query over plain columns.

No ORM objects and no per-request follow-up: the digest costs the same dozen round
trips whether there are ten requests or a hundred thousand.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select, text
from sqlalchemy.orm import Session

from onboardd.store.models import (
    AuditEvent,
    InboundMessage,
    MailboxState,
    OutboxMessage,
    ReplyToken,
    Request,
    RequestService,
)

# PostgreSQL advisory lock taken while deciding whether today's digest is still owed,
# so two instances firing at the same minute queue one digest ("onbddgst" in ASCII).
DIGEST_LOCK = int.from_bytes(b"onbddgst", "big", signed=True)


def request_counts_by_state(session: Session) -> dict[str, int]:
    """Access requests by state (offboardings have their own lines in the digest)."""
    rows = session.execute(
        select(Request.state, func.count()).where(Request.kind == "access")
        .group_by(Request.state)
    ).all()
    return {state: int(number) for state, number in rows}


def open_requests_for_digest(
    session: Session, states: Sequence[str], limit: int
) -> tuple[
    Sequence[Row[int, str, str]],
    Sequence[Row[int, str, str | None, str, datetime]],
]:
    """The `limit` oldest access requests in `states`: their (request id, service,
    decision) rows, and their (id, reference, organization, state, created_at) rows."""
    oldest = (
        select(Request.id)
        .where(Request.state.in_(list(states)), Request.kind == "access")
        .order_by(Request.created_at, Request.id)
        .limit(limit)
        .subquery()
    )
    services = session.execute(
        select(RequestService.request_id, RequestService.service, RequestService.decision)
        .join(oldest, oldest.c.id == RequestService.request_id)
        .order_by(RequestService.id)
    ).all()
    requests = session.execute(
        select(
            Request.id, Request.reference, Request.organization, Request.state, Request.created_at
        ).join(oldest, oldest.c.id == Request.id)
    ).all()
    return services, requests


def approvals_first_asked(session: Session, state: str) -> dict[tuple[int, str | None], datetime]:
    """When each service of the requests in `state` was first put to its leads."""
    return {
        (request_id, service): first
        for request_id, service, first in session.execute(
            select(ReplyToken.request_id, ReplyToken.service, func.min(ReplyToken.created_at))
            .join(Request, Request.id == ReplyToken.request_id)
            .where(Request.state == state, ReplyToken.scope == "approval")
            .group_by(ReplyToken.request_id, ReplyToken.service)
        )
    }


def undecided_services(
    session: Session, state: str, decision: str
) -> Sequence[Row[int, str, str | None, str, int, datetime | None]]:
    """(request id, reference, organization, service, reminders sent, last reminded)
    of each service with `decision` of the requests in `state`, by request."""
    return session.execute(
        select(
            Request.id,
            Request.reference,
            Request.organization,
            RequestService.service,
            RequestService.reminders_sent,
            RequestService.last_reminded_at,
        )
        .join(Request, Request.id == RequestService.request_id)
        .where(Request.state == state, RequestService.decision == decision)
        .order_by(Request.id)
    ).all()


def audit_counts_by_kind_and_state(
    session: Session, kinds: Sequence[str], since: datetime, now: datetime
) -> Sequence[Row[str, str | None, int]]:
    """(kind, the state its detail names, how many) of the audit events of `kinds`."""
    went_to = AuditEvent.detail["state"].as_string()
    return session.execute(
        select(AuditEvent.kind, went_to, func.count())
        .where(AuditEvent.kind.in_(list(kinds)), AuditEvent.at > since, AuditEvent.at <= now)
        .group_by(AuditEvent.kind, went_to)
    ).all()


def inbound_counts_by_status(session: Session, since: datetime, now: datetime) -> dict[str, int]:
    rows = session.execute(
        select(InboundMessage.status, func.count())
        .where(InboundMessage.received_at > since, InboundMessage.received_at <= now)
        .group_by(InboundMessage.status)
    ).all()
    return {status: int(number) for status, number in rows}


def sent_counts_by_kind(session: Session, since: datetime, now: datetime) -> dict[str, int]:
    rows = session.execute(
        select(OutboxMessage.kind, func.count())
        .where(
            OutboxMessage.status == "sent",
            OutboxMessage.sent_at > since,
            OutboxMessage.sent_at <= now,
        )
        .group_by(OutboxMessage.kind)
    ).all()
    return {kind: int(number) for kind, number in rows}


def quarantined_mail(
    session: Session,
) -> Sequence[Row[str, datetime, str, str | None, str, bool]]:
    """(key, received, reason, sender, subject, raw bytes purged) of each quarantined
    mail, oldest first."""
    return session.execute(
        select(
            InboundMessage.message_key,
            InboundMessage.received_at,
            InboundMessage.reason,
            InboundMessage.sender,
            InboundMessage.subject,
            InboundMessage.raw.is_(None),
        )
        .where(InboundMessage.status == "quarantined")
        .order_by(InboundMessage.received_at, InboundMessage.id)
    ).all()


def audit_events_of_kind(
    session: Session, kind: str, since: datetime, now: datetime
) -> Sequence[Row[datetime, str | None, dict[str, Any] | None, str | None]]:
    """(at, actor, detail, request reference) of each event of `kind`, in order."""
    return session.execute(
        select(AuditEvent.at, AuditEvent.actor, AuditEvent.detail, Request.reference)
        .outerjoin(Request, Request.id == AuditEvent.request_id)
        .where(AuditEvent.kind == kind, AuditEvent.at > since, AuditEvent.at <= now)
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()


def audit_counts_by_actor(
    session: Session, kinds: Sequence[str], since: datetime, now: datetime
) -> Sequence[Row[str, str | None, int, datetime]]:
    """(kind, actor, how many, the last) of the audit events of `kinds`."""
    return session.execute(
        select(AuditEvent.kind, AuditEvent.actor, func.count(), func.max(AuditEvent.at))
        .where(AuditEvent.kind.in_(tuple(kinds)), AuditEvent.at > since,
               AuditEvent.at <= now)
        .group_by(AuditEvent.kind, AuditEvent.actor)
    ).all()


def unclassified_mail(
    session: Session, since: datetime, now: datetime
) -> Sequence[Row[datetime, str | None, str | None]]:
    """(at, sender, subject) of each mail the reader could not classify, in order."""
    return session.execute(
        select(AuditEvent.at, AuditEvent.actor, InboundMessage.subject)
        .outerjoin(InboundMessage, InboundMessage.message_key == AuditEvent.message_key)
        .where(AuditEvent.kind == "unclassified", AuditEvent.at > since, AuditEvent.at <= now)
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()


def mailbox_states(session: Session) -> Sequence[MailboxState]:
    return session.scalars(select(MailboxState).order_by(MailboxState.folder)).all()


def pending_outbox_counts(session: Session) -> tuple[int, int]:
    """Outgoing mail waiting, and how many of those were already tried."""
    pending = session.execute(
        select(func.count(), func.count().filter(OutboxMessage.attempts > 0)).where(
            OutboxMessage.status == "pending"
        )
    ).one()
    return int(pending[0]), int(pending[1])


def failed_outbox_since(
    session: Session, since: datetime
) -> Sequence[Row[int, str, datetime, str | None]]:
    """(id, kind, created_at, last error) of the outgoing mail that failed, by id."""
    return session.execute(
        select(
            OutboxMessage.id, OutboxMessage.kind, OutboxMessage.created_at, OutboxMessage.last_error
        )
        .where(OutboxMessage.status == "failed", OutboxMessage.created_at > since)
        .order_by(OutboxMessage.id)
    ).all()


def lock_digest_slot(session: Session) -> None:
    """Serialise the instances deciding whether a digest is owed, until this transaction
    ends. SQLite needs nothing: its write transaction began with BEGIN IMMEDIATE."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": DIGEST_LOCK})


def digest_sent_since(session: Session, moment: datetime) -> bool:
    found = session.scalar(
        select(OutboxMessage.id)
        .where(OutboxMessage.kind == "digest", OutboxMessage.created_at >= moment)
        .limit(1)
    )
    return found is not None
