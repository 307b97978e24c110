"""The offboardings' queries: the contract a mail or the clock offboards, the one in
progress (never two), what an extension cancels, and what the digest lists.

Contracts are read FOR UPDATE where the database can: two mails (or a mail and the
end-date step) asking to offboard the same contract at once then open one offboarding,
the second seeing the first once it commits.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import Row, func, select, update
from sqlalchemy.orm import Session, selectinload

from onboardd.store.models import Contract, ReplyToken, Request, RequestService

OFFBOARDING = "offboarding"
IN_PROGRESS = "awaiting_removal"
CANCELLED = "withdrawn"


def contract_named(session: Session, numbers: Sequence[str]) -> Contract | None:
    """The awarded contract whose number is one of `numbers` (upper case), the first
    named winning, locked until the transaction ends."""
    if not numbers:
        return None
    rows = session.scalars(
        select(Contract)
        .where(Contract.stage == "awarded", func.upper(Contract.number).in_(list(numbers)))
        .with_for_update()
    ).all()
    by_number = {(row.number or "").upper(): row for row in rows}
    return next((by_number[n] for n in numbers if n in by_number), None)


def file_with(session: Session, request_id: int, contract_id: int) -> None:
    session.execute(update(Request).where(Request.id == request_id)
                    .values(contract_id=contract_id))


def contract_of(session: Session, contract_id: int) -> Contract | None:
    return session.get(Contract, contract_id)


def in_progress(session: Session, contract_id: int) -> Sequence[Request]:
    """The contract's offboardings in progress (one, unless staff reopened by hand),
    with their services."""
    return session.scalars(
        select(Request)
        .where(Request.kind == OFFBOARDING, Request.contract_id == contract_id,
               Request.state == IN_PROGRESS)
        .options(selectinload(Request.services))
        .order_by(Request.id)
    ).all()


def notice_to_remind(session: Session, today: date, ends_by: date, notified_before: datetime,
                     limit: int) -> Sequence[Contract]:
    """Awarded contracts whose period ends between `today` and `ends_by`, whose
    offboarding notice went out before `notified_before` and was not yet reminded of,
    and whose offboarding is not under way."""
    under_way = (select(Request.id)
                 .where(Request.kind == OFFBOARDING, Request.contract_id == Contract.id,
                        Request.state == IN_PROGRESS)
                 .exists())
    return session.scalars(
        select(Contract)
        .where(Contract.stage == "awarded", Contract.ends_on >= today,
               Contract.ends_on <= ends_by, Contract.offboarding_notice_at < notified_before,
               Contract.offboarding_reminded_at.is_(None), ~under_way)
        .order_by(Contract.ends_on, Contract.id)
        .limit(limit)
    ).all()


def unspent_tokens(session: Session, request_id: int) -> list[str]:
    return list(session.scalars(
        select(ReplyToken.token_hash)
        .where(ReplyToken.request_id == request_id, ReplyToken.spent_at.is_(None))
        .order_by(ReplyToken.created_at)
    ))


def ended_without_offboarding(session: Session, today: date, limit: int) -> list[Contract]:
    """Awarded contracts whose period ended before `today` and that no offboarding
    covers: none in progress or done, and none cancelled after the end (staff closed
    it); one cancelled before it was cancelled by an extension, for an earlier end."""
    rows = session.scalars(
        select(Contract)
        .where(Contract.stage == "awarded", Contract.ends_on < today)
        .order_by(Contract.ends_on, Contract.id)
        .with_for_update()
    ).all()
    if not rows:
        return []
    ends = {row.id: row.ends_on for row in rows}
    covered = set()
    for contract_id, state, created_at in session.execute(
        select(Request.contract_id, Request.state, Request.created_at)
        .where(Request.kind == OFFBOARDING, Request.contract_id.in_(list(ends)))
    ):
        end = ends.get(contract_id) if contract_id is not None else None
        if state != CANCELLED or (end is not None and created_at.date() >= end):
            covered.add(contract_id)
    return [row for row in rows if row.id not in covered][:limit]


def contracts_ending_between(session: Session, first: date, last: date) -> Sequence[Contract]:
    """Awarded contracts whose period of performance ends from `first` to `last`."""
    return session.scalars(
        select(Contract)
        .where(Contract.stage == "awarded", Contract.ends_on >= first, Contract.ends_on <= last)
        .order_by(Contract.ends_on, Contract.id)
    ).all()


def pending_removals(
    session: Session,
) -> Sequence[Row[int, str, str | None, str | None, datetime, str, int, datetime | None,
                  datetime | None]]:
    """(request id, reference, contract number, organization, opened, service,
    reminders sent, last reminded, first put to its leads) of each service still to be
    removed, by request; one query, whatever the number of offboardings."""
    asked = (
        select(ReplyToken.request_id, ReplyToken.service,
               func.min(ReplyToken.created_at).label("first"))
        .where(ReplyToken.scope == "removal")
        .group_by(ReplyToken.request_id, ReplyToken.service)
        .subquery()
    )
    return session.execute(
        select(Request.id, Request.reference, Request.contract_number, Request.organization,
               Request.created_at, RequestService.service, RequestService.reminders_sent,
               RequestService.last_reminded_at, asked.c.first)
        .join(RequestService, RequestService.request_id == Request.id)
        .outerjoin(asked, (asked.c.request_id == Request.id)
                   & (asked.c.service == RequestService.service))
        .where(Request.kind == OFFBOARDING, Request.state == IN_PROGRESS,
               RequestService.decision == "pending")
        .order_by(Request.created_at, Request.id, RequestService.id)
    ).all()
