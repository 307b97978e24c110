"""IMAP numbers as bigint on PostgreSQL

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 10:05:00.000000

UIDVALIDITY and UID are unsigned 32-bit; PostgreSQL's integer stops at 2**31 - 1.
SQLite's INTEGER holds 64 bits already, so there is nothing to do there.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

COLUMNS = (
    ("inbound_messages", "uidvalidity"),
    ("inbound_messages", "uid"),
    ("mailbox_state", "uidvalidity"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, column in COLUMNS:
        op.alter_column(
            table, column, type_=sa.BigInteger(), existing_type=sa.Integer(), existing_nullable=True
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        return
    for table, column in COLUMNS:
        op.alter_column(
            table, column, type_=sa.Integer(), existing_type=sa.BigInteger(), existing_nullable=True
        )
