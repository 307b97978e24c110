"""The parse worker as a process: a fresh interpreter running this module, ending with
the daemon even on SIGKILL, fed each mail down a pipe (a large one in a memory file
whose descriptor travels on a socket) and answering in the same order.

Which mails go to it, and how far ahead, is the backlog policy's business
(daemon/parse_ahead.py); this module only runs the process.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import logging
import os
import pickle
import queue
import signal
import socket
import subprocess
import sys
import threading
from multiprocessing.connection import Connection

from onboardd.daemon.malloc import fixed_mmap_threshold
from onboardd.daemon.prepare import Prepared, Reading, prepare

log = logging.getLogger("onboardd.parse")

PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent: int) -> None:
    """Worker start-up: end with the daemon. A daemon killed outright (SIGKILL, OOM)
    runs no clean-up, and its worker would otherwise wait for work for ever."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
    fixed_mmap_threshold()  # as in `onboardd run`


# How long a worker told to end is given to finish the parse in hand before it is killed.
CLOSE_SECONDS = 5.0
F_SETPIPE_SZ = 1031  # fcntl.h (Linux)
PIPE_BYTES = 1024 * 1024  # Linux lets an unprivileged process have up to 1 MiB


class ParseWorker:
    """The parse worker: a process of its own fed raw mail down one pipe, answering with a
    Prepared per mail, in order, down another.

    No pool and no futures: the loop writes each mail itself and reads each answer when
    it comes to that mail. concurrent.futures' pool ran two threads in the daemon to do
    this (one pickling the work into the pipe, one moving answers into futures), which
    woke, and took the GIL, twice a mail while the loop wanted it. The worker reads its
    pipe on a thread of its own, so a write from the loop never waits for a parse to end.
    """

    def __init__(self, max_bytes: int, reading: Reading | None) -> None:
        raw_in, raw_out = os.pipe()
        answers_in, answers_out = os.pipe()
        files_in, self._files_out = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        self._raw_out = Connection(raw_out, readable=False)
        self._answers = Connection(answers_in, writable=False)
        _widen(self._raw_out)
        # A fresh interpreter that imports only this module and what parsing needs (not
        # the daemon's CLI, SQLAlchemy or Jinja2), and never a fork of a process with
        # threads. Started by subprocess rather than multiprocessing's "spawn", which
        # would also start its resource tracker: a third process of ~13 MB, for
        # semaphores and shared memory this worker never makes.
        handed = (raw_in, answers_out, files_in.fileno())
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-m", __name__, *map(str, handed), str(os.getpid())],
                pass_fds=handed,
                stdin=subprocess.DEVNULL,
            )
        finally:
            os.close(raw_in)
            os.close(answers_out)
            files_in.close()
        # What the worker reads with goes first, before any mail.
        self._raw_out.send_bytes(pickle.dumps((max_bytes, reading)))
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
        try:
            self.process.wait(CLOSE_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _widen(connection: Connection) -> None:
    """A mail under 1 MiB then goes into the pipe in one write (Linux; else as it is)."""
    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(connection.fileno(), F_SETPIPE_SZ, PIPE_BYTES)


def main(argv: list[str]) -> None:
    """The worker process (`python -m onboardd.daemon.parse_worker RAW ANSWERS FILES
    PARENT`, the descriptors it was handed and the daemon's pid): parse each mail as it
    comes, answer in the same order."""
    raw_fd, answers_fd, files_fd, parent = map(int, argv)
    _die_with_parent(parent)
    raw_in = Connection(raw_fd, writable=False)
    answers = Connection(answers_fd, readable=False)
    files = socket.socket(fileno=files_fd)
    try:
        max_bytes, reading = pickle.loads(raw_in.recv_bytes())
    except (EOFError, OSError):
        return  # the daemon gave up on the worker before it started
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


def worker_ready(worker: ParseWorker) -> bool:
    return worker.poll_ready()


def worker_available() -> bool:
    """A second process only pays where there is a second core to run it."""
    return (os.cpu_count() or 1) >= 2


if __name__ == "__main__":
    main(sys.argv[1:])
