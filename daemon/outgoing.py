"""Put the workflow's outgoing mail into the outbox, in the caller's transaction."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from onboardd.parsers.model import Address
from onboardd.responders.mime import to_mime
from onboardd.responders.view import OutgoingMail
from onboardd.store import queries
from onboardd.store.models import OutboxMessage, ReplyToken

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


@dataclass(frozen=True)
class _Rows:
    """What one outgoing mail adds to the outbox and around it."""

    message_id: str
    outbox: dict[str, Any]
    token: dict[str, Any] | None
    thread: dict[str, Any] | None


def enqueue(
    session: Session,
    mail: OutgoingMail,
    *,
    request_id: int | None,
    sender: Sender,
    now: datetime,
) -> str:
    """Store one mail pending, as enqueue_all does; its Message-ID is returned."""
    return enqueue_all(session, [mail], request_id=request_id, sender=sender, now=now)[0]


def enqueue_all(
    session: Session,
    mails: Sequence[OutgoingMail],
    *,
    request_id: int | None,
    sender: Sender,
    now: datetime,
    answered: str | None = None,
) -> list[str]:
    """Render each mail's MIME bytes once, with a Message-ID fixed now, and store them
    pending; their Message-IDs are returned, in order.

    `answered` is the Message-ID of the inbound mail these answer: with a request, its
    thread link goes in with theirs (one statement for all, not one more a mail).

    A mail with a grant gets a fresh random token: in its Message-ID (so a threaded
    reply finds it) and, where the mailbox takes plus-addresses, in its Reply-To.
    The rows of all the mails go in with one INSERT per table, not one per mail: a
    statement costs more than its row (and a round trip on PostgreSQL).
    """
    rows = [_rows(mail, request_id, sender, now) for mail in mails]
    queries.insert_rows(session, ReplyToken, [r.token for r in rows if r.token is not None])
    queries.insert_rows(session, OutboxMessage, [r.outbox for r in rows])
    threads = [r.thread for r in rows if r.thread is not None]
    if answered and request_id is not None:
        threads.append({"message_id": answered, "request_id": request_id, "direction": "in"})
    queries.link_threads(session, threads)
    return [r.message_id for r in rows]


def _rows(mail: OutgoingMail, request_id: int | None, sender: Sender, now: datetime) -> _Rows:
    tag = mail.reference.lower() if mail.reference else "onb"
    reply_to = None
    token_row = None
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
    thread_row = None
    if request_id is not None:
        thread_row = {"message_id": message_id, "request_id": request_id, "direction": "out"}
    return _Rows(message_id, outbox_row, token_row, thread_row)
