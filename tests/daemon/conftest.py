"""Fixtures for the daemon's end-to-end tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.daemon.harness import Daemon
from tests.mailkit import Maildir


@pytest.fixture
def daemon(example_config: Path, store_url: str, capsys: pytest.CaptureFixture[str]) -> Daemon:
    """The example config on each store (see `store_url`): SQLite, then PostgreSQL."""
    root = example_config.parent
    running = Daemon(
        example_config, Maildir(root / "var/mail/onboarding"), root / "var/outbox", capsys
    )
    running.use_store(store_url)
    return running
