"""The requester and sender templates, rendered as the daemon renders them.

Contexts are built field by field from the real dataclasses, the way
`responders.context.base_context` builds them, so a renamed attribute or a
missing key fails here under StrictUndefined rather than in the ingest loop.
"""

from __future__ import annotations

import dataclasses
import os
import random
import re
import time
from datetime import UTC, date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, FileSystemLoader, PackageLoader

from onboardd.daemon.app import load_renderer
from onboardd.parsers.contract_notice import Contact
from onboardd.parsers.facts import extract_facts
from onboardd.parsers.labels import label_line
from onboardd.parsers.message import parse_message
from onboardd.parsers.model import Address, CatalogEntry, CorDirectory, CorEvidence, CorStatus
from onboardd.responders.assess import LABELS, FieldReport, assess
from onboardd.responders.context import base_context
from onboardd.responders.intake import Inbound, handle_inbound
from onboardd.responders.policy import CorPolicy, Organization, Policy, Service
from onboardd.responders.render import Renderer, make_environment
from onboardd.responders.state import Decision, State
from onboardd.responders.view import ContractView, RequestView, ServiceDecision

ONBOARDING = "onboarding@onboard.example.gov"
NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
JANE = Address("Jane Doe", "jane.doe@acmehealth.example.com")
HOSTILE = "<script>alert(1)</script>"

SERVICES = (
    Service(
        name="Jira",
        aliases=("Atlassian Jira",),
        leads=("jira.lead@cms.example.gov",),
        description="Issue and project tracking for development and operations teams.",
        onboarding="Request the role 'Jira User' in the agency portal.",
    ),
    Service(
        name="Confluence",
        aliases=("Wiki",),
        leads=("confluence.lead@cms.example.gov",),
        description="The team wiki for project documentation, meeting notes and runbooks.",
        onboarding="Request the role 'Confluence Contributor' in the agency portal.",
    ),
    Service(
        name="Identity Management (IDM)",
        aliases=("IDM",),
        leads=("idm.lead@cms.example.gov",),
        description="Single sign-on and multi-factor authentication for agency web applications.",
        onboarding="Register in IDM with a work address.",
    ),
)
POLICY = Policy(services=SERVICES, help_address=ONBOARDING)

# The kinds this suite covers; each has a text and an HTML part.
KINDS = (
    "requester/missing_fields",
    "requester/acknowledgment",
    "requester/withdrawn",
    "requester/status",
    "sender/help",
)


@pytest.fixture(scope="module")
def env() -> Environment:
    """The installed package's templates, in the environment the daemon uses."""
    return make_environment(PackageLoader("onboardd.templates", "."))


def render(env: Environment, template: str, context: dict[str, Any]) -> tuple[str, str]:
    text = env.get_template(f"{template}.txt.j2").render(context)
    html = env.get_template(f"{template}.html.j2").render(context)
    return text, html


def flat(text: str) -> str:
    """Whitespace folded, so wrapped sentences can be searched for."""
    return " ".join(text.split())


# --- requests at each point of their life ---------------------------------------------------

def incomplete(**changes: Any) -> RequestView:
    view = RequestView(
        reference="ONB-2026-0042",
        state=State.INCOMPLETE,
        requester=JANE,
        created_at=NOW,
        subject="Access request",
        organization="Acme Health Solutions",
        services=(ServiceDecision("Confluence"),),
        unknown_services=("Jira Align Pro",),
        user_count_invalid="twenty-five",
        cor=CorEvidence(CorStatus.MISSING, None, None, "pending"),
    )
    return dataclasses.replace(view, **changes)


def complete(state: State, **changes: Any) -> RequestView:
    view = RequestView(
        reference="ONB-2026-0043",
        state=state,
        requester=JANE,
        created_at=NOW,
        subject="Access request",
        organization="Acme Health Solutions",
        justification="Our developers track defects for the claims task order.\n"
        "They keep release notes in the wiki.",
        user_count=25,
        services=(ServiceDecision("Jira"), ServiceDecision("Confluence")),
        cor=CorEvidence(CorStatus.STATED, "dana.smith@cms.example.gov", "Dana Smith"),
        security_official=Address("Sam Lee", "so@acmehealth.example.com"),
        contract_number="75FCMC23C0042",
    )
    return dataclasses.replace(view, **changes)


def incomplete_fields() -> tuple[FieldReport, ...]:
    """What assess reports for `incomplete()`, written out as the brief describes it."""
    return (
        FieldReport("organization", LABELS["organization"], "Acme Health Solutions"),
        FieldReport(
            "services",
            LABELS["services"],
            "Confluence, Jira Align Pro",
            'not in our service catalog: "Jira Align Pro"; the services we offer are: '
            "Jira, Confluence, Identity Management (IDM)",
        ),
        FieldReport("justification", LABELS["justification"], None, "missing"),
        FieldReport(
            "user_count", LABELS["user_count"], "twenty-five", "not a positive whole number"
        ),
        FieldReport("cor_approval", LABELS["cor_approval"], None, "missing (pending)"),
    )


