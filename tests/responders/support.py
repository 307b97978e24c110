"""What the responder tests share: the example policy, templates, and a clock."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache

from onboardd.daemon.app import load_renderer
from onboardd.daemon.config import load_config
from onboardd.responders.policy import Policy
from onboardd.responders.render import Renderer
from tests.conftest import REPO

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)


@cache
def policy() -> Policy:
    return load_config(REPO / "config.example.toml").policy


@cache
def renderer() -> Renderer:
    return load_renderer()
