"""Between a contact-change request's rows and the workflow's view of it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from onboardd.daemon.records import contract_view_of
from onboardd.parsers.contract_notice import Contact
from onboardd.responders.contact_changes import CONTACT_CHANGE
from onboardd.responders.view import ContactChangeView, Outcome, RoleChange
from onboardd.store import contact_changes
from onboardd.store.models import ContactChange, Contract, Request


def pending_change(session: Session, request: Request | None
                   ) -> tuple[Contract | None, ContactChangeView | None]:
    """The contract and the changes of a contact-change request; (None, None) for any
    other request, or one whose contract is gone."""
    if request is None or request.kind != CONTACT_CHANGE:
        return None, None
    contract = contact_changes.contract_of(session, request)
    if contract is None:
        return None, None
    changes = tuple(_change(row) for row in contact_changes.changes_of(session, request.id))
    return contract, ContactChangeView(contract_view_of(contract), changes)


def _change(row: ContactChange) -> RoleChange:
    new = None if row.action == "remove" else Contact(row.name, row.address, row.harp_id)
    old = Contact(row.old_name, row.old_address) if (row.old_name or row.old_address) else None
    return RoleChange(row.role, new, old)


def record_contact_changes(session: Session, outcome: Outcome, request_id: int | None,
                           contract: Contract | None, now: datetime) -> None:
    """Write what an outcome did to a contact change: its changes, on its request, and
    the roles an applied removal left empty, on its contract."""
    if contract is None:
        return
    if outcome.contact_changes is not None and request_id is not None:
        contact_changes.write_changes(session, request_id, contract.id, [
            {"role": c.role, "action": "remove" if c.new is None else "assign",
             "name": c.new.name if c.new else "", "address": c.new.email if c.new else None,
             "harp_id": c.new.harp_id if c.new else None,
             "old_name": c.old.name if c.old else "",
             "old_address": c.old.email if c.old else None}
            for c in outcome.contact_changes])
    if outcome.vacated:
        contact_changes.vacate(contract, outcome.vacated, now)
