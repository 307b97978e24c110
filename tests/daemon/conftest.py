"""Fixtures for the daemon's end-to-end tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from onboardd.daemon.app import App, build
from onboardd.daemon.config import load_config
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


@pytest.fixture
def app(daemon: Daemon) -> Iterator[App]:
    """The daemon's parts built in this process, for tests that call them directly."""
    built = build(load_config(daemon.config))
    yield built
    built.engine.dispose()
