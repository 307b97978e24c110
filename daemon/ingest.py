"""One inbound message, one transaction: record, decide, update, audit, enqueue (DESIGN §4)."""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from onboardd.daemon.keys import message_key
from onboardd.daemon.mailbox import FetchedMail
from onboardd.daemon.outgoing import enqueue
from onboardd.daemon.records import apply_view, new_row, view_of
from onboardd.parsers.errors import ParseError
from onboardd.parsers.message import parse_message
from onboardd.parsers.model import ParsedEmail
from onboardd.responders.intake import Inbound, handle_inbound
from onboardd.responders.policy import Policy
from onboardd.responders.render import Renderer
from onboardd.responders.view import Outcome, SenderHistory
from onboardd.store import queries
from onboardd.store.models import AuditEvent, InboundMessage, Request, ThreadRef

log = logging.getLogger("onboardd.ingest")


class StoreUnavailable(Exception):
    """The database refused work (locked, gone); the mail stays put for the next pass."""


@dataclass(frozen=True)
class Pipeline:
    """What ingest needs, built once at start (and again on reload)."""

    factory: sessionmaker[Session]
    policy: Policy
    renderer: Renderer


@dataclass(frozen=True)
class IngestResult:
    key: str
    status: str  # processed, duplicate, quarantined, backlog
    reason: str
    reference: str | None = None

    @property
    def quarantined(self) -> bool:
        return self.status == "quarantined"


def ingest(
    pipeline: Pipeline,
    mail: FetchedMail,
    *,
    address: str,
    now: datetime,
    answer_since: datetime | None = None,
    retry: bool = False,
) -> IngestResult:
    """Process one fetched mail to a committed outcome; the caller then marks it done.

    With retry=True the mail is a quarantined one put through again: its stored row is
    updated in the same transaction, so its raw bytes are never without a home.
    """
    key = message_key(mail.raw)
    try:
        with pipeline.factory() as session:
            existing = queries.inbound_by_key(session, key)
            if existing is not None and not (retry and existing.status == "quarantined"):
                return IngestResult(key, "duplicate", existing.status)
        try:
            parsed = parse_message(mail.raw, max_bytes=pipeline.policy.limits.max_message_bytes)
        except ParseError as exc:
            return _quarantine(pipeline, mail, key, now, exc.reason, str(exc))
        answer = answer_since is None or mail.arrived_at is None or mail.arrived_at >= answer_since
        try:
            return _decide(pipeline, mail, parsed, key, address, now, answer)
        except DBAPIError:
            raise
        except Exception as exc:
            log.error("message %s raised during processing:\n%s", key[:12], traceback.format_exc())
            return _quarantine(
                pipeline, mail, key, now, "unrecognized", f"{type(exc).__name__}: {exc}"
            )
    except IntegrityError:
        # Another worker committed the same mail between our check and our insert.
        return IngestResult(key, "duplicate", "processed concurrently")
    except DBAPIError as exc:
        raise StoreUnavailable(f"database unavailable: {exc.orig or exc}") from exc


