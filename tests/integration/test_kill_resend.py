"""SIGKILL `run --once` while it sends into a real SMTP server, ten times over 200 mails,
then let it finish: every request is made once, every reply delivered, and no more
replies go out a second time than there were kills.

A reply goes out again after a kill only if the server had accepted its DATA and its
"sent" was not yet on disk; each result is written before the next send, so that is
the one message in hand at most. The kills land where that window is: just after the
server took a random one of the round's replies, with a random jitter of a few
milliseconds. The seed is fixed and printed with the count.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from onboardd.daemon.cli import main
from onboardd.daemon.outbox import LEASE
from tests.integration.smtp import SmtpServer
from tests.integration.test_crash import normalized
from tests.mailkit import Maildir, compose

MAILS = 200
KILLS = 10
SEED = 20261204
# A round that has not reached its kill point by then has stopped sending for good.
ROUND_TIMEOUT = 60.0


def test_a_kill_sends_at_most_one_reply_twice(
    example_config: Path,
    store_url: str,
    smtp: SmtpServer,
    capsys: pytest.CaptureFixture[str],
) -> None:
    root = example_config.parent
    config = configured(example_config, store_url, smtp)
    maildir = Maildir(root / "var/mail/onboarding")
    chance = random.Random(SEED)
    command = [sys.executable, "-m", "onboardd.daemon.cli", "--config", str(config),
               "run", "--once"]
    received = smtp.collector.received
    per_round = MAILS // KILLS
    for round_number in range(KILLS):
        for number in range(round_number * per_round, (round_number + 1) * per_round):
            maildir.deliver(request(number))
        kill_after = len(received) + chance.randint(1, per_round - 1)
        jitter = chance.uniform(0, 0.003)
        daemon = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + ROUND_TIMEOUT
        while len(received) < kill_after and daemon.poll() is None:
            assert time.monotonic() < deadline, "the daemon stopped sending"
            time.sleep(0.0005)
        time.sleep(jitter)
        if daemon.poll() is not None:
            _, errors = daemon.communicate()
            raise AssertionError(f"run --once ended before its kill: {errors.decode()[-2000:]}")
        os.kill(daemon.pid, signal.SIGKILL)
        daemon.wait()
        assert daemon.stderr is not None
        daemon.stderr.close()

    # The rest in peace: replies claimed by a killed run wait out their lease first.
    after_lease = (datetime.now(UTC) + LEASE + timedelta(minutes=1)).isoformat()
    for _ in range(5):
        assert main(["--config", str(config), "run", "--once", "--now", after_lease]) == 0
        if not maildir.new() and unsent(store_url) == 0:
            break
    capsys.readouterr()

    assert maildir.new() == []
    engine = create_engine(store_url)
    with engine.connect() as connection:
        requests = connection.execute(text("select count(*) from requests")).scalar_one()
        processed = connection.execute(
            text("select count(*) from inbound_messages where status = 'processed'")
        ).scalar_one()
        outbox = dict(connection.execute(text("select message_id, status from outbox")).all())
    engine.dispose()
    assert requests == MAILS and processed == MAILS  # every request made once
    assert set(outbox.values()) == {"sent"}
    deliveries = Counter(str(m["Message-ID"]).strip("<>") for m in smtp.collector.messages())
    assert set(deliveries) == set(outbox)  # every reply delivered
    copies: dict[str, set[bytes]] = defaultdict(set)
    for message in smtp.collector.messages():
        copies[str(message["Message-ID"]).strip("<>")].add(normalized(message.as_bytes()))
    assert all(len(bodies) == 1 for bodies in copies.values())  # a repeat is the same mail
    resent = sum(count - 1 for count in deliveries.values())
    with capsys.disabled():
        print(f"\nkill test (seed {SEED}, {engine.dialect.name}): {KILLS} kills over {MAILS} "
              f"mails, {len(outbox)} replies, {resent} sent twice")
    assert resent <= KILLS


def configured(config: Path, store_url: str, smtp: SmtpServer) -> Path:
    """The example config on `store_url`, sending by SMTP to the test server."""
    (config.parent / "var").mkdir(exist_ok=True)
    text_ = config.read_text()
    transport = 'kind = "file"\npath = "var/outbox"\n'
    assert transport in text_
    text_ = text_.replace(
        transport,
        f'kind = "smtp"\nhost = "127.0.0.1"\nport = {smtp.port}\ntls = "none"\n'
        "allow_insecure = true\n",
    )
    if not store_url.startswith("sqlite"):
        text_ = text_.replace('url = "sqlite:///var/onboardd.db"', f'url = "{store_url}"')
    config.write_text(text_)
    return config


def request(number: int) -> bytes:
    # Distinct senders: one sender would reach the hourly reply limit.
    return compose(
        f"Person {number} <p{number}@acmehealth.example.com>",
        f"Organization: Acme Health Solutions\nService: Jira\nUsers: {number + 1}\n",
        subject=f"Request {number}",
    )


def unsent(store_url: str) -> int:
    engine = create_engine(store_url)
    with engine.connect() as connection:
        count = connection.execute(
            text("select count(*) from outbox where status = 'pending'")
        ).scalar_one()
    engine.dispose()
    return int(count)
