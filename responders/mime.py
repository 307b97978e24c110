"""Turn an OutgoingMail into the bytes we store in the outbox and send (DESIGN §5)."""

from __future__ import annotations

from datetime import datetime
from email import policy as email_policy
from email.headerregistry import Address as HeaderAddress
from email.message import EmailMessage
from email.utils import format_datetime

from onboardd.parsers.model import Address
from onboardd.responders.view import OutgoingMail

_SMTP = email_policy.SMTP.clone(max_line_length=998)
# RFC 6532 addresses (a non-ASCII local part) cannot be written in ASCII headers at all.
_SMTPUTF8 = email_policy.SMTPUTF8.clone(max_line_length=998)


def _header_address(address: Address) -> HeaderAddress:
    # Given as parts: parsing an addr_spec rejects a non-ASCII local part outright.
    local, _, domain = address.email.rpartition("@")
    return HeaderAddress(display_name=address.name, username=local, domain=domain)


def to_mime(
    mail: OutgoingMail,
    *,
    message_id: str,
    sender: Address,
    reply_to: Address | None,
    date: datetime,
) -> bytes:
    """multipart/alternative, text first, with our loop-guard headers."""
    people = (*mail.to, *mail.cc, sender, *((reply_to,) if reply_to else ()))
    international = any(not a.email.isascii() for a in people)
    message = EmailMessage(policy=_SMTPUTF8 if international else _SMTP)
    message["From"] = _header_address(sender)
    message["To"] = [_header_address(a) for a in mail.to]
    if mail.cc:
        message["Cc"] = [_header_address(a) for a in mail.cc]
    if reply_to is not None:
        message["Reply-To"] = _header_address(reply_to)
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(date)
    message["Message-ID"] = f"<{message_id}>"
    if mail.in_reply_to:
        message["In-Reply-To"] = f"<{mail.in_reply_to}>"
    if mail.references:
        message["References"] = " ".join(f"<{ref}>" for ref in mail.references)
    message["Auto-Submitted"] = mail.auto_submitted
    message["X-Auto-Response-Suppress"] = "All"
    message["X-Onboarding-Notice"] = mail.kind
    if mail.reference:
        message["X-Onboarding-Request"] = mail.reference
    message.set_content(mail.text, cte="quoted-printable")
    message.add_alternative(mail.html, subtype="html", cte="quoted-printable")
    return message.as_bytes()
