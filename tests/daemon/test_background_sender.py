"""The outbox sent from a second thread while ingest goes on: each row once, errors told."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, text

from onboardd.daemon.app import App, build
from onboardd.daemon.config import load_config
from onboardd.daemon.sending import BackgroundSender
from onboardd.daemon.transport import Envelope
from onboardd.store.models import OutboxMessage
from tests.daemon.harness import Daemon

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def app(daemon: Daemon) -> Iterator[App]:
    built = build(load_config(daemon.config))
    yield built
    built.engine.dispose()


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
            session.add(
                OutboxMessage(
                    message_id=f"m{number}@onboard.example.gov",
                    kind="acknowledgment",
                    mail_from="onboarding@onboard.example.gov",
                    to_addr="jane.doe@acmehealth.example.com",
                    recipients=["jane.doe@acmehealth.example.com"],
                    raw=b"Subject: hello\r\n\r\nhi\r\n",
                    next_attempt_at=NOW,
                    created_at=NOW,
                )
            )


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
