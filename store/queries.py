"""Queries the ingest path and the CLI need, each one small and named for its question."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    Table,
    bindparam,
    cast,
    func,
    insert,
    select,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import Insert as PostgreSQLInsert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import Insert as SQLiteInsert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, defer, selectinload

from onboardd.parsers.model import REFERENCE_TAG
from onboardd.store.limits import clipped
from onboardd.store.models import (
    AuditEvent,
    Base,
    InboundMessage,
    MailboxState,
    OutboxMessage,
    ReferenceCounter,
    ReplyToken,
    Request,
    ThreadRef,
    table_of,
)

# The statements every mail runs, built once: constructing a statement and computing its
# cache key on each call cost about as much as running it. On the tables, not the
# mapped classes, where only columns are read: no ORM compile step for a plain row.
_inbound_table = table_of(InboundMessage)
_inbound = _inbound_table.c
_outbox = table_of(OutboxMessage).c
_counter = table_of(ReferenceCounter).c
_INBOUND_STATUS = select(_inbound.id, _inbound.status).where(
    _inbound.message_key == bindparam("key")
)
# What every mail asks first, in one query: the row with its key if there is one, else
# any row with its Message-ID; and its sender's replies of the last hour and help
# replies of the last day (a NULL Message-ID or sender matches nothing).
_SEEN = (
    select(_inbound.id, _inbound.status, _inbound.message_key)
    .where(
        (_inbound.message_key == bindparam("key"))
        | (_inbound.message_id == bindparam("message_id"))
    )
    .order_by((_inbound.message_key == bindparam("key")).desc())
    .limit(1)
    .subquery()
)
_SENDER_HISTORY = (
    select(
        func.count().filter(_outbox.created_at >= bindparam("hour")).label("replies"),
        func.count().filter(_outbox.kind == "help").label("helps"),
    )
    .where(_outbox.to_addr == bindparam("address"), _outbox.created_at >= bindparam("day"))
    .subquery()
)
_FIRST_LOOK = select(
    _SEEN.c.id, _SEEN.c.status, _SEEN.c.message_key,
    _SENDER_HISTORY.c.replies, _SENDER_HISTORY.c.helps,
).select_from(_SENDER_HISTORY.outerjoin(_SEEN, true()))
_LOCKED_LAST_SEQ = (
    select(_counter.last_seq).where(_counter.year == bindparam("for_year")).with_for_update()
)
_TAKE_SEQ = (
    update(table_of(ReferenceCounter))
    .where(_counter.year == bindparam("for_year"))
    .values(last_seq=_counter.last_seq + 1)
    .returning(_counter.last_seq)
)
_REQUEST_RECIPIENTS = select(_outbox.recipients).where(_outbox.request_id == bindparam("id"))
_REQUEST_SENDERS = select(_inbound.sender).where(_inbound.request_id == bindparam("id"))


def _core(session: Session) -> Connection:
    """The session's connection, for the statements here that load no objects: the
    Session's own execute adds ORM bookkeeping that costs a third of such a statement."""
    return session.connection()


def inbound_by_key(session: Session, key: str) -> InboundMessage | None:
    return session.scalar(select(InboundMessage).where(InboundMessage.message_key == key))


def inbound_with_message_id(session: Session, message_id: str) -> InboundMessage | None:
    return session.scalar(
        select(InboundMessage).where(InboundMessage.message_id == message_id).limit(1)
    )


def inbound_status(session: Session, key: str) -> tuple[int, str] | None:
    """Id and status of the message with this key, without loading its raw bytes."""
    row = _core(session).execute(_INBOUND_STATUS, {"key": key}).first()
    return (row[0], row[1]) if row else None


@dataclass(frozen=True)
class FirstLook:
    """What ingest asks of every mail before deciding on it."""

    status: tuple[int, str] | None  # id and status of the message with this key
    reused: bool  # another message already came with this Message-ID
    replies_last_hour: int  # to its sender
    help_sent_last_day: bool  # to its sender


def first_look(session: Session, key: str, message_id: str | None, sender: str | None,
               now: datetime) -> FirstLook:
    """The mail's status by key, Message-ID reuse and its sender's reply history, in one
    query: every mail asks all of them."""
    if message_id is not None:
        # Compared as stored: an over-long Message-ID was cut to its column when written.
        message_id = clipped(_inbound_table, {"message_id": message_id})["message_id"]
    row_id, status, row_key, replies, helps = _core(session).execute(_FIRST_LOOK, {
        "key": key, "message_id": message_id, "address": sender,
        "hour": now - timedelta(hours=1), "day": now - timedelta(days=1),
    }).one()
    seen = row_id is not None and row_key == key
    return FirstLook(
        status=(row_id, status) if seen else None,
        reused=row_id is not None and not seen,
        replies_last_hour=int(replies or 0),
        help_sent_last_day=bool(helps),
    )


