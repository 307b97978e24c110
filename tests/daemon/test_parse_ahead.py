"""Parsing a backlog ahead in a worker process: same results, same order, in-place for bursts."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from onboardd.daemon import parse_ahead as ahead
from onboardd.daemon import parse_worker
from onboardd.daemon.config import load_config
from onboardd.daemon.keys import message_key
from onboardd.daemon.mailbox import FetchedMail
from onboardd.parsers.errors import ParseError
from onboardd.parsers.facts import extract_facts
from onboardd.parsers.message import parse_message
from tests.conftest import REPO

FIXTURES = sorted((Path(__file__).parent.parent / "fixtures" / "mails").glob("*.eml"))
LIMIT = 25 * 1024 * 1024


def children() -> list[int]:
    """The pids of this process's live children (the parse worker, when there is one)."""
    return [int(pid) for task in Path("/proc/self/task").iterdir()
            for pid in (task / "children").read_text().split()]


def fetched(count: int) -> list[FetchedMail]:
    mails = [
        FetchedMail("onboarding", "new", f"{n}.eml", FIXTURES[n % len(FIXTURES)].read_bytes())
        for n in range(count)
    ]
    # One the parser refuses, so an error has to make the trip back as well.
    mails[count // 2] = FetchedMail(
        "onboarding", "new", "huge.eml", b"Subject: x\n\n" + b"a" * 4096
    )
    return mails


@pytest.fixture(autouse=True)
def _worker_at_once(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    # The worker is only started on a machine with a second core; these tests are about
    # the worker, so they run it on any machine. They also wait for it to start, so what
    # it parses does not depend on how fast this machine starts a process; the test of
    # parsing in place meanwhile says so by name.
    monkeypatch.setattr(ahead, "worker_available", lambda: True)
    if "meanwhile" not in request.node.name:
        monkeypatch.setattr(ahead, "worker_ready", lambda worker: worker.wait_ready())


def test_a_backlog_is_parsed_by_the_worker_in_fetch_order_with_the_same_results() -> None:
    mails = fetched(ahead.START_AT + 9)
    out = list(ahead.parse_ahead(iter(mails), 2048))

    assert [mail.handle for mail, _ in out] == [mail.handle for mail in mails]
    assert all(prepared is not None for _, prepared in out)  # none left to do in place
    for mail, prepared in out:
        assert prepared is not None and prepared.key == message_key(mail.raw)
        parsed = prepared.parsed
        try:
            expected = parse_message(mail.raw, max_bytes=2048)
        except ParseError as error:
            assert isinstance(parsed, ParseError)
            assert parsed.reason == error.reason and str(parsed) == str(error)
        else:
            assert parsed == expected
    assert any(isinstance(p.parsed, ParseError) for _, p in out if p is not None)
    assert children() == []  # the worker is gone with the backlog


def test_given_a_reading_the_worker_reads_the_request_facts_as_the_intake_would() -> None:
    policy = load_config(REPO / "config.example.toml").policy
    reading = ahead.Reading(policy.catalog(), policy.cor_directory())
    mails = fetched(ahead.START_AT + 9)
    out = list(ahead.parse_ahead(iter(mails), LIMIT, reading=reading))

    assert all(prepared is not None for _, prepared in out)
    read = 0
    for _, prepared in out:
        assert prepared is not None
        parsed = prepared.parsed
        if isinstance(parsed, ParseError) or parsed.auto.generated:
            assert prepared.facts is None  # nothing the workflow would read
            continue
        assert prepared.facts == extract_facts(parsed, policy.catalog(), policy.cor_directory())
        read += prepared.facts.any_fact
    assert read  # the fixtures hold requests, so some facts made the trip back
    # Without a reading the worker reads no facts at all.
    plain = list(ahead.parse_ahead(iter(mails), LIMIT))
    assert all(p is not None and p.facts is None for _, p in plain)


def test_while_the_worker_starts_mail_is_parsed_in_place_meanwhile() -> None:
    mails = fetched(ahead.START_AT + 4)
    out = list(ahead.parse_ahead(iter(mails), LIMIT))
    assert [mail.handle for mail, _ in out] == [mail.handle for mail in mails]
    # A fresh interpreter takes far longer to start than these few parses.
    assert out[0][1] is None
    assert children() == []


def test_a_small_burst_is_left_to_parse_in_place() -> None:
    mails = fetched(ahead.START_AT - 1)
    out = list(ahead.parse_ahead(iter(mails), LIMIT))
    assert [mail.handle for mail, _ in out] == [mail.handle for mail in mails]
    assert all(parsed is None for _, parsed in out)
    assert children() == []


def test_disabled_never_starts_a_worker() -> None:
    out = list(ahead.parse_ahead(iter(fetched(40)), LIMIT, enabled=False))
    assert len(out) == 40 and all(parsed is None for _, parsed in out)


def test_stopping_early_ends_the_worker_and_leaves_the_rest_untaken() -> None:
    pulled: list[str] = []

    def source() -> object:
        for mail in fetched(60):
            pulled.append(mail.handle)
            yield mail

    with contextlib.closing(ahead.parse_ahead(source(), LIMIT)) as backlog:  # type: ignore[arg-type]
        taken = [next(backlog) for _ in range(3)]
    assert [mail.handle for mail, _ in taken] == ["0.eml", "1.eml", "2.eml"]
    # Only a few mails beyond those taken were read from the mailbox at all.
    assert len(pulled) <= ahead.START_AT + ahead.AHEAD + 1
    assert children() == []


def test_a_worker_that_dies_leaves_its_mails_to_be_parsed_in_place() -> None:
    mails = fetched(ahead.START_AT + 10)
    backlog = ahead.parse_ahead(iter(mails), LIMIT)
    first = next(backlog)
    assert first[1] is not None
    for child in children():
        os.kill(child, signal.SIGKILL)
    rest = list(backlog)
    assert [mail.handle for mail, _ in [first, *rest]] == [mail.handle for mail in mails]
    # Whatever the worker had not answered comes back for parsing in place, in order.
    assert rest[-1][1] is None


CHILD = """
import sys, time
from collections.abc import Iterator
from pathlib import Path
from onboardd.daemon import parse_ahead as ahead
from onboardd.daemon import parse_worker
from onboardd.daemon.mailbox import FetchedMail

ahead.worker_available = lambda: True
raw = Path(sys.argv[1]).read_bytes()
mails = (FetchedMail("onboarding", "new", f"{n}.eml", raw) for n in range(100))
backlog = ahead.parse_ahead(mails, 1 << 24)
next(backlog)
print(next(p for t in Path("/proc/self/task").iterdir()
           for p in (t / "children").read_text().split()), flush=True)
time.sleep(60)
"""


def test_the_worker_ends_when_the_daemon_is_killed_outright() -> None:
    daemon = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(FIXTURES[0])], stdout=subprocess.PIPE, text=True
    )
    try:
        assert daemon.stdout is not None
        worker = int(daemon.stdout.readline())
        os.kill(daemon.pid, signal.SIGKILL)
        daemon.wait()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and Path(f"/proc/{worker}").exists():
            time.sleep(0.05)
        assert not Path(f"/proc/{worker}").exists(), "the parse worker outlived its daemon"
    finally:
        daemon.kill()