def context(
    request: RequestView | None,
    fields: tuple[FieldReport, ...] | None = None,
    *,
    sender_name: str = "Jane Doe",
    subject: str = "[ONB-2026-0042] Information needed for your onboarding request",
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "request": request,
        "services": SERVICES,
        "sender_name": sender_name,
        "onboarding_address": ONBOARDING,
        "labels": tuple(LABELS.values()),
        "subject": subject,
    }
    if fields is not None:
        values["fields"] = fields
    return values


def every_context() -> list[tuple[str, dict[str, Any]]]:
    cor_view = complete(State.AWAITING_COR)
    approval_view = complete(
        State.AWAITING_APPROVAL,
        cor=CorEvidence(CorStatus.VERIFIED, "dana.smith@cms.example.gov", None),
    )
    return [
        ("requester/missing_fields", context(incomplete(), incomplete_fields())),
        ("requester/missing_fields", context(incomplete(), assess(incomplete()), sender_name="")),
        ("requester/acknowledgment", context(cor_view, assess(cor_view))),
        ("requester/acknowledgment", context(approval_view, assess(approval_view))),
        ("requester/withdrawn", context(incomplete(state=State.WITHDRAWN))),
        *(("requester/status", status_context(view)) for view in status_views()),
        *contract_contexts(),
        *offboarding_contexts(),
        ("sender/help", context(None, sender_name="")),
    ]


def offboarding_contexts() -> list[tuple[str, dict[str, Any]]]:
    """An offboarding's letters: in progress (one service removed), done, and with no
    service to remove; a status notice of each of its states."""
    dana = Address("Dana Smith", "dana.smith@cms.example.gov")
    awarded = ContractView("awarded", dana, "75FCMC27C0012", "Acme Health Solutions", JANE,
                           date(2027, 1, 4), date(2028, 1, 3))
    removing = complete(State.AWAITING_REMOVAL, kind="offboarding", justification=None,
                        user_count=None, services=(
                            ServiceDecision("Jira", Decision.REMOVED,
                                            "jira.lead@cms.example.gov", NOW),
                            ServiceDecision("Confluence")))
    done = dataclasses.replace(removing, state=State.OFFBOARDED, services=(
        removing.services[0],))
    empty = dataclasses.replace(done, services=())
    jira = SERVICES[0]

    def values(view: RequestView | None, **more: Any) -> dict[str, Any]:
        return base_context(POLICY, view, "Dana Smith") | {"contract": awarded,
                                                           "subject": "s", **more}

    return [
        ("lead/removal_request", values(removing, service=jira, lead="jira.lead@x.gov")),
        ("lead/removal_clarification", values(removing, service=jira)),
        ("lead/removal_reminder", values(removing, service=jira, lead="jira.lead@x.gov",
                                         waiting_days=4, reminder_number=3,
                                         reminder_limit=3)),
        ("so/roles_removal", values(removing, entries=(("Jira", jira),
                                                       ("Retired Tool", None)))),
        ("requester/offboarding_acknowledgment", values(
            removing, opened_by_date=False, already=None, reference=removing.reference,
            services=(("Jira", jira.leads), ("Retired Tool", ())))),
        ("requester/offboarding_acknowledgment", values(
            empty, opened_by_date=True, already=None, reference=empty.reference,
            services=())),
        ("requester/offboarding_acknowledgment", values(
            None, opened_by_date=False, already="ONB-2026-0044", reference="ONB-2026-0044",
            services=())),
        ("cor/contract_closed", values(done, closed_on=NOW.date())),
        ("cor/contract_closed", values(empty, closed_on=NOW.date())),
        *(("requester/status", status_context(view)) for view in (
            removing, done, dataclasses.replace(removing, state=State.WITHDRAWN))),
    ]


