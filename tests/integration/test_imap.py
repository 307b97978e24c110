"""The daemon against a real Dovecot and a real SMTP server, through its CLI."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from onboardd.daemon.cli import main
from tests.integration.conftest import imap_config
from tests.integration.dovecot import BARE_USER, NO_MOVE_USER, PASSWORD, Dovecot
from tests.integration.smtp import SmtpServer
from tests.mailkit import compose

JANE = "Jane Doe <jane.doe@acmehealth.example.com>"
REQUEST = (
    "Organization: Acme Health Solutions\nServices: Jira\nJustification: defect tracking\n"
    "Users: 25\nCOR approval: approved by Dana Smith <dana.smith@cms.example.gov>\n"
)


def later(**delta: float) -> str:
    """A moment after now, as `--now` takes it (the outbox retries on its own clock)."""
    return (datetime.now(UTC) + timedelta(**delta)).isoformat()


def run_once(config: Path, *extra: str) -> int:
    return main(["--config", str(config), "run", "--once", *extra])


def test_appended_mail_becomes_a_request_a_reply_and_moves_to_processed(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpServer
) -> None:
    dovecot.append(compose(JANE, REQUEST))
    config = imap_config(tmp_path, dovecot, smtp)
    assert run_once(config) == 0
    assert smtp.collector.kinds() == ["acknowledgment", "cor-confirmation"]
    assert dovecot.uids("INBOX") == [] and len(dovecot.uids("Processed")) == 1
    client = dovecot.client()
    client.select_folder("Processed", readonly=True)
    [flags] = client.get_flags(client.search(["ALL"])).values()
    client.logout()
    assert b"\\Seen" not in flags  # read with BODY.PEEK[]: nobody's \Seen is touched
    assert run_once(config) == 0  # nothing new: nothing sent again
    assert len(smtp.collector.received) == 2


def test_debug_logging_carries_no_mail_text(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    # imapclient turns imaplib's wire trace on; left on, every fetched mail would be
    # logged whole at DEBUG (and formatted with %r even when no logger prints it).
    dovecot.append(compose(JANE, REQUEST + "Our badge office is on the fourth floor.\n"))
    caplog.set_level(logging.DEBUG)
    assert run_once(imap_config(tmp_path, dovecot, smtp)) == 0
    assert smtp.collector.kinds() == ["acknowledgment", "cor-confirmation"]
    # Everything but the test's own SMTP server ("mail.log", aiosmtpd), which logs DATA.
    ours = [r for r in caplog.records if r.name != "mail.log"]
    assert any(r.name.startswith("imapclient") for r in ours)  # its DEBUG lines were kept
    text = "\n".join(r.getMessage() for r in ours)
    assert "badge office" not in text and "defect tracking" not in text


def test_first_start_records_old_mail_but_answers_only_the_recent(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpServer
) -> None:
    """design §8 safe first start, by the server's INTERNALDATE (not the Date header)."""
    client = dovecot.client()
    client.append(
        "INBOX",
        compose(JANE, REQUEST, subject="Old one"),
        msg_time=datetime.now(UTC) - timedelta(days=30),
    )
    client.append("INBOX", compose("Sam Roe <sam.roe@acmehealth.example.com>", REQUEST))
    client.logout()
    config = imap_config(tmp_path, dovecot, smtp)
    assert run_once(config) == 0
    assert [str(m["To"]) for m in smtp.collector.messages() if "Sam" in str(m["To"])]
    assert not [m for m in smtp.collector.messages() if "jane.doe" in str(m["To"])]
    assert dovecot.uids("INBOX") == [] and len(dovecot.uids("Processed")) == 2
    database = tmp_path / "var" / "onboardd.db"
    statuses = sqlite3.connect(database).execute("select status from inbound_messages")
    assert sorted(status for (status,) in statuses) == ["backlog", "processed"]


