"""Shared fixtures: paths, and a config written into a temporary directory."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpus"
SAMPLES = REPO / "samples"


def require(condition: bool, reason: str) -> None:
    """Skip when something the test needs is missing, but fail under CI.

    CI (CI=true, or ONBOARDD_REQUIRE_ALL=1) makes a missing server or corpus is a failure
    there, never a silent skip.
    """
    if condition:
        return
    if os.environ.get("ONBOARDD_REQUIRE_ALL") == "1" or os.environ.get("CI") == "true":
        pytest.fail(f"required for this run: {reason}")
    pytest.skip(reason)


@pytest.fixture
def example_config(tmp_path: Path) -> Path:
    """config.example.toml copied next to a fresh var/ so relative paths land in tmp."""
    target = tmp_path / "config.toml"
    shutil.copy(REPO / "config.example.toml", target)
    return target
