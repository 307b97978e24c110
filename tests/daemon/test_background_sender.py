"""The outbox sent from a second thread while ingest goes on: each row once, errors told,
and each result on disk before the next message goes out."""

from __future__ import annotations

import contextlib
import itertools
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, event, select, text

from onboardd.daemon import outbox, sending
from onboardd.daemon.app import App
from onboardd.daemon.sending import BackgroundSender
from onboardd.daemon.transport import Envelope, nothing_before
from onboardd.store.engine import transaction
from onboardd.store.models import OutboxMessage
from tests.mailkit import pending_reply

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


class Recorder:
    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, envelope: Envelope, before_handover: Callable[[], None] = nothing_before
             ) -> str:
        before_handover()
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
    # A commit per result; besides those, one claim of all fifteen, the empty claim that
    # ends that round, and the last round's empty claim: not a claim per mail.
    assert commits.count("outbox-sender") - 15 <= 3


class Watching:
    """A transport that notes, as each message goes out, how many results are committed
    and how many times the outbox had made its commits durable (make_durable): at the
    handover, after the envelope, as a server's acceptance of the DATA."""

    def __init__(self, app: App, syncs: list[int]) -> None:
        self.app = app
        self.syncs = syncs
        self.seen: list[tuple[int, int]] = []  # (results committed, syncs) at each send

    def send(self, envelope: Envelope, before_handover: Callable[[], None] = nothing_before
             ) -> str:
        before_handover()
        self.seen.append((sent_count(self.app), len(self.syncs)))
        return "250 2.0.0 queued"

    def close(self) -> None:
        return None


def counting_syncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """One entry each time the outbox makes its commits durable (the sync still runs)."""
    syncs: list[int] = []
    make_durable = outbox.make_durable

    def counted(engine: Engine) -> None:
        syncs.append(1)
        make_durable(engine)

    monkeypatch.setattr(outbox, "make_durable", counted)
    return syncs


def test_each_result_is_committed_before_the_next_message_goes_out(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_rows(app, 0, 3)
    syncs = counting_syncs(monkeypatch)
    transport = Watching(app, syncs)
    sender = BackgroundSender(app.pipeline.factory, transport, lambda: NOW)
    sender.start()
    sender.nudge()
    assert sender.finish().sent == 3

    # A kill at any moment finds at most the message in hand sent and not written.
    assert [committed for committed, _ in transport.seen] == [0, 1, 2]
    # Synced with the claim, and the results once at the end of the round, not each.
    assert [synced for _, synced in transport.seen] == [1, 1, 1]
    assert len(syncs) == 2


def test_a_drain_of_its_own_syncs_each_result_before_the_next_send(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_rows(app, 0, 3)
    syncs = counting_syncs(monkeypatch)
    transport = Watching(app, syncs)
    assert outbox.drain(app.pipeline.factory, transport, NOW).sent == 3

    # The claim's sync, then one per result, each before the next send.
    assert transport.seen == [(0, 1), (1, 2), (2, 3)]


def sent_count(app: App) -> int:
    with app.pipeline.factory() as session:
        rows = session.scalars(select(OutboxMessage.id).where(OutboxMessage.status == "sent"))
        return len(rows.all())


def test_a_result_rides_on_the_loops_open_transaction_and_is_committed_before_the_next_send(
    app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_rows(app, 0, 6)
    commits = commits_by_thread(app)
    next_commit = outbox.NextCommit()
    transport = Watching(app, counting_syncs(monkeypatch))
    stop = threading.Event()

    def loop() -> None:
        # As ingest does: a transaction open a while, a handed result written last;
        # every third one rolls back after writing it, and its result must not be lost.
        for number in itertools.count(1):
            if stop.is_set():
                return
            with contextlib.suppress(RuntimeError), next_commit.carrying() as write, \
                    transaction(app.pipeline.factory) as session:
                time.sleep(0.005)
                write(session)
                if number % 3 == 0:
                    raise RuntimeError("rolled back")

    drain_loop = threading.Thread(target=loop, name="drain-loop")
    drain_loop.start()
    try:
        sender = BackgroundSender(app.pipeline.factory, transport, lambda: NOW, next_commit)
        sender.start()
        sender.nudge()
        report = sender.finish()
    finally:
        stop.set()
        drain_loop.join()

    assert report.sent == 6 and sent_count(app) == 6
    # Carried or not, each result is committed before the next message goes out.
    assert [committed for committed, _ in transport.seen] == [0, 1, 2, 3, 4, 5]
    # The sender's own commits: its claims (the six, then the empty one) and only the
    # results no loop transaction carried.
    assert commits.count("outbox-sender") < 2 + 6


def test_with_no_loop_transaction_open_the_sender_commits_its_results_itself(app: App) -> None:
    add_rows(app, 0, 3)
    commits = commits_by_thread(app)
    sender = BackgroundSender(app.pipeline.factory, Recorder(), lambda: NOW, outbox.NextCommit())
    sender.start()
    sender.nudge()
    assert sender.finish().sent == 3
    assert commits.count("outbox-sender") == 2 + 3  # two claims, three results
