"""The staff's daily digest: what it reports, as typed values, and the mail made from them.

The daemon gathers a Digest from the database (daemon/digest.py); `compose` renders it,
text and HTML from one context, without touching anything else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from onboardd.parsers.model import Address
from onboardd.responders.render import Renderer
from onboardd.responders.state import State
from onboardd.responders.view import OutgoingMail

# The order states are shown in: open first, in the order a request moves through them.
STATE_ORDER = tuple(State)


@dataclass(frozen=True)
class OpenItem:
    """One open request: its reference, who and what, where it stands, and since when."""

    reference: str
    organization: str | None
    services: tuple[tuple[str, str], ...]  # (service, decision)
    state: str
    created_at: datetime


@dataclass(frozen=True)
class Escalation:
    """A pending approval whose leads had every reminder and still did not answer."""

    reference: str
    organization: str | None
    service: str
    asked_at: datetime | None
    reminders_sent: int


@dataclass(frozen=True)
class Activity:
    """What happened in the digest's window (the last 24 hours)."""

    new: int = 0
    completed: int = 0  # passed on to the leads (complete, the COR's approval known)
    approved: int = 0
    denied: int = 0
    expired: int = 0
    withdrawn: int = 0
    welcome_packages: int = 0  # welcome packages actually sent (not just queued)
    mails_received: int = 0
    mails_quarantined: int = 0
    mails_backlog: int = 0
    replies_sent: int = 0
    reminders_sent: int = 0


@dataclass(frozen=True)
class QuarantinedMail:
    key: str
    received_at: datetime
    reason: str
    sender: str | None
    subject: str
    retryable: bool  # False once retention dropped its raw bytes

    @property
    def short_key(self) -> str:
        return self.key[:12]


@dataclass(frozen=True)
class Refusal:
    at: datetime
    reference: str | None
    actor: str | None
    service: str | None
    reason: str


@dataclass(frozen=True)
class RateTrip:
    """Answers held back from one sender by one rule: the per-sender limit, the hourly
    budget of all answers, or a failed authentication (a likely forged sender)."""

    address: str | None
    count: int
    last_at: datetime
    why: str = "sender limit"


@dataclass(frozen=True)
class UnreadMail:
    """Mail that opened no request (`unclassified`): a person should read it."""

    at: datetime
    sender: str | None
    subject: str


@dataclass(frozen=True)
class MailboxHealth:
    name: str
    address: str
    folder: str | None
    last_poll_at: datetime | None
    last_mail_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    status: str  # ok, stale, error, never


@dataclass(frozen=True)
class FailedMail:
    id: int
    kind: str
    created_at: datetime
    last_error: str | None


@dataclass(frozen=True)
class ContractItem:
    """A contract the staff should see: starting soon, or its SO and SPOC overdue."""

    number: str | None
    organization: str | None
    starts_on: date | None
    contractor: str | None
    asked_at: datetime | None = None
    still_needed: tuple[str, ...] = ()
    ends_on: date | None = None


@dataclass(frozen=True)
class OffboardingItem:
    """An offboarding in progress: the services whose removal its leads have not yet
    confirmed, and those of them past every reminder (overdue)."""

    reference: str
    number: str | None
    organization: str | None
    opened_at: datetime
    waiting: tuple[str, ...] = ()
    overdue: tuple[str, ...] = ()


@dataclass(frozen=True)
class OutboxHealth:
    pending: int = 0
    deferred: int = 0  # pending after at least one failed try
    failed: tuple[FailedMail, ...] = ()


