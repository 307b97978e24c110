"""Reminders and expiry against the database: one transaction per request that has work due."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from onboardd.daemon.apply import record_outcome
from onboardd.daemon.contract_jobs import ContractSteps
from onboardd.daemon.outgoing import Sender
from onboardd.daemon.records import view_of
from onboardd.responders.policy import Policy
from onboardd.responders.reminders import OpenRequest, ServiceClock, chase, is_due
from onboardd.responders.render import Renderer
from onboardd.responders.state import State
from onboardd.store import reminder_queries as queries
from onboardd.store.models import Request
from onboardd.store.reminder_queries import RequestClocks

log = logging.getLogger("onboardd.jobs")

# Only these states have time-based steps; awaiting_cor waits for the COR alone (an
# offboarding's leads are reminded like an approval's).
CHASED_STATES = (State.INCOMPLETE.value, State.AWAITING_APPROVAL.value,
                 State.AWAITING_REMOVAL.value)


@dataclass
class ChaseReport:
    requesters_reminded: int = 0
    leads_reminded: int = 0  # reminder mails to leads (one per lead per service)
    expired: int = 0
    failed: int = 0  # requests whose work raised (logged; tried again next run)
    more_due: int = 0  # requests left for the next run by `limit`
    contracts: ContractSteps = field(default_factory=ContractSteps)

    def __str__(self) -> str:
        failed = f", {self.failed} failed (see the log)" if self.failed else ""
        more = f", {self.more_due} more due at the next run" if self.more_due else ""
        steps = self.contracts
        asked = "".join(f", {text.format(n)}" for n, text in (
            (steps.contractors_asked, "asked {} contractor(s) for their SO and SPOC"),
            (steps.contractors_reminded, "reminded {} contractor(s) of their SO and SPOC"),
            (steps.surveys_sent, "sent {} survey(s)"),
            (steps.offboarding_notices, "sent {} offboarding notice(s)"),
            (steps.offboarding_reminders, "reminded {} contract(s) of their offboarding"),
            (steps.offboardings_opened, "opened {} offboarding(s)")) if n)
        return (
            f"reminded {self.requesters_reminded} requester(s) and "
            f"{self.leads_reminded} lead(s), expired {self.expired}{asked}{failed}{more}"
        )


def open_request(row: Request, clocks: RequestClocks) -> OpenRequest:
    asked = clocks.asked.get(row.id, {})
    last = clocks.last_mail.get(row.id)
    return OpenRequest(
        view=view_of(row),
        last_activity=max(row.created_at, last) if last else row.created_at,
        reminders_sent=row.reminders_sent,
        answered=row.id in clocks.answered,
        services=tuple(
            ServiceClock(s.service, asked.get(s.service), s.reminders_sent, s.last_reminded_at)
            for s in row.services
        ),
    )


def chase_requests(
    factory: sessionmaker[Session],
    policy: Policy,
    renderer: Renderer,
    sender_for: Callable[[str], Sender],
    now: datetime,
    limit: int | None = None,
) -> ChaseReport:
    """Send every reminder and expiry due at `now`; running it again at `now` finds nothing.

    `limit` bounds the requests handled in one call, oldest first (the service's hourly
    job uses it so a large backlog cannot stall the mail loop; the rest follows at the
    next run). None handles everything due.

    A first read finds the candidates; each is then re-read in its own transaction,
    locked where the database can, and judged again, so two instances (or a run that
    overlaps a crashed one) cannot send the same reminder twice.
    """
    report = ChaseReport()
    with factory() as session:
        found = _load(session)
        due = [
            row.id
            for row in found.rows
            if is_due(open_request(row, found.clocks), policy.reminders, now)
        ]
    if limit is not None and len(due) > limit:
        report.more_due = len(due) - limit
        due = due[:limit]
    for request_id in due:
        try:
            with factory() as session, session.begin():
                row = queries.lock_request_with_services(session, request_id)
                if row is None or row.state not in CHASED_STATES:
                    continue
                fresh = queries.request_clocks(session, [row.state], row.id)
                _apply(session, row, fresh, policy, renderer, sender_for, now, report)
        except DBAPIError:
            raise  # the database is gone: the whole job waits for its next run
        except Exception:
            # One request that cannot be rendered or recorded must not hold up the rest;
            # its transaction rolled back, so it is tried again at the next run.
            report.failed += 1
            log.exception("request id %d: time-based work failed", request_id)
    if due:
        log.info("time-based work as of %s: %s", now.isoformat(timespec="minutes"), report)
    return report


@dataclass(frozen=True)
class _Found:
    rows: list[Request]
    clocks: RequestClocks


def _load(session: Session) -> _Found:
    rows = queries.requests_in_states(session, CHASED_STATES)
    return _Found(list(rows), queries.request_clocks(session, CHASED_STATES))


def _apply(
    session: Session,
    row: Request,
    found: RequestClocks,
    policy: Policy,
    renderer: Renderer,
    sender_for: Callable[[str], Sender],
    now: datetime,
    report: ChaseReport,
) -> None:
    result = chase(open_request(row, found), policy, renderer, now)
    if result is None:
        return
    sender = sender_for(row.mailbox)
    record_outcome(session, result.outcome, found=row, mailbox=row.mailbox, sender=sender, now=now)
    if result.requester_reminded:
        row.reminders_sent += 1
        report.requesters_reminded += 1
    for service in row.services:
        if service.service in result.services_reminded:
            service.reminders_sent += 1
            service.last_reminded_at = now
    report.leads_reminded += sum(1 for m in result.outcome.outgoing if m.grant is not None)
    if result.outcome.request is not None and result.outcome.request.state is State.EXPIRED:
        report.expired += 1
    log.info("%s: %s", row.reference, result.outcome.verdict)
