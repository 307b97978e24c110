"""Send the outbox from a second thread while the mailbox is still being drained.

Sending is mostly waiting on the mail server, so a thread of its own overlaps that wait
with the next mails' work instead of adding it after the whole backlog. The thread
uses the outbox's ordinary claim/lease protocol (outbox.drain), the same one two
instances share, so nothing is sent twice; it only ever touches rows already committed.

Its results are written by a third thread, all that have come in since its last
transaction in one (group commit). Writing each result before the next send made the
sender wait for the database's single writer, the drain, once per reply: with two
replies a mail it fell behind, and the drain waited for it at the end.

Both threads gather before they write: the sender lets committed rows pile up for a
moment before it claims them, and the recorder lets results pile up before it writes
them. Claiming and recording as soon as there was anything cost a write transaction
(and its fsync) per mail each, and the drain waited its turn behind them: in a
2,000-mail drain 1,011 claims and 2,338 result writes held the write lock 5.4 s, and
the drain waited 4.9 s for it. The price is in the crash window: results sent but not
yet written are re-sent after their lease (the same bytes, the same Message-ID), and
there can now be up to GATHER_SECONDS' worth of them, plus the wait for the turn.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from onboardd.daemon.outbox import Claim, DrainReport, Outcome, drain, record_results
from onboardd.daemon.transport import Transport
from onboardd.store.engine import transaction

# Rows committed while a round was under way are looked for at least this often.
QUIET_WAIT = 0.5
# How long the sender lets committed rows, and the recorder results, gather before it
# takes a write turn for them; the recorder writes sooner once GATHER_RESULTS wait.
GATHER_SECONDS = 0.2
GATHER_RESULTS = 100


class BackgroundSender:
    """`nudge()` after a commit; `finish()` sends what is left and reports the total.

    A round that finds the server unreachable ends the sending for this run, as a single
    drain after the backlog would: one connection attempt, not one per mail.
    """

    def __init__(
        self, factory: sessionmaker[Session], transport: Transport, now: Callable[[], datetime]
    ) -> None:
        self._factory = factory
        self._transport = transport
        self._now = now
        self._nudged = threading.Event()
        self._finishing = threading.Event()
        self._report = DrainReport()
        self._failure: BaseException | None = None
        self._recorder = GroupRecorder(factory)
        self._thread = threading.Thread(target=self._run, name="outbox-sender", daemon=True)

    def start(self) -> None:
        self._recorder.start()
        self._thread.start()

    def nudge(self) -> None:
        self._nudged.set()

    def finish(self) -> DrainReport:
        """Wait for a last round over everything committed so far; re-raise its error."""
        self._finishing.set()
        self._nudged.set()
        self._thread.join()
        recorded = self._recorder.finish()  # every result written before this returns
        if self._failure is not None:
            raise self._failure
        self._report.add(recorded)
        return self._report

    def _run(self) -> None:
        try:
            while True:
                if self._nudged.wait(QUIET_WAIT):
                    self._finishing.wait(GATHER_SECONDS)  # more rows, one claim
                self._nudged.clear()
                # Read before the round: a finish() that comes during it gets one more.
                last = self._finishing.is_set()
                sent = drain(self._factory, self._transport, self._now(), self._recorder)
                self._report.add(sent)  # counts come from the recorder; this says unreachable
                if sent.unreachable or last:
                    return
        except BaseException as exc:  # handed to finish(), which raises it in the caller
            self._failure = exc


class GroupRecorder:
    """Writes send results on a thread of its own, all waiting ones in one transaction.

    `record()` only queues; `finish()` writes what is left and returns the counts. If a
    write fails, the results it held stay unwritten (their claims expire and they go out
    again, as after a crash), further `record()` calls raise, and `finish()` re-raises.
    """

    def __init__(self, factory: sessionmaker[Session]) -> None:
        self._factory = factory
        self._waiting: list[tuple[Claim, Outcome, datetime]] = []
        self._changed = threading.Condition()
        self._finishing = False
        self._failure: BaseException | None = None
        self._report = DrainReport()
        self._thread = threading.Thread(target=self._run, name="outbox-recorder", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def record(self, claim: Claim, outcome: Outcome, now: datetime) -> None:
        with self._changed:
            if self._failure is not None:
                raise RuntimeError("outbox results can no longer be written") from self._failure
            self._waiting.append((claim, outcome, now))
            # Only what the recorder waits for: a first result, or enough of them. Waking
            # it for every result (two a mail) would hand it the GIL for nothing.
            if len(self._waiting) in (1, GATHER_RESULTS):
                self._changed.notify()

    def finish(self) -> DrainReport:
        with self._changed:
            self._finishing = True
            self._changed.notify()
        self._thread.join()
        if self._failure is not None:
            raise self._failure
        return self._report

    def _run(self) -> None:
        while True:
            with self._changed:
                self._changed.wait_for(lambda: self._waiting or self._finishing)
                self._changed.wait_for(
                    lambda: len(self._waiting) >= GATHER_RESULTS or self._finishing,
                    GATHER_SECONDS,
                )
                batch, self._waiting = self._waiting, []
                if not batch:  # finishing, and nothing left
                    return
            try:
                # A group commit, never synced on purpose: results a power loss takes back
                # are sent again after their lease, as after a kill (the same bytes under
                # the same Message-ID), and the drain waits for no fsync behind this write.
                with transaction(self._factory, group_commit=True) as session:
                    record_results(session, batch, self._report)
            except BaseException as exc:  # handed to record() and finish()
                with self._changed:
                    self._failure = exc
                return