@pytest.mark.parametrize("user", [NO_MOVE_USER, BARE_USER])
def test_without_move_the_mail_is_copied_then_flagged(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpServer, user: str
) -> None:
    dovecot.append(compose(JANE, "Hello, where do I send a request?"), user=user)
    dovecot.append(compose(JANE, REQUEST), user=user)
    config = imap_config(tmp_path, dovecot, smtp, user=user)
    assert run_once(config) == 0
    assert run_once(config) == 0
    assert smtp.collector.kinds() == ["acknowledgment", "cor-confirmation", "help"]
    assert len(dovecot.uids("Processed", user=user)) == 2
    client = dovecot.client(user)
    client.select_folder("INBOX", readonly=True)
    assert client.search(["UNDELETED"]) == []
    left = client.search(["ALL"])
    client.logout()
    # With UIDPLUS exactly those UIDs are expunged; without it they stay flagged
    # \Deleted (a plain EXPUNGE could take mail we never copied), unread again.
    assert len(left) == (0 if user == NO_MOVE_USER else 2)


def test_broken_mail_goes_to_the_quarantine_folder(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpServer
) -> None:
    config = imap_config(tmp_path, dovecot, smtp)
    config.write_text(
        config.read_text().replace("max_message_bytes = 26214400", "max_message_bytes = 2048")
    )
    dovecot.append(compose(JANE, REQUEST + "x" * 4000))
    dovecot.append(compose(JANE, REQUEST))
    assert run_once(config) == 0
    assert len(dovecot.uids("Quarantine")) == 1 and len(dovecot.uids("Processed")) == 1


@pytest.mark.parametrize("tls", ["implicit", "starttls"])
def test_self_signed_certificate_is_refused_unless_its_ca_is_configured(
    tmp_path: Path,
    dovecot: Dovecot,
    smtp: SmtpServer,
    capsys: pytest.CaptureFixture[str],
    tls: str,
) -> None:
    dovecot.append(compose(JANE, REQUEST))
    config = imap_config(tmp_path, dovecot, smtp, tls=tls)
    assert run_once(config) == 1
    err = capsys.readouterr().err
    assert "certificate verify failed" in err and "Traceback" not in err
    assert smtp.collector.received == []
    assert dovecot.uids("INBOX") != []
    trusted = imap_config(tmp_path, dovecot, smtp, tls=tls, extra=f'ca_file = "{dovecot.ca_file}"')
    assert run_once(trusted) == 0
    assert len(smtp.collector.received) == 2


@pytest.mark.parametrize("source", ["env", "command", "credential"])
def test_password_sources(
    tmp_path: Path,
    dovecot: Dovecot,
    smtp: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
    source: str,
) -> None:
    (tmp_path / "creds").mkdir()
    (tmp_path / "creds" / "imap").write_text(PASSWORD)
    monkeypatch.setenv("ONBOARDD_TEST_IMAP_PASSWORD", PASSWORD)
    monkeypatch.setenv("CREDENTIALS_DIRECTORY", str(tmp_path / "creds"))
    secret = {
        "env": 'password_env = "ONBOARDD_TEST_IMAP_PASSWORD"',
        "command": f'password_command = "printf {PASSWORD}"',
        "credential": 'password_credential = "imap"',
    }[source]
    dovecot.append(compose(JANE, REQUEST))
    assert run_once(imap_config(tmp_path, dovecot, smtp, secret=secret)) == 0
    assert len(smtp.collector.received) == 2


def token_command(folder: Path, *tokens: str) -> str:
    """A token command printing `tokens` one per run (the last one from then on)."""
    script = folder / "token"
    lines = ["#!/bin/sh", f'n=$(cat "{folder}/runs" 2>/dev/null || echo 0)']
    lines.append(f'echo $((n + 1)) > "{folder}/runs"')
    for number, token in enumerate(tokens[:-1]):
        lines.append(f'[ "$n" = {number} ] && {{ echo "{token}"; exit 0; }}')
    lines.append(f'echo "{tokens[-1]}"')
    script.write_text("\n".join(lines) + "\n")
    script.chmod(0o755)
    return f'oauth2_token_command = "{script}"'


