"""The intake workflow, decided from fixture mails in memory: no mailbox, no database."""

from __future__ import annotations

import dataclasses

import pytest

from onboardd.parsers.facts import extract_facts
from onboardd.parsers.model import Address, CorEvidence, CorStatus
from onboardd.responders.context import greeting_name
from onboardd.responders.intake import Inbound, handle_inbound
from onboardd.responders.state import State
from onboardd.responders.view import RequestView, SenderHistory, ServiceDecision
from tests.parsers.support import fixture, mail
from tests.responders.support import NOW, policy, renderer

JANE = "From: Jane Doe <jane.doe@acmehealth.example.com>\nSubject: Access request"
COMPLETE = (
    "Organization: Acme Health\nServices: Jira and Confluence\n"
    "Justification: analysts track defects\nUsers: 20-30\n"
    "COR approval: approved by Dana Smith <dana.smith@cms.example.gov>\n"
)


def inbound(parsed, **changes) -> Inbound:  # type: ignore[no-untyped-def]
    base = Inbound(
        mail=parsed, policy=policy(), renderer=renderer(), now=NOW, new_reference="ONB-2026-0007"
    )
    return dataclasses.replace(base, **changes)


def incomplete_view() -> RequestView:
    return RequestView(
        reference="ONB-2026-0003",
        state=State.INCOMPLETE,
        requester=Address("Jane Doe", "jane.doe@acmehealth.example.com"),
        created_at=NOW,
        organization="Acme Health Solutions",
        services=(ServiceDecision("Jira"),),
        user_count=25,
    )


def test_complete_request_with_stated_cor_is_acknowledged_and_the_cor_asked() -> None:
    outcome = handle_inbound(inbound(mail(JANE, COMPLETE)))
    assert outcome.created and outcome.verdict == "request-created"
    view = outcome.request
    assert view is not None
    assert view.state is State.AWAITING_COR
    assert view.organization == "Acme Health Solutions"  # the directory's name for the alias
    assert view.service_names == ("Jira", "Confluence")
    assert view.user_count == 30  # a range counts as its upper bound
    ack, confirmation = outcome.outgoing
    assert (ack.kind, ack.to[0].email, ack.grant) == (
        "acknowledgment",
        "jane.doe@acmehealth.example.com",
        None,
    )
    assert ack.subject.startswith("[ONB-2026-0007]")
    assert confirmation.kind == "cor-confirmation"
    assert (
        confirmation.grant is not None
        and confirmation.grant.address == "dana.smith@cms.example.gov"
    )


def test_request_from_the_cor_asks_every_lead_of_every_service() -> None:
    cor = "From: Dana Smith <dana.smith@cms.example.gov>\nSubject: Access for Acme"
    outcome = handle_inbound(
        inbound(mail(cor, COMPLETE.replace("Jira and Confluence", "ServiceNow, Jira")))
    )
    assert outcome.request is not None and outcome.request.state is State.AWAITING_APPROVAL
    asks = [(m.grant.service, m.grant.address) for m in outcome.outgoing if m.grant]
    assert asks == [
        ("ServiceNow", "itsm.lead@cms.example.gov"),
        ("ServiceNow", "itsm.deputy@cms.example.gov"),
        ("Jira", "jira.lead@cms.example.gov"),
    ]


def test_verified_cor_without_authentication_falls_back_to_confirmation() -> None:
    strict = policy().model_copy(
        update={
            "trust": policy().trust.model_copy(update={"authserv_id": "mx.onboard.example.gov"})
        }
    )
    cor = "From: Dana Smith <dana.smith@cms.example.gov>\nSubject: Access for Acme"
    outcome = handle_inbound(inbound(mail(cor, COMPLETE), policy=strict))
    assert outcome.request is not None
    assert outcome.request.state is State.AWAITING_COR
    assert outcome.request.cor.status is CorStatus.STATED


def test_stated_cor_outside_the_cor_directory_counts_as_missing() -> None:
    text = COMPLETE.replace("dana.smith@cms.example.gov", "pal@acmehealth.example.com")
    outcome = handle_inbound(inbound(mail(JANE, text)))
    assert outcome.request is not None and outcome.request.state is State.INCOMPLETE
    assert outcome.request.cor.status is CorStatus.MISSING
    [notice] = outcome.outgoing
    assert "not a recognised COR address" in notice.text


def test_missing_fields_notice_quotes_what_was_read_and_lists_the_rest() -> None:
    partial = handle_inbound(inbound(mail(JANE, "Org: Acme Health\nService: Jira\n")))
    [notice] = partial.outgoing
    assert notice.kind == "missing-fields"
    assert "Acme Health Solutions" in notice.text
    for label in ("Business Justification for Use of Service", "Estimated Number of Users",
                  "COR Approval"):
        assert label in notice.text.split("Still needed")[1]


