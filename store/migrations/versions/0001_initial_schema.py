"""initial schema

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-22 22:32:05.754447
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import onboardd.store.types

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mailbox_state",
        sa.Column("mailbox", sa.String(length=100), nullable=False),
        sa.Column("folder", sa.String(length=200), nullable=False),
        sa.Column("uidvalidity", sa.Integer(), nullable=True),
        sa.Column(
            "first_connected_at", onboardd.store.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column("last_poll_at", onboardd.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_mail_at", onboardd.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", onboardd.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("mailbox", "folder", name=op.f("pk_mailbox_state")),
    )
    op.create_table(
        "reference_counters",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_reference_counters")),
    )
    op.create_table(
        "requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=24), nullable=False),
        sa.Column("mailbox", sa.String(length=100), nullable=False),
        sa.Column("requester", sa.String(length=320), nullable=False),
        sa.Column("requester_name", sa.String(length=200), nullable=False),
        sa.Column("organization", sa.String(length=300), nullable=True),
        sa.Column("justification", sa.Text(), nullable=True),
        sa.Column("user_count", sa.Integer(), nullable=True),
        sa.Column("user_count_invalid", sa.String(length=200), nullable=True),
        sa.Column("unknown_services", sa.JSON(), nullable=False),
        sa.Column("cor_status", sa.String(length=16), nullable=False),
        sa.Column("cor_address", sa.String(length=320), nullable=True),
        sa.Column("cor_name", sa.String(length=200), nullable=True),
        sa.Column("security_official", sa.String(length=400), nullable=True),
        sa.Column("contract_number", sa.String(length=100), nullable=True),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column("created_at", onboardd.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", onboardd.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("closed_at", onboardd.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requests")),
        sa.UniqueConstraint("reference", name=op.f("uq_requests_reference")),
        sa.UniqueConstraint("year", "seq", name="uq_requests_year_seq"),
    )
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_requests_state"), ["state"], unique=False)

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("at", onboardd.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=True),
        sa.Column("message_key", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_audit_events_request_id_requests"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index("ix_audit_events_kind_at", ["kind", "at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_events_request_id"), ["request_id"], unique=False
        )

    op.create_table(
        "inbound_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_key", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=998), nullable=True),
        sa.Column("mailbox", sa.String(length=100), nullable=False),
        sa.Column("folder", sa.String(length=200), nullable=False),
        sa.Column("uidvalidity", sa.Integer(), nullable=True),
        sa.Column("uid", sa.Integer(), nullable=True),
        sa.Column("source_name", sa.String(length=500), nullable=False),
        sa.Column("received_at", onboardd.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("sender", sa.String(length=320), nullable=True),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("raw", sa.LargeBinary(), nullable=True),
        sa.Column("raw_purged_at", onboardd.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_inbound_messages_request_id_requests"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inbound_messages")),
        sa.UniqueConstraint("message_key", name=op.f("uq_inbound_messages_message_key")),
    )
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_inbound_messages_message_id"), ["message_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_inbound_messages_request_id"), ["request_id"], unique=False
        )
        batch_op.create_index(
            "ix_inbound_messages_status_received", ["status", "received_at"], unique=False
        )

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=998), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("mail_from", sa.String(length=320), nullable=False),
        sa.Column("to_addr", sa.String(length=320), nullable=False),
        sa.Column("recipients", sa.JSON(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column(
            "next_attempt_at", onboardd.store.types.UtcDateTime(timezone=True), nullable=False
        ),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("server_reply", sa.Text(), nullable=True),
        sa.Column("created_at", onboardd.store.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("sent_at", onboardd.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_outbox_request_id_requests"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_message_id")),
    )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_request_id"), ["request_id"], unique=False)
        batch_op.create_index("ix_outbox_status_next", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_outbox_to_created", ["to_addr", "created_at"], unique=False)

    op.create_table(
        "request_services",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("service", sa.String(length=200), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=320), nullable=True),
        sa.Column("decided_at", onboardd.store.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("reminders_sent", sa.Integer(), nullable=False),
        sa.Column(
            "last_reminded_at", onboardd.store.types.UtcDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_request_services_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_services")),
        sa.UniqueConstraint("request_id", "service", name="uq_request_services_pair"),
    )
    op.create_table(
        "thread_refs",
        sa.Column("message_id", sa.String(length=998), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_thread_refs_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_thread_refs")),
    )


def downgrade() -> None:
    op.drop_table("thread_refs")
    op.drop_table("request_services")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_to_created")
        batch_op.drop_index("ix_outbox_status_next")
        batch_op.drop_index(batch_op.f("ix_outbox_request_id"))

    op.drop_table("outbox")
    with op.batch_alter_table("inbound_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_inbound_messages_status_received")
        batch_op.drop_index(batch_op.f("ix_inbound_messages_request_id"))
        batch_op.drop_index(batch_op.f("ix_inbound_messages_message_id"))

    op.drop_table("inbound_messages")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_events_request_id"))
        batch_op.drop_index("ix_audit_events_kind_at")

    op.drop_table("audit_events")
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_requests_state"))

    op.drop_table("requests")
    op.drop_table("reference_counters")
    op.drop_table("mailbox_state")
