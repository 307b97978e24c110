"""Rows written straight into a store, for the digest and purge tests: a known world."""

from __future__ import annotations

import hashlib
import itertools
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from onboardd.store.models import (
    AuditEvent,
    InboundMessage,
    MailboxState,
    OutboxMessage,
    ReplyToken,
    Request,
    RequestService,
)

_numbers = itertools.count(1)


class Seeder:
    """Adds rows to one session; each helper returns the row it made."""

    def __init__(self, session: Session, now: datetime) -> None:
        self.session = session
        self.now = now

    def request(
        self,
        state: str,
        *,
        age: timedelta,
        services: tuple[str, ...] = ("Jira",),
        organization: str | None = "Acme Health Solutions",
        closed_ago: timedelta | None = None,
        decisions: dict[str, str] | None = None,
        reminded: dict[str, tuple[int, timedelta | None]] | None = None,
    ) -> Request:
        seq = next(_numbers)
        created = self.now - age
        row = Request(
            reference=f"ONB-2026-{seq:04d}",
            year=2026,
            seq=seq,
            state=state,
            mailbox="onboarding",
            requester=f"requester{seq}@acmehealth.example.com",
            requester_name=f"Requester {seq}",
            organization=organization,
            subject="Access request",
            created_at=created,
            updated_at=created,
            closed_at=self.now - closed_ago if closed_ago is not None else None,
            reminders_sent=0,
        )
        for name in services:
            count, ago = (reminded or {}).get(name, (0, None))
            row.services.append(
                RequestService(
                    service=name,
                    decision=(decisions or {}).get(name, "pending"),
                    reminders_sent=count,
                    last_reminded_at=self.now - ago if ago is not None else None,
                )
            )
        self.session.add(row)
        self.session.flush()
        return row

    def asked(self, request: Request, service: str, lead: str, ago: timedelta) -> ReplyToken:
        """The approval request (its token) that asked `lead` about `service`."""
        n = next(_numbers)
        token = ReplyToken(
            token_hash=hashlib.sha256(f"token{n}".encode()).hexdigest(),
            request_id=request.id,
            scope="approval",
            service=service,
            address=lead,
            message_id=f"onb.{n}@onboard.example.gov",
            created_at=self.now - ago,
            expires_at=self.now - ago + timedelta(days=30),
        )
        self.session.add(token)
        return token

    def event(
        self,
        kind: str,
        ago: timedelta,
        *,
        request: Request | None = None,
        actor: str | None = None,
        message_key: str | None = None,
        **detail: Any,
    ) -> AuditEvent:
        row = AuditEvent(
            request_id=request.id if request else None,
            at=self.now - ago,
            kind=kind,
            actor=actor,
            message_key=message_key,
            detail=detail,
        )
        self.session.add(row)
        return row

    def inbound(
        self,
        status: str,
        ago: timedelta,
        *,
        reason: str = "",
        sender: str | None = "someone@example.com",
        subject: str = "Hello",
        raw: bytes | None = b"Subject: Hello\r\n\r\nbody\r\n",
        request: Request | None = None,
    ) -> InboundMessage:
        n = next(_numbers)
        row = InboundMessage(
            message_key=hashlib.sha256(f"mail{n}".encode()).hexdigest(),
            message_id=f"m{n}@client.example.com",
            mailbox="onboarding",
            folder="new",
            source_name=f"{n}.eml",
            received_at=self.now - ago,
            sender=sender,
            subject=subject,
            status=status,
            reason=reason,
            error="ValueError: boom" if status == "quarantined" else None,
            size=len(raw or b""),
            request_id=request.id if request else None,
            raw=raw,
        )
        self.session.add(row)
        self.session.flush()
        return row

    def outbox(
        self,
        kind: str,
        status: str,
        ago: timedelta,
        *,
        request: Request | None = None,
        attempts: int = 1,
        error: str | None = None,
    ) -> OutboxMessage:
        n = next(_numbers)
        created = self.now - ago
        row = OutboxMessage(
            message_id=f"out.{n}@onboard.example.gov",
            request_id=request.id if request else None,
            kind=kind,
            mail_from="onboarding@onboard.example.gov",
            to_addr="x@example.com",
            recipients=["x@example.com"],
            raw=b"Subject: x\r\n\r\nx\r\n",
            status=status,
            attempts=attempts,
            next_attempt_at=created,
            last_error=error,
            created_at=created,
            sent_at=created if status == "sent" else None,
        )
        self.session.add(row)
        return row

    def mailbox(
        self,
        folder: str,
        *,
        polled: timedelta | None,
        mail: timedelta | None = None,
        error: tuple[str, timedelta] | None = None,
    ) -> MailboxState:
        row = MailboxState(
            mailbox="onboarding",
            folder=folder,
            first_connected_at=self.now - timedelta(days=30),
            last_poll_at=self.now - polled if polled is not None else None,
            last_mail_at=self.now - mail if mail is not None else None,
            last_error=error[0] if error else None,
            last_error_at=self.now - error[1] if error else None,
        )
        self.session.add(row)
        return row
