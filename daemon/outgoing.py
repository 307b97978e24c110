"""Put the workflow's outgoing mail into the outbox, in the caller's transaction."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy.orm import Session

from onboardd.parsers.model import Address
from onboardd.responders.mime import to_mime
from onboardd.responders.view import OutgoingMail
from onboardd.store.models import OutboxMessage, ThreadRef

TEAM_NAME = "IT Services Onboarding"


def new_message_id(address: str, reference: str | None) -> str:
    domain = address.rpartition("@")[2]
    tag = reference.lower() if reference else "onb"
    return f"{tag}.{secrets.token_hex(10)}@{domain}"


def enqueue(
    session: Session,
    mail: OutgoingMail,
    *,
    request_id: int | None,
    from_address: str,
    now: datetime,
) -> OutboxMessage:
    """Render the MIME bytes once, with a Message-ID fixed now, and store them pending."""
    message_id = new_message_id(from_address, mail.reference)
    raw = to_mime(
        mail,
        message_id=message_id,
        sender=Address(TEAM_NAME, from_address),
        reply_to=None,
        date=now,
    )
    recipients = list(dict.fromkeys(a.email for a in (*mail.to, *mail.cc)))
    row = OutboxMessage(
        message_id=message_id,
        request_id=request_id,
        kind=mail.kind,
        mail_from=from_address,
        to_addr=mail.to[0].email,
        recipients=recipients,
        raw=raw,
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    if request_id is not None:
        session.add(ThreadRef(message_id=message_id, request_id=request_id, direction="out"))
    return row
