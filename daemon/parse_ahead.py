"""Parse a backlog one step ahead, in a second process, while the loop decides on mail.

Parsing is the costliest pure step of a mail (a few ms, much more with attachments) and
needs no database, so with a backlog waiting it runs in a worker process on the other
core while the main process holds the mail before it in its transaction. The worker
computes the message key too (a hash over the whole mail), for the same reason. Results come
back in fetch order, so the loop's order and its one-transaction-per-mail guarantee are
unchanged. A small burst (the usual IDLE wake-up: a few mails, under 8 MB in all) never
starts the worker: its start-up would cost more than parsing the burst in place; and
while it starts, the loop goes on parsing in place.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from onboardd.daemon.keys import message_key
from onboardd.daemon.mailbox import FetchedMail
from onboardd.daemon.malloc import fixed_mmap_threshold
from onboardd.parsers.errors import ParseError
from onboardd.parsers.message import parse_message
from onboardd.parsers.model import ParsedEmail

log = logging.getLogger("onboardd.parse")

# A backlog at least this long (or over AHEAD_BYTES) gets the worker; fewer mails are
# parsed in place.
START_AT = 16
# Mails handed to the worker ahead of the one being decided, bounded in count and in
# bytes. Parse time grows with size (~16 ms a MB of attachment here), so a large mail
# needs a long head start: with 3 mails ahead the loop caught up with nearly every mail
# over ~300 KB and waited for it (6.3 s of a 34 s drain of 2,000 bench mails, 97% of it
# on those); with 10 ahead the wait was 2.0 s, and interleaved drains with 12 ahead took
# 30.2 s on average against 33.4 s with 3.
# The byte bound keeps what waits (raw mail, in the loop and in the worker's queue)
# to the order of one IMAP fetch batch (FETCH_BYTES); one mail larger than that still
# goes ahead alone.
AHEAD = 12
AHEAD_BYTES = 8 * 1024 * 1024

Parsed = ParsedEmail | ParseError
PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass(frozen=True)
class Prepared:
    """What the worker hands back for one mail."""

    key: str
    parsed: Parsed  # the ParseError as a value: it travels back like a result


def prepare(raw: bytes, max_bytes: int) -> Prepared:
    """The worker's task."""
    try:
        parsed: Parsed = parse_message(raw, max_bytes=max_bytes)
    except ParseError as exc:
        parsed = exc
    return Prepared(message_key(raw), parsed)


def _die_with_parent(parent: int) -> None:
    """Worker start-up: end with the daemon. A daemon killed outright (SIGKILL, OOM)
    runs no clean-up, and its worker would otherwise wait for work for ever."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    fixed_mmap_threshold()  # as in `onboardd run`


@contextlib.contextmanager
def _main_script_hidden() -> Iterator[None]:
    """Start the worker without running the daemon's own script in it again.

    A spawned process re-imports the parent's __main__ (by module name, else by file),
    which for the `onboardd` console script is the whole CLI: SQLAlchemy, the IMAP
    client, Jinja2 for a process that only parses (a worker of ~90 MB instead of ~45 MB,
    and a slower start). multiprocessing decides this from __main__'s __spec__ and
    __file__ when it starts the process, so those are out of sight for that moment.
    """
    main = sys.modules.get("__main__")
    kept = ("__spec__", "__file__")
    saved = {name: main.__dict__[name] for name in kept if name in main.__dict__} if main else {}
    try:
        if main is not None:
            main.__dict__["__spec__"] = None
            main.__dict__.pop("__file__", None)
        yield
    finally:
        if main is not None:
            main.__dict__.update(saved)


def worker_ready(started: Future[int]) -> bool:
    return started.done()


def worker_available() -> bool:
    """A second process only pays where there is a second core to run it."""
    return (os.cpu_count() or 1) >= 2


def parse_ahead(
    mails: Iterable[FetchedMail], max_bytes: int, *, enabled: bool = True
) -> Iterator[tuple[FetchedMail, Prepared | None]]:
    """Each mail with its key and parse, in order; None where the caller is to do both
    in place.

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
    context = multiprocessing.get_context("spawn")  # no fork of a process with threads
    with ProcessPoolExecutor(
        max_workers=1, mp_context=context, initializer=_die_with_parent, initargs=(os.getpid(),)
    ) as pool:
        # In fetch order; a None future means "parse in place" (the worker is gone).
        pending: deque[tuple[FetchedMail, Future[Prepared] | None]] = deque()
        ahead_bytes = 0  # raw bytes of the mails in `pending`
        broken = False
        # The worker takes most of a second to start (a fresh interpreter importing the
        # parsers). Until it answers this first call, mail is parsed in place rather than
        # left waiting for it.
        with _main_script_hidden():  # the worker process starts at this first call
            started = pool.submit(os.getpid)
        try:
            for mail in _chain(first, source):
                if not pending and not worker_ready(started):
                    yield mail, None
                    continue
                future = None if broken else _submit(pool, mail, max_bytes)
                broken = future is None
                pending.append((mail, future))
                ahead_bytes += len(mail.raw)
                while pending and (broken or _too_far_ahead(len(pending), ahead_bytes)):
                    done, parsed = _result(pending.popleft())
                    ahead_bytes -= len(done.raw)
                    broken = broken or parsed is None
                    yield done, parsed
            while pending:
                yield _result(pending.popleft())
        finally:
            for _mail, waiting in pending:
                if waiting is not None:
                    waiting.cancel()


def _a_backlog(mails: int, raw_bytes: int) -> bool:
    return mails >= START_AT or raw_bytes > AHEAD_BYTES


def _too_far_ahead(mails: int, raw_bytes: int) -> bool:
    return mails > AHEAD or (mails > 1 and raw_bytes > AHEAD_BYTES)


def _chain(first: list[FetchedMail], rest: Iterator[FetchedMail]) -> Iterator[FetchedMail]:
    yield from first
    first.clear()  # the worker has these now; do not keep a second reference
    yield from rest


def _submit(
    pool: ProcessPoolExecutor, mail: FetchedMail, max_bytes: int
) -> Future[Prepared] | None:
    try:
        return pool.submit(prepare, mail.raw, max_bytes)
    except BrokenProcessPool:
        return None


def _result(
    item: tuple[FetchedMail, Future[Prepared] | None],
) -> tuple[FetchedMail, Prepared | None]:
    """The worker's answer, or None (parse in place) if the worker died."""
    mail, future = item
    if future is None:
        return mail, None
    try:
        return mail, future.result()
    except BrokenProcessPool:
        log.warning("parse worker stopped unexpectedly; parsing in the main process")
        return mail, None
