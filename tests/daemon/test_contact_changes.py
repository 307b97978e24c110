"""A contractor's change of its SO, SPOC or COR, approved by the COR as a service
request is (forwarded, stated then confirmed by token, or refused), from real mail bytes
through Maildir, the store and the file outbox, on each store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.daemon.harness import Daemon
from tests.daemon.test_contracts import (
    COR,
    JANE,
    NUMBER,
    STARTS,
    awarded,
    contracts,
    named_contacts,
    run_at,
)
from tests.mailkit import Sent, compose, reply_to

BOB = "Bob Roe <bob.roe@acmehealth.example.com>"
EVE = "Eve <eve@elsewhere.example.org>"
NEW_SPOC = ("Security Point of Contact: Bob Roe <bob.roe@acmehealth.example.com>, "
            "HARP user ID: BROE01\n")
FORWARDED_APPROVAL = """
-----Original Message-----
From: Dana Smith <dana.smith@cms.example.gov>
Sent: Monday, November 23, 2026 9:14 AM
To: Jane Doe <jane.doe@acmehealth.example.com>
Subject: RE: New SPOC

Approved.

Dana
"""


def of_kind(sent: list[Sent], kind: str) -> list[Sent]:
    return [s for s in sent if s.kind == kind]


def flat(mail: Sent) -> str:
    return " ".join(mail.text.split())


def history(daemon: Daemon, reference: str) -> str:
    daemon.capsys.readouterr()
    assert daemon.run("requests", "show", reference) == 0
    return daemon.capsys.readouterr().out


def reference_of(mail: Sent) -> str:
    return str(mail.message["X-Onboarding-Request"])


def ask_for_a_new_spoc(daemon: Daemon, body: str = NEW_SPOC,
                       claim: str = "Our COR Dana Smith approved this.") -> tuple[Sent, Sent]:
    """Jane asks to replace the SPOC, saying the COR approved: her answer and the
    COR's confirmation request."""
    named_contacts(daemon)
    before = len(daemon.sent())
    daemon.maildir.deliver(compose(JANE, f"Hello,\n\n{claim}\n\n{body}\nJane\n",
                                   subject=f"{NUMBER}: new SPOC"))
    daemon.run_once()
    new = daemon.sent_since(before)
    [answer] = of_kind(new, "contacts-acknowledgment")
    [confirmation] = of_kind(new, "contact-change-confirmation")
    return answer, confirmation


def test_a_forwarded_cor_approval_replaces_the_spoc_at_once_and_both_are_told(
    daemon: Daemon,
) -> None:
    daemon.configure('policy = "confirm"', 'policy = "accept-forwarded"')
    named_contacts(daemon)
    before = len(daemon.sent())
    daemon.maildir.deliver(compose(JANE, f"Hello,\n\nPlease replace our SPOC; our COR's "
                                   f"approval is below.\n\n{NEW_SPOC}\nJane\n"
                                   f"{FORWARDED_APPROVAL}", subject=f"{NUMBER}: new SPOC"))
    daemon.run_once()
    kinds = {m.kind: m for m in daemon.sent_since(before)}
    assert set(kinds) == {"contacts-acknowledgment", "role-assigned", "role-ended"}
    assert "bob.roe@acmehealth.example.com" in kinds["role-assigned"].to
    assert "Report and handle the security incidents" in flat(kinds["role-assigned"])
    assert "ana.cruz@acmehealth.example.com" in kinds["role-ended"].to
    assert contracts(daemon)[0]["spoc"] == {"name": "Bob Roe", "harp_id": "BROE01",
                                            "address": "bob.roe@acmehealth.example.com"}
    assert daemon.export() == []  # nothing waits


