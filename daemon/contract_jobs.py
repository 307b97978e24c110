"""The contracts' time-based steps, each sent once per contract (marked in the same
transaction as its mail is queued, so a second run sends nothing): when a period of
performance starts, the contractor is asked to name its Security Official and SPOC;
some days after the first welcome package, the post-onboarding survey; and some weeks
before the period ends, the offboarding notice; once it has ended, the offboarding
itself (daemon/offboarding.py), unless one is in progress or done."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from onboardd.daemon.offboarding import open_ended
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
from onboardd.responders.view import OutgoingMail
from onboardd.store import contracts, offboarding
from onboardd.store.engine import transaction
from onboardd.store.models import Contract

log = logging.getLogger("onboardd.jobs")

# A notice is reminded of only once it has had this long: a contract recorded late,
# whose notice went out near the end, gets no reminder on its heels.
NOTICE_BEFORE_REMINDER = timedelta(days=7)


@dataclass
class ContractSteps:
    """How many of each contract step went out in one run."""

    contractors_asked: int = 0
    contractors_reminded: int = 0
    surveys_sent: int = 0
    offboarding_notices: int = 0
    offboarding_reminders: int = 0  # the notice's one reminder, nothing done meanwhile
    offboardings_opened: int = 0  # their end date passed with none in progress


# One step's mail: the contract it marks, the letter, the request it belongs to (if
# any) and the mailbox whose address sends it.
Due = tuple[Contract, OutgoingMail, int | None, str]


def run_contract_steps(
    factory: sessionmaker[Session],
    policy: Policy,
    renderer: Renderer,
    sender_for: Callable[[str], Sender],
    mailbox: str,
    now: datetime,
    limit: int,
) -> ContractSteps:
    """Every contract step due at `now`, each in a transaction of its own."""
    today = now.date()
    steps = ContractSteps()

    def send_once(mark: str, what: str, due: Callable[[Session], list[Due]]) -> int:
        with transaction(factory) as session:
            rows = due(session)
            for contract, mail, request_id, from_mailbox in rows:
                enqueue_all(session, (mail,), request_id=request_id,
                            sender=sender_for(from_mailbox), now=now)
                setattr(contract, mark, now)
                log.info("contract %s: %s", contract.number, what)
            return len(rows)

    # When a period starts: the contractor names its SO and SPOC.
    steps.contractors_asked = send_once(
        "contacts_requested_at", "contractor asked for its SO and SPOC", lambda session: [
            (row, contacts_request(contract_view_of(row), policy, renderer, today), None,
             mailbox)
            for row in contracts.due_for_contacts(session, today, limit)])
    # A day after they were due: one reminder (the digest goes on listing the contract).
    asked_before = now - timedelta(days=CONTACTS_DUE_DAYS + 1)
    steps.contractors_reminded = send_once(
        "contacts_reminded_at", "contractor reminded of its SO and SPOC", lambda session: [
            (row, contacts_reminder(contract_view_of(row), policy, renderer), None, mailbox)
            for row in contracts.contacts_overdue(session, asked_before, unreminded=True,
                                                  limit=limit)])
    # Some days after the first welcome package: the survey, where there is one.
    if policy.survey.url:
        welcomed_before = now - timedelta(days=policy.survey.days_after_welcome)
        steps.surveys_sent = send_once("survey_sent_at", "survey sent", lambda session: [
            (contract, survey_invitation(contract_view_of(contract), view_of(request), policy,
                                         renderer), request.id, request.mailbox)
            for contract, request in contracts.due_for_survey(session, welcomed_before,
                                                              limit)])
    def notice(session: Session, row: Contract, reminder: bool) -> Due:
        return (row, offboarding_notice(contract_view_of(row),
                                        tuple(contracts.approved_services(session, row.id)),
                                        policy, renderer, today, reminder=reminder),
                None, mailbox)

    # Some weeks before the period ends: the offboarding notice.
    ends_by = today + timedelta(days=policy.contracts.offboarding_notice_days)
    steps.offboarding_notices = send_once(
        "offboarding_notice_at", "offboarding notice sent", lambda session: [
            notice(session, row, False)
            for row in contracts.due_for_offboarding(session, ends_by, limit)])
    # Some weeks later, with no offboarding under way: the notice's one reminder.
    reminder_days = policy.contracts.offboarding_reminder_days
    if reminder_days:
        steps.offboarding_reminders = send_once(
            "offboarding_reminded_at", "offboarding notice reminded", lambda session: [
                notice(session, row, True)
                for row in offboarding.notice_to_remind(
                    session, today, today + timedelta(days=reminder_days),
                    now - NOTICE_BEFORE_REMINDER, limit)])
    # Once the period has ended: its offboarding, unless one is in progress or done.
    steps.offboardings_opened = open_ended(factory, policy, renderer, sender_for(mailbox),
                                           mailbox, now, limit)
    return steps
