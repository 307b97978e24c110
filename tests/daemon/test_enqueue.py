"""The replies of one mail go into the outbox with one INSERT per table, not one per reply."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, select

from onboardd.daemon.app import App
from onboardd.daemon.ingest import ingest
from onboardd.daemon.mailbox import FetchedMail
from onboardd.parsers.message import parse_message
from onboardd.store.models import OutboxMessage, ReplyToken, ThreadRef
from tests.mailkit import compose

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
COR = "Dana Smith <dana.smith@cms.example.gov>"
REQUEST = (
    "Organization: Acme Health Solutions\nServices: Jira, Confluence\n"
    "Business justification: defect tracking with CMS\nEstimated number of users: 25\n"
    "COR approval: yes, I approve\n"
)


def test_the_replies_of_one_mail_are_written_with_one_insert_per_table(app: App) -> None:
    inserts: list[str] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO"):
            inserts.append(statement.split()[2].strip('"'))

    event.listen(app.engine, "before_cursor_execute", seen)
    mail = FetchedMail("onboarding", "new", "1.eml", compose(COR, REQUEST), uid=1)
    result = ingest(app.pipeline, mail, sender=app.sender_for("onboarding"), now=NOW)
    event.remove(app.engine, "before_cursor_execute", seen)

    assert result.status == "processed"
    with app.pipeline.factory() as session:
        outbox = session.scalars(select(OutboxMessage)).all()
        tokens = session.scalars(select(ReplyToken)).all()
        threads = session.scalars(select(ThreadRef).where(ThreadRef.direction == "out")).all()
        inbound = session.scalars(select(ThreadRef).where(ThreadRef.direction == "in")).all()
    # An acknowledgment and an approval request to each service's lead, each with its token.
    kinds = sorted(m.kind for m in outbox)
    assert kinds == ["acknowledgment", "approval-request", "approval-request"]
    assert len(tokens) == 2 and len(threads) == 3
    assert inserts.count(OutboxMessage.__tablename__) == 1
    assert inserts.count(ReplyToken.__tablename__) == 1
    # The outgoing mails' thread links and the incoming mail's in one upsert.
    assert inserts.count(ThreadRef.__tablename__) == 1
    assert [(t.message_id, t.direction) for t in inbound] == [(result_message_id(mail), "in")]
    assert {t.request_id for t in (*threads, *inbound)} == {outbox[0].request_id}


def result_message_id(mail: FetchedMail) -> str:
    message_id = parse_message(mail.raw, max_bytes=1 << 20).message_id
    assert message_id
    return message_id
