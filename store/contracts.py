"""The contracts' queries and writes: matching a notice or a sender to its contract,
filing requests with it, and the contracts whose time-based step is due."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import String, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

from onboardd.store.limits import clipped
from onboardd.store.models import Contract, OutboxMessage, Request, RequestService, table_of


def contract_for_notice(session: Session, number: str | None,
                        organization: str | None) -> Contract | None:
    """The contract a COR's notice is about: the one with its number, else a
    solicitation of the same organization that has no number yet."""
    if number and (found := contract_by_number(session, number)) is not None:
        return found
    if organization:
        return session.scalar(
            select(Contract)
            .where(Contract.number.is_(None),
                   func.lower(Contract.organization) == organization.lower())
            .order_by(Contract.id.desc())
            .limit(1)
        )
    return None


def contract_for_sender(session: Session, email: str, domain: str | None) -> Contract | None:
    """The newest awarded contract whose contractor, SO, SPOC or COR this sender is;
    with `domain` (a domain that says who the sender works for), also one whose
    contractor writes from that domain."""
    who = [Contract.contractor_address == email, Contract.cor_address == email,
           Contract.so_address == email, Contract.spoc_address == email]
    if domain:
        who.append(Contract.contractor_address.like(f"%@{domain}"))
    return session.scalar(
        select(Contract)
        .where(Contract.stage == "awarded", or_(*who))
        .order_by(Contract.id.desc())
        .limit(1)
    )


def write_contract(session: Session, values: Mapping[str, Any], found: Contract | None,
                   now: datetime) -> Contract:
    """Create the contract from `values`, or update `found` with those that are set (a
    later notice that leaves a fact out keeps the earlier one). Strings are cut to
    their columns at flush, as for every model."""
    if found is None:
        contract = Contract(**values, created_at=now, updated_at=now)
        session.add(contract)
        session.flush()
        return contract
    for name, value in values.items():
        if value not in (None, ""):
            setattr(found, name, value)
    found.updated_at = now
    return found


# The contract a request is filed with: the one of its number, else the only awarded
# contract of its organization; never a closed one, whose services were all removed.
# A scalar subquery on two parameters, so that filing a request costs no statement of
# its own: it runs in the request's INSERT (or the UPDATE of one filed later).
_NUMBER = bindparam("filing_number", type_=String)
_ORGANIZATION = bindparam("filing_organization", type_=String)
_CONTRACT_OF_REQUEST = func.coalesce(
    select(Contract.id)
    .where(func.upper(Contract.number) == _NUMBER, Contract.stage != "closed")
    .order_by(Contract.id)
    .limit(1)
    .scalar_subquery(),
    select(func.max(Contract.id))
    .where(Contract.stage == "awarded", func.lower(Contract.organization) == _ORGANIZATION)
    .having(func.count() == 1)
    .scalar_subquery(),
)
_requests = table_of(Request)
_INSERT_FILED_REQUEST = (
    insert(_requests).values(contract_id=_CONTRACT_OF_REQUEST).returning(_requests.c.id)
)
_FILE_REQUEST = (
    update(_requests)
    .where(_requests.c.id == bindparam("request_id"))
    .values(contract_id=_CONTRACT_OF_REQUEST)
)


def _filing(number: str | None, organization: str | None) -> dict[str, str | None]:
    # NULL, not "", for what the request does not name: "" would match a contract
    # recorded with an empty organization.
    return {"filing_number": number.upper() if number else None,
            "filing_organization": organization.lower() if organization else None}


def insert_filed_request(session: Session, row: dict[str, Any], number: str | None,
                         organization: str | None) -> int:
    """A new request row, filed with its contract (see file_request) in the same
    statement; its generated id."""
    new_id = session.connection().execute(
        _INSERT_FILED_REQUEST, {**clipped(_requests, dict(row)), **_filing(number, organization)}
    ).scalar_one()
    assert isinstance(new_id, int)
    return new_id


def file_request(session: Session, request_id: int, number: str | None,
                 organization: str | None) -> None:
    """File a request recorded without a contract: with the one of the number it names,
    else the only awarded contract of its organization, never a closed one."""
    if number or organization:
        session.connection().execute(
            _FILE_REQUEST, {"request_id": request_id, **_filing(number, organization)})


def due_for_contacts(session: Session, today: date, limit: int) -> Sequence[Contract]:
    """Awarded contracts whose period has started and whose contractor, known by
    address, was not yet asked to name its SO and SPOC."""
    return session.scalars(
        select(Contract)
        .where(Contract.stage == "awarded", Contract.starts_on <= today,
               Contract.contractor_address.is_not(None),
               Contract.contacts_requested_at.is_(None))
        .order_by(Contract.starts_on, Contract.id)
        .limit(limit)
    ).all()


def contacts_overdue(session: Session, asked_before: datetime, *,
                     unreminded: bool = False, limit: int | None = None) -> Sequence[Contract]:
    """Contracts asked for their SO and SPOC before `asked_before` that still lack one
    of them or its HARP user ID (with `unreminded`, only those not yet reminded)."""
    query = (
        select(Contract)
        .where(Contract.contacts_requested_at < asked_before,
               or_(Contract.so_address.is_(None), Contract.so_harp_id.is_(None),
                   Contract.spoc_address.is_(None), Contract.spoc_harp_id.is_(None)))
        .order_by(Contract.contacts_requested_at)
    )
    if unreminded:
        query = query.where(Contract.contacts_reminded_at.is_(None))
    return session.scalars(query.limit(limit)).all()


def starting_between(session: Session, first: date, last: date) -> Sequence[Contract]:
    return session.scalars(
        select(Contract)
        .where(Contract.stage == "awarded", Contract.starts_on >= first,
               Contract.starts_on <= last)
        .order_by(Contract.starts_on)
    ).all()


def all_contracts(session: Session) -> Sequence[Contract]:
    return session.scalars(select(Contract).order_by(Contract.id)).all()


def contract_by_number(session: Session, number: str) -> Contract | None:
    return session.scalar(select(Contract).where(func.upper(Contract.number) == number.upper()))


def requests_of(session: Session, contract_id: int) -> Sequence[Request]:
    return session.scalars(
        select(Request).where(Request.contract_id == contract_id).order_by(Request.id)
    ).all()


def requests_per_contract(session: Session) -> dict[int, int]:
    """The access requests filed with each contract (its offboarding and contact changes
    are its own errands, not requests for a service)."""
    rows = session.execute(
        select(Request.contract_id, func.count())
        .where(Request.contract_id.is_not(None), Request.kind == "access")
        .group_by(Request.contract_id)
    ).all()
    return {contract_id: count for contract_id, count in rows if contract_id is not None}


def due_for_survey(session: Session, welcomed_before: datetime,
                   limit: int) -> Sequence[tuple[Contract, Request]]:
    """Contracts not yet sent the survey whose first welcome package went out before
    `welcomed_before`, each with the request that welcome package answered."""
    first = (
        select(Request.contract_id, func.min(OutboxMessage.created_at).label("at"))
        .join(OutboxMessage, OutboxMessage.request_id == Request.id)
        .where(OutboxMessage.kind == "welcome-package", Request.contract_id.is_not(None))
        .group_by(Request.contract_id)
        .subquery()
    )
    rows = session.execute(
        select(Contract, Request)
        .join(first, first.c.contract_id == Contract.id)
        .join(Request, Request.contract_id == Contract.id)
        .join(OutboxMessage, (OutboxMessage.request_id == Request.id)
              & (OutboxMessage.created_at == first.c.at)
              & (OutboxMessage.kind == "welcome-package"))
        .where(Contract.survey_sent_at.is_(None), first.c.at < welcomed_before)
        .order_by(first.c.at, Contract.id)
        .limit(limit)
    ).all()
    seen: set[int] = set()
    due = []
    for contract, request in rows:
        if contract.id not in seen:
            seen.add(contract.id)
            due.append((contract, request))
    return due


def due_for_offboarding(session: Session, ends_by: date, limit: int) -> Sequence[Contract]:
    """Awarded contracts whose period ends by `ends_by` and whose COR and SO have not
    had the offboarding notice."""
    return session.scalars(
        select(Contract)
        .where(Contract.stage == "awarded", Contract.ends_on <= ends_by,
               Contract.offboarding_notice_at.is_(None))
        .order_by(Contract.ends_on, Contract.id)
        .limit(limit)
    ).all()


def approved_services(session: Session, contract_id: int) -> list[str]:
    """Every service approved on any of the contract's requests, in catalog order of
    first approval."""
    rows = session.execute(
        select(RequestService.service, func.min(RequestService.decided_at))
        .join(Request, Request.id == RequestService.request_id)
        .where(Request.contract_id == contract_id, RequestService.decision == "approved")
        .group_by(RequestService.service)
        .order_by(func.min(RequestService.decided_at), RequestService.service)
    ).all()
    return [service for service, _ in rows]