SCRIPT = """
import sys
from collections.abc import Iterator
from pathlib import Path

if __name__ != "__main__":  # this script being run again inside the worker
    Path(sys.argv[2]).write_text("the worker ran the daemon's script")
if __name__ == "__main__":
    from onboardd.daemon import parse_ahead as ahead
    from onboardd.daemon.mailbox import FetchedMail

    ahead.worker_available = lambda: True
    ahead.worker_ready = lambda worker: worker.wait_ready()
    raw = Path(sys.argv[1]).read_bytes()
    mails = [FetchedMail("onboarding", "new", f"{n}.eml", raw) for n in range(40)]
    parsed = [p for _, p in ahead.parse_ahead(mails, 1 << 24)]
    assert all(p is not None for p in parsed), "the worker parsed nothing"
    print("ok")
"""


def test_the_worker_does_not_run_the_daemons_script_again(tmp_path: Path) -> None:
    # The `onboardd` console script imports the whole CLI; a worker that re-ran it
    # would load all of it to do nothing but parse.
    script, marker = tmp_path / "daemon_script.py", tmp_path / "marker"
    script.write_text(SCRIPT)
    done = subprocess.run(
        [sys.executable, str(script), str(FIXTURES[0]), str(marker)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.stdout.strip() == "ok", done.stderr
    assert not marker.exists(), marker.read_text()


@pytest.mark.parametrize("enabled", [True, False])
def test_the_backlog_is_read_from_the_mailbox_as_it_is_taken(enabled: bool) -> None:
    # With or without the worker, mails are pulled from the mailbox a few at a time,
    # never the whole backlog into memory at once.
    pulled: list[str] = []

    def source() -> Iterator[FetchedMail]:
        for mail in fetched(200):
            pulled.append(mail.handle)
            yield mail

    with contextlib.closing(ahead.parse_ahead(source(), LIMIT, enabled=enabled)) as backlog:
        next(backlog)
        assert len(pulled) <= ahead.START_AT + ahead.AHEAD + 1


def test_large_mails_go_ahead_by_bytes_not_by_count(monkeypatch: pytest.MonkeyPatch) -> None:
    # Small mails go far ahead (a large one among them needs the head start); large ones
    # only as far as the byte bound, so the raw mail waiting stays about one fetch batch.
    monkeypatch.setattr(ahead, "AHEAD_BYTES", 1024 * 1024)
    size = 300 * 1024
    pulled: list[str] = []

    def source() -> Iterator[FetchedMail]:
        for n in range(ahead.START_AT + 40):
            pulled.append(str(n))
            yield FetchedMail("onboarding", "new", str(n), b"Subject: big\n\n" + b"a" * size)

    taken = 0
    most_ahead = 0
    with contextlib.closing(ahead.parse_ahead(source(), LIMIT)) as backlog:
        for _mail, prepared in backlog:
            taken += 1
            if taken > ahead.START_AT:  # past the mails read while the worker started
                assert prepared is not None
                most_ahead = max(most_ahead, len(pulled) - taken)
    assert taken == ahead.START_AT + 40
    # 1 MB over 300 KB mails: three waiting, and the one just read that tipped the bound.
    assert 1 <= most_ahead <= 4 < ahead.AHEAD


def test_a_few_large_mails_are_a_backlog_without_reading_on_to_sixteen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ahead, "AHEAD_BYTES", 1024 * 1024)
    pulled: list[str] = []

    def source() -> Iterator[FetchedMail]:
        for n in range(6):
            pulled.append(str(n))
            yield FetchedMail("onboarding", "new", str(n), b"Subject: big\n\n" + b"a" * 600_000)

    with contextlib.closing(ahead.parse_ahead(source(), LIMIT)) as backlog:
        next(backlog)
        # Two 600 KB mails pass the 1 MB bound: the third is not read before the first
        # is handed on, where counting alone would have read all six (fewer than 16).
        assert len(pulled) == 2
        rest = list(backlog)
    assert [mail.handle for mail, _ in rest] == ["1", "2", "3", "4", "5"]
    assert any(prepared is not None for _, prepared in rest)  # the worker took part


@pytest.mark.parametrize("memory_files", [True, False], ids=["in-files", "down-the-pipe"])
def test_large_mails_and_large_answers_cross_without_either_side_waiting_for_ever(
    memory_files: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The loop may be writing a large mail into the worker's pipe while the worker is
    # writing a large answer into the loop's: neither pipe holds a whole one. The worker
    # reads on a thread of its own, so the loop's write always ends and it then reads.
    # Where the system has memory files a mail larger than the pipe goes in one instead;
    # where it refuses them (a seccomp filter), down the pipe as before.
    if not memory_files:

        def refused(name: str, flags: int = 0) -> int:
            raise PermissionError(1, "Operation not permitted")

        monkeypatch.setattr(os, "memfd_create", refused)
    body = b"Subject: long\n\n" + b"a few plain words on a line\n" * 55_000  # ~1.5 MB of text
    mails = [
        FetchedMail("onboarding", "new", f"{n}.eml", body + str(n).encode())
        for n in range(ahead.START_AT + 4)
    ]
    out: list[tuple[FetchedMail, ahead.Prepared | None]] = []
    drain = threading.Thread(
        target=lambda: out.extend(ahead.parse_ahead(iter(mails), LIMIT)), daemon=True
    )
    drain.start()
    drain.join(120)
    assert not drain.is_alive(), "the loop and the worker are waiting on each other"
    assert [mail.handle for mail, _ in out] == [mail.handle for mail in mails]
    for mail, prepared in out:
        assert prepared is not None  # the worker had every one, whole
        assert prepared.key == message_key(mail.raw)
        assert prepared.parsed == parse_message(mail.raw, max_bytes=LIMIT)
    assert children() == []


def test_a_mail_announced_in_a_file_is_read_whole_or_refused() -> None:
    sending, receiving = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
    with sending, receiving:
        file = os.memfd_create("test-mail", os.MFD_CLOEXEC)
        try:
            os.write(file, b"Subject: x\r\n\r\nbody\r\n")  # leaves the shared offset at the end
            socket.send_fds(sending, [b"m"], [file])
        finally:
            os.close(file)
        assert parse_worker._from_file(receiving) == b"Subject: x\r\n\r\nbody\r\n"
        # A datagram without a descriptor ends the worker's reading (it then ends, and the
        # daemon parses in place) instead of taking the mail to be empty.
        sending.send(b"m")
        with pytest.raises(OSError, match="no file came"):
            parse_worker._from_file(receiving)
