"""One inbound message, one transaction: record, decide, update, audit, enqueue (design §8)."""

from __future__ import annotations

import functools
import logging
import traceback
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from onboardd.daemon.answer_window import AnswerWindow
from onboardd.daemon.apply import record_outcome
from onboardd.daemon.contact_changes import pending_change
from onboardd.daemon.mailbox import FetchedMail
from onboardd.daemon.offboarding import is_offboarding, offboarding_target
from onboardd.daemon.outgoing import Sender, token_hash
from onboardd.daemon.prepare import Prepared, Reading, prepare
from onboardd.daemon.records import contract_view_of, view_of
from onboardd.parsers.contract_notice import mentions_contacts
from onboardd.parsers.errors import ParseError
from onboardd.parsers.model import ParsedEmail, RequestFacts
from onboardd.responders.gate import ANSWER_KINDS
from onboardd.responders.intake import PUBLIC_MAIL_DOMAINS, Inbound, handle_inbound
from onboardd.responders.policy import Policy
from onboardd.responders.render import Renderer
from onboardd.responders.view import SenderHistory, TokenView
from onboardd.store import contracts, queries
from onboardd.store.engine import describe, transaction
from onboardd.store.models import Contract, InboundMessage, ReplyToken, Request

log = logging.getLogger("onboardd.ingest")


class StoreUnavailable(Exception):
    """The database refused work (locked, gone); the mail stays put for the next pass."""


# Answers held back that an admin should hear of at once, as the log says them.
_HELD_WARNINGS = {
    "rate-limited": "its sender reached the hourly reply limit",
    "reply-budget-spent": "the hourly budget of automatic answers is spent (breaker open)",
    "failed-authentication": "its sender failed authentication at our MTA",
}


@dataclass(frozen=True)
class Pipeline:
    """What ingest needs, built once at start (and again on reload)."""

    factory: sessionmaker[Session]
    policy: Policy
    renderer: Renderer
    answers: AnswerWindow = field(default_factory=AnswerWindow)

    @functools.cached_property
    def reading(self) -> Reading:
        """What reading request facts takes from the policy, built once per pipeline."""
        policy = self.policy
        return Reading(policy.catalog(), policy.cor_directory(), policy.known_organizations())


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
    sender: Sender,
    now: datetime,
    answer_since: datetime | None = None,
    retry: bool = False,
    prepared: Prepared | None = None,
    group_commit: bool = False,
) -> IngestResult:
    """Process one fetched mail to a committed outcome; the caller then marks it done.

    `prepared` is the mail's key and parse (or its ParseError) where the parse worker
    made them ahead; None makes them here.

    With retry=True the mail is a quarantined one put through again: its stored row is
    updated in the same transaction, so its raw bytes are never without a home.

    With group_commit=True the transaction may still be only in the operating system's
    hands when this returns; the caller makes it durable (store.engine.make_durable)
    before the mail leaves its folder.
    """
    # Prepared before any transaction, by the worker or here by the same function: the
    # parse is the costliest step and needs no database. A duplicate is parsed in vain,
    # but duplicates are rare (a crash between commit and move, the same mail delivered
    # twice) and the transaction below says so.
    if prepared is None:
        prepared = prepare(mail.raw, pipeline.policy.limits.max_message_bytes, pipeline.reading)
    key, parsed, facts = prepared.key, prepared.parsed, prepared.facts
    try:
        if isinstance(parsed, ParseError):
            return _quarantine(
                pipeline,
                mail,
                key,
                now,
                parsed.reason,
                str(parsed),
                retry=retry,
                group=group_commit,
            )
        answer = answer_since is None or mail.arrived_at is None or mail.arrived_at >= answer_since
        try:
            return _decide(
                pipeline, mail, parsed, facts, key, sender, now, answer, retry, group_commit
            )
        except DBAPIError:
            raise
        except Exception as exc:
            log.error("message %s raised during processing:\n%s", key[:12], traceback.format_exc())
            return _quarantine(
                pipeline,
                mail,
                key,
                now,
                "unrecognized",
                f"{type(exc).__name__}: {exc}",
                parsed,
                retry=retry,
                group=group_commit,
            )
    except IntegrityError as exc:
        # Another worker committed the same mail between our check and our insert. Any
        # other conflict is no reason to call the mail done: it stays for the next pass.
        if _recorded(pipeline, key):
            return IngestResult(key, "duplicate", "processed concurrently")
        raise StoreUnavailable(f"database conflict: {describe(exc)}") from exc
    except DBAPIError as exc:
        raise StoreUnavailable(f"database unavailable: {describe(exc)}") from exc


