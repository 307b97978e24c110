"""request kinds

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04 08:50:00.000000

A request is no longer only a contractor asking for access: the same record, with its
reference, thread, tokens and audit, carries the other errands of a contract's life
(an offboarding, a change of contacts). Every request filed before this is an access
request.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=16), nullable=False, server_default="access")
        )


def downgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("kind")
