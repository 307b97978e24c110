"""SIGKILL the daemon at random moments while it drains a real mailbox into a real SMTP
server: afterwards every mail is processed once, every reply delivered, and no Message-ID
went out twice with different content."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

from onboardd.daemon.cli import main
from onboardd.daemon.outbox import LEASE
from tests.integration.conftest import imap_config
from tests.integration.dovecot import Dovecot
from tests.integration.smtp import SmtpServer
from tests.mailkit import compose

MAILS = 300
KILLS = 20


def test_sigkill_at_random_points_loses_and_doubles_nothing(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpServer
) -> None:
    for number in range(MAILS):
        # Distinct senders: one sender would trip the hourly reply limit.
        dovecot.append(
            compose(
                f"Person {number} <p{number}@acmehealth.example.com>",
                f"Organization: Acme Health Solutions\nService: Jira\nUsers: {number + 1}\n",
                subject=f"Request {number}",
            )
        )
    config = imap_config(tmp_path, dovecot, smtp, extra="idle = false").read_text()
    path = tmp_path / "config.toml"
    path.write_text(config.replace("poll_seconds = 60", "poll_seconds = 1"))
    chance = random.Random(20261123)
    command = [sys.executable, "-m", "onboardd.daemon.cli", "--config", str(path), "run"]
    kills = 0
    while kills < KILLS:
        daemon = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(chance.uniform(1.8, 2.8))  # start-up alone takes about 1.7 s
        if daemon.poll() is not None:
            raise AssertionError(f"the daemon exited by itself with {daemon.returncode}")
        os.kill(daemon.pid, signal.SIGKILL)
        daemon.wait()
        kills += 1
    during = processed(tmp_path)
    assert during >= MAILS // 4, f"only {during} mails were processed under fire"
    # Let it finish in peace. A kill between claiming a reply and recording its result
    # leaves the claim to expire (LEASE), so the clean-up runs as of after that.
    after_lease = (datetime.now(UTC) + LEASE + timedelta(minutes=1)).isoformat()
    for _ in range(10):
        assert main(["--config", str(path), "run", "--once", "--now", after_lease]) == 0
        if not dovecot.uids("INBOX") and pending(tmp_path) == 0:
            break

    assert dovecot.uids("INBOX") == [] and len(dovecot.uids("Processed")) == MAILS
    database = sqlite3.connect(tmp_path / "var" / "onboardd.db")
    assert database.execute("select count(*) from requests").fetchone() == (MAILS,)
    assert database.execute(
        "select count(*) from inbound_messages where status = 'processed'"
    ).fetchone() == (MAILS,)
    outbox = dict(database.execute("select message_id, raw from outbox").fetchall())
    assert len(outbox) == MAILS  # one notice per mail, never a second, different one
    delivered: dict[str, set[bytes]] = defaultdict(set)
    for message in smtp.collector.messages():
        delivered[str(message["Message-ID"]).strip("<>")].add(normalized(message.as_bytes()))
    assert set(delivered) == set(outbox)  # every reply delivered
    assert all(len(bodies) == 1 for bodies in delivered.values())  # repeats are identical
    print(f"{kills} kills, {during} mails processed under fire; "
          f"{len(smtp.collector.received)} deliveries of {len(outbox)} replies")


def processed(folder: Path) -> int:
    database = sqlite3.connect(folder / "var" / "onboardd.db")
    return database.execute("select count(*) from inbound_messages").fetchone()[0]


def pending(folder: Path) -> int:
    database = sqlite3.connect(folder / "var" / "onboardd.db")
    return database.execute("select count(*) from outbox where status = 'pending'").fetchone()[0]


def normalized(raw: bytes) -> bytes:
    """The message as sent, without what the SMTP server added on receipt."""
    head, _, body = raw.partition(b"\n\n")
    kept = [
        line
        for line in head.split(b"\n")
        if not line.lower().startswith((b"x-peer", b"x-mailfrom", b"x-rcptto"))
    ]
    return b"\n".join(kept) + b"\n\n" + body
