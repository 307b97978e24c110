"""`onboardd digest`: --print shows the text; --send queues one machine-written mail."""

from __future__ import annotations

import pytest

from tests.daemon.harness import Daemon
from tests.mailkit import compose

NOW = "2026-11-23T13:00:00Z"  # 08:00 in New York


def test_print_shows_the_text_and_sends_nothing(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose("jane.doe@acmehealth.example.com", "Services: Jira"))
    daemon.run_once()
    reference = daemon.request()["reference"]
    daemon.capsys.readouterr()
    assert daemon.run("digest", "--print", "--now", NOW) == 0
    out = daemon.capsys.readouterr().out
    assert out.startswith("ONBOARDING DIGEST  2026-11-23 08:00 America/New_York")
    assert reference in out
    assert [s.kind for s in daemon.sent()] == ["missing-fields"]


def test_send_queues_and_sends_one_digest_to_the_recipients(daemon: Daemon) -> None:
    daemon.capsys.readouterr()
    assert daemon.run("digest", "--send", "--now", NOW) == 0
    assert "sent 1" in daemon.capsys.readouterr().out
    [digest] = daemon.sent()
    message = digest.message
    assert digest.kind == "digest"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["X-Auto-Response-Suppress"] == "All"
    assert message.get_content_type() == "multipart/alternative"
    assert digest.to == "onboarding-staff@onboard.example.gov"
    assert digest.subject == "Onboarding digest 2026-11-23: 0 open"
    assert "X-Onboarding-Request" not in message
    assert "No open requests." in digest.text and "No open requests." in digest.html


def test_send_without_recipients_is_a_usage_error(daemon: Daemon) -> None:
    daemon.configure('recipients = ["onboarding-staff@onboard.example.gov"]', "recipients = []")
    daemon.capsys.readouterr()
    assert daemon.run("digest", "--send") == 2
    assert "digest.recipients is empty" in daemon.capsys.readouterr().err
    assert daemon.sent() == []
    with pytest.raises(SystemExit) as exited:  # --print or --send is required
        daemon.run("digest")
    assert exited.value.code == 2