def contract_contexts() -> list[tuple[str, dict[str, Any]]]:
    """The contract notices, with every fact and with the facts a notice can lack."""
    dana = Address("Dana Smith", "dana.smith@cms.example.gov")
    awarded = ContractView("awarded", dana, "75FCMC27C0012", "Acme Health Solutions", JANE,
                           date(2027, 1, 4), date(2028, 1, 3))
    bare = ContractView("awarded", dana, None, HOSTILE)
    solicited = ContractView("solicitation", dana, organization="Acme Health Solutions",
                             award_expected_on=date(2027, 3, 15))
    named = dataclasses.replace(awarded, security_official=Contact(
        "Sam Lee", "sam.lee@acmehealth.example.com", "SLEE01"), spoc=Contact("Ana Cruz"))

    changes = ("replace the Security Point of Contact, Ana Cruz, with Bob Roe "
               "<bob.roe@acmehealth.example.com>", "remove Sam Lee as Security Official")
    no_change: dict[str, Any] = {"pending": (), "waiting": (), "reference": None}
    pending: dict[str, Any] = {"pending": changes, "reference": "ONB-2026-0002", "waiting": (
        "the confirmation of the COR, Dana Smith, whom we have asked",
        "the HARP user ID of the new Security Point of Contact, Bob Roe: please reply to "
        "this mail with a line such as \"HARP user ID: ABCD123\"")}

    def values(contract: ContractView, **more: Any) -> dict[str, Any]:
        return {"contract": contract, "request": None, "sender_name": "Dana Smith",
                "onboarding_address": ONBOARDING, "subject": "s", **more}

    return [
        ("cor/award_acknowledgment", values(awarded, missing=(), extension=False)),
        ("cor/award_acknowledgment", values(awarded, missing=(), extension=True)),
        ("cor/award_acknowledgment", values(bare, missing=("organization", "contract number"),
                                                   extension=False)),
        ("cor/solicitation_acknowledgment", values(solicited, missing=())),
        ("cor/solicitation_acknowledgment", values(bare, missing=())),
        ("contractor/contacts_request", values(awarded, due_days=1, due_from=date(2027, 1, 4))),
        ("contractor/contacts_acknowledgment", values(named, still_needed=(
            "the Security Point of Contact's email address",
            "the Security Point of Contact's HARP user ID"), held=(), **no_change)),
        ("contractor/contacts_acknowledgment", values(named, still_needed=(), held=(),
                                                      **no_change)),
        ("contractor/contacts_acknowledgment", values(named, still_needed=(), held=(
            "Eve is not the Security Point of Contact on record (Ana Cruz), so nobody was "
            "removed",), **no_change)),
        ("contractor/contacts_acknowledgment", values(named, still_needed=(), held=(),
                                                      **pending)),
        ("contractor/role_assigned", values(named, role="Security Official")),
        ("contractor/role_assigned", values(named, role="Security Point of Contact")),
        ("contractor/role_assigned", values(named, role="COR")),
        ("contractor/role_ended", values(named, role="Security Point of Contact",
                                         removed=False)),
        ("contractor/role_ended", values(named, role="Security Point of Contact",
                                         removed=True)),
        *(("cor/contact_change_confirmation", values(named, request=change, changes=changes))
          for change in changes_in(State.AWAITING_COR)),
        *(("contractor/contact_change_status", values(
            named, request=change, changes=changes, reason=reason, decided=decided,
            still_needed=("the Security Point of Contact",),
            waiting=pending["waiting"] if change.state.is_open else ()))
          for change in changes_in(State.AWAITING_COR, State.INCOMPLETE, State.APPROVED,
                                   State.DENIED, State.WITHDRAWN)
          for reason, decided in (("", False), ("Ana stays.", True))),
        ("contractor/contacts_reminder", values(named, still_needed=(
            "the Security Point of Contact's HARP user ID",))),
        ("contractor/survey", values(awarded, survey_url="https://survey.example.gov/s?id=1")),
        ("cor/offboarding_notice", values(awarded, days_left=60, reminder=False, approved=(
            ("Jira", SERVICES[0]), ("Retired Tool", None)))),
        ("cor/offboarding_notice", values(awarded, days_left=-3, reminder=False, approved=())),
        ("cor/offboarding_notice", values(awarded, days_left=30, reminder=True, approved=())),
    ]


def changes_in(*states: State) -> list[RequestView]:
    """A contact-change request in each of `states`, its COR approval each way."""
    base = incomplete(kind="contact-change")
    return [dataclasses.replace(base, state=state, cor=CorEvidence(
        status, "dana.smith@cms.example.gov", "Dana Smith"))
        for state in states for status in (CorStatus.STATED, CorStatus.FORWARDED,
                                           CorStatus.MISSING)]


def status_views() -> list[RequestView]:
    """A request in each state a status notice speaks of, one service decided."""
    decided = (ServiceDecision("Jira", Decision.APPROVED, "jira.lead@cms.example.gov", NOW),
               ServiceDecision("Confluence", Decision.DENIED, "wiki.lead@cms.example.gov", NOW,
                               "They already have access under another contract."))
    waiting = (decided[0], ServiceDecision("Confluence"))
    return [
        complete(State.AWAITING_COR),
        complete(State.AWAITING_APPROVAL, services=waiting),
        complete(State.APPROVED, services=decided),
        complete(State.DENIED, services=(decided[1],)),
        incomplete(state=State.EXPIRED),
        incomplete(state=State.WITHDRAWN),
    ]


def status_context(view: RequestView) -> dict[str, Any]:
    waiting = tuple((s.service, next(svc.leads for svc in SERVICES if svc.name == s.service))
                    for s in view.services if s.decision is Decision.PENDING)
    return context(view, assess(view)) | {"waiting": waiting, "today": NOW.date()}


CASES = every_context()
IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CASES)]


# --- every template -------------------------------------------------------------------------

@pytest.mark.parametrize(("template", "values"), CASES, ids=IDS)
def test_every_kind_renders_both_parts_under_strict_undefined(
    env: Environment, template: str, values: dict[str, Any]
) -> None:
    text, html = render(env, template, values)
    greeting = f"Hello {values['sender_name']}," if values["sender_name"] else "Hello,"
    assert text.startswith(greeting + "\n\n")
    assert f">{greeting}</p>" in html
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")