def test_a_forwarded_approval_is_confirmed_by_the_cor_under_the_default_policy(
    daemon: Daemon,
) -> None:
    named_contacts(daemon)
    daemon.maildir.deliver(compose(JANE, f"Please replace our SPOC.\n\n{NEW_SPOC}\nJane\n"
                                   f"{FORWARDED_APPROVAL}", subject=f"{NUMBER}: new SPOC"))
    daemon.run_once()
    [confirmation] = of_kind(daemon.sent(), "contact-change-confirmation")
    assert "forwarded a mail from you approving it" in flat(confirmation)
    assert contracts(daemon)[0]["spoc"]["address"] == "ana.cruz@acmehealth.example.com"


def test_a_stated_approval_asks_the_cor_whose_yes_replaces_the_so(daemon: Daemon) -> None:
    answer, confirmation = ask_for_a_new_spoc(daemon, (
        "Security Official: Kim Park <kim.park@acmehealth.example.com>, HARP user ID: "
        "KPARK1\n"), claim="COR Approval: approved by Dana Smith <dana.smith@cms.example.gov>")
    reference = reference_of(answer)
    assert reference.startswith("ONB-")
    assert f"Waiting for approval, as {reference}" in flat(answer)
    assert "the confirmation of the COR, Dana Smith" in flat(answer)
    assert "dana.smith@cms.example.gov" in confirmation.to
    text = flat(confirmation)
    assert "says that you approved it" in text
    assert ("Replace the Security Official, Sam Lee <sam.lee@acmehealth.example.com> "
            "(HARP user ID SLEE01), with Kim Park") in text
    assert contracts(daemon)[0]["security_official"]["address"] == "sam.lee@acmehealth.example.com"
    [request] = daemon.export()
    assert request["state"] == "awaiting_cor"
    before = len(daemon.sent())
    daemon.maildir.deliver(
        reply_to(confirmation, COR, "I approve this change for Acme Health Solutions."))
    daemon.run_once()
    kinds = {m.kind: m for m in daemon.sent_since(before)}
    assert set(kinds) == {"contact-change-decided", "role-assigned", "role-ended"}
    assert "kim.park@acmehealth.example.com" in kinds["role-assigned"].to
    assert "Security Official" in kinds["role-assigned"].subject
    assert "sam.lee@acmehealth.example.com" in kinds["role-ended"].to
    decided = kinds["contact-change-decided"]
    assert "jane.doe@acmehealth.example.com" in decided.to
    assert "The change is made" in flat(decided)
    assert contracts(daemon)[0]["security_official"] == {
        "name": "Kim Park", "harp_id": "KPARK1", "address": "kim.park@acmehealth.example.com"}
    assert daemon.request()["state"] == "approved"
    # The COR's second answer changes nothing more.
    before = len(daemon.sent())
    daemon.maildir.deliver(reply_to(confirmation, COR, "Approve."))
    daemon.run_once()
    assert daemon.sent_since(before) == []
    assert "the COR already answered" in history(daemon, reference)


def test_the_cors_refusal_changes_nothing_and_the_contractor_is_told(daemon: Daemon) -> None:
    _, confirmation = ask_for_a_new_spoc(daemon)
    before = len(daemon.sent())
    daemon.maildir.deliver(reply_to(confirmation, COR,
                                    "No, I do not approve this change. Ana stays."))
    daemon.run_once()
    [told] = daemon.sent_since(before)
    assert told.kind == "contact-change-decided"
    assert "jane.doe@acmehealth.example.com" in told.to
    assert "did not approve it" in flat(told)
    assert daemon.request()["state"] == "denied"
    assert contracts(daemon)[0]["spoc"]["address"] == "ana.cruz@acmehealth.example.com"


def test_an_unclear_answer_of_the_cor_gets_one_clarification(daemon: Daemon) -> None:
    _, confirmation = ask_for_a_new_spoc(daemon)
    daemon.maildir.deliver(reply_to(confirmation, COR, "Let me check with Jane first."))
    daemon.run_once()
    [clarification] = of_kind(daemon.sent(), "clarification")
    assert "dana.smith@cms.example.gov" in clarification.to
    assert daemon.request()["state"] == "awaiting_cor"
    daemon.maildir.deliver(reply_to(clarification, COR, "Approve"))
    daemon.run_once()
    assert contracts(daemon)[0]["spoc"]["address"] == "bob.roe@acmehealth.example.com"


