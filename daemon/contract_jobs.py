"""The contracts' time-based steps, each sent once per contract (marked in the same
transaction as its mail is queued, so a second run sends nothing): when a period of
performance starts, the contractor is asked to name its Security Official and SPOC;
some days after the first welcome package, the post-onboarding survey; and some weeks
before the period ends, the offboarding notice."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from onboardd.daemon.outgoing import Sender, enqueue_all
from onboardd.daemon.records import contract_view_of, view_of
from onboardd.responders.contracts import (
    CONTACTS_DUE_DAYS,
    contacts_reminder,
    contacts_request,
    offboarding_notice,
    survey_invitation,
)
from onboardd.responders.policy import Policy
from onboardd.responders.render import Renderer
from onboardd.store import contracts
from onboardd.store.engine import transaction

log = logging.getLogger("onboardd.jobs")


def ask_for_contacts(
    factory: sessionmaker[Session],
    policy: Policy,
    renderer: Renderer,
    sender_for: Callable[[str], Sender],
    mailbox: str,
    now: datetime,
    limit: int,
) -> int:
    """Ask each contractor whose period started by `now` for its SO and SPOC; how many."""
    with transaction(factory) as session:
        due = contracts.due_for_contacts(session, now.date(), limit)
        for row in due:
            mail = contacts_request(contract_view_of(row), policy, renderer, now.date())
            enqueue_all(session, (mail,), request_id=None, sender=sender_for(mailbox), now=now)
            row.contacts_requested_at = now
            log.info("contract %s: contractor asked for its SO and SPOC", row.number)
        return len(due)


def remind_for_contacts(
    factory: sessionmaker[Session],
    policy: Policy,
    renderer: Renderer,
    sender_for: Callable[[str], Sender],
    mailbox: str,
    now: datetime,
    limit: int,
) -> int:
    """One reminder to each contractor whose SO or SPOC is a day overdue; how many. The
    digest goes on listing the contract until they are named."""
    asked_before = now - timedelta(days=CONTACTS_DUE_DAYS + 1)
    with transaction(factory) as session:
        due = contracts.contacts_overdue(session, asked_before, unreminded=True, limit=limit)
        for row in due:
            mail = contacts_reminder(contract_view_of(row), policy, renderer)
            enqueue_all(session, (mail,), request_id=None, sender=sender_for(mailbox), now=now)
            row.contacts_reminded_at = now
            log.info("contract %s: contractor reminded of its SO and SPOC", row.number)
        return len(due)


def send_surveys(
    factory: sessionmaker[Session],
    policy: Policy,
    renderer: Renderer,
    sender_for: Callable[[str], Sender],
    now: datetime,
    limit: int,
) -> int:
    """The survey to each contract welcomed `survey.days_after_welcome` days ago; how many.
    Nothing without `survey.url`."""
    if not policy.survey.url:
        return 0
    welcomed_before = now - timedelta(days=policy.survey.days_after_welcome)
    with transaction(factory) as session:
        due = contracts.due_for_survey(session, welcomed_before, limit)
        for contract, request in due:
            mail = survey_invitation(contract_view_of(contract), view_of(request), policy,
                                     renderer)
            enqueue_all(session, (mail,), request_id=request.id,
                        sender=sender_for(request.mailbox), now=now)
            contract.survey_sent_at = now
            log.info("contract %s: survey sent", contract.number)
        return len(due)


def send_offboarding_notices(
    factory: sessionmaker[Session],
    policy: Policy,
    renderer: Renderer,
    sender_for: Callable[[str], Sender],
    mailbox: str,
    now: datetime,
    limit: int,
) -> int:
    """The offboarding notice for each contract whose period ends within
    `contracts.offboarding_notice_days`; how many."""
    ends_by = now.date() + timedelta(days=policy.contracts.offboarding_notice_days)
    with transaction(factory) as session:
        due = contracts.due_for_offboarding(session, ends_by, limit)
        for row in due:
            services = tuple(contracts.approved_services(session, row.id))
            mail = offboarding_notice(contract_view_of(row), services, policy, renderer,
                                      now.date())
            enqueue_all(session, (mail,), request_id=None, sender=sender_for(mailbox), now=now)
            row.offboarding_notice_at = now
            log.info("contract %s: offboarding notice sent", row.number)
        return len(due)
