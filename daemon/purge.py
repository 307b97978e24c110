"""Retention (design §11): drop raw mail after raw_days and closed requests after request_days.

What stays: every inbound message's row without its bytes (its key keeps a re-delivered
old mail from being answered again) and the audit trail, whose events lose the link to a
removed request but keep its reference in their detail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from onboardd.daemon.config import RetentionConfig
from onboardd.responders.state import OPEN_STATES
from onboardd.store import purge_queries as queries

log = logging.getLogger("onboardd.purge")

# Requests are removed in batches, each its own transaction, so a first purge of years
# of records does not hold the database's write lock for minutes.
BATCH = 500


@dataclass
class PurgeReport:
    raw_purged: int = 0  # inbound mails whose raw bytes were dropped
    outbox_purged: int = 0  # sent mail not tied to a request (digests, help replies)
    requests_removed: int = 0
    services_removed: int = 0
    request_mail_removed: int = 0  # our sent copies of mail about removed requests
    audit_kept: int = 0  # audit events of removed requests, kept without the link
    more_due: bool = False  # stopped at max_batches; more requests are due for removal
    dry_run: bool = False  # counted only: what a purge as of the same moment would do
    references: tuple[str, ...] = ()  # of the requests a dry run found due

    def __str__(self) -> str:
        if self.dry_run:
            listed = ", ".join(self.references[:LISTED])
            if len(self.references) > LISTED:
                listed += f" and {len(self.references) - LISTED} more"
            return (
                f"dry run, nothing removed: raw bytes would be dropped from "
                f"{self.raw_purged} inbound mail(s); {self.outbox_purged} old sent mail(s) "
                f"without a request would be removed; {self.requests_removed} closed "
                f"request(s) would be removed with {self.services_removed} service "
                f"decision(s) and {self.request_mail_removed} sent mail(s)"
                + (f" ({listed})" if listed else "")
                + f"; {self.audit_kept} audit event(s) would be kept"
            )
        more = "; more are due and follow at the next run" if self.more_due else ""
        return (
            f"raw bytes dropped from {self.raw_purged} inbound mail(s); "
            f"{self.outbox_purged} old sent mail(s) without a request removed; "
            f"{self.requests_removed} closed request(s) removed with "
            f"{self.services_removed} service decision(s) and {self.request_mail_removed} "
            f"sent mail(s); {self.audit_kept} audit event(s) kept{more}"
        )


# A dry run names this many of the requests it found due, then says how many more.
LISTED = 20
_OPEN = [s.value for s in OPEN_STATES]


def preview(
    factory: sessionmaker[Session], retention: RetentionConfig, now: datetime
) -> PurgeReport:
    """What purge() as of `now` would remove, counted by the same conditions; nothing
    is changed."""
    raw_cutoff = now - timedelta(days=retention.raw_days)
    request_cutoff = now - timedelta(days=retention.request_days)
    with factory() as session:
        due = queries.due_for_purge(session, raw_cutoff, request_cutoff, _OPEN)
    return PurgeReport(
        raw_purged=due.raw_mail,
        outbox_purged=due.loose_outbox,
        requests_removed=len(due.references),
        services_removed=due.services,
        request_mail_removed=due.request_mail,
        audit_kept=due.audit_kept,
        dry_run=True,
        references=due.references,
    )


def purge(
    factory: sessionmaker[Session],
    retention: RetentionConfig,
    now: datetime,
    max_batches: int | None = None,
) -> PurgeReport:
    """Apply both retention limits as of `now`; running it twice removes nothing more.

    `max_batches` bounds the requests removed in one call (the service's daily job uses
    it, so a first purge of years of records does not stall the mail loop; the rest
    goes on the following days). None removes everything due.
    """
    report = PurgeReport()
    raw_cutoff = now - timedelta(days=retention.raw_days)
    with factory() as session, session.begin():
        report.raw_purged = queries.drop_raw_mail(session, raw_cutoff, now)
        report.outbox_purged = queries.remove_loose_outbox(session, raw_cutoff)
    cutoff = now - timedelta(days=retention.request_days)
    batches = 0
    while max_batches is None or batches < max_batches:
        with factory() as session, session.begin():
            removed = queries.remove_request_batch(session, cutoff, _OPEN, BATCH)
            if removed is None:
                break
            report.requests_removed += removed.requests
            report.services_removed += removed.services
            report.request_mail_removed += removed.request_mail
            report.audit_kept += removed.audit_kept
        batches += 1
    else:
        report.more_due = True
    log.info("purge as of %s: %s", now.isoformat(timespec="minutes"), report)
    return report
