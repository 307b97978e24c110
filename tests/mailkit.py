"""Write mails the way people and their clients do, and read what the daemon sent."""

from __future__ import annotations

import email
import itertools
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage, Message
from email.utils import format_datetime, make_msgid
from pathlib import Path

from onboardd.store.models import OutboxMessage

_counter = itertools.count(1)


def compose(
    sender: str,
    body: str,
    *,
    subject: str = "Access request",
    to: str = "onboarding@onboard.example.gov",
    cc: str | None = None,
    headers: dict[str, str] | None = None,
    in_reply_to: str | None = None,
    references: str | None = None,
    html: str | None = None,
    date: datetime | None = None,
) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    if cc:
        message["Cc"] = cc
    message["Subject"] = subject
    message["Date"] = format_datetime(date or datetime.now(UTC))
    message["Message-ID"] = make_msgid(domain="client.example.com")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in (headers or {}).items():
        message[name] = value
    if html is not None and not body:
        message.set_content(html, subtype="html")
    else:
        message.set_content(body)
        if html is not None:
            message.add_alternative(html, subtype="html")
    return bytes(message)


@dataclass
class Sent:
    """One message the daemon wrote to the file outbox."""

    path: Path
    message: Message

    @property
    def kind(self) -> str:
        return str(self.message["X-Onboarding-Notice"])

    @property
    def subject(self) -> str:
        return str(self.message["Subject"])

    @property
    def to(self) -> str:
        return str(self.message["To"])

    @property
    def text(self) -> str:
        part = self.message.get_body(("plain",))
        assert part is not None
        return str(part.get_content())

    @property
    def html(self) -> str:
        part = self.message.get_body(("html",))
        assert part is not None
        return str(part.get_content())


def reply_to(
    sent: Sent,
    sender: str,
    new_text: str,
    *,
    style: str = "gmail",
    headers: dict[str, str] | None = None,
    keep_threading: bool = True,
) -> bytes:
    """A person's reply to one of our mails: new text on top, the original quoted below."""
    original = sent.text
    if style == "gmail":
        quoted = "\n".join(f"> {line}" for line in original.splitlines())
        ours = sent.message["From"].addresses[0].addr_spec
        attribution = f"On Mon, Nov 23, 2026 at 9:14 AM IT Services Onboarding <{ours}> wrote:"
        body = f"{new_text}\n\n{attribution}\n{quoted}\n"
    else:  # Outlook: a header block, then the original unquoted
        body = (
            f"{new_text}\n\n________________________________\n"
            f"From: IT Services Onboarding <onboarding@onboard.example.gov>\n"
            f"Sent: Monday, November 23, 2026 9:14 AM\nTo: {sender}\n"
            f"Subject: {sent.subject}\n\n{original}\n"
        )
    message_id = str(sent.message["Message-ID"])
    # A mail client answers to Reply-To when there is one: our plus-token address.
    answer_to = str(sent.message["Reply-To"] or sent.message["From"])
    return compose(
        sender,
        body,
        to=answer_to,
        subject=f"RE: {sent.subject}",
        headers=headers,
        in_reply_to=message_id if keep_threading else None,
        references=message_id if keep_threading else None,
    )


class Maildir:
    def __init__(self, root: Path) -> None:
        self.root = root
        for sub in ("new", "cur", "tmp"):
            (root / sub).mkdir(parents=True, exist_ok=True)

    def deliver(self, raw: bytes, name: str | None = None) -> Path:
        name = name or f"{next(_counter):06d}.test.eml"
        tmp = self.root / "tmp" / name
        tmp.write_bytes(raw)
        target = self.root / "new" / name
        tmp.rename(target)
        return target

    def deliver_file(self, source: Path) -> Path:
        target = self.root / "new" / f"{next(_counter):06d}.{source.name.replace(':', '_')}"
        shutil.copyfile(source, target)
        return target

    def new(self) -> list[Path]:
        return sorted((self.root / "new").iterdir())

    def cur(self) -> list[Path]:
        return sorted((self.root / "cur").iterdir())

    def quarantined(self) -> list[Path]:
        folder = self.root / ".Quarantine" / "cur"
        return sorted(folder.iterdir()) if folder.exists() else []


def read_outbox(folder: Path) -> list[Sent]:
    if not folder.exists():
        return []
    sent = []
    for path in sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        sent.append(Sent(path, message))
    return sent


def pending_reply(
    message_id: str, now: datetime, raw: bytes = b"Subject: hello\r\n\r\nhi\r\n"
) -> OutboxMessage:
    """An outbox row due at `now`, as ingest would have queued it for Jane."""
    return OutboxMessage(
        message_id=message_id,
        kind="acknowledgment",
        mail_from="onboarding@onboard.example.gov",
        to_addr="jane.doe@acmehealth.example.com",
        recipients=["jane.doe@acmehealth.example.com"],
        raw=raw,
        next_attempt_at=now,
        created_at=now,
    )
