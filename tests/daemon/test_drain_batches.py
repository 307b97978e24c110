"""A backlog drained with its moves batched: what was committed leaves the folder, always."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from onboardd.daemon import runner
from onboardd.daemon.app import App
from onboardd.daemon.ingest import StoreUnavailable
from onboardd.daemon.runner import PassReport, drain_mailbox
from tests.daemon.harness import Daemon
from tests.mailkit import compose

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def deliver(daemon: Daemon, count: int) -> None:
    for number in range(count):
        daemon.maildir.deliver(
            compose(
                f"Person {number} <p{number}@acmehealth.example.com>",
                f"Organization: Acme Health Solutions\nService: Jira\nUsers: {number + 1}\n",
                subject=f"Request {number}",
            ),
            name=f"{number:04d}.eml",
        )


def test_a_stop_moves_every_mail_committed_so_far_and_nothing_else(
    daemon: Daemon, app: App
) -> None:
    deliver(daemon, 30)  # enough for the parse worker too
    report = PassReport()
    [mailbox] = app.mailboxes()
    drain_mailbox(app, mailbox, NOW, report, stop=lambda: report.processed >= 7)
    assert report.processed == 7
    assert len(daemon.maildir.cur()) == 7 and len(daemon.maildir.new()) == 23


def test_an_error_mid_backlog_still_moves_what_was_committed(
    daemon: Daemon, app: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The database failing on the sixth mail, injected around the real ingest: a real
    # outage is covered end to end in test_outages; here what matters is the moves.
    deliver(daemon, 20)
    real_ingest = runner.ingest
    calls = {"n": 0}

    def ingest_until_the_database_goes(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 6:
            raise StoreUnavailable("database unavailable: disk I/O error")
        return real_ingest(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "ingest", ingest_until_the_database_goes)
    report = PassReport()
    [mailbox] = app.mailboxes()
    with pytest.raises(StoreUnavailable):
        drain_mailbox(app, mailbox, NOW, report)
    assert report.processed == 5
    assert len(daemon.maildir.cur()) == 5 and len(daemon.maildir.new()) == 15
