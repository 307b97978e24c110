"""Put the workflow's outgoing mail into the outbox, in the caller's transaction."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from onboardd.parsers.model import Address
from onboardd.responders.mime import to_mime
from onboardd.responders.view import OutgoingMail
from onboardd.store import queries
from onboardd.store.models import OutboxMessage, ReplyToken, ThreadRef

TEAM_NAME = "IT Services Onboarding"


@dataclass(frozen=True)
class Sender:
    """The mailbox a reply goes out from, and how it takes replies."""

    address: str
    plus_addressing: bool = True
    token_days: int = 30


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _message_id(tag: str, unique: str, address: str) -> str:
    return f"{tag}.{unique}@{address.rpartition('@')[2]}"


def enqueue(
    session: Session,
    mail: OutgoingMail,
    *,
    request_id: int | None,
    sender: Sender,
    now: datetime,
) -> str:
    """Render the MIME bytes once, with a Message-ID fixed now, and store them pending;
    the Message-ID is returned.

    A mail with a grant gets a fresh random token: in its Message-ID (so a threaded
    reply finds it) and, where the mailbox takes plus-addresses, in its Reply-To.
    """
    tag = mail.reference.lower() if mail.reference else "onb"
    reply_to = None
    if mail.grant is not None and request_id is not None:
        token = secrets.token_hex(16)
        message_id = _message_id(tag, token, sender.address)
        if sender.plus_addressing:
            local, _, domain = sender.address.partition("@")
            reply_to = Address(TEAM_NAME, f"{local}+{token}@{domain}")
        token_row = {
            "token_hash": token_hash(token),
            "request_id": request_id,
            "scope": mail.grant.scope,
            "service": mail.grant.service,
            "address": mail.grant.address,
            "message_id": message_id,
            "created_at": now,
            "expires_at": now + timedelta(days=sender.token_days),
            "clarified_at": now if mail.grant.clarification else None,
        }
        queries.insert_rows(session, ReplyToken, [token_row])
    else:
        message_id = _message_id(tag, secrets.token_hex(10), sender.address)
    raw = to_mime(
        mail,
        message_id=message_id,
        sender=Address(TEAM_NAME, sender.address),
        reply_to=reply_to,
        date=now,
    )
    recipients = list(dict.fromkeys(a.email for a in (*mail.to, *mail.cc)))
    outbox_row = {
        "message_id": message_id,
        "request_id": request_id,
        "kind": mail.kind,
        "mail_from": sender.address,
        "to_addr": mail.to[0].email,
        "recipients": recipients,
        "raw": raw,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
    queries.insert_rows(session, OutboxMessage, [outbox_row])
    if request_id is not None:
        thread_row = {"message_id": message_id, "request_id": request_id, "direction": "out"}
        queries.insert_rows(session, ThreadRef, [thread_row])
    return message_id
