"""The queues staff look at: the outbox by recipient, reference and status; quarantined
mail shown safely and put through again; purge's dry run and its guard on --now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.daemon.harness import Daemon
from tests.daemon.test_approvals import JANE, request_text
from tests.mailkit import compose

SMALL = ("max_message_bytes = 26214400", "max_message_bytes = 4096")

# A mail built byte by byte: an escape sequence in an encoded Subject, a right-to-left
# override and a terminal-clearing sequence in the text, and an HTML part with a script.
HOSTILE = (
    b"From: Mallory <mallory@example.org>\r\n"
    b"To: onboarding@onboard.example.gov\r\n"
    b"Subject: =?utf-8?q?=1B]0;owned=07hello?=\r\n"
    b"Message-ID: <hostile@example.org>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: multipart/alternative; boundary=b\r\n\r\n"
    b"--b\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
    b"Line one\r\n\x1b[2Jcleared \xe2\x80\xaeevil\r\n" + b"x" * 5000 + b"\r\n"
    b"--b\r\nContent-Type: text/html; charset=utf-8\r\n\r\n"
    b"<p>hi</p><script>alert(1)</script>\r\n"
    b"--b--\r\n"
)


def output(daemon: Daemon, *args: str) -> tuple[int, str]:
    daemon.capsys.readouterr()
    code = daemon.run(*args)
    captured = daemon.capsys.readouterr()
    return code, captured.out + captured.err


def quarantined_key(daemon: Daemon) -> str:
    code, listing = output(daemon, "quarantine", "list")
    assert code == 0
    return listing.splitlines()[1].split()[0]


def test_outbox_list_filters_by_recipient_reference_and_status(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(JANE, request_text()))
    daemon.maildir.deliver(compose("Bob Roe <bob.roe@acmehealth.example.com>", "Services: Jira"))
    daemon.run_once()
    code, everything = output(daemon, "outbox", "list")
    assert code == 0 and len(everything.splitlines()) == 1 + 3
    _, janes = output(daemon, "outbox", "list", "--to", "JANE.DOE@acmehealth.example.com")
    [header, ack] = janes.splitlines()
    assert header.split()[:7] == ["ID", "KIND", "STATUS", "TRIES", "CREATED", "REFERENCE", "TO"]
    assert "acknowledgment" in ack and "jane.doe@acmehealth.example.com" in ack
    reference = ack.split()[5]
    _, about = output(daemon, "outbox", "list", "--reference", reference.lower())
    assert sorted(line.split()[1] for line in about.splitlines()[1:]) == [
        "acknowledgment", "cor-confirmation"]
    _, dana = output(daemon, "outbox", "list", "--to", "dana.smith@cms.example.gov")
    assert [line.split()[1] for line in dana.splitlines()[1:]] == ["cor-confirmation"]
    assert output(daemon, "outbox", "list", "--status", "pending") == (
        0, "no outgoing mail matches\n")
    _, sent = output(daemon, "outbox", "list", "--status", "sent")
    assert len(sent.splitlines()) == 1 + 3


def test_quarantine_show_escapes_controls_and_renders_no_html(daemon: Daemon) -> None:
    daemon.configure(*SMALL)
    daemon.maildir.deliver(HOSTILE)
    daemon.run_once()
    code, shown = output(daemon, "quarantine", "show", quarantined_key(daemon))
    assert code == 0
    assert "\x1b" not in shown and "\u202e" not in shown and "\x07" not in shown
    assert "Subject: \\x1b]0;owned\\x07hello" in shown
    assert "Line one\n\\x1b[2Jcleared \\u202eevil" in shown
    assert "<script>" not in shown and "alert(1)" not in shown
    assert "other parts (not shown):\n  text/html, " in shown
    assert "reason:   too-large" in shown


def test_quarantine_retry_moves_the_file_out_of_quarantine(daemon: Daemon) -> None:
    daemon.configure(*SMALL)
    daemon.maildir.deliver(compose(JANE, request_text() + "\n" + "x" * 5000))
    daemon.run_once()
    [held] = daemon.maildir.quarantined()
    daemon.configure(SMALL[1], SMALL[0])
    code, out = output(daemon, "quarantine", "retry", quarantined_key(daemon))
    assert code == 0
    assert "moved out of .Quarantine/ to cur/" in out
    assert daemon.maildir.quarantined() == []
    assert [p.name for p in daemon.maildir.cur()] == [held.name.split(":")[0] + ":2,S"]
    assert len(daemon.export()) == 1


def test_purge_dry_run_removes_nothing_and_a_future_now_needs_yes(daemon: Daemon) -> None:
    t0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
    daemon.maildir.deliver(compose(JANE, "Services: Jira"))
    assert daemon.run("run", "--once", "--now", t0.isoformat()) == 0
    reference = daemon.request()["reference"]
    assert daemon.run("requests", "withdraw", reference, "--by", "Pat", "--reason", "r") == 0
    later = (datetime.now(UTC) + timedelta(days=3000)).isoformat()
    code, refused = output(daemon, "purge", "--now", later)
    assert code == 2
    assert refused.startswith(f"onboardd: --now {later} is in the future: a purge as of then ")
    code, dry = output(daemon, "purge", "--dry-run", "--now", later)
    assert code == 0
    assert dry.strip() == (
        "dry run, nothing removed: raw bytes would be dropped from 1 inbound mail(s); "
        "0 old sent mail(s) without a request would be removed; 1 closed request(s) would "
        f"be removed with 1 service decision(s) and 1 sent mail(s) ({reference}); "
        "2 audit event(s) would be kept")
    assert len(daemon.export()) == 1
    code, done = output(daemon, "purge", "--yes", "--now", later)
    assert code == 0 and "1 closed request(s) removed with 1 service decision(s)" in done
    assert daemon.export() == []


def test_an_outbox_id_is_not_given_again_after_purge(daemon: Daemon) -> None:
    t0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
    assert daemon.run("digest", "--send", "--now", t0.isoformat()) == 0
    assert output(daemon, "outbox", "list")[1].splitlines()[1].split()[:2] == ["1", "digest"]
    # The digest is a sent mail without a request: gone once raw mail is (90 days).
    assert daemon.run("purge", "--yes", "--now", (t0 + timedelta(days=91)).isoformat()) == 0
    assert output(daemon, "outbox", "list") == (0, "outbox is empty\n")
    assert daemon.run("digest", "--send", "--now", (t0 + timedelta(days=92)).isoformat()) == 0
    assert output(daemon, "outbox", "list")[1].splitlines()[1].split()[:2] == ["2", "digest"]
