"""The per-mail queries run as driver SQL answer as Core's execute() answers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from onboardd.store import driver_sql, queries
from onboardd.store.models import InboundMessage, OutboxMessage, ReferenceCounter
from tests.mailkit import pending_reply

# Not UTC, so the UTC column type has to convert the query's times as it converts rows.
NOW = datetime(2026, 3, 8, 6, 30, tzinfo=timezone(timedelta(hours=5)))


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    """Three inbound mails (two sharing a Message-ID), three replies to one address at
    different ages, and this year's reference counter."""
    with Session(engine) as session, session.begin():
        for number, key in enumerate(("k1", "k2", "k3")):
            session.add(
                InboundMessage(
                    message_key=key, message_id="shared@x" if key != "k3" else None,
                    mailbox="onboarding", received_at=NOW, status=f"s{number}",
                )
            )
        # Replies to one address at different ages: within the hour, the day, and older.
        for number, age in enumerate((timedelta(minutes=5), timedelta(hours=3),
                                      timedelta(days=2))):
            reply = pending_reply(f"r{number}@x", NOW - age, b"raw")
            reply.to_addr, reply.kind = "jane@x", "help" if number == 1 else "acknowledgment"
            session.add(reply)
        session.add(ReferenceCounter(year=2026, last_seq=41))
    return engine


CASES = [
    (queries._INBOUND_STATUS, {"key": "k2"}),
    (queries._INBOUND_STATUS, {"key": "none"}),
    (queries._STATUS_OR_REUSE, {"key": "k2", "message_id": "shared@x"}),
    (queries._STATUS_OR_REUSE, {"key": "new", "message_id": "shared@x"}),
    (queries._SENDER_HISTORY,
     {"hour": NOW - timedelta(hours=1), "day": NOW - timedelta(days=1), "address": "jane@x"}),
    (queries._LOCKED_LAST_SEQ, {"for_year": 2026}),
    (queries._TAKE_SEQ, {"for_year": 2026}),
]


@pytest.mark.parametrize("case", range(len(CASES)))
def test_each_per_mail_query_answers_as_core_does(seeded: Engine, case: int) -> None:
    statement, values = CASES[case]
    answers = []
    for run in ("core", "driver"):
        with Session(seeded) as session, session.begin():
            connection = session.connection()
            result = (
                connection.execute(statement, values)
                if run == "core"
                else driver_sql.execute(connection, statement, values)
            )
            answers.append([tuple(row) for row in result])
            session.rollback()  # the counter's UPDATE counts from the same value both times
    assert answers[0] == answers[1]
    assert answers[0] not in ([], [(0, 0)]) or values.get("key") == "none"


def test_what_it_would_not_reproduce_is_refused(engine: Engine) -> None:
    with pytest.raises(ValueError, match="converting"):
        driver_sql.compile_query(select(OutboxMessage.created_at), engine.dialect)
    with pytest.raises(ValueError, match="list parameter"):
        driver_sql.compile_query(
            select(InboundMessage.id).where(InboundMessage.message_key.in_(["a", "b"])),
            engine.dialect,
        )
