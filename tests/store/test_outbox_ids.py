"""Migration 0004: an existing SQLite outbox gets its high-water mark, rows and IDs kept."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.script import ScriptDirectory
from sqlalchemy import delete, insert, select

from onboardd.store.engine import MIGRATIONS, make_engine, upgrade
from onboardd.store.models import OutboxMessage, table_of

NOW = datetime(2026, 12, 1, tzinfo=UTC)


def row(number: int) -> dict[str, object]:
    return {"message_id": f"<{number}@x>", "kind": "help", "mail_from": "a@x", "to_addr": "b@x",
            "recipients": ["b@x"], "raw": b"", "status": "sent", "attempts": 1,
            "next_attempt_at": NOW, "created_at": NOW}


def test_upgrading_an_outbox_keeps_its_rows_and_never_reuses_a_freed_id(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/onboardd.db")
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    outbox = table_of(OutboxMessage)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
        connection.execute(insert(outbox), [row(n) for n in range(1, 4)])
    head = ScriptDirectory.from_config(config).get_current_head()
    assert upgrade(engine) == ("0003", head)  # 0004 and the later ones
    with engine.begin() as connection:
        assert list(connection.scalars(select(outbox.c.id))) == [1, 2, 3]
        connection.execute(delete(outbox).where(outbox.c.id == 3))
        connection.execute(insert(outbox), [row(4)])
        assert list(connection.scalars(select(outbox.c.id))) == [1, 2, 4]
    engine.dispose()
