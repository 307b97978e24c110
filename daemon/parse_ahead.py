"""Parse a backlog one step ahead, in a second process, while the loop decides on mail.

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

import contextlib
import ctypes
import fcntl
import logging
import multiprocessing
import os
import queue
import signal
import socket
import sys
import threading
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection

from onboardd.daemon.keys import message_key
from onboardd.daemon.mailbox import FetchedMail
from onboardd.daemon.malloc import fixed_mmap_threshold
from onboardd.parsers.errors import ParseError
from onboardd.parsers.facts import extract_facts
from onboardd.parsers.message import parse_message
from onboardd.parsers.model import (
    CatalogEntry,
    CorDirectory,
    KnownOrganization,
    ParsedEmail,
    RequestFacts,
)

log = logging.getLogger("onboardd.parse")

# A backlog at least this long (or over AHEAD_BYTES) gets the worker; fewer mails are
# parsed in place.
START_AT = 16
# Mails handed to the worker ahead of the one being decided, bounded in count and in
# bytes. Parse time grows with size, so a large mail needs a long head start, or the
# loop catches up with it and waits (the values were chosen with bench/ab.py; see
# bench/README.md). The byte bound keeps what waits (raw mail, in the loop and again in the worker's
# inbox) to about one and a half IMAP fetch batches (FETCH_BYTES, 8 MB); one mail
# larger than that still goes ahead alone.
AHEAD = 16
AHEAD_BYTES = 12 * 1024 * 1024

Parsed = ParsedEmail | ParseError
PR_SET_PDEATHSIG = 1  # linux/prctl.h


@dataclass(frozen=True)
class Reading:
    """What reading request facts needs besides the mail: the policy's catalog, COR
    directory and organizations, fixed for the drain (a reload builds a new pipeline
    between passes)."""

    catalog: tuple[CatalogEntry, ...]
    cors: CorDirectory
    organizations: tuple[KnownOrganization, ...] = ()


@dataclass(frozen=True)
class Prepared:
    """What the worker hands back for one mail."""

    key: str
    parsed: Parsed  # the ParseError as a value: it travels back like a result
    # The request facts of `parsed`, as extract_facts reads them with the Reading given;
    # None where none was given, the parse failed, or a machine wrote the mail (the
    # workflow never reads facts from those).
    facts: RequestFacts | None = None


def prepare(raw: bytes, max_bytes: int, reading: Reading | None = None) -> Prepared:
    """The worker's task."""
    try:
        parsed = parse_message(raw, max_bytes=max_bytes)
    except ParseError as exc:
        return Prepared(message_key(raw), exc)
    facts = None
    if reading is not None and not parsed.auto.generated:
        try:
            facts = extract_facts(parsed, reading.catalog, reading.cors, reading.organizations)
        except Exception:  # read again in place, where an error quarantines this mail only
            facts = None
    return Prepared(message_key(raw), parsed, facts)


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


# How long a worker told to end is given to finish the parse in hand before it is killed.
CLOSE_SECONDS = 5.0
F_SETPIPE_SZ = 1031  # fcntl.h (Linux)
PIPE_BYTES = 1024 * 1024  # Linux lets an unprivileged process have up to 1 MiB


