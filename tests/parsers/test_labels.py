"""Labels read by what their words mean: the published form, its rewordings, and lookalikes."""

from __future__ import annotations

import pytest

from onboardd.parsers.facts import extract_facts
from onboardd.parsers.labels import fact_of_label, label_line, read_labels
from onboardd.parsers.message import parse_message
from onboardd.parsers.model import CorStatus
from tests.parsers.support import CATALOG, CORS, mail

# The five labels of the onboarding page, as contractors copy them.
PUBLISHED = (
    "Name of Organization (HARP Organization Name Preferred)",
    "Name of QualityNet IT Service",
    "Business Justification for Use of Service",
    "Estimated Number of Users",
    "COR Approval",
)


@pytest.mark.parametrize(
    ("label", "fact"),
    [
        # organization
        ("Name of Organization (HARP Organization Name Preferred)", "organization"),
        ("Name of Organization", "organization"),
        ("Organization Name", "organization"),
        ("HARP Organization Name", "organization"),
        ("HARP Org Name", "organization"),
        ("Organisation", "organization"),
        ("Company name", "organization"),
        ("Contractor", "organization"),
        ("Contracting company", "organization"),
        ("Legal name of the organization", "organization"),
        ("Orgnization name", "organization"),
        # services
        ("Name of QualityNet IT Service", "services"),
        ("Name of QualityNet IT Service(s)", "services"),
        ("Name of HCQIS IT Services", "services"),
        ("CCSQ service(s) requested", "services"),
        ("Requested service", "services"),
        ("Service(s) requested", "services"),
        ("Application name", "services"),
        ("Requested applications", "services"),
        ("IT service", "services"),
        ("Tools needed", "services"),
        ("Sevices", "services"),
        # justification
        ("Business Justification for Use of Service", "justification"),
        ("Business Justification for Use of the Service(s)", "justification"),
        ("Business justification for the use of the services", "justification"),
        ("Justification", "justification"),
        ("Business need", "justification"),
        ("Reason for request", "justification"),
        ("Purpose of access", "justification"),
        ("Use case", "justification"),
        ("Justifcation", "justification"),
        # user count
        ("Estimated Number of Users", "user_count"),
        ("Estimated # of Users", "user_count"),
        ("# of users", "user_count"),
        ("No. of users", "user_count"),
        ("Number of users requesting access", "user_count"),
        ("How many users", "user_count"),
        ("User count", "user_count"),
        ("Users", "user_count"),
        ("Expected number of accounts", "user_count"),
        ("Estimated seats", "user_count"),
        ("Estimated numbr of users", "user_count"),
        # COR
        ("COR Approval", "cor"),
        ("COR approval status", "cor"),
        ("COR", "cor"),
        ("Contracting Officer's Representative approval", "cor"),
        ("COR sign-off", "cor"),
        # optional facts
        ("Security Official", "security_official"),
        ("SO email", "security_official"),
        ("Contract number", "contract_number"),
        ("Contract #", "contract_number"),
    ],
)
def test_labels_are_read_by_meaning(label: str, fact: str) -> None:
    assert fact_of_label(label) == fact
    assert fact_of_label(label.upper()) == fact


@pytest.mark.parametrize(
    "label",
    [
        "Phone", "Office", "Fax", "Cell", "Mobile", "Email", "Name", "Title", "Subject",
        "Sent", "Date", "Address", "Locations", "Service Desk", "IT Service Center",
        "System Administrator", "Security Point of Contact", "Note",
        "The following services are needed for our team",
        "If you received this message in error please notify the sender",
        "Confidentiality notice",
    ],
)
def test_lookalikes_are_not_labels(label: str) -> None:
    assert fact_of_label(label) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Name of QualityNet IT Service: Jira", ("services", "Jira")),
        ("**Estimated Number of Users:** 40", ("user_count", "40")),
        ("*Name of QualityNet IT Service*: Jira", ("services", "Jira")),
        ("- Name of QualityNet IT Service: Jira", ("services", "Jira")),
        ("1. COR Approval: yes", ("cor", "yes")),
        ("Name of Organization (HARP Organization Name Preferred)\tAcme Health Solutions",
         ("organization", "Acme Health Solutions")),
        ("Estimated Number of Users      25", ("user_count", "25")),
        ("Estimated Number of Users - 25", ("user_count", "25")),
        ("Estimated Number of Users", ("user_count", "")),
        ("Estimated Number of Users:", ("user_count", "")),
        ("COR Approval (NOTE: COR approval for the new service request is required before we "
         "can proceed. Please include your COR's approval with your request.): Approved by "
         "Dana Smith", ("cor", "Approved by Dana Smith")),
        ("Name of QualityNet IT Service：Jira", ("services", "Jira")),
        ("Phone: 410-555-0100", None),
        ("Office: (410) 555-0100 x25", None),
    ],
)
def test_label_lines(line: str, expected: tuple[str, str] | None) -> None:
    assert label_line(line) == expected