def test_only_the_cor_may_answer_the_confirmation(daemon: Daemon) -> None:
    answer, confirmation = ask_for_a_new_spoc(daemon)
    before = len(daemon.sent())
    for someone in (JANE, EVE):
        daemon.maildir.deliver(reply_to(confirmation, someone, "Approve"))
        daemon.run_once()
    assert daemon.sent_since(before) == []
    assert daemon.request()["state"] == "awaiting_cor"
    assert contracts(daemon)[0]["spoc"]["address"] == "ana.cruz@acmehealth.example.com"
    assert history(daemon, reference_of(answer)).count("decision-refused") == 2


def test_a_stranger_changing_the_spoc_changes_nothing(daemon: Daemon) -> None:
    named_contacts(daemon)
    before = len(daemon.sent())
    daemon.maildir.deliver(compose(EVE, "Please replace our SPOC.\n\nSecurity Point of "
                                   "Contact: Eve <eve@elsewhere.example.org>, HARP user ID: "
                                   "EVIL01\n", subject=f"{NUMBER}: new SPOC"))
    daemon.run_once()
    kinds = [m.kind for m in daemon.sent_since(before)]
    assert "contact-change-confirmation" not in kinds
    assert "contacts-acknowledgment" not in kinds
    assert contracts(daemon)[0]["spoc"]["address"] == "ana.cruz@acmehealth.example.com"


def test_the_contractor_removes_its_spoc_and_the_role_is_asked_for_again(
    daemon: Daemon,
) -> None:
    awarded(daemon)
    started = datetime.combine(STARTS, datetime.min.time(), UTC) + timedelta(hours=9)
    run_at(daemon, started)
    ask = daemon.sent()[-1]
    daemon.maildir.deliver(reply_to(ask, JANE, (
        "Security Official: Sam Lee <sam.lee@acmehealth.example.com>, HARP user ID: SLEE01\n"
        "Security Point of Contact: Ana Cruz <ana.cruz@acmehealth.example.com>, HARP user "
        "ID: ACRUZ7\n")))
    daemon.run_once()
    daemon.maildir.deliver(compose(JANE, "Hello,\n\nPlease remove Ana Cruz as SPOC. She has "
                                   "left the company.\n\nJane\n",
                                   subject=f"{NUMBER}: SPOC"))
    daemon.run_once()
    [confirmation] = of_kind(daemon.sent(), "contact-change-confirmation")
    assert ("Remove Ana Cruz <ana.cruz@acmehealth.example.com> (HARP user ID ACRUZ7) as "
            "Security Point of Contact") in flat(confirmation)
    assert contracts(daemon)[0]["spoc"]["address"] == "ana.cruz@acmehealth.example.com"
    before = len(daemon.sent())
    daemon.maildir.deliver(reply_to(confirmation, COR, "Approved."))
    daemon.run_once()
    kinds = {m.kind: m for m in daemon.sent_since(before)}
    assert set(kinds) == {"contact-change-decided", "role-ended"}
    assert "ana.cruz@acmehealth.example.com" in kinds["role-ended"].to
    assert "you have been removed as the Security Point of Contact" in flat(kinds["role-ended"])
    assert "Still needed: the Security Point of Contact" in flat(kinds["contact-change-decided"])
    [contract] = contracts(daemon)
    assert contract["spoc"] is None or contract["spoc"]["address"] is None
    assert contract["security_official"]["address"] == "sam.lee@acmehealth.example.com"
    # The empty role is overdue again a day later, and reminded once.
    run_at(daemon, started + timedelta(days=2))
    [reminder] = of_kind(daemon.sent(), "contacts-reminder")
    assert "Still needed: the Security Point of Contact" in flat(reminder)


