"""Fixtures for tests against real servers: one Dovecot per session, one SMTP server per test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO, require, volume_budget
from tests.integration.dovecot import PASSWORD, USER, USERS, Dovecot, create, remove
from tests.integration.smtp import SmtpServer


@pytest.fixture(scope="session")
def dovecot_server() -> Iterator[Dovecot]:
    require(shutil.which("dovecot") is not None, "Dovecot (Debian package dovecot-imapd)")
    server = create()
    server.start()
    yield server
    remove(server)


@pytest.fixture
def dovecot(dovecot_server: Dovecot) -> Dovecot:
    for user in USERS:
        dovecot_server.wipe(user)
    return dovecot_server


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


def imap_config(
    folder: Path,
    dovecot: Dovecot,
    smtp: SmtpServer,
    *,
    user: str = USER,
    tls: str = "none",
    extra: str = "",
    secret: str | None = None,
) -> Path:
    """config.example.toml with an IMAP mailbox on the test Dovecot and SMTP on aiosmtpd."""
    (folder / "imap-password").write_text(PASSWORD + "\n")
    port = dovecot.tls_port if tls == "implicit" else dovecot.port
    mailbox = f'''[[mailboxes]]
name = "onboarding"
address = "onboarding@onboard.example.gov"
kind = "imap"
host = "{dovecot.host(user)}"
port = {port}
tls = "{tls}"
username = "{user}"
{secret or 'password_file = "imap-password"'}
poll_seconds = 60
{"allow_insecure = true" if tls == "none" else ""}
{extra}
'''
    transport = f"""[transport]
kind = "smtp"
host = "127.0.0.1"
port = {smtp.port}
tls = "none"
allow_insecure = true
"""
    text = volume_budget((REPO / "config.example.toml").read_text())
    start = text.index("[[mailboxes]]")
    end = text.index("[cor]")
    text = text[:start] + mailbox + "\n" + transport + "\n" + text[end:]
    path = folder / "config.toml"
    path.write_text(text)
    (folder / "var").mkdir(exist_ok=True)  # the database's folder, never made by the store
    return path
