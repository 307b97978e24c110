"""Floods that must not turn the daemon into a mail cannon: forged senders, many senders."""

from __future__ import annotations

import logging

import pytest

from tests.daemon.harness import Daemon
from tests.mailkit import compose

# Forged senders, each marked as failing authentication by our MTA.
FORGED_SENDERS = 500
OURS = "mx.onboard.example.gov"
REQUEST = ("Organization: Acme Health Solutions\nService: Jira\n"
           "Business justification: audits\nEstimated number of users: 25\n")


def test_senders_that_failed_authentication_are_recorded_not_answered(daemon: Daemon) -> None:
    daemon.configure('authserv_id = ""', f'authserv_id = "{OURS}"')
    for n in range(FORGED_SENDERS):
        victim = f"victim{n}@innocent{n % 37}.example.org"
        results = (f"{OURS}; spf=fail smtp.mailfrom={victim}; "
                   f"dmarc=fail (p=reject) header.from=innocent{n % 37}.example.org")
        daemon.maildir.deliver(compose(f"Someone <{victim}>", REQUEST, subject=f"Jira {n}",
                                       headers={"Authentication-Results": results}))
    # One honest sender in the same batch is still answered.
    honest = f"{OURS}; dmarc=pass header.from=acmehealth.example.com"
    daemon.maildir.deliver(compose("Jane Doe <jane.doe@acmehealth.example.com>", REQUEST,
                                   headers={"Authentication-Results": honest}))
    daemon.run_once()
    assert len(daemon.export()) == FORGED_SENDERS + 1  # every mail recorded
    answered = {sent.message["X-Envelope-To"] for sent in daemon.sent()
                if sent.kind in ("acknowledgment", "missing-fields")}
    assert answered == {"jane.doe@acmehealth.example.com"}
    assert daemon.run("digest", "--print") == 0
    digest = daemon.capsys.readouterr().out
    assert "victim0@innocent0.example.org: 1 mail(s) not answered (failed authentication)" \
        in digest


def test_failed_authentication_is_answered_when_the_admin_says_so(daemon: Daemon) -> None:
    daemon.configure('authserv_id = ""', f'authserv_id = "{OURS}"')
    daemon.configure("answer_failed_authentication = false",
                     "answer_failed_authentication = true")
    results = f"{OURS}; dmarc=fail header.from=acmehealth.example.com"
    daemon.maildir.deliver(compose("Jane Doe <jane.doe@acmehealth.example.com>", REQUEST,
                                   headers={"Authentication-Results": results}))
    daemon.run_once()
    assert [sent.kind for sent in daemon.sent()] == ["missing-fields"]


@pytest.mark.parametrize("budget", [3])
def test_the_hourly_budget_holds_every_answer_past_it(
    daemon: Daemon, budget: int, caplog: pytest.LogCaptureFixture
) -> None:
    daemon.configure("replies_per_hour = 1000000", f"replies_per_hour = {budget}")
    for n in range(budget + 4):
        daemon.maildir.deliver(compose(f"Person {n} <p{n}@org{n}.example.com>", REQUEST,
                                       subject=f"Jira {n}"))
    with caplog.at_level(logging.WARNING):
        daemon.run_once()
    assert len(daemon.export()) == budget + 4
    assert len(daemon.sent()) == budget
    assert sum("breaker open" in r.getMessage() for r in caplog.records) == 4
    # A later run in the same hour still holds back: the count is read from the outbox.
    daemon.maildir.deliver(compose("Late <late@org.example.com>", REQUEST, subject="late"))
    daemon.run_once()
    assert len(daemon.sent()) == budget
    assert daemon.run("digest", "--print") == 0
    assert "(hourly budget spent)" in daemon.capsys.readouterr().out