@dataclass(frozen=True)
class Digest:
    """Everything the digest reports, as of `now`."""

    now: datetime
    since: datetime
    counts: tuple[tuple[str, int], ...]
    open_requests: tuple[OpenItem, ...] = ()  # the oldest open requests, up to a limit
    escalations: tuple[tuple[str, tuple[Escalation, ...]], ...] = ()  # by lead
    activity: Activity = field(default_factory=Activity)
    quarantine: tuple[tuple[str, tuple[QuarantinedMail, ...]], ...] = ()  # by reason
    refusals: tuple[Refusal, ...] = ()
    rate_trips: tuple[RateTrip, ...] = ()
    unread: tuple[UnreadMail, ...] = ()
    mailboxes: tuple[MailboxHealth, ...] = ()
    outbox: OutboxHealth = field(default_factory=OutboxHealth)
    contracts_starting: tuple[ContractItem, ...] = ()  # periods starting within two weeks
    contacts_overdue: tuple[ContractItem, ...] = ()  # SO/SPOC asked for over a day ago
    contracts_ending: tuple[ContractItem, ...] = ()  # within contracts.offboarding_notice_days
    offboardings: tuple[OffboardingItem, ...] = ()  # in progress, oldest first
    ending_days: int = 60  # how far ahead contracts_ending looks

    @property
    def offboardings_overdue(self) -> tuple[OffboardingItem, ...]:
        return tuple(item for item in self.offboardings if item.overdue)

    @property
    def open_count(self) -> int:
        """Every open request, listed or not (see `unlisted`)."""
        return sum(n for state, n in self.counts if State(state).is_open)

    @property
    def unlisted(self) -> int:
        """Open requests beyond the listing limit: counted, but not in the table."""
        return max(self.open_count - len(self.open_requests), 0)

    @property
    def held_back(self) -> tuple[tuple[str, int, int], ...]:
        """(rule, mails, senders) for each rule that held answers back, most mails
        first: a flood of forged senders or a tripped breaker reads as one line before
        the sender-by-sender table."""
        totals: dict[str, tuple[int, int]] = {}
        for trip in self.rate_trips:
            mails, senders = totals.get(trip.why, (0, 0))
            totals[trip.why] = (mails + trip.count, senders + 1)
        return tuple(sorted(((why, m, n) for why, (m, n) in totals.items()),
                            key=lambda t: (-t[1], t[0])))

    @property
    def quarantined_count(self) -> int:
        return sum(len(items) for _, items in self.quarantine)

    @property
    def escalated_count(self) -> int:
        return len({(e.reference, e.service) for _, items in self.escalations for e in items})

    @property
    def attention(self) -> bool:
        """Anything a person must act on today."""
        return bool(
            self.escalations
            or self.quarantine
            or self.outbox.failed
            or self.contacts_overdue
            or self.offboardings_overdue
            or any(m.status != "ok" for m in self.mailboxes)
        )


def subject(digest: Digest, zone: tzinfo) -> str:
    day = digest.now.astimezone(zone).strftime("%Y-%m-%d")
    parts = [f"{digest.open_count} open"]
    if digest.escalated_count:
        parts.append(f"{digest.escalated_count} escalated")
    if digest.quarantined_count:
        parts.append(f"{digest.quarantined_count} quarantined")
    if digest.outbox.failed:
        parts.append(f"{len(digest.outbox.failed)} unsent")
    return f"Onboarding digest {day}: {', '.join(parts)}"


def _clock(zone: tzinfo) -> Callable[[datetime | None], str]:
    def when(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "never"

    return when


def _age(now: datetime) -> Callable[[datetime | None], str]:
    def age(moment: datetime | None) -> str:
        if moment is None:
            return "-"
        span = max(now - moment, timedelta(0))
        if span >= timedelta(days=1):
            return f"{span.days} d"
        hours = int(span.total_seconds() // 3600)
        return f"{hours} h" if hours else f"{int(span.total_seconds() // 60)} min"

    return age


def context(digest: Digest, timezone: str, onboarding_address: str) -> dict[str, Any]:
    """The digest's template context, field by field."""
    zone = ZoneInfo(timezone)
    return {
        "digest": digest,
        "subject": subject(digest, zone),
        "timezone": timezone,
        "when": _clock(zone),
        "age": _age(digest.now),
        "onboarding_address": onboarding_address,
        "open_states": [s.value for s in STATE_ORDER if s.is_open],
    }


def compose(
    digest: Digest,
    renderer: Renderer,
    *,
    recipients: tuple[str, ...],
    timezone: str,
    onboarding_address: str,
) -> OutgoingMail:
    """The digest as one mail to the staff, machine-written (RFC 3834 auto-generated)."""
    values = context(digest, timezone, onboarding_address)
    return renderer.mail(
        "digest",
        "staff/digest",
        values["subject"],
        values,
        to=tuple(Address("", r) for r in recipients),
        auto_submitted="auto-generated",
    )
