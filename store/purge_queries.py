"""Retention's statements (design §11): what is due, and its removal one batch at a time."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import CursorResult, Result, delete, func, select, update
from sqlalchemy.orm import Session

from onboardd.store.models import AuditEvent, InboundMessage, OutboxMessage, Request, RequestService


@dataclass(frozen=True)
class DueForPurge:
    """What a purge as of the same moment would remove, and the audit it would keep."""

    raw_mail: int
    loose_outbox: int
    references: tuple[str, ...]  # of the requests due, by id
    services: int
    request_mail: int
    audit_kept: int


@dataclass(frozen=True)
class RemovedBatch:
    requests: int
    services: int
    request_mail: int
    audit_kept: int


def due_for_purge(
    session: Session, raw_cutoff: datetime, request_cutoff: datetime, open_states: Sequence[str]
) -> DueForPurge:
    """Counted by the conditions the removal uses; nothing is changed."""
    due = _due_requests(request_cutoff, open_states)
    references = tuple(session.scalars(
        select(Request.reference).where(Request.id.in_(due)).order_by(Request.id)))
    return DueForPurge(
        raw_mail=_count(session, InboundMessage, _raw_due(raw_cutoff)),
        loose_outbox=_count(session, OutboxMessage, _loose_outbox_due(raw_cutoff)),
        references=references,
        services=_count(session, RequestService, RequestService.request_id.in_(due)),
        request_mail=_count(session, OutboxMessage, _request_mail_due(due)),
        audit_kept=_count(session, AuditEvent, AuditEvent.request_id.in_(due)),
    )


def _count(session: Session, model: type[Any], condition: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(condition)) or 0)


def _raw_due(cutoff: datetime) -> Any:
    return InboundMessage.raw.is_not(None) & (InboundMessage.received_at < cutoff)


def _loose_outbox_due(cutoff: datetime) -> Any:
    return (
        OutboxMessage.request_id.is_(None)
        & OutboxMessage.status.in_(("sent", "failed"))
        & (OutboxMessage.created_at < cutoff)
    )


def _request_mail_due(request_ids: Any) -> Any:
    return OutboxMessage.request_id.in_(request_ids) & (OutboxMessage.status != "pending")


def _due_requests(cutoff: datetime, open_states: Sequence[str]) -> Any:
    """The ids of closed requests past the retention limit, as a subquery."""
    return select(Request.id).where(
        Request.state.not_in(list(open_states)),
        Request.closed_at.is_not(None),
        Request.closed_at < cutoff,
    )


def drop_raw_mail(session: Session, cutoff: datetime, now: datetime) -> int:
    """Raw bytes of inbound mail received before `cutoff` dropped; how many."""
    result = session.execute(
        update(InboundMessage)
        .where(_raw_due(cutoff))
        .values(raw=None, raw_purged_at=now)
        .execution_options(synchronize_session=False)
    )
    return _rows(result)


def remove_loose_outbox(session: Session, cutoff: datetime) -> int:
    """Sent copies of digests and help replies: full mail bodies, kept only as long as raw mail."""
    result = session.execute(
        delete(OutboxMessage)
        .where(_loose_outbox_due(cutoff))
        .execution_options(synchronize_session=False)
    )
    return _rows(result)


def remove_request_batch(
    session: Session, cutoff: datetime, open_states: Sequence[str], batch_size: int
) -> RemovedBatch | None:
    """Remove up to `batch_size` requests closed before `cutoff`; None when none is left."""
    batch = session.execute(
        select(Request.id, Request.reference)
        .where(Request.id.in_(_due_requests(cutoff, open_states)))
        .order_by(Request.id)
        .limit(batch_size)
    ).all()
    if not batch:
        return None
    references = dict(batch)
    ids = list(references)
    # Audit events outlive the request: note its reference before the link goes.
    events = session.execute(
        select(AuditEvent.id, AuditEvent.request_id, AuditEvent.detail).where(
            AuditEvent.request_id.in_(ids)
        )
    ).all()
    updates = [
        {"id": eid, "detail": {**(detail or {}), "reference": references[rid]}}
        for eid, rid, detail in events
        if (detail or {}).get("reference") != references[rid]
    ]
    if updates:
        session.execute(update(AuditEvent), updates)
    services = int(
        session.scalar(
            select(func.count())
            .select_from(RequestService)
            .where(RequestService.request_id.in_(ids))
        )
        or 0
    )
    mail = session.execute(
        delete(OutboxMessage)
        .where(_request_mail_due(ids))
        .execution_options(synchronize_session=False)
    )
    # request_services, thread_refs and reply_tokens go by ON DELETE CASCADE; audit
    # events and inbound rows keep their row with the link set to NULL.
    removed = session.execute(
        delete(Request).where(Request.id.in_(ids)).execution_options(synchronize_session=False)
    )
    return RemovedBatch(
        requests=_rows(removed),
        services=services,
        request_mail=_rows(mail),
        audit_kept=len(events),
    )


def _rows(result: Result[*tuple[Any, ...]]) -> int:
    """How many rows an UPDATE or DELETE touched (Session.execute returns a
    CursorResult for them; its declared type is the general Result)."""
    assert isinstance(result, CursorResult)
    return int(result.rowcount or 0)