def test_a_new_spoc_without_a_harp_id_waits_for_it_after_the_cors_yes(daemon: Daemon) -> None:
    answer, confirmation = ask_for_a_new_spoc(
        daemon, "Security Point of Contact: Bob Roe <bob.roe@acmehealth.example.com>\n")
    assert "the HARP user ID of the new Security Point of Contact, Bob Roe" in flat(answer)
    before = len(daemon.sent())
    daemon.maildir.deliver(reply_to(confirmation, COR, "Approve"))
    daemon.run_once()
    [decided] = daemon.sent_since(before)
    assert decided.kind == "contact-change-decided"
    assert "HARP user ID needed" in decided.subject
    assert daemon.request()["state"] == "incomplete"
    assert contracts(daemon)[0]["spoc"]["address"] == "ana.cruz@acmehealth.example.com"
    # Asking where it stands, on the thread, says what it waits for.
    daemon.maildir.deliver(reply_to(answer, JANE, "Hi, what is the status of this?"))
    daemon.run_once()
    status = daemon.sent()[-1]
    assert status.kind == "contact-change-status"
    assert "Nothing has changed yet" in flat(status)
    before = len(daemon.sent())
    daemon.maildir.deliver(reply_to(decided, JANE, "Hi,\n\nHis HARP user ID: BROE01\n\nJane"))
    daemon.run_once()
    kinds = {m.kind: m for m in daemon.sent_since(before)}
    assert set(kinds) == {"contact-change-status", "role-assigned", "role-ended"}
    assert "The change is made" in flat(kinds["contact-change-status"])
    assert contracts(daemon)[0]["spoc"] == {"name": "Bob Roe", "harp_id": "BROE01",
                                            "address": "bob.roe@acmehealth.example.com"}
    assert daemon.request()["state"] == "approved"


def test_a_change_of_cor_asked_by_the_contractor_needs_the_current_cor(daemon: Daemon) -> None:
    awarded(daemon)
    daemon.maildir.deliver(compose(JANE, "New COR: Lee Park <lee.park@cms.example.gov>\n",
                                   subject=f"{NUMBER} COR"))
    daemon.run_once()
    [confirmation] = of_kind(daemon.sent(), "contact-change-confirmation")
    assert "dana.smith@cms.example.gov" in confirmation.to
    assert "Make Lee Park <lee.park@cms.example.gov> the contract's COR" in flat(confirmation)
    assert contracts(daemon)[0]["cor"] == "dana.smith@cms.example.gov"
    # The new COR cannot approve it for the old one.
    daemon.maildir.deliver(reply_to(confirmation, "Lee Park <lee.park@cms.example.gov>",
                                    "Approve"))
    daemon.run_once()
    assert contracts(daemon)[0]["cor"] == "dana.smith@cms.example.gov"
    before = len(daemon.sent())
    daemon.maildir.deliver(reply_to(confirmation, COR, "Approved"))
    daemon.run_once()
    kinds = {m.kind: m for m in daemon.sent_since(before)}
    assert set(kinds) == {"contact-change-decided", "role-assigned", "role-ended"}
    assert "lee.park@cms.example.gov" in kinds["role-assigned"].to
    assert "As the contract's COR you" in kinds["role-assigned"].text
    assert "dana.smith@cms.example.gov" in kinds["role-ended"].to
    assert contracts(daemon)[0]["cor"] == "lee.park@cms.example.gov"


def test_staff_cannot_confirm_a_contact_change_for_the_cor(daemon: Daemon) -> None:
    answer, _ = ask_for_a_new_spoc(daemon)
    reference = reference_of(answer)
    daemon.capsys.readouterr()
    assert daemon.run("requests", "confirm-cor", reference, "--by", "staff@cms.example.gov",
                      "--reason", "phoned") != 0
    error = daemon.capsys.readouterr().err.strip()
    assert error.endswith("is a contact-change request: its COR answers by mail; staff may "
                          "only withdraw it")
    assert "\n" not in error
    assert daemon.request()["state"] == "awaiting_cor"
