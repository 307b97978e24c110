"""The migrations build exactly the schema the models describe, and run twice harmlessly."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config as AlembicConfig
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from onboardd.store.engine import MIGRATIONS, make_engine, upgrade
from onboardd.store.models import Base


def differences(engine: Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_migrations_match_models_and_are_idempotent(store_url: str) -> None:
    engine = make_engine(store_url)
    upgrade(engine)
    upgrade(engine)
    assert differences(engine) == []
    engine.dispose()


def test_every_migration_goes_down_and_up_again(store_url: str) -> None:
    engine = make_engine(store_url)
    upgrade(engine)
    config = AlembicConfig()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    with engine.connect() as connection:
        tables = set(engine.dialect.get_table_names(connection))
    assert tables <= {"alembic_version"}
    upgrade(engine)
    assert differences(engine) == []
    engine.dispose()


def test_sqlite_file_is_private_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    (tmp_path / "db").mkdir()  # the store never makes its folder
    engine = make_engine(f"sqlite:///{tmp_path}/db/onboardd.db")
    upgrade(engine)
    assert (tmp_path / "db" / "onboardd.db").stat().st_mode & 0o777 == 0o600
    with engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