def test_xoauth2_token_is_asked_for_again_once_when_refused(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpServer
) -> None:
    # The test Dovecot takes the password as the one valid bearer token.
    secret = token_command(tmp_path, "expired-token", PASSWORD)
    dovecot.append(compose(JANE, REQUEST))
    assert run_once(imap_config(tmp_path, dovecot, smtp, secret=secret)) == 0
    assert (tmp_path / "runs").read_text().strip() == "2"
    assert len(smtp.collector.received) == 2 and dovecot.uids("INBOX") == []
    assert "method=XOAUTH2" in dovecot.log()


def test_xoauth2_refused_twice_is_a_clear_error(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    secret = token_command(tmp_path, "revoked-token")
    assert run_once(imap_config(tmp_path, dovecot, smtp, secret=secret)) == 1
    err = capsys.readouterr().err
    assert "mailbox onboarding" in err and "login refused" in err and "Traceback" not in err
    assert "revoked-token" not in err
    assert (tmp_path / "runs").read_text().strip() == "2"  # asked again once, not more


def test_wrong_password_is_a_clear_error_naming_the_mailbox(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpServer, capsys: pytest.CaptureFixture[str]
) -> None:
    config = imap_config(tmp_path, dovecot, smtp, secret='password_command = "printf nope"')
    assert run_once(config) == 1
    err = capsys.readouterr().err
    assert "mailbox onboarding" in err and "login refused" in err and "Traceback" not in err


def test_smtp_down_then_up_delivers_every_reply_once(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpServer
) -> None:
    for number in range(3):
        dovecot.append(compose(JANE, REQUEST, subject=f"Request {number}"))
    config = imap_config(tmp_path, dovecot, smtp)
    smtp.stop()
    assert run_once(config) == 0  # mail processed, replies deferred
    assert dovecot.uids("INBOX") == []
    smtp.start()
    smtp.collector.refuse_with = "451 4.3.0 try again later"
    assert run_once(config, "--now", later(minutes=2)) == 0
    assert smtp.collector.received == []
    smtp.collector.refuse_with = None
    assert run_once(config, "--now", later(hours=1)) == 0
    ids = [str(m["Message-ID"]) for m in smtp.collector.messages()]
    assert len(ids) == 6 and len(set(ids)) == 6
    assert run_once(config, "--now", later(hours=3)) == 0
    assert len(smtp.collector.received) == 6


def test_permanent_refusal_is_marked_failed_with_the_servers_reply(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpServer
) -> None:
    dovecot.append(compose(JANE, REQUEST))
    smtp.collector.refuse_with = "554 5.7.1 policy rejection"
    config = imap_config(tmp_path, dovecot, smtp)
    assert run_once(config) == 0
    database = tmp_path / "var" / "onboardd.db"
    rows = sqlite3.connect(database).execute("select status, last_error from outbox").fetchall()
    assert rows and all(status == "failed" and "554" in error for status, error in rows)


def test_uidvalidity_change_is_survived_without_answering_twice(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpServer, caplog: pytest.LogCaptureFixture
) -> None:
    raw = compose(JANE, REQUEST)
    dovecot.append(raw)
    config = imap_config(tmp_path, dovecot, smtp)
    assert run_once(config) == 0
    # The same mail back in INBOX (a crash between commit and move), and the folder
    # renumbered by the server: the rescan must find it already done.
    dovecot.append(raw)
    dovecot.stop()
    dovecot.renumber("INBOX")
    dovecot.start()
    assert run_once(config) == 0
    assert "UIDVALIDITY" in caplog.text
    assert len(smtp.collector.received) == 2
    assert dovecot.uids("INBOX") == []
