"""Time the digest over a large store (not a test: no timing is asserted anywhere).

    .venv/bin/python -m tests.ops.bench_digest [--requests 100000] [--open-share 0.05]
        [--url sqlite:////tmp/bench.db]

Seeds the store in bulk (requests with one or two services, three audit events, an
inbound and an outbound mail each, approval tokens for the waiting ones), then times
gather() and the rendering of text and HTML separately, three runs each.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from onboardd.daemon.app import load_renderer
from onboardd.daemon.config import load_config
from onboardd.daemon.digest import gather
from onboardd.parsers.model import Address
from onboardd.responders.digest import compose
from onboardd.responders.mime import to_mime
from onboardd.store.engine import make_engine, session_factory, upgrade
from onboardd.store.models import (
    AuditEvent,
    InboundMessage,
    OutboxMessage,
    ReplyToken,
    Request,
    RequestService,
)
from tests.conftest import REPO

NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)
SERVICES = ("Jira", "Confluence", "Slack", "ServiceNow", "HARP")
OPEN = ("incomplete", "awaiting_cor", "awaiting_approval")
CLOSED = ("approved", "approved", "approved", "denied", "expired", "withdrawn")


def seed(url: str, count: int, open_share: float) -> None:
    rng = random.Random(5)
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    requests, services, events, inbound, outbox, tokens = [], [], [], [], [], []
    for n in range(1, count + 1):
        is_open = rng.random() < open_share
        state = rng.choice(OPEN) if is_open else rng.choice(CLOSED)
        created = NOW - timedelta(minutes=rng.randrange(1, 60 * 24 * 700))
        requests.append(
            {
                "id": n,
                "reference": f"ONB-{2000 + n // 10000}-{n % 10000:04d}",
                "year": 2000 + n // 10000,
                "seq": n % 10000,
                "state": state,
                "mailbox": "onboarding",
                "requester": f"user{n}@org{n % 900}.example.com",
                "requester_name": f"User {n}",
                "organization": f"Organization {n % 900}",
                "subject": "Access request",
                "reminders_sent": 0,
                "created_at": created,
                "updated_at": created,
                "closed_at": None if is_open else created + timedelta(days=3),
            }
        )
        for name in rng.sample(SERVICES, rng.choice((1, 1, 2))):
            reminded = rng.randrange(0, 4) if state == "awaiting_approval" else 0
            services.append(
                {
                    "request_id": n,
                    "service": name,
                    "decision": "pending" if is_open else "approved",
                    "reminders_sent": reminded,
                    "last_reminded_at": created + timedelta(days=2 * reminded)
                    if reminded
                    else None,
                }
            )
            if state == "awaiting_approval":
                tokens.append(
                    {
                        "token_hash": f"{n:032x}{len(tokens):032x}",
                        "request_id": n,
                        "scope": "approval",
                        "service": name,
                        "address": "lead@cms.example.gov",
                        "message_id": f"tok{len(tokens)}@onboard.example.gov",
                        "created_at": created,
                        "expires_at": created + timedelta(days=30),
                    }
                )
        for k, kind in enumerate(("request-created", "request-complete", "decision")):
            events.append(
                {
                    "request_id": n,
                    "at": created + timedelta(hours=k),
                    "kind": kind,
                    "actor": None,
                    "detail": {"n": n},
                }
            )
        inbound.append(
            {
                "message_key": f"{n:064x}",
                "message_id": f"m{n}@client.example.com",
                "mailbox": "onboarding",
                "folder": "new",
                "source_name": f"{n}.eml",
                "received_at": created,
                "sender": f"user{n}@org{n % 900}.example.com",
                "subject": "Access request",
                "status": "quarantined" if n % 5000 == 0 else "processed",
                "reason": "unrecognized" if n % 5000 == 0 else "request-created",
                "size": 2000,
                "request_id": n,
                "raw": b"x" * 200,
            }
        )
        outbox.append(
            {
                "message_id": f"o{n}@onboard.example.gov",
                "request_id": n,
                "kind": "acknowledgment",
                "mail_from": "onboarding@onboard.example.gov",
                "to_addr": f"user{n}@org{n % 900}.example.com",
                "recipients": [f"user{n}@org{n % 900}.example.com"],
                "raw": b"y" * 200,
                "status": "sent",
                "attempts": 1,
                "next_attempt_at": created,
                "created_at": created,
                "sent_at": created,
            }
        )
    with factory() as session, session.begin():
        for model, rows in (
            (Request, requests),
            (RequestService, services),
            (ReplyToken, tokens),
            (AuditEvent, events),
            (InboundMessage, inbound),
            (OutboxMessage, outbox),
        ):
            for start in range(0, len(rows), 20000):
                session.execute(insert(model), rows[start : start + 20000])
    engine.dispose()


def measure(url: str) -> None:
    config = load_config(REPO / "config.example.toml")
    renderer = load_renderer()
    engine = make_engine(url)
    factory = session_factory(engine)
    for run in range(3):
        started = time.perf_counter()
        with factory() as session:
            digest = gather(session, config, NOW)
        gathered = time.perf_counter()
        mail = compose(
            digest,
            renderer,
            recipients=config.digest.recipients,
            timezone=config.digest.timezone,
            onboarding_address="onboarding@onboard.example.gov",
        )
        done = time.perf_counter()
        raw = to_mime(
            mail,
            message_id="digest.bench@onboard.example.gov",
            sender=Address("onboardd", "onboarding@onboard.example.gov"),
            reply_to=None,
            date=NOW,
        )
        encoded = time.perf_counter()
        print(
            f"run {run + 1}: gather {gathered - started:.3f} s, render {done - gathered:.3f} s, "
            f"total {done - started:.3f} s (+ MIME {encoded - done:.3f} s, "
            f"{len(raw) / 1e6:.2f} MB); {digest.open_count} open, "
            f"{digest.escalated_count} escalated; text {len(mail.text) / 1e6:.2f} MB, "
            f"html {len(mail.html) / 1e6:.2f} MB"
        )
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--open-share", type=float, default=0.05)
    parser.add_argument("--url")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    started = time.perf_counter()
    seed(url, args.requests, args.open_share)
    print(f"seeded {args.requests} requests in {time.perf_counter() - started:.1f} s ({url})")
    measure(url)


if __name__ == "__main__":
    main()
