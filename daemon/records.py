"""Translate between stored request rows and the workflow's RequestView."""

from __future__ import annotations

from datetime import datetime
from email.utils import parseaddr

from onboardd.parsers.model import Address, CorEvidence, CorStatus
from onboardd.responders.state import Decision, State
from onboardd.responders.view import RequestView, ServiceDecision
from onboardd.store.models import Request, RequestService


def _address(text: str | None) -> Address | None:
    if not text:
        return None
    name, email = parseaddr(text)
    return Address(name=name, email=email.lower()) if email else None


def view_of(row: Request, correspondents: frozenset[str] = frozenset()) -> RequestView:
    return RequestView(
        reference=row.reference,
        state=State(row.state),
        requester=Address(row.requester_name, row.requester),
        created_at=row.created_at,
        subject=row.subject,
        organization=row.organization,
        justification=row.justification,
        user_count=row.user_count,
        user_count_invalid=row.user_count_invalid,
        unknown_services=tuple(row.unknown_services or ()),
        services=tuple(
            ServiceDecision(s.service, Decision(s.decision), s.decided_by, s.decided_at, s.reason)
            for s in row.services
        ),
        cor=CorEvidence(CorStatus(row.cor_status), row.cor_address, row.cor_name),
        security_official=_address(row.security_official),
        contract_number=row.contract_number,
        correspondents=correspondents,
    )


def new_row(view: RequestView, *, mailbox: str, now: datetime) -> Request:
    year, seq = _split_reference(view.reference)
    row = Request(
        reference=view.reference,
        year=year,
        seq=seq,
        mailbox=mailbox,
        requester=view.requester.email,
        requester_name=view.requester.name[:200],
        subject=view.subject[:500],
        created_at=now,
        updated_at=now,
        reminders_sent=0,
        state=str(view.state),
    )
    apply_view(row, view, now)
    return row


def apply_view(row: Request, view: RequestView, now: datetime) -> None:
    """Write the view's facts and decisions onto the row; keeps service rows' history."""
    row.state = str(view.state)
    row.organization = view.organization
    row.justification = view.justification
    row.user_count = view.user_count
    row.user_count_invalid = view.user_count_invalid
    row.unknown_services = list(view.unknown_services)
    row.cor_status = str(view.cor.status)
    row.cor_address = view.cor.address
    row.cor_name = view.cor.name
    row.security_official = view.security_official.formatted() if view.security_official else None
    row.contract_number = view.contract_number
    existing = {s.service: s for s in row.services}
    wanted = []
    for decision in view.services:
        service = existing.get(decision.service) or RequestService(service=decision.service)
        service.decision = str(decision.decision)
        service.decided_by = decision.decided_by
        service.decided_at = decision.decided_at
        service.reason = decision.reason
        wanted.append(service)
    row.services = wanted
    row.updated_at = now
    if not view.state.is_open and row.closed_at is None:
        row.closed_at = now


def _split_reference(reference: str) -> tuple[int, int]:
    _, year, seq = reference.split("-")
    return int(year), int(seq)
