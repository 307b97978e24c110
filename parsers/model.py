"""Typed values the parsers produce and take: a parsed mail, request facts, COR evidence."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime

from onboardd.parsers.documents import DocumentText

# A request's reference as we issue it and as people type it ("ONB-2026-0031 status").
REFERENCE_TAG = re.compile(r"(?<![\w-])(ONB-\d{4}-\d{4,})(?![\w-])", re.IGNORECASE)


@dataclass(frozen=True)
class Address:
    """One mailbox: display name and lower-cased addr-spec."""

    name: str
    email: str

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2]

    def formatted(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


@dataclass(frozen=True)
class Attachment:
    """A non-body MIME part, described but not kept (bodies stay in the raw message)."""

    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class ForwardedMessage:
    """A message carried inside another one: an attached message/rfc822 or an inline block."""

    sender: Address | None
    subject: str
    text: str
    source: str  # "attachment" or "inline"


@dataclass(frozen=True)
class AutoVerdict:
    """Whether a machine wrote the mail, and whether its sender asked for no auto-answer.

    `generated` mail never opens a request and is never answered. `suppress_reply`
    (X-Auto-Response-Suppress on a human's mail) only stops our answer.
    """

    generated: bool = False
    suppress_reply: bool = False
    reasons: tuple[str, ...] = ()

    @property
    def may_answer(self) -> bool:
        return not (self.generated or self.suppress_reply)


@dataclass(frozen=True)
class ParsedEmail:
    """What the rest of the program knows of one inbound message."""

    message_id: str | None
    subject: str
    sender: Address | None
    to: tuple[Address, ...]
    cc: tuple[Address, ...]
    reply_to: tuple[Address, ...]
    date: datetime | None
    in_reply_to: tuple[str, ...]
    references: tuple[str, ...]
    headers: tuple[tuple[str, str], ...]
    text: str
    reply_text: str
    html_only: bool
    attachments: tuple[Attachment, ...]
    forwarded: tuple[ForwardedMessage, ...]
    auto: AutoVerdict
    size: int
    defects: tuple[str, ...] = ()
    # The HTML part of a mail whose text came from its plain part, kept unconverted:
    # read only when the plain part leaves a request fact missing (Outlook writes a
    # table as tab rows there, or drops cells), so most mail never pays to convert it.
    alternative_html: str = ""
    # Attached Word and PDF documents' text, read where a request's facts are missing.
    documents: tuple[DocumentText, ...] = ()

    def header(self, name: str) -> str | None:
        """First value of a header, by case-insensitive name."""
        wanted = name.lower()
        for key, value in self.headers:
            if key == wanted:
                return value
        return None

    def header_all(self, name: str) -> tuple[str, ...]:
        wanted = name.lower()
        return tuple(value for key, value in self.headers if key == wanted)

    @property
    def recipients(self) -> tuple[Address, ...]:
        return self.to + self.cc

    @property
    def thread_ids(self) -> tuple[str, ...]:
        """Message-IDs this mail answers, nearest first."""
        return self.in_reply_to + tuple(reversed(self.references))

    @property
    def answer_references(self) -> tuple[str, ...]:
        """The References of an answer to this mail: its own, then its Message-ID."""
        return (*self.references, self.message_id) if self.message_id else self.references


@dataclass(frozen=True)
class CatalogEntry:
    """A service the team offers, as the parsers need it: a name and its aliases."""

    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class CorDirectory:
    """Who counts as a COR: listed addresses, whole domains, and per-organization CORs."""

    addresses: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()

    def is_cor(self, email: str) -> bool:
        email = email.lower()
        return email in self.addresses or email.rpartition("@")[2] in self.domains


@dataclass(frozen=True)
class KnownOrganization:
    """An organization of the policy's directory, as the parsers need it: the names a
    sender may call it by, and the mail domains its people write from."""

    name: str
    aliases: tuple[str, ...] = ()
    domains: frozenset[str] = frozenset()

    def owns(self, domain: str) -> bool:
        """`domain` is one of its mail domains or a subdomain of one."""
        domain = domain.lower()
        return any(domain == d or domain.endswith(f".{d}") for d in self.domains)


class CorStatus(enum.StrEnum):
    VERIFIED = "verified"
    FORWARDED = "forwarded"
    STATED = "stated"
    MISSING = "missing"


@dataclass(frozen=True)
class CorEvidence:
    """The strongest COR approval evidence a mail carries (design §6)."""

    status: CorStatus = CorStatus.MISSING
    address: str | None = None
    name: str | None = None
    detail: str = ""


@dataclass(frozen=True)
class RequestFacts:
    """The request facts read from one mail's own words; None means not given."""

    organization: str | None = None
    services: tuple[str, ...] = ()
    unknown_services: tuple[str, ...] = ()
    justification: str | None = None
    user_count: int | None = None
    user_count_invalid: str | None = None
    cor: CorEvidence = field(default_factory=CorEvidence)
    cor_value: str | None = None
    security_official: Address | None = None
    contract_number: str | None = None
    # Where each fact was read, as (fact, place): "labels", "the HTML part",
    # "a sentence", "attachment form.docx". The acknowledgment says it back, so a
    # sender can correct a fact read from prose or from an attachment.
    sources: tuple[tuple[str, str], ...] = ()

    def source_of(self, fact: str) -> str | None:
        return next((place for name, place in self.sources if name == fact), None)

    @property
    def any_fact(self) -> bool:
        """True when the mail carries at least one request fact or names a service."""
        return bool(
            self.organization
            or self.services
            or self.unknown_services
            or self.justification
            or self.user_count is not None
            or self.user_count_invalid
            or self.cor_value
        )
