"""Nothing leaves the database's hands before what caused it is on disk.

The drain's commits are group commits (store.engine.transaction): they return before
SQLite has synced the WAL. What makes them durable is an fsync before each batch of
moves and, for replies, one after each outbox claim. These tests watch the real system
calls (strace) and check the order: before a thread renames anything (a mail from new/
to cur/, a reply file into the outbox), every WAL write it made was followed by a sync
of the WAL.

In `run --once` the sending threads sync all along, which could cover for a missing
sync of the drain's own; so the first test runs the drain and then the outbox one after
the other, where no other thread's sync can stand in. There each send result is synced
too; `run --once`'s sending thread commits its results without a sync of their own (a
kill cannot take a commit back, and the next claim's sync covers them), so its reply
files follow unsynced writes of that thread, and the second test judges the mails' moves.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import require, sqlite_only
from tests.daemon.harness import Daemon
from tests.daemon.test_drain_batches import deliver

MAILS = 30  # enough to start the parse worker as a backlog does

# strace pads the pid column, so a short pid is followed by more than one space.
_CALL = re.compile(r"^(\d+) +(?:<\.\.\. (\w+) resumed>(.*)|(\w+)\((.*))$")


@dataclass
class Call:
    thread: int
    name: str
    text: str
    start: int  # line numbers in the trace, which strace writes in time order
    end: int

    @property
    def on_wal(self) -> bool:
        return "-wal>" in self.text


def _calls(trace: str) -> list[Call]:
    """Each system call with the lines where it began and ended (a call another thread
    interrupted is split into "<unfinished ...>" and "<... resumed>")."""
    calls: list[Call] = []
    open_calls: dict[int, Call] = {}
    for number, line in enumerate(trace.splitlines()):
        match = _CALL.match(line)
        if not match:
            continue
        thread = int(match[1])
        if match[2]:  # resumed
            call = open_calls.pop(thread, None)
            if call is not None:
                call.end = number
            continue
        call = Call(thread, match[4], match[5], number, number)
        calls.append(call)
        if line.endswith("<unfinished ...>"):
            open_calls[thread] = call
    return calls


def _unsynced_renames(calls: list[Call]) -> tuple[list[str], int]:
    """Renames made while a WAL write of the same thread was not yet synced, and how
    many renames had such a write before them at all (the ones this test judges)."""
    writes = [c for c in calls if c.name in ("pwrite64", "write") and c.on_wal]
    syncs = [c for c in calls if c.name in ("fsync", "fdatasync") and c.on_wal]
    unsynced: list[str] = []
    judged = 0
    # A reply file is put in place with link(): it must not replace one already there.
    for rename in (c for c in calls if c.name.startswith(("rename", "link"))):
        before = [w.end for w in writes if w.thread == rename.thread and w.end < rename.start]
        if not before:
            continue
        judged += 1
        last_write = max(before)
        if not any(last_write < s.start and s.end < rename.start for s in syncs):
            unsynced.append(rename.text)
    return unsynced, judged


# The drain, then the outbox, in one process and one thread each (see above).
DRAIN_THEN_SEND = """
import sys
from datetime import UTC, datetime
from pathlib import Path
from onboardd.daemon.app import build
from onboardd.daemon.config import load_config
from onboardd.daemon.outbox import drain
from onboardd.daemon.runner import PassReport, drain_mailbox
app = build(load_config(Path(sys.argv[1])))
now = datetime.now(UTC)
for mailbox in app.mailboxes():
    mailbox.connect()
    drain_mailbox(app, mailbox, now, PassReport())
drain(app.pipeline.factory, app.transport(), now)
"""


def _traced(tmp_path: Path, *command: str) -> list[Call]:
    strace = shutil.which("strace")
    require(strace is not None, "strace is not installed (Debian package strace)")
    log = tmp_path / "trace"
    subprocess.run(
        [
            str(strace), "-f", "-qq", "-y", "-s", "0", "-o", str(log),
            "-e", "trace=pwrite64,write,fsync,fdatasync,rename,renameat,renameat2,link,linkat",
            *command,
        ],
        check=True,
        capture_output=True,
    )
    return _calls(log.read_text())


@sqlite_only
def test_no_mail_moves_and_no_reply_goes_out_before_its_commit_is_on_disk(
    daemon: Daemon, tmp_path: Path
) -> None:
    deliver(daemon, MAILS)
    calls = _traced(tmp_path, sys.executable, "-c", DRAIN_THEN_SEND, str(daemon.config))
    _check(daemon, calls)


@sqlite_only
def test_the_same_holds_with_the_replies_sent_alongside(daemon: Daemon, tmp_path: Path) -> None:
    deliver(daemon, MAILS)
    calls = _traced(
        tmp_path,
        sys.executable, "-m", "onboardd.daemon.cli", "--config", str(daemon.config),
        "run", "--once",
    )
    _check(daemon, calls, replies_judged=False)


def _check(daemon: Daemon, calls: list[Call], replies_judged: bool = True) -> None:
    assert len(daemon.maildir.cur()) == MAILS
    replies = daemon.sent()
    assert replies
    if not replies_judged:
        calls = [c for c in calls if not c.name.startswith("link")]
        replies = []
    unsynced, judged = _unsynced_renames(calls)
    assert unsynced == []
    # The check had something to judge: every move, and every reply file.
    moves = [c for c in calls if c.name.startswith("rename") and "/new/" in c.text]
    assert len(moves) == MAILS
    assert judged >= MAILS + len(replies)
    # And the mails' commits were grouped: until it moved them, the thread that made them
    # synced the WAL a few times (start-up, the batch of moves), not once a mail.
    drain_thread = moves[0].thread
    wal_syncs = [
        c
        for c in calls
        if c.name in ("fsync", "fdatasync")
        and c.on_wal
        and c.thread == drain_thread
        and c.end < moves[0].start
    ]
    assert len(wal_syncs) < MAILS // 3
