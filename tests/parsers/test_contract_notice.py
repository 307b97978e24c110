"""A COR's solicitation and award notices, and a contractor's SO and SPOC, read from
the lines people write."""

from __future__ import annotations

from datetime import date

import pytest

from onboardd.parsers.contract_notice import (
    Contact,
    Removal,
    Stage,
    parse_date,
    read_contacts,
    read_contract_notice,
    read_harp_id,
)
from onboardd.parsers.model import Address
from tests.parsers.support import mail

COR = "From: Dana Smith <dana.smith@cms.example.gov>"


def notice(subject: str, body: str):  # type: ignore[no-untyped-def]
    return read_contract_notice(mail(f"{COR}\nSubject: {subject}", body))


@pytest.mark.parametrize("period", [
    "01/04/2027 - 01/03/2028",
    "1/4/2027 to 1/3/2028",
    "January 4, 2027 through January 3, 2028",
    "2027-01-04 – 2028-01-03",
])
def test_an_award_with_its_period_in_any_common_form(period: str) -> None:
    read = notice("Contract award: Acme Health Solutions",
                  "Organization: Acme Health Solutions\nContract #: 75fcmc27c0012\n"
                  f"Period of Performance (POP): {period}\n"
                  "Contractor contact: Jane Doe <Jane.Doe@acmehealth.example.com>\n")
    assert read is not None
    assert read.stage is Stage.AWARDED
    assert (read.organization, read.number) == ("Acme Health Solutions", "75FCMC27C0012")
    assert (read.starts_on, read.ends_on) == (date(2027, 1, 4), date(2028, 1, 3))
    assert read.contractor == Address("Jane Doe", "jane.doe@acmehealth.example.com")
    assert read.missing == ()


def test_start_and_end_on_lines_of_their_own_and_what_an_award_lacks() -> None:
    read = notice("New contract awarded", "Contractor: Acme Health Solutions\n"
                  "POP Start Date: 4 January 2027\nPOP End Date: 3 January 2028\n")
    assert read is not None
    assert (read.starts_on, read.ends_on) == (date(2027, 1, 4), date(2028, 1, 3))
    assert read.missing == ("contract number",)


def test_a_solicitation_needs_only_a_high_level_notice() -> None:
    read = notice("Upcoming solicitation", "We are soliciting a new contract.\n"
                  "Estimated award date: March 15, 2027\n")
    assert read is not None
    assert (read.stage, read.award_expected_on, read.missing) == (
        Stage.SOLICITATION, date(2027, 3, 15), ())


@pytest.mark.parametrize(("subject", "body"), [
    # A request that mentions its award asks for a service: it is a request.
    ("Jira for our newly awarded contract",
     "Name of QualityNet IT Service: Jira\nContract number: 75FCMC27C0012\n"),
    ("Lunch on Friday?", "Are we still on?"),
    ("Any news on the Acme award?", "Hi, has the team heard anything? Thanks, Dana"),
    ("RE: your request", "Approved."),
])
def test_other_mail_is_no_notice(subject: str, body: str) -> None:
    assert notice(subject, body) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("01/04/2027", date(2027, 1, 4)), ("1/4/27", date(2027, 1, 4)),
    ("2027-01-04", date(2027, 1, 4)), ("Jan 4th, 2027", date(2027, 1, 4)),
    ("4 January 2027.", date(2027, 1, 4)), ("13/45/2027", None), ("soon", None), ("", None),
])
def test_dates(text: str, expected: date | None) -> None:
    assert parse_date(text) == expected


def test_contacts_on_one_line_each_or_in_blocks() -> None:
    one_line = read_contacts(
        "Security Official: Sam Lee <sam.lee@acme.example.com>, HARP user ID: SLEE01\n"
        "SPOC: Ana Cruz <ana.cruz@acme.example.com> (HARP ID pending)\n")
    assert one_line.security_official == Contact("Sam Lee", "sam.lee@acme.example.com", "SLEE01")
    assert one_line.spoc == Contact("Ana Cruz", "ana.cruz@acme.example.com", None)
    blocks = read_contacts(
        "SO: Sam Lee\nEmail: sam.lee@acme.example.com\nHARP User ID: SLEE01\n\n"
        "Security Point of Contact: Ana Cruz\nE-mail: ana.cruz@acme.example.com\n"
        "HARP ID: ACRUZ7\n")
    assert blocks.security_official == Contact("Sam Lee", "sam.lee@acme.example.com", "SLEE01")
    assert blocks.spoc == Contact("Ana Cruz", "ana.cruz@acme.example.com", "ACRUZ7")