def without_a_number(values: dict[str, Any]) -> dict[str, Any]:
    """The same letter for a contract recorded without a number (a notice left it out)."""
    changed = dict(values)
    if isinstance(changed.get("contract"), ContractView):
        changed["contract"] = dataclasses.replace(changed["contract"], number=None)
    if isinstance(changed.get("request"), RequestView):
        changed["request"] = dataclasses.replace(changed["request"], contract_number=None)
    return changed


NUMBERED = [(name, values) for name, values in CASES
            if isinstance(values.get("contract"), ContractView)]


@pytest.mark.parametrize(("template", "values"), NUMBERED,
                         ids=[f"{name}-{i}" for i, (name, _) in enumerate(NUMBERED)])
def test_a_contract_without_a_number_is_never_written_as_none(
    env: Environment, template: str, values: dict[str, Any]
) -> None:
    text, html = render(env, template, without_a_number(values))
    assert "None" not in text and "None" not in html


@pytest.mark.parametrize(("template", "values"), CASES, ids=IDS)
def test_text_part_is_plain_and_wrapped_near_72_columns(
    env: Environment, template: str, values: dict[str, Any]
) -> None:
    text, _ = render(env, template, values)
    assert not re.search(r"</?(p|br|table|tr|td|strong|em|ul|ol|li|pre|span)\b", text)
    assert not re.search(r"&(lt|gt|amp|rsquo|#\d+);", text)
    for line in text.splitlines():
        assert len(line) <= 72, line
        assert line == "-- " or line == line.rstrip(), repr(line)
    assert "\n-- \nIT Services Onboarding\n" in text
    assert "automatic message from the onboarding desk" in flat(text)
    assert "Replies to it are read by the system" in flat(text)


@pytest.mark.parametrize(("template", "values"), CASES, ids=IDS)
def test_html_part_is_self_contained_and_framed(
    env: Environment, template: str, values: dict[str, Any]
) -> None:
    _, html = render(env, template, values)
    # The survey's address is the one web address a notice shows, as text, not a link.
    lowered = html.replace(values.get("survey_url", "") or "\0", "").lower()
    for banned in ("http://", "https://", "src=", "href=", "<link", "<style", "<script", "url(",
                   "<img"):
        assert banned not in lowered, banned
    assert "max-width:640px" in html
    assert "IT Services Onboarding" in html
    assert "automatic message from the onboarding desk" in flat(html)
    assert "Replies to it are read by the system" in flat(html)
    request = values["request"]
    if request is not None:
        assert f"Request {request.reference}</td>" in html  # the header names the request


def test_the_context_the_workflow_builds_renders_every_kind(env: Environment) -> None:
    """base_context is what intake hands the renderer; it must satisfy every template."""
    views = {
        "requester/missing_fields": incomplete(),
        "requester/acknowledgment": complete(State.AWAITING_COR),
        "requester/withdrawn": incomplete(state=State.WITHDRAWN),
        "requester/status": complete(State.AWAITING_APPROVAL),
        "sender/help": None,
    }
    for template, view in views.items():
        values = base_context(POLICY, view, "Doe, Jane") | {"subject": "s", "waiting": (),
                                                            "today": NOW.date()}
        text, _ = render(env, template, values)
        assert text.startswith("Hello Jane Doe,\n")


def test_the_daemon_renderer_compiles_every_template_and_renders_these() -> None:
    renderer = load_renderer()  # FileSystemLoader on the package, as the daemon starts
    for kind in KINDS:
        assert {f"{kind}.txt.j2", f"{kind}.html.j2"} <= renderer.names()
    for template, values in CASES:
        text, html = renderer.render(template, values)
        assert text and html


def test_renderer_loads_the_templates_from_the_package(env: Environment) -> None:
    assert env.loader is not None
    renderer = Renderer(make_environment(env.loader))
    names = renderer.names()
    for name in names:
        if name.endswith(".txt.j2") and not name.startswith("_"):
            assert name.replace(".txt.j2", ".html.j2") in names, f"{name} has no HTML part"
    assert {"_layout.html.j2", "_footer.txt.j2"} <= names


def test_renderer_keeps_the_templates_it_started_with(tmp_path: Path) -> None:
    """A layout edited on disk while the daemon runs does not reach the next reply: the
    templates are checked once, at start, and not stat()ed again on every render."""
    (tmp_path / "_base.txt.j2").write_text("old layout: {% block body %}{% endblock %}")
    (tmp_path / "_base.html.j2").write_text("<p>{% block body %}{% endblock %}</p>")
    for part in ("txt", "html"):
        (tmp_path / f"note.{part}.j2").write_text(
            f'{{% extends "_base.{part}.j2" %}}{{% block body %}}hi{{% endblock %}}'
        )
    renderer = Renderer(make_environment(FileSystemLoader(tmp_path)))
    assert renderer.render("note", {})[0] == "old layout: hi"

    (tmp_path / "_base.txt.j2").write_text("new layout: {% block body %}{% endblock %}")
    later = time.time() + 60  # a newer mtime whatever the file system's granularity
    os.utime(tmp_path / "_base.txt.j2", (later, later))
    assert renderer.render("note", {})[0] == "old layout: hi"


