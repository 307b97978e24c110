"""What reminders and expiry (daemon/jobs.py) read: the open requests and their clocks."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, selectinload

from onboardd.store.models import InboundMessage, OutboxMessage, ReplyToken, Request


@dataclass(frozen=True)
class RequestClocks:
    """What the rows of `requests` alone do not say, for a set of open requests."""

    last_mail: dict[int, datetime]  # by request id: when its latest mail came in
    answered: set[int]  # ids of the requests we ever sent mail about
    # by request id and service: first put to its leads (to approve, or to confirm removal)
    asked: dict[int, dict[str, datetime]]


def request_clocks(
    session: Session, states: Iterable[str], request_id: int | None = None
) -> RequestClocks:
    """Three grouped queries over the requests in `states` (or just one of them)."""
    in_states: ColumnElement[bool] = Request.state.in_(list(states))
    if request_id is not None:
        in_states = in_states & (Request.id == request_id)
    last_mail = session.execute(
        select(InboundMessage.request_id, func.max(InboundMessage.received_at))
        .join(Request, Request.id == InboundMessage.request_id)
        .where(in_states)
        .group_by(InboundMessage.request_id)
    ).all()
    answered = session.scalars(
        select(OutboxMessage.request_id)
        .join(Request, Request.id == OutboxMessage.request_id)
        .where(in_states)
        .distinct()
    ).all()
    asked: dict[int, dict[str, datetime]] = defaultdict(dict)
    for rid, service, first in session.execute(
        select(ReplyToken.request_id, ReplyToken.service, func.min(ReplyToken.created_at))
        .join(Request, Request.id == ReplyToken.request_id)
        .where(in_states, ReplyToken.scope.in_(("approval", "removal")))
        .group_by(ReplyToken.request_id, ReplyToken.service)
    ):
        if service:
            asked[rid][service] = first
    return RequestClocks(
        last_mail={rid: at for rid, at in last_mail if rid is not None},
        answered={rid for rid in answered if rid is not None},
        asked=dict(asked),
    )


def requests_in_states(session: Session, states: Sequence[str]) -> Sequence[Request]:
    """The requests in `states` with their services, by id: access requests and
    offboardings (whose leads are reminded like approvers); a contact change, which
    shares the access states, waits on its COR's one answer and is neither reminded nor
    expired."""
    return session.scalars(
        select(Request)
        .where(Request.state.in_(list(states)), Request.kind != "contact-change")
        .options(selectinload(Request.services))
        .order_by(Request.id)
    ).all()


def lock_request_with_services(session: Session, request_id: int) -> Request | None:
    """The request and its services, locked until the transaction ends (where the
    database can), so two runs never judge the same request at once."""
    return session.get(
        Request,
        request_id,
        with_for_update=True,
        options=[selectinload(Request.services)],
    )
