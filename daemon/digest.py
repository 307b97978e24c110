"""Gather the daily digest from the database in a fixed number of queries, and queue it.

Each section is one or two grouped queries selecting plain columns (no ORM objects,
no per-request follow-up queries), so the digest costs the same dozen round trips
whether there are ten requests or a hundred thousand.
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from onboardd.daemon.config import Config
from onboardd.daemon.outgoing import Sender, enqueue
from onboardd.daemon.records import contract_view_of
from onboardd.responders.contracts import CONTACTS_DUE_DAYS, contacts_still_needed
from onboardd.responders.digest import (
    Activity,
    ContractItem,
    Digest,
    Escalation,
    FailedMail,
    MailboxHealth,
    OffboardingItem,
    OpenItem,
    OutboxHealth,
    QuarantinedMail,
    RateTrip,
    Refusal,
    UnreadMail,
    compose,
)
from onboardd.responders.policy import Policy
from onboardd.responders.reminders import ServiceClock, escalated
from onboardd.responders.render import Renderer
from onboardd.responders.state import OFFBOARDING_STATES, OPEN_STATES, Decision, State
from onboardd.responders.view import OutgoingMail
from onboardd.store import contracts
from onboardd.store import digest_queries as queries
from onboardd.store import offboarding as offboarding_queries
from onboardd.store.models import MailboxState

log = logging.getLogger("onboardd.digest")

WINDOW = timedelta(hours=24)
# A mailbox not polled successfully for this long is reported as stale.
STALE_AFTER = timedelta(hours=1)
# At most this many open requests, and escalations per lead, are listed (oldest first):
# a digest must stay a mail a server accepts even when thousands pile up; the counts
# above the tables always cover every one.
LISTED = 5000
# Failed outgoing mail older than this is no longer listed (it is still in `outbox list`).
FAILED_LISTED_FOR = timedelta(days=7)
_OPEN = [s.value for s in OPEN_STATES]
_STATE_RANK = {s.value: i for i, s in enumerate(State)}


def gather(session: Session, config: Config, now: datetime) -> Digest:
    """Every section of the digest as of `now`."""
    since = now - WINDOW
    return Digest(
        now=now,
        since=since,
        counts=_counts(session),
        open_requests=_open_requests(session),
        escalations=_escalations(session, config.policy, now),
        activity=_activity(session, since, now),
        quarantine=_quarantine(session),
        refusals=_refusals(session, since, now),
        rate_trips=_rate_trips(session, since, now),
        unread=_unread(session, since, now),
        mailboxes=_mailboxes(session, config, now),
        outbox=_outbox(session, now),
        contracts_starting=_contracts_starting(session, now),
        contacts_overdue=_contacts_overdue(session, now),
        contracts_ending=_contracts_ending(session, config.policy, now),
        offboardings=_offboardings(session, config.policy, now),
        ending_days=config.policy.contracts.offboarding_notice_days,
    )


def _contracts_ending(session: Session, policy: Policy, now: datetime
                      ) -> tuple[ContractItem, ...]:
    """Periods of performance ending within the offboarding notice's days."""
    last = (now + timedelta(days=policy.contracts.offboarding_notice_days)).date()
    return tuple(
        ContractItem(row.number, row.organization, row.starts_on, row.contractor_address,
                     ends_on=row.ends_on)
        for row in offboarding_queries.contracts_ending_between(session, now.date(), last)
    )


def _offboardings(session: Session, policy: Policy, now: datetime
                  ) -> tuple[OffboardingItem, ...]:
    """Each offboarding in progress, with the services still to be removed and those
    whose leads had every reminder and still did not confirm (overdue)."""
    found: dict[int, OffboardingItem] = {}
    for rid, reference, number, organization, opened, service, sent, last, asked in (
            offboarding_queries.pending_removals(session)):
        item = found.setdefault(rid, OffboardingItem(reference, number, organization, opened))
        clock = ServiceClock(service, asked, sent, last)
        late = (service,) if escalated(clock, policy.reminders, now) else ()
        found[rid] = dataclasses.replace(item, waiting=(*item.waiting, service),
                                         overdue=(*item.overdue, *late))
    return tuple(found.values())[:LISTED]


# How far ahead the digest looks for periods of performance about to start.
STARTING_WITHIN = timedelta(days=14)


def _contracts_starting(session: Session, now: datetime) -> tuple[ContractItem, ...]:
    return tuple(
        ContractItem(row.number, row.organization, row.starts_on, row.contractor_address)
        for row in contracts.starting_between(session, now.date(),
                                              (now + STARTING_WITHIN).date())
    )


