"""Group commits: the drain's transactions skip their own fsync, and nothing else does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from onboardd.store.engine import (
    StoreError,
    checkpoint,
    make_durable,
    make_engine,
    session_factory,
    transaction,
    upgrade,
)
from tests.conftest import postgresql_only

FULL, NORMAL = 2, 1  # what PRAGMA synchronous reads back


def _synchronous(factory: sessionmaker[Session], grouped: bool) -> int:
    with transaction(factory, group_commit=grouped) as session:
        return int(session.execute(text("PRAGMA synchronous")).scalar_one())


def test_only_group_commits_run_at_synchronous_normal(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/db.sqlite")
    factory = session_factory(engine)
    # One pooled connection serves them all in turn: the setting follows the transaction.
    grouped = [False, True, False, True, True, False]
    assert [_synchronous(factory, g) for g in grouped] == [
        FULL, NORMAL, FULL, NORMAL, NORMAL, FULL,
    ]
    engine.dispose()


def test_a_database_not_in_wal_mode_keeps_every_commit_full() -> None:
    # An in-memory database cannot be in WAL mode; NORMAL would be unsafe elsewhere too.
    engine = make_engine("sqlite://")
    assert _synchronous(session_factory(engine), True) == FULL
    make_durable(engine)  # nothing on disk to sync, and no error for it
    engine.dispose()


def test_make_durable_syncs_the_wal_file_and_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/db.sqlite")
    upgrade(engine)
    with transaction(session_factory(engine), group_commit=True) as session:
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


def test_make_durable_refuses_a_database_it_cannot_find(tmp_path: Path) -> None:
    # A WAL may be missing (no commit since the last checkpoint); the database may not.
    engine = make_engine(f"sqlite:///{tmp_path}/db.sqlite")
    upgrade(engine)
    make_durable(engine)
    engine.dispose()  # the last connection checkpoints and removes the WAL
    assert not (tmp_path / "db.sqlite-wal").exists()
    make_durable(engine)
    (tmp_path / "db.sqlite").unlink()
    with pytest.raises(StoreError, match="no such database file"):
        make_durable(engine)


@postgresql_only
def test_postgresql_takes_group_commits_as_ordinary_ones(store_url: str) -> None:
    # Its commits are durable when they return; there is no WAL file of ours to sync.
    engine = make_engine(store_url)
    with transaction(session_factory(engine), group_commit=True) as session:
        assert session.execute(text("SHOW synchronous_commit")).scalar_one() == "on"
    make_durable(engine)
    engine.dispose()


def _write_pages(factory: sessionmaker[Session], grouped: bool, pages: int) -> None:
    with transaction(factory, group_commit=grouped) as session:
        session.execute(text("CREATE TABLE IF NOT EXISTS blobs (b BLOB)"))
        session.execute(text("INSERT INTO blobs VALUES (zeroblob(:size))"),
                        [{"size": 4000}] * pages)


def test_group_commits_leave_the_checkpoint_to_the_drain(tmp_path: Path) -> None:
    database = tmp_path / "db.sqlite"
    engine = make_engine(f"sqlite:///{database}")
    factory = session_factory(engine)
    # Past SQLite's 1,000-page threshold: a group commit leaves the pages in the WAL...
    _write_pages(factory, True, 1500)
    assert database.stat().st_size < 1_000_000
    # ...until checkpoint() copies them into the database file.
    checkpoint(engine)
    assert database.stat().st_size > 1500 * 4000
    # A commit that waits for its fsync still checkpoints on its own past the threshold,
    # on the same pooled connection.
    _write_pages(factory, False, 1500)
    assert database.stat().st_size > 3000 * 4000
    engine.dispose()


def test_checkpoint_of_a_database_without_a_file_is_a_no_op() -> None:
    engine = make_engine("sqlite://")
    checkpoint(engine)
    engine.dispose()
