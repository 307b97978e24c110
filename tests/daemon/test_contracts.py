"""A contract by email, from real mail bytes through Maildir, the store and the file
outbox: the COR's solicitation and award, the contractor's call for its SO and SPOC
when the period starts (once), their naming by reply, and requests filed with it."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.daemon.harness import Daemon
from tests.mailkit import Sent, compose, reply_to

COR = "Dana Smith <dana.smith@cms.example.gov>"
JANE = "Jane Doe <jane.doe@acmehealth.example.com>"
TODAY = datetime.now(UTC).date()
STARTS = TODAY + timedelta(days=10)
ENDS = STARTS + timedelta(days=364)
NUMBER = "75FCMC27C0012"


def us(day: date) -> str:
    return day.strftime("%m/%d/%Y")


AWARD = f"""Hello Onboarding Team,

A new contract has been awarded.

Organization: Acme Health Solutions
Contract Number: {NUMBER}
Period of Performance: {us(STARTS)} - {us(ENDS)}
Contractor Contact: {JANE}

Thanks,
Dana
"""

REQUEST = f"""Hello,

Name of Organization (HARP Organization Name Preferred): Acme Health Solutions
Name of QualityNet IT Service: Jira
Business Justification for Use of Service: Our analysts track quality-reporting defects.
Estimated Number of Users: 12
COR Approval: approved by {COR}
Contract number: {NUMBER}

Jane
"""


def contracts(daemon: Daemon) -> list[dict[str, Any]]:
    daemon.capsys.readouterr()
    assert daemon.run("contracts", "export", "--format", "json") == 0
    return json.loads(daemon.capsys.readouterr().out)  # type: ignore[no-any-return]


def awarded(daemon: Daemon) -> None:
    """The COR's award notice delivered and read: the contract most tests here start from."""
    daemon.maildir.deliver(compose(COR, AWARD, subject="Notice of contract award"))
    daemon.run_once()


def run_at(daemon: Daemon, moment: datetime) -> None:
    assert daemon.run("run", "--once", "--now", moment.isoformat()) == 0
    daemon.capsys.readouterr()


def test_an_award_from_a_cor_is_recorded_and_acknowledged(daemon: Daemon) -> None:
    awarded(daemon)
    [ack] = daemon.sent()
    assert ack.kind == "award-acknowledgment"
    assert "dana.smith@cms.example.gov" in ack.to
    text = " ".join(ack.text.split())
    assert f"recorded the award of contract {NUMBER} to Acme Health Solutions" in text
    assert f"Period of performance: {STARTS.strftime('%d %B %Y')} to" in text
    assert "we ask Jane Doe <jane.doe@acmehealth.example.com> to name" in text
    [contract] = contracts(daemon)
    assert (contract["number"], contract["stage"], contract["organization"]) == (
        NUMBER, "awarded", "Acme Health Solutions")
    assert (contract["starts_on"], contract["ends_on"]) == (STARTS.isoformat(), ENDS.isoformat())
    assert contract["contractor"] == "jane.doe@acmehealth.example.com"
    assert daemon.export() == []  # no request was opened


def test_a_solicitation_then_its_award_are_one_contract(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(COR, "Hi team,\n\nHeads up on a new solicitation for "
                                   "Acme Health Solutions.\n\nOrganization: Acme Health "
                                   "Solutions\nEstimated award date: January 4, 2027\n",
                                   subject="Upcoming contract solicitation"))
    daemon.run_once()
    assert daemon.sent()[-1].kind == "solicitation-acknowledgment"
    [solicited] = contracts(daemon)
    assert (solicited["stage"], solicited["number"]) == ("solicitation", None)
    daemon.maildir.deliver(compose(COR, AWARD, subject="Contract awarded"))
    daemon.run_once()
    [awarded] = contracts(daemon)
    assert (awarded["stage"], awarded["number"]) == ("awarded", NUMBER)
    assert awarded["award_expected_on"] == "2027-01-04"  # kept from the solicitation


def test_an_award_notice_from_anyone_but_a_cor_records_no_contract(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(JANE, AWARD, subject="Notice of contract award"))
    daemon.run_once()
    assert contracts(daemon) == []
    assert daemon.sent()[-1].kind != "award-acknowledgment"


