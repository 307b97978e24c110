"""The whole intake path on the embedded default: Maildir -> SQLite -> file outbox."""

from __future__ import annotations

import os
import time

import pytest

from tests.conftest import sqlite_only
from tests.daemon.harness import Daemon
from tests.mailkit import compose, reply_to

JANE = "Jane Doe <jane.doe@acmehealth.example.com>"

COMPLETE = """Hello,

Please onboard us.

Organization: Acme Health Solutions
Services: Jira, Confluence
Business justification: Our analysts track quality-reporting defects with the CMS team.
Estimated number of users: 25
COR approval: approved by Dana Smith <dana.smith@cms.example.gov>

Thanks,
Jane
"""

PARTIAL = """Hello,

Organization: Acme Health Solutions
Services: Jira
Users: twenty-five

Jane
"""


def test_incomplete_request_gets_notice_then_reply_completes_it(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(JANE, PARTIAL))
    daemon.run_once()

    [notice] = daemon.sent()
    assert notice.kind == "missing-fields"
    assert "[ONB-" in notice.subject
    assert "jane.doe@acmehealth.example.com" in notice.to
    assert notice.message["Auto-Submitted"] == "auto-replied"
    assert notice.message["X-Auto-Response-Suppress"] == "All"
    assert "Acme Health Solutions" in notice.text  # quotes what it read
    assert "justification" in notice.text.lower()
    [request] = daemon.export()
    assert request["state"] == "incomplete"
    assert request["user_count"] == 25
    reference = request["reference"]
    assert notice.message["X-Onboarding-Request"] == reference

    daemon.maildir.deliver(
        reply_to(
            notice,
            JANE,
            "Business justification: analysts track defects with CMS.\n"
            "COR approval: approved by Dana Smith <dana.smith@cms.example.gov>",
        )
    )
    daemon.run_once()
    kinds = [s.kind for s in daemon.sent()]
    assert kinds == ["missing-fields", "acknowledgment", "cor-confirmation"]
    ack = daemon.sent()[1]
    assert reference in ack.subject
    [request] = daemon.export()
    assert request["state"] == "awaiting_cor"
    assert request["organization"] == "Acme Health Solutions"
    assert request["cor_approval"] == {"status": "stated", "address": "dana.smith@cms.example.gov"}
    assert len(daemon.maildir.cur()) == 2 and daemon.maildir.new() == []


def test_outlook_reply_without_threading_headers_joins_by_subject_tag(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(JANE, PARTIAL))
    daemon.run_once()
    [notice] = daemon.sent()
    daemon.maildir.deliver(
        reply_to(
            notice,
            JANE,
            "Justification: quality reporting.\nCOR approval: approved by Dana Smith "
            "<dana.smith@cms.example.gov>",
            style="outlook",
            keep_threading=False,
        )
    )
    daemon.run_once()
    assert [r["state"] for r in daemon.export()] == ["awaiting_cor"]


def test_quoted_facts_are_never_read(daemon: Daemon) -> None:
    """A reply that only says thanks must not re-read the facts quoted below it."""
    daemon.maildir.deliver(compose(JANE, PARTIAL.replace("twenty-five", "")))
    daemon.run_once()
    [notice] = daemon.sent()
    # The quote of our notice contains "Estimated number of users" etc. as labels.
    daemon.maildir.deliver(reply_to(notice, JANE, "Thanks, I will check with my COR."))
    daemon.run_once()
    [request] = daemon.export()
    assert request["user_count"] is None
    assert request["state"] == "incomplete"


def test_complete_request_is_acknowledged_once_even_when_delivered_twice(daemon: Daemon) -> None:
    raw = compose(JANE, COMPLETE)
    daemon.maildir.deliver(b"Received: from mx1.example.gov by mx.onboard.example.gov\n" + raw)
    daemon.maildir.deliver(b"Received: from mx2.example.gov by mx.onboard.example.gov\n" + raw)
    daemon.run_once()
    # One acknowledgment to Jane, one confirmation request to the COR she named.
    assert sorted(s.kind for s in daemon.sent()) == ["acknowledgment", "cor-confirmation"]
    [request] = daemon.export()
    assert [s["name"] for s in request["services"]] == ["Jira", "Confluence"]
    assert request["state"] == "awaiting_cor"
    assert len(daemon.maildir.cur()) == 2


