"""Time-based work on open requests: remind, expire, escalate (design §11), decided as of `now`.

Pure: the daemon hands in each open request with its clocks (when we last heard on it,
when each service's leads were asked and reminded) and records the Outcome returned.
A step's counter is part of the clock, so a second run at the same moment finds nothing due.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass
from datetime import datetime, timedelta

from onboardd.parsers.model import Address
from onboardd.responders.context import base_context
from onboardd.responders.policy import Policy, Reminders
from onboardd.responders.render import Renderer
from onboardd.responders.state import Decision, State, check_transition
from onboardd.responders.view import AuditEntry, Grant, Outcome, OutgoingMail, RequestView

AUTO_GENERATED = "auto-generated"


@dataclass(frozen=True)
class ServiceClock:
    """When one service's leads were first asked, and how often they were reminded since."""

    service: str
    asked_at: datetime | None  # first approval request (token) for this service
    reminders_sent: int = 0
    last_reminded_at: datetime | None = None

    @property
    def waiting_since(self) -> datetime | None:
        """The mail the leads have left unanswered: the last reminder, else the request."""
        return self.last_reminded_at or self.asked_at


@dataclass(frozen=True)
class OpenRequest:
    """An open request as the time-based rules see it."""

    view: RequestView
    last_activity: datetime  # creation or the latest mail received on the request
    reminders_sent: int = 0  # reminders to the requester (incomplete requests)
    answered: bool = True  # False for backlog requests: we never wrote to them
    services: tuple[ServiceClock, ...] = ()


@dataclass(frozen=True)
class Chase:
    """What is due on one request: the outcome to record and the counters to move."""

    outcome: Outcome
    requester_reminded: bool = False
    services_reminded: tuple[str, ...] = ()


class IncompleteStep(enum.Enum):
    NONE = "none"
    REMIND = "remind"
    EXPIRE = "expire"


def incomplete_step(item: OpenRequest, rules: Reminders, now: datetime) -> IncompleteStep:
    """An incomplete request is reminded once, then expired, both counted from its last mail."""
    if item.view.state is not State.INCOMPLETE:
        return IncompleteStep.NONE
    quiet = now - item.last_activity
    if quiet >= timedelta(days=rules.incomplete_close_days):
        return IncompleteStep.EXPIRE
    if (
        item.answered
        and item.reminders_sent == 0
        and quiet >= timedelta(days=rules.incomplete_after_days)
    ):
        return IncompleteStep.REMIND
    return IncompleteStep.NONE


# The states whose services wait on their leads: an approval, or an offboarding's removal.
LEADS_ASKED = (State.AWAITING_APPROVAL, State.AWAITING_REMOVAL)


def _pending(item: OpenRequest) -> tuple[ServiceClock, ...]:
    if item.view.state not in LEADS_ASKED:
        return ()
    pending = {s.service for s in item.view.services if s.decision is Decision.PENDING}
    return tuple(c for c in item.services if c.service in pending and c.waiting_since)


def _overdue(clock: ServiceClock, rules: Reminders, now: datetime) -> bool:
    since = clock.waiting_since
    return since is not None and now - since >= timedelta(days=rules.approval_after_days)


def approval_due(clock: ServiceClock, rules: Reminders, now: datetime) -> bool:
    """A pending service's leads are reminded every approval_after_days, up to the limit."""
    return clock.reminders_sent < rules.max_approval_reminders and _overdue(clock, rules, now)


def escalated(clock: ServiceClock, rules: Reminders, now: datetime) -> bool:
    """Every reminder was sent and the last one, too, went unanswered for its full period."""
    return clock.reminders_sent >= rules.max_approval_reminders and _overdue(clock, rules, now)


def escalations(item: OpenRequest, rules: Reminders, now: datetime) -> tuple[ServiceClock, ...]:
    """The pending services of this request that the digest must put in front of staff."""
    return tuple(c for c in _pending(item) if escalated(c, rules, now))


def is_due(item: OpenRequest, rules: Reminders, now: datetime) -> bool:
    """Whether `chase` would do anything, without rendering a mail."""
    if incomplete_step(item, rules, now) is not IncompleteStep.NONE:
        return True
    return any(approval_due(c, rules, now) for c in _pending(item))


