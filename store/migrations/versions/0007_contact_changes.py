"""contact changes

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 10:40:00.000000

A contractor's change of its Security Official, SPOC or COR waits for the COR's
approval (and a new SPOC's HARP user ID) on a request of kind "contact-change"; each
role it changes is a row here, with who held the role when the change was asked.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contact_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=320), nullable=True),
        sa.Column("harp_id", sa.String(length=60), nullable=True),
        sa.Column("old_name", sa.String(length=200), nullable=False),
        sa.Column("old_address", sa.String(length=320), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_contact_changes_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_changes")),
    )
    with op.batch_alter_table("contact_changes") as batch:
        batch.create_index(batch.f("ix_contact_changes_request_id"), ["request_id"],
                           unique=False)


def downgrade() -> None:
    with op.batch_alter_table("contact_changes") as batch:
        batch.drop_index(batch.f("ix_contact_changes_request_id"))
    op.drop_table("contact_changes")
