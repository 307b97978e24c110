"""Status by email: anyone on a request who asks where it stands gets a status notice;
a lead's or COR's own reply is still read for a decision; others get the usual help."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from onboardd.parsers.facts import asks_status
from onboardd.parsers.model import Address, CorEvidence, CorStatus
from onboardd.responders.intake import Inbound, handle_inbound
from onboardd.responders.state import Decision, State
from onboardd.responders.view import RequestView, SenderHistory, ServiceDecision, TokenView
from tests.parsers.support import mail
from tests.responders.support import NOW, policy, renderer

JANE = Address("Jane Doe", "jane.doe@acmehealth.example.com")


def request(state: State, **changes: object) -> RequestView:
    view = RequestView(
        reference="ONB-2026-0031",
        state=state,
        requester=JANE,
        created_at=NOW - timedelta(days=9),
        organization="Acme Health Solutions",
        justification="Analysts track defects.",
        user_count=25,
        services=(ServiceDecision("Jira"), ServiceDecision("Confluence")),
        cor=CorEvidence(CorStatus.VERIFIED, "dana.smith@cms.example.gov", "Dana Smith"),
    )
    return dataclasses.replace(view, **changes)  # type: ignore[arg-type]


def asking(sender: str, body: str, view: RequestView, **changes: object) -> Inbound:
    parsed = mail(f"From: {sender}\nSubject: RE: [ONB-2026-0031] We received your request",
                  body)
    base = Inbound(mail=parsed, policy=policy(), renderer=renderer(), now=NOW,
                   new_reference="ONB-2026-0099", found=view)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


@pytest.mark.parametrize("text", [
    "Status?",
    "Hi team,\n\nAny update on this one?",
    "Where does our request stand?",
    "Just checking in on ONB-2026-0031.",
    "Has our request been approved yet?",
    "How is the request going? We have new staff starting Monday.",
    "Following up on our Jira request.",
])
def test_questions_about_where_a_request_stands(text: str) -> None:
    assert asks_status(text)


@pytest.mark.parametrize("text", [
    "Thanks, got it.",
    "Approved.",
    "Please withdraw this request.",
    "Justification: analysts track defects in the claims system",
    "We will update the user list next week.",
])
def test_other_mail_asks_nothing(text: str) -> None:
    assert not asks_status(text)


def test_the_requester_waiting_on_leads_gets_the_status_with_whom_it_waits_on() -> None:
    view = request(State.AWAITING_APPROVAL, services=(
        ServiceDecision("Jira", Decision.APPROVED, "jira.lead@cms.example.gov", NOW),
        ServiceDecision("Confluence")))
    outcome = handle_inbound(asking("Jane Doe <jane.doe@acmehealth.example.com>",
                                    "Hi,\n\nAny update?\n\nJane", view))
    assert outcome.verdict == "status"
    assert outcome.request == view  # asking changes nothing
    [notice] = outcome.outgoing
    assert notice.kind == "status" and [a.email for a in notice.to] == [JANE.email]
    assert notice.subject == "[ONB-2026-0031] Status of your onboarding request"
    text = " ".join(notice.text.split())
    assert "is with the Service Lead(s)" in text
    assert "Confluence: the Service Lead confluence.lead@cms.example.gov" in text
    assert "Jira: approved on" in text
    assert [e.kind for e in outcome.events] == ["status-asked"]


def test_a_colleague_of_the_requester_and_the_so_may_ask() -> None:
    view = request(State.AWAITING_COR, security_official=Address("Sam Lee",
                                                                 "sam.lee@partner.example.net"))
    for sender in ("Ann Roe <ann.roe@acmehealth.example.com>",
                   "Sam Lee <sam.lee@partner.example.net>"):
        outcome = handle_inbound(asking(sender, "Where does this stand?", view))
        assert [m.kind for m in outcome.outgoing] == ["status"], sender
        text = " ".join(outcome.outgoing[0].text.split())
        assert "waiting for the COR, Dana Smith <dana.smith@cms.example.gov>" in text
        assert "Waiting for a decision" not in text  # the leads are not asked yet


def test_a_closed_request_answers_with_how_it_ended() -> None:
    view = request(State.DENIED, services=(
        ServiceDecision("Jira", Decision.DENIED, "jira.lead@cms.example.gov", NOW,
                        "They already have Jira under another contract."),))
    outcome = handle_inbound(asking("Jane Doe <jane.doe@acmehealth.example.com>",
                                    "What's the status of this?", view))
    [notice] = outcome.outgoing
    text = " ".join(notice.text.split())
    assert "It was not approved" in text
    assert "(They already have Jira under another contract.)" in text


def test_a_stranger_quoting_the_reference_gets_only_the_usual_help() -> None:
    outcome = handle_inbound(asking("Eve <eve@elsewhere.example.org>", "Status?",
                                    request(State.AWAITING_APPROVAL)))
    assert [m.kind for m in outcome.outgoing] == ["help"]
    assert outcome.request is None


def test_a_lead_with_a_token_is_read_for_a_decision_not_answered_with_status() -> None:
    token = TokenView("t1", "approval", "jira.lead@cms.example.gov", "Jira", expired=False,
                      spent=False, clarified=False, via="thread")
    outcome = handle_inbound(asking("Jira Lead <jira.lead@cms.example.gov>",
                                    "What is the status of the COR? Approved.",
                                    request(State.AWAITING_APPROVAL), tokens=(token,)))
    assert outcome.verdict != "status"
    assert all(m.kind != "status" for m in outcome.outgoing)


def test_an_incomplete_request_answers_with_the_missing_fields_notice() -> None:
    view = request(State.INCOMPLETE, justification=None)
    outcome = handle_inbound(asking("Jane Doe <jane.doe@acmehealth.example.com>",
                                    "Any update?", view))
    assert [m.kind for m in outcome.outgoing] == ["missing-fields"]


def test_status_notices_are_rate_limited_like_every_answer() -> None:
    outcome = handle_inbound(asking(
        "Jane Doe <jane.doe@acmehealth.example.com>", "Status?",
        request(State.AWAITING_APPROVAL), history=SenderHistory(replies_last_hour=99)))
    assert outcome.outgoing == ()
    assert "rate-limited" in [e.kind for e in outcome.events]
