"""A contact-change request's changes, and what applying one does to its contract."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from onboardd.store.models import ContactChange, Contract, Request
from onboardd.store.queries import insert_rows

# The contract columns of each role that a removal empties.
_ROLE_COLUMNS = {
    "security_official": {"so_name": "", "so_address": None, "so_harp_id": None},
    "spoc": {"spoc_name": "", "spoc_address": None, "spoc_harp_id": None},
}


def changes_of(session: Session, request_id: int) -> Sequence[ContactChange]:
    return session.scalars(
        select(ContactChange).where(ContactChange.request_id == request_id)
        .order_by(ContactChange.id)
    ).all()


def contract_of(session: Session, request: Request) -> Contract | None:
    if request.contract_id is None:
        return None
    return session.get(Contract, request.contract_id)


def write_changes(session: Session, request_id: int, contract_id: int,
                  rows: Sequence[dict[str, Any]]) -> None:
    """The request's changes as they now stand (in place of those it had), and the
    request tied to its contract, whatever its number or organization would match."""
    session.execute(delete(ContactChange).where(ContactChange.request_id == request_id))
    insert_rows(session, ContactChange, [{"request_id": request_id, **row} for row in rows])
    session.execute(update(Request).where(Request.id == request_id)
                    .values(contract_id=contract_id))


def vacate(contract: Contract, roles: Sequence[str], now: datetime) -> None:
    """Leave the roles empty. A contract already asked for its SO and SPOC is due a new
    one within the same day as at the start, and may be reminded again."""
    for role in roles:
        for column, value in _ROLE_COLUMNS[role].items():
            setattr(contract, column, value)
    if roles and contract.contacts_requested_at is not None:
        contract.contacts_requested_at = now
        contract.contacts_reminded_at = None
    contract.updated_at = now
