"""extract_facts and wants_withdrawal on fixture mails and small hand-written ones."""

from __future__ import annotations

import pytest

from onboardd.parsers.facts import extract_facts, wants_withdrawal
from onboardd.parsers.model import Address, CorStatus, RequestFacts
from tests.parsers.support import CATALOG, CORS, fixture, mail


def facts_of(name: str) -> RequestFacts:
    return extract_facts(fixture(name), CATALOG, CORS)


def facts_in(
    body: str,
    head: str = "From: Jane <jane@acme.example.com>\nSubject: Request",
) -> RequestFacts:
    return extract_facts(mail(head, body), CATALOG, CORS)


def test_short_labels() -> None:
    facts = facts_of("labels-short.eml")
    assert facts.organization == "Harbor Point Consulting"
    assert facts.services == ("Slack",)
    assert facts.justification == "Daily coordination with the agency release managers."
    assert facts.user_count == 1200
    assert facts.cor.status is CorStatus.STATED
    assert facts.cor.address == "dana.smith@cms.example.gov"
    assert facts.cor.name == "Dana Smith"
    assert facts.cor_value == "Yes - Dana Smith (dana.smith@cms.example.gov)"
    assert facts.security_official == Address("Rita Gomez", "rita.gomez@harborpoint.example.com")
    assert facts.contract_number == "HHSM-500-2026-00017"


def test_published_long_labels_alone_on_their_lines() -> None:
    facts = facts_of("labels-long-blocks.eml")
    assert facts.organization == "Northwind Health Partners"
    assert facts.services == ("Identity Management (IDM)", "CMS Enterprise Portal")
    assert facts.justification == (
        "Our eligibility staff must sign in to the portal to review\nprovider files every day."
    )
    assert facts.user_count == 25
    assert facts.cor.status is CorStatus.MISSING and facts.cor_value == "pending"


def test_numbered_list_and_dash_separator() -> None:
    facts = facts_of("labels-numbered.eml")
    assert facts.organization == "BlueCrest Data LLC"
    assert facts.services == ("Jira",)
    assert facts.justification == "Sprint tracking for the data migration."
    assert facts.user_count == 30
    assert facts.cor.status is CorStatus.MISSING and facts.cor_value == "TBD"


@pytest.mark.parametrize(
    ("label", "fact"),
    [
        ("Name of the organization (HARP organization name preferred)", "organization"),
        ("Org", "organization"),
        ("Organization", "organization"),
        ("Organisation", "organization"),
        ("Company", "organization"),
        ("HARP org", "organization"),
        ("Name of IT service(s)", "services"),
        ("Service", "services"),
        ("Services", "services"),
        ("IT Service", "services"),
        ("Application", "services"),
        ("Business justification for use of the service", "justification"),
        ("Justification", "justification"),
        ("Business justification", "justification"),
        ("Reason", "justification"),
        ("Estimated number of users", "user_count"),
        ("Users", "user_count"),
        ("User count", "user_count"),
        ("Number of users", "user_count"),
        ("# of users", "user_count"),
        ("Estimated users", "user_count"),
        ("COR", "cor"),
        ("COR approval", "cor"),
        ("COR Approved", "cor"),
    ],
)
@pytest.mark.parametrize(
    "form",
    [
        "{label}: {value}",
        "**{label}** - {value}",
        "- {label}: {value}",
        "{label}\n{value}",
        "2) {label}: {value}",
    ],
)
def test_every_label_in_every_form(label: str, fact: str, form: str) -> None:
    values = {
        "organization": "Acme Health",
        "services": "Jira",
        "justification": "Tracking work.",
        "user_count": "12",
        "cor": "approved by Dana Smith <dana.smith@cms.example.gov>",
    }
    facts = facts_in("Hello,\n\n" + form.format(label=label, value=values[fact]) + "\n\nThanks\n")
    got = {
        "organization": facts.organization,
        "services": ",".join(facts.services),
        "justification": facts.justification,
        "user_count": str(facts.user_count),
        "cor": facts.cor_value,
    }
    assert got[fact] == values[fact]


def test_optional_security_official_and_contract_forms() -> None:
    facts = facts_in("Security Officer: sam.lee@acmehealth.example.com\nContract: 75F-1\n")
    assert facts.security_official == Address("", "sam.lee@acmehealth.example.com")
    assert facts.contract_number == "75F-1"
    assert facts_in("SO: Sam Lee\n").security_official == Address("Sam Lee", "")
    assert facts_in(
        "Security Official: Sam Lee (Sam.Lee@acmehealth.example.com)\n"
    ).security_official == Address("Sam Lee", "sam.lee@acmehealth.example.com")


def test_justification_runs_until_blank_line_or_next_label() -> None:
    facts = facts_in("Justification: first line\nsecond line\nUsers: 4\n")
    assert facts.justification == "first line\nsecond line"
    assert facts.user_count == 4


