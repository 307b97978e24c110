"""The request as the workflow sees it, and the outcome the workflow returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from onboardd.parsers.contract_notice import Contact
from onboardd.parsers.model import Address, CorEvidence
from onboardd.responders.state import Decision, State


@dataclass(frozen=True)
class ServiceDecision:
    service: str
    decision: Decision = Decision.PENDING
    decided_by: str | None = None
    decided_at: datetime | None = None
    reason: str | None = None


@dataclass(frozen=True)
class RequestView:
    """A request's stored facts, handed in by the daemon and handed back changed."""

    reference: str
    state: State
    requester: Address
    created_at: datetime
    subject: str = ""
    organization: str | None = None
    justification: str | None = None
    user_count: int | None = None
    user_count_invalid: str | None = None
    unknown_services: tuple[str, ...] = ()
    services: tuple[ServiceDecision, ...] = ()
    cor: CorEvidence = field(default_factory=CorEvidence)
    security_official: Address | None = None
    contract_number: str | None = None
    correspondents: frozenset[str] = frozenset()
    # "access", or a contract's other errands: "contact-change"
    # (responders/contact_changes.py), "offboarding" (responders/offboarding.py).
    kind: str = "access"

    @property
    def service_names(self) -> tuple[str, ...]:
        return tuple(s.service for s in self.services)

    @property
    def names(self) -> tuple[str, ...]:
        """What the request is called and asks for: its reference, organization,
        services and number of users."""
        count = str(self.user_count) if self.user_count is not None else ""
        return (self.reference, self.organization or "", *self.service_names, count)


@dataclass(frozen=True)
class ContractView:
    """A contract as a COR's notice states it; the daemon matches it to the one stored
    (by number, or a solicitation of the same organization) and writes it."""

    stage: str  # "solicitation" or "awarded"
    cor: Address
    number: str | None = None
    organization: str | None = None
    contractor: Address | None = None
    starts_on: date | None = None
    ends_on: date | None = None
    award_expected_on: date | None = None
    security_official: Contact | None = None
    spoc: Contact | None = None

    @property
    def number_shown(self) -> str:
        """The number as a letter writes it: a contract recorded without one (a notice
        that left it out) still needs words in its sentences."""
        return self.number or NUMBER_NOT_ON_RECORD


NUMBER_NOT_ON_RECORD = "(number not yet on record)"


@dataclass(frozen=True)
class RoleChange:
    """One role a contact change sets: to `new`, or to nobody when `new` is None, in
    place of `old`, who held it when the change was asked."""

    role: str  # "security_official", "spoc" or "cor"
    new: Contact | None
    old: Contact | None = None


@dataclass(frozen=True)
class ContactChangeView:
    """A contact-change request's changes, and its contract as it is now."""

    contract: ContractView
    changes: tuple[RoleChange, ...]


@dataclass(frozen=True)
class Grant:
    """What a reply to an outgoing mail may decide, and who may send it (design §7).

    The daemon mints a random token for it when the mail is queued.
    """

    # "cor": confirm the COR approval; "approval": decide one service; "removal":
    # confirm one service's access removed
    scope: str
    address: str
    service: str | None = None
    clarification: bool = False  # a clarification request: no further one follows


@dataclass(frozen=True)
class TokenView:
    """A token an inbound mail carried (plus-address) or threaded to (Message-ID)."""

    token_id: str
    scope: str
    address: str
    service: str | None
    expired: bool
    spent: bool
    clarified: bool
    via: str  # "address" or "thread"


@dataclass(frozen=True)
class OutgoingMail:
    """One message to send, rendered; the daemon adds Message-ID and From at insert."""

    kind: str
    to: tuple[Address, ...]
    subject: str
    text: str
    html: str
    cc: tuple[Address, ...] = ()
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    reference: str | None = None
    auto_submitted: str = "auto-replied"
    grant: Grant | None = None


@dataclass(frozen=True)
class AuditEntry:
    kind: str
    actor: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """What one inbound message did: its verdict, the request after it, and what to send."""

    verdict: str
    request: RequestView | None = None
    created: bool = False
    contract: ContractView | None = None
    events: tuple[AuditEntry, ...] = ()
    outgoing: tuple[OutgoingMail, ...] = ()
    spent_tokens: tuple[str, ...] = ()
    clarified_tokens: tuple[str, ...] = ()
    # A contact-change request's changes as they now stand (None: not touched), and
    # the contract roles the outcome leaves empty (a removal applied).
    contact_changes: tuple[RoleChange, ...] | None = None
    vacated: tuple[str, ...] = ()


@dataclass(frozen=True)
class SenderHistory:
    """What we already sent this sender, so the gate can hold back floods."""

    replies_last_hour: int = 0
    help_sent_last_day: bool = False
    # Automatic answers to anyone in the last hour, for the global budget.
    answers_last_hour: int = 0
