"""The SMTP transport and the outbox drain against a real SMTP server (aiosmtpd).

TLS with certificate checks (STARTTLS and implicit), AUTH by password and by XOAUTH2
with a token refreshed once, replies to the DATA command itself, and an unreachable
server costing one connection attempt per drain rather than one per message.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from onboardd.daemon.app import App, build
from onboardd.daemon.config import load_config
from onboardd.daemon.outbox import drain
from onboardd.daemon.transport import Envelope
from onboardd.store.models import OutboxMessage
from tests.conftest import require
from tests.integration.dovecot import free_port, make_certificate
from tests.integration.smtp import SmtpServer
from tests.mailkit import pending_reply

NOW = datetime.now(UTC)
SECRET = "smtp-secret-not-real"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    require(shutil.which("openssl") is not None, "openssl, to make a self-signed certificate")
    folder = tmp_path_factory.mktemp("cert")
    make_certificate(folder)
    return folder / "cert.pem", folder / "key.pem"


def smtp_app(example_config: Path, transport: str) -> App:
    """The example config (Maildir, SQLite in tmp) with this [transport] section."""
    text = example_config.read_text()
    start, end = text.index("[transport]"), text.index("[cor]")
    example_config.write_text(text[:start] + transport + "\n" + text[end:])
    return build(load_config(example_config))


def transport_toml(port: int, tls: str = "none", extra: str = "") -> str:
    insecure = "allow_insecure = true" if tls == "none" else ""
    return (
        f'[transport]\nkind = "smtp"\nhost = "127.0.0.1"\nport = {port}\ntls = "{tls}"\n'
        f"{insecure}\n{extra}\n"
    )


def queue(app: App, count: int) -> None:
    with app.pipeline.factory() as session, session.begin():
        for number in range(count):
            message_id = f"<t{number}@onboard.example.gov>"
            raw = f"Message-ID: {message_id}\r\nSubject: n{number}\r\n\r\nhello\r\n"
            session.add(pending_reply(message_id, NOW, raw.encode()))


def rows(app: App) -> list[tuple[str, int, str | None]]:
    with app.pipeline.factory() as session:
        found = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        return [(r.status, r.attempts, r.last_error or r.server_reply) for r in found]


def send_all(app: App, now: datetime = NOW) -> tuple[int, int, int, bool]:
    transport = app.transport()
    try:
        report = drain(app.pipeline.factory, transport, now)
    finally:
        transport.close()
    return report.sent, report.deferred, report.failed, report.unreachable


@pytest.fixture
def server(request: pytest.FixtureRequest, certificate: tuple[Path, Path]) -> Iterator[SmtpServer]:
    tls, password, token = getattr(request, "param", ("none", None, None))
    running = SmtpServer(tls, certificate)
    running.collector.password, running.collector.token = password, token
    running.start()
    yield running
    running.stop()


@pytest.mark.parametrize(
    "server",
    [("starttls", None, None), ("implicit", None, None)],
    indirect=True,
    ids=["starttls", "implicit"],
)
def test_self_signed_server_is_refused_unless_its_ca_is_configured(
    example_config: Path, server: SmtpServer, certificate: tuple[Path, Path]
) -> None:
    app = smtp_app(example_config, transport_toml(server.port, server.tls))
    queue(app, 3)
    # One try, then the round stops; all three wait (the rows say which was tried).
    assert send_all(app) == (0, 3, 0, True)
    [first, *rest] = rows(app)
    assert first[0] == "pending" and "certificate verify failed" in str(first[2])
    assert rest == [("pending", 0, None)] * 2  # not even tried
    trusted = smtp_app(
        example_config, transport_toml(server.port, server.tls, f'ca_file = "{certificate[0]}"')
    )
    assert send_all(trusted, NOW + timedelta(hours=1)) == (3, 0, 0, False)
    assert len(server.collector.received) == 3


@pytest.mark.parametrize("server", [("starttls", SECRET, None)], indirect=True)
def test_password_login_over_starttls_and_a_refused_one(
    example_config: Path,
    server: SmtpServer,
    certificate: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ONBOARDD_TEST_SMTP", "wrong")
    extra = (
        f'ca_file = "{certificate[0]}"\nusername = "onboarding"\n'
        'password_env = "ONBOARDD_TEST_SMTP"'
    )
    app = smtp_app(example_config, transport_toml(server.port, "starttls", extra))
    queue(app, 2)
    assert send_all(app) == (0, 2, 0, True)
    assert "login refused: 535" in str(rows(app)[0][2])
    monkeypatch.setenv("ONBOARDD_TEST_SMTP", SECRET)
    assert send_all(app, NOW + timedelta(hours=1)) == (2, 0, 0, False)
    # smtplib tries PLAIN, then LOGIN, before giving up: refusals only, then one login.
    assert [accepted for _, accepted in server.collector.logins] == [False, False, True]


@pytest.mark.parametrize("server", [("starttls", None, "fresh-token")], indirect=True)
def test_xoauth2_token_is_asked_for_again_once_when_refused(
    example_config: Path, server: SmtpServer, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    # The token command answers an expired token first, then a fresh one.
    script = tmp_path / "token"
    script.write_text(
        "#!/bin/sh\n"
        f'if [ -e "{tmp_path}/asked" ]; then echo fresh-token; '
        f'else touch "{tmp_path}/asked"; echo expired-token; fi\n'
    )
    script.chmod(0o755)
    extra = (
        f'ca_file = "{certificate[0]}"\nusername = "onboarding@onboard.example.gov"\n'
        f'oauth2_token_command = "{script}"'
    )
    app = smtp_app(example_config, transport_toml(server.port, "starttls", extra))
    queue(app, 1)
    assert send_all(app) == (1, 0, 0, False)
    assert server.collector.logins == [("XOAUTH2", False), ("XOAUTH2", True)]


def test_refusals_of_the_data_command_are_told_apart_and_the_session_goes_on(
    example_config: Path, server: SmtpServer
) -> None:
    app = smtp_app(example_config, transport_toml(server.port))
    queue(app, 3)
    server.collector.refuse_data = "451 4.3.0 queue full"
    assert send_all(app) == (0, 3, 0, False)
    assert {r[2] for r in rows(app)} == {"451 4.3.0 queue full"}
    server.collector.refuse_data = "554 5.7.1 not from you"
    assert send_all(app, NOW + timedelta(minutes=2)) == (0, 0, 3, False)
    assert [(r[0], r[2]) for r in rows(app)] == [("failed", "554 5.7.1 not from you")] * 3
    # One connection carried on after each refusal: a fresh message still goes out.
    server.collector.refuse_data = None
    queue_more = pending_reply("<late@onboard.example.gov>", NOW, b"Subject: late\r\n\r\nhello\r\n")
    with app.pipeline.factory() as session, session.begin():
        session.add(queue_more)
    assert send_all(app, NOW + timedelta(minutes=3)) == (1, 0, 0, False)


@pytest.mark.parametrize(
    "raw",
    [
        b".starts with a dot\r\n.\r\n..\r\nmid . line\r\n.end",
        b"Subject: dots\r\n\r\n.\r\n.. two\r\n. one\r\n.last\r\n",
    ],
    ids=["leading", "inside"],
)
def test_lines_that_start_with_a_dot_arrive_as_they_were_sent(
    example_config: Path, server: SmtpServer, raw: bytes
) -> None:
    # smtplib doubles such dots (RFC 5321 4.5.2) and the server takes them off again;
    # a lone "." line must not end the message early. Our replies are CRLF throughout.
    app = smtp_app(example_config, transport_toml(server.port))
    with app.pipeline.factory() as session, session.begin():
        session.add(pending_reply("<dots@onboard.example.gov>", NOW, raw))
    assert send_all(app) == (1, 0, 0, False)
    expected = raw if raw.endswith(b"\r\n") else raw + b"\r\n"
    assert server.collector.received == [expected]


def test_the_envelope_arrives_as_given_plain_or_quoted(
    example_config: Path, server: SmtpServer
) -> None:
    # smtplib's quoteaddr writes each path; the server reads back what was given.
    transport = smtp_app(example_config, transport_toml(server.port)).transport()
    recipients = ("jane.doe@acmehealth.example.com", '"lead, jira"@cms.example.gov')
    try:
        reply = transport.send(
            Envelope(
                "e1@onboard.example.gov",
                "onboarding@onboard.example.gov",
                recipients,
                b"Subject: e\r\n\r\nhello\r\n",
            )
        )
    finally:
        transport.close()
    assert reply.startswith("250")
    assert server.collector.envelopes == [("onboarding@onboard.example.gov", list(recipients))]


def test_unreachable_server_costs_one_attempt_per_drain_and_nothing_is_lost(
    example_config: Path,
) -> None:
    port = free_port()  # nobody listens here yet
    app = smtp_app(example_config, transport_toml(port))
    queue(app, 5)
    assert send_all(app) == (0, 5, 0, True)
    assert [r[:2] for r in rows(app)] == [("pending", 1)] + [("pending", 0)] * 4
    assert "cannot connect" in str(rows(app)[0][2])
    server = SmtpServer()
    server.port = port
    server.start()
    try:
        assert send_all(app, NOW + timedelta(minutes=1)) == (5, 0, 0, False)
        ids = [str(m["Message-ID"]) for m in server.collector.messages()]
        assert sorted(ids) == sorted(f"<t{n}@onboard.example.gov>" for n in range(5))
        assert send_all(app, NOW + timedelta(hours=2)) == (0, 0, 0, False)
    finally:
        server.stop()
    database = example_config.parent / "var" / "onboardd.db"
    replies = sqlite3.connect(database).execute("select server_reply from outbox").fetchall()
    assert all(str(reply).startswith("250 2.0.0 Ok: queued as Q") for (reply,) in replies)


def test_the_run_summary_counts_every_reply_that_did_not_go_out(
    example_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """With the server unreachable the first reply is tried and deferred and the rest are
    handed back untried; the summary's "deferred" counts them all."""
    from onboardd.daemon.cli import main
    from onboardd.daemon.maildir import make_maildir

    make_maildir(example_config.parent / "var/mail/onboarding")
    smtp_app(example_config, transport_toml(free_port()))
    capsys.readouterr()
    app = build(load_config(example_config))
    queue(app, 2)
    assert main(["--config", str(example_config), "run", "--once",
                 "--now", NOW.isoformat()]) == 0
    summary = capsys.readouterr().out
    assert "sent 0, deferred 2, failed 0" in summary
