"""Write a workflow outcome into the caller's transaction: request, audit, outbox, tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from onboardd.daemon.contact_changes import record_contact_changes
from onboardd.daemon.outgoing import Sender, enqueue_all
from onboardd.daemon.records import apply_view, contract_values, new_rows, view_of
from onboardd.responders.offboarding import cancel
from onboardd.responders.view import Outcome
from onboardd.store import contracts, offboarding, queries
from onboardd.store.models import AuditEvent, Contract, Request, RequestService


def record_outcome(
    session: Session,
    outcome: Outcome,
    *,
    found: Request | None,
    mailbox: str,
    sender: Sender,
    now: datetime,
    message_key: str | None = None,
    message_id: str | None = None,
    contract: Contract | None = None,
) -> int | None:
    """Write the outcome; the id of its request (new, changed or untouched), if any.

    `message_id` is the inbound mail's own: with a request, it is linked to it (or
    re-pointed there), so that replies threading to it find the request. `contract` is
    the one the workflow was shown (the sender's, naming its SO and SPOC)."""
    request_id = _request(session, outcome, found, mailbox, now)
    if outcome.contract is not None:
        _contract(session, outcome, contract, now, sender, message_key)
    record_contact_changes(session, outcome, request_id, contract, now)
    queries.insert_rows(
        session,
        AuditEvent,
        [
            {
                "request_id": request_id,
                "at": now,
                "kind": entry.kind,
                "actor": entry.actor,
                "message_key": message_key,
                "detail": entry.detail,
            }
            for entry in outcome.events
        ],
    )
    enqueue_all(
        session,
        outcome.outgoing,
        request_id=request_id,
        sender=sender,
        now=now,
        answered=message_id,
    )
    for token_id in outcome.spent_tokens:
        token = queries.reply_token(session, token_id)
        if token is not None and token.spent_at is None:
            token.spent_at = now
    for token_id in outcome.clarified_tokens:
        token = queries.reply_token(session, token_id)
        if token is not None:
            token.clarified_at = now
    return request_id


def _contract(session: Session, outcome: Outcome, shown: Contract | None,
              now: datetime, sender: Sender, message_key: str | None) -> None:
    assert outcome.contract is not None
    view = outcome.contract
    found = shown or contracts.contract_for_notice(session, view.number, view.organization)
    values = contract_values(view)
    if found is not None and found.stage == "awarded" and view.stage == "solicitation":
        values["stage"] = "awarded"  # a late solicitation notice takes no award back
    if found is not None and view.ends_on and found.ends_on and view.ends_on > found.ends_on:
        # An extension: the offboarding notice of the old end date no longer holds, and
        # an offboarding in progress is cancelled.
        found.offboarding_notice_at = None
        found.offboarding_reminded_at = None
        for row in offboarding.in_progress(session, found.id):
            tokens = tuple(offboarding.unspent_tokens(session, row.id))
            record_outcome(session, cancel(view_of(row), tokens, view.ends_on, view.cor.email),
                           found=row, mailbox=row.mailbox, sender=sender, now=now,
                           message_key=message_key)
    contracts.write_contract(session, values, found, now)


def _request(
    session: Session, outcome: Outcome, found: Request | None, mailbox: str, now: datetime
) -> int | None:
    if outcome.request is None:
        return None
    if outcome.created:
        issued = queries.next_reference(session, now.year, take=True)
        # The replies already show the number peeked under the same lock.
        assert issued == outcome.request.reference, (issued, outcome.request.reference)
        request, services = new_rows(outcome.request, mailbox=mailbox, now=now)
        request_id = contracts.insert_filed_request(
            session, request, outcome.request.contract_number, outcome.request.organization)
        queries.insert_rows(
            session, RequestService, [{"request_id": request_id, **s} for s in services]
        )
        return request_id
    if found is None:
        return None
    if outcome.request != view_of(found, outcome.request.correspondents):
        apply_view(found, outcome.request, now)
        if found.contract_id is None and (outcome.request.contract_number
                                          or outcome.request.organization):
            contracts.file_request(session, found.id, outcome.request.contract_number,
                                   outcome.request.organization)
    return found.id
