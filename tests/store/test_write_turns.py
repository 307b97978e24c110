"""SQLite writers of one process take turns in arrival order (store/write_turns.py)."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from onboardd.store.engine import make_engine, session_factory, transaction, upgrade
from onboardd.store.write_turns import WriteTurns, turns_for


def _queue(turns: WriteTurns, name: str, served: list[str], timeout: float = 5) -> threading.Thread:
    def take() -> None:
        turns.take(timeout)
        served.append(name)
        turns.give_back()

    thread = threading.Thread(target=take)
    thread.start()
    return thread


def _wait_for_waiters(turns: WriteTurns, count: int) -> None:
    deadline = time.monotonic() + 5
    while turns._next_ticket - turns._serving - 1 < count:
        assert time.monotonic() < deadline, "the threads never queued"
        time.sleep(0.005)


def test_turns_are_served_in_the_order_they_were_asked_for() -> None:
    turns = WriteTurns()
    served: list[str] = []
    turns.take(1)  # held by this thread
    threads = []
    for name in ["first", "second", "third"]:
        threads.append(_queue(turns, name, served))
        _wait_for_waiters(turns, len(threads))
    turns.give_back()
    for thread in threads:
        thread.join(5)
    assert served == ["first", "second", "third"]


def test_a_writer_that_gave_up_does_not_hold_up_those_behind_it() -> None:
    turns = WriteTurns()
    turns.take(1)
    with pytest.raises(sqlite3.OperationalError, match="database is locked"):
        turns.take(0.05)  # its ticket is abandoned
    served: list[str] = []
    later = _queue(turns, "later", served)
    _wait_for_waiters(turns, 2)  # the abandoned ticket still counts until it comes up
    turns.give_back()
    later.join(5)
    assert served == ["later"]


def test_engines_on_one_file_share_their_turns(tmp_path: Path) -> None:
    database = tmp_path / "a.db"
    assert turns_for(str(database)) is turns_for(str(tmp_path / "." / "a.db"))
    assert turns_for(":memory:") is None


@pytest.fixture
def factory(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path}/turns.db")
    upgrade(engine)
    yield session_factory(engine)
    engine.dispose()


def _write_in_thread(factory, timeout: float = 5) -> float:  # type: ignore[no-untyped-def]
    """Seconds another thread needed to get a write transaction through."""
    took: list[float] = []

    def write() -> None:
        began = time.monotonic()
        with transaction(factory) as session:
            session.execute(text("UPDATE reference_counters SET last_seq = last_seq"))
        took.append(time.monotonic() - began)

    thread = threading.Thread(target=write)
    thread.start()
    thread.join(timeout)
    assert took, "the other writer never got its turn"
    return took[0]


def test_a_failed_transaction_gives_its_turn_back(factory) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(RuntimeError), transaction(factory) as session:
        session.execute(text("SELECT 1"))
        raise RuntimeError("the unit of work failed")
    assert _write_in_thread(factory) < 2


def test_a_session_closed_mid_transaction_gives_its_turn_back(factory) -> None:  # type: ignore[no-untyped-def]
    session = factory()
    session.execute(text("SELECT 1"))  # BEGIN IMMEDIATE: the turn is taken
    session.close()  # neither commit nor rollback by the caller
    assert _write_in_thread(factory) < 2


def test_a_writer_waits_for_the_turn_held_by_another_thread(factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as session:
        session.execute(text("SELECT 1"))
        waiter = threading.Thread(target=_write_in_thread, args=(factory,))
        waiter.start()
        waiter.join(0.3)
        assert waiter.is_alive()  # queued behind this transaction
    waiter.join(5)
    assert not waiter.is_alive()


def test_a_turn_not_given_in_time_is_the_usual_locked_error(
    factory, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr("onboardd.store.engine.BUSY_TIMEOUT_SECONDS", 0.1)
    failures: list[BaseException] = []

    def write() -> None:
        try:
            with transaction(factory) as session:
                session.execute(text("SELECT 1"))
        except OperationalError as exc:
            failures.append(exc)

    with transaction(factory) as session:
        session.execute(text("SELECT 1"))
        thread = threading.Thread(target=write)
        thread.start()
        thread.join(5)
    assert failures and "database is locked" in str(failures[0])
    assert _write_in_thread(factory) < 2  # the abandoned ticket blocks nobody
