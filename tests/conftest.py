"""Shared fixtures: paths, and a config written into a temporary directory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests import pg

REPO = Path(__file__).resolve().parent.parent


def _corpus() -> Path:
    """The shared corpus, read in place: $ONBOARDD_CORPUS when set, else ../shared/corpus
    beside this checkout. Nothing else: a test that needs it says where it looked."""
    if os.environ.get("ONBOARDD_CORPUS"):
        return Path(os.environ["ONBOARDD_CORPUS"])
    return REPO.parent / "shared" / "corpus"


CORPUS = _corpus()
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
    target.write_text(volume_budget((REPO / "config.example.toml").read_text()))
    (tmp_path / "var").mkdir(exist_ok=True)  # the database's folder: made as `make demo` does
    return target


def volume_budget(config_text: str) -> str:
    """The example config with room for the hundreds of answers a volume test queues in
    a minute; the tests of the budget itself set their own."""
    return config_text.replace("replies_per_hour = 200", "replies_per_hour = 1000000")


STORES = ["sqlite", "postgresql"]
# For what only SQLite has (a database file and its mode), or only PostgreSQL (row locks
# that really lock, column types): the store fixture's one param.
sqlite_only = pytest.mark.parametrize("store_url", ["sqlite"], indirect=True)
postgresql_only = pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)


@contextmanager
def store_for(kind: str, folder: Path) -> Iterator[str]:
    """A database URL of `kind`: SQLite where config.example.toml puts it (var/ beside a
    config in `folder`), or a fresh PostgreSQL database, dropped afterwards."""
    if kind == "sqlite":
        (folder / "var").mkdir(exist_ok=True)  # never made by the store itself
        yield f"sqlite:///{folder}/var/onboardd.db"
        return
    problem = pg.unreachable()
    require(problem is None, problem or "")
    with pg.fresh_database() as url:
        yield url


@pytest.fixture(params=STORES)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each store a test runs on: SQLite, then PostgreSQL (skipped or failed by `require`)."""
    with store_for(request.param, tmp_path) as url:
        yield url
