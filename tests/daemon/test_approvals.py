"""From a complete request to its outcome, replying to the daemon's own mail as people do."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from tests.daemon.harness import Daemon
from tests.mailkit import Sent, compose, reply_to

JANE = "Jane Doe <jane.doe@acmehealth.example.com>"
DANA = "Dana Smith <dana.smith@cms.example.gov>"
JIRA_LEAD = "Jira Lead <jira.lead@cms.example.gov>"
CONFLUENCE_LEAD = "Confluence Lead <confluence.lead@cms.example.gov>"
PASSING = "mx.onboard.example.gov; dmarc=pass header.from=cms.example.gov"
ALIGNED_DKIM = "mx.onboard.example.gov; dkim=pass header.d=cms.example.gov"


def request_text(
    services: str = "Jira",
    cor: str = "approved by Dana Smith <dana.smith@cms.example.gov>",
    organization: str = "Acme Health Solutions",
) -> str:
    return (
        f"Hello,\n\nOrganization: {organization}\nServices: {services}\n"
        "Business justification: Our analysts track quality-reporting defects with CMS.\n"
        f"Estimated number of users: 25\nCOR approval: {cor}\n\nThanks,\nJane\n"
    )


def of_kind(sent: list[Sent], kind: str) -> list[Sent]:
    return [s for s in sent if s.kind == kind]


def confirm_with_cor(daemon: Daemon, services: str = "Jira") -> None:
    """Stated COR approval -> confirmation request -> the COR approves by reply."""
    daemon.maildir.deliver(compose(JANE, request_text(services)))
    daemon.run_once()
    [confirmation] = of_kind(daemon.sent(), "cor-confirmation")
    daemon.maildir.deliver(reply_to(confirmation, DANA, "Approved."))
    daemon.run_once()


def test_request_from_the_cor_goes_straight_to_approval(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(DANA, request_text(cor="yes, I approve")))
    daemon.run_once()
    request = daemon.request()
    assert request["state"] == "awaiting_approval"
    assert request["cor_approval"] == {
        "status": "verified",
        "address": "dana.smith@cms.example.gov",
    }
    [ask] = of_kind(daemon.sent(), "approval-request")
    assert "jira.lead@cms.example.gov" in ask.to
    assert of_kind(daemon.sent(), "cor-confirmation") == []
    # The token rides in Reply-To (plus-address) and in our Message-ID.
    reply_to_address = str(ask.message["Reply-To"])
    token = reply_to_address.split("+", 1)[1].split("@", 1)[0]
    assert len(token) == 32 and token in str(ask.message["Message-ID"])


def test_stated_cor_is_confirmed_then_leads_are_asked(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(JANE, request_text()))
    daemon.run_once()
    assert daemon.request()["state"] == "awaiting_cor"
    [confirmation] = of_kind(daemon.sent(), "cor-confirmation")
    assert "dana.smith@cms.example.gov" in confirmation.to
    assert of_kind(daemon.sent(), "approval-request") == []
    daemon.maildir.deliver(reply_to(confirmation, DANA, "Approved, thanks."))
    daemon.run_once()
    request = daemon.request()
    assert request["state"] == "awaiting_approval"
    assert request["cor_approval"]["status"] == "verified"
    assert len(of_kind(daemon.sent(), "approval-request")) == 1


def test_cor_denial_closes_the_request_with_the_reason(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(JANE, request_text()))
    daemon.run_once()
    [confirmation] = of_kind(daemon.sent(), "cor-confirmation")
    daemon.maildir.deliver(reply_to(confirmation, DANA, "Denied - the task order has ended."))
    daemon.run_once()
    request = daemon.request()
    assert request["state"] == "denied"
    [denial] = of_kind(daemon.sent(), "denial")
    assert "jane.doe@acmehealth.example.com" in denial.to
    assert "task order has ended" in denial.text


def test_forwarded_rfc822_approval_needs_confirmation_by_default(daemon: Daemon) -> None:
    daemon.maildir.deliver(forwarded_request())
    daemon.run_once()
    request = daemon.request()
    assert request["cor_approval"]["status"] == "forwarded"
    assert request["state"] == "awaiting_cor"
    assert len(of_kind(daemon.sent(), "cor-confirmation")) == 1


def test_forwarded_approval_counts_with_accept_forwarded(daemon: Daemon) -> None:
    daemon.configure('policy = "confirm"', 'policy = "accept-forwarded"')
    daemon.maildir.deliver(forwarded_request())
    daemon.run_once()
    assert daemon.request()["state"] == "awaiting_approval"
    assert len(of_kind(daemon.sent(), "approval-request")) == 1


def forwarded_request() -> bytes:
    inner = EmailMessage()
    inner["From"] = DANA
    inner["To"] = JANE
    inner["Subject"] = "Jira access for Acme"
    inner["Message-ID"] = make_msgid(domain="cms.example.gov")
    inner.set_content("Jane,\n\nI approve Acme Health's request for Jira access.\n\nDana\n")
    outer = EmailMessage()
    outer["From"] = JANE
    outer["To"] = "onboarding@onboard.example.gov"
    outer["Subject"] = "Access request"
    outer["Message-ID"] = make_msgid(domain="acmehealth.example.com")
    outer.set_content(request_text(cor="see the attached mail from our COR"))
    outer.add_attachment(inner)
    return bytes(outer)


def test_one_lead_approves_one_denies_welcome_lists_both(daemon: Daemon) -> None:
    confirm_with_cor(daemon, "Jira, Confluence")
    asks = of_kind(daemon.sent(), "approval-request")
    jira = next(a for a in asks if "jira.lead" in a.to)
    confluence = next(a for a in asks if "confluence.lead" in a.to)
    daemon.maildir.deliver(reply_to(jira, JIRA_LEAD, "Approved."))
    daemon.maildir.deliver(
        reply_to(
            confluence,
            CONFLUENCE_LEAD,
            "Not approved - no Confluence licences left.",
            style="outlook",
        )
    )
    daemon.run_once()
    request = daemon.request()
    assert request["state"] == "approved"
    decisions = {s["name"]: s for s in request["services"]}
    assert decisions["Jira"]["decision"] == "approved"
    assert decisions["Jira"]["decided_by"] == "jira.lead@cms.example.gov"
    assert decisions["Jira"]["decided_at"]
    assert decisions["Confluence"]["decision"] == "denied"
    assert decisions["Confluence"]["reason"] == "no Confluence licences left."
    [welcome] = of_kind(daemon.sent(), "welcome-package")
    assert "sam.lee@acmehealth.example.com" in welcome.to  # the organization's SO
    cc = str(welcome.message["Cc"])
    assert "jane.doe@acmehealth.example.com" in cc and "dana.smith@cms.example.gov" in cc
    assert "Issue and project tracking" in welcome.text  # Jira's description
    assert "no Confluence licences left" in welcome.text
    assert "Confluence Contributor" not in welcome.text  # no onboarding for a denied service


def test_all_denied_sends_a_denial(daemon: Daemon) -> None:
    confirm_with_cor(daemon)
    [ask] = of_kind(daemon.sent(), "approval-request")
    daemon.maildir.deliver(reply_to(ask, JIRA_LEAD, "I do not approve this; the team is too new."))
    daemon.run_once()
    assert daemon.request()["state"] == "denied"
    [denial] = of_kind(daemon.sent(), "denial")
    assert "team is too new" in denial.text
    assert of_kind(daemon.sent(), "welcome-package") == []


def test_unclear_reply_gets_exactly_one_clarification(daemon: Daemon) -> None:
    confirm_with_cor(daemon)
    [ask] = of_kind(daemon.sent(), "approval-request")
    daemon.maildir.deliver(reply_to(ask, JIRA_LEAD, "Who are these people?"))
    daemon.run_once()
    [clarification] = of_kind(daemon.sent(), "clarification")
    daemon.maildir.deliver(reply_to(clarification, JIRA_LEAD, "Hmm, let me think."))
    daemon.run_once()
    assert len(of_kind(daemon.sent(), "clarification")) == 1
    daemon.maildir.deliver(reply_to(clarification, JIRA_LEAD, "Approved after all."))
    daemon.run_once()
    assert daemon.request()["state"] == "approved"


@pytest.mark.parametrize(
    ("who", "why"),
    [
        ("Other Person <other.person@cms.example.gov>", "another address"),
        (JANE, "another address"),
    ],
)
def test_decisions_from_the_wrong_people_change_nothing(daemon: Daemon, who: str, why: str) -> None:
    confirm_with_cor(daemon)
    [ask] = of_kind(daemon.sent(), "approval-request")
    before = len(daemon.sent())
    daemon.maildir.deliver(reply_to(ask, who, "Approved."))
    daemon.run_once()
    request = daemon.request()
    assert request["state"] == "awaiting_approval"
    assert request["services"][0]["decision"] == "pending"
    assert len(daemon.sent()) == before
    assert refused_reasons(daemon, request["reference"]) == [
        "the reply token was issued to another address"
    ]


def test_requester_saying_approved_on_their_own_thread_is_refused(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(JANE, request_text()))
    daemon.run_once()
    [ack] = of_kind(daemon.sent(), "acknowledgment")
    [confirmation] = of_kind(daemon.sent(), "cor-confirmation")
    daemon.maildir.deliver(reply_to(confirmation, DANA, "Approved."))
    daemon.run_once()
    daemon.maildir.deliver(reply_to(ack, JANE, "Approved."))
    daemon.run_once()
    request = daemon.request()
    assert request["services"][0]["decision"] == "pending"
    assert refused_reasons(daemon, request["reference"]) == [
        "no reply token and no thread to our request for a decision"
    ]


def test_lead_with_failing_dmarc_is_refused_when_authentication_is_required(
    daemon: Daemon,
) -> None:
    daemon.configure('authserv_id = ""', 'authserv_id = "mx.onboard.example.gov"')
    daemon.maildir.deliver(
        compose(
            DANA,
            request_text(cor="I approve"),
            headers={
                "Authentication-Results": PASSING,
            },
        )
    )
    daemon.run_once()
    [ask] = of_kind(daemon.sent(), "approval-request")
    failing = "mx.onboard.example.gov; dmarc=fail header.from=cms.example.gov"
    forged = "mx.onboard.example.gov; dmarc=pass header.from=cms.example.gov"
    daemon.maildir.deliver(
        reply_to(
            ask,
            JIRA_LEAD,
            "Approved.",
            headers={
                "Authentication-Results": failing,
            },
        )
    )
    # Our border MTA prepends its verdict on top; a header of our authserv-id further
    # down was written by the sender, and must not count.
    raw = reply_to(ask, JIRA_LEAD, "Approved!", headers={"Authentication-Results": forged})
    raw = f"Authentication-Results: {failing}\n".encode() + raw
    daemon.maildir.deliver(raw)
    daemon.run_once()
    request = daemon.request()
    assert request["services"][0]["decision"] == "pending"
    reasons = refused_reasons(daemon, request["reference"])
    assert len(reasons) == 2 and all(r.startswith("not authenticated") for r in reasons)
    daemon.maildir.deliver(
        reply_to(
            ask,
            JIRA_LEAD,
            "Approved",
            headers={
                "Authentication-Results": ALIGNED_DKIM,
            },
        )
    )
    daemon.run_once()
    assert daemon.request()["state"] == "approved"


@pytest.mark.parametrize(
    "ours",
    [
        "mx.onboard.example.gov; spf=none smtp.helo=[203.0.113.5] ((",
        "mx.onboard.example.gov; spf=none smtp.mailfrom=<>",
    ],
)
def test_our_header_that_says_nothing_is_not_passed_over_for_a_forged_one(
    daemon: Daemon, ours: str
) -> None:
    """The sender chooses its HELO name and envelope sender: a header of ours that says
    nothing of DMARC, or cannot be read, fails; the forged pass below it is never read."""
    daemon.configure('authserv_id = ""', 'authserv_id = "mx.onboard.example.gov"')
    daemon.maildir.deliver(
        compose(DANA, request_text(cor="I approve"), headers={"Authentication-Results": PASSING})
    )
    daemon.run_once()
    [ask] = of_kind(daemon.sent(), "approval-request")
    forged = "mx.onboard.example.gov; dmarc=pass header.from=cms.example.gov"
    raw = reply_to(ask, JIRA_LEAD, "Approved.", headers={"Authentication-Results": forged})
    daemon.maildir.deliver(f"Authentication-Results: {ours}\n".encode() + raw)
    daemon.run_once()
    request = daemon.request()
    assert request["services"][0]["decision"] == "pending"
    assert not of_kind(daemon.sent(), "welcome-package")
    [reason] = refused_reasons(daemon, request["reference"])
    assert reason.startswith("not authenticated")


def test_second_decision_is_recorded_not_applied(daemon: Daemon) -> None:
    confirm_with_cor(daemon, "ServiceNow")
    asks = of_kind(daemon.sent(), "approval-request")
    assert sorted(a.to for a in asks) == [
        "itsm.deputy@cms.example.gov",
        "itsm.lead@cms.example.gov",
    ]
    lead = next(a for a in asks if "itsm.lead" in a.to)
    deputy = next(a for a in asks if "itsm.deputy" in a.to)
    daemon.maildir.deliver(reply_to(lead, "itsm.lead@cms.example.gov", "Approved."))
    daemon.run_once()
    daemon.maildir.deliver(reply_to(deputy, "itsm.deputy@cms.example.gov", "Denied."))
    daemon.run_once()
    request = daemon.request()
    assert request["state"] == "approved"
    assert request["services"][0]["decided_by"] == "itsm.lead@cms.example.gov"
    assert "decision-not-applied" in history(daemon, request["reference"])


def test_nothing_more_after_the_outcome_even_when_the_reply_arrives_twice(daemon: Daemon) -> None:
    confirm_with_cor(daemon)
    [ask] = of_kind(daemon.sent(), "approval-request")
    raw = reply_to(ask, JIRA_LEAD, "Approved.")
    daemon.maildir.deliver(b"Received: from a by b\n" + raw)
    daemon.maildir.deliver(b"Received: from c by d\n" + raw)
    daemon.run_once()
    daemon.run_once()
    assert len(of_kind(daemon.sent(), "welcome-package")) == 1
    count = len(daemon.sent())
    daemon.run_once()
    assert len(daemon.sent()) == count


def test_manual_decision_from_the_command_line(
    daemon: Daemon, capsys: pytest.CaptureFixture[str]
) -> None:
    confirm_with_cor(daemon)
    reference = daemon.request()["reference"]
    assert (
        daemon.run("approve", reference, "--service", "Jira", "--by", "someone@cms.example.gov")
        == 2
    )
    assert "not a lead of Jira" in capsys.readouterr().err
    assert (
        daemon.run("deny", reference, "--service", "Slack", "--by", "jira.lead@cms.example.gov")
        == 2
    )
    assert (
        daemon.run(
            "approve",
            reference,
            "--service",
            "jira",
            "--by",
            "Jira.Lead@cms.example.gov",
            "--reason",
            "checked by phone",
        )
        == 0
    )
    assert f"{reference}: Jira approved by jira.lead@cms.example.gov" in capsys.readouterr().out
    request = daemon.request()
    assert request["state"] == "approved"
    assert request["services"][0]["reason"] == "checked by phone"
    assert "via=manual" in history(daemon, reference)
    assert len(of_kind(daemon.sent(), "welcome-package")) == 1


def test_a_manual_denial_names_the_catalog_service_from_an_alias(
    daemon: Daemon, capsys: pytest.CaptureFixture[str]
) -> None:
    confirm_with_cor(daemon)
    reference = daemon.request()["reference"]
    capsys.readouterr()
    assert daemon.run("deny", reference, "--service", "atlassian jira", "--by",
                      "jira.lead@cms.example.gov", "--reason", "no seats") == 0
    out = capsys.readouterr().out
    assert f"{reference}: Jira denied by jira.lead@cms.example.gov" in out
    assert daemon.run("deny", reference, "--service", "Jiraa", "--by",
                      "jira.lead@cms.example.gov") == 2
    assert "no service 'Jiraa' in the catalog" in capsys.readouterr().err


def test_contractor_text_cannot_inject_markup(daemon: Daemon) -> None:
    daemon.maildir.deliver(
        compose(DANA, request_text(cor="I approve", organization="<script>alert(1)</script> Corp"))
    )
    daemon.run_once()
    [ask] = of_kind(daemon.sent(), "approval-request")
    assert "<script>" not in ask.html
    assert "&lt;script&gt;" in ask.html
    daemon.maildir.deliver(reply_to(ask, JIRA_LEAD, "Approved."))
    daemon.run_once()
    [welcome] = of_kind(daemon.sent(), "welcome-package")
    assert "<script>" not in welcome.html


def history(daemon: Daemon, reference: str) -> str:
    daemon.capsys.readouterr()
    assert daemon.run("requests", "show", reference) == 0
    return daemon.capsys.readouterr().out


def refused_reasons(daemon: Daemon, reference: str) -> list[str]:
    lines = [line for line in history(daemon, reference).splitlines() if "decision-refused" in line]
    return [line.split("reason=", 1)[1].split(", verdict=", 1)[0] for line in lines]