@pytest.mark.parametrize(
    ("value", "count", "invalid"),
    [
        ("25", 25, None),
        ("1,200", 1200, None),
        ("twenty-five", 25, None),
        ("two hundred", 200, None),
        ("one thousand two hundred and fifty", 1250, None),
        ("approximately 40", 40, None),
        ("about 40", 40, None),
        ("~40", 40, None),
        ("40+", 40, None),
        ("20-30", 30, None),
        ("20 to 30", 30, None),
        ("up to 50", 50, None),
        ("approximately forty", 40, None),
        ("25 users", 25, None),
        ("0", None, "0"),
        ("-5", None, "-5"),
        ("lots", None, "lots"),
        ("TBD", None, "TBD"),
        ("none", None, "none"),
        ("2.5", None, "2.5"),
    ],
)
def test_user_counts(value: str, count: int | None, invalid: str | None) -> None:
    facts = facts_in(f"Estimated number of users: {value}\n")
    assert (facts.user_count, facts.user_count_invalid) == (count, invalid)


def test_several_services_known_and_unknown_in_order() -> None:
    facts = facts_of("services-several.eml")
    assert facts.services == (
        "Jira",
        "Confluence",
        "Slack",
        "ServiceNow",
        "Identity Management (IDM)",
    )
    assert facts.unknown_services == ("Jira Align Pro", "Zoom")
    assert facts.user_count == 50


def test_unknown_service_named_back_as_written() -> None:
    facts = facts_in("Services: Jira Align Pro\n")
    assert facts.services == () and facts.unknown_services == ("Jira Align Pro",)


def test_services_named_in_a_sentence_or_the_subject() -> None:
    facts = facts_of("services-sentence.eml")
    assert facts.services == ("Jira", "Confluence")  # not Slack: "some slack" is lower case
    assert facts.organization == "Oakridge Analytics"
    assert facts_in(
        "Organization: X\n", head="From: a@b.example.com\nSubject: Need HARP"
    ).services == ("HARP",)


def test_long_organization_label_names_no_service() -> None:
    facts = facts_in("Name of the organization (HARP organization name preferred): Acme\n")
    assert facts.services == ()


def test_quoted_values_are_never_read() -> None:
    facts = facts_of("reply-quote-trap.eml")
    assert facts.user_count == 30
    assert facts.organization is None
    assert facts.cor.status is CorStatus.MISSING and facts.cor_value is None
    facts = facts_of("reply-outlook-trap.eml")
    assert facts.justification == "Claims analysts need the chat channels for daily stand-ups."
    assert facts.organization is None and facts.user_count is None and facts.services == ()


def test_html_table_request_read_and_its_quote_ignored() -> None:
    facts = facts_of("html-table-outlook-reply.eml")
    assert facts.organization == "Sakura Systems Inc."
    assert facts.services == ("Jira", "Confluence")
    assert facts.user_count == 200
    assert facts.justification is None


def test_windows_1252_and_quoted_printable_requests() -> None:
    facts = facts_of("cp1252.eml")
    assert facts.organization == "Kontor Geschäftsdienste GmbH"
    assert facts.justification == "We document the “café ordering” workflow – budget € 5,000."
    facts = facts_of("quoted-printable.eml")
    assert facts.organization == "Riverbend Soluções"
    assert facts.user_count == 11
    assert facts.cor.status is CorStatus.MISSING and facts.cor_value == "to follow"


def test_forwarded_attachment_from_the_cor_is_forwarded_evidence() -> None:
    facts = facts_of("forward-attached-cor.eml")
    assert facts.cor.status is CorStatus.FORWARDED
    assert facts.cor.address == "dana.smith@cms.example.gov"
    assert facts.organization == "Acme Health Solutions"  # not the forwarded mail's lines
    assert facts.user_count == 10


@pytest.mark.parametrize(
    "name", ["forward-gmail-inline.eml", "forward-outlook-inline.eml", "forward-outlook-html.eml"]
)
def test_inline_forwarded_cor_approval(name: str) -> None:
    facts = facts_of(name)
    assert facts.cor.status is CorStatus.FORWARDED
    assert facts.cor.address == "dana.smith@cms.example.gov"


def test_forwarded_refusal_is_no_approval() -> None:
    assert facts_of("forward-apple-inline.eml").cor.status is CorStatus.MISSING


def test_cor_as_sender_is_verified() -> None:
    facts = facts_of("html-gmail-reply.eml")
    assert facts.cor.status is CorStatus.VERIFIED
    assert facts.cor.address == "dana.smith@cms.example.gov"
    assert facts.user_count is None  # 25 stands only in the quote
    head = "From: Dana Smith <dana.smith@cms.example.gov>\nSubject: Re: request"
    assert facts_in("This is not approved yet.\n", head=head).cor.status is CorStatus.MISSING
    assert facts_in("Still pending on my side.\n", head=head).cor.status is CorStatus.MISSING
    assert facts_in("No.\n", head=head).cor.status is CorStatus.MISSING
    assert facts_in("This has not been approved.\n", head=head).cor.status is CorStatus.MISSING
    assert facts_in("No problem, approved.\n", head=head).cor.status is CorStatus.VERIFIED