def test_reply_merges_new_facts_into_the_request() -> None:
    reply = mail(
        JANE,
        "Justification: defect tracking\nCOR approval: approved by Dana Smith "
        "<dana.smith@cms.example.gov>\n",
    )
    outcome = handle_inbound(inbound(reply, found=incomplete_view()))
    assert not outcome.created
    view = outcome.request
    assert view is not None and view.reference == "ONB-2026-0003"
    assert view.justification == "defect tracking"
    assert view.state is State.AWAITING_COR
    assert view.user_count == 25  # kept from before


def test_a_stranger_with_a_copied_reference_starts_nothing_on_that_request() -> None:
    stranger = mail(
        "From: mallory@evil.example.net\nSubject: RE: [ONB-2026-0003] x",
        "Please cancel this request.",
    )
    outcome = handle_inbound(inbound(stranger, found=incomplete_view()))
    assert outcome.request is None or outcome.request.reference != "ONB-2026-0003"
    assert outcome.events[0].kind == "not-a-party"


def test_withdrawal_by_the_requester() -> None:
    outcome = handle_inbound(
        inbound(
            fixture("withdraw.eml"),
            found=dataclasses.replace(
                incomplete_view(), requester=Address("", "jane.doe@acmehealth.example.com")
            ),
        )
    )
    assert outcome.verdict == "withdrawn"
    assert outcome.request is not None and outcome.request.state is State.WITHDRAWN
    assert [m.kind for m in outcome.outgoing] == ["acknowledgment"]


def test_unclassified_mail_gets_help_once_a_day() -> None:
    note = mail(JANE.replace("Access request", "Lunch"), "Are we still on for Friday?")
    first = handle_inbound(inbound(note))
    assert first.verdict == "unclassified" and [m.kind for m in first.outgoing] == ["help"]
    again = handle_inbound(inbound(note, history=SenderHistory(help_sent_last_day=True)))
    assert again.outgoing == ()


def test_backlog_mail_is_recorded_but_nobody_is_mailed() -> None:
    cor = "From: Dana Smith <dana.smith@cms.example.gov>\nSubject: Access for Acme"
    outcome = handle_inbound(inbound(mail(cor, COMPLETE), answer=False))
    assert outcome.created and outcome.outgoing == ()
    assert outcome.events[-1].kind == "reply-withheld"


def test_auto_generated_mail_opens_nothing() -> None:
    robot = mail(JANE + "\nAuto-Submitted: auto-replied", COMPLETE)
    outcome = handle_inbound(inbound(robot))
    assert (outcome.verdict, outcome.request, outcome.outgoing) == ("auto-generated", None, ())


def test_html_notice_escapes_what_the_contractor_wrote() -> None:
    hostile = mail(JANE, "Organization: <img src=x onerror=alert(1)>\nService: Jira\n")
    [notice] = handle_inbound(inbound(hostile)).outgoing
    assert "<img" not in notice.html and "&lt;img" in notice.html
    assert "<img src=x onerror=alert(1)>" in notice.text


def test_cor_evidence_is_kept_when_a_reply_is_silent_about_it() -> None:
    view = dataclasses.replace(
        incomplete_view(),
        cor=CorEvidence(CorStatus.STATED, "dana.smith@cms.example.gov", "Dana Smith"),
    )
    outcome = handle_inbound(inbound(mail(JANE, "Justification: defect tracking\n"), found=view))
    assert outcome.request is not None
    assert outcome.request.cor.status is CorStatus.STATED


def test_a_shared_public_mail_domain_makes_nobody_a_party() -> None:
    view = dataclasses.replace(
        incomplete_view(), requester=Address("Jo", "jo.contractor@gmail.com")
    )
    other = mail("From: someone.else@gmail.com\nSubject: RE: [ONB-2026-0003] x", "Please cancel.")
    outcome = handle_inbound(inbound(other, found=view))
    assert outcome.events[0].kind == "not-a-party"
    colleague = mail(
        "From: pat@acmehealth.example.com\nSubject: RE: [ONB-2026-0003] x", "Users: 40\n"
    )
    updated = handle_inbound(inbound(colleague, found=incomplete_view())).request
    assert updated is not None and updated.user_count == 40