def _decide(
    pipeline: Pipeline,
    mail: FetchedMail,
    parsed: ParsedEmail,
    key: str,
    address: str,
    now: datetime,
    answer: bool,
) -> IngestResult:
    with pipeline.factory() as session, session.begin():
        row = queries.inbound_by_key(session, key)
        if row is None:
            _warn_reused_message_id(session, parsed, key)
            row = _inbound_row(mail, parsed, key, now, status="processed")
            session.add(row)
        else:
            _refresh_row(row, parsed)
        session.flush()
        found = _find_request(session, parsed)
        sender = parsed.sender.email if parsed.sender else None
        history = SenderHistory(
            replies_last_hour=queries.replies_to_since(session, sender, now - timedelta(hours=1))
            if sender
            else 0,
            help_sent_last_day=queries.help_sent_since(session, sender, now - timedelta(days=1))
            if sender
            else False,
        )
        found_view = (
            view_of(found, frozenset(queries.correspondents(session, found.id))) if found else None
        )
        outcome = handle_inbound(
            Inbound(
                mail=parsed,
                policy=pipeline.policy,
                renderer=pipeline.renderer,
                now=now,
                new_reference=queries.next_reference(session, now.year, take=False),
                history=history,
                found=found_view,
                answer=answer,
            )
        )
        request = _apply(session, outcome, found, mail.mailbox, now)
        row.request_id = request.id if request else None
        row.status = "processed" if answer else "backlog"
        row.reason = outcome.verdict
        if request is not None and parsed.message_id:
            session.merge(
                ThreadRef(message_id=parsed.message_id, request_id=request.id, direction="in")
            )
        for entry in outcome.events:
            session.add(
                AuditEvent(
                    request_id=request.id if request else None,
                    at=now,
                    kind=entry.kind,
                    actor=entry.actor,
                    message_key=key,
                    detail=entry.detail,
                )
            )
        for out in outcome.outgoing:
            enqueue(
                session,
                out,
                request_id=request.id if request else None,
                from_address=address,
                now=now,
            )
        reference = request.reference if request else None
    log.info(
        "message %s %s%s, %d repl%s queued",
        key[:12],
        outcome.verdict,
        f" {reference}" if reference else "",
        len(outcome.outgoing),
        "y" if len(outcome.outgoing) == 1 else "ies",
    )
    return IngestResult(key, row.status, outcome.verdict, reference)


def _apply(
    session: Session, outcome: Outcome, found: Request | None, mailbox: str, now: datetime
) -> Request | None:
    if outcome.request is None:
        return None
    if outcome.created:
        queries.next_reference(session, now.year, take=True)
        request = new_row(outcome.request, mailbox=mailbox, now=now)
        session.add(request)
        session.flush()
        return request
    if found is None:
        return None
    if outcome.request != view_of(found, outcome.request.correspondents):
        apply_view(found, outcome.request, now)
    return found


def _find_request(session: Session, parsed: ParsedEmail) -> Request | None:
    """Thread headers first, then the subject tag (Outlook may drop threading headers)."""
    return queries.request_by_thread(session, parsed.thread_ids) or queries.request_by_subject(
        session, parsed.subject
    )


def _warn_reused_message_id(session: Session, parsed: ParsedEmail, key: str) -> None:
    if parsed.message_id and queries.inbound_with_message_id(session, parsed.message_id):
        log.warning(
            "message %s reuses a Message-ID already seen with other content; kept as new",
            key[:12],
        )


def _inbound_row(
    mail: FetchedMail, parsed: ParsedEmail | None, key: str, now: datetime, *, status: str
) -> InboundMessage:
    return InboundMessage(
        message_key=key,
        message_id=parsed.message_id[:998] if parsed and parsed.message_id else None,
        mailbox=mail.mailbox,
        folder=mail.folder,
        uidvalidity=mail.uidvalidity,
        uid=mail.uid,
        source_name=mail.handle[:500],
        received_at=now,
        sender=parsed.sender.email[:320] if parsed and parsed.sender else None,
        subject=(parsed.subject if parsed else "")[:500],
        status=status,
        reason="",
        size=len(mail.raw),
        raw=mail.raw,
    )


def _refresh_row(row: InboundMessage, parsed: ParsedEmail) -> None:
    row.message_id = parsed.message_id[:998] if parsed.message_id else None
    row.sender = parsed.sender.email[:320] if parsed.sender else None
    row.subject = parsed.subject[:500]
    row.error = None


def _quarantine(
    pipeline: Pipeline, mail: FetchedMail, key: str, now: datetime, reason: str, error: str
) -> IngestResult:
    """Keep the raw bytes and the reason; the mail moves aside and the loop goes on."""
    with pipeline.factory() as session, session.begin():
        row = queries.inbound_by_key(session, key)
        if row is None:
            row = _inbound_row(mail, None, key, now, status="quarantined")
            session.add(row)
        row.status = "quarantined"
        row.reason = reason
        row.error = error[:4000]
        session.add(
            AuditEvent(at=now, kind="quarantined", message_key=key, detail={"reason": reason})
        )
    log.warning("message %s quarantined: %s", key[:12], reason)
    return IngestResult(key, "quarantined", reason)
