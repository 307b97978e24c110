"""SQLAlchemy models: contracts, requests, their services, inbound mail, outbox, audit,
mailbox state."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from onboardd.store.limits import clip_to_column_lengths
from onboardd.store.types import ImapNumber, UtcDateTime

# Stable constraint names so Alembic batch migrations on SQLite can refer to them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime(), dict[str, Any]: JSON}


clip_to_column_lengths(Base)


class Request(Base):
    """One service request and the facts gathered for it so far."""

    __tablename__ = "requests"
    __table_args__ = (UniqueConstraint("year", "seq", name="uq_requests_year_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    year: Mapped[int]
    seq: Mapped[int]
    # What the request asks: "access" to services; later kinds carry a contract's other
    # errands on the same record (reference, thread, tokens, audit).
    kind: Mapped[str] = mapped_column(String(16), server_default="access")
    state: Mapped[str] = mapped_column(String(24), index=True)
    mailbox: Mapped[str] = mapped_column(String(100))
    requester: Mapped[str] = mapped_column(String(320))
    requester_name: Mapped[str] = mapped_column(String(200), default="")
    organization: Mapped[str | None] = mapped_column(String(300))
    justification: Mapped[str | None] = mapped_column(Text)
    user_count: Mapped[int | None]
    user_count_invalid: Mapped[str | None] = mapped_column(String(200))
    unknown_services: Mapped[list[str]] = mapped_column(JSON, default=list)
    cor_status: Mapped[str] = mapped_column(String(16), default="missing")
    cor_address: Mapped[str | None] = mapped_column(String(320))
    cor_name: Mapped[str | None] = mapped_column(String(200))
    security_official: Mapped[str | None] = mapped_column(String(400))
    contract_number: Mapped[str | None] = mapped_column(String(100))
    # The contract the request was matched to (by its number, else its organization).
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id"), index=True)
    subject: Mapped[str] = mapped_column(String(500), default="")
    reminders_sent: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    closed_at: Mapped[datetime | None]

    services: Mapped[list[RequestService]] = relationship(
        back_populates="request", order_by="RequestService.id", cascade="all, delete-orphan"
    )


class Contract(Base):
    """A contract as its COR announced it: solicited, then awarded with a period of
    performance; requests for its organization's services attach to it."""

    __tablename__ = "contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The contract number once awarded; a solicitation may have none yet.
    number: Mapped[str | None] = mapped_column(String(60), unique=True)
    stage: Mapped[str] = mapped_column(String(16), index=True)  # solicitation, awarded
    organization: Mapped[str | None] = mapped_column(String(300))
    cor_address: Mapped[str] = mapped_column(String(320))
    cor_name: Mapped[str] = mapped_column(String(200), default="")
    contractor_address: Mapped[str | None] = mapped_column(String(320))
    contractor_name: Mapped[str] = mapped_column(String(200), default="")
    starts_on: Mapped[date | None]
    ends_on: Mapped[date | None]
    award_expected_on: Mapped[date | None]
    # When the contractor was asked to name its SO and SPOC (at the period's start),
    # and the two as named, each with the HARP user ID the page requires.
    contacts_requested_at: Mapped[datetime | None]
    contacts_reminded_at: Mapped[datetime | None]  # the one reminder, when overdue
    so_name: Mapped[str] = mapped_column(String(200), default="")
    so_address: Mapped[str | None] = mapped_column(String(320))
    so_harp_id: Mapped[str | None] = mapped_column(String(60))
    spoc_name: Mapped[str] = mapped_column(String(200), default="")
    spoc_address: Mapped[str | None] = mapped_column(String(320))
    spoc_harp_id: Mapped[str | None] = mapped_column(String(60))
    # When the post-onboarding survey and the offboarding notice went out (once each).
    survey_sent_at: Mapped[datetime | None]
    offboarding_notice_at: Mapped[datetime | None]
    offboarding_reminded_at: Mapped[datetime | None]  # the notice's one reminder
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class RequestService(Base):
    """One service of a request and its own decision."""

    __tablename__ = "request_services"
    __table_args__ = (UniqueConstraint("request_id", "service", name="uq_request_services_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"))
    service: Mapped[str] = mapped_column(String(200))
    decision: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by: Mapped[str | None] = mapped_column(String(320))
    decided_at: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
    reminders_sent: Mapped[int] = mapped_column(default=0)
    last_reminded_at: Mapped[datetime | None]

    request: Mapped[Request] = relationship(back_populates="services")