def test_second_run_without_new_mail_sends_nothing(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(JANE, COMPLETE))
    daemon.run_once()
    before = [p.path.name for p in daemon.sent()]
    daemon.run_once()
    assert [p.path.name for p in daemon.sent()] == before
    assert daemon.maildir.new() == []


def test_redelivery_after_processing_is_not_answered_again(daemon: Daemon) -> None:
    """A crash between commit and move leaves the mail in new/: it must not be answered twice."""
    raw = compose(JANE, COMPLETE)
    daemon.maildir.deliver(raw, name="same.eml")
    daemon.run_once()
    daemon.maildir.deliver(raw, name="same-again.eml")
    daemon.run_once()
    assert sorted(s.kind for s in daemon.sent()) == ["acknowledgment", "cor-confirmation"]
    assert len(daemon.export()) == 1


def test_new_content_under_a_used_message_id_is_answered_and_logged(
    daemon: Daemon, caplog: pytest.LogCaptureFixture
) -> None:
    """A sender that reuses a Message-ID for a new mail is not silently dropped (§4)."""
    first = compose(JANE, COMPLETE)
    again = first.replace(b"Users: 25", b"Users: 40").replace(
        b"Estimated number of users: 25", b"Estimated number of users: 40"
    )
    assert again != first
    daemon.maildir.deliver(first, name="first.eml")
    daemon.run_once()
    assert "reuses a Message-ID" not in caplog.text
    daemon.maildir.deliver(again, name="again.eml")
    daemon.run_once()
    assert caplog.text.count("reuses a Message-ID") == 1
    # The second one delivered again is a duplicate, though an older row has its
    # Message-ID too.
    daemon.maildir.deliver(again, name="again-again.eml")
    daemon.run_once()
    assert caplog.text.count("reuses a Message-ID") == 1
    assert [s.kind for s in daemon.sent()].count("acknowledgment") == 2
    assert len(daemon.export()) == 2


def test_out_of_office_gets_no_answer_and_opens_nothing(daemon: Daemon) -> None:
    daemon.maildir.deliver(
        compose(
            "Pat Kim <pat.kim@acmehealth.example.com>",
            "I am out of the office until Monday. Services: Jira",
            subject="Automatic reply: Access request",
            headers={"Auto-Submitted": "auto-replied"},
        )
    )
    daemon.run_once()
    assert daemon.sent() == []
    assert daemon.export() == []
    assert len(daemon.maildir.cur()) == 1


@pytest.mark.parametrize(
    "sender",
    ["Onboarding <onboarding@onboard.example.gov>", "ONBOARDING@Onboard.Example.Gov",
     "onboarding+a1b2c3@onboard.example.gov"],
)
def test_mail_from_our_own_address_opens_nothing(daemon: Daemon, sender: str) -> None:
    daemon.maildir.deliver(compose(sender, COMPLETE, subject="Jira for Acme"))
    daemon.run_once()
    assert daemon.sent() == []
    assert daemon.export() == []
    assert len(daemon.maildir.cur()) == 1


def test_address_book_names_are_greeted_first_name_first(daemon: Daemon) -> None:
    daemon.maildir.deliver(
        compose('"DOE, JANE (CMS/CCSQ)" <jane.doe@acmehealth.example.com>', COMPLETE))
    daemon.run_once()
    [ack] = [m for m in daemon.sent() if m.kind == "acknowledgment"]
    assert "Hello Jane Doe," in ack.text
    assert "CCSQ" not in ack.text.split("\n", 3)[0]


