"""The outbox sent from a second thread while ingest goes on: each row once, errors told."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

import pytest
from sqlalchemy import event, select, text

from onboardd.daemon import sending
from onboardd.daemon.app import App
from onboardd.daemon.outbox import Claim
from onboardd.daemon.sending import BackgroundSender, GroupRecorder
from onboardd.daemon.transport import Envelope
from onboardd.store.models import OutboxMessage
from tests.conftest import sqlite_only
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


def claims_of(app: App) -> list[Claim]:
    with app.pipeline.factory() as session:
        return [
            Claim(row.id, row.kind, 1, row.created_at, row.next_attempt_at,
                  Envelope(row.message_id, row.mail_from, tuple(row.recipients), row.raw))
            for row in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
        ]


@sqlite_only  # where one writer at a time makes "busy" certain
def test_results_that_came_in_while_the_database_was_busy_are_written_together(
    app: App,
) -> None:
    add_rows(app, 0, 5)
    claims = claims_of(app)
    commits: list[int] = []
    event.listen(app.engine, "commit", lambda _connection: commits.append(1))
    recorder = GroupRecorder(app.pipeline.factory)
    recorder.start()
    with app.pipeline.factory() as busy, busy.begin():
        busy.execute(text("SELECT 1"))  # the write turn is held, as ingest holds it
        for claim in claims:
            recorder.record(claim, ("sent", "250 ok"), NOW)
        time.sleep(0.2)  # the recorder is waiting for its turn, not writing one by one
    report = recorder.finish()

    assert report.sent == 5
    assert len(commits) == 2  # the busy transaction, then one for all five results
    with app.pipeline.factory() as session:
        assert list(session.scalars(select(OutboxMessage.status))) == ["sent"] * 5


def test_a_failed_write_refuses_more_results_and_is_raised_by_finish(app: App) -> None:
    add_rows(app, 0, 2)
    first, second = claims_of(app)
    with app.pipeline.factory() as session, session.begin():
        session.execute(text("ALTER TABLE outbox RENAME TO outbox_gone"))
    recorder = GroupRecorder(app.pipeline.factory)
    recorder.start()
    recorder.record(first, ("sent", "250 ok"), NOW)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            recorder.record(second, ("sent", "250 ok"), NOW)
        except RuntimeError:
            break
        time.sleep(0.01)
    else:
        pytest.fail("record() went on taking results after the write failed")
    with pytest.raises(Exception, match="outbox"):
        recorder.finish()


def commits_by_thread(app: App) -> list[str]:
    commits: list[str] = []
    event.listen(app.engine, "commit", lambda _c: commits.append(threading.current_thread().name))
    return commits


def test_rows_committed_close_together_are_claimed_together(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sending, "GATHER_SECONDS", 1.0)  # the mechanism, not the setting
    commits = commits_by_thread(app)
    transport = Recorder()
    sender = BackgroundSender(app.pipeline.factory, transport, lambda: NOW)
    sender.start()
    for batch in range(5):  # five mails' replies, committed and nudged one after another
        add_rows(app, batch * 3, 3)
        sender.nudge()
        time.sleep(0.01)
    report = sender.finish()

    assert report.sent == 15 and len(transport.sent) == 15
    # One claim of all fifteen, the empty claim that ends that round, and the last
    # round's empty claim: not a claim per mail.
    assert commits.count("outbox-sender") <= 3


def test_results_that_come_in_close_together_are_written_together(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sending, "GATHER_SECONDS", 1.0)
    add_rows(app, 0, 5)
    claims = claims_of(app)
    commits = commits_by_thread(app)
    recorder = GroupRecorder(app.pipeline.factory)
    recorder.start()
    for claim in claims:  # the database is free all along
        recorder.record(claim, ("sent", "250 ok"), NOW)
        time.sleep(0.01)
    report = recorder.finish()

    assert report.sent == 5
    assert commits == ["outbox-recorder"]


def test_enough_results_are_written_without_waiting_out_the_gathering(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sending, "GATHER_SECONDS", 60.0)
    monkeypatch.setattr(sending, "GATHER_RESULTS", 3)
    add_rows(app, 0, 4)
    claims = claims_of(app)
    recorder = GroupRecorder(app.pipeline.factory)
    recorder.start()
    for claim in claims[:3]:
        recorder.record(claim, ("sent", "250 ok"), NOW)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and sent_count(app) < 3:
        time.sleep(0.02)
    assert sent_count(app) == 3  # written on the third result, not after a minute

    recorder.record(claims[3], ("sent", "250 ok"), NOW)
    started = time.monotonic()
    assert recorder.finish().sent == 4  # finishing writes what gathers at once
    assert time.monotonic() - started < 10


def sent_count(app: App) -> int:
    with app.pipeline.factory() as session:
        rows = session.scalars(select(OutboxMessage.id).where(OutboxMessage.status == "sent"))
        return len(rows.all())