@pytest.mark.parametrize(
    ("value", "status", "address"),
    [
        (
            "approved by Dana Smith <dana.smith@cms.example.gov>",
            CorStatus.STATED,
            "dana.smith@cms.example.gov",
        ),
        (
            "Yes - Dana Smith (Dana.Smith@cms.example.gov)",
            CorStatus.STATED,
            "dana.smith@cms.example.gov",
        ),
        ("Approved", CorStatus.STATED, None),
        ("not approved", CorStatus.MISSING, None),
        ("pending", CorStatus.MISSING, None),
        ("to follow", CorStatus.MISSING, None),
        ("TBD", CorStatus.MISSING, None),
        ("No", CorStatus.MISSING, None),
        ("not yet", CorStatus.MISSING, None),
        ("will send", CorStatus.MISSING, None),
        ("Dana will send her approval", CorStatus.MISSING, None),
        (
            "No objection - dana.smith@cms.example.gov",
            CorStatus.STATED,
            "dana.smith@cms.example.gov",
        ),
        ("I do not approve", CorStatus.MISSING, None),
    ],
)
def test_cor_line_values(value: str, status: CorStatus, address: str | None) -> None:
    facts = facts_in(f"COR approval: {value}\n")
    assert (facts.cor.status, facts.cor.address) == (status, address)
    assert facts.cor_value == value


def test_stated_without_address_takes_the_one_cor_on_cc() -> None:
    head = (
        "From: Jane <jane@acme.example.com>\nCc: Dana Smith <Dana.Smith@cms.example.gov>, "
        "Bob <bob@acme.example.com>\nSubject: Request"
    )
    facts = facts_in("COR approval: approved by Dana Smith\n", head=head)
    assert facts.cor.status is CorStatus.STATED
    assert (facts.cor.address, facts.cor.name) == ("dana.smith@cms.example.gov", "Dana Smith")
    assert facts_in("Organization: Acme\n", head=head).cor.status is CorStatus.STATED
    assert facts_in("COR: pending\n", head=head).cor.status is CorStatus.MISSING


@pytest.mark.parametrize(
    ("text", "wanted"),
    [
        ("Please cancel this request.", True),
        ("Hi team,\n\nwithdraw", True),
        ("We withdraw our request.", True),
        ("Please do not cancel this request, the COR approval follows.", False),
        ("Don't withdraw it please", False),
        ("Organization: Acme\nJustification: we cancel paper forms.", False),
        ("Users: 30", False),
    ],
)
def test_wants_withdrawal(text: str, wanted: bool) -> None:
    assert wants_withdrawal(text) is wanted


def test_withdrawal_fixture_reads_the_reply_not_the_quote() -> None:
    assert wants_withdrawal(fixture("withdraw.eml").reply_text)
    assert not wants_withdrawal(fixture("reply-quote-trap.eml").reply_text)


def test_an_address_wrapped_onto_the_next_line_belongs_to_the_cor_line() -> None:
    facts = facts_in("COR approval: approved by Dana Smith\n<dana.smith@cms.example.gov>\n")
    assert facts.cor.status is CorStatus.STATED
    assert facts.cor.address == "dana.smith@cms.example.gov"
    assert facts.cor.name == "Dana Smith"
    assert facts.cor_value == "approved by Dana Smith <dana.smith@cms.example.gov>"


@pytest.mark.parametrize("separator", [": ", ":\t", "\t", "   ", ":\n"])
def test_a_signature_and_a_disclaimer_name_no_fact(separator: str) -> None:
    signature = "".join(f"{label}{separator}{value}\n" for label, value in (
        ("Phone", "(410) 555-0100 x12"), ("Cell", "410.555.0199"), ("Fax", "410-555-0101"),
        ("Office", "Suite 400, Baltimore"), ("Email", "jane.doe@acmehealth.example.com"),
        ("Title", "Project Manager, Health IT Services")))
    facts = facts_in(
        "Hi team, we need Jira for our analysts.\n\nThanks,\nJane Doe\n" + signature
        + "\nCONFIDENTIALITY NOTICE: This e-mail, including any attachments, is for the "
        "sole use of the intended recipient(s) and may contain information that is:\n"
        "privileged, confidential or otherwise protected.\n"
    )
    assert facts.services == ("Jira",)
    assert (facts.organization, facts.user_count, facts.user_count_invalid) == (None, None, None)
    assert facts.justification is None and facts.cor.status is CorStatus.MISSING
    assert "organization" not in dict(facts.sources)


def test_a_signature_under_a_request_leaves_its_count_alone() -> None:
    facts = facts_in(
        "Organization: Acme Health\nService: Jira\nNumber of users: 12\n\n"
        "Jane Doe | Acme Health\nPhone: 410-555-0100\nFax: 410-555-0101\n"
    )
    assert (facts.organization, facts.user_count) == ("Acme Health", 12)
    assert dict(facts.sources) == {
        "organization": "labels", "services": "labels", "user_count": "labels"}
