"""Mutated mails through the whole ingest transaction: each ends processed or quarantined."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from jinja2 import DictLoader
from sqlalchemy import select

from onboardd.daemon.app import App, build
from onboardd.daemon.config import load_config
from onboardd.daemon.ingest import Pipeline, ingest
from onboardd.daemon.mailbox import FetchedMail
from onboardd.responders.render import Renderer, make_environment
from onboardd.store.models import InboundMessage
from tests.conftest import REPO, STORES, store_for
from tests.parsers.test_fuzz import mutated

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
EXAMPLES = 150


@pytest.fixture(scope="module", params=STORES)
def app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    # One database for every example: hypothesis runs all examples in one test call.
    folder = tmp_path_factory.mktemp("fuzz")
    config = folder / "config.toml"
    shutil.copy(REPO / "config.example.toml", config)
    with store_for(request.param, folder) as url:
        config.write_text(config.read_text().replace("sqlite:///var/onboardd.db", url))
        built = build(load_config(config))
        yield built
        built.engine.dispose()


def deliver(app: App, pipeline: Pipeline, raw: bytes) -> str:
    mail = FetchedMail("onboarding", "new", "fuzz", raw, arrived_at=NOW)
    return ingest(pipeline, mail, sender=app.sender_for("onboarding"), now=NOW).status


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated())
def test_mutated_mails_never_escape_the_pipeline(app: App, raw: bytes) -> None:
    status = deliver(app, app.pipeline, raw)
    assert status in {"processed", "quarantined", "duplicate", "backlog"}
    with app.pipeline.factory() as session:
        row = session.scalar(select(InboundMessage).order_by(InboundMessage.id.desc()).limit(1))
        assert row is not None and row.raw is not None
        assert row.status != "quarantined" or row.reason


def test_an_error_inside_the_workflow_quarantines_with_the_reason(app: App) -> None:
    """Templates missing at run time: the mail is kept, quarantined, and the next one works."""
    broken = Renderer(make_environment(DictLoader({"x.txt.j2": "", "x.html.j2": ""})))
    pipeline = Pipeline(app.pipeline.factory, app.pipeline.policy, broken)
    raw = (
        b"From: Jane <jane.doe@acmehealth.example.com>\nSubject: access\n"
        b"Message-ID: <broken-1@acmehealth.example.com>\n\nOrganization: Acme Health\n"
    )
    assert deliver(app, pipeline, raw) == "quarantined"
    with pipeline.factory() as session:
        row = session.scalar(
            select(InboundMessage).where(
                InboundMessage.message_id == "broken-1@acmehealth.example.com"
            )
        )
        assert row is not None and row.reason == "unrecognized"
        assert row.error and "TemplateError" in row.error and row.raw == raw
    assert deliver(app, app.pipeline, raw.replace(b"broken-1", b"works-1")) == "processed"
