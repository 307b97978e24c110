"""Fixtures for the daemon's end-to-end tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.daemon.harness import Daemon
from tests.mailkit import Maildir


@pytest.fixture
def daemon(example_config: Path, capsys: pytest.CaptureFixture[str]) -> Daemon:
    root = example_config.parent
    return Daemon(
        example_config, Maildir(root / "var/mail/onboarding"), root / "var/outbox", capsys
    )
