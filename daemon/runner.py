"""Drain the mailboxes and the outbox: the body of `onboardd run`."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from onboardd.daemon.app import App
from onboardd.daemon.ingest import ingest
from onboardd.daemon.mailbox import FetchedMail, Mailbox, MailboxError
from onboardd.daemon.outbox import DrainReport
from onboardd.daemon.parse_ahead import parse_ahead
from onboardd.daemon.sending import BackgroundSender
from onboardd.store import queries
from onboardd.store.engine import checkpoint, make_durable

log = logging.getLogger("onboardd.run")

# Committed mails moved out of the folder per IMAP MOVE.
MOVE_BATCH = 100


@dataclass
class PassReport:
    processed: int = 0
    duplicates: int = 0
    quarantined: int = 0
    backlog: int = 0
    outbox: DrainReport = field(default_factory=DrainReport)


def answer_since(session: Session, mailbox: Mailbox, now: datetime) -> datetime:
    """Mail that arrived before this moment is history: recorded, never answered.

    Also notes the poll and a UIDVALIDITY change (harmless: message keys make the
    rescan that follows find only mail already recorded).
    """
    state = queries.mailbox_state(session, mailbox.name, mailbox.folder)
    if state is None:
        state = queries.new_mailbox_state(session, mailbox.name, mailbox.folder, now)
    if mailbox.uidvalidity is not None and state.uidvalidity != mailbox.uidvalidity:
        if state.uidvalidity is not None:
            log.warning(
                "mailbox %s: UIDVALIDITY of %s changed; rescanning", mailbox.name, mailbox.folder
            )
        state.uidvalidity = mailbox.uidvalidity
    state.last_poll_at = now
    state.last_error = None
    return state.first_connected_at - timedelta(days=mailbox.backlog_days)


def drain_mailbox(
    app: App,
    mailbox: Mailbox,
    now: datetime,
    report: PassReport,
    stop: Callable[[], bool] = lambda: False,
    after_commit: Callable[[], None] = lambda: None,
    parse_worker: bool = True,
) -> None:
    """Each waiting mail to its committed outcome, then out of the way; `stop` is checked
    between mails, so a stop request finishes the mail in hand and no more.

    Committed mail is moved out of the folder in batches (one IMAP MOVE for up to
    MOVE_BATCH mails, and whatever is left when the loop ends for any reason): a mail
    committed but not yet moved when the process dies is fetched again and found done
    by its key, so batching costs nothing but that second look.
    The mails' transactions are group commits: each batch is made durable (one fsync
    for up to MOVE_BATCH commits, not one each) before it moves, so a power loss
    cannot leave a mail moved whose outcome the database has lost. The replies they
    queued go out only after the outbox's claim, whose fsync covers them too.
    `after_commit` runs once each answered mail is committed (the service sends its
    replies there rather than after the whole backlog)."""
    factory = app.pipeline.factory
    with factory() as session, session.begin():
        since = answer_since(session, mailbox, now)
    done: list[FetchedMail] = []
    policy = app.pipeline.policy
    # closing(): a stop or an error ends the parse worker now, not at garbage collection.
    with contextlib.closing(
        parse_ahead(
            mailbox.fetch_new(),
            policy.limits.max_message_bytes,
            reading=app.pipeline.reading,
            enabled=parse_worker,
        )
    ) as backlog:
        try:
            for mail, prepared in backlog:
                if stop():
                    break
                result = ingest(
                    app.pipeline,
                    mail,
                    sender=app.sender_for(mailbox.name),
                    now=now,
                    answer_since=since,
                    prepared=prepared,
                    group_commit=True,
                )
                if result.quarantined:
                    make_durable(app.engine)
                    mailbox.quarantine(mail)
                    report.quarantined += 1
                    continue
                # What a move needs, without the raw bytes (a batch of them is up to 100 mails).
                done.append(dataclasses.replace(mail, raw=b""))
                if len(done) >= MOVE_BATCH:
                    _move_done(app, mailbox, done)
                if result.status == "duplicate":
                    report.duplicates += 1
                elif result.status == "backlog":
                    report.backlog += 1
                else:
                    report.processed += 1
                    after_commit()
        except BaseException:
            # Committed mail still goes aside if the mailbox can take it; if it cannot (the
            # connection is what failed), the next pass finds those mails done by their key.
            with contextlib.suppress(MailboxError):
                _move_done(app, mailbox, done)
            raise
    _move_done(app, mailbox, done)
    with factory() as session, session.begin():
        state = queries.mailbox_state(session, mailbox.name, mailbox.folder)
        if state is not None and report.processed + report.backlog:
            state.last_mail_at = now


def _move_done(app: App, mailbox: Mailbox, done: list[FetchedMail]) -> None:
    """Out of the folder, once their commits are on disk; then the WAL copied into the
    database file, which group commits leave to this point."""
    if done:
        make_durable(app.engine)
        mailbox.mark_all_done(done)
        done.clear()
        checkpoint(app.engine)


def run_once(app: App, now: datetime) -> PassReport:
    """Everything waiting, once: each mailbox, with its replies sent alongside by a second
    thread, and whatever is still due when the mailboxes are done."""
    report = PassReport()
    transport = app.transport()
    sender = BackgroundSender(app.pipeline.factory, transport, lambda: now)
    sender.start()
    try:
        for mailbox in app.mailboxes():
            mailbox.connect()
            try:
                drain_mailbox(app, mailbox, now, report, after_commit=sender.nudge)
            finally:
                mailbox.close()
    except BaseException:
        # What is committed still goes out; the error that stopped the loop is the one told.
        try:
            sender.finish()
        except Exception as exc:
            log.warning("outbox: sending after the error failed too: %s", exc)
        finally:
            transport.close()
        raise
    try:
        report.outbox = sender.finish()
    finally:
        transport.close()
    return report