class _Worker:
    """The parse worker: a spawned process fed raw mail down one pipe, answering with a
    Prepared per mail, in order, down another.

    No pool and no futures: the loop writes each mail itself and reads each answer when
    it comes to that mail. concurrent.futures' pool ran two threads in the daemon to do
    this (one pickling the work into the pipe, one moving answers into futures), which
    woke, and took the GIL, twice a mail while the loop wanted it. The worker reads its
    pipe on a thread of its own, so a write from the loop never waits for a parse to end.
    """

    def __init__(self, max_bytes: int, reading: Reading | None) -> None:
        context = multiprocessing.get_context("spawn")  # no fork of a process with threads
        raw_in, self._raw_out = context.Pipe(duplex=False)
        self._answers, answers_out = context.Pipe(duplex=False)
        files_in, self._files_out = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        _widen(self._raw_out)
        self.process = context.Process(
            target=_serve,
            args=(raw_in, answers_out, files_in, os.getpid(), max_bytes, reading),
            name="onboardd-parse",
            daemon=True,
        )
        with _main_script_hidden():
            self.process.start()
        raw_in.close()
        answers_out.close()
        files_in.close()
        self._in_files = hasattr(os, "memfd_create")  # until the system says otherwise
        self.ready = False  # True once the worker has said so (its first answer)
        self.lost = False  # True once its answers ended before it was told to stop

    def poll_ready(self) -> bool:
        """Whether the worker has started, without waiting for it."""
        return self._ready(wait=False)

    def wait_ready(self) -> bool:
        """Whether the worker started, once it has (or has died trying)."""
        return self._ready(wait=True)

    def _ready(self, *, wait: bool) -> bool:
        if not self.ready and not self.lost:
            try:
                if wait or self._answers.poll():
                    self._answers.recv()  # its pid: the "ready" message
                    self.ready = True
            except (EOFError, OSError):
                self._lose()
        return self.ready

    def submit(self, raw: bytes) -> bool:
        """Hand a mail over; False if the worker is gone (or the mail is empty: nothing
        to gain, and an empty message on the pipe says "the mail is in a file")."""
        if self.lost or not raw:
            return False
        try:
            if not (len(raw) > PIPE_BYTES and self._send_in_file(raw)):
                self._raw_out.send_bytes(raw)
        except OSError:
            self._lose()
            return False
        return True

    def _send_in_file(self, raw: bytes) -> bool:
        """A mail larger than the pipe goes in a memory file whose descriptor travels on
        the socket, and an empty message on the pipe says so: writing it down the pipe
        takes turns with the worker's reader, with the loop blocked meanwhile.
        False where this system has no memory files (the pipe then takes it)."""
        if not self._in_files:
            return False
        try:
            file = os.memfd_create("onboardd-mail", os.MFD_CLOEXEC)
        except OSError:  # not allowed here (a seccomp filter, say): the pipe will do
            self._in_files = False
            return False
        try:
            with open(file, "wb", closefd=False) as out:
                out.write(raw)
            socket.send_fds(self._files_out, [b"m"], [file])
        finally:
            os.close(file)
        self._raw_out.send_bytes(b"")
        return True

    def answer(self) -> Prepared | None:
        """The next answer in order, or None if the worker died before giving it."""
        if self.lost:
            return None
        try:
            prepared: Prepared = self._answers.recv()
        except (EOFError, OSError):
            self._lose()
            return None
        return prepared

    def _lose(self) -> None:
        self.lost = True
        log.warning("parse worker stopped unexpectedly; parsing in the main process")

    def close(self) -> None:
        """End the worker; mail handed to it and not yet answered is dropped."""
        self._raw_out.close()  # the worker finishes the parse in hand and ends
        self._answers.close()
        self._files_out.close()
        self.process.join(CLOSE_SECONDS)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()


def _widen(connection: Connection) -> None:
    """A mail under 1 MiB then goes into the pipe in one write (Linux; else as it is)."""
    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(connection.fileno(), F_SETPIPE_SZ, PIPE_BYTES)


def _serve(
    raw_in: Connection,
    answers: Connection,
    files: socket.socket,
    parent: int,
    max_bytes: int,
    reading: Reading | None,
) -> None:
    """The worker process: parse each mail as it comes, answer in the same order."""
    _die_with_parent(parent)
    # The reading thread needs the GIL for each chunk it takes from the pipe; a short
    # switch interval hands it over during a parse instead of after the default 5 ms.
    sys.setswitchinterval(0.0005)
    inbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()

    def read() -> None:
        try:
            while True:
                raw = raw_in.recv_bytes()
                inbox.put(raw if raw else _from_file(files))
        except (EOFError, OSError):
            pass  # the daemon closed its end: no more mail
        finally:
            # Whatever ended the reading, the worker ends too (the daemon then parses in
            # place) rather than wait for mail for ever while the daemon waits for it.
            inbox.put(None)

    threading.Thread(target=read, name="raw-reader", daemon=True).start()
    try:
        answers.send(os.getpid())  # ready
        while (raw := inbox.get()) is not None:
            answers.send(prepare(raw, max_bytes, reading))
    except OSError:
        pass  # the daemon stopped reading: it has gone or no longer wants the answers


def _from_file(files: socket.socket) -> bytes:
    """The mail in the memory file whose descriptor came on the socket (see submit)."""
    _, descriptors, _, _ = socket.recv_fds(files, 1, 1)
    if not descriptors:
        raise OSError("a mail was announced in a file but no file came")
    with open(descriptors[0], "rb") as file:
        file.seek(0)  # the writer's offset: the descriptor shares it
        return file.read()


def worker_ready(worker: _Worker) -> bool:
    return worker.poll_ready()


def worker_available() -> bool:
    """A second process only pays where there is a second core to run it."""
    return (os.cpu_count() or 1) >= 2


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
    worker = _Worker(max_bytes, reading)
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


def _answer(worker: _Worker, item: tuple[FetchedMail, bool]) -> tuple[FetchedMail, Prepared | None]:
    """The worker's answer for this mail, or None (parse in place) if it never had it or
    died before answering."""
    mail, handed = item
    return mail, worker.answer() if handed else None