def _contacts_overdue(session: Session, now: datetime) -> tuple[ContractItem, ...]:
    due = timedelta(days=CONTACTS_DUE_DAYS)
    return tuple(
        ContractItem(row.number, row.organization, row.starts_on, row.contractor_address,
                     row.contacts_requested_at,
                     contacts_still_needed(contract_view_of(row)))
        for row in contracts.contacts_overdue(session, now - due)
    )


def _counts(session: Session) -> tuple[tuple[str, int], ...]:
    found = queries.request_counts_by_state(session)
    return tuple((s.value, found.get(s.value, 0)) for s in State if s not in OFFBOARDING_STATES)


def _open_requests(session: Session) -> tuple[OpenItem, ...]:
    """The LISTED oldest open requests (all of them unless something is badly stuck)."""
    service_rows, rows = queries.open_requests_for_digest(session, _OPEN, LISTED)
    services: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for request_id, service, decision in service_rows:
        services[request_id].append((service, decision))
    items = [
        OpenItem(reference, organization, tuple(services.get(rid, ())), state, created)
        for rid, reference, organization, state, created in rows
    ]
    items.sort(key=lambda i: (_STATE_RANK.get(i.state, 99), i.created_at, i.reference))
    return tuple(items)


def _escalations(
    session: Session, policy: Policy, now: datetime
) -> tuple[tuple[str, tuple[Escalation, ...]], ...]:
    waiting = State.AWAITING_APPROVAL.value
    asked = queries.approvals_first_asked(session, waiting)
    by_lead: dict[str, list[Escalation]] = defaultdict(list)
    for rid, reference, organization, service, sent, last in queries.undecided_services(
        session, waiting, Decision.PENDING.value
    ):
        clock = ServiceClock(service, asked.get((rid, service)), sent, last)
        if not escalated(clock, policy.reminders, now):
            continue
        entry = policy.service(service)
        item = Escalation(reference, organization, service, clock.asked_at, sent)
        for lead in entry.leads if entry else ("(no lead in the catalog)",):
            by_lead[lead].append(item)
    return tuple((lead, tuple(items[:LISTED])) for lead, items in sorted(by_lead.items()))


_ACTIVITY_KINDS = {
    "request-created": "new",
    "request-approved": "approved",
    "request-denied": "denied",
    "cor-denied": "denied",
    "request-expired": "expired",
    "withdrawn": "withdrawn",
}


def _activity(session: Session, since: datetime, now: datetime) -> Activity:
    counts: dict[str, int] = defaultdict(int)
    kinds = [*_ACTIVITY_KINDS, "request-complete", *_PASSED_ON_KINDS]
    for kind, state, number in queries.audit_counts_by_kind_and_state(session, kinds, since, now):
        if kind in _ACTIVITY_KINDS:
            counts[_ACTIVITY_KINDS[kind]] += int(number)
        elif kind in _PASSED_ON_KINDS or state == State.AWAITING_APPROVAL.value:
            counts["completed"] += int(number)
    inbound = queries.inbound_counts_by_status(session, since, now)
    sent = queries.sent_counts_by_kind(session, since, now)
    return Activity(
        **counts,
        welcome_packages=int(sent.get("welcome-package", 0)),
        mails_received=int(sum(inbound.values())),
        mails_quarantined=int(inbound.get("quarantined", 0)),
        mails_backlog=int(inbound.get("backlog", 0)),
        replies_sent=int(sum(n for kind, n in sent.items() if kind not in ("digest", "reminder"))),
        reminders_sent=int(sent.get("reminder", 0)),
    )


# A request passes on to its leads when it is complete with the COR's approval known
# (its request-complete event says it went to awaiting_approval), or later when the COR
# confirms it (by reply, or to staff) or staff waive it.
_PASSED_ON_KINDS = ("cor-verified", "cor-confirmed", "cor-waived")


def _quarantine(session: Session) -> tuple[tuple[str, tuple[QuarantinedMail, ...]], ...]:
    by_reason: dict[str, list[QuarantinedMail]] = defaultdict(list)
    for key, received, reason, sender, subject, purged in queries.quarantined_mail(session):
        reason = reason or "unrecognized"
        by_reason[reason].append(
            QuarantinedMail(key, received, reason, sender, subject or "", not purged)
        )
    return tuple((reason, tuple(items)) for reason, items in sorted(by_reason.items()))


def _refusals(session: Session, since: datetime, now: datetime) -> tuple[Refusal, ...]:
    return tuple(
        Refusal(
            at=at,
            reference=reference or (detail or {}).get("reference"),
            actor=actor,
            service=(detail or {}).get("service"),
            reason=str((detail or {}).get("reason") or "no reason recorded"),
        )
        for at, actor, detail, reference in queries.audit_events_of_kind(
            session, "decision-refused", since, now
        )
    )


