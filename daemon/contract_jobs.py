"""The contracts' time-based step: when a period of performance starts, the contractor
is asked to name its Security Official and SPOC (once; the ask is marked in the same
transaction as its mail is queued, so a second run sends nothing)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from onboardd.daemon.outgoing import Sender, enqueue_all
from onboardd.daemon.records import contract_view_of
from onboardd.responders.contracts import contacts_request
from onboardd.responders.policy import Policy
from onboardd.responders.render import Renderer
from onboardd.store import contracts
from onboardd.store.engine import transaction

log = logging.getLogger("onboardd.jobs")


def ask_for_contacts(
    factory: sessionmaker[Session],
    policy: Policy,
    renderer: Renderer,
    sender_for: Callable[[str], Sender],
    mailbox: str,
    now: datetime,
    limit: int,
) -> int:
    """Ask each contractor whose period started by `now` for its SO and SPOC; how many."""
    with transaction(factory) as session:
        due = contracts.due_for_contacts(session, now.date(), limit)
        for row in due:
            mail = contacts_request(contract_view_of(row), policy, renderer, now.date())
            enqueue_all(session, (mail,), request_id=None, sender=sender_for(mailbox), now=now)
            row.contacts_requested_at = now
            log.info("contract %s: contractor asked for its SO and SPOC", row.number)
        return len(due)
