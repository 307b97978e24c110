"""Parse a backlog one step ahead, in a second process, while the loop decides on mail:
when a backlog is worth the worker, and how far ahead it may run. The process itself is
daemon/parse_worker.py; what it does for each mail is daemon/prepare.py.

Parsing is the costliest pure step of a mail (a few ms, much more with attachments) and
needs no database, so with a backlog waiting it runs in a worker process on the other
core while the main process holds the mail before it in its transaction. The worker
computes the message key too (a hash over the whole mail), for the same reason, and reads
the request facts from the parse (pure as well, given the catalog and the COR directory),
which the loop would otherwise read in its transaction. Results come back in fetch order,
so the loop's order and its one-transaction-per-mail guarantee are unchanged. A small
burst (the usual IDLE wake-up: a few mails, under 12 MB in all) never starts the worker:
its start-up would cost more than parsing the burst in place; and while it starts, the
loop goes on parsing in place.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Generator, Iterable, Iterator

from onboardd.daemon.mailbox import FetchedMail
from onboardd.daemon.parse_worker import ParseWorker, worker_available, worker_ready
from onboardd.daemon.prepare import Prepared, Reading

# A backlog at least this long (or over AHEAD_BYTES) gets the worker; fewer mails are
# parsed in place.
START_AT = 16
# Mails handed to the worker ahead of the one being decided, bounded in count and in
# bytes. Parse time grows with size, so a large mail needs a long head start, or the
# loop catches up with it and waits (the values were chosen with bench/ab.py; see
# bench/README.md). The byte bound keeps what waits (raw mail, in the loop and again in
# the worker's inbox) to about one and a half IMAP fetch batches (FETCH_BYTES, 8 MB);
# one mail larger than that still goes ahead alone.
AHEAD = 16
AHEAD_BYTES = 12 * 1024 * 1024

def parse_ahead(
    mails: Iterable[FetchedMail],
    max_bytes: int,
    *,
    reading: Reading | None = None,
    enabled: bool = True,
) -> Generator[tuple[FetchedMail, Prepared | None], None, None]:
    """Each mail with its key and parse (and, given a Reading, its request facts), in
    order; None where the caller is to do all of it in place.

    Closing the iterator early (a stop request) shuts the worker down; work handed to it
    for mails not yet taken is dropped, and those mails stay in the folder for the next
    pass, as they would without a worker.
    """
    source = iter(mails)
    # Enough mail to call it a backlog, counted or weighed: a few large mails are worth
    # the worker too, and reading on to START_AT of them would hold them all at once.
    first: list[FetchedMail] = []
    first_bytes = 0
    for mail in source:
        first.append(mail)
        first_bytes += len(mail.raw)
        if _a_backlog(len(first), first_bytes):
            break
    if not enabled or not _a_backlog(len(first), first_bytes) or not worker_available():
        for mail in _chain(first, source):  # one at a time: never the whole backlog
            yield mail, None
        return
    # The worker takes most of a second to start (a fresh interpreter importing the
    # parsers). Until it says it is ready, mail is parsed in place rather than left
    # waiting for it.
    worker = ParseWorker(max_bytes, reading)
    # In fetch order: each mail, and whether the worker has it (False: parse in place).
    pending: deque[tuple[FetchedMail, bool]] = deque()
    ahead_bytes = 0  # raw bytes of the mails in `pending`
    try:
        for mail in _chain(first, source):
            if not pending and not worker_ready(worker):
                yield mail, None
                continue
            pending.append((mail, worker.submit(mail.raw)))
            ahead_bytes += len(mail.raw)
            # A lost worker holds nothing back: what is pending goes on, parsed in place.
            while pending and (worker.lost or _too_far_ahead(len(pending), ahead_bytes)):
                done, prepared = _answer(worker, pending.popleft())
                ahead_bytes -= len(done.raw)
                yield done, prepared
        while pending:
            yield _answer(worker, pending.popleft())
    finally:
        worker.close()


def _a_backlog(mails: int, raw_bytes: int) -> bool:
    return mails >= START_AT or raw_bytes > AHEAD_BYTES


def _too_far_ahead(mails: int, raw_bytes: int) -> bool:
    return mails > AHEAD or (mails > 1 and raw_bytes > AHEAD_BYTES)


def _chain(first: list[FetchedMail], rest: Iterator[FetchedMail]) -> Iterator[FetchedMail]:
    yield from first
    first.clear()  # the worker has these now; do not keep a second reference
    yield from rest


def _answer(
    worker: ParseWorker, item: tuple[FetchedMail, bool]
) -> tuple[FetchedMail, Prepared | None]:
    """The worker's answer for this mail, or None (parse in place) if it never had it or
    died before answering."""
    mail, handed = item
    return mail, worker.answer() if handed else None