def test_a_reply_to_an_international_address_is_built() -> None:
    from onboardd.responders.mime import to_mime

    sender = mail("From: Jörg <jörg@müller.example.de>\nSubject: Zugang", "Org: Müller GmbH\n")
    [notice] = handle_inbound(inbound(sender)).outgoing
    raw = to_mime(
        notice,
        message_id="x@onboard.example.gov",
        sender=Address("Desk", "onboarding@onboard.example.gov"),
        reply_to=None,
        date=NOW,
    )
    assert "jörg@müller.example.de".encode() in raw


def test_facts_read_ahead_are_the_ones_the_workflow_uses() -> None:
    # The parse worker reads a mail's facts with the same policy; the workflow then takes
    # them as given instead of reading the mail again. Facts that differ from the mail's
    # words show which ones it used.
    parsed = mail(JANE, COMPLETE)
    ahead = dataclasses.replace(
        extract_facts(parsed, policy().catalog(), policy().cor_directory()), user_count=7
    )
    outcome = handle_inbound(inbound(parsed, facts=ahead))
    assert outcome.request is not None and outcome.request.user_count == 7
    # Read in place, the same mail says 20-30 users.
    in_place = handle_inbound(inbound(parsed))
    assert in_place.request is not None and in_place.request.user_count == 30


@pytest.mark.parametrize(
    "sender",
    ["Onboarding <onboarding@onboard.example.gov>", "ONBOARDING@Onboard.Example.GOV",
     "onboarding+ONB-2026-0003@onboard.example.gov", "Onboarding+test@ONBOARD.example.gov"],
)
def test_mail_from_our_own_address_opens_no_request(sender: str) -> None:
    ours = mail(f"From: {sender}\nSubject: Jira for Acme", COMPLETE)
    outcome = handle_inbound(inbound(ours))
    assert (outcome.verdict, outcome.created, outcome.request) == ("own-mail", False, None)
    assert (outcome.outgoing, outcome.events) == ((), ())


def test_our_own_mail_on_a_known_request_is_noted_and_changes_nothing() -> None:
    ours = mail("From: onboarding+x1@onboard.example.gov\nSubject: [ONB-2026-0003] Re: Jira",
                "Number of users: 900\n")
    outcome = handle_inbound(inbound(ours, found=incomplete_view()))
    assert (outcome.verdict, outcome.created, outcome.outgoing) == ("own-mail", False, ())
    assert outcome.request == incomplete_view()
    assert [(event.kind, event.actor) for event in outcome.events] == [
        ("own-mail", "onboarding+x1@onboard.example.gov")]


def test_a_colleague_at_our_domain_is_not_us() -> None:
    colleague = mail("From: Pat Lee <onboarding.team@onboard.example.gov>\nSubject: Jira",
                     COMPLETE)
    assert handle_inbound(inbound(colleague)).created


@pytest.mark.parametrize(
    "sender",
    ['"Smith, Dana (CMS/CCSQ)" <dana.smith@acmehealth.example.com>',
     '"SMITH, DANA" <dana.smith@acmehealth.example.com>',
     "SMITH, DANA <dana.smith@acmehealth.example.com>",
     '"Smith, Dana X. [Contractor]" <dana.smith@acmehealth.example.com>',
     "=?utf-8?q?Smith=2C_Dana_=28CMS/CCSQ=29?= <dana.smith@acmehealth.example.com>",
     '"DANA SMITH" <dana.smith@acmehealth.example.com>',
     "Dana Smith <dana.smith@acmehealth.example.com>"],
)
def test_address_book_names_are_greeted_first_name_first(sender: str) -> None:
    request = mail(f"From: {sender}\nSubject: Access request", COMPLETE)
    [ack, _confirmation] = handle_inbound(inbound(request)).outgoing
    assert "Hello Dana Smith," in ack.text.splitlines()
    assert "CCSQ" not in ack.text and "Contractor" not in ack.text


@pytest.mark.parametrize(
    ("display", "greeted"),
    [("Smith, Dana (CMS/CCSQ)", "Dana Smith"), ("SMITH, DANA", "Dana Smith"),
     ("Smith, Dana X. [Contractor]", "Dana Smith"), ("Dana Smith", "Dana Smith"),
     ("Dana X. Smith", "Dana X. Smith"), ("O'BRIEN, PAT", "Pat O'Brien"),
     ("Smith-Jones, Mary Ann - CMS/OIT", "Mary Ann Smith-Jones"),
     ("dana smith", "Dana Smith"), ("de la Cruz, Ana", "Ana de la Cruz"),
     ("dana.smith@acmehealth.example.com", ""), ("(CMS/CCSQ)", ""), ("", "")],
)
def test_greeting_name(display: str, greeted: str) -> None:
    assert greeting_name(display) == greeted
