"""A contract's offboarding by email, from real mail bytes through Maildir, the store and
the file outbox: opened by its COR's mail or by its end date passing (once), each
approved service's lead confirming the removal under their own token, the SO told to
remove every role, the contract closed when all are confirmed, and an extension
cancelling what is pending. The refusals: a stranger, a lead of another service, and
a lead who has not removed yet."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.daemon.harness import Daemon
from tests.daemon.test_contracts import COR, ENDS, JANE, NUMBER, STARTS, awarded, us
from tests.mailkit import Sent, compose, reply_to

JIRA_LEAD = "Jira Lead <jira.lead@cms.example.gov>"
CONFLUENCE_LEAD = "Confluence Lead <confluence.lead@cms.example.gov>"
SO = "sam.lee@acmehealth.example.com"

REQUEST = f"""Hello,

Name of Organization (HARP Organization Name Preferred): Acme Health Solutions
Name of QualityNet IT Service: Jira, Confluence
Business Justification for Use of Service: Our analysts track quality-reporting defects.
Estimated Number of Users: 12
COR Approval: yes, mine
Contract number: {NUMBER}

Dana
"""

OFFBOARD = f"Hello,\n\nPlease start the offboarding of contract {NUMBER}.\n\nDana\n"


def of_kind(sent: list[Sent], kind: str) -> list[Sent]:
    return [s for s in sent if s.kind == kind]


def contract(daemon: Daemon) -> dict[str, Any]:
    daemon.capsys.readouterr()
    assert daemon.run("contracts", "export", "--format", "json") == 0
    [only] = json.loads(daemon.capsys.readouterr().out)
    return only  # type: ignore[no-any-return]


def offboardings(daemon: Daemon) -> list[dict[str, Any]]:
    return [r for r in daemon.export() if r["kind"] == "offboarding"]


def history(daemon: Daemon, reference: str) -> str:
    daemon.capsys.readouterr()
    assert daemon.run("requests", "show", reference) == 0
    return daemon.capsys.readouterr().out


def run_at(daemon: Daemon, moment: datetime) -> None:
    assert daemon.run("run", "--once", "--now", moment.isoformat()) == 0
    daemon.capsys.readouterr()


def approved_contract(daemon: Daemon, services: str = "Jira, Confluence") -> None:
    """An awarded contract with its SO named and `services` approved on a request."""
    awarded(daemon)
    daemon.maildir.deliver(compose(JANE, (
        f"Security Official: Sam Lee <{SO}>, HARP user ID: SLEE01\n"
        "Security Point of Contact: Ana Cruz <ana.cruz@acmehealth.example.com>, HARP user "
        "ID: ACRUZ7\n"), subject=f"{NUMBER} contacts"))
    daemon.run_once()
    if not services:
        return
    daemon.maildir.deliver(compose(COR, REQUEST.replace("Jira, Confluence", services),
                                   subject="Access for Acme Health Solutions"))
    daemon.run_once()
    [request] = daemon.export()
    for service in services.split(", "):
        lead = {"Jira": "jira.lead", "Confluence": "confluence.lead"}[service]
        assert daemon.run("approve", request["reference"], "--service", service,
                          "--by", f"{lead}@cms.example.gov") == 0
    daemon.run_once()


def opened_by_the_cor(daemon: Daemon) -> dict[str, Any]:
    approved_contract(daemon)
    daemon.maildir.deliver(compose(COR, OFFBOARD, subject=f"Offboarding {NUMBER}"))
    daemon.run_once()
    [offboarding] = offboardings(daemon)
    return offboarding


def removal_request(daemon: Daemon, lead: str) -> Sent:
    [ask] = [m for m in of_kind(daemon.sent(), "removal-request") if lead in m.to]
    return ask


def test_the_cors_mail_opens_one_offboarding_the_leads_are_asked_and_the_so_told(
    daemon: Daemon,
) -> None:
    approved_contract(daemon)
    before = len(daemon.sent())
    daemon.maildir.deliver(compose(COR, OFFBOARD, subject=f"Offboarding {NUMBER}"))
    daemon.run_once()
    [offboarding] = offboardings(daemon)
    assert offboarding["state"] == "awaiting_removal"
    assert [(s["name"], s["decision"]) for s in offboarding["services"]] == [
        ("Jira", "pending"), ("Confluence", "pending")]
    sent = daemon.sent_since(before)
    assert sorted(m.kind for m in sent) == [
        "offboarding-acknowledgment", "removal-request", "removal-request", "roles-removal"]
    jira = removal_request(daemon, "jira.lead@cms.example.gov")
    assert "+" in str(jira.message["Reply-To"])  # a token of its own
    assert offboarding["reference"] in jira.subject
    assert "reply to this mail with one word on the first line" in " ".join(jira.text.split())
    [roles] = of_kind(sent, "roles-removal")
    assert SO in roles.to
    assert "jane.doe@acmehealth.example.com" in str(roles.message["Cc"])
    assert "please remove all user roles for every QualityNet IT service" in " ".join(
        roles.text.split())
    [ack] = of_kind(sent, "offboarding-acknowledgment")
    assert "dana.smith@cms.example.gov" in ack.to
    assert f"opened the offboarding of contract {NUMBER}" in " ".join(ack.text.split())
    # A second ask opens nothing new: it is told the reference of the first.
    before = len(daemon.sent())
    daemon.maildir.deliver(compose(JANE, f"Our contract {NUMBER} has ended; please offboard "
                                   "us.\n", subject="Offboarding"))
    daemon.run_once()
    assert len(offboardings(daemon)) == 1
    [again] = daemon.sent_since(before)
    assert again.kind == "offboarding-acknowledgment"
    assert f"already under way as {offboarding['reference']}" in " ".join(again.text.split())
    daemon.capsys.readouterr()
    assert daemon.run("contracts", "show", NUMBER) == 0
    assert f"in progress, {offboarding['reference']}" in daemon.capsys.readouterr().out
    assert daemon.run("requests", "list") == 0
    assert "offboarding" in daemon.capsys.readouterr().out


def test_every_lead_confirms_and_the_contract_is_closed_with_a_closing_notice(
    daemon: Daemon,
) -> None:
    offboarding = opened_by_the_cor(daemon)
    daemon.maildir.deliver(reply_to(removal_request(daemon, "jira.lead@cms.example.gov"),
                                    JIRA_LEAD, "Done."))
    daemon.run_once()
    [offboarding] = offboardings(daemon)
    assert offboarding["services"][0]["decision"] == "removed"
    assert offboarding["services"][0]["decided_by"] == "jira.lead@cms.example.gov"
    assert offboarding["state"] == "awaiting_removal"
    assert contract(daemon)["stage"] == "awarded"
    # The COR asks where it stands, on the acknowledgment's thread.
    [ack] = of_kind(daemon.sent(), "offboarding-acknowledgment")
    daemon.maildir.deliver(reply_to(ack, COR, "Any update?"))
    daemon.run_once()
    status = daemon.sent()[-1]
    assert status.kind == "status"
    text = " ".join(status.text.split())
    assert f"where the offboarding {offboarding['reference']}" in text
    assert "Confluence: the Service Lead confluence.lead@cms.example.gov" in text
    assert "Jira: removed on" in text
    before = len(daemon.sent())
    daemon.maildir.deliver(reply_to(removal_request(daemon, "confluence.lead@cms.example.gov"),
                                    CONFLUENCE_LEAD, "Confirmed, all roles removed.\n\nC. Lead"))
    daemon.run_once()
    [offboarding] = offboardings(daemon)
    assert offboarding["state"] == "offboarded"
    assert contract(daemon)["stage"] == "closed"
    [closing] = daemon.sent_since(before)
    assert closing.kind == "contract-closed"
    assert "dana.smith@cms.example.gov" in closing.to
    assert SO in str(closing.message["Cc"])
    assert "jane.doe@acmehealth.example.com" in str(closing.message["Cc"])
    text = " ".join(closing.text.split())
    assert f"Contract {NUMBER} for Acme Health Solutions was closed on" in text
    assert "Confluence: by confluence.lead@cms.example.gov" in text
    shown = history(daemon, offboarding["reference"])
    assert f"contract-closed (contract={NUMBER}, closed_on={datetime.now(UTC).date()}" in shown


def test_a_lead_confirming_removal_for_a_service_they_do_not_lead_changes_nothing(
    daemon: Daemon,
) -> None:
    offboarding = opened_by_the_cor(daemon)
    before = len(daemon.sent())
    # The Confluence lead answers the Jira lead's request (forwarded to them).
    daemon.maildir.deliver(reply_to(removal_request(daemon, "jira.lead@cms.example.gov"),
                                    CONFLUENCE_LEAD, "Jira access removed."))
    daemon.run_once()
    [offboarding] = offboardings(daemon)
    assert [s["decision"] for s in offboarding["services"]] == ["pending", "pending"]
    assert daemon.sent_since(before) == []
    shown = history(daemon, offboarding["reference"])
    assert "decision-refused (reason=the reply token was issued to another address" in shown


def test_a_strangers_offboarding_mail_opens_nothing(daemon: Daemon) -> None:
    approved_contract(daemon)
    before = len(daemon.sent())
    daemon.maildir.deliver(compose("Eve <eve@elsewhere.example.org>", OFFBOARD,
                                   subject=f"Offboarding {NUMBER}"))
    daemon.run_once()
    assert offboardings(daemon) == []
    assert [m.kind for m in daemon.sent_since(before)] == ["help"]
    assert contract(daemon)["stage"] == "awarded"


def test_a_leads_not_yet_gets_one_clarification_and_is_no_removal(daemon: Daemon) -> None:
    opened_by_the_cor(daemon)
    ask = removal_request(daemon, "jira.lead@cms.example.gov")
    before = len(daemon.sent())
    daemon.maildir.deliver(reply_to(ask, JIRA_LEAD, "Not yet, can't remove until Friday."))
    daemon.run_once()
    [clarification] = daemon.sent_since(before)
    assert clarification.kind == "clarification"
    assert "reply to this mail with one word on the first line" in " ".join(
        clarification.text.split())
    assert offboardings(daemon)[0]["services"][0]["decision"] == "pending"
    daemon.maildir.deliver(reply_to(clarification, JIRA_LEAD, "What contract?"))
    daemon.run_once()
    assert len(daemon.sent()) == before + 1  # asked once
    assert offboardings(daemon)[0]["services"][0]["decision"] == "pending"
    daemon.maildir.deliver(reply_to(clarification, JIRA_LEAD, "Access removed."))
    daemon.run_once()
    assert offboardings(daemon)[0]["services"][0]["decision"] == "removed"


def test_the_end_date_passing_opens_it_once_and_the_leads_are_reminded(
    daemon: Daemon,
) -> None:
    approved_contract(daemon, "Jira")
    last_day = datetime.combine(ENDS, datetime.min.time(), UTC) + timedelta(hours=12)
    run_at(daemon, last_day)
    assert offboardings(daemon) == []  # the period has not ended yet
    before = len(daemon.sent())
    run_at(daemon, last_day + timedelta(days=1))
    [offboarding] = offboardings(daemon)
    kinds = {m.kind: m for m in daemon.sent_since(before)}
    assert {"offboarding-acknowledgment", "removal-request", "roles-removal"} <= set(kinds)
    ack = kinds["offboarding-acknowledgment"]
    assert "dana.smith@cms.example.gov" in ack.to
    assert f"ended on {ENDS.strftime('%d %B %Y')}" in " ".join(ack.text.split())
    count = len(daemon.sent())
    run_at(daemon, last_day + timedelta(days=1, hours=1))
    assert len(daemon.sent()) == count  # a second run sends nothing
    assert len(offboardings(daemon)) == 1
    # The lead who has not confirmed is reminded, like an approval's lead.
    run_at(daemon, last_day + timedelta(days=4))
    [reminder] = daemon.sent_since(count)
    assert reminder.kind == "reminder"
    assert "jira.lead@cms.example.gov" in reminder.to
    assert "removal of Acme Health Solutions's access to Jira" in " ".join(
        reminder.text.split())
    daemon.maildir.deliver(reply_to(reminder, JIRA_LEAD, "Removed."))
    run_at(daemon, last_day + timedelta(days=4, hours=1))
    assert offboardings(daemon)[0]["state"] == "offboarded"
    assert contract(daemon)["stage"] == "closed"
    assert offboarding["reference"] in daemon.sent()[-1].subject


def test_an_extension_cancels_the_offboarding_and_the_lead_gets_nothing_more(
    daemon: Daemon,
) -> None:
    offboarding = opened_by_the_cor(daemon)
    later = ENDS + timedelta(days=365)
    daemon.maildir.deliver(compose(COR, f"Contract Number: {NUMBER}\nPeriod of Performance: "
                                   f"{us(STARTS)} - {us(later)}\n", subject="Contract extension"))
    daemon.run_once()
    assert daemon.sent()[-1].subject.startswith("Contract extension recorded")
    [offboarding] = offboardings(daemon)
    assert offboarding["state"] == "withdrawn"
    assert "offboarding-cancelled" in history(daemon, offboarding["reference"])
    before = len(daemon.sent())
    daemon.maildir.deliver(reply_to(removal_request(daemon, "jira.lead@cms.example.gov"),
                                    JIRA_LEAD, "Done."))
    daemon.run_once()
    run_at(daemon, datetime.now(UTC) + timedelta(days=10))
    assert [m for m in daemon.sent_since(before) if "jira.lead@cms.example.gov" in m.to] == []
    [offboarding] = offboardings(daemon)
    assert offboarding["services"][0]["decision"] == "pending"
    assert contract(daemon)["stage"] == "awarded"


def test_a_contract_with_no_approved_service_closes_at_once(daemon: Daemon) -> None:
    approved_contract(daemon, services="")
    before = len(daemon.sent())
    daemon.maildir.deliver(compose(COR, OFFBOARD, subject=f"Offboarding {NUMBER}"))
    daemon.run_once()
    [offboarding] = offboardings(daemon)
    assert offboarding["state"] == "offboarded"
    assert sorted(m.kind for m in daemon.sent_since(before)) == [
        "contract-closed", "offboarding-acknowledgment"]
    assert contract(daemon)["stage"] == "closed"
    # A new request naming the closed contract's number is not filed with it; the
    # offboarding never counted among its requests.
    daemon.maildir.deliver(compose(JANE, REQUEST, subject="Jira again"))
    daemon.run_once()
    assert contract(daemon)["requests"] == 0


def test_the_digest_shows_offboardings_in_progress_overdue_and_contracts_ending(
    daemon: Daemon,
) -> None:
    offboarding = opened_by_the_cor(daemon)
    near_end = datetime.combine(ENDS, datetime.min.time(), UTC) - timedelta(days=30)
    daemon.capsys.readouterr()
    assert daemon.run("digest", "--print", "--now", near_end.isoformat()) == 0
    text = daemon.capsys.readouterr().out
    assert "Offboarding in progress:" in text
    assert offboarding["reference"] in text
    assert "waiting on: Jira, Confluence" in text
    assert "Periods of performance ending within 60 days:" in text
    assert "Offboarding overdue" not in text
    # Every reminder sent and the last one unanswered for its full period: overdue.
    now = datetime.now(UTC)
    for days in (3, 5, 7):
        run_at(daemon, now + timedelta(days=days))
    assert daemon.run("digest", "--print", "--now", (now + timedelta(days=9)).isoformat()) == 0
    text = daemon.capsys.readouterr().out
    assert "offboarding(s) overdue" in text
    assert "not confirmed: Jira, Confluence" in text
    # The access request's counts are the access requests' alone.
    assert "awaiting_removal" not in text.split("OPEN REQUESTS")[0]
