"""Write a workflow outcome into the caller's transaction: request, audit, outbox, tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from onboardd.daemon.outgoing import Sender, enqueue
from onboardd.daemon.records import apply_view, new_row, view_of
from onboardd.responders.view import Outcome
from onboardd.store import queries
from onboardd.store.models import AuditEvent, ReplyToken, Request


def record_outcome(
    session: Session,
    outcome: Outcome,
    *,
    found: Request | None,
    mailbox: str,
    sender: Sender,
    now: datetime,
    message_key: str | None = None,
) -> Request | None:
    """The request row after the outcome (new, changed or untouched), with its side effects."""
    request = _request(session, outcome, found, mailbox, now)
    request_id = request.id if request else None
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
    for mail in outcome.outgoing:
        enqueue(session, mail, request_id=request_id, sender=sender, now=now)
    for token_id in outcome.spent_tokens:
        token = session.get(ReplyToken, token_id)
        if token is not None and token.spent_at is None:
            token.spent_at = now
    for token_id in outcome.clarified_tokens:
        token = session.get(ReplyToken, token_id)
        if token is not None:
            token.clarified_at = now
    return request


def _request(
    session: Session, outcome: Outcome, found: Request | None, mailbox: str, now: datetime
) -> Request | None:
    if outcome.request is None:
        return None
    if outcome.created:
        queries.next_reference(session, now.year, take=True)
        request = new_row(outcome.request, mailbox=mailbox, now=now)
        session.add(request)
        session.flush()
        return request
    if found is None:
        return None
    if outcome.request != view_of(found, outcome.request.correspondents):
        apply_view(found, outcome.request, now)
    return found
