"""The ops tests drive the daemon through its CLI like the daemon tests do."""

from __future__ import annotations

from tests.daemon.conftest import daemon

__all__ = ["daemon"]
