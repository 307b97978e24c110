"""The outbox reads that run at start, once a minute and for the digest take the
index on kind and creation time, never the table: a reply's row holds its raw mail,
and reading past it walks every stored reply's overflow pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from onboardd.responders.gate import ANSWER_KINDS
from onboardd.store import queries
from onboardd.store.digest_queries import digest_sent_since
from onboardd.store.engine import make_engine, upgrade

NOW = datetime(2026, 12, 4, 12, tzinfo=UTC)


def plans(engine: Engine, read: Callable[[Session], Any]) -> list[str]:
    """SQLite's query plan of every statement `read` runs."""
    statements: list[tuple[str, Any]] = []

    def seen(_conn: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("SELECT"):  # not the connection's pragmas
            statements.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", seen)
    try:
        with Session(engine) as session:
            read(session)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert statements
    with engine.connect() as connection:
        return [
            " / ".join(str(row[-1]) for row in connection.exec_driver_sql(
                "EXPLAIN QUERY PLAN " + statement, parameters))
            for statement, parameters in statements
        ]


@pytest.mark.parametrize("read", [
    lambda session: queries.created_since(session, NOW, ANSWER_KINDS),
    lambda session: digest_sent_since(session, NOW),
], ids=["answers-of-the-hour", "digest-queued-since"])
def test_outbox_reads_by_kind_and_time_use_the_index(
    tmp_path: Path, read: Callable[[Session], Any]
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/onboardd.db")
    upgrade(engine)
    for plan in plans(engine, read):
        assert "INDEX ix_outbox_kind_created" in plan, plan
    engine.dispose()
