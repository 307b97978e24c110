"""Group commits: the drain's transactions skip their own fsync, and nothing else does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text

from onboardd.store.engine import (
    group_commit,
    make_durable,
    make_engine,
    session_factory,
    transaction,
    upgrade,
)
from tests.conftest import postgresql_only

FULL, NORMAL = 2, 1  # what PRAGMA synchronous reads back


def _synchronous(factory) -> int:  # type: ignore[no-untyped-def]
    with transaction(factory) as session:
        return int(session.execute(text("PRAGMA synchronous")).scalar_one())


def test_only_group_commits_run_at_synchronous_normal(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/db.sqlite")
    plain, grouped = session_factory(engine), session_factory(group_commit(engine))
    # One pooled connection serves both in turn: the setting follows the transaction.
    assert [_synchronous(f) for f in (plain, grouped, plain, grouped, grouped, plain)] == [
        FULL, NORMAL, FULL, NORMAL, NORMAL, FULL,
    ]
    engine.dispose()


def test_a_database_not_in_wal_mode_keeps_every_commit_full() -> None:
    # An in-memory database cannot be in WAL mode; NORMAL would be unsafe elsewhere too.
    engine = make_engine("sqlite://")
    assert _synchronous(session_factory(group_commit(engine))) == FULL
    make_durable(engine)  # nothing on disk to sync, and no error for it
    engine.dispose()


def test_make_durable_syncs_the_wal_file_and_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/db.sqlite")
    upgrade(engine)
    with transaction(session_factory(group_commit(engine))) as session:
        session.execute(text("CREATE TABLE t (x INTEGER)"))
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(descriptor: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{descriptor}"))
        real_fsync(descriptor)

    monkeypatch.setattr(os, "fsync", fsync)
    make_durable(engine)
    assert synced == [f"{tmp_path}/db.sqlite-wal", str(tmp_path)]
    engine.dispose()


@postgresql_only
def test_postgresql_commits_stay_as_they_are(store_url: str) -> None:
    # Its commits are durable when they return; there is no WAL file of ours to sync.
    engine = make_engine(store_url)
    assert group_commit(engine) is engine
    make_durable(engine)
    engine.dispose()
