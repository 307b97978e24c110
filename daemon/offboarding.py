"""Offboardings against the database: the contract a mail is about, and the step of the
time-based work that opens an offboarding once a contract's end date has passed (in
the same transaction as its mails are queued, so a second run opens nothing)."""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from onboardd.daemon.apply import record_outcome
from onboardd.daemon.outgoing import Sender
from onboardd.daemon.records import contract_view_of
from onboardd.parsers.model import Address, ParsedEmail
from onboardd.parsers.removal import asks_offboarding, named_numbers
from onboardd.responders.offboarding import OFFBOARDING, OffboardingTarget, open_offboarding
from onboardd.responders.policy import Policy
from onboardd.responders.render import Renderer
from onboardd.responders.view import Outcome
from onboardd.store import contracts, queries
from onboardd.store import offboarding as store
from onboardd.store.engine import transaction
from onboardd.store.models import Contract, Request

log = logging.getLogger("onboardd.jobs")


def target_of(session: Session, row: Contract) -> OffboardingTarget:
    in_progress = store.in_progress(session, row.id)
    return OffboardingTarget(
        contract_view_of(row),
        tuple(contracts.approved_services(session, row.id)),
        in_progress[0].reference if in_progress else None,
    )


def offboarding_target(session: Session, parsed: ParsedEmail, found: Request | None
                       ) -> tuple[Contract | None, OffboardingTarget | None]:
    """The contract a new mail asks to offboard (by a number it names), or the one of
    the offboarding it follows up; the queries run only for such mail."""
    if found is not None:
        if found.kind != OFFBOARDING or found.contract_id is None:
            return None, None
        row = store.contract_of(session, found.contract_id)
    elif asks_offboarding(parsed.subject, parsed.reply_text):
        row = store.contract_named(session, named_numbers(parsed.subject, parsed.reply_text))
    else:
        return None, None
    return (row, target_of(session, row)) if row is not None else (None, None)


def is_offboarding(outcome: Outcome) -> bool:
    return outcome.request is not None and outcome.request.kind == OFFBOARDING


def open_ended(factory: sessionmaker[Session], policy: Policy, renderer: Renderer,
               sender: Sender, mailbox: str, now: datetime, limit: int) -> int:
    """Open the offboarding of every contract whose end date has passed and that has
    none, each in a transaction of its own; how many were opened."""
    opened = 0
    for _ in range(limit):
        with transaction(factory) as session:
            due = store.ended_without_offboarding(session, now.date(), 1)
            if not due:
                break
            row = due[0]
            target = target_of(session, row)
            cor = Address(row.cor_name, row.cor_address)
            opening = open_offboarding(target, cor, queries.next_reference(
                session, now.year, take=False), policy, renderer, now)
            outcome = dataclasses.replace(opening.outcome, outgoing=(
                *opening.outcome.outgoing, opening.acknowledgment))
            request_id = record_outcome(session, outcome, found=None, mailbox=mailbox,
                                        sender=sender, now=now, contract=row)
            # Filed by the contract's id, not by its number or organization: a contract
            # recorded without a number would otherwise stay uncovered and open again.
            if request_id is not None:
                store.file_with(session, request_id, row.id)
            log.info("contract %s: offboarding opened, its end date passed", row.number)
            opened += 1
    return opened
