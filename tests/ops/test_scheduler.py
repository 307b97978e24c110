"""The scheduler on a driven clock: the digest at its local time every day, across DST."""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import types
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import schedule
from sqlalchemy import select

from onboardd.daemon.app import App, build
from onboardd.daemon.config import load_config
from onboardd.daemon.periodic import build_scheduler, daily_digest, start
from onboardd.daemon.scheduler import JobSpec, Scheduler
from onboardd.store.models import OutboxMessage

NEW_YORK = ZoneInfo("America/New_York")
STEP = timedelta(minutes=5)


class Clock:
    """The one clock both `schedule` and the jobs read, moved by the test."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=["UTC", "America/New_York", "Europe/Berlin"])
def host_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """`schedule` keeps naive times in the host's zone: the result must not depend on it."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    yield request.param
    monkeypatch.undo()
    time.tzset()


def drive(monkeypatch: pytest.MonkeyPatch, start: datetime) -> Clock:
    """Make `schedule` read `clock` instead of the wall clock."""
    clock = Clock(start)

    class Driven(dt.datetime):
        @classmethod
        def now(cls, tz: dt.tzinfo | None = None) -> dt.datetime:  # type: ignore[override]
            if tz is None:
                return clock.now.astimezone().replace(tzinfo=None)
            return clock.now.astimezone(tz)

    fake = types.SimpleNamespace(**{n: getattr(dt, n) for n in dir(dt) if not n.startswith("__")})
    fake.datetime = Driven
    monkeypatch.setattr(schedule, "datetime", fake)
    return clock


def walk(scheduler: Scheduler, clock: Clock, until: datetime) -> None:
    while clock.now < until:
        clock.now += STEP
        scheduler.run_pending()


def recorder(runs: list[datetime]) -> JobSpec:
    return JobSpec("digest", runs.append, at="08:00", timezone="America/New_York")


@pytest.mark.parametrize(
    ("start", "days"),
    [
        (datetime(2026, 10, 29, 12, 0, tzinfo=UTC), 6),  # DST ends Sunday 1 November
        (datetime(2026, 3, 5, 13, 0, tzinfo=UTC), 6),  # DST starts Sunday 8 March
    ],
    ids=["autumn", "spring"],
)
def test_digest_fires_once_a_day_at_local_eight_across_dst(
    host_zone: str, monkeypatch: pytest.MonkeyPatch, start: datetime, days: int
) -> None:
    clock = drive(monkeypatch, start)
    runs: list[datetime] = []
    scheduler = Scheduler([recorder(runs)], clock)
    walk(scheduler, clock, start + timedelta(days=days, hours=1))

    local = [r.astimezone(NEW_YORK) for r in runs]
    assert [(t.hour, t.minute) for t in local] == [(8, 0)] * days
    first = start.astimezone(NEW_YORK).date()
    assert [t.date() for t in local] == [first + timedelta(days=n + 1) for n in range(days)]
    # Same local hour, but the UTC hour moves with the offset on the changeover day.
    assert len({r.astimezone(UTC).hour for r in runs}) == 2


def test_reminders_hourly_purge_daily_digest_daily(monkeypatch: pytest.MonkeyPatch) -> None:
    start = datetime(2026, 10, 30, 0, 0, tzinfo=UTC)
    clock = drive(monkeypatch, start)
    runs: dict[str, list[datetime]] = {"reminders": [], "digest": [], "purge": []}
    specs = [
        JobSpec("reminders", runs["reminders"].append, hourly=True),
        JobSpec("digest", runs["digest"].append, at="08:00", timezone="America/New_York"),
        JobSpec("purge", runs["purge"].append, at="04:30", timezone="America/New_York"),
    ]
    scheduler = Scheduler(specs, clock)
    walk(scheduler, clock, start + timedelta(days=3))
    assert len(runs["reminders"]) == 72
    assert len(runs["digest"]) == 3 and len(runs["purge"]) == 3
    assert all(r.astimezone(NEW_YORK).strftime("%H:%M") == "04:30" for r in runs["purge"])
    # The next digest is a whole day away at most, so the loop never sleeps past it.
    idle = scheduler.idle_seconds()
    assert idle is not None and 0 < idle <= 24 * 3600


