"""What staff do at the command line: each action through `main`, its exit code, its line,
the request's state and history afterwards, and the mail it sent."""

from __future__ import annotations

import pytest

from tests.daemon.harness import Daemon
from tests.daemon.test_approvals import JANE, JIRA_LEAD, of_kind, request_text
from tests.mailkit import compose, reply_to


def awaiting_cor(daemon: Daemon, services: str = "Jira") -> str:
    """A complete request whose COR was named but has not confirmed; its reference."""
    daemon.maildir.deliver(compose(JANE, request_text(services)))
    daemon.run_once()
    request = daemon.request()
    assert request["state"] == "awaiting_cor"
    return str(request["reference"])


def show(daemon: Daemon, reference: str) -> str:
    daemon.capsys.readouterr()
    assert daemon.run("requests", "show", reference) == 0
    return daemon.capsys.readouterr().out


def test_confirm_cor_by_phone_asks_the_leads_as_the_cors_reply_would(daemon: Daemon) -> None:
    reference = awaiting_cor(daemon, "Jira, Confluence")
    assert daemon.run("requests", "confirm-cor", reference, "--by", "Pat Staff",
                      "--reason", "COR confirmed by phone, 3 Dec") == 0
    line = daemon.capsys.readouterr().out.strip()
    assert line == f"{reference}: COR approval confirmed by Pat Staff; request is " \
        "awaiting_approval; sent 2"
    request = daemon.request()
    assert request["state"] == "awaiting_approval"
    assert request["cor_approval"]["status"] == "verified"
    asks = of_kind(daemon.sent(), "approval-request")
    assert sorted(ask.to for ask in asks) == [
        "confluence.lead@cms.example.gov", "jira.lead@cms.example.gov"]
    history = show(daemon, reference)
    assert "cor-confirmed (reason=COR confirmed by phone, 3 Dec, via=staff)" in history
    # The leads' asks carry tokens: a lead's reply by mail decides as usual.
    jira_ask = next(a for a in asks if "jira.lead@cms.example.gov" in a.to)
    daemon.maildir.deliver(reply_to(jira_ask, JIRA_LEAD, "Approved."))
    daemon.run_once()
    decisions = {s["name"]: s["decision"] for s in daemon.request()["services"]}
    assert decisions == {"Jira": "approved", "Confluence": "pending"}


def test_waiving_the_cor_keeps_its_status_and_says_so(daemon: Daemon) -> None:
    reference = awaiting_cor(daemon)
    assert daemon.run("requests", "confirm-cor", reference, "--waive", "--by", "Pat",
                      "--reason", "federal staff request, no contract") == 0
    assert "COR approval waived by Pat" in daemon.capsys.readouterr().out
    request = daemon.request()
    assert request["state"] == "awaiting_approval"
    assert request["cor_approval"]["status"] == "stated"  # not claimed verified
    assert len(of_kind(daemon.sent(), "approval-request")) == 1
    assert "cor-waived (reason=federal staff request" in show(daemon, reference)


def test_confirm_cor_outside_awaiting_cor_is_refused_and_recorded(daemon: Daemon) -> None:
    reference = awaiting_cor(daemon)
    assert daemon.run("requests", "confirm-cor", reference, "--by", "Pat", "--reason", "r") == 0
    sent = len(daemon.sent())
    daemon.capsys.readouterr()
    assert daemon.run("requests", "confirm-cor", reference, "--by", "Pat", "--reason", "r") == 2
    [line] = daemon.capsys.readouterr().err.strip().splitlines()
    assert line == (f"onboardd: {reference} is awaiting_approval; a COR approval is confirmed "
                    "only while the request is awaiting_cor")
    assert len(daemon.sent()) == sent
    assert "staff-action-refused (action=cor-confirmed" in show(daemon, reference)


def test_withdraw_closes_an_open_request_and_only_once(daemon: Daemon) -> None:
    reference = awaiting_cor(daemon)
    sent = len(daemon.sent())
    assert daemon.run("requests", "withdraw", reference, "--by", "Pat",
                      "--reason", "requester phoned: duplicate of another") == 0
    assert daemon.capsys.readouterr().out.strip() == f"{reference}: withdrawn by Pat"
    assert daemon.request()["state"] == "withdrawn"
    assert len(daemon.sent()) == sent
    assert daemon.run("requests", "withdraw", reference, "--by", "Pat", "--reason", "r") == 2
    assert "is withdrawn already" in daemon.capsys.readouterr().err
    history = show(daemon, reference)
    assert "withdrawn (reason=requester phoned: duplicate of another, via=staff)" in history
    assert "staff-action-refused (action=withdraw" in history


