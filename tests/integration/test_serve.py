"""`onboardd run` as a service against real servers: IDLE, a server restart, a clean stop."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from onboardd.daemon.app import build
from onboardd.daemon.config import load_config
from onboardd.daemon.serve import Service
from tests.integration.conftest import imap_config
from tests.integration.dovecot import SECOND_USER, Dovecot
from tests.integration.smtp import SmtpServer
from tests.mailkit import compose

JANE = "Jane Doe <jane.doe@acmehealth.example.com>"
REQUEST = (
    "Organization: Acme Health Solutions\nServices: Jira\nJustification: defect tracking\n"
    "Users: 25\nCOR approval: approved by Dana Smith <dana.smith@cms.example.gov>\n"
)


@contextmanager
def serving(config: Path, clock: Callable[[], datetime] | None = None) -> Iterator[Service]:
    load = lambda: build(load_config(config))  # noqa: E731
    service = Service(load, clock=clock) if clock else Service(load)
    thread = threading.Thread(target=service.run, name="service")
    thread.start()
    try:
        yield service
    finally:
        service.request_stop()
        thread.join(30)
        assert not thread.is_alive(), "the service did not stop"


def wait_for(condition: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_idle_picks_up_new_mail_long_before_the_poll(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpServer
) -> None:
    config = imap_config(tmp_path, dovecot, smtp)  # poll_seconds = 60
    with serving(config) as service:
        assert wait_for(lambda: service._watchers and service._watchers[0].connected.is_set(), 10)
        time.sleep(1.0)  # the first pass is over: the loop is waiting (poll in 60 s)
        appended = time.monotonic()
        dovecot.append(compose(JANE, REQUEST))
        assert wait_for(lambda: "acknowledgment" in smtp.collector.kinds(), 20)
        latency = time.monotonic() - appended
    # Far below the 60 s poll: the IDLE watcher woke the loop (bench/ measures it exactly).
    print(f"IDLE pickup to reply: {latency:.2f} s")
    assert latency < 15, latency
    assert (dovecot.uids("INBOX"), len(dovecot.uids("Processed"))) == ([], 1)


def test_dovecot_restart_mid_run_loses_and_repeats_nothing(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpServer
) -> None:
    config = imap_config(tmp_path, dovecot, smtp, extra="idle = false").read_text()
    (tmp_path / "config.toml").write_text(config.replace("poll_seconds = 60", "poll_seconds = 1"))
    with serving(tmp_path / "config.toml"):
        for number in range(5):
            dovecot.append(compose(f"Person {number} <p{number}@acmehealth.example.com>", REQUEST))
        assert wait_for(lambda: smtp.collector.kinds().count("acknowledgment") >= 5, 30)
        dovecot.restart()
        for number in range(5):
            dovecot.append(compose(f"Other {number} <o{number}@acmehealth.example.com>", REQUEST))
        assert wait_for(lambda: smtp.collector.kinds().count("acknowledgment") >= 10, 60)
        time.sleep(2.5)  # a few more passes: nothing further may arrive
    replies = [m for m in smtp.collector.messages() if m["X-Onboarding-Notice"] != "digest"]
    ids = [str(m["Message-ID"]) for m in replies]
    assert len(ids) == 20 and len(set(ids)) == 20
    assert dovecot.uids("INBOX") == [] and len(dovecot.uids("Processed")) == 10


def test_idle_resumes_after_a_dovecot_restart_without_waiting_for_the_poll(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpServer
) -> None:
    config = imap_config(tmp_path, dovecot, smtp)  # IDLE on, poll_seconds = 60
    with serving(config) as service:
        watcher = service._watchers[0]
        assert wait_for(watcher.connected.is_set, 10)
        time.sleep(1.0)  # the first pass is over: the loop waits (30 s timer, 60 s poll)
        began = time.monotonic()
        dovecot.stop()  # every session ends: the watcher reads BYE, the main one is cut
        stopped = time.monotonic() - began
        assert wait_for(lambda: not watcher.connected.is_set(), 5)
        # Mail delivered while the server is down raises no IDLE event once it is back:
        # the watcher's reconnection itself must make the loop look.
        dovecot.deliver(compose(JANE, REQUEST))
        dovecot.start()
        back = time.monotonic()
        assert wait_for(lambda: "acknowledgment" in smtp.collector.kinds(), 30)
        latency = time.monotonic() - back
        assert wait_for(watcher.connected.is_set, 10)
    print(f"Dovecot stop with a client in IDLE: {stopped:.2f} s; pickup once back: {latency:.2f} s")
    assert latency < 20, latency  # the poll would have taken up to 60 s
    assert sorted(smtp.collector.kinds()) == ["acknowledgment", "cor-confirmation"]
    assert (dovecot.uids("INBOX"), len(dovecot.uids("Processed"))) == ([], 1)


def test_two_mailboxes_in_one_process_each_answer_their_own_mail(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpServer
) -> None:
    config = imap_config(tmp_path, dovecot, smtp)
    text = config.read_text()
    second = f"""[[mailboxes]]