# --- missing fields -------------------------------------------------------------------------

def still_needed(text: str) -> str:
    return text.split("Still needed:")[1].split("reply to this mail")[0]


def test_missing_fields_quotes_what_was_read_and_lists_what_is_missing(env: Environment) -> None:
    text, html = render(env, "requester/missing_fields", context(incomplete(), incomplete_fields()))
    read = text.split("What we read from your mail:")[1].split("Still needed:")[0]
    for field in incomplete_fields():
        assert f"  {field.label}:\n" in read
    for value in ("Acme Health Solutions", "Confluence, Jira Align Pro", "twenty-five"):
        assert value in read and value in html
    assert read.count("(not found)") == 2  # justification and COR approval

    needed = still_needed(text)
    assert "Business Justification for Use of Service: missing" in needed
    assert "Estimated Number of Users: not a positive whole number" in needed
    assert "COR Approval: missing (pending)" in needed
    assert LABELS["organization"] not in needed  # nothing wrong with it
    html_needed = html.split(">Still needed<")[1]
    for label in ("Name of QualityNet IT Service", "Business Justification for Use of Service",
                  "Estimated Number of Users"):
        assert f"<strong>{label}</strong>" in html_needed
    assert "missing (pending)" in html_needed


def test_missing_fields_names_an_unknown_service_back_with_the_catalog(env: Environment) -> None:
    text, html = render(env, "requester/missing_fields", context(incomplete(), incomplete_fields()))
    assert 'not in our service catalog: "Jira Align Pro"' in flat(text)
    assert "not in our service catalog: &#34;Jira Align Pro&#34;" in html
    for service in SERVICES:
        entry = f"{service.name}: {service.description}"
        assert flat(text).count(entry) == 1, entry  # the catalog appears once, in full
        assert service.description in html
    assert "the services we offer are:" not in text


def test_missing_fields_leaves_the_catalog_out_when_the_services_are_fine(
    env: Environment,
) -> None:
    view = incomplete(unknown_services=(), justification=None)
    text, html = render(env, "requester/missing_fields", context(view, assess(view)))
    assert SERVICES[0].description not in flat(text)
    assert SERVICES[0].description not in html
    assert "Name of QualityNet IT Service:" not in still_needed(text)


def test_missing_fields_asks_for_a_reply_in_label_value_form(env: Environment) -> None:
    text, html = render(env, "requester/missing_fields", context(incomplete(), incomplete_fields()))
    words = flat(text)
    assert "reply to this mail and keep ONB-2026-0042 in the subject" in words
    assert '"Label: value"' in words
    assert "Label: value" in html and "ONB-2026-0042</strong> in the subject" in html
    # The lines offered for copying are exactly the missing facts, and the parser
    # reads each back as the fact it names once a value is written after the colon.
    block = text.split("after each colon:\n\n")[1].split("\n\n")[0].splitlines()
    wanted = [f for f in incomplete_fields() if f.problem]
    assert block == [f"  {f.label}:" for f in wanted]
    facts = {"cor_approval": "cor"}
    for line, field in zip(block, wanted, strict=True):
        assert label_line(line + " x") == (facts.get(field.key, field.key), "x")


def test_missing_fields_html_escapes_what_the_sender_wrote(env: Environment) -> None:
    view = incomplete(organization=HOSTILE, unknown_services=("<b>Jira</b>",))
    text, html = render(env, "requester/missing_fields", context(view, assess(view)))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Jira&lt;/b&gt;" in html
    assert "<script>" not in html and "<b>" not in html
    assert HOSTILE in text and '"<b>Jira</b>"' in text


def test_shared_field_lists_show_a_problem_inline_unless_told_not_to(env: Environment) -> None:
    """Reminders and COR confirmations rely on the default; missing_fields opts out."""
    fields = incomplete_fields()
    text = env.from_string(
        '{% from "_macros.txt.j2" import fields_list %}{{ fields_list(fields) }}'
    ).render(fields=fields)
    assert "      twenty-five\n      -> not a positive whole number\n" in text
    assert "the services we offer are" not in text
    html = env.from_string(
        '{% autoescape true %}{% from "_macros.html.j2" import fields_table %}'
        "{{ fields_table(fields) }}{% endautoescape %}"
    ).render(fields=fields)
    assert "twenty-five<br><span" in html and "not a positive whole number</span>" in html
    quiet = env.from_string(
        '{% from "_macros.txt.j2" import fields_list %}{{ fields_list(fields, problems=false) }}'
    ).render(fields=fields)
    assert "->" not in quiet


# --- acknowledgment -------------------------------------------------------------------------