def _duplicate(key: str, status: tuple[int, str] | None, retry: bool) -> IngestResult | None:
    """The answer for a message already recorded (unless it is a quarantined one being
    retried), or None when it is to be processed."""
    if status is None or (retry and status[1] == "quarantined"):
        return None
    return IngestResult(key, "duplicate", status[1])


def _decide(
    pipeline: Pipeline,
    mail: FetchedMail,
    parsed: ParsedEmail,
    facts: RequestFacts | None,
    key: str,
    outgoing_sender: Sender,
    now: datetime,
    answer: bool,
    retry: bool,
    group: bool,
) -> IngestResult:
    # No autoflush: every query below reads rows committed before this mail, and what
    # this mail writes goes out in one flush at commit, each table's rows in one INSERT.
    with transaction(pipeline.factory, group_commit=group) as session, session.no_autoflush:
        message_id = parsed.message_id or None
        sender = parsed.sender.email if parsed.sender else None
        look = queries.first_look(session, key, message_id, sender, now)
        if (duplicate := _duplicate(key, look.status, retry)) is not None:
            return duplicate
        if look.reused:
            log.warning(
                "message %s reuses a Message-ID already seen with other content; kept as new",
                key[:12],
            )
        tokens = _tokens(session, parsed, outgoing_sender.address)
        found = _find_request(session, parsed, tokens)
        if found is not None:
            # Decide on the request as it is once it is ours (another worker may have just
            # changed it), and on its tokens as they are then.
            found = queries.lock_request(session, found.id)
            tokens = _tokens(session, parsed, outgoing_sender.address)
        tokens = [t for t in tokens if found is not None and t[0].request_id == found.id]
        history = SenderHistory(
            replies_last_hour=look.replies_last_hour,
            help_sent_last_day=look.help_sent_last_day,
            answers_last_hour=pipeline.answers.count(session, now),
        )
        found_view = (
            view_of(found, frozenset(queries.correspondents(session, found.id))) if found else None
        )
        contract = _sender_contract(session, parsed) if found is None else None
        changed, change = pending_change(session, found)
        offboarded, target = offboarding_target(session, parsed, found)
        outcome = handle_inbound(
            Inbound(
                mail=parsed,
                policy=pipeline.policy,
                renderer=pipeline.renderer,
                now=now,
                new_reference=queries.next_reference(session, now.year, take=False),
                history=history,
                found=found_view,
                tokens=tuple(_token_view(t, now, via) for t, via in tokens),
                answer=answer,
                facts=facts,
                contract=contract_view_of(contract) if contract else None,
                change=change,
                offboarding=target,
            )
        )
        request_id = record_outcome(
            session,
            outcome,
            found=found,
            mailbox=mail.mailbox,
            sender=outgoing_sender,
            now=now,
            message_key=key,
            message_id=message_id,
            # An offboarding's contract; a contact change's only for what the change did.
            contract=(offboarded if is_offboarding(outcome)
                      else contract or (changed if outcome.contact_changes is not None
                                        else None)),
        )
        result_status = "processed" if answer else "backlog"
        if look.status is None:
            values = _inbound_values(mail, parsed, key, now, status=result_status)
            values.update(request_id=request_id, reason=outcome.verdict)
            queries.insert_rows(session, InboundMessage, [values])
        else:
            row = queries.inbound_by_id(session, look.status[0])
            _refresh_row(row, parsed)
            row.request_id = request_id
            row.status = result_status
            row.reason = outcome.verdict
        reference = outcome.request.reference if request_id and outcome.request else None
    # Counted once committed: a mail whose transaction fails queued nothing.
    pipeline.answers.add(now, sum(m.kind in ANSWER_KINDS for m in outcome.outgoing))
    for event in outcome.events:
        if event.kind in _HELD_WARNINGS:
            log.warning("message %s: %s; no answer", key[:12], _HELD_WARNINGS[event.kind])
    log.info(
        "message %s %s%s, %d repl%s queued",
        key[:12],
        outcome.verdict,
        f" {reference}" if reference else "",
        len(outcome.outgoing),
        "y" if len(outcome.outgoing) == 1 else "ies",
    )
    return IngestResult(key, result_status, outcome.verdict, reference)


