"""chase_requests against a store: one request that fails does not hold up the others."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from onboardd.daemon import jobs
from onboardd.daemon.app import load_renderer
from onboardd.daemon.config import load_config
from onboardd.daemon.outgoing import Sender
from onboardd.responders.reminders import OpenRequest
from onboardd.store.engine import make_engine, session_factory, upgrade
from onboardd.store.models import OutboxMessage, Request
from tests.conftest import REPO
from tests.ops.seed import Seeder

NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)


def test_a_failing_request_is_logged_and_the_rest_are_chased(
    store_url: str, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    engine = make_engine(store_url)
    upgrade(engine)
    factory = session_factory(engine)
    with factory() as session, session.begin():
        s = Seeder(session, NOW)
        rows = [s.request("incomplete", age=timedelta(days=4)) for _ in range(3)]
        for row in rows:  # each was answered once, so it may be reminded
            s.outbox("missing-fields", "sent", timedelta(days=4), request=row)
        broken = rows[1].reference
    real_chase = jobs.chase

    def chase(item: OpenRequest, *args: object) -> object:
        if item.view.reference == broken:
            raise RuntimeError("template blew up")
        return real_chase(item, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(jobs, "chase", chase)
    policy = load_config(REPO / "config.example.toml").policy
    sender = Sender("onboarding@onboard.example.gov")

    report = jobs.chase_requests(factory, policy, load_renderer(), lambda _: sender, NOW)

    assert (report.requesters_reminded, report.failed) == (2, 1)
    assert "time-based work failed" in caplog.text and "template blew up" in caplog.text
    with factory() as session:
        counts = dict(session.execute(select(Request.reference, Request.reminders_sent)).all())
        reminders = session.scalars(
            select(OutboxMessage.request_id).where(OutboxMessage.kind == "reminder")
        ).all()
    assert counts == {rows[0].reference: 1, broken: 0, rows[2].reference: 1}
    assert len(reminders) == 2
    monkeypatch.setattr(jobs, "chase", real_chase)
    again = jobs.chase_requests(factory, policy, load_renderer(), lambda _: sender, NOW)
    assert (again.requesters_reminded, again.failed) == (1, 0)  # the broken one, at last
    engine.dispose()


def test_a_limited_run_leaves_the_rest_for_the_next(store_url: str) -> None:
    engine = make_engine(store_url)
    upgrade(engine)
    factory = session_factory(engine)
    with factory() as session, session.begin():
        s = Seeder(session, NOW)
        for _ in range(5):
            s.request("incomplete", age=timedelta(days=20))  # all due to expire
    policy = load_config(REPO / "config.example.toml").policy
    sender = Sender("onboarding@onboard.example.gov")

    def chase() -> jobs.ChaseReport:
        return jobs.chase_requests(factory, policy, load_renderer(), lambda _: sender, NOW, 3)

    first = chase()
    assert (first.expired, first.more_due) == (3, 2)
    assert "2 more due at the next run" in str(first)
    second = chase()
    assert (second.expired, second.more_due) == (2, 0)
    engine.dispose()