def test_auto_response_suppress_records_the_request_but_sends_nothing(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(JANE, COMPLETE, headers={"X-Auto-Response-Suppress": "All"}))
    daemon.run_once()
    # Jane gets no answer; the COR she named is still asked to confirm.
    assert [(s.kind, s.to) for s in daemon.sent()] == [
        ("cor-confirmation", "Dana Smith <dana.smith@cms.example.gov>")
    ]
    assert [r["state"] for r in daemon.export()] == ["awaiting_cor"]


def test_unclassified_mail_gets_one_help_reply_per_day(daemon: Daemon) -> None:
    for _ in range(2):
        daemon.maildir.deliver(compose(JANE, "Hi, who do I talk to about laptops?", subject="Hi"))
        daemon.run_once()
    [help_mail] = daemon.sent()
    assert help_mail.kind == "help"
    assert "Jira" in help_mail.text  # the catalog
    assert daemon.export() == []


def test_withdrawal_by_reply(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(JANE, PARTIAL))
    daemon.run_once()
    [notice] = daemon.sent()
    daemon.maildir.deliver(
        reply_to(notice, JANE, "Please cancel this request, we found another way.")
    )
    daemon.run_once()
    [request] = daemon.export()
    assert request["state"] == "withdrawn"
    assert daemon.sent()[-1].kind == "acknowledgment"
    assert "withdrawn" in daemon.sent()[-1].subject.lower()


def test_status_by_a_new_mail_naming_the_reference(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(JANE, COMPLETE))
    daemon.run_once()
    [request] = daemon.export()
    reference = request["reference"]
    # A new mail, not a reply: only the reference in the subject ties it to the request.
    daemon.maildir.deliver(compose("Ann Roe <ann.roe@acmehealth.example.com>",
                                   "Hi,\n\nWhere does this stand? Our analysts start Monday.",
                                   subject=f"{reference} status"))
    daemon.run_once()
    status = daemon.sent()[-1]
    assert status.kind == "status"
    assert status.message["X-Onboarding-Notice"] == "status"
    assert "ann.roe@acmehealth.example.com" in status.to and "jane.doe" not in status.to
    assert "waiting for the COR, Dana Smith" in " ".join(status.text.split())
    [after] = daemon.export()
    assert after["state"] == request["state"]


def test_stranger_quoting_a_reference_changes_nothing(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(JANE, PARTIAL))
    daemon.run_once()
    [notice] = daemon.sent()
    daemon.maildir.deliver(
        reply_to(notice, "Mallory <mallory@evil.example.net>", "Please cancel this request.")
    )
    daemon.run_once()
    [request] = daemon.export()
    assert request["state"] == "incomplete"


def test_unknown_service_is_named_back_with_the_catalog(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(JANE, COMPLETE.replace("Jira, Confluence", "Jira Align Pro")))
    daemon.run_once()
    [notice] = daemon.sent()
    assert notice.kind == "missing-fields"
    assert "Jira Align Pro" in notice.text
    assert "ServiceNow" in notice.text


def test_broken_mail_is_quarantined_and_the_next_one_still_processed(
    daemon: Daemon, capsys: pytest.CaptureFixture[str]
) -> None:
    text = daemon.config.read_text().replace(
        "max_message_bytes = 26214400", "max_message_bytes = 4096"
    )
    daemon.config.write_text(text)
    daemon.maildir.deliver(compose(JANE, COMPLETE + "x" * 8000), name="a-big.eml")
    daemon.maildir.deliver(compose(JANE, PARTIAL), name="b-small.eml")
    daemon.run_once()
    assert len(daemon.maildir.quarantined()) == 1
    assert len(daemon.export()) == 1
    assert daemon.run("quarantine", "list") == 0
    listing = capsys.readouterr().out
    assert "too-large" in listing


