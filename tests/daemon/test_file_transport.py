"""The file outbox writes a Message-ID once: a second send of it is told, not hidden."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from onboardd.daemon.app import App
from onboardd.daemon.outbox import LEASE, drain
from onboardd.daemon.transport import Envelope, FileTransport
from onboardd.store.models import OutboxMessage
from tests.mailkit import pending_reply

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FIRST = b"Message-ID: <a1@onboard.example.gov>\r\nSubject: first\r\n\r\nhello\r\n"


def envelope(raw: bytes) -> Envelope:
    return Envelope("a1@onboard.example.gov", "onboarding@onboard.example.gov",
                    ("jane.doe@acmehealth.example.com",), raw)


def test_a_second_write_of_a_message_id_leaves_the_first_and_is_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    transport = FileTransport(tmp_path / "outbox")
    assert transport.send(envelope(FIRST)).startswith("written to ")
    with caplog.at_level(logging.WARNING, logger="onboardd.outbox"):
        reply = transport.send(envelope(FIRST.replace(b"first", b"second")))

    assert reply.startswith("already written to ")
    [written] = (tmp_path / "outbox").iterdir()  # no second file, no temporary one left
    assert written.read_bytes().endswith(FIRST)
    [record] = caplog.records
    assert written.name in record.getMessage()
    assert "a1@" not in record.getMessage()  # a grant's Message-ID carries its token


def test_a_reply_sent_again_after_its_lease_shows_in_the_outbox(
    app: App, caplog: pytest.LogCaptureFixture
) -> None:
    with app.pipeline.factory() as session, session.begin():
        session.add(pending_reply("a1@onboard.example.gov", NOW, FIRST))
    transport = app.transport()
    assert drain(app.pipeline.factory, transport, NOW).sent == 1
    # As after a kill between the server's acceptance and the result's write.
    with app.pipeline.factory() as session, session.begin():
        session.execute(update(OutboxMessage).values(status="pending", next_attempt_at=NOW))
    later = NOW + LEASE + timedelta(seconds=1)
    with caplog.at_level(logging.WARNING, logger="onboardd.outbox"):
        assert drain(app.pipeline.factory, transport, later).sent == 1

    with app.pipeline.factory() as session:
        status, reply = session.execute(
            select(OutboxMessage.status, OutboxMessage.server_reply)
        ).one()
    assert status == "sent" and reply is not None and reply.startswith("already written to ")
    assert any("not written again" in r.getMessage() for r in caplog.records)