def test_values_on_the_next_line_and_after_a_blank_line() -> None:
    text = "\n".join([
        "Name of Organization (HARP Organization Name Preferred)",
        "Acme Health Solutions",
        "Name of QualityNet IT Service",
        "",
        "Jira",
        "Estimated Number of Users:",
        "40",
    ])
    assert read_labels(text) == {
        "organization": "Acme Health Solutions", "services": "Jira", "user_count": "40"}


def test_the_published_form_copied_word_for_word_is_read_completely() -> None:
    body = (
        "Hello Onboarding Team,\n\n"
        "Please onboard us to an additional service.\n\n"
        "Name of Organization (HARP Organization Name Preferred): Acme Health Solutions\n"
        "Name of QualityNet IT Service: Jira\n"
        "Business Justification for Use of Service: Our analysts track quality-reporting\n"
        "defects with the CMS team.\n"
        "Estimated Number of Users: 40\n"
        "COR Approval: approved by Dana Smith <dana.smith@cms.example.gov>\n\n"
        "Thank you,\nJane Doe\nAcme Health Solutions\nPhone: 410-555-0100\n"
        "Office: Suite 400\n"
    )
    facts = extract_facts(
        mail("From: Jane Doe <jane@acmehealth.example.com>\nSubject: Jira access", body),
        CATALOG, CORS,
    )
    assert facts.organization == "Acme Health Solutions"
    assert facts.services == ("Jira",)
    assert facts.justification is not None and "quality-reporting" in facts.justification
    assert "defects with the CMS team." in facts.justification
    assert facts.user_count == 40
    assert facts.cor.status is CorStatus.STATED
    assert facts.cor.address == "dana.smith@cms.example.gov"


def test_the_published_form_with_values_under_each_label() -> None:
    body = "\n\n".join(f"{label}\n{value}" for label, value in zip(PUBLISHED, (
        "Brightpath Analytics", "Confluence and Slack", "Shared project documentation",
        "about 12", "Dana Smith approved on 3/2 <dana.smith@cms.example.gov>"), strict=True))
    facts = extract_facts(mail("From: r@brightpath.example.net\nSubject: request", body),
                          CATALOG, CORS)
    assert facts.organization == "Brightpath Analytics"
    assert facts.services == ("Confluence", "Slack")
    assert facts.justification == "Shared project documentation"
    assert facts.user_count == 12
    assert facts.cor.status is CorStatus.STATED


def test_the_html_part_gives_what_the_plain_part_dropped() -> None:
    """Outlook's plain part can lose the table a request was typed into; the HTML part
    still has it, in Word's markup, and each fact is taken from where it is stated."""
    rows = "".join(
        f'<tr><td valign="top"><p class="MsoNormal"><b>{label}<o:p></o:p></b></p></td>'
        f'<td valign="top"><p class="MsoNormal">{value}<o:p></o:p></p></td></tr>'
        for label, value in zip(PUBLISHED, (
            "Acme Health Solutions", "Jira", "Defect tracking with the CMS team", "40",
            "Approved by Dana Smith &lt;dana.smith@cms.example.gov&gt;"), strict=True))
    raw = (
        "From: Jane Doe <jane@acmehealth.example.com>\nSubject: request\nMIME-Version: 1.0\n"
        'Content-Type: multipart/alternative; boundary="b"\n\n--b\n'
        "Content-Type: text/plain; charset=utf-8\n\n"
        "Hello,\n\nPlease see our request in the table below.\n\n"
        "Name of Organization (HARP Organization Name Preferred): Acme Health Solutions\n\n"
        "Thanks,\nJane\n\n--b\nContent-Type: text/html; charset=utf-8\n\n"
        '<html><body><div class="WordSection1"><p class="MsoNormal">Hello,<o:p></o:p></p>'
        f'<table class="MsoTableGrid">{rows}</table>'
        '<p class="MsoNormal">Thanks,<br>Jane<o:p></o:p></p></div></body></html>\n--b--\n'
    ).encode()
    facts = extract_facts(parse_message(raw), CATALOG, CORS)
    assert facts.organization == "Acme Health Solutions"
    assert facts.services == ("Jira",)
    assert facts.user_count == 40
    assert facts.justification == "Defect tracking with the CMS team"
    assert facts.cor.status is CorStatus.STATED
    assert dict(facts.sources) == {
        "organization": "labels", "services": "the HTML part", "user_count": "the HTML part",
        "justification": "the HTML part", "cor": "the HTML part"}


