"""outbox IDs never reused

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 05:20:00.000000

Staff name an outgoing mail by its ID (`outbox retry ID`). SQLite hands out the
largest ID plus one, so after purge removed the newest rows an ID could come back
naming a different mail; AUTOINCREMENT keeps a high-water mark instead. The table is
rebuilt for that (SQLite cannot add it in place), keeping every row and its ID.
PostgreSQL's sequence never goes back, so there is nothing to do there.
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "outbox", recreate="always", table_kwargs={"sqlite_autoincrement": True}
    ):
        pass


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    with op.batch_alter_table(
        "outbox", recreate="always", table_kwargs={"sqlite_autoincrement": False}
    ):
        pass
