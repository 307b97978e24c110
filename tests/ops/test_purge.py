"""Retention: purge drops old raw mail and long-closed requests, and nothing else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from onboardd.daemon import purge as purge_module
from onboardd.daemon.config import RetentionConfig
from onboardd.daemon.purge import purge
from onboardd.store.engine import make_engine, session_factory, upgrade
from onboardd.store.models import (
    AuditEvent,
    InboundMessage,
    OutboxMessage,
    ReplyToken,
    Request,
    RequestService,
    ThreadRef,
)
from tests.daemon.harness import Daemon
from tests.mailkit import compose, reply_to
from tests.ops.seed import Seeder

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
D = timedelta(days=1)
RULES = RetentionConfig(raw_days=90, request_days=365)


def test_purge_removes_what_retention_says_and_nothing_else(store_url: str) -> None:
    engine = make_engine(store_url)
    upgrade(engine)
    factory = session_factory(engine)
    with factory() as session, session.begin():
        s = Seeder(session, NOW)
        old_closed = s.request(
            "approved", age=500 * D, closed_ago=400 * D, services=("Jira", "Slack")
        )
        kept_closed = s.request("denied", age=200 * D, closed_ago=100 * D)
        on_the_edge = s.request("expired", age=400 * D, closed_ago=365 * D)
        ancient_open = s.request("incomplete", age=1000 * D)
        s.event("request-created", 500 * D, request=old_closed, reference=old_closed.reference)
        s.event("decision", 410 * D, request=old_closed, actor="jira.lead@cms.example.gov")
        s.event("request-created", 200 * D, request=kept_closed)
        s.asked(old_closed, "Jira", "jira.lead@cms.example.gov", 450 * D)
        session.add(ThreadRef(message_id="t1@x", request_id=old_closed.id, direction="in"))
        s.outbox("welcome-package", "sent", 400 * D, request=old_closed)
        s.outbox("denial", "sent", 100 * D, request=kept_closed)
        s.outbox("digest", "sent", 100 * D)
        s.outbox("digest", "sent", 10 * D)
        s.outbox("help", "pending", 100 * D, attempts=0)
        old_mail = s.inbound("processed", 91 * D, request=old_closed).id
        edge_mail = s.inbound("processed", 90 * D).id
        new_mail = s.inbound("processed", D).id
        gone = s.inbound("quarantined", 200 * D, raw=None, reason="unrecognized")
        gone.raw_purged_at = NOW - 100 * D
        old_ref = old_closed.reference
        ids = {
            "old_closed": old_closed.id,
            "kept_closed": kept_closed.id,
            "edge": on_the_edge.id,
            "open": ancient_open.id,
        }

    report = purge(factory, RULES, NOW)

    assert (report.raw_purged, report.outbox_purged) == (1, 1)
    assert (report.requests_removed, report.services_removed) == (1, 2)
    assert (report.request_mail_removed, report.audit_kept) == (1, 2)
    with factory() as session:
        raw = {m.id: (m.raw, m.raw_purged_at) for m in session.scalars(select(InboundMessage))}
        assert raw[old_mail] == (None, NOW)
        assert raw[edge_mail][0] is not None and raw[new_mail][0] is not None
        assert raw[gone.id] == (None, NOW - 100 * D)  # purged before: left as it was
        remaining = set(session.scalars(select(Request.id)))
        assert remaining == {ids["kept_closed"], ids["edge"], ids["open"]}
        for model in (RequestService, ReplyToken, ThreadRef):
            assert not session.scalar(
                select(func.count()).select_from(model).where(model.request_id == ids["old_closed"])  # type: ignore[attr-defined]
            )
        # The audit trail stays, unlinked, and still says which request it was about.
        orphans = session.scalars(
            select(AuditEvent).where(AuditEvent.request_id.is_(None)).order_by(AuditEvent.id)
        ).all()
        assert [(e.kind, e.detail["reference"]) for e in orphans] == [
            ("request-created", old_ref),
            ("decision", old_ref),
        ]
        assert orphans[1].actor == "jira.lead@cms.example.gov"
        # The inbound row of a removed request stays (its key stops a re-delivery).
        assert session.get(InboundMessage, old_mail) is not None
        kinds = sorted(
            (o.kind, o.status, o.request_id is None) for o in session.scalars(select(OutboxMessage))
        )
        assert kinds == [
            ("denial", "sent", False),
            ("digest", "sent", True),
            ("help", "pending", True),
        ]

    again = purge(factory, RULES, NOW)
    assert str(again) == str(type(again)())  # nothing more to remove
    engine.dispose()


def test_purge_command_reports_what_it_removed(daemon: Daemon) -> None:
    t0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
    daemon.maildir.deliver(compose("Jane Doe <jane.doe@acmehealth.example.com>", "Services: Jira"))
    assert daemon.run("run", "--once", "--now", t0.isoformat()) == 0
    [notice] = daemon.sent()
    daemon.maildir.deliver(reply_to(notice, "jane.doe@acmehealth.example.com", "withdraw"))
    assert daemon.run("run", "--once", "--now", (t0 + D).isoformat()) == 0
    assert daemon.request()["state"] == "withdrawn"
    daemon.capsys.readouterr()

    assert daemon.run("purge", "--yes", "--now", (t0 + 30 * D).isoformat()) == 0
    assert "raw bytes dropped from 0 inbound" in daemon.capsys.readouterr().out
    assert daemon.run("purge", "--yes", "--now", (t0 + 92 * D).isoformat()) == 0
    out = daemon.capsys.readouterr().out
    assert "raw bytes dropped from 2 inbound mail(s)" in out
    assert "0 closed request(s) removed" in out
    assert len(daemon.export()) == 1

    daemon.capsys.readouterr()
    assert daemon.run("purge", "--yes", "--now", (t0 + 2557 * D).isoformat()) == 0
    out = daemon.capsys.readouterr().out
    assert "1 closed request(s) removed with 1 service decision(s)" in out
    assert daemon.export() == []


def test_a_bounded_purge_says_more_is_due(store_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(purge_module, "BATCH", 2)
    engine = make_engine(store_url)
    upgrade(engine)
    factory = session_factory(engine)
    with factory() as session, session.begin():
        s = Seeder(session, NOW)
        for _ in range(5):
            s.request("approved", age=500 * D, closed_ago=400 * D)
    first = purge(factory, RULES, NOW, max_batches=2)
    assert (first.requests_removed, first.more_due) == (4, True)
    assert "more are due" in str(first)
    rest = purge(factory, RULES, NOW, max_batches=2)
    assert (rest.requests_removed, rest.more_due) == (1, False)
    engine.dispose()