def test_a_complete_plain_part_leaves_the_html_unread() -> None:
    raw = (
        "From: Jane Doe <jane@acmehealth.example.com>\nSubject: request\nMIME-Version: 1.0\n"
        'Content-Type: multipart/alternative; boundary="b"\n\n--b\n'
        "Content-Type: text/plain; charset=utf-8\n\n"
        + "".join(f"{label}: {value}\n" for label, value in zip(PUBLISHED, (
            "Acme Health Solutions", "Jira", "Defects", "40", "approved by "
            "dana.smith@cms.example.gov"), strict=True))
        + "\n--b\nContent-Type: text/html; charset=utf-8\n\n"
        "<p>Estimated Number of Users: 999</p>\n--b--\n"
    ).encode()
    facts = extract_facts(parse_message(raw), CATALOG, CORS)
    assert facts.user_count == 40
    assert {place for _, place in facts.sources} == {"labels"}


@pytest.mark.parametrize(
    ("label", "fact"),
    [("Approval from COR", "cor"), ("COR Approval Obtained", "cor"),
     ("Why the service is needed", "justification")],
)
def test_more_wordings_people_use(label: str, fact: str) -> None:
    assert fact_of_label(label) == fact


def test_a_catalog_name_with_and_in_it_is_not_cut_in_two() -> None:
    from onboardd.parsers.services import match_services

    assert match_services("HCQIS Access Roles and Profile, ServiceNow", CATALOG) == (
        ("HARP", "ServiceNow"), ())
    assert match_services("Jira and Confluence", CATALOG) == (("Jira", "Confluence"), ())


def test_format_flowed_lines_are_joined_as_typed() -> None:
    raw = (
        b"From: Jane <jane@acmehealth.example.com>\nSubject: request\nMIME-Version: 1.0\n"
        b'Content-Type: text/plain; charset=utf-8; format=flowed\n\n'
        b"Name of Organization (HARP Organization Name Preferred): Lakeshore IT \n"
        b"Partners\nCOR Approval: approved by Dana Smith \n<dana.smith@cms.example.gov>\n"
        b"\n-- \nJane\n"
    )
    facts = extract_facts(parse_message(raw), CATALOG, CORS)
    assert facts.organization == "Lakeshore IT Partners"
    assert facts.cor.address == "dana.smith@cms.example.gov"


@pytest.mark.parametrize(
    ("line", "expected"),
    [("Below is our request for an additional service.", None),
     ("We would like to request a new service!", None),
     ("Contract No.", ("contract_number", "")),
     ("Name of Organization (HARP Organization Name Preferred) Pioneer Quality Partners",
      ("organization", "Pioneer Quality Partners")),
     ("Estimated Number of Users (approximate) 40", ("user_count", "40"))],
)
def test_a_sentence_is_no_label_and_a_remark_may_end_one(
        line: str, expected: tuple[str, str] | None) -> None:
    assert label_line(line) == expected


def test_an_opening_sentence_about_a_service_takes_no_value() -> None:
    text = ("Below is our request for an additional service.\n\n"
            "Name of Organization (HARP Organization Name Preferred) Pioneer Quality Partners\n"
            "Name of QualityNet IT Service\tSlack Enterprise Grid\n")
    assert read_labels(text) == {
        "organization": "Pioneer Quality Partners", "services": "Slack Enterprise Grid"}


def test_the_s_in_brackets_does_not_end_a_label() -> None:
    assert label_line("QualityNet IT Service(s) Requested") == ("services", "")
    assert read_labels("QualityNet IT Service(s) Requested\n\nHARP Portal\n") == {
        "services": "HARP Portal"}


def test_a_forms_title_gives_way_to_the_label_under_it() -> None:
    form = ("Request for an Additional QualityNet IT Service\n"
            "Submitted by Carla Ruiz, carla.ruiz@bayside.example.net\n"
            "Contractor name: Bayside Care Metrics, Inc.\n"
            "Name of QualityNet IT Service: Jira / Slack workspace\n")
    assert read_labels(form) == {"services": "Jira / Slack workspace",
                                 "organization": "Bayside Care Metrics, Inc."}
    # Two bare labels: the first is the value, as before.
    assert read_labels("Service\nJira\n\nService\nSlack\n") == {"services": "Jira"}
