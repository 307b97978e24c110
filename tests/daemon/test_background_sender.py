"""The outbox sent from a second thread while ingest goes on: each row once, errors told."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from onboardd.daemon.app import App
from onboardd.daemon.sending import BackgroundSender
from onboardd.daemon.transport import Envelope
from onboardd.store.models import OutboxMessage
from tests.mailkit import pending_reply

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Recorder:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, envelope: Envelope) -> str:
        self.sent.append(envelope.message_id)
        return "250 2.0.0 queued"

    def close(self) -> None:
        return None


def add_rows(app: App, first: int, count: int) -> None:
    with app.pipeline.factory() as session, session.begin():
        for number in range(first, first + count):
            session.add(pending_reply(f"m{number}@onboard.example.gov", NOW))


def test_rows_committed_while_it_runs_are_each_sent_once(app: App) -> None:
    transport = Recorder()
    sender = BackgroundSender(app.pipeline.factory, transport, lambda: NOW)
    sender.start()
    for batch in range(5):  # as ingest does: commit, then nudge
        add_rows(app, batch * 7, 7)
        sender.nudge()
    report = sender.finish()

    assert sorted(transport.sent) == sorted(f"m{n}@onboard.example.gov" for n in range(35))
    assert report.sent == 35
    with app.pipeline.factory() as session:
        assert set(session.scalars(select(OutboxMessage.status))) == {"sent"}


def test_a_database_error_in_the_thread_is_raised_by_finish(app: App) -> None:
    add_rows(app, 0, 3)
    with app.pipeline.factory() as session, session.begin():
        session.execute(text("ALTER TABLE outbox RENAME TO outbox_gone"))
    sender = BackgroundSender(app.pipeline.factory, Recorder(), lambda: NOW)
    sender.start()
    sender.nudge()
    with pytest.raises(Exception, match="outbox"):
        sender.finish()