def test_the_contractor_is_asked_for_its_so_and_spoc_once_when_the_period_starts(
    daemon: Daemon,
) -> None:
    awarded(daemon)
    run_at(daemon, datetime.combine(STARTS - timedelta(days=1), datetime.min.time(), UTC))
    assert [m.kind for m in daemon.sent()] == ["award-acknowledgment"]  # not yet
    started = datetime.combine(STARTS, datetime.min.time(), UTC) + timedelta(hours=9)
    run_at(daemon, started)
    ask = daemon.sent()[-1]
    assert ask.kind == "contacts-request"
    assert "jane.doe@acmehealth.example.com" in ask.to
    assert "dana.smith@cms.example.gov" in str(ask.message["Cc"])
    assert "Security Point of Contact: Name <address>, HARP user ID:" in ask.text
    run_at(daemon, started + timedelta(hours=2))
    assert len(daemon.sent()) == 2  # asked once


def test_the_contractor_names_its_so_and_spoc_by_reply(daemon: Daemon) -> None:
    awarded(daemon)
    run_at(daemon, datetime.combine(STARTS, datetime.min.time(), UTC) + timedelta(hours=9))
    ask = daemon.sent()[-1]
    daemon.maildir.deliver(reply_to(ask, JANE, (
        "Hi,\n\nSecurity Official: Sam Lee <sam.lee@acmehealth.example.com>, HARP user ID: "
        "SLEE01\nSecurity Point of Contact: Ana Cruz <ana.cruz@acmehealth.example.com>\n\n"
        "Jane")))
    daemon.run_once()
    answer = daemon.sent()[-1]
    assert answer.kind == "contacts-acknowledgment"
    assert "dana.smith@cms.example.gov" in str(answer.message["Cc"])
    text = " ".join(answer.text.split())
    assert "Security Official: Sam Lee <sam.lee@acmehealth.example.com>, HARP user ID SLEE01" \
        in text
    assert "Still needed: the Security Point of Contact's HARP user ID" in text
    [contract] = contracts(daemon)
    assert contract["security_official"] == {"name": "Sam Lee", "harp_id": "SLEE01",
                                             "address": "sam.lee@acmehealth.example.com"}
    assert contract["spoc"]["harp_id"] is None
    daemon.maildir.deliver(reply_to(answer, JANE, (
        "Security Point of Contact: Ana Cruz <ana.cruz@acmehealth.example.com>, "
        "HARP user ID: ACRUZ7")))
    daemon.run_once()
    assert "That is everything we need" in " ".join(daemon.sent()[-1].text.split())
    [contract] = contracts(daemon)
    assert contract["spoc"]["harp_id"] == "ACRUZ7"
    assert contract["security_official"]["harp_id"] == "SLEE01"  # kept
    assert daemon.export() == []


def named_contacts(daemon: Daemon) -> None:
    """An awarded contract whose contractor has named both roles in full."""
    awarded(daemon)
    daemon.maildir.deliver(compose(JANE, (
        "Security Official: Sam Lee <sam.lee@acmehealth.example.com>, HARP user ID: SLEE01\n"
        "Security Point of Contact: Ana Cruz <ana.cruz@acmehealth.example.com>, HARP user "
        "ID: ACRUZ7\n"), subject=f"{NUMBER} contacts"))
    daemon.run_once()
    assert daemon.sent()[-1].kind == "contacts-acknowledgment"


def test_replacing_a_contact_waits_for_the_cors_confirmation(daemon: Daemon) -> None:
    named_contacts(daemon)
    before = len(daemon.sent())
    daemon.maildir.deliver(compose("Bob Roe <bob.roe@acmehealth.example.com>", (
        "Please replace our SPOC.\n\nSecurity Point of Contact: Bob Roe "
        "<bob.roe@acmehealth.example.com>, HARP user ID: BROE01\n"), subject="New SPOC"))
    daemon.run_once()
    kinds = {m.kind: m for m in daemon.sent_since(before)}
    assert set(kinds) == {"contacts-acknowledgment", "contact-change-confirmation"}
    text = " ".join(kinds["contacts-acknowledgment"].text.split())
    assert "Waiting for approval, as ONB-" in text
    assert "the confirmation of the COR, Dana Smith" in text
    assert "dana.smith@cms.example.gov" in kinds["contact-change-confirmation"].to
    [contract] = contracts(daemon)
    assert contract["spoc"]["address"] == "ana.cruz@acmehealth.example.com"  # unchanged


