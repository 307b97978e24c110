"""Translate between stored rows and the workflow's views of a request and a contract."""

from __future__ import annotations

from datetime import datetime
from email.utils import parseaddr
from typing import Any

from onboardd.parsers.contract_notice import Contact
from onboardd.parsers.model import Address, CorEvidence, CorStatus
from onboardd.responders.state import Decision, State
from onboardd.responders.view import ContractView, RequestView, ServiceDecision
from onboardd.store.models import Contract, Request, RequestService


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
        kind=row.kind,
    )


def new_rows(
    view: RequestView, *, mailbox: str, now: datetime
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Column values of a new request and of its services (the request_id left out)."""
    year, seq = _split_reference(view.reference)
    request = {
        "reference": view.reference,
        "kind": view.kind,
        "year": year,
        "seq": seq,
        "mailbox": mailbox,
        "requester": view.requester.email,
        "requester_name": view.requester.name,
        "subject": view.subject,
        "created_at": now,
        "updated_at": now,
        "reminders_sent": 0,
        "closed_at": None if view.state.is_open else now,
        **_facts(view),
    }
    services = [
        {
            "service": decision.service,
            "decision": str(decision.decision),
            "decided_by": decision.decided_by,
            "decided_at": decision.decided_at,
            "reason": decision.reason,
        }
        for decision in view.services
    ]
    return request, services


def _facts(view: RequestView) -> dict[str, Any]:
    """The columns a view decides, as a new row and apply_view both write them."""
    return {
        "state": str(view.state),
        "organization": view.organization,
        "justification": view.justification,
        "user_count": view.user_count,
        "user_count_invalid": view.user_count_invalid,
        "unknown_services": list(view.unknown_services),
        "cor_status": str(view.cor.status),
        "cor_address": view.cor.address,
        "cor_name": view.cor.name,
        "security_official": (
            view.security_official.formatted() if view.security_official else None
        ),
        "contract_number": view.contract_number,
    }


def apply_view(row: Request, view: RequestView, now: datetime) -> None:
    """Write the view's facts and decisions onto the row; keeps service rows' history."""
    for column, value in _facts(view).items():
        setattr(row, column, value)
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
    elif view.state.is_open:
        row.closed_at = None  # reopened by staff: retention counts from its next close


def _split_reference(reference: str) -> tuple[int, int]:
    _, year, seq = reference.split("-")
    return int(year), int(seq)


def contract_view_of(row: Contract) -> ContractView:
    def contact(name: str, email: str | None, harp_id: str | None) -> Contact | None:
        return Contact(name, email, harp_id) if (name or email) else None

    return ContractView(
        stage=row.stage,
        cor=Address(row.cor_name, row.cor_address),
        number=row.number,
        organization=row.organization,
        contractor=Address(row.contractor_name, row.contractor_address)
        if row.contractor_address else None,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        award_expected_on=row.award_expected_on,
        security_official=contact(row.so_name, row.so_address, row.so_harp_id),
        spoc=contact(row.spoc_name, row.spoc_address, row.spoc_harp_id),
    )


def contract_values(view: ContractView) -> dict[str, Any]:
    """The columns a contract view sets; None (and "") where it says nothing."""
    so, spoc, contractor = view.security_official, view.spoc, view.contractor
    return {
        "stage": view.stage,
        "number": view.number,
        "organization": view.organization,
        "cor_address": view.cor.email,
        "cor_name": view.cor.name,
        "contractor_address": contractor.email if contractor else None,
        "contractor_name": contractor.name if contractor else "",
        "starts_on": view.starts_on,
        "ends_on": view.ends_on,
        "award_expected_on": view.award_expected_on,
        "so_name": so.name if so else "",
        "so_address": so.email if so else None,
        "so_harp_id": so.harp_id if so else None,
        "spoc_name": spoc.name if spoc else "",
        "spoc_address": spoc.email if spoc else None,
        "spoc_harp_id": spoc.harp_id if spoc else None,
    }
