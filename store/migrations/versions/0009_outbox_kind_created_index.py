"""outbox index on kind and creation time

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 12:00:00.000000

The answers of the last hour (the global reply budget) and the digest's "queued since"
are read by kind and creation time. Without an index SQLite scans every outbox row, and
a row's creation time lies past its raw mail, so the scan reads each stored reply's
overflow pages: hundreds of megabytes on a busy database, once a minute and at start.
The index answers both from its own pages.
"""

from __future__ import annotations

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_outbox_kind_created", "outbox", ["kind", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_outbox_kind_created", table_name="outbox")
