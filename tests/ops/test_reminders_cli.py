"""Reminders and expiry through `run --once --now`: the right mail at the right moment, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.daemon.harness import Daemon
from tests.mailkit import Sent, compose, reply_to

T0 = datetime(2026, 10, 5, 14, 0, tzinfo=UTC)
DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)
JANE = "Jane Doe <jane.doe@acmehealth.example.com>"
DANA = "Dana Smith <dana.smith@cms.example.gov>"

PARTIAL = """Hello,

Organization: Acme Health Solutions
Services: Jira
Users: 25
"""

COMPLETE_FROM_COR = """Please onboard Acme.

Organization: Acme Health Solutions
Services: Jira
Business justification: Acme analysts track quality-reporting defects with us.
Estimated number of users: 25
COR approval: approved (I am the COR)
"""


def run_at(daemon: Daemon, moment: datetime) -> list[Sent]:
    """`run --once` as of `moment`; returns what it sent."""
    before = len(daemon.sent())
    assert daemon.run("run", "--once", "--now", moment.isoformat()) == 0
    daemon.capsys.readouterr()
    return daemon.sent_since(before)


def digest_at(daemon: Daemon, moment: datetime) -> str:
    daemon.capsys.readouterr()
    assert daemon.run("digest", "--print", "--now", moment.isoformat()) == 0
    return daemon.capsys.readouterr().out


def test_incomplete_request_reminded_once_then_expired(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(JANE, PARTIAL))
    assert [s.kind for s in run_at(daemon, T0)] == ["missing-fields"]

    assert run_at(daemon, T0 + 3 * DAY - MINUTE) == []
    [reminder] = run_at(daemon, T0 + 3 * DAY)
    assert reminder.kind == "reminder"
    assert reminder.message["Auto-Submitted"] == "auto-generated"
    assert reminder.to == JANE
    reference = daemon.request()["reference"]
    assert reminder.message["X-Onboarding-Request"] == reference
    assert f"[{reference}]" in reminder.subject
    # The same moment again, and every later hour before the close: nothing new.
    assert run_at(daemon, T0 + 3 * DAY) == []
    assert run_at(daemon, T0 + 14 * DAY - MINUTE) == []
    assert daemon.request()["state"] == "incomplete"

    [notice] = run_at(daemon, T0 + 14 * DAY)
    assert notice.kind == "expired" and notice.to == JANE
    assert notice.message["Auto-Submitted"] == "auto-generated"
    assert daemon.request()["state"] == "expired"
    assert run_at(daemon, T0 + 14 * DAY) == []
    assert run_at(daemon, T0 + 40 * DAY) == []


def test_a_reply_with_some_facts_restarts_the_clock(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(JANE, PARTIAL))
    [notice] = run_at(daemon, T0)
    daemon.maildir.deliver(reply_to(notice, JANE, "Justification: defect tracking with CMS."))
    assert [s.kind for s in run_at(daemon, T0 + 2 * DAY)] == ["missing-fields"]
    assert run_at(daemon, T0 + 3 * DAY) == []  # only one day since her reply
    assert [s.kind for s in run_at(daemon, T0 + 5 * DAY)] == ["reminder"]
    assert run_at(daemon, T0 + 14 * DAY) == []  # 12 quiet days
    assert [s.kind for s in run_at(daemon, T0 + 16 * DAY)] == ["expired"]


def test_lead_reminded_every_two_days_three_times_then_escalated(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(DANA, COMPLETE_FROM_COR))
    first = run_at(daemon, T0)
    assert sorted(s.kind for s in first) == ["acknowledgment", "approval-request"]
    reference = daemon.request()["reference"]

    reminders = []
    for round_ in (1, 2, 3):
        at = T0 + 2 * round_ * DAY
        assert run_at(daemon, at - MINUTE) == []
        [reminder] = run_at(daemon, at)
        assert reminder.kind == "reminder" and reminder.to == "jira.lead@cms.example.gov"
        assert reminder.message["Auto-Submitted"] == "auto-generated"
        assert f"Reminder {round_} of 3" in reminder.text
        # A reminder carries its own reply token, like the approval request.
        assert "onboarding+" in str(reminder.message["Reply-To"])
        assert run_at(daemon, at) == []
        reminders.append(reminder)
    assert run_at(daemon, T0 + 20 * DAY) == []  # no fourth reminder

    assert "jira.lead@cms.example.gov" not in _escalation_section(
        digest_at(daemon, T0 + 8 * DAY - MINUTE)
    )
    section = _escalation_section(digest_at(daemon, T0 + 8 * DAY))
    assert "jira.lead@cms.example.gov" in section and reference in section and "Jira" in section

    # Answering the last reminder decides, exactly as answering the first request would.
    daemon.maildir.deliver(reply_to(reminders[-1], "jira.lead@cms.example.gov", "Approved."))
    assert [s.kind for s in run_at(daemon, T0 + 21 * DAY)] == ["welcome-package"]
    request = daemon.request()
    assert request["state"] == "approved"
    assert request["services"][0]["decided_by"] == "jira.lead@cms.example.gov"
    assert "None: every pending approval" in _escalation_section(digest_at(daemon, T0 + 21 * DAY))


def _escalation_section(digest: str) -> str:
    start = digest.index("APPROVALS PAST THE REMINDER LIMIT")
    return digest[start : digest.index("LAST 24 HOURS", start)]
