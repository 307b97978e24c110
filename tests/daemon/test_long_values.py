"""Values longer than their columns: PostgreSQL would refuse the row, SQLite would keep it
whole. Both stores cut them to the declared length, and the mail is processed."""

from __future__ import annotations

import pytest

from onboardd.store.models import Request
from tests.daemon.harness import Daemon
from tests.mailkit import compose

LONG_DOMAIN = ("a" * 60 + ".") * 5 + "example.com"  # 317 characters


def test_over_long_facts_and_addresses_are_cut_and_the_mail_processed(daemon: Daemon) -> None:
    body = (
        "Organization: " + "Acme " * 200 + "\nServices: Jira\nBusiness justification: audits\n"
        "Estimated number of users: " + "many " * 100 + "\nContract number: " + "C" * 300 + "\n"
        "COR approval: approved by " + "Dana " * 100 + "<dana.smith@cms.example.gov>\n"
    )
    daemon.maildir.deliver(compose(f"Jane <{'j' * 60}@{LONG_DOMAIN}>", body))
    daemon.maildir.deliver(compose("Jane <jane.doe@acmehealth.example.com>", "Service: Jira"))
    daemon.run_once()

    assert daemon.maildir.new() == []  # neither mail is left behind to block the next pass
    assert daemon.maildir.quarantined() == []
    first, second = daemon.export()
    organization_column = Request.__table__.c.organization.type.length
    assert first["organization"] == ("Acme " * 200).strip()[:organization_column]
    assert len(first["requester"]) == Request.__table__.c.requester.type.length
    assert second["requester"] == "jane.doe@acmehealth.example.com"


def test_a_user_count_no_column_can_hold_is_invalid_not_a_stuck_mail(daemon: Daemon) -> None:
    body = "Organization: Acme Health Solutions\nService: Jira\nUsers: 3,000,000,000\n"
    daemon.maildir.deliver(compose("Jane <jane.doe@acmehealth.example.com>", body))
    daemon.run_once()
    assert daemon.maildir.new() == [] and daemon.maildir.quarantined() == []
    [request] = daemon.export()
    assert request["user_count"] is None
    [notice] = daemon.sent()
    assert notice.kind == "missing-fields" and "3,000,000,000" in notice.text


@pytest.mark.parametrize("odd", ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1b", "\x7f"])
def test_a_line_separator_in_a_fact_never_quarantines_the_request(
    daemon: Daemon, odd: str
) -> None:
    """The organization goes into the subject of the approval request: a line separator
    or control character there is made a space, and every reply goes out."""
    body = (f"Organization: Brightpath{odd}Analytics\nServices: Jira\n"
            "Business justification: audits\nEstimated number of users: 25\n")
    daemon.maildir.deliver(compose("Dana Smith <dana.smith@cms.example.gov>", body))
    daemon.run_once()
    assert daemon.maildir.quarantined() == [] and daemon.maildir.new() == []
    kinds = sorted(sent.kind for sent in daemon.sent())
    assert kinds == ["acknowledgment", "approval-request"]
    for sent in daemon.sent():
        assert odd not in sent.subject and "\n" not in sent.subject
