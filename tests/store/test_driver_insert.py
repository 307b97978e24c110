"""The per-mail INSERTs run as driver SQL store exactly what Core's insert() stores."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, Table, insert, select
from sqlalchemy.orm import Session

from onboardd.store import driver_sql
from onboardd.store.models import (
    AuditEvent,
    Base,
    InboundMessage,
    OutboxMessage,
    ReplyToken,
    Request,
    RequestService,
)

# Not UTC, so the UTC column type has to convert it on the way in.
MOMENT = datetime(2026, 3, 8, 6, 30, 15, 123456, tzinfo=timezone(timedelta(hours=5)))


def request_row(reference: str) -> dict[str, Any]:
    # The defaulted columns (requester_name, unknown_services, cor_status, subject,
    # reminders_sent) left out, as the ingest leaves them out.
    return {"reference": reference, "year": 2026, "seq": int(reference[-4:]),
            "state": "incomplete", "mailbox": "onboarding", "requester": "j@example.com",
            "organization": None, "justification": "Ünïcode\nlines", "user_count": 12,
            "created_at": MOMENT, "updated_at": MOMENT}


def rows_of(model: type[Base], request_id: int, tag: str = "a") -> list[dict[str, Any]]:
    if model is AuditEvent:
        return [{"request_id": request_id, "at": MOMENT, "kind": tag, "actor": None,
                 "message_key": None, "detail": {"n": [1, None, "x"]}},
                {"request_id": None, "at": MOMENT, "kind": tag, "actor": "a@b.c",
                 "message_key": "k" * 64, "detail": {}}]
    if model is RequestService:
        return [{"request_id": request_id, "service": f"Jira {tag}"},
                {"request_id": request_id, "service": f"Slack {tag}"}]
    if model is OutboxMessage:
        return [{"message_id": f"{tag}@onboard.example.gov", "request_id": request_id,
                 "kind": "acknowledgment", "mail_from": "o@x", "to_addr": "t@x",
                 "recipients": ["t@x", "ü@x"], "raw": b"\x00\xffraw\r\n", "status": "pending",
                 "attempts": 0, "next_attempt_at": MOMENT, "created_at": MOMENT}]
    if model is ReplyToken:
        return [{"token_hash": tag * 8, "request_id": request_id, "scope": "approval",
                 "service": None, "address": "lead@x", "message_id": f"t{tag}@x",
                 "created_at": MOMENT, "expires_at": MOMENT + timedelta(days=7),
                 "clarified_at": None}]
    assert model is InboundMessage
    return [{"message_key": tag * 8, "message_id": None, "mailbox": "onboarding",
             "folder": "INBOX", "uidvalidity": 4_000_000_000, "uid": 7, "source_name": "s",
             "received_at": MOMENT, "sender": "s@x", "subject": "Betreff: Grüße",
             "status": "processed", "reason": "", "size": 3, "raw": b"a\r\nb",
             "request_id": request_id}]


def stored(session: Session, model: type[Base]) -> list[dict[str, Any]]:
    table = model.__table__
    assert isinstance(table, Table)
    keep = [c.key for c in table.columns if c.key != "id"]
    found = session.scalars(select(model)).all()
    return sorted(({key: getattr(row, key) for key in keep} for row in found), key=repr)


@pytest.mark.parametrize(
    "model", [AuditEvent, RequestService, OutboxMessage, ReplyToken, InboundMessage]
)
def test_rows_read_back_as_those_core_wrote(engine: Engine, model: type[Base]) -> None:
    table = model.__table__
    assert isinstance(table, Table)
    requests = Request.__table__
    with Session(engine) as session, session.begin():
        connection = session.connection()
        core_id = connection.execute(
            insert(requests).returning(requests.c.id), request_row("ONB-2026-0001")
        ).scalar_one()
        driver_id = driver_sql.insert_returning_id(
            connection, requests, request_row("ONB-2026-0002")
        )
        connection.execute(insert(table), rows_of(model, core_id))
    with Session(engine) as session, session.begin():
        by_core = stored(session, model)
        session.execute(table.delete())
    with Session(engine) as session, session.begin():
        driver_sql.insert_rows(session.connection(), table, rows_of(model, core_id))
    with Session(engine) as session:
        assert stored(session, model) == by_core
        if model is not RequestService:  # a datetime made the trip, converted alike
            assert any(value == MOMENT for row in by_core for value in row.values())
        written = {r.id: r for r in session.scalars(select(Request)).all()}
    # The request written by the driver, its defaults filled in, as Core wrote its twin.
    assert set(written) == {core_id, driver_id}
    for column in requests.columns:
        if column.key not in ("id", "reference", "seq"):
            core_value = getattr(written[core_id], column.key)
            assert getattr(written[driver_id], column.key) == core_value, column.key
    assert written[driver_id].requester_name == ""
    assert written[driver_id].unknown_services == []
