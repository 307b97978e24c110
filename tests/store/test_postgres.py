"""What PostgreSQL does differently from SQLite, pinned down: column types, time zones,
text it refuses, wide IMAP numbers, concurrent migrations and connection errors."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import JSON, Engine, LargeBinary, select
from sqlalchemy.orm import Session

from onboardd.store import queries
from onboardd.store.engine import StoreError, make_engine, upgrade
from onboardd.store.models import AuditEvent, Base, InboundMessage, MailboxState
from onboardd.store.postgres import NUL_STANDIN
from onboardd.store.types import UtcDateTime
from tests.conftest import postgresql_only
from tests.store.test_migrations import differences

MOMENT = datetime(2026, 3, 8, 6, 30, tzinfo=timezone(timedelta(hours=5, minutes=30)))


def column_types(engine: Engine) -> dict[tuple[str, str], str]:
    with engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT table_name, column_name, data_type FROM information_schema.columns"
            " WHERE table_schema = 'public'"
        )
        return {(table, column): kind for table, column, kind in rows}


@postgresql_only
def test_column_types_are_the_postgresql_ones_meant(engine: Engine) -> None:
    actual = column_types(engine)
    checked = 0
    for table in Base.metadata.sorted_tables:
        for column in table.columns:
            kind = actual[(table.name, column.name)]
            if isinstance(column.type, UtcDateTime):
                assert kind == "timestamp with time zone", column
            elif isinstance(column.type, JSON):
                # json, not jsonb: the text is kept as written (jsonb refuses \u0000, which
                # mail-derived text can hold) and we never query inside these documents.
                assert kind == "json", column
            elif isinstance(column.type, LargeBinary):
                assert kind == "bytea", column
            else:
                continue
            checked += 1
    assert checked > 20
    for name in [("inbound_messages", "uidvalidity"), ("inbound_messages", "uid")]:
        assert actual[name] == "bigint"
    assert actual[("mailbox_state", "uidvalidity")] == "bigint"


@postgresql_only
def test_times_come_back_as_the_same_instant_in_utc_whatever_the_session_zone(
    store_url: str,
) -> None:
    # A server or role configured for local time must not shift what we stored.
    tokyo = make_engine(store_url + "?options=-c%20timezone%3DAsia%2FTokyo")
    upgrade(tokyo)
    with Session(tokyo) as session, session.begin():
        session.add(MailboxState(mailbox="m", folder="INBOX", first_connected_at=MOMENT))
    with Session(tokyo) as session:
        assert session.execute(select(MailboxState.first_connected_at)).scalar() == MOMENT
        stored = session.get(MailboxState, ("m", "INBOX"))
        assert stored is not None and stored.first_connected_at.tzinfo is UTC
        assert stored.first_connected_at == datetime(2026, 3, 8, 1, 0, tzinfo=UTC)
        wall = session.connection().exec_driver_sql(
            "SELECT first_connected_at AT TIME ZONE 'UTC' FROM mailbox_state"
        )
        assert wall.scalar() == datetime(2026, 3, 8, 1, 0)
    tokyo.dispose()


def test_nul_characters_never_make_a_row_unstorable(engine: Engine) -> None:
    """PostgreSQL text cannot hold U+0000; SQLite keeps it. Either way the row is stored."""
    on_postgresql = engine.dialect.name == "postgresql"
    with Session(engine) as session, session.begin():
        session.add(inbound("k1", message_id="<a\x00b@example.com>", subject="pay\x00load"))
        session.add(AuditEvent(at=MOMENT, kind="k", detail={"services": ["Ji\x00ra"]}))
    with Session(engine) as session:
        row = queries.inbound_by_key(session, "k1")
        assert row is not None
        assert row.subject == ("pay" + NUL_STANDIN + "load" if on_postgresql else "pay\x00load")
        # The lookup goes through the same substitution, so the stored id is found again.
        assert queries.inbound_with_message_id(session, "<a\x00b@example.com>") is row
        # JSON keeps the escape \u0000 as text, so the value comes back exactly.
        assert session.scalar(select(AuditEvent.detail)) == {"services": ["Ji\x00ra"]}


def test_imap_numbers_up_to_two_to_the_32(engine: Engine) -> None:
    with Session(engine) as session, session.begin():
        session.add(inbound("k2", uidvalidity=4_294_967_295, uid=4_294_967_294))
    with Session(engine) as session:
        row = queries.inbound_by_key(session, "k2")
        assert row is not None and (row.uidvalidity, row.uid) == (4_294_967_295, 4_294_967_294)


@postgresql_only
def test_instances_starting_together_migrate_once(store_url: str) -> None:
    # Separate processes, as separate hosts would be: Alembic's context is process-global.
    starters = [
        subprocess.Popen(
            [sys.executable, "-c", START_UP, store_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(4)
    ]
    outputs = [starter.communicate(timeout=60)[0] for starter in starters]
    assert [starter.returncode for starter in starters] == [0] * 4, outputs
    engine = make_engine(store_url)
    assert differences(engine) == []
    engine.dispose()


START_UP = """
import sys, time
from onboardd.store.engine import make_engine, upgrade
engine = make_engine(sys.argv[1])
time.sleep(max(0.0, 1.0 - time.time() % 1.0))  # all four begin on the same second
upgrade(engine)
"""


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://onboardd@127.0.0.1:1/onboardd",
        "postgresql://onboardd:secret@127.0.0.1:1/onboardd",
    ],
)
def test_an_unreachable_server_is_one_line_naming_the_host(url: str) -> None:
    with pytest.raises(StoreError) as caught:
        upgrade(make_engine(url))
    message = str(caught.value)
    assert "\n" not in message
    assert "127.0.0.1" in message and "Connection refused" in message
    assert "secret" not in message


def inbound(key: str, **values: object) -> InboundMessage:
    fields: dict[str, object] = {
        "message_key": key,
        "mailbox": "onboarding",
        "received_at": MOMENT,
        "status": "processed",
        **values,
    }
    return InboundMessage(**fields)


def test_rows_written_without_objects_are_cut_and_cleaned_as_flushed_ones(engine: Engine) -> None:
    """queries.insert_rows (the ingest path's Core INSERTs) stores what a flush stores:
    strings cut to their column and, on PostgreSQL, NUL replaced."""
    long_kind, long_actor = "k" * 100, "a" * 1000 + "@example.com"
    with Session(engine) as session, session.begin():
        queries.insert_rows(
            session,
            AuditEvent,
            [
                {"at": MOMENT, "kind": long_kind, "actor": long_actor, "detail": {}},
                {"at": MOMENT, "kind": "nul", "actor": "x\x00y", "detail": {"a": "b\x00"}},
            ],
        )
    with Session(engine) as session:
        rows = session.execute(select(AuditEvent.kind, AuditEvent.actor, AuditEvent.detail)).all()
    nul = NUL_STANDIN if engine.dialect.name == "postgresql" else "\x00"
    assert sorted(rows) == sorted(
        [("k" * 40, "a" * 320, {}), ("nul", f"x{nul}y", {"a": "b\x00"})]
    )
