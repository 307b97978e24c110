"""The digest, gathered from a seeded store: every section right, in a fixed number of queries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from onboardd.daemon import digest as digest_module
from onboardd.daemon.app import load_renderer
from onboardd.daemon.config import Config, load_config
from onboardd.daemon.digest import gather
from onboardd.responders.digest import Digest, compose
from onboardd.responders.view import OutgoingMail
from onboardd.store.engine import make_engine, session_factory, upgrade
from onboardd.store.models import Contract
from tests.conftest import REPO
from tests.ops.seed import Seeder

NOW = datetime(2026, 11, 23, 13, 0, tzinfo=UTC)  # 08:00 in America/New_York
H = timedelta(hours=1)
D = timedelta(days=1)


@dataclass
class World:
    """The seeded store and what the tests need to know about it."""

    factory: sessionmaker[Session]
    engine: Engine
    open_refs: dict[str, str]  # letter -> reference
    keys: dict[str, str]  # quarantined mail -> message key


@pytest.fixture
def config() -> Config:
    return load_config(REPO / "config.example.toml")


@contextmanager
def seeded(url: str) -> Iterator[World]:
    engine = make_engine(url)
    upgrade(engine)
    factory = session_factory(engine)
    with factory() as session, session.begin():
        refs, keys = seed(Seeder(session, NOW))
    try:
        yield World(factory, engine, refs, keys)
    finally:
        engine.dispose()


@pytest.fixture
def world(store_url: str) -> Iterator[World]:
    """The seeded world on each store (SQLite, PostgreSQL)."""
    with seeded(store_url) as made:
        yield made


def seed(s: Seeder) -> tuple[dict[str, str], dict[str, str]]:
    a = s.request("incomplete", age=5 * D, organization=None)
    b = s.request("incomplete", age=H, services=())
    c = s.request("awaiting_cor", age=2 * D, services=("Jira", "Confluence"))
    d = s.request("awaiting_approval", age=9 * D, reminded={"Jira": (3, 2 * D + H)})
    e = s.request(
        "awaiting_approval",
        age=10 * D,
        services=("ServiceNow", "Slack"),
        decisions={"Slack": "approved"},
        reminded={"ServiceNow": (3, 2 * D)},
    )
    f = s.request("awaiting_approval", age=3 * D, services=("Confluence",), reminded={})
    g = s.request("awaiting_approval", age=8 * D, reminded={"Jira": (3, D)})
    s.asked(d, "Jira", "jira.lead@cms.example.gov", 9 * D)
    s.asked(e, "ServiceNow", "itsm.lead@cms.example.gov", 9 * D)
    s.asked(e, "ServiceNow", "itsm.deputy@cms.example.gov", 9 * D)
    s.asked(f, "Confluence", "confluence.lead@cms.example.gov", D)
    s.asked(g, "Jira", "jira.lead@cms.example.gov", 8 * D)
    for state in ("approved", "approved", "approved", "denied", "expired", "withdrawn"):
        s.request(state, age=20 * D, closed_ago=2 * D)

    for ago in (23 * H, 2 * H, H):
        s.event("request-created", ago)
    s.event("request-created", 25 * H)  # outside the window
    # Passed on for approval: straight to the leads, and after the COR's reply; one that
    # still waits for its COR is not (yet) passed on.
    s.event("request-complete", 5 * H, state="awaiting_approval")
    s.event("request-complete", 4 * H, state="awaiting_cor")
    s.event("request-complete", 4 * H, state="awaiting_cor")
    s.event("cor-verified", 3 * H)
    s.event("request-approved", 3 * H)
    s.event("request-denied", 3 * H)
    s.event("cor-denied", 2 * H)
    s.event("request-expired", 6 * H)
    s.event("withdrawn", 7 * H)

    s.outbox("welcome-package", "sent", 2 * H)
    s.outbox("welcome-package", "sent", 2 * H)
    s.outbox("welcome-package", "sent", 30 * H)
    s.outbox("reminder", "sent", 3 * H)
    s.outbox("acknowledgment", "sent", H)
    s.outbox("approval-request", "failed", 3 * H, error="550 5.1.1 mailbox unavailable")
    s.outbox("approval-request", "failed", 10 * D, error="too old to list")
    s.outbox("acknowledgment", "pending", 0 * H, attempts=0)
    s.outbox("denial", "pending", H, attempts=2, error="421 try later")

    for ago in (H, 2 * H, 3 * H):
        s.inbound("processed", ago)
    s.inbound("backlog", 4 * H)
    s.inbound("processed", 2 * D)
    keys = {
        "large": s.inbound(
            "quarantined", 2 * H, reason="too-large", subject="Huge attachment"
        ).message_key,
        "script": s.inbound(
            "quarantined", 5 * H, reason="unrecognized", subject="<script>alert(1)</script>"
        ).message_key,
        "broken": s.inbound(
            "quarantined", 20 * H, reason="unparseable", subject="Broken MIME"
        ).message_key,
        "purged": s.inbound(
            "quarantined", 100 * D, reason="too-large", subject="Ancient", raw=None
        ).message_key,
    }

    s.event(
        "decision-refused",
        3 * H,
        request=d,
        actor="mallory@evil.example",
        reason="not a lead of Jira",
        service="Jira",
    )
    s.event(
        "decision-refused",
        2 * H,
        request=c,
        actor="dana.smith@cms.example.gov",
        reason="not authenticated: dmarc=fail",
    )
    s.event("decision-refused", 30 * H, request=c, actor="old@example.org", reason="too old")
    for ago in (H, 2 * H, 3 * H):
        s.event("rate-limited", ago, actor="flood@spam.example")
    s.event("rate-limited", 5 * H, actor="other@example.org")
    s.event("rate-limited", 2 * D, actor="flood@spam.example")
    question = s.inbound("processed", 4 * H, sender="curious@example.org", subject="What is this?")
    s.event("unclassified", 4 * H, actor="curious@example.org", message_key=question.message_key)

    s.mailbox("new", polled=5 * timedelta(minutes=1), mail=H)
    s.mailbox(
        "INBOX",
        polled=2 * H,
        error=("LOGIN failed: authentication failed", 10 * timedelta(minutes=1)),
    )
    refs = {
        letter: row.reference for letter, row in zip("abcdefg", (a, b, c, d, e, f, g), strict=True)
    }
    return refs, keys


def digest_of(world: World, config: Config) -> Digest:
    with world.factory() as session:
        return gather(session, config, NOW)


def test_counts_and_every_open_request(world: World, config: Config) -> None:
    digest = digest_of(world, config)
    assert dict(digest.counts) == {
        "incomplete": 2,
        "awaiting_cor": 1,
        "awaiting_approval": 4,
        "approved": 3,
        "denied": 1,
        "expired": 1,
        "withdrawn": 1,
    }
    refs = world.open_refs
    # In the order a request moves, oldest first within a state.
    assert [i.reference for i in digest.open_requests] == [
        refs[x] for x in ("a", "b", "c", "e", "d", "g", "f")
    ]
    by_ref = {i.reference: i for i in digest.open_requests}
    assert by_ref[refs["e"]].services == (("ServiceNow", "pending"), ("Slack", "approved"))
    assert by_ref[refs["a"]].organization is None
    assert by_ref[refs["b"]].services == ()


def test_escalations_by_lead_only_after_the_last_reminder_ran_out(
    world: World, config: Config
) -> None:
    digest = digest_of(world, config)
    refs = world.open_refs
    listed = {lead: [(e.reference, e.service) for e in items] for lead, items in digest.escalations}
    assert listed == {
        "jira.lead@cms.example.gov": [(refs["d"], "Jira")],
        "itsm.lead@cms.example.gov": [(refs["e"], "ServiceNow")],
        "itsm.deputy@cms.example.gov": [(refs["e"], "ServiceNow")],
    }
    assert digest.escalated_count == 2


def test_last_day_quarantine_refusals_breaker_mailboxes_outbox(
    world: World, config: Config
) -> None:
    digest = digest_of(world, config)
    a = digest.activity
    assert (a.new, a.completed, a.approved, a.denied, a.expired, a.withdrawn) == (3, 2, 1, 2, 1, 1)
    assert (a.welcome_packages, a.replies_sent, a.reminders_sent) == (2, 3, 1)
    assert (a.mails_received, a.mails_quarantined, a.mails_backlog) == (8, 3, 1)

    quarantine = {reason: [q.key for q in items] for reason, items in digest.quarantine}
    assert quarantine == {
        "too-large": [world.keys["purged"], world.keys["large"]],
        "unparseable": [world.keys["broken"]],
        "unrecognized": [world.keys["script"]],
    }
    assert digest.quarantined_count == 4
    purged = digest.quarantine[0][1][0]
    assert not purged.retryable and digest.quarantine[0][1][1].retryable

    assert [(r.actor, r.reason, r.service) for r in digest.refusals] == [
        ("mallory@evil.example", "not a lead of Jira", "Jira"),
        ("dana.smith@cms.example.gov", "not authenticated: dmarc=fail", None),
    ]
    assert digest.refusals[0].reference == world.open_refs["d"]
    assert [(t.address, t.count) for t in digest.rate_trips] == [
        ("flood@spam.example", 3),
        ("other@example.org", 1),
    ]
    assert [(u.sender, u.subject) for u in digest.unread] == [
        ("curious@example.org", "What is this?")
    ]
    assert {(m.folder, m.status) for m in digest.mailboxes} == {("new", "ok"), ("INBOX", "error")}
    assert (digest.outbox.pending, digest.outbox.deferred) == (2, 1)
    assert [f.last_error for f in digest.outbox.failed] == ["550 5.1.1 mailbox unavailable"]


def render(world: World, config: Config) -> OutgoingMail:
    return compose(
        digest_of(world, config),
        load_renderer(),
        recipients=config.digest.recipients,
        timezone=config.digest.timezone,
        onboarding_address="onboarding@onboard.example.gov",
    )


def test_text_and_html_list_every_open_request_and_how_to_retry(
    world: World, config: Config
) -> None:
    mail = render(world, config)
    assert mail.kind == "digest" and mail.auto_submitted == "auto-generated"
    assert [a.email for a in mail.to] == ["onboarding-staff@onboard.example.gov"]
    assert mail.subject == (
        "Onboarding digest 2026-11-23: 7 open, 2 escalated, 4 quarantined, 1 unsent"
    )
    for body in (mail.text, mail.html):
        for reference in world.open_refs.values():
            assert reference in body
        for name in ("large", "script", "broken"):
            assert f"onboardd quarantine retry {world.keys[name][:12]}" in body
        assert f"retry {world.keys['purged'][:12]}" not in body
        assert "cannot be retried" in body
        assert "onboardd outbox retry" in body
        assert "mallory@evil.example" in body and "not a lead of Jira" in body
        assert "flood@spam.example" in body
        assert "LOGIN failed" in body
        assert "2026-11-23 08:00 America/New_York" in body
    assert "<script>alert(1)</script>" not in mail.html  # autoescaped
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in mail.html
    # Nothing for a mail client to fetch: no images, stylesheets or scripts from outside.
    assert not re.search(r"""(src|href)\s*=|url\(|<link|<script""", mail.html, re.IGNORECASE)
    counts = mail.text[mail.text.index("REQUESTS BY STATE") :].splitlines()[1:8]
    assert [line.split()[:2] for line in counts] == [
        ["incomplete", "2"],
        ["awaiting_cor", "1"],
        ["awaiting_approval", "4"],
        ["approved", "3"],
        ["denied", "1"],
        ["expired", "1"],
        ["withdrawn", "1"],
    ]


def test_an_empty_store_says_so_in_every_section(store_url: str, config: Config) -> None:
    engine = make_engine(store_url)
    upgrade(engine)
    with session_factory(engine)() as session:
        digest = gather(session, config, NOW)
    engine.dispose()
    mail = compose(
        digest,
        load_renderer(),
        recipients=config.digest.recipients,
        timezone=config.digest.timezone,
        onboarding_address="onboarding@onboard.example.gov",
    )
    assert mail.subject == "Onboarding digest 2026-11-23: 0 open"
    for line in ("No open requests.", "The quarantine is empty.", "None in the last 24 hours."):
        assert line in mail.text and line in mail.html
    assert "never" in mail.text  # the mailbox was never polled


def test_the_number_of_queries_does_not_grow_with_the_requests(
    world: World, config: Config
) -> None:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    event.listen(world.engine, "before_cursor_execute", count)
    try:
        digest_of(world, config)
        few = len(statements)
        with world.factory() as session, session.begin():
            s = Seeder(session, NOW)
            for _ in range(60):
                row = s.request(
                    "awaiting_approval",
                    age=9 * D,
                    services=("Jira", "Slack"),
                    reminded={"Jira": (3, 3 * D)},
                )
                s.asked(row, "Jira", "jira.lead@cms.example.gov", 9 * D)
                s.event("decision-refused", H, request=row, actor="x@example.org", reason="r")
                s.inbound("quarantined", H, reason="unrecognized")
        statements.clear()
        bigger = digest_of(world, config)
    finally:
        event.remove(world.engine, "before_cursor_execute", count)
    assert len(bigger.open_requests) == 67
    # Nineteen SELECTs (and BEGIN on SQLite), whatever the number of requests.
    assert len(statements) == few <= 20


def test_contracts_starting_soon_and_contacts_overdue(world: World, config: Config) -> None:
    with world.factory() as session, session.begin():
        common = {"stage": "awarded", "cor_address": "dana.smith@cms.example.gov",
                  "created_at": NOW - 30 * D, "updated_at": NOW - 30 * D}
        session.add_all([
            Contract(number="75FCMC27C0001", organization="Soon Health",
                     starts_on=(NOW + 5 * D).date(), contractor_address="a@soon.example.com",
                     **common),
            Contract(number="75FCMC27C0002", organization="Later Health",
                     starts_on=(NOW + 40 * D).date(), **common),
            Contract(number="75FCMC26C0003", organization="Late Health",
                     starts_on=(NOW - 3 * D).date(), contractor_address="b@late.example.com",
                     contacts_requested_at=NOW - 3 * D, so_name="Sam Lee",
                     so_address="sam@late.example.com", so_harp_id="SLEE01", **common),
            Contract(number="75FCMC26C0004", organization="Prompt Health",
                     starts_on=(NOW - 3 * D).date(), contractor_address="c@prompt.example.com",
                     contacts_requested_at=NOW - 3 * D, so_name="Ann", so_address="ann@p.example",
                     so_harp_id="ANN001", spoc_name="Bo", spoc_address="bo@p.example",
                     spoc_harp_id="BO0001", **common),
        ])
    digest = digest_of(world, config)
    assert [c.number for c in digest.contracts_starting] == ["75FCMC27C0001"]
    [overdue] = digest.contacts_overdue
    assert overdue.number == "75FCMC26C0003"
    assert overdue.still_needed == ("the Security Point of Contact",)
    assert digest.attention
    mail = render(world, config)
    for body in (mail.text, mail.html):
        assert "75FCMC27C0001" in body and "Soon Health" in body
        assert "75FCMC26C0003" in body and "the Security Point of Contact" in body
        assert "75FCMC27C0002" not in body and "75FCMC26C0004" not in body
    assert "1 contract(s) whose SO or SPOC is overdue" in mail.text


def test_a_pile_up_is_counted_in_full_but_listed_up_to_the_limit(
    world: World, config: Config, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(digest_module, "LISTED", 3)
    digest = digest_of(world, config)
    refs = world.open_refs
    assert digest.open_count == 7 and digest.unlisted == 4
    # The three oldest, whatever their state, shown in the usual order.
    assert [i.reference for i in digest.open_requests] == [refs[x] for x in ("e", "d", "g")]
    mail = render(world, config)
    assert "and 4 more, newer ones" in mail.text and "and 4 more, newer ones" in mail.html
    assert mail.subject.startswith("Onboarding digest 2026-11-23: 7 open")