def test_acknowledgment_awaiting_cor_says_the_cor_is_asked_to_confirm(env: Environment) -> None:
    view = complete(State.AWAITING_COR)
    text, html = render(env, "requester/acknowledgment", context(view, assess(view)))
    words = flat(text)
    assert "ONB-2026-0043" in words
    assert "asking the COR, Dana Smith <dana.smith@cms.example.gov>, to confirm" in words
    assert "Once the COR confirms, the Service Lead(s) of Jira and Confluence" in words
    assert "asking the COR, Dana Smith &lt;dana.smith@cms.example.gov&gt;, to confirm" in html
    assert "Once the COR confirms, the Service Lead(s) of Jira and Confluence" in flat(html)
    for value in ("Acme Health Solutions", "25", "Sam Lee <so@acmehealth.example.com>"):
        assert value in text
    assert "75FCMC23C0042" in text and "75FCMC23C0042" in html


@pytest.mark.parametrize(
    ("name", "address", "phrase"),
    [
        (None, "dana.smith@cms.example.gov", "the COR, <dana.smith@cms.example.gov>, to confirm"),
        ("Dana Smith", None, "the COR, Dana Smith, to confirm"),
        (None, None, "the COR to confirm"),
    ],
)
def test_acknowledgment_names_the_cor_with_what_is_known(
    env: Environment, name: str | None, address: str | None, phrase: str
) -> None:
    view = complete(State.AWAITING_COR, cor=CorEvidence(CorStatus.FORWARDED, address, name))
    text, html = render(env, "requester/acknowledgment", context(view, assess(view)))
    assert phrase in flat(text)
    assert phrase.replace("<", "&lt;").replace(">", "&gt;") in flat(html)


def test_acknowledgment_awaiting_approval_says_the_leads_are_asked(env: Environment) -> None:
    view = complete(
        State.AWAITING_APPROVAL,
        cor=CorEvidence(CorStatus.VERIFIED, "dana.smith@cms.example.gov", None),
    )
    text, html = render(env, "requester/acknowledgment", context(view, assess(view)))
    for part in (flat(text), flat(html)):
        assert "We have asked the Service Lead(s) of Jira and Confluence to approve it" in part
        assert "asking the COR" not in part
        assert "welcome package" in part


def test_acknowledgment_says_how_to_withdraw(env: Environment) -> None:
    view = complete(State.AWAITING_COR)
    text, html = render(env, "requester/acknowledgment", context(view, assess(view)))
    assert 'reply to this mail with the word "withdraw"' in flat(text)
    assert "reply to this mail with the word <strong>withdraw</strong>" in flat(html)


def test_acknowledgment_html_escapes_what_the_sender_wrote(env: Environment) -> None:
    view = complete(State.AWAITING_COR, organization=HOSTILE, justification="a & b <i>")
    text, html = render(env, "requester/acknowledgment", context(view, assess(view)))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert "a &amp; b &lt;i&gt;" in html
    assert HOSTILE in text and "a & b <i>" in text


# --- withdrawn ------------------------------------------------------------------------------

def test_withdrawn_confirms_and_explains_how_to_start_again(env: Environment) -> None:
    view = incomplete(state=State.WITHDRAWN)
    text, html = render(env, "requester/withdrawn", context(view))
    words = flat(text)
    assert "we have withdrawn onboarding request ONB-2026-0042 for Acme Health Solutions" in words
    assert f"send a new mail to {ONBOARDING}, not a reply to this one" in words
    for label in LABELS.values():
        assert f"  {label}:\n" in text
        assert label in html
    # The request is closed: the footer no longer asks to keep its reference.
    assert "please keep ONB-2026-0042" not in words
    assert "please keep ONB-2026-0042" not in flat(html)


def test_withdrawn_html_escapes_the_organization(env: Environment) -> None:
    view = incomplete(state=State.WITHDRAWN, organization=HOSTILE)
    text, html = render(env, "requester/withdrawn", context(view))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>" not in html
    assert HOSTILE in text


# --- help -----------------------------------------------------------------------------------

def test_help_explains_the_facts_the_options_and_the_catalog(env: Environment) -> None:
    text, html = render(env, "sender/help", context(None, sender_name=""))
    for label in LABELS.values():
        assert f"  {label}\n" in text
        assert f"<li style=\"margin:0 0 4px 0;\">{label}</li>" in html.replace("&#39;", "'")
    for part in (flat(text), flat(html)):
        assert "Security Official" in part and "Contract number" in part
        assert f"send a new mail to {ONBOARDING}" in part.replace("Send", "send")
        for service in SERVICES:
            assert service.name in part and service.description in part
    assert "ONB-" not in text  # no request, so no reference anywhere
    assert "Request ONB" not in html


