"""Two daemons, one mailbox, one PostgreSQL database: one serves, the other stands by and
takes over when the first is killed; every mail is processed once, every reply sent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from onboardd.daemon.cli import main
from onboardd.daemon.outbox import LEASE
from tests.conftest import postgresql_only
from tests.integration.conftest import imap_config
from tests.integration.dovecot import Dovecot
from tests.integration.smtp import SmtpServer
from tests.mailkit import compose

MAILS = 120


def count(url: str, query: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return int(connection.execute(sa.text(query)).scalar() or 0)
    finally:
        engine.dispose()


@postgresql_only
def test_standby_takes_over_when_the_active_instance_dies(
    tmp_path: Path, dovecot: Dovecot, smtp: SmtpServer, store_url: str
) -> None:
    config = imap_config(tmp_path, dovecot, smtp, extra="idle = false").read_text()
    config = config.replace("poll_seconds = 60", "poll_seconds = 1")
    config = config.replace('url = "sqlite:///var/onboardd.db"', f'url = "{store_url}"')
    path = tmp_path / "config.toml"
    path.write_text(config)
    assert main(["--config", str(path), "db", "upgrade"]) == 0
    command = [sys.executable, "-m", "onboardd.daemon.cli", "--config", str(path), "run"]
    first = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(2.5)  # the first takes the mailbox's lock
    second = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for number in range(MAILS):
            dovecot.append(
                compose(
                    f"P{number} <p{number}@acmehealth.example.com>",
                    "Organization: Acme Health Solutions\nService: Jira\n",
                )
            )
        deadline = time.monotonic() + 30
        while count(store_url, "select count(*) from inbound_messages") < MAILS // 4:
            assert time.monotonic() < deadline, "the first instance processed nothing"
            time.sleep(0.05)
        os.kill(first.pid, signal.SIGKILL)  # mid-drain
        first.wait()
        before = count(store_url, "select count(*) from inbound_messages")
        assert before < MAILS, "killed too late: nothing left to take over"
        deadline = time.monotonic() + 60
        while count(store_url, "select count(*) from inbound_messages") < MAILS:
            assert time.monotonic() < deadline, "the standby did not take over"
            time.sleep(0.1)
    finally:
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=30) == 0
        first.kill()
    # Replies the killed instance had claimed but not sent wait out their lease.
    after_lease = (datetime.now(UTC) + LEASE + timedelta(minutes=1)).isoformat()
    assert main(["--config", str(path), "run", "--once", "--now", after_lease]) == 0

    assert count(store_url, "select count(*) from requests") == MAILS
    assert count(store_url, "select count(*) from outbox where status = 'sent'") == MAILS
    assert dovecot.uids("INBOX") == [] and len(dovecot.uids("Processed")) == MAILS
    engine = sa.create_engine(store_url)
    with engine.connect() as connection:
        outbox = {row[0] for row in connection.execute(sa.text("select message_id from outbox"))}
    engine.dispose()
    delivered: dict[str, int] = defaultdict(int)
    for message in smtp.collector.messages():
        delivered[str(message["Message-ID"]).strip("<>")] += 1
    assert set(delivered) == outbox
    print(f"killed after {before} of {MAILS}; deliveries {sum(delivered.values())}")
