"""The daemon's periodic jobs, bound to a running App: reminders, digest, retention.

The same functions serve `run --once --now`, `digest`, `purge` and the scheduler of
`onboardd run`, so an operator replaying a moment gets exactly what the service does.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from onboardd.daemon.app import App
from onboardd.daemon.contract_jobs import run_contract_steps
from onboardd.daemon.digest import digest_mail, last_slot, queue_digest, queue_once
from onboardd.daemon.jobs import ChaseReport, chase_requests
from onboardd.daemon.outbox import DrainReport, drain
from onboardd.daemon.purge import PurgeReport, purge
from onboardd.daemon.scheduler import PURGE_AT, Clock, JobSpec, Scheduler, utc_now
from onboardd.store.digest_queries import digest_sent_since

log = logging.getLogger("onboardd.periodic")


# What one run of a job in the service may do, so that a backlog (a first start after
# a long outage, a first purge of years of records) is worked off over several runs
# instead of holding the mail loop, and the watchdog, for minutes.
CHASE_PER_RUN = 500
PURGE_BATCHES_PER_RUN = 40


def remind(app: App, now: datetime, limit: int | None = None) -> ChaseReport:
    """Reminders, expiry and the contracts' steps (the call for an SO and SPOC, the
    survey, the offboarding notice) due at `now` (queued; the next outbox drain sends
    them)."""
    pipeline = app.pipeline
    report = chase_requests(
        pipeline.factory, pipeline.policy, pipeline.renderer, app.sender_for, now, limit
    )
    report.contracts = run_contract_steps(
        pipeline.factory, pipeline.policy, pipeline.renderer, app.sender_for,
        app.config.mailboxes[0].name, now, limit or CHASE_PER_RUN)
    return report


def send_digest(app: App, now: datetime) -> str:
    """Queue the digest as of `now` for its recipients."""
    config = app.config
    mail = queue_digest(
        app.pipeline.factory,
        config,
        app.pipeline.renderer,
        app.sender_for(config.mailboxes[0].name),
        now,
    )
    return f"queued to {len(mail.to)} recipient(s): {mail.subject}"


def daily_digest(app: App, now: datetime) -> str:
    """The scheduled digest: at most one per daily slot, even across restarts or instances."""
    config = app.config
    if not config.digest.recipients:
        return "skipped: digest.recipients is empty"
    slot = last_slot(config, now)
    factory = app.pipeline.factory
    with factory() as session:  # a cheap look first, to skip rendering when it is done
        if digest_sent_since(session, slot):
            return f"skipped: already queued since {slot.isoformat(timespec='minutes')}"
    mail = digest_mail(factory, config, app.pipeline.renderer, now)
    with factory() as session, session.begin():
        queued = queue_once(session, mail, app.sender_for(config.mailboxes[0].name), slot, now)
    if not queued:
        return "skipped: another instance queued it first"
    return f"queued to {len(mail.to)} recipient(s): {mail.subject}"


def missed_digest(app: App, now: datetime) -> str:
    """At start: today's digest if its hour passed while the service was down.

    Only a service that sent digests before owes one: a first start waits for the
    first slot rather than mailing the staff the moment it is installed.
    """
    with app.pipeline.factory() as session:
        if not digest_sent_since(session, datetime.min.replace(tzinfo=UTC)):
            return "skipped: no digest sent yet; the first goes at digest.at"
    return daily_digest(app, now)


def retention(app: App, now: datetime, max_batches: int | None = None) -> PurgeReport:
    return purge(app.pipeline.factory, app.config.retention, now, max_batches)


def build_scheduler(app: App, clock: Clock = utc_now) -> Scheduler:
    """The jobs of `onboardd run` for this config (rebuilt on reload)."""
    zone = app.config.digest.timezone
    return Scheduler(
        [
            JobSpec("reminders", lambda now: remind(app, now, CHASE_PER_RUN), hourly=True),
            JobSpec(
                "digest", lambda now: daily_digest(app, now), at=app.config.digest.at, timezone=zone
            ),
            JobSpec(
                "purge",
                lambda now: retention(app, now, PURGE_BATCHES_PER_RUN),
                at=PURGE_AT,
                timezone=zone,
            ),
        ],
        clock,
        # What a (re)start owes: reminders now, not an hour later, and a missed digest.
        startup=[
            JobSpec("reminders", lambda now: remind(app, now, CHASE_PER_RUN)),
            JobSpec("digest", lambda now: missed_digest(app, now)),
        ],
    )


def start(scheduler: Scheduler) -> None:
    """Run the startup work; call it after the first pass, so mail that waited while
    the service was down is read before anything expires for want of a reply."""
    scheduler.start()


def once(app: App, now: datetime) -> tuple[ChaseReport, DrainReport]:
    """`run --once`'s time-based part: reminders and expiry as of `now`, then send them."""
    chased = remind(app, now)
    transport = app.transport()
    try:
        sent = drain(app.pipeline.factory, transport, now)
    finally:
        transport.close()
    return chased, sent
