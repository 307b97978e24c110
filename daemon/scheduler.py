"""The periodic work of `onboardd run`: digest daily, reminders hourly, retention daily.

Built on `schedule`, which keeps wall-clock times in a pytz zone right across DST
changes. Each job is guarded: an exception is logged and the job waits for its next
slot, instead of escaping run_pending() and firing again at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import schedule

from onboardd.daemon import systemd

log = logging.getLogger("onboardd.scheduler")

Clock = Callable[[], datetime]
Work = Callable[[datetime], object]

# Retention runs once a day at this local time, away from the digest and from the
# hours a DST change skips or repeats.
PURGE_AT = "04:30"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class JobSpec:
    """One periodic job: what it is called, when it runs, what it does."""

    name: str
    work: Work
    hourly: bool = False
    at: str | None = None  # "HH:MM" in `timezone`, daily
    timezone: str = "UTC"


class Scheduler:
    """A `schedule.Scheduler` of guarded jobs, and what the loop needs to wait on it."""

    def __init__(
        self, specs: list[JobSpec], clock: Clock = utc_now, startup: Sequence[JobSpec] = ()
    ) -> None:
        self._clock = clock
        self._schedule = schedule.Scheduler()
        self._specs = {spec.name: spec for spec in specs}
        self._startup = tuple(startup)
        self.failures: dict[str, int] = {}
        self.last_runs: dict[str, datetime] = {}
        for spec in specs:
            job = self._schedule.every()
            job = job.hour if spec.hourly else job.day.at(spec.at or "00:00", spec.timezone)
            job.do(self._guarded, spec.name, spec.work).tag(spec.name)

    def _guarded(self, name: str, work: Work) -> None:
        now = self._clock()
        try:
            result = work(now)
        except Exception as exc:
            self.failures[name] = self.failures.get(name, 0) + 1
            log.exception("job %s failed; it runs again at its next time", name)
            systemd.status(f"{name} failed: {type(exc).__name__}; see the journal")
            return
        self.last_runs[name] = now
        if result is not None:
            log.info("job %s: %s", name, result)
            systemd.status(f"{name}: {result}")

    def run_pending(self) -> None:
        """Run every job whose time has come (each at most once per call)."""
        self._schedule.run_pending()

    def run_now(self, name: str) -> None:
        """Run one job at once, guarded, without moving its next time."""
        self._guarded(name, self._specs[name].work)

    def start(self) -> None:
        """Run the startup work (what a restart may owe), each guarded, once."""
        for spec in self._startup:
            self._guarded(spec.name, spec.work)

    def idle_seconds(self) -> float | None:
        """Seconds until the next job is due (<= 0: due now); None without jobs."""
        return self._schedule.idle_seconds

    def next_run(self, name: str) -> datetime | None:
        """When job `name` runs next, as an aware local datetime."""
        jobs = self._schedule.get_jobs(name)
        if not jobs or jobs[0].next_run is None:
            return None
        return jobs[0].next_run.astimezone()  # schedule keeps naive local times

    def describe(self) -> str:
        """A short line for systemd STATUS=: the next run of each job."""
        parts = []
        for job in sorted(self._schedule.get_jobs(), key=lambda j: j.next_run or datetime.max):
            name = next(iter(job.tags), "?")
            moment = job.next_run.astimezone(UTC).strftime("%H:%M UTC") if job.next_run else "-"
            parts.append(f"{name} {moment}")
        return "next: " + ", ".join(parts)