def test_help_example_is_a_request_the_parser_reads_in_full(env: Environment) -> None:
    text, _ = render(env, "sender/help", context(None))
    example = text.split("An example you can copy and adapt:\n\n")[1].split("\n\n")[0]
    mail = EmailMessage()
    mail["From"] = "Chris Park <chris.park@consulting.example.com>"
    mail["To"] = ONBOARDING
    mail["Subject"] = "Access request"
    mail["Message-ID"] = "<example@consulting.example.com>"
    mail.set_content(example + "\n")
    catalog = tuple(CatalogEntry(s.name, s.aliases) for s in SERVICES)
    facts = extract_facts(
        parse_message(bytes(mail)), catalog, CorDirectory(domains=frozenset({"agency.example.gov"}))
    )
    assert facts.organization == "Example Consulting Group"
    assert facts.services == ("Jira",) and facts.unknown_services == ()
    assert facts.justification is not None and "reporting project" in facts.justification
    assert facts.user_count == 12
    assert facts.cor.status is CorStatus.STATED
    assert facts.cor.address == "alex.rivera@agency.example.gov"
    assert facts.security_official is not None
    assert facts.security_official.email == "chris.park@consulting.example.com"
    assert facts.contract_number == "00-EXAMPLE-0001"


def test_help_html_escapes_the_sender_name(env: Environment) -> None:
    text, html = render(env, "sender/help", context(None, sender_name=HOSTILE))
    assert "Hello &lt;script&gt;alert(1)&lt;/script&gt;," in html and "<script>" not in html
    assert text.startswith(f"Hello {HOSTILE},")


def test_subject_is_escaped_in_the_html_title(env: Environment) -> None:
    _, html = render(env, "sender/help", context(None, subject=f"Re: {HOSTILE}"))
    assert "<title>Re: &lt;script&gt;alert(1)&lt;/script&gt;</title>" in html


def test_remembered_wordwrap_wraps_as_jinja_does_the_first_time_and_after() -> None:
    from jinja2.filters import do_wordwrap

    from onboardd.responders import render

    environment = Environment()
    wordwrap = render.remembered_wordwrap(environment)
    prose = "As the Security Official you approve who gets access and who loses it. " * 4
    too_long_to_keep = "x " * render.LONGEST_KEPT
    texts = [prose, "short", "", "a-very-long-hyphenated-word-" * 6, too_long_to_keep]
    for options in [(72,), (66, False, None, False), (40, True, "\r\n", True)]:
        for text in texts:
            expected = do_wordwrap(environment, text, *options)
            assert wordwrap(text, *options) == expected
            assert wordwrap(text, *options) == expected  # now from what was remembered


# The two text helpers as the Jinja2 macros they replaced wrote them: the oracle for
# the Python versions registered by make_environment.
FORMER_MACROS = """
{% macro wrap(indent=0) %}
{{ caller() | wordwrap(72 - indent, break_long_words=false, break_on_hyphens=false) | indent(indent, first=true) }}
{% endmacro %}
{% macro item(text, bullet="  - ") -%}
{{ bullet }}{{ text | wordwrap(72 - bullet | length, break_long_words=false, break_on_hyphens=false) | indent(bullet | length) }}
{%- endmacro %}
"""  # noqa: E501


@pytest.mark.parametrize("seed", range(30))
def test_wrap_and_item_write_what_the_former_macros_wrote(env: Environment, seed: int) -> None:
    chance = random.Random(seed)
    words = ["a", "word", "ONB-2026-0042", "Name <someone@example.gov>", "x" * 90, "well-known",
             "über", "", "\t"]
    text = " ".join(chance.choice(words) for _ in range(chance.randint(0, 60)))
    if chance.random() < 0.3:
        text += "\nsecond line " + text
    bullet = chance.choice(["  - ", "  1. ", "      -> ", ""])
    indent = chance.choice([0, 2, 6])
    # Not autoescaped, as the .txt.j2 templates are not (a template from a string is).
    old = env.from_string(
        "{% autoescape false %}" + FORMER_MACROS + "{{ item(text, bullet) }}|"
        "{% call wrap(" + str(indent) + ") %}\n{{ text }}\n{% endcall %}\nend"
        "{% endautoescape %}"
    )
    new = env.from_string(
        "{% autoescape false %}{{ item(text, bullet) }}|"
        "{% filter wrap(" + str(indent) + ") %}\n{{ text }}\n{% endfilter %}\nend"
        "{% endautoescape %}"
    )
    values = {"text": text, "bullet": bullet}
    assert new.render(values) == old.render(values).lstrip("\n")


# --- what we read from the mail, said back ---------------------------------------------------

SENTENCES = (
    (LABELS["services"], "from a sentence"),
    (LABELS["user_count"], "from a sentence"),
)


def said_back(text: str) -> str:
    """The note that says which facts were read other than from labelled lines."""
    words = flat(text)
    return words.split("labelled line")[1].split("What happens next")[0].split("Still needed")[0]