def _sender_contract(session: Session, parsed: ParsedEmail) -> Contract | None:
    """The contract whose contractor (or COR) sent a mail that may name its SO and SPOC;
    the query runs only for a mail that mentions them."""
    sender = parsed.sender
    if sender is None or not mentions_contacts(parsed.reply_text):
        return None
    domain = sender.domain if sender.domain not in PUBLIC_MAIL_DOMAINS else None
    return contracts.contract_for_sender(session, sender.email, domain)


def _recorded(pipeline: Pipeline, key: str) -> bool:
    with pipeline.factory() as session:
        return queries.inbound_by_key(session, key) is not None


def _find_request(
    session: Session, parsed: ParsedEmail, tokens: list[tuple[ReplyToken, str]]
) -> Request | None:
    """A reply token first, then thread headers, then the subject tag (design §4)."""
    if tokens:
        return queries.request_by_id(session, tokens[0][0].request_id)
    return queries.request_by_thread(session, parsed.thread_ids) or queries.request_by_subject(
        session, parsed.subject
    )


def _tokens(session: Session, parsed: ParsedEmail, address: str) -> list[tuple[ReplyToken, str]]:
    """Our tokens this mail carries: in a plus-address of ours, or a Message-ID it answers."""
    local, _, domain = address.partition("@")
    carried = {
        token_hash(a.email.partition("@")[0].split("+", 1)[1])
        for a in parsed.recipients
        if a.domain == domain and a.email.startswith(f"{local}+")
    }
    rows = queries.tokens_for(session, sorted(carried), list(parsed.thread_ids))
    found = [(row, "address" if row.token_hash in carried else "thread") for row in rows]
    return sorted(found, key=lambda pair: pair[1] != "address")


def _token_view(row: ReplyToken, now: datetime, via: str) -> TokenView:
    return TokenView(
        token_id=row.token_hash,
        scope=row.scope,
        address=row.address,
        service=row.service,
        expired=row.expires_at <= now,
        spent=row.spent_at is not None,
        clarified=row.clarified_at is not None,
        via=via,
    )


def _inbound_values(
    mail: FetchedMail, parsed: ParsedEmail | None, key: str, now: datetime, *, status: str
) -> dict[str, Any]:
    return {
        "message_key": key,
        "message_id": parsed.message_id if parsed and parsed.message_id else None,
        "mailbox": mail.mailbox,
        "folder": mail.folder,
        "uidvalidity": mail.uidvalidity,
        "uid": mail.uid,
        "source_name": mail.handle,
        "received_at": now,
        "sender": parsed.sender.email if parsed and parsed.sender else None,
        "subject": parsed.subject if parsed else "",
        "status": status,
        "reason": "",
        "size": len(mail.raw),
        "raw": mail.raw,
        "request_id": None,
    }


def _refresh_row(row: InboundMessage, parsed: ParsedEmail) -> None:
    row.message_id = parsed.message_id or None
    row.sender = parsed.sender.email if parsed.sender else None
    row.subject = parsed.subject
    row.error = None


def _quarantine(
    pipeline: Pipeline,
    mail: FetchedMail,
    key: str,
    now: datetime,
    reason: str,
    error: str,
    parsed: ParsedEmail | None = None,
    *,
    retry: bool = False,
    group: bool = False,
) -> IngestResult:
    """Keep the raw bytes and the reason; the mail moves aside and the loop goes on."""
    with transaction(pipeline.factory, group_commit=group) as session:
        status = queries.inbound_status(session, key)
        if (duplicate := _duplicate(key, status, retry)) is not None:
            return duplicate
        inbound = (
            _inbound_values(mail, parsed, key, now, status="quarantined")
            if status is None
            else status[0]
        )
        # A traceback's first part says what went wrong; the Text column has no limit.
        queries.quarantine_inbound(
            session, key, inbound, reason=reason, error=error[:4000], now=now
        )
    log.warning("message %s quarantined: %s", key[:12], reason)
    return IngestResult(key, "quarantined", reason)
