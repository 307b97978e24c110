"""Send the outbox from a second thread while the mailbox is still being drained.

Sending is mostly waiting on the mail server, so a thread of its own overlaps that wait
with the next mails' work instead of adding it after the whole backlog. The thread
uses the outbox's ordinary claim/lease protocol (outbox.drain), the same one two
instances share, so nothing is sent twice; it only ever touches rows already committed.

It keeps each result before its next send, as every drain does, so a kill can repeat at
most the one reply whose DATA the server had just accepted; on SQLite it keeps them in
the send journal (daemon/send_journal.py) rather than taking the drain's write lock for
each. Unlike the other drains it does not also sync each result: that would put an fsync
between every two replies of a backlog. Its results reach the disk with the next claim's
sync, so a power loss, unlike a kill, can send one claim batch again. Claims are what it
gathers: it lets committed rows pile up for a moment before it claims them, so a backlog
costs a claim (and its fsync) per batch of replies, not one per mail.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from onboardd.daemon.outbox import DrainReport, drain
from onboardd.daemon.transport import Transport

# Rows committed while a round was under way are looked for at least this often.
QUIET_WAIT = 0.5
# How long the sender lets committed rows gather before it takes a write turn to claim them.
GATHER_SECONDS = 0.2


class BackgroundSender:
    """`nudge()` after a commit; `finish()` sends what is left and reports the total.

    A round that finds the server unreachable ends the sending for this run, as a single
    drain after the backlog would: one connection attempt, not one per mail.
    """

    def __init__(
        self,
        factory: sessionmaker[Session],
        transport: Transport,
        now: Callable[[], datetime],
    ) -> None:
        self._factory = factory
        self._transport = transport
        self._now = now
        self._nudged = threading.Event()
        self._finishing = threading.Event()
        self._report = DrainReport()
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="outbox-sender", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def nudge(self) -> None:
        self._nudged.set()

    def finish(self) -> DrainReport:
        """Wait for a last round over everything committed so far; re-raise its error."""
        self._finishing.set()
        self._nudged.set()
        self._thread.join()
        if self._failure is not None:
            raise self._failure
        return self._report

    def _run(self) -> None:
        try:
            while True:
                if self._nudged.wait(QUIET_WAIT):
                    self._finishing.wait(GATHER_SECONDS)  # more rows, one claim
                self._nudged.clear()
                # Read before the round: a finish() that comes during it gets one more.
                last = self._finishing.is_set()
                sent = drain(self._factory, self._transport, self._now(), sync_each=False)
                self._report.add(sent)
                if sent.unreachable or last:
                    return
        except BaseException as exc:  # handed to finish(), which raises it in the caller
            self._failure = exc
