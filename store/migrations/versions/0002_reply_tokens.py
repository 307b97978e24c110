"""reply tokens

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22 22:41:03.284607
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import onboardd.store.types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reply_tokens",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("service", sa.String(length=200), nullable=True),
        sa.Column("address", sa.String(length=320), nullable=False),
        sa.Column("message_id", sa.String(length=998), nullable=False),
        sa.Column("created_at", onboardd.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", onboardd.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("spent_at", onboardd.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("clarified_at", onboardd.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_reply_tokens_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_reply_tokens")),
    )
    with op.batch_alter_table("reply_tokens", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reply_tokens_message_id"), ["message_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_reply_tokens_request_id"), ["request_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("reply_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reply_tokens_request_id"))
        batch_op.drop_index(batch_op.f("ix_reply_tokens_message_id"))

    op.drop_table("reply_tokens")
