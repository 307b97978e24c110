"""Several workers on one database at once: each in its own thread with its own session.

On PostgreSQL the workers really overlap, so these tests hold the row locks to account:
references unique and gap-free per year, and no outbox row taken by two drains. On
SQLite BEGIN IMMEDIATE lets one writer in at a time and the same assertions hold.
"""

from __future__ import annotations

import email
import re
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from onboardd.daemon.app import App
from onboardd.daemon.ingest import IngestResult, ingest
from onboardd.daemon.mailbox import FetchedMail
from onboardd.daemon.outbox import drain
from onboardd.daemon.transport import Envelope
from onboardd.store.models import OutboxMessage, ReferenceCounter, Request
from onboardd.store.queries import format_reference
from tests.daemon.harness import Daemon
from tests.mailkit import compose, pending_reply, reply_to

NOW = datetime(2026, 1, 1, 0, 5, tzinfo=UTC)  # the year's first requests: no counter row yet
WORKERS = 6
MAILS_EACH = 12

DANA = "Dana Smith <dana.smith@cms.example.gov>"
COR_REQUEST = """Organization: Acme Health Solutions
Services: Jira, Confluence
Business justification: Our analysts track quality-reporting defects with CMS.
Estimated number of users: 25
COR approval: yes, I approve
"""
REQUEST = """Organization: Acme Health Solutions
Services: Jira
Business justification: Worker {worker} files defect {number}.
Estimated number of users: {number}
"""


def together(count: int, work: Callable[[int], object]) -> list[object]:
    """Run work(0..count-1) in threads released at the same moment; re-raise any error."""
    start = threading.Barrier(count)
    results: list[object] = [None] * count
    errors: list[BaseException] = []

    def run(index: int) -> None:
        start.wait()
        try:
            results[index] = work(index)
        except BaseException as exc:  # handed to the test thread below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    if errors:
        raise errors[0]
    return results


def test_references_stay_unique_and_gap_free_when_requests_arrive_at_once(app: App) -> None:
    def one_worker(worker: int) -> list[IngestResult]:
        results = []
        for number in range(1, MAILS_EACH + 1):
            # A sender of its own per mail, so the hourly reply limit holds nothing back.
            raw = compose(
                f"User {worker}-{number} <u{worker}.{number}@acmehealth.example.com>",
                REQUEST.format(worker=worker, number=number),
                subject=f"Access {worker}-{number}",
            )
            mail = FetchedMail("onboarding", "new", f"w{worker}-{number}", raw, arrived_at=NOW)
            results.append(ingest(app.pipeline, mail, sender=app.sender_for("onboarding"), now=NOW))
        return results

    per_worker = together(WORKERS, one_worker)

    results = [r for rs in per_worker for r in rs]  # type: ignore[attr-defined]
    total = WORKERS * MAILS_EACH
    # "duplicate" here would be a mail dropped as "processed concurrently": lost.
    assert sorted({r.status for r in results}) == ["processed"]
    expected = {format_reference(2026, n) for n in range(1, total + 1)}
    assert {r.reference for r in results} == expected
    with app.pipeline.factory() as session:
        assert set(session.scalars(select(Request.reference))) == expected
        assert session.get(ReferenceCounter, 2026).last_seq == total  # type: ignore[union-attr]
        assert_replies_name_their_own_reference(session, total)


def assert_replies_name_their_own_reference(session: Session, requests: int) -> None:
    """The reference is rendered into the reply before the request row exists: the lock on
    the year's counter must make the number shown the number issued."""
    rows = session.execute(
        select(OutboxMessage.raw, Request.reference).join(
            Request, OutboxMessage.request_id == Request.id
        )
    ).all()
    assert len({reference for _, reference in rows}) == requests
    for raw, reference in rows:
        subject = str(email.message_from_bytes(raw)["Subject"])
        assert re.findall(r"ONB-\d{4}-\d{4,}", subject) == [reference]


class SlowTransport:
    """Records what it was handed; each send takes a while, so the drains overlap."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, envelope: Envelope) -> str:
        time.sleep(0.01)
        self.sent.append(envelope.message_id)
        return "250 ok"

    def close(self) -> None:
        return None


def test_two_drains_never_send_the_same_outbox_row(app: App) -> None:
    count = 80
    with app.pipeline.factory() as session, session.begin():
        for number in range(count):
            session.add(pending_reply(f"<m{number}@onboard.example.gov>", NOW))
    transports = [SlowTransport(), SlowTransport()]
    together(2, lambda worker: drain(app.pipeline.factory, transports[worker], NOW))

    first, second = (set(t.sent) for t in transports)
    assert len(first) == len(transports[0].sent) and len(second) == len(transports[1].sent)
    assert first & second == set()
    assert len(first | second) == count
    with app.pipeline.factory() as session:
        rows = session.scalars(select(OutboxMessage)).all()
        assert {(row.status, row.attempts) for row in rows} == {("sent", 1)}
    if app.engine.dialect.name == "postgresql":
        # SKIP LOCKED: each drain passed over the row the other held, and both worked.
        assert first and second


def test_two_leads_deciding_at_once_both_count(app: App, daemon: Daemon) -> None:
    """Each decision reads the request and writes its outcome: two at once must not each
    see the other's service still pending, or nobody sends the welcome package."""
    daemon.maildir.deliver(compose(DANA, COR_REQUEST))
    daemon.run_once()
    asks = [s for s in daemon.sent() if s.kind == "approval-request"]
    replies = [
        reply_to(next(ask for ask in asks if address in ask.to), f"Lead <{address}>", "Approved.")
        for address in ("jira.lead@cms.example.gov", "confluence.lead@cms.example.gov")
    ]
    now = datetime.now(UTC)

    def decide(index: int) -> IngestResult:
        mail = FetchedMail("onboarding", "new", f"lead-{index}", replies[index], arrived_at=now)
        return ingest(app.pipeline, mail, sender=app.sender_for("onboarding"), now=now)

    results = together(2, decide)
    assert [r.status for r in results] == ["processed", "processed"]  # type: ignore[attr-defined]
    daemon.run_once()
    assert daemon.request()["state"] == "approved"
    assert [s.kind for s in daemon.sent()].count("welcome-package") == 1
