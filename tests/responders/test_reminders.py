"""Reminders, expiry and escalation judged in memory, to the minute."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from onboardd.parsers.model import Address, CorEvidence, CorStatus
from onboardd.responders.reminders import (
    OpenRequest,
    ServiceClock,
    chase,
    escalations,
    is_due,
)
from onboardd.responders.state import Decision, State
from onboardd.responders.view import RequestView, ServiceDecision
from tests.responders.support import NOW, policy, renderer

DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)
JANE = Address("Jane Doe", "jane.doe@acmehealth.example.com")


def incomplete(**changes: object) -> OpenRequest:
    view = RequestView(
        reference="ONB-2026-0007",
        state=State.INCOMPLETE,
        requester=JANE,
        created_at=NOW,
        organization="Acme Health Solutions",
        services=(ServiceDecision("Jira"),),
    )
    return dataclasses.replace(OpenRequest(view=view, last_activity=NOW), **changes)  # type: ignore[arg-type]


def waiting(*clocks: ServiceClock) -> OpenRequest:
    view = RequestView(
        reference="ONB-2026-0008",
        state=State.AWAITING_APPROVAL,
        requester=JANE,
        created_at=NOW,
        organization="Acme Health Solutions",
        justification="defect tracking",
        user_count=25,
        services=tuple(ServiceDecision(c.service) for c in clocks),
        cor=CorEvidence(CorStatus.VERIFIED, "dana.smith@cms.example.gov", "Dana Smith"),
    )
    return OpenRequest(view=view, last_activity=NOW, services=clocks)


def test_incomplete_request_is_reminded_once_after_three_quiet_days() -> None:
    rules = policy().reminders
    item = incomplete()
    assert chase(item, policy(), renderer(), NOW + 3 * DAY - MINUTE) is None
    result = chase(item, policy(), renderer(), NOW + 3 * DAY)
    assert result is not None and result.requester_reminded
    [mail] = result.outcome.outgoing
    assert mail.kind == "reminder" and mail.auto_submitted == "auto-generated"
    assert mail.to == (JANE,) and mail.reference == "ONB-2026-0007" and mail.grant is None
    assert "[ONB-2026-0007]" in mail.subject
    assert "Business Justification for Use of Service" in mail.text  # still missing, so listed
    assert "07 December 2026" in mail.text  # when it closes: 14 days after the last mail
    assert result.outcome.request is not None
    assert result.outcome.request.state is State.INCOMPLETE
    assert [e.kind for e in result.outcome.events] == ["reminder-sent"]
    # The counter is what makes a second pass, or a later one, quiet.
    reminded = incomplete(reminders_sent=1)
    assert not is_due(reminded, rules, NOW + 3 * DAY)
    assert chase(reminded, policy(), renderer(), NOW + 13 * DAY) is None


def test_a_reply_restarts_the_quiet_days() -> None:
    item = incomplete(last_activity=NOW + 2 * DAY)
    assert chase(item, policy(), renderer(), NOW + 4 * DAY) is None
    assert chase(item, policy(), renderer(), NOW + 5 * DAY) is not None


def test_incomplete_request_expires_after_fourteen_quiet_days_with_a_notice() -> None:
    item = incomplete(reminders_sent=1)
    assert chase(item, policy(), renderer(), NOW + 14 * DAY - MINUTE) is None
    result = chase(item, policy(), renderer(), NOW + 14 * DAY)
    assert result is not None and not result.requester_reminded
    assert result.outcome.request is not None
    assert result.outcome.request.state is State.EXPIRED
    [mail] = result.outcome.outgoing
    assert mail.kind == "expired" and mail.auto_submitted == "auto-generated"
    assert "14 days" in mail.text and "ONB-2026-0007" in mail.text
    assert [e.kind for e in result.outcome.events] == ["request-expired"]


def test_a_request_never_reminded_expires_without_a_reminder_first() -> None:
    # The daemon was down for two weeks: the expiry notice alone goes out.
    result = chase(incomplete(), policy(), renderer(), NOW + 20 * DAY)
    assert result is not None
    assert [m.kind for m in result.outcome.outgoing] == ["expired"]


def test_backlog_requests_are_never_mailed_but_still_expire() -> None:
    item = incomplete(answered=False)
    assert chase(item, policy(), renderer(), NOW + 5 * DAY) is None
    result = chase(item, policy(), renderer(), NOW + 14 * DAY)
    assert result is not None and result.outcome.outgoing == ()
    assert result.outcome.request is not None
    assert result.outcome.request.state is State.EXPIRED
    [event] = result.outcome.events
    assert "never answered" in event.detail["notice"]


def test_lead_reminder_every_two_days_with_the_approval_grant() -> None:
    asked = ServiceClock("ServiceNow", asked_at=NOW)
    item = waiting(asked)
    assert chase(item, policy(), renderer(), NOW + 2 * DAY - MINUTE) is None
    result = chase(item, policy(), renderer(), NOW + 2 * DAY)
    assert result is not None and result.services_reminded == ("ServiceNow",)
    mails = result.outcome.outgoing
    # ServiceNow has two leads in the example catalog: each gets its own token.
    assert [m.to[0].email for m in mails] == [
        "itsm.lead@cms.example.gov",
        "itsm.deputy@cms.example.gov",
    ]
    for mail in mails:
        assert mail.kind == "reminder" and mail.auto_submitted == "auto-generated"
        assert mail.grant is not None
        assert (mail.grant.scope, mail.grant.service) == ("approval", "ServiceNow")
        assert mail.grant.address == mail.to[0].email
        assert "Reminder 1 of 3" in mail.text
    # Counted from the last reminder, not from the first request.
    reminded = ServiceClock("ServiceNow", NOW, reminders_sent=1, last_reminded_at=NOW + 2 * DAY)
    assert chase(waiting(reminded), policy(), renderer(), NOW + 4 * DAY - MINUTE) is None
    again = chase(waiting(reminded), policy(), renderer(), NOW + 4 * DAY)
    assert again is not None and "Reminder 2 of 3" in again.outcome.outgoing[0].text


def test_after_the_last_reminder_the_digest_escalates() -> None:
    rules = policy().reminders
    last = NOW + 6 * DAY
    spent = ServiceClock("Jira", NOW, reminders_sent=3, last_reminded_at=last)
    item = waiting(spent)
    assert chase(item, policy(), renderer(), NOW + 30 * DAY) is None
    # The last reminder gets its full two days before the digest names it.
    assert escalations(item, rules, last + 2 * DAY - MINUTE) == ()
    assert escalations(item, rules, last + 2 * DAY) == (spent,)


def test_only_pending_services_are_chased() -> None:
    jira = ServiceClock("Jira", NOW)
    slack = ServiceClock("Slack", NOW)
    item = waiting(jira, slack)
    decided = dataclasses.replace(
        item.view,
        services=(
            ServiceDecision("Jira", Decision.APPROVED, "jira.lead@cms.example.gov", NOW),
            ServiceDecision("Slack"),
        ),
    )
    result = chase(dataclasses.replace(item, view=decided), policy(), renderer(), NOW + 2 * DAY)
    assert result is not None and result.services_reminded == ("Slack",)
    assert [m.to[0].email for m in result.outcome.outgoing] == ["collab.lead@cms.example.gov"]


def test_awaiting_cor_and_closed_requests_have_no_timed_steps() -> None:
    for state in (State.AWAITING_COR, State.APPROVED, State.EXPIRED):
        item = incomplete()
        item = dataclasses.replace(item, view=dataclasses.replace(item.view, state=state))
        assert chase(item, policy(), renderer(), NOW + 60 * DAY) is None