def test_the_cor_replaces_a_contact_and_both_are_told(daemon: Daemon) -> None:
    named_contacts(daemon)
    before = len(daemon.sent())
    daemon.maildir.deliver(compose(COR, (
        "Hello,\n\nSecurity Point of Contact: Bob Roe <bob.roe@acmehealth.example.com>\n"),
        subject=f"{NUMBER}: new SPOC"))
    daemon.run_once()
    [held] = daemon.sent_since(before)
    assert "the HARP user ID of the new Security Point of Contact, Bob Roe" in " ".join(
        held.text.split())
    assert "jane.doe@acmehealth.example.com" in str(held.message["Cc"])  # she knows it
    assert contracts(daemon)[0]["spoc"]["address"] == "ana.cruz@acmehealth.example.com"
    before = len(daemon.sent())
    daemon.maildir.deliver(compose(COR, (
        "Security Point of Contact: Bob Roe <bob.roe@acmehealth.example.com>, HARP user ID: "
        "BROE01\n"), subject=f"{NUMBER}: new SPOC"))
    daemon.run_once()
    kinds = {m.kind: m for m in daemon.sent_since(before)}
    assert set(kinds) == {"contacts-acknowledgment", "role-assigned", "role-ended"}
    assert "bob.roe@acmehealth.example.com" in kinds["role-assigned"].to
    assert "Report and handle the security incidents" in " ".join(
        kinds["role-assigned"].text.split())
    assert "ana.cruz@acmehealth.example.com" in kinds["role-ended"].to
    assert contracts(daemon)[0]["spoc"] == {"name": "Bob Roe", "harp_id": "BROE01",
                                            "address": "bob.roe@acmehealth.example.com"}


def test_a_stranger_naming_contacts_changes_no_contract(daemon: Daemon) -> None:
    awarded(daemon)
    daemon.maildir.deliver(compose(
        "Eve <eve@elsewhere.example.org>",
        "Security Official: Eve <eve@elsewhere.example.org>, HARP user ID: EVIL01\n"))
    daemon.run_once()
    [contract] = contracts(daemon)
    assert contract["security_official"]["address"] is None
    assert daemon.sent()[-1].kind != "contacts-acknowledgment"


def test_a_request_naming_the_contract_number_is_filed_with_it(daemon: Daemon) -> None:
    awarded(daemon)
    daemon.maildir.deliver(compose(JANE, REQUEST, subject="Jira for Acme Health Solutions"))
    daemon.run_once()
    [request] = daemon.export()
    [contract] = contracts(daemon)
    assert contract["requests"] == 1
    daemon.capsys.readouterr()
    assert daemon.run("contracts", "show", NUMBER.lower()) == 0
    shown = daemon.capsys.readouterr().out
    assert request["reference"] in shown and "Jira" in shown
    assert daemon.run("contracts", "list") == 0
    assert NUMBER in daemon.capsys.readouterr().out


def test_the_survey_goes_once_some_days_after_the_first_welcome_package(
    daemon: Daemon,
) -> None:
    daemon.configure('url = ""', 'url = "https://survey.example.gov/onboarding"')
    daemon.maildir.deliver(compose(COR, AWARD, subject="Notice of contract award"))
    # A request from the COR in person skips the COR's confirmation.
    daemon.maildir.deliver(compose(COR, REQUEST.replace(f"approved by {COR}", "yes, mine"),
                                   subject="Jira for Acme Health Solutions"))
    daemon.run_once()
    [request] = daemon.export()
    assert request["state"] == "awaiting_approval"
    assert daemon.run("approve", request["reference"], "--service", "Jira",
                      "--by", "jira.lead@cms.example.gov") == 0
    daemon.run_once()
    assert daemon.sent()[-1].kind == "welcome-package"
    run_at(daemon, datetime.now(UTC) + timedelta(days=13))
    assert "survey" not in [m.kind for m in daemon.sent()]  # not yet: 14 days by default
    run_at(daemon, datetime.now(UTC) + timedelta(days=15))
    [survey] = [m for m in daemon.sent() if m.kind == "survey"]
    assert "https://survey.example.gov/onboarding" in survey.text
    # To the SO the welcome package went to (Acme's, from [[organizations]]), copying
    # the requester (here the COR, who wrote the request).
    assert "sam.lee@acmehealth.example.com" in survey.to
    assert "dana.smith@cms.example.gov" in str(survey.message["Cc"])
    run_at(daemon, datetime.now(UTC) + timedelta(days=16))
    assert [m.kind for m in daemon.sent()].count("survey") == 1  # once per contract


