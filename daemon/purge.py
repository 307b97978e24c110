"""Retention (design §11): drop raw mail after raw_days and closed requests after request_days.

What stays: every inbound message's row without its bytes (its key keeps a re-delivered
old mail from being answered again) and the audit trail, whose events lose the link to a
removed request but keep its reference in their detail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import CursorResult, Result, delete, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from onboardd.daemon.config import RetentionConfig
from onboardd.responders.state import OPEN_STATES
from onboardd.store.models import AuditEvent, InboundMessage, OutboxMessage, Request, RequestService

log = logging.getLogger("onboardd.purge")

# Requests are removed in batches, each its own transaction, so a first purge of years
# of records does not hold the database's write lock for minutes.
BATCH = 500


@dataclass
class PurgeReport:
    raw_purged: int = 0  # inbound mails whose raw bytes were dropped
    outbox_purged: int = 0  # sent mail not tied to a request (digests, help replies)
    requests_removed: int = 0
    services_removed: int = 0
    request_mail_removed: int = 0  # our sent copies of mail about removed requests
    audit_kept: int = 0  # audit events of removed requests, kept without the link
    more_due: bool = False  # stopped at max_batches; more requests are due for removal
    dry_run: bool = False  # counted only: what a purge as of the same moment would do
    references: tuple[str, ...] = ()  # of the requests a dry run found due

    def __str__(self) -> str:
        if self.dry_run:
            listed = ", ".join(self.references[:LISTED])
            if len(self.references) > LISTED:
                listed += f" and {len(self.references) - LISTED} more"
            return (
                f"dry run, nothing removed: raw bytes would be dropped from "
                f"{self.raw_purged} inbound mail(s); {self.outbox_purged} old sent mail(s) "
                f"without a request would be removed; {self.requests_removed} closed "
                f"request(s) would be removed with {self.services_removed} service "
                f"decision(s) and {self.request_mail_removed} sent mail(s)"
                + (f" ({listed})" if listed else "")
                + f"; {self.audit_kept} audit event(s) would be kept"
            )
        more = "; more are due and follow at the next run" if self.more_due else ""
        return (
            f"raw bytes dropped from {self.raw_purged} inbound mail(s); "
            f"{self.outbox_purged} old sent mail(s) without a request removed; "
            f"{self.requests_removed} closed request(s) removed with "
            f"{self.services_removed} service decision(s) and {self.request_mail_removed} "
            f"sent mail(s); {self.audit_kept} audit event(s) kept{more}"
        )


# A dry run names this many of the requests it found due, then says how many more.
LISTED = 20


def preview(
    factory: sessionmaker[Session], retention: RetentionConfig, now: datetime
) -> PurgeReport:
    """What purge() as of `now` would remove, counted by the same conditions; nothing
    is changed."""
    raw_cutoff = now - timedelta(days=retention.raw_days)
    with factory() as session:
        due = _due_requests(now - timedelta(days=retention.request_days))
        references = tuple(session.scalars(
            select(Request.reference).where(Request.id.in_(due)).order_by(Request.id)))
        return PurgeReport(
            raw_purged=_count(session, InboundMessage, _raw_due(raw_cutoff)),
            outbox_purged=_count(session, OutboxMessage, _loose_outbox_due(raw_cutoff)),
            requests_removed=len(references),
            services_removed=_count(session, RequestService, RequestService.request_id.in_(due)),
            request_mail_removed=_count(session, OutboxMessage, _request_mail_due(due)),
            audit_kept=_count(session, AuditEvent, AuditEvent.request_id.in_(due)),
            dry_run=True,
            references=references,
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


def _due_requests(cutoff: datetime) -> Any:
    """The ids of closed requests past the retention limit, as a subquery."""
    return select(Request.id).where(
        Request.state.not_in([s.value for s in OPEN_STATES]),
        Request.closed_at.is_not(None),
        Request.closed_at < cutoff,
    )


def purge(
    factory: sessionmaker[Session],
    retention: RetentionConfig,
    now: datetime,
    max_batches: int | None = None,
) -> PurgeReport:
    """Apply both retention limits as of `now`; running it twice removes nothing more.

    `max_batches` bounds the requests removed in one call (the service's daily job uses
    it, so a first purge of years of records does not stall the mail loop; the rest
    goes on the following days). None removes everything due.
    """
    report = PurgeReport()
    raw_cutoff = now - timedelta(days=retention.raw_days)
    with factory() as session, session.begin():
        report.raw_purged = _purge_raw(session, raw_cutoff, now)
        report.outbox_purged = _purge_loose_outbox(session, raw_cutoff)
    cutoff = now - timedelta(days=retention.request_days)
    batches = 0
    while max_batches is None or batches < max_batches:
        with factory() as session, session.begin():
            if not _remove_requests(session, cutoff, report):
                break
        batches += 1
    else:
        report.more_due = True
    log.info("purge as of %s: %s", now.isoformat(timespec="minutes"), report)
    return report


def _purge_raw(session: Session, cutoff: datetime, now: datetime) -> int:
    result = session.execute(
        update(InboundMessage)
        .where(_raw_due(cutoff))
        .values(raw=None, raw_purged_at=now)
        .execution_options(synchronize_session=False)
    )
    return _rows(result)


def _purge_loose_outbox(session: Session, cutoff: datetime) -> int:
    """Sent copies of digests and help replies: full mail bodies, kept only as long as raw mail."""
    result = session.execute(
        delete(OutboxMessage)
        .where(_loose_outbox_due(cutoff))
        .execution_options(synchronize_session=False)
    )
    return _rows(result)


def _remove_requests(session: Session, cutoff: datetime, report: PurgeReport) -> bool:
    """Remove one batch of requests closed before `cutoff`; False when none is left."""
    batch = session.execute(
        select(Request.id, Request.reference)
        .where(Request.id.in_(_due_requests(cutoff)))
        .order_by(Request.id)
        .limit(BATCH)
    ).all()
    if not batch:
        return False
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
    report.audit_kept += len(events)
    report.services_removed += int(
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
    report.request_mail_removed += _rows(mail)
    # request_services, thread_refs and reply_tokens go by ON DELETE CASCADE; audit
    # events and inbound rows keep their row with the link set to NULL.
    removed = session.execute(
        delete(Request).where(Request.id.in_(ids)).execution_options(synchronize_session=False)
    )
    report.requests_removed += _rows(removed)
    return True


def _rows(result: Result[*tuple[Any, ...]]) -> int:
    """How many rows an UPDATE or DELETE touched (Session.execute returns a
    CursorResult for them; its declared type is the general Result)."""
    assert isinstance(result, CursorResult)
    return int(result.rowcount or 0)