name = "second"
address = "second@onboard.example.gov"
kind = "imap"
host = "127.0.0.1"
port = {dovecot.port}
tls = "none"
allow_insecure = true
username = "{SECOND_USER}"
password_file = "imap-password"
poll_seconds = 60

"""
    config.write_text(text.replace("[transport]", second + "[transport]", 1))
    with serving(config) as service:
        assert wait_for(lambda: all(w.connected.is_set() for w in service._watchers), 10)
        assert len(service._watchers) == 2
        time.sleep(1.0)
        dovecot.append(compose(JANE, REQUEST))
        dovecot.append(
            compose("Sam Roe <sam.roe@acmehealth.example.com>", REQUEST), user=SECOND_USER
        )
        assert wait_for(lambda: smtp.collector.kinds().count("acknowledgment") == 2, 20)
    senders = sorted(
        str(m["From"])
        for m in smtp.collector.messages()
        if m["X-Onboarding-Notice"] == "acknowledgment"
    )
    assert [s.split("<")[-1] for s in senders] == [
        "onboarding@onboard.example.gov>",
        "second@onboard.example.gov>",
    ]
    for user in ("onboarding", SECOND_USER):
        assert (dovecot.uids("INBOX", user=user), len(dovecot.uids("Processed", user=user))) == (
            [],
            1,
        )


def test_smtp_unreachable_during_a_burst_then_back_every_reply_once(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpServer
) -> None:
    smtp.stop()  # its port stays reserved: connections are refused
    ahead = [timedelta(0)]  # the outbox's retry times are driven through the clock
    config = imap_config(tmp_path, dovecot, smtp)
    database = tmp_path / "var" / "onboardd.db"

    def outbox() -> list[tuple[str, int]]:
        with sqlite3.connect(database) as db:
            return db.execute("select status, attempts from outbox").fetchall()

    with serving(config, clock=lambda: datetime.now(UTC) + ahead[0]) as service:
        for number in range(5):
            dovecot.append(compose(f"P{number} <p{number}@acmehealth.example.com>", REQUEST))
        assert wait_for(lambda: len(dovecot.uids("Processed")) == 5, 20)
        assert wait_for(lambda: len(outbox()) == 10, 5)
        # Every mail was committed and moved although nothing could be sent, and the
        # refused connection was tried once for the burst, not once per mail.
        assert sum(attempts for _, attempts in outbox()) == 1
        smtp.start()
        ahead[0] = timedelta(hours=2)  # every deferred reply is due again
        assert service._outbox_paused_until > time.monotonic()
        service._outbox_paused_until = 0.0  # as if OUTBOX_PAUSE had passed
        service.wake.set()
        assert wait_for(lambda: len(smtp.collector.received) >= 10, 20)
        time.sleep(1.0)
        service.wake.set()  # one more pass: nothing further may go out
        time.sleep(0.5)
    ids = [str(m["Message-ID"]) for m in smtp.collector.messages()]
    assert len(ids) == 10 and len(set(ids)) == 10
    assert {status for status, _ in outbox()} == {"sent"}
    assert dovecot.uids("INBOX") == []