def link_threads(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Record (or re-point) the request each Message-ID belongs to, in one statement for
    all of them; each row names message_id, request_id and direction."""
    if rows:
        _core(session).execute(
            _link_thread_statement(session.get_bind().dialect.name),
            [clipped(table_of(ThreadRef), dict(row)) for row in rows],
        )


@cache
def _link_thread_statement(dialect: str) -> Any:
    # On the Table, not the mapped class: the ORM's bulk-insert path costs more than the
    # statement itself, and there is no object to keep in step.
    statement = _dialect_insert(dialect, table_of(ThreadRef))
    return statement.on_conflict_do_update(
        index_elements=["message_id"],
        set_={
            "request_id": statement.excluded.request_id,
            "direction": statement.excluded.direction,
        },
    )


def insert_rows(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """New rows of `model` written at once, without ORM objects (design §8's per-mail
    transaction writes a handful of rows nobody reads back in it; building, tracking and
    flushing objects for them cost more than the statements). Every row must name the
    same columns; column defaults fill the rest, strings are cut as a flush cuts them."""
    if not rows:
        return
    table = table_of(model)
    assert isinstance(table, Table)
    _core(session).execute(insert(table), [clipped(table, dict(row)) for row in rows])


def _insert(session: Session, table: Table) -> SQLiteInsert | PostgreSQLInsert:
    """INSERT in the session's dialect, for its ON CONFLICT clauses."""
    return _dialect_insert(session.get_bind().dialect.name, table)


def _dialect_insert(dialect: str, table: Any) -> SQLiteInsert | PostgreSQLInsert:
    return pg_insert(table) if dialect == "postgresql" else sqlite_insert(table)


def request_by_reference(session: Session, reference: str) -> Request | None:
    return session.scalar(
        select(Request)
        .where(Request.reference == reference.upper())
        .options(selectinload(Request.services))
    )


def lock_request(session: Session, request_id: int) -> Request | None:
    """The request as committed now, locked until this transaction ends.

    Whoever decides on a request (ingest, a manual decision, reminders) locks it first,
    so two decisions never both start from the state before the other. SQLite ignores
    FOR UPDATE, and needs nothing: BEGIN IMMEDIATE lets one writer in at a time.
    """
    return session.scalar(
        select(Request)
        .where(Request.id == request_id)
        .with_for_update()
        .options(selectinload(Request.services))
        .execution_options(populate_existing=True)
    )


def request_by_thread(session: Session, message_ids: Sequence[str]) -> Request | None:
    """The request of the nearest Message-ID in the thread that we know."""
    if not message_ids:
        return None
    rows = session.execute(
        select(ThreadRef.message_id, ThreadRef.request_id).where(
            ThreadRef.message_id.in_(list(message_ids))
        )
    ).all()
    known = {message_id: request_id for message_id, request_id in rows}
    for message_id in message_ids:
        if message_id in known:
            return session.get(Request, known[message_id], options=[selectinload(Request.services)])
    return None


def request_by_subject(session: Session, subject: str) -> Request | None:
    match = REFERENCE_TAG.search(subject or "")
    return request_by_reference(session, match.group(1)) if match else None


def next_reference(session: Session, year: int, *, take: bool) -> str:
    """The next reference of `year`; with take=True it is issued (gap-free per year).

    The year's counter row stays locked until the transaction ends, so the number shown
    in a reply rendered before the request row exists is the number it gets.
    """
    if take:
        seq = _scalar(session, _TAKE_SEQ, {"for_year": year})  # locks the row as it counts
        if seq is None:
            _create_counter(session, year)
            seq = _scalar(session, _TAKE_SEQ, {"for_year": year})
        assert seq is not None
        return format_reference(year, seq)
    last = _scalar(session, _LOCKED_LAST_SEQ, {"for_year": year})
    if last is None:
        _create_counter(session, year)
        last = _scalar(session, _LOCKED_LAST_SEQ, {"for_year": year})
        assert last is not None
    return format_reference(year, last + 1)


def _create_counter(session: Session, year: int) -> None:
    # The year's first request: two transactions may get here at once. The insert that
    # loses waits for the winner and does nothing; both then lock the one row. (A plain
    # INSERT would fail the loser with an IntegrityError, which ingest reads as "this
    # mail was processed concurrently", and the mail would be lost.)
    session.execute(
        _insert(session, table_of(ReferenceCounter))
        .values(year=year, last_seq=0)
        .on_conflict_do_nothing()
    )


def _scalar(session: Session, statement: Any, values: dict[str, Any]) -> Any:
    return _core(session).execute(statement, values).scalar()


def format_reference(year: int, seq: int) -> str:
    return f"ONB-{year}-{seq:04d}"


def created_since(session: Session, since: datetime, kinds: Sequence[str]) -> list[datetime]:
    """When each outgoing mail of these kinds was queued, from `since` on."""
    query = select(OutboxMessage.created_at).where(
        OutboxMessage.created_at > since, OutboxMessage.kind.in_(kinds))
    return list(session.scalars(query))


def correspondents(session: Session, request_id: int) -> set[str]:
    """Addresses the request's own mail went to, and those that wrote into it."""
    people: set[str] = set()
    for recipients in session.scalars(_REQUEST_RECIPIENTS, {"id": request_id}):
        people.update(recipients)
    people.update(s for s in session.scalars(_REQUEST_SENDERS, {"id": request_id}) if s)
    return people


def requests(session: Session, state: str | None = None) -> Sequence[Request]:
    query = select(Request).options(selectinload(Request.services)).order_by(Request.id)
    if state:
        query = query.where(Request.state == state)
    return session.scalars(query).all()


def one_hour_before(now: datetime) -> datetime:
    return now - timedelta(hours=1)


def tokens_for(
    session: Session, hashes: Sequence[str], message_ids: Sequence[str]
) -> Sequence[ReplyToken]:
    """Tokens named by hash (from a plus-address) or by the Message-ID they went out in."""
    if not hashes and not message_ids:
        return []
    return session.scalars(
        select(ReplyToken)
        .where(
            ReplyToken.token_hash.in_(list(hashes)) | ReplyToken.message_id.in_(list(message_ids))
        )
        .execution_options(populate_existing=True)  # spent_at as committed now
    ).all()


def outbox_messages(
    session: Session,
    *,
    to: str | None = None,
    reference: str | None = None,
    status: str | None = None,
) -> Sequence[tuple[OutboxMessage, str | None]]:
    """Outgoing mail, oldest first, each with its request's reference; `to` matches any
    recipient (To or Cc), ignoring case."""
    query = (
        select(OutboxMessage, Request.reference)
        .options(defer(OutboxMessage.raw))
        .outerjoin(Request, Request.id == OutboxMessage.request_id)
        .order_by(OutboxMessage.id)
    )
    if status:
        query = query.where(OutboxMessage.status == status)
    if reference:
        query = query.where(func.upper(Request.reference) == reference.upper())
    if to:
        wanted = to.strip().lower()
        # Recipients are a JSON list of addresses; its text holds each one in quotes.
        listed = func.lower(cast(OutboxMessage.recipients, String)).contains(
            f'"{wanted}"', autoescape=True
        )
        query = query.where((func.lower(OutboxMessage.to_addr) == wanted) | listed)
    return [(message, ref) for message, ref in session.execute(query)]


def quarantined(session: Session, key_prefix: str | None = None) -> Sequence[InboundMessage]:
    """Quarantined inbound mail, oldest first; with a prefix, those whose key starts so."""
    query = select(InboundMessage).where(InboundMessage.status == "quarantined")
    if key_prefix is not None:
        query = query.where(InboundMessage.message_key.startswith(key_prefix.lower()))
    return session.scalars(query.order_by(InboundMessage.id)).all()


def audit_events_of_request(session: Session, request_id: int) -> Sequence[AuditEvent]:
    """The request's history, in the order it happened."""
    return session.scalars(
        select(AuditEvent).where(AuditEvent.request_id == request_id).order_by(AuditEvent.id)
    ).all()


def outbox_messages_of_request(session: Session, request_id: int) -> Sequence[OutboxMessage]:
    """The mail queued about the request, in the order it was queued."""
    return session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.request_id == request_id)
        .order_by(OutboxMessage.id)
    ).all()


