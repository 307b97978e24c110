"""offboarding reminder

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 10:00:00.000000

When the offboarding notice's one reminder went to a contract's COR and Security
Official (some weeks before the end, while no offboarding is under way).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from onboardd.store.types import UtcDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("contracts") as batch:
        batch.add_column(sa.Column("offboarding_reminded_at", UtcDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("contracts") as batch:
        batch.drop_column("offboarding_reminded_at")
