"""Spoofs that must change nothing: forged routing headers, expired or borrowed tokens."""

from __future__ import annotations

from tests.daemon.harness import Daemon
from tests.daemon.test_approvals import (
    DANA,
    JANE,
    JIRA_LEAD,
    of_kind,
    refused_reasons,
    request_text,
)
from tests.mailkit import compose, reply_to


def test_inbound_onboarding_headers_route_nothing(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(JANE, request_text()))
    daemon.run_once()
    reference = daemon.request()["reference"]
    daemon.maildir.deliver(
        compose(
            "Mallory <mallory@evil.example.net>",
            "Please cancel this request.",
            subject="About my request",
            headers={"X-Onboarding-Request": reference, "X-Onboarding-Token": "0" * 32},
        )
    )
    daemon.run_once()
    [request] = [r for r in daemon.export() if r["reference"] == reference]
    assert request["state"] == "awaiting_cor"


def test_expired_token_is_refused(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(DANA, request_text(cor="I approve")))
    daemon.run_once()
    [ask] = of_kind(daemon.sent(), "approval-request")
    daemon.maildir.deliver(reply_to(ask, JIRA_LEAD, "Approved."))
    assert daemon.run("run", "--once", "--now", "2027-03-01T12:00:00Z") == 0  # 30 days later
    request = daemon.request()
    assert request["services"][0]["decision"] == "pending"
    assert refused_reasons(daemon, request["reference"]) == ["the reply token has expired"]


def test_a_leads_token_cannot_decide_another_request(daemon: Daemon) -> None:
    """The token names its request: quoting another reference in the subject changes nothing."""
    daemon.maildir.deliver(compose(DANA, request_text(cor="I approve")))
    daemon.maildir.deliver(
        compose(
            DANA,
            request_text(
                cor="I approve", services="Jira", organization="Acme Health Solutions LLC"
            ),
        )
    )
    daemon.run_once()
    first, second = sorted(of_kind(daemon.sent(), "approval-request"), key=lambda s: s.subject)
    other_reference = second.subject.split("]")[0].strip("[")
    raw = reply_to(first, JIRA_LEAD, "Approved.").replace(
        first.subject.split("]")[0].strip("[").encode(), other_reference.encode()
    )
    daemon.maildir.deliver(raw)
    daemon.run_once()
    states = {r["reference"]: r["state"] for r in daemon.export()}
    assert states[other_reference] == "awaiting_approval"
    assert sorted(states.values()) == ["approved", "awaiting_approval"]