def inbound_by_id(session: Session, inbound_id: int) -> InboundMessage:
    return session.get_one(InboundMessage, inbound_id)


def quarantine_inbound(
    session: Session,
    key: str,
    inbound: int | dict[str, Any],
    *,
    reason: str,
    error: str,
    now: datetime,
) -> None:
    """Set the mail aside with its reason and an audit event: the row with id `inbound`,
    or a new row of these column values."""
    if isinstance(inbound, int):
        row = session.get_one(InboundMessage, inbound)
    else:
        row = InboundMessage(**inbound)
        session.add(row)
    row.status = "quarantined"
    row.reason = reason
    row.error = error
    session.add(
        AuditEvent(at=now, kind="quarantined", message_key=key, detail={"reason": reason})
    )


def request_by_id(session: Session, request_id: int) -> Request | None:
    return session.get(Request, request_id)


def reply_token(session: Session, token_hash: str) -> ReplyToken | None:
    return session.get(ReplyToken, token_hash)


def outbox_message(session: Session, message_id: int) -> OutboxMessage | None:
    return session.get(OutboxMessage, message_id)


def mailbox_state(session: Session, mailbox: str, folder: str) -> MailboxState | None:
    return session.get(MailboxState, (mailbox, folder))


def new_mailbox_state(session: Session, mailbox: str, folder: str, now: datetime) -> MailboxState:
    """The folder's row, first connected `now`; written with the transaction."""
    state = MailboxState(mailbox=mailbox, folder=folder, first_connected_at=now)
    session.add(state)
    return state
