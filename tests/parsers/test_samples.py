"""The demo mails in samples/ read as the README promises."""

from __future__ import annotations

from onboardd.parsers.facts import extract_facts
from onboardd.parsers.message import parse_message
from onboardd.parsers.model import Address, CorStatus, ParsedEmail
from tests.conftest import SAMPLES
from tests.parsers.support import CATALOG, CORS


def sample(name: str) -> ParsedEmail:
    return parse_message((SAMPLES / name).read_bytes())


def test_complete_request() -> None:
    mail = sample("01-complete-request.eml")
    assert mail.auto.may_answer
    facts = extract_facts(mail, CATALOG, CORS)
    assert facts.organization == "Acme Health Solutions"
    assert facts.services == ("Jira", "Confluence")
    assert facts.justification and facts.justification.startswith("Our team of analysts")
    assert facts.user_count == 25
    assert facts.cor.status is CorStatus.STATED
    assert facts.cor.address == "dana.smith@cms.example.gov"
    assert facts.security_official == Address("Sam Lee", "sam.lee@acmehealth.example.com")


def test_missing_facts() -> None:
    mail = sample("02-missing-facts.eml")
    facts = extract_facts(mail, CATALOG, CORS)
    assert facts.organization == "BrightPath Analytics"
    assert facts.justification is None
    assert facts.cor.status is CorStatus.MISSING and facts.cor_value is None
    assert facts.unknown_services == ("Jira Align Pro",)


def test_out_of_office() -> None:
    auto = sample("03-out-of-office.eml").auto
    assert auto.generated and "auto-submitted: auto-replied" in auto.reasons


def test_html_only_table_request() -> None:
    mail = sample("04-html-only.eml")
    assert mail.html_only and mail.auto.may_answer
    facts = extract_facts(mail, CATALOG, CORS)
    assert facts.organization == "Lakeshore IT Services"
    assert facts.services == ("ServiceNow",)
    assert facts.justification
    assert facts.user_count == 40
    assert facts.cor.status is CorStatus.STATED
