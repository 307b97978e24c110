"""contracts

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-04 06:30:00.000000

A contract as its COR announces it (solicitation, then award with a period of
performance), its Security Official and Security Point of Contact as the contractor
names them, and each request's link to the contract it was matched to.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from onboardd.store.types import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "contracts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=True),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("organization", sa.String(length=300), nullable=True),
        sa.Column("cor_address", sa.String(length=320), nullable=False),
        sa.Column("cor_name", sa.String(length=200), nullable=False),
        sa.Column("contractor_address", sa.String(length=320), nullable=True),
        sa.Column("contractor_name", sa.String(length=200), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("award_expected_on", sa.Date(), nullable=True),
        sa.Column("contacts_requested_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("contacts_reminded_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("so_name", sa.String(length=200), nullable=False),
        sa.Column("so_address", sa.String(length=320), nullable=True),
        sa.Column("so_harp_id", sa.String(length=60), nullable=True),
        sa.Column("spoc_name", sa.String(length=200), nullable=False),
        sa.Column("spoc_address", sa.String(length=320), nullable=True),
        sa.Column("spoc_harp_id", sa.String(length=60), nullable=True),
        sa.Column("survey_sent_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("offboarding_notice_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contracts")),
        sa.UniqueConstraint("number", name=op.f("uq_contracts_number")),
    )
    op.create_index(op.f("ix_contracts_stage"), "contracts", ["stage"], unique=False)
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("contract_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_requests_contract_id"), ["contract_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_requests_contract_id_contracts"), "contracts", ["contract_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.drop_constraint(batch.f("fk_requests_contract_id_contracts"), type_="foreignkey")
        batch.drop_index(batch.f("ix_requests_contract_id"))
        batch.drop_column("contract_id")
    op.drop_index(op.f("ix_contracts_stage"), table_name="contracts")
    op.drop_table("contracts")