class ReferenceCounter(Base):
    """Last sequence number issued per year, so references stay unique and gap-free."""

    __tablename__ = "reference_counters"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(default=0)


class InboundMessage(Base):
    """Every mail ever seen, keyed by content, with what became of it."""

    __tablename__ = "inbound_messages"
    __table_args__ = (Index("ix_inbound_messages_status_received", "status", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_key: Mapped[str] = mapped_column(String(64), unique=True)
    message_id: Mapped[str | None] = mapped_column(String(998), index=True)
    mailbox: Mapped[str] = mapped_column(String(100))
    folder: Mapped[str] = mapped_column(String(200), default="")
    uidvalidity: Mapped[int | None] = mapped_column(ImapNumber)
    uid: Mapped[int | None] = mapped_column(ImapNumber)
    source_name: Mapped[str] = mapped_column(String(500), default="")
    received_at: Mapped[datetime]
    sender: Mapped[str | None] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(200), default="")
    error: Mapped[str | None] = mapped_column(Text)
    size: Mapped[int] = mapped_column(default=0)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("requests.id", ondelete="SET NULL"), index=True
    )
    raw: Mapped[bytes | None] = mapped_column(LargeBinary)
    raw_purged_at: Mapped[datetime | None]


class ThreadRef(Base):
    """A Message-ID we sent or received, and the request its thread belongs to."""

    __tablename__ = "thread_refs"

    message_id: Mapped[str] = mapped_column(String(998), primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("requests.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(3))


class OutboxMessage(Base):
    """A rendered outgoing mail, waiting to be sent or already sent."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index("ix_outbox_status_next", "status", "next_attempt_at"),
        Index("ix_outbox_to_created", "to_addr", "created_at"),
        # The hour's answers and the digest's "queued since", read without the raw mail.
        Index("ix_outbox_kind_created", "kind", "created_at"),
        # `outbox retry ID` names a row: an ID freed by purge must never name another.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(998), unique=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("requests.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    mail_from: Mapped[str] = mapped_column(String(320))
    to_addr: Mapped[str] = mapped_column(String(320))
    recipients: Mapped[list[str]] = mapped_column(JSON)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    server_reply: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class AuditEvent(Base):
    """Something that happened to a request or a message, for staff and the digest."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_kind_at", "kind", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("requests.id", ondelete="SET NULL"), index=True
    )
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str | None] = mapped_column(String(320))
    message_key: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class MailboxState(Base):
    """Per mailbox folder: UIDVALIDITY, first connection, and health for the digest."""

    __tablename__ = "mailbox_state"

    mailbox: Mapped[str] = mapped_column(String(100), primary_key=True)
    folder: Mapped[str] = mapped_column(String(200), primary_key=True)
    uidvalidity: Mapped[int | None] = mapped_column(ImapNumber)
    first_connected_at: Mapped[datetime]
    last_poll_at: Mapped[datetime | None]
    last_mail_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None]


class ReplyToken(Base):
    """A token we put in an outgoing mail; it names who may answer it, and about what.

    Only the SHA-256 of the token is stored: the database alone cannot forge a reply.
    """

    __tablename__ = "reply_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("requests.id", ondelete="CASCADE"), index=True
    )
    scope: Mapped[str] = mapped_column(String(16))  # "cor", "approval" or "removal"
    service: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(320))
    message_id: Mapped[str] = mapped_column(String(998), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    spent_at: Mapped[datetime | None]
    clarified_at: Mapped[datetime | None]


class ContactChange(Base):
    """One role a contact-change request changes: to whom ("assign"), or to nobody
    ("remove"), and who held it when the change was asked."""

    __tablename__ = "contact_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(
        ForeignKey("requests.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(24))  # security_official, spoc, cor
    action: Mapped[str] = mapped_column(String(16))  # assign, remove
    name: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str | None] = mapped_column(String(320))
    harp_id: Mapped[str | None] = mapped_column(String(60))
    old_name: Mapped[str] = mapped_column(String(200), default="")
    old_address: Mapped[str | None] = mapped_column(String(320))


def table_of(model: type[Base]) -> Table:
    """The model's Table, typed as one (the ORM declares `__table__` as a FromClause)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table
