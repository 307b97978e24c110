"""Floods that must not turn the daemon into a mail cannon: forged senders, many senders."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from onboardd.daemon.answer_window import REREAD
from onboardd.daemon.app import build
from onboardd.daemon.config import load_config
from onboardd.responders.policy import Limits
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
    assert f"failed authentication: {FORGED_SENDERS} mail(s) from {FORGED_SENDERS} sender(s)" \
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


# Senders past the default hourly budget, each with a request of their own.
PAST_BUDGET = 50


def test_the_hourly_budget_holds_every_answer_past_it(
    daemon: Daemon, caplog: pytest.LogCaptureFixture
) -> None:
    budget = Limits().replies_per_hour
    daemon.configure("replies_per_hour = 1000000", f"replies_per_hour = {budget}")
    for n in range(budget + PAST_BUDGET):
        daemon.maildir.deliver(compose(f"Person {n} <p{n}@org{n}.example.com>", REQUEST,
                                       subject=f"Jira {n}"))
    with caplog.at_level(logging.WARNING):
        daemon.run_once()
    assert len(daemon.export()) == budget + PAST_BUDGET
    assert len(daemon.sent()) == budget
    assert sum("breaker open" in r.getMessage() for r in caplog.records) == PAST_BUDGET
    # A later run in the same hour still holds back: the count is read from the outbox.
    daemon.maildir.deliver(compose("Late <late@org.example.com>", REQUEST, subject="late"))
    daemon.run_once()
    assert len(daemon.sent()) == budget
    assert daemon.run("digest", "--print") == 0
    digest = daemon.capsys.readouterr().out
    assert f"hourly budget spent: {PAST_BUDGET + 1} mail(s) from {PAST_BUDGET + 1} sender(s)" \
        in digest


def test_a_running_daemon_sees_the_answers_another_instance_queued(daemon: Daemon) -> None:
    """Each process keeps its own count between reads of the outbox; it reads again
    within a minute, so answers queued by another instance on the same database count."""
    daemon.configure("replies_per_hour = 1000000", "replies_per_hour = 3")
    running = build(load_config(daemon.config))
    window, factory = running.pipeline.answers, running.pipeline.factory
    try:
        started = datetime.now(UTC)
        with factory() as session:
            assert window.count(session, started) == 0
        for n in range(3):
            daemon.maildir.deliver(compose(f"Person {n} <p{n}@org{n}.example.com>", REQUEST,
                                           subject=f"Jira {n}"))
        daemon.run_once()  # another process on the same database
        with factory() as session:
            assert window.count(session, started + REREAD) == 3
    finally:
        running.engine.dispose()