def test_a_failing_job_is_logged_and_waits_for_its_next_time(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    start = datetime(2026, 11, 2, 12, 0, tzinfo=UTC)
    clock = drive(monkeypatch, start)
    calls: list[datetime] = []

    def broken(now: datetime) -> None:
        calls.append(now)
        raise RuntimeError("database is locked")

    scheduler = Scheduler([JobSpec("reminders", broken, hourly=True)], clock)
    clock.now += timedelta(hours=1)
    with caplog.at_level(logging.ERROR, logger="onboardd.scheduler"):
        scheduler.run_pending()
        scheduler.run_pending()  # at once again: not re-run
        clock.now += timedelta(minutes=30)
        scheduler.run_pending()
    assert len(calls) == 1
    assert scheduler.failures == {"reminders": 1}
    assert "job reminders failed" in caplog.text and "database is locked" in caplog.text
    clock.now += timedelta(minutes=30)
    scheduler.run_pending()
    assert len(calls) == 2


def test_the_daily_digest_is_queued_once_per_slot_even_across_restarts(
    example_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = build(load_config(example_config))
    eight = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)  # 08:00 in New York

    def digests() -> int:
        with app.pipeline.factory() as session:
            return len(
                session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "digest")).all()
            )

    assert daily_digest(app, eight - timedelta(minutes=1)).startswith("queued")  # yesterday's
    assert daily_digest(app, eight - timedelta(minutes=1)).startswith("skipped")
    assert daily_digest(app, eight).startswith("queued")
    # A restart at 10:00 owes nothing; the next slot is tomorrow.
    clock = drive(monkeypatch, eight + timedelta(hours=2))
    scheduler = build_scheduler(app, clock)
    start(scheduler)
    assert digests() == 2
    walk(scheduler, clock, eight + timedelta(days=1))
    assert digests() == 3
    # A second instance on the same store (or a restart) at the same slot sends nothing.
    assert daily_digest(app, eight + timedelta(days=1, minutes=5)).startswith("skipped")


def test_a_restart_sends_the_missed_digest_but_a_first_start_waits(
    example_config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = build(load_config(example_config))
    ten = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 10:00 in New York, after the 08:00 slot

    def digests() -> list[datetime]:
        with app.pipeline.factory() as session:
            return list(
                session.scalars(
                    select(OutboxMessage.created_at).where(OutboxMessage.kind == "digest")
                )
            )

    clock = drive(monkeypatch, ten)
    start(build_scheduler(app, clock))
    assert digests() == []  # installed at 10:00: the first digest goes tomorrow at 08:00

    daily_digest(app, ten - timedelta(days=1))  # the service ran yesterday...
    start(build_scheduler(app, clock))  # ...and was down at 08:00 today
    assert digests() == [ten - timedelta(days=1), ten]
    start(build_scheduler(app, clock))  # restarted again: owes nothing more
    assert len(digests()) == 2


def test_two_instances_at_the_same_minute_queue_one_digest(
    example_config: Path, store_url: str
) -> None:
    text = example_config.read_text()
    if not store_url.startswith("sqlite"):
        example_config.write_text(
            text.replace('url = "sqlite:///var/onboardd.db"', f'url = "{store_url}"')
        )
    apps = [build(load_config(example_config)) for _ in range(2)]
    eight = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def fire(app: App) -> None:
        barrier.wait()
        results.append(daily_digest(app, eight))

    threads = [threading.Thread(target=fire, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(r.split(":")[0] for r in results) == ["queued to 1 recipient(s)", "skipped"]
    with apps[0].pipeline.factory() as session:
        kinds = session.scalars(select(OutboxMessage.kind)).all()
    assert kinds == ["digest"]
    for app in apps:
        app.engine.dispose()
