"""Alembic environment: runs on the connection the caller hands over, or on a URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from onboardd.store.models import Base

config = context.config
target = Base.metadata


def _run(connection: object) -> None:
    is_sqlite = connection.dialect.name == "sqlite"  # type: ignore[attr-defined]
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=target,
        render_as_batch=is_sqlite,
        transactional_ddl=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    url = config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("set sqlalchemy.url, or run `onboardd db upgrade`")
    with create_engine(url).begin() as own_connection:
        _run(own_connection)