@pytest.mark.parametrize("nobody", ["TBD", "N/A", "none", "None yet", "Pending.",
                                    "To be determined", "vacant", "-"])
def test_a_role_said_to_have_nobody_names_nobody(nobody: str) -> None:
    named = read_contacts(f"Security Official: Sam Lee <sam.lee@acme.example.com>\n"
                          f"SPOC: {nobody}\n")
    assert named.security_official == Contact("Sam Lee", "sam.lee@acme.example.com", None)
    assert named.spoc is None


def test_no_contacts_in_ordinary_mail() -> None:
    named = read_contacts("Thanks, we will get back to you with our security contacts.")
    assert (named.security_official, named.spoc) == (None, None)


def test_an_extension_needs_only_the_number_and_the_new_end() -> None:
    read = notice("Contract extension", "Contract Number: 75FCMC27C0012\n"
                  "Period of Performance: 01/04/2027 - 01/03/2029\n")
    assert read is not None
    assert (read.stage, read.extension, read.missing) == (Stage.AWARDED, True, ())
    assert read.ends_on == date(2029, 1, 3)


@pytest.mark.parametrize(("text", "removal"), [
    ("Please remove John Roe as SPOC.", Removal("spoc", Contact("John Roe"))),
    ("Hi team, please remove John Roe <john.roe@acme.example.com> as our SPOC",
     Removal("spoc", Contact("John Roe", "john.roe@acme.example.com"))),
    ("Could you please remove our SPOC, John Roe?", Removal("spoc", Contact("John Roe"))),
    ("Remove SPOC: John Roe <john.roe@acme.example.com>",
     Removal("spoc", Contact("John Roe", "john.roe@acme.example.com"))),
    ("Please remove John Roe from the role of Security Point of Contact.",
     Removal("spoc", Contact("John Roe"))),
    ("John Roe is no longer our SPOC.", Removal("spoc", Contact("John Roe"))),
    ("Please remove him as Security Official.", Removal("security_official")),
    ("Please remove our SPOC.", Removal("spoc")),
    ("We would like you to remove Sam Lee as SO.",
     Removal("security_official", Contact("Sam Lee"))),
])
def test_a_removal_is_read_from_the_request_that_asks_for_it(text: str,
                                                              removal: Removal) -> None:
    assert read_contacts(text).removals == (removal,)


@pytest.mark.parametrize("text", [
    "Please do not remove John Roe as SPOC.",
    "Don't remove our SPOC.",
    "Should we remove John Roe as SPOC?",
    "Can we remove John Roe as SPOC?",
    "If John Roe leaves, please remove him as SPOC.",
    "John will remove inactive users as our SPOC.",
    "Please remove John Roe from the Jira group; he stays our SPOC.",
    "please remove the spoc's access to Jira",
    "Is John Roe no longer our SPOC?",
    "If John Roe is no longer our SPOC, who is?",
    "We removed John Roe as SPOC last year.",
    "Please remove John Roe as SPOC and add Bob Roe.",
    "Security Point of Contact: John Roe <john.roe@acme.example.com>",
])
def test_lookalikes_of_a_removal_remove_nobody(text: str) -> None:
    assert read_contacts(text).removals == ()


@pytest.mark.parametrize(("text", "harp_id"), [
    ("HARP user ID: BROE01", "BROE01"),
    ("Hi, his HARP ID is BROE01. Thanks", "BROE01"),
    ("HARP username = b.roe", "b.roe"),
    ("His HARP account is ready.", None),
    ("HARP ID: pending", None),
    ("HARP user ID to follow", None),
    ('Please reply with a line "HARP user ID: ..."', None),
])
def test_a_harp_user_id_given_alone(text: str, harp_id: str | None) -> None:
    assert read_harp_id(text) == harp_id