def test_reopen_follows_only_the_moves_that_make_sense(daemon: Daemon) -> None:
    reference = awaiting_cor(daemon)
    daemon.capsys.readouterr()
    assert daemon.run("requests", "reopen", reference, "--state", "awaiting_approval",
                      "--by", "Pat", "--reason", "r") == 2
    assert daemon.capsys.readouterr().err.strip() == (
        f"onboardd: {reference} is awaiting_cor; staff may put it back to incomplete, "
        "not awaiting_approval")
    assert daemon.run("requests", "withdraw", reference, "--by", "Pat", "--reason", "oops") == 0
    daemon.capsys.readouterr()
    confirmations = len(of_kind(daemon.sent(), "cor-confirmation"))
    assert daemon.run("requests", "reopen", reference, "--state", "awaiting_cor",
                      "--by", "Pat", "--reason", "withdrawn by mistake") == 0
    assert daemon.capsys.readouterr().out.strip() == (
        f"{reference}: put back to awaiting_cor by Pat; sent 1")
    assert daemon.request()["state"] == "awaiting_cor"
    assert len(of_kind(daemon.sent(), "cor-confirmation")) == confirmations + 1
    history = show(daemon, reference)
    assert ("reopened (from=withdrawn, to=awaiting_cor, reason=withdrawn by mistake, "
            "via=staff)") in history
    assert "staff-action-refused (action=reopen" in history


def test_reopening_a_denied_request_undoes_its_decisions(daemon: Daemon) -> None:
    reference = awaiting_cor(daemon)
    assert daemon.run("requests", "confirm-cor", reference, "--by", "Pat", "--reason", "r") == 0
    assert daemon.run("deny", reference, "--service", "jira", "--by",
                      "jira.lead@cms.example.gov", "--reason", "wrong team") == 0
    assert daemon.request()["state"] == "denied"
    assert daemon.run("requests", "reopen", reference, "--state", "awaiting_approval",
                      "--by", "Pat", "--reason", "the lead denied the wrong request") == 0
    request = daemon.request()
    assert request["state"] == "awaiting_approval"
    assert [s["decision"] for s in request["services"]] == ["pending"]
    assert "decisions_undone=Jira denied" in show(daemon, reference)


def test_an_incomplete_request_cannot_skip_to_approval(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(JANE, "Services: Jira\n"))
    daemon.run_once()
    reference = daemon.request()["reference"]
    assert daemon.run("requests", "withdraw", reference, "--by", "Pat", "--reason", "r") == 0
    daemon.capsys.readouterr()
    assert daemon.run("requests", "reopen", reference, "--state", "awaiting_approval",
                      "--by", "Pat", "--reason", "r") == 2
    assert "lacks facts for awaiting_approval" in daemon.capsys.readouterr().err
    assert daemon.run("requests", "reopen", reference, "--state", "incomplete",
                      "--by", "Pat", "--reason", "r") == 0
    assert daemon.request()["state"] == "incomplete"


@pytest.mark.parametrize(
    ("first", "by", "expected"),
    [
        (False, "someone@cms.example.gov",
         "someone@cms.example.gov is not a lead of Jira (leads: jira.lead@cms.example.gov)"),
        (True, "jira.lead@cms.example.gov",
         "Jira was already approved by jira.lead@cms.example.gov"),
    ],
)
def test_a_refused_decision_is_written_to_the_history(
    daemon: Daemon, first: bool, by: str, expected: str
) -> None:
    reference = awaiting_cor(daemon, "Jira, Confluence")
    assert daemon.run("requests", "confirm-cor", reference, "--by", "Pat", "--reason", "r") == 0
    if first:
        assert daemon.run("approve", reference, "--service", "Jira", "--by", by) == 0
    daemon.capsys.readouterr()
    assert daemon.run("approve", reference, "--service", "jira", "--by", by) == 2
    [line] = daemon.capsys.readouterr().err.strip().splitlines()
    assert line == f"onboardd: {expected}"
    assert f"staff-action-refused (action=approve, reason={expected}, service=Jira)" \
        in show(daemon, reference)


def test_deny_names_the_catalog_service_with_the_right_verb(daemon: Daemon) -> None:
    reference = awaiting_cor(daemon, "Jira, Confluence")
    assert daemon.run("requests", "confirm-cor", reference, "--by", "Pat", "--reason", "r") == 0
    daemon.capsys.readouterr()
    assert daemon.run("deny", reference, "--service", "confluence", "--by",
                      "confluence.lead@cms.example.gov") == 0
    out = daemon.capsys.readouterr().out
    assert out.startswith(f"{reference}: Confluence denied by confluence.lead@cms.example.gov;")


def test_a_multi_line_justification_keeps_its_indent(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(JANE, request_text().replace(
        "Business justification: Our analysts track quality-reporting defects with CMS.\n",
        "Business justification: We need it for:\n- defect tracking\n- release notes\n\n",
    )))
    daemon.run_once()
    request = daemon.request()
    assert request["justification"] == "We need it for:\n- defect tracking\n- release notes"
    lines = show(daemon, request["reference"]).splitlines()
    start = next(i for i, line in enumerate(lines) if "justification:" in line)
    assert lines[start:start + 4] == [
        "  justification:     We need it for:",
        "                     - defect tracking",
        "                     - release notes",
        "  COR approval:      stated (Dana Smith dana.smith@cms.example.gov)",
    ]