def test_no_survey_without_its_url(daemon: Daemon) -> None:
    daemon.maildir.deliver(compose(COR, AWARD, subject="Notice of contract award"))
    daemon.maildir.deliver(compose(COR, REQUEST.replace(f"approved by {COR}", "yes, mine"),
                                   subject="Jira for Acme Health Solutions"))
    daemon.run_once()
    [request] = daemon.export()
    assert daemon.run("approve", request["reference"], "--service", "Jira",
                      "--by", "jira.lead@cms.example.gov") == 0
    run_at(daemon, datetime.now(UTC) + timedelta(days=30))
    assert "survey" not in [m.kind for m in daemon.sent()]


def test_the_offboarding_notice_goes_once_60_days_before_the_end_and_again_after_an_extension(
    daemon: Daemon,
) -> None:
    daemon.maildir.deliver(compose(COR, AWARD, subject="Notice of contract award"))
    daemon.maildir.deliver(compose(COR, REQUEST.replace(f"approved by {COR}", "yes, mine"),
                                   subject="Jira for Acme Health Solutions"))
    daemon.run_once()
    [request] = daemon.export()
    assert daemon.run("approve", request["reference"], "--service", "Jira",
                      "--by", "jira.lead@cms.example.gov") == 0
    noon = datetime.combine(ENDS, datetime.min.time(), UTC) + timedelta(hours=12)
    run_at(daemon, noon - timedelta(days=61))
    assert "offboarding-notice" not in [m.kind for m in daemon.sent()]
    run_at(daemon, noon - timedelta(days=60))
    notice = daemon.sent()[-1]
    assert notice.kind == "offboarding-notice"
    assert "dana.smith@cms.example.gov" in notice.to
    assert "jane.doe@acmehealth.example.com" in str(notice.message["Cc"])
    text = " ".join(notice.text.split())
    assert f"ends on {ENDS.strftime('%d %B %Y')}, in 60 days" in text
    assert "Jira" in text and "removes every user's roles" in text
    count = len(daemon.sent())
    run_at(daemon, noon - timedelta(days=59))
    assert len(daemon.sent()) == count  # once
    later = ENDS + timedelta(days=365)
    daemon.maildir.deliver(compose(COR, f"Contract Number: {NUMBER}\nPeriod of Performance: "
                                   f"{us(STARTS)} - {us(later)}\n",
                                   subject="Contract extension"))
    run_at(daemon, noon - timedelta(days=59))
    assert daemon.sent()[-1].subject.startswith("Contract extension recorded")
    [contract] = contracts(daemon)
    assert contract["ends_on"] == later.isoformat()
    assert "offboarding-notice" not in [m.kind for m in daemon.sent()[count:]]
    run_at(daemon, datetime.combine(later, datetime.min.time(), UTC) - timedelta(days=59))
    assert daemon.sent()[-1].kind == "offboarding-notice"


def test_the_offboarding_notice_is_reminded_of_once_unless_the_offboarding_is_under_way(
    daemon: Daemon,
) -> None:
    awarded(daemon)
    noon = datetime.combine(ENDS, datetime.min.time(), UTC) + timedelta(hours=12)
    def reminders() -> list[Sent]:
        return [m for m in daemon.sent() if m.kind == "offboarding-reminder"]

    run_at(daemon, noon - timedelta(days=60))
    assert "offboarding-notice" in [m.kind for m in daemon.sent()]
    run_at(daemon, noon - timedelta(days=31))
    assert reminders() == []  # not before 30 days are left
    run_at(daemon, noon - timedelta(days=30))
    [reminder] = reminders()
    assert "dana.smith@cms.example.gov" in reminder.to
    text = " ".join(reminder.text.split())
    assert f"ends on {ENDS.strftime('%d %B %Y')}, in 30 days, and its offboarding has not " \
        "started yet" in text
    run_at(daemon, noon - timedelta(days=29))
    assert len(reminders()) == 1  # once

    # A second contract, with Jira approved, whose offboarding its COR opened before the
    # reminder was due: while it waits on the Jira lead, nobody is reminded.
    other = "75FCMC27C0099"
    daemon.maildir.deliver(compose(COR, AWARD.replace(NUMBER, other).replace(
        "Acme Health Solutions", "Beta Analytics"), subject="Notice of contract award"))
    daemon.maildir.deliver(compose(COR, REQUEST.replace(NUMBER, other).replace(
        "Acme Health Solutions", "Beta Analytics").replace(f"approved by {COR}", "yes, mine"),
        subject="Jira for Beta Analytics"))
    run_at(daemon, noon - timedelta(days=60))
    [request] = [r for r in daemon.export() if r["organization"] == "Beta Analytics"]
    assert daemon.run("approve", request["reference"], "--service", "Jira",
                      "--by", "jira.lead@cms.example.gov") == 0
    daemon.maildir.deliver(compose(COR, f"Please start the offboarding of contract {other}.",
                                   subject=f"Offboarding {other}"))
    run_at(daemon, noon - timedelta(days=50))
    assert [c["stage"] for c in contracts(daemon) if c["number"] == other] == ["awarded"]
    run_at(daemon, noon - timedelta(days=30))
    assert len(reminders()) == 1  # still only the first contract's