# The audit events of answers held back, and how the digest names each rule.
HELD_BACK = {"rate-limited": "sender limit", "reply-budget-spent": "hourly budget spent",
             "failed-authentication": "failed authentication"}


def _rate_trips(session: Session, since: datetime, now: datetime) -> tuple[RateTrip, ...]:
    rows = queries.audit_counts_by_actor(session, tuple(HELD_BACK), since, now)
    trips = [RateTrip(actor, int(count), last, HELD_BACK[kind])
             for kind, actor, count, last in rows]
    return tuple(sorted(trips, key=lambda t: (-t.count, t.address or "", t.why)))


def _unread(session: Session, since: datetime, now: datetime) -> tuple[UnreadMail, ...]:
    rows = queries.unclassified_mail(session, since, now)
    return tuple(UnreadMail(at, actor, subject or "") for at, actor, subject in rows)


def _mailboxes(session: Session, config: Config, now: datetime) -> tuple[MailboxHealth, ...]:
    states: dict[str, list[MailboxState]] = defaultdict(list)
    for state in queries.mailbox_states(session):
        states[state.mailbox].append(state)
    health = []
    for mailbox in config.mailboxes:
        rows: list[MailboxState | None] = [*states.get(mailbox.name, [])] or [None]
        for row in rows:
            health.append(_health(mailbox.name, mailbox.address, row, now))
    return tuple(health)


def _health(name: str, address: str, row: MailboxState | None, now: datetime) -> MailboxHealth:
    if row is None:
        return MailboxHealth(name, address, None, None, None, None, None, "never")
    failing = row.last_error is not None and (
        row.last_poll_at is None
        or (row.last_error_at is not None and row.last_error_at >= row.last_poll_at)
    )
    if failing:
        status = "error"
    elif row.last_poll_at is None or now - row.last_poll_at > STALE_AFTER:
        status = "stale"
    else:
        status = "ok"
    return MailboxHealth(
        name,
        address,
        row.folder,
        row.last_poll_at,
        row.last_mail_at,
        row.last_error,
        row.last_error_at,
        status,
    )


def _outbox(session: Session, now: datetime) -> OutboxHealth:
    pending, deferred = queries.pending_outbox_counts(session)
    failed = queries.failed_outbox_since(session, now - FAILED_LISTED_FOR)
    return OutboxHealth(
        pending=pending,
        deferred=deferred,
        failed=tuple(FailedMail(*row) for row in failed),
    )


def digest_mail(
    factory: sessionmaker[Session], config: Config, renderer: Renderer, now: datetime
) -> OutgoingMail:
    """The digest as of `now`, rendered."""
    with factory() as session:
        digest = gather(session, config, now)
    return compose(
        digest,
        renderer,
        recipients=config.digest.recipients,
        timezone=config.digest.timezone,
        onboarding_address=config.mailboxes[0].address,
    )


def queue_digest(
    factory: sessionmaker[Session],
    config: Config,
    renderer: Renderer,
    sender: Sender,
    now: datetime,
) -> OutgoingMail:
    """Render the digest and put it in the outbox (sent by the next drain)."""
    mail = digest_mail(factory, config, renderer, now)
    with factory() as session, session.begin():
        enqueue(session, mail, request_id=None, sender=sender, now=now)
    log.info("digest queued for %d recipient(s)", len(mail.to))
    return mail


def last_slot(config: Config, now: datetime) -> datetime:
    """The latest moment at or before `now` when the daily digest was due (in UTC)."""
    zone = ZoneInfo(config.digest.timezone)
    hour, minute = (int(p) for p in config.digest.at.split(":"))
    local = now.astimezone(zone)
    slot = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if slot > local:
        slot = (local - timedelta(days=1)).replace(
            hour=hour, minute=minute, second=0, microsecond=0
        )
    return slot.astimezone(now.tzinfo)


def queue_once(
    session: Session, mail: OutgoingMail, sender: Sender, slot: datetime, now: datetime
) -> bool:
    """Queue `mail` unless a digest was queued since `slot`; True when queued.

    Call it in a write transaction: on SQLite that began with BEGIN IMMEDIATE, which
    already serialises writers; on PostgreSQL the advisory lock does it.
    """
    queries.lock_digest_slot(session)
    if queries.digest_sent_since(session, slot):
        return False
    enqueue(session, mail, request_id=None, sender=sender, now=now)
    return True

