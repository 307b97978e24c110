"""The outbox sent from a second thread while ingest goes on: each row once, errors told,
and each result kept (in the send journal, or committed) before the next message goes
out."""

from __future__ import annotations

import os
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, event, select, text

from onboardd.daemon import outbox, sending
from onboardd.daemon.app import App
from onboardd.daemon.send_journal import SendJournal, SendResult, journal_path
from onboardd.daemon.sending import BackgroundSender
from onboardd.daemon.transport import Envelope
from onboardd.store.engine import database_file
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
    # At most a commit per result; besides those, one claim of all fifteen, the empty
    # claim that ends that round, and the last round's empty claim: not a claim per mail.
    assert commits.count("outbox-sender") - 15 <= 3


class Watching:
    """A transport that notes, as each message goes out, how many results are kept (in
    the send journal or committed) and how many times the outbox had made its commits
    durable (make_durable), as a server's acceptance of the DATA."""

    def __init__(self, app: App, syncs: list[int]) -> None:
        self.app = app
        self.syncs = syncs
        self.seen: list[tuple[int, int]] = []  # (results kept, syncs) at each send

    def send(self, envelope: Envelope) -> str:
        self.seen.append((kept_count(self.app), len(self.syncs)))
        return "250 2.0.0 queued"

    def close(self) -> None:
        return None


def journal_lines(app: App) -> int:
    database = database_file(app.engine)
    if database is None or not journal_path(database).exists():
        return 0
    return len(journal_path(database).read_bytes().splitlines())


def kept_count(app: App) -> int:
    """Results a kill could not take back: committed, or in the send journal."""
    return sent_count(app) + journal_lines(app)


def counting_syncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry each time the outbox makes its commits durable (the sync still runs)."""
    syncs: list[int] = []
    make_durable = outbox.make_durable

    def counted(engine: Engine) -> None:
        syncs.append(1)
        make_durable(engine)

    monkeypatch.setattr(outbox, "make_durable", counted)
    return syncs


def test_each_result_is_kept_before_the_next_message_goes_out(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_rows(app, 0, 3)
    syncs = counting_syncs(monkeypatch)
    transport = Watching(app, syncs)
    sender = BackgroundSender(app.pipeline.factory, transport, lambda: NOW)
    sender.start()
    sender.nudge()
    assert sender.finish().sent == 3

    # A kill at any moment finds at most the message in hand sent and not kept.
    assert [kept for kept, _ in transport.seen] == [0, 1, 2]
    # Synced with the claim, and the results once at the end of the round, not each.
    assert [synced for _, synced in transport.seen] == [1, 1, 1]
    assert len(syncs) == 2
    assert sent_count(app) == 3 and journal_lines(app) == 0


def test_a_drain_of_its_own_keeps_each_result_on_disk_before_the_next_send(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_rows(app, 0, 3)
    synced_lines: list[int] = []
    fdatasync = os.fdatasync

    def counted(descriptor: int) -> None:
        fdatasync(descriptor)
        synced_lines.append(journal_lines(app))

    monkeypatch.setattr(os, "fdatasync", counted)
    transport = Watching(app, counting_syncs(monkeypatch))
    assert outbox.drain(app.pipeline.factory, transport, NOW).sent == 3

    assert [kept for kept, _ in transport.seen] == [0, 1, 2]
    if database_file(app.engine) is not None:
        # Each line of the journal synced as it is written (elsewhere each result is a
        # commit that waits for the disk).
        assert synced_lines == [1, 2, 3]
    assert sent_count(app) == 3 and journal_lines(app) == 0


class Killed(BaseException):
    """The process's end, as far as the drain can tell: nothing after it runs."""


class DyingAfterOne:
    """Sends one message; the process dies during the next."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, envelope: Envelope) -> str:
        if self.sent:
            raise Killed
        self.sent.append(envelope.message_id)
        return "250 2.0.0 queued"

    def close(self) -> None:
        return None


@sqlite_only
def test_a_result_left_in_the_journal_by_a_killed_sender_is_committed_before_any_claim(
    app: App,
) -> None:
    add_rows(app, 0, 2)
    first = DyingAfterOne()
    with pytest.raises(Killed):
        outbox.drain(app.pipeline.factory, first, NOW, sync_each=False)
    assert first.sent == ["m0@onboard.example.gov"]
    assert sent_count(app) == 0 and journal_lines(app) == 1  # where a kill cannot take it

    # Once the leases have run out, the next drain sends only what did not go out.
    later = Recorder()
    after_lease = NOW + outbox.LEASE + timedelta(seconds=1)
    assert outbox.drain(app.pipeline.factory, later, after_lease).sent == 1
    assert later.sent == ["m1@onboard.example.gov"]
    assert sent_count(app) == 2 and journal_lines(app) == 0


@sqlite_only
def test_a_result_of_an_earlier_attempt_left_in_the_journal_changes_nothing(app: App) -> None:
    add_rows(app, 0, 1)
    assert outbox.drain(app.pipeline.factory, Recorder(), NOW).sent == 1
    journal = SendJournal.take(app.engine, sync=False)
    assert journal is not None
    # A "deferred" of the row's first attempt, as if a kill came between the commit of
    # that attempt's result and the emptying of the journal, and the row was sent since.
    journal.write(SendResult(1, "acknowledgment", 0, NOW, "transient", "451 later", NOW))
    journal.close()

    assert outbox.drain(app.pipeline.factory, Recorder(), NOW).sent == 0
    with app.pipeline.factory() as session:
        row = session.scalars(select(OutboxMessage)).one()
        assert (row.status, row.attempts, row.last_error) == ("sent", 1, None)
    assert journal_lines(app) == 0


@sqlite_only
def test_a_sender_that_finds_the_journal_held_commits_each_result(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_rows(app, 0, 3)
    held = SendJournal.take(app.engine, sync=False)  # as another process would hold it
    assert held is not None
    try:
        transport = Watching(app, counting_syncs(monkeypatch))
        assert outbox.drain(app.pipeline.factory, transport, NOW, sync_each=False).sent == 3
        assert [kept for kept, _ in transport.seen] == [0, 1, 2]
        assert journal_lines(app) == 0  # every result committed, none written there
    finally:
        held.close()


def sent_count(app: App) -> int:
    with app.pipeline.factory() as session:
        rows = session.scalars(select(OutboxMessage.id).where(OutboxMessage.status == "sent"))
        return len(rows.all())