def test_quarantine_retry_puts_the_mail_through_again(
    daemon: Daemon, capsys: pytest.CaptureFixture[str]
) -> None:
    config = daemon.config.read_text()
    daemon.config.write_text(
        config.replace("max_message_bytes = 26214400", "max_message_bytes = 4096")
    )
    daemon.maildir.deliver(compose(JANE, COMPLETE + "\n" + "x" * 5000))
    daemon.run_once()
    assert daemon.export() == []
    daemon.config.write_text(config)
    assert daemon.run("quarantine", "list") == 0
    key = capsys.readouterr().out.splitlines()[1].split()[0]
    assert daemon.run("quarantine", "retry", key) == 0
    assert len(daemon.export()) == 1
    assert sorted(s.kind for s in daemon.sent()) == ["acknowledgment", "cor-confirmation"]


def test_export_matches_the_documented_format(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(JANE, COMPLETE))
    daemon.run_once()
    [item] = daemon.export()
    assert set(item) == {
        "reference",
        "kind",
        "state",
        "organization",
        "justification",
        "user_count",
        "services",
        "cor_approval",
        "requester",
        "security_official",
        "created_at",
        "updated_at",
    }
    assert set(item["services"][0]) == {"name", "decision", "decided_by", "decided_at", "reason"}
    assert item["requester"] == "jane.doe@acmehealth.example.com"
    assert str(item["reference"]).startswith("ONB-")


def test_requests_list_and_show(daemon: Daemon, capsys: pytest.CaptureFixture[str]) -> None:
    daemon.maildir.deliver(compose(JANE, COMPLETE))
    daemon.run_once()
    [item] = daemon.export()
    assert daemon.run("requests", "list") == 0
    assert str(item["reference"]) in capsys.readouterr().out
    assert daemon.run("requests", "show", str(item["reference"])) == 0
    shown = capsys.readouterr().out
    assert "request-created" in shown and "acknowledgment" in shown
    assert daemon.run("requests", "show", "ONB-1999-0001") == 1


def test_backlog_on_first_start_is_recorded_not_answered(daemon: Daemon) -> None:
    path = daemon.maildir.deliver(compose(JANE, COMPLETE))
    old = time.time() - 30 * 86400
    os.utime(path, (old, old))
    daemon.run_once()
    assert daemon.sent() == []
    assert len(daemon.export()) == 1


@sqlite_only
def test_database_file_is_private(daemon: Daemon) -> None:
    daemon.run_once()
    database = daemon.config.parent / "var" / "onboardd.db"
    assert database.stat().st_mode & 0o777 == 0o600


def test_reply_limit_holds_answers_back_and_says_so(
    daemon: Daemon, caplog: pytest.LogCaptureFixture
) -> None:
    for number in range(7):
        daemon.maildir.deliver(
            compose(
                JANE,
                f"Org: Acme Health\nService: Jira\nUsers: {number + 1}",
                subject=f"Request {number}",
            )
        )
    daemon.run_once()
    assert len([s for s in daemon.sent() if "jane.doe" in s.to]) == 5
    assert len(daemon.export()) == 7  # every request is still recorded
    assert "hourly reply limit" in caplog.text


def test_facts_read_from_sentences_are_said_back(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(
        JANE,
        "Hello,\n\nWe are Acme Health Solutions and need Jira for about 40 staff to track "
        "defects with the CMS team.\n\nJane\n",
        subject="Jira please",
    ))
    daemon.run_once()
    [notice] = daemon.sent()
    assert notice.kind == "missing-fields"  # the COR's approval is still needed
    words = " ".join(notice.text.split())
    assert "from the wording of your mail rather than from labelled lines" in words
    for label in ("Name of Organization (HARP Organization Name Preferred)",
                  "Name of QualityNet IT Service", "Estimated Number of Users",
                  "Business Justification for Use of Service"):
        assert f"{label} (from a sentence)" in words
    html = notice.message.get_body(("html",)).get_content()
    assert "<strong>Estimated Number of Users</strong> (from a sentence)" in html
    request = daemon.request()
    assert (request["organization"], request["user_count"]) == ("Acme Health Solutions", 40)


def test_labelled_facts_need_no_note(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(JANE, PARTIAL))
    daemon.run_once()
    [notice] = daemon.sent()
    assert "labelled lines" not in notice.text
