"""The policy the workflow follows: the service catalog, organizations, COR rules and limits.

These pydantic models are the `[cor]`, `[trust]`, `[[services]]`, `[[organizations]]`,
`[reminders]` and `[limits]` sections of the config; the daemon validates them at start
and hands the frozen result to the responders.
"""

from __future__ import annotations

import re
from email.utils import parseaddr
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from onboardd.parsers.model import Address, CatalogEntry, CorDirectory, KnownOrganization

_ADDR_SPEC = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


def _check_email(value: str) -> str:
    value = value.strip().lower()
    if not _ADDR_SPEC.match(value):
        raise ValueError(f"not an email address: {value!r}")
    return value


def _check_mailbox(value: str) -> str:
    """Accept 'Name <addr>' or a bare address; keep the original text."""
    _, email = parseaddr(value)
    _check_email(email)
    return value.strip()


def _check_domain(value: str) -> str:
    value = value.strip().lower().lstrip("@")
    if "." not in value or "@" in value or " " in value:
        raise ValueError(f"not a domain name: {value!r}")
    return value


Email = Annotated[str, AfterValidator(_check_email)]
Mailbox = Annotated[str, AfterValidator(_check_mailbox)]
Domain = Annotated[str, AfterValidator(_check_domain)]


class Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Service(Frozen):
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    leads: tuple[Email, ...] = Field(min_length=1)
    description: str = Field(min_length=1)
    onboarding: str = Field(min_length=1)


class Organization(Frozen):
    name: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    security_official: Mailbox | None = None
    cor: Email | None = None
    # The mail domains its people write from: a request that does not name its
    # organization is read as this one's when the sender writes from one of them.
    domains: tuple[Domain, ...] = ()

    def security_official_address(self) -> Address | None:
        if not self.security_official:
            return None
        name, email = parseaddr(self.security_official)
        return Address(name=name, email=email.lower())


class CorPolicy(Frozen):
    policy: Literal["confirm", "accept-forwarded"] = "confirm"
    domains: tuple[Domain, ...] = ()
    addresses: tuple[Email, ...] = ()


class TrustPolicy(Frozen):
    authserv_id: str = ""
    token_days: int = Field(default=30, ge=1)
    # A sender our MTA says failed authentication is most likely forged: answering it
    # would mail an innocent address (backscatter). Read only with authserv_id set.
    answer_failed_authentication: bool = False


class Reminders(Frozen):
    incomplete_after_days: int = Field(default=3, ge=1)
    incomplete_close_days: int = Field(default=14, ge=1)
    approval_after_days: int = Field(default=2, ge=1)
    max_approval_reminders: int = Field(default=3, ge=0)


class SurveyPolicy(Frozen):
    # The post-onboarding survey's link; empty: no survey is sent.
    url: str = ""
    days_after_welcome: int = Field(default=14, ge=0)


class ContractPolicy(Frozen):
    # The page's offboarding step starts this many days before a period ends.
    offboarding_notice_days: int = Field(default=60, ge=1)
    # One reminder of that notice this many days before the end, while no offboarding
    # is under way; 0: none.
    offboarding_reminder_days: int = Field(default=30, ge=0)


class Limits(Frozen):
    replies_per_sender_hour: int = Field(default=5, ge=1)
    # All automatic answers together, whoever they go to: the breaker for a flood from
    # many senders, which no per-sender limit sees.
    replies_per_hour: int = Field(default=200, ge=1)
    max_message_bytes: int = Field(default=26_214_400, ge=1024)


class Policy(Frozen):
    """Everything the responders need to decide, gathered from the config."""

    services: tuple[Service, ...] = ()
    organizations: tuple[Organization, ...] = ()
    cor: CorPolicy = CorPolicy()
    trust: TrustPolicy = TrustPolicy()
    reminders: Reminders = Reminders()
    limits: Limits = Limits()
    survey: SurveyPolicy = SurveyPolicy()
    contracts: ContractPolicy = ContractPolicy()
    own_addresses: frozenset[str] = frozenset()
    help_address: str = ""

    def is_ours(self, email: str) -> bool:
        """One of our own addresses, in any case, with or without a "+tag"."""
        local, _, domain = email.lower().partition("@")
        return f"{local.split('+', 1)[0]}@{domain}" in {a.lower() for a in self.own_addresses}

    def catalog(self) -> tuple[CatalogEntry, ...]:
        return tuple(CatalogEntry(s.name, s.aliases) for s in self.services)

    def known_organizations(self) -> tuple[KnownOrganization, ...]:
        return tuple(KnownOrganization(o.name, o.aliases, frozenset(o.domains))
                     for o in self.organizations)

    def cor_directory(self) -> CorDirectory:
        org_cors = {o.cor for o in self.organizations if o.cor}
        return CorDirectory(
            addresses=frozenset(self.cor.addresses) | frozenset(org_cors),
            domains=frozenset(self.cor.domains),
        )

    def service(self, name: str) -> Service | None:
        """The catalog entry with this name or alias, ignoring case."""
        wanted = name.casefold()
        return next((s for s in self.services if s.name.casefold() == wanted), None) or next(
            (s for s in self.services if wanted in {a.casefold() for a in s.aliases}), None)

    def leads_of(self, service: str) -> tuple[str, ...]:
        """The addresses that decide for a service (none for a name not in the catalog)."""
        entry = self.service(service)
        return entry.leads if entry else ()

    def organization(self, name: str | None) -> Organization | None:
        """The directory entry whose name or alias matches, ignoring case and spacing."""
        if not name:
            return None
        wanted = _fold(name)
        for org in self.organizations:
            if wanted in {_fold(n) for n in (org.name, *org.aliases)}:
                return org
        return None


def _fold(text: str) -> str:
    return " ".join(re.sub(r"[^\w]+", " ", text.casefold()).split())