def test_missing_fields_says_back_facts_read_from_sentences(env: Environment) -> None:
    values = context(incomplete(), incomplete_fields()) | {"read_from": SENTENCES}
    text, html = render(env, "requester/missing_fields", values)
    words = flat(text)
    assert "We read these from the wording of your mail rather than from labelled lines" in words
    note = said_back(text)
    assert "- Name of QualityNet IT Service (from a sentence)" in note
    assert "- Estimated Number of Users (from a sentence)" in note
    assert LABELS["organization"] not in note  # given as a label: nothing to say back
    # The note follows what was read and comes before what is still needed.
    assert words.index("What we read from your mail") < words.index("(from a sentence)")
    assert words.index("(from a sentence)") < words.index("Still needed")
    assert "<strong>Estimated Number of Users</strong> (from a sentence)</li>" in html
    assert "rather than from labelled lines; if we read one wrong" in flat(html)


def test_acknowledgment_names_the_attachment_and_the_domain_a_fact_came_from(
    env: Environment,
) -> None:
    view = complete(State.AWAITING_COR)
    read_from = (
        (LABELS["organization"], "from the domain of your mail address"),
        (LABELS["justification"], f"from the attachment {HOSTILE}.docx"),
    )
    text, html = render(env, "requester/acknowledgment", context(view, assess(view))
                        | {"read_from": read_from})
    words = flat(text)
    assert ("We did not find these as labelled lines in your mail; each shows where we read "
            "them instead.") in words
    assert "wording of your mail" not in words  # a domain and a file are not wording
    assert (f"- {LABELS['organization']} (from the domain of your mail address)"
            in said_back(text))
    assert f"(from the attachment {HOSTILE}.docx)" in words
    assert words.index("What we recorded") < words.index("(from the domain") < words.index(
        "What happens next")
    assert "(from the attachment &lt;script&gt;alert(1)&lt;/script&gt;.docx)</li>" in html
    assert "<script>" not in html


def test_one_fact_said_back_is_named_in_the_singular(env: Environment) -> None:
    view = complete(State.AWAITING_COR)
    values = context(view, assess(view)) | {"read_from": SENTENCES[1:]}
    text, html = render(env, "requester/acknowledgment", values)
    assert "We read this from the wording of your mail" in flat(text)
    assert "if we read it wrong" in flat(text) and "if we read it wrong" in flat(html)


@pytest.mark.parametrize("template", ["requester/missing_fields", "requester/acknowledgment"])
@pytest.mark.parametrize("read_from", [(), None])
def test_labelled_facts_are_not_said_back(
    env: Environment, template: str, read_from: tuple[tuple[str, str], ...] | None
) -> None:
    view = incomplete() if template.endswith("fields") else complete(State.AWAITING_COR)
    values = context(view, assess(view))
    if read_from is not None:
        values["read_from"] = read_from
    text, html = render(env, template, values)
    assert "labelled line" not in text and "labelled line" not in html


# The test policy with a COR domain and an organization whose people write from Jane's.
ACME = Organization(name="Acme Health Solutions", aliases=("Acme Health",),
                    domains=("acmehealth.example.com",))
DIRECTORY_POLICY = POLICY.model_copy(update={"cor": CorPolicy(domains=("cms.example.gov",)),
                                             "organizations": (ACME,)})


def _prose_inbound(body: str, policy: Policy = DIRECTORY_POLICY) -> Inbound:
    raw = ("From: Jane Doe <jane.doe@acmehealth.example.com>\nTo: " + ONBOARDING + "\n"
           "Subject: Jira please\nMessage-ID: <prose-1@acmehealth.example.com>\n"
           "Content-Type: text/plain; charset=utf-8\n\n" + body)
    return Inbound(mail=parse_message(raw.encode()), policy=policy, renderer=load_renderer(),
                   now=NOW, new_reference="ONB-2026-0050")


def test_the_workflow_says_back_what_a_prose_request_stated_and_where() -> None:
    outcome = handle_inbound(_prose_inbound(
        "Hi,\n\nWe need Jira for about 40 staff to track defects; our COR Dana Smith "
        "<dana.smith@cms.example.gov> approved this on 3/2.\n\nThanks,\nJane\n"))
    [ack, *_] = outcome.outgoing
    assert ack.kind == "acknowledgment"
    recorded = flat(ack.text.split("What we recorded:")[1].split("We did not find")[0])
    for value in ("Acme Health Solutions", "Jira", "track defects", "40", "Dana Smith"):
        assert value in recorded
    note = said_back(ack.text)
    assert f"{LABELS['organization']} (from the domain of your mail address)" in note
    for fact in ("services", "justification", "user_count", "cor_approval"):
        assert f"{LABELS[fact]} (from a sentence)" in note
    # In the order the facts are listed above it.
    assert [note.index(LABELS[f]) for f in LABELS if LABELS[f] in note] == sorted(
        note.index(LABELS[f]) for f in LABELS if LABELS[f] in note)


def test_the_workflow_says_nothing_back_for_a_labelled_request() -> None:
    outcome = handle_inbound(_prose_inbound(
        "Organization: Acme Health Solutions\nService: Jira\nJustification: track defects\n"
        "Users: 40\nCOR approval: approved by Dana Smith <dana.smith@cms.example.gov>\n"))
    [ack, *_] = outcome.outgoing
    assert ack.kind == "acknowledgment"
    assert "labelled line" not in ack.text and "labelled line" not in ack.html