def chase(item: OpenRequest, policy: Policy, renderer: Renderer, now: datetime) -> Chase | None:
    """What is due on this request at `now`, or None; never sends, never stores."""
    rules = policy.reminders
    step = incomplete_step(item, rules, now)
    if step is IncompleteStep.EXPIRE:
        return _expire(item, policy, renderer, now)
    if step is IncompleteStep.REMIND:
        return _remind_requester(item, policy, renderer, now)
    due = tuple(c for c in _pending(item) if approval_due(c, rules, now))
    if not due:
        return None
    return _remind_leads(item, due, policy, renderer, now)


def _days(since: datetime, now: datetime) -> int:
    return max((now - since).days, 0)


def _remind_requester(
    item: OpenRequest, policy: Policy, renderer: Renderer, now: datetime
) -> Chase:
    view = item.view
    rules = policy.reminders
    closes_on = item.last_activity + timedelta(days=rules.incomplete_close_days)
    context = base_context(policy, view, view.requester.name) | {
        "quiet_days": _days(item.last_activity, now),
        "closes_on": closes_on,
    }
    mail = renderer.mail(
        "reminder",
        "requester/reminder",
        f"[{view.reference}] Reminder: information still needed for your onboarding request",
        context,
        to=(view.requester,),
        reference=view.reference,
        auto_submitted=AUTO_GENERATED,
    )
    event = AuditEntry("reminder-sent", None, {"to": "requester", "round": 1})
    outcome = Outcome("reminder", request=view, events=(event,), outgoing=(mail,))
    return Chase(outcome, requester_reminded=True)


def _expire(item: OpenRequest, policy: Policy, renderer: Renderer, now: datetime) -> Chase:
    view = dataclasses.replace(item.view, state=check_transition(item.view.state, State.EXPIRED))
    detail: dict[str, object] = {"quiet_days": _days(item.last_activity, now)}
    mails: tuple[OutgoingMail, ...] = ()
    if item.answered:
        context = base_context(policy, view, view.requester.name) | {
            "quiet_days": _days(item.last_activity, now),
        }
        mails = (
            renderer.mail(
                "expired",
                "requester/expired",
                f"[{view.reference}] Your onboarding request was closed",
                context,
                to=(view.requester,),
                reference=view.reference,
                auto_submitted=AUTO_GENERATED,
            ),
        )
    else:
        # Backlog mail was never answered (design §9); closing it must not start now.
        detail["notice"] = "not sent: the request's mail was never answered"
    event = AuditEntry("request-expired", None, detail)
    return Chase(Outcome("expired", request=view, events=(event,), outgoing=mails))


def _remind_leads(
    item: OpenRequest,
    due: tuple[ServiceClock, ...],
    policy: Policy,
    renderer: Renderer,
    now: datetime,
) -> Chase:
    view = item.view
    mails: list[OutgoingMail] = []
    events: list[AuditEntry] = []
    for clock in due:
        leads = policy.leads_of(clock.service)
        number = clock.reminders_sent + 1
        for lead in leads:
            mails.append(_lead_reminder(item, clock, lead, number, policy, renderer, now))
        events.append(
            AuditEntry(
                "reminder-sent",
                None,
                {"to": "leads", "service": clock.service, "round": number, "leads": len(leads)},
            )
        )
    outcome = Outcome("reminder", request=view, events=tuple(events), outgoing=tuple(mails))
    return Chase(outcome, services_reminded=tuple(c.service for c in due))


def _lead_reminder(
    item: OpenRequest,
    clock: ServiceClock,
    lead: str,
    number: int,
    policy: Policy,
    renderer: Renderer,
    now: datetime,
) -> OutgoingMail:
    view = item.view
    rules = policy.reminders
    context = base_context(policy, view) | {
        "service": policy.service(clock.service),
        "lead": lead,
        "waiting_days": _days(clock.asked_at or view.created_at, now),
        "reminder_number": number,
        "reminder_limit": rules.max_approval_reminders,
    }
    removal = view.state is State.AWAITING_REMOVAL
    return renderer.mail(
        "reminder",
        "lead/removal_reminder" if removal else "lead/reminder",
        f"[{view.reference}] Reminder: {'removal' if removal else 'approval'} needed: "
        f"{clock.service} for {view.organization}",
        context,
        to=(Address("", lead),),
        reference=view.reference,
        auto_submitted=AUTO_GENERATED,
        # The same grant as the first request: a reply to the reminder answers it as well.
        grant=Grant("removal" if removal else "approval", lead, clock.service),
    )