def test_a_request_is_filed_by_organization_only_when_one_contract_fits(daemon: Daemon) -> None:
    awarded(daemon)
    without_number = REQUEST.replace(f"Contract number: {NUMBER}\n", "")
    daemon.maildir.deliver(compose(JANE, without_number, subject="Jira for Acme"))
    daemon.run_once()
    assert contracts(daemon)[0]["requests"] == 1
    # A second awarded contract of the same organization: a request naming neither is
    # filed with neither.
    daemon.maildir.deliver(compose(COR, AWARD.replace(NUMBER, "75FCMC27C0099"),
                                   subject="Notice of contract award"))
    daemon.run_once()
    daemon.maildir.deliver(compose(JANE, without_number.replace("Jira", "Confluence"),
                                   subject="Confluence for Acme"))
    daemon.run_once()
    assert sorted(c["requests"] for c in contracts(daemon)) == [0, 1]


def test_an_overdue_so_and_spoc_are_reminded_once(daemon: Daemon) -> None:
    awarded(daemon)
    asked = datetime.combine(STARTS, datetime.min.time(), UTC) + timedelta(hours=9)
    run_at(daemon, asked)
    run_at(daemon, asked + timedelta(days=1, hours=12))
    assert "contacts-reminder" not in [m.kind for m in daemon.sent()]  # still in time
    run_at(daemon, asked + timedelta(days=2, hours=1))
    reminder = daemon.sent()[-1]
    assert reminder.kind == "contacts-reminder"
    assert "jane.doe@acmehealth.example.com" in reminder.to
    assert "dana.smith@cms.example.gov" in str(reminder.message["Cc"])
    assert "Still needed: the Security Official, the Security Point of Contact" in " ".join(
        reminder.text.split())
    run_at(daemon, asked + timedelta(days=5))
    assert [m.kind for m in daemon.sent()].count("contacts-reminder") == 1


def test_the_cor_hands_the_contract_to_a_new_cor_at_once(daemon: Daemon) -> None:
    awarded(daemon)
    daemon.maildir.deliver(compose(JANE, "New COR: Lee Park <lee.park@cms.example.gov>\n",
                                   subject=f"{NUMBER} COR"))
    daemon.run_once()
    # The contractor's word waits for the COR (tests/daemon/test_contact_changes.py).
    assert "contact-change-confirmation" in [m.kind for m in daemon.sent()]
    assert contracts(daemon)[0]["cor"] == "dana.smith@cms.example.gov"
    before = len(daemon.sent())
    daemon.maildir.deliver(compose(COR, "Hello,\n\nNew COR: Lee Park <lee.park@cms.example.gov>"
                                   "\n\nDana\n", subject=f"{NUMBER}: new COR"))
    daemon.run_once()
    kinds = {m.kind: m for m in daemon.sent_since(before)}
    assert set(kinds) == {"contacts-acknowledgment", "role-assigned", "role-ended"}
    assert "lee.park@cms.example.gov" in kinds["role-assigned"].to
    assert "As the contract's COR you" in kinds["role-assigned"].text
    assert "dana.smith@cms.example.gov" in kinds["role-ended"].to
    assert contracts(daemon)[0]["cor"] == "lee.park@cms.example.gov"
