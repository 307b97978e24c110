"""Reading a Service Lead's confirmation that a service's access is removed, and a
party's mail asking to offboard a contract. A refusal, a promise or a lookalike read
as "removed" would close a contract whose people can still sign in: every such
wording must fall to unclear."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onboardd.parsers.removal import Removal, asks_offboarding, named_numbers, read_removal

OTHERS = ("Confluence", "Atlassian Confluence", "Wiki", "Slack")


@pytest.mark.parametrize("text", [
    "Done.",
    "done",
    "Done - all access removed.",
    "Access removed.",
    "Confirmed, all roles removed",
    "Confirmed.",
    "Completed.",
    "All set.",
    "Removed.",
    "All roles removed. Thanks!",
    "The users' access has been revoked.",
    "We have deactivated every account.",
    "Hi,\n\nDone.\n\nJira Lead\nCMS",
    "Access removed, no issues.",
    "Access removed \u2013 thanks",
    "Jira access removed.",  # its own service named
    "Yes, done.",
    "Yes - removed.",
    "OK, done",
    "Yep, all set.",
    "Access removed. See the ServiceNow ticket for details.",  # a pointer, no objection
])
def test_a_clear_confirmation_counts(text: str) -> None:
    assert read_removal(text, OTHERS).verdict is Removal.CONFIRMED, text


@pytest.mark.parametrize("text", [
    # negated or refused
    "Not yet.",
    "not yet",
    "No.",
    "Access has not been removed.",
    "Access hasn\u2019t been removed yet.",
    "I can't remove it.",
    "I can\u2019t remove until Friday.",
    "Can't remove until Friday.",
    "We won't remove their access; they are transitioning.",
    "Removal denied: they still need it.",
    "Never removed, sorry.",
    # conditional, doubtful, a question
    "Done once the SO confirms.",
    "Removed, but Slack is left.",
    "I think it's removed.",
    "Probably done.",
    "Done?",
    "What contract?",
    "Removed after the audit.",
    # a promise or work under way
    "Will be removed Friday.",
    "Access will be removed on Friday.",
    "I'll remove it tomorrow.",
    "Removing now.",
    "Removal in progress.",
    "Working on it.",
    "Scheduled for removal.",
    "Access to be removed next week.",
    # our mail acknowledged, not the work done
    "Confirmed receipt.",
    "Confirmed, received.",
    "Got it, thanks.",
    "Acknowledged.",
    "Noted.",
    "Thanks for the note.",
    # partly done
    "Removed access for 3 of 5 users.",
    "Some roles removed.",
    "Most accounts deactivated.",
    "Removed all roles except the admin.",
    # lookalikes with a removal word about something else
    "I deleted your email by mistake, please resend.",
    "Please remove the access.",
    "Remove?",
    "Approved.",
    "Yes",
    "OK",
    "",
    # a plain "yes" before words that are no confirmation
    "Yes, done?",
    "Yes, will do.",
    "Yes, done by Friday.",
    "Yes, not yet.",
    "OK, removing now.",
    "Yes, please remove them.",
    "Yes, deleted your mail.",
    "Deleted your mail by mistake, please resend.",
    "Removed from the thread, please use the new one.",
    "Disabled out-of-office. What do you need?",
    # another service named in the deciding words
    "Confluence access removed.",
    "Wiki roles removed.",
])
def test_anything_else_is_unclear(text: str) -> None:
    assert read_removal(text, OTHERS).verdict is Removal.UNCLEAR, text


def test_a_signature_naming_other_services_does_not_unsettle_a_clear_done() -> None:
    reply = "Done.\n\nPat Lee\nJira, Confluence and Slack platform team"
    assert read_removal(reply, OTHERS).verdict is Removal.CONFIRMED


def test_a_later_paragraph_takes_the_confirmation_back() -> None:
    assert read_removal("Done.\n\nActually not for the contractors' admins yet.",
                        OTHERS).verdict is Removal.UNCLEAR


@given(st.text(max_size=80))
def test_nothing_confirms_without_a_word_of_completion(text: str) -> None:
    lowered = text.lower()
    words = ("done", "complete", "finish", "confirm", "set", "remov", "revok", "delet",
             "disabl", "deactiv", "provision", "offboard")
    if not any(word in lowered for word in words):
        assert read_removal(text).verdict is Removal.UNCLEAR


@pytest.mark.parametrize(("subject", "body"), [
    ("Offboarding 75FCMC27C0012", ""),
    ("Contract 75FCMC27C0012", "The contract has ended. Please offboard us."),
    ("Contract No. 75FCMC27C0012 has ended", ""),
    ("Hi", "Our contract 75FCMC27C0012 has now ended; please remove our access."),
    ("Re: Contract 75FCMC27C0012: period of performance ends 03 January 2028; offboarding "
     "starts", "Please start the offboarding now."),
    ("Close-out of 75FCMC27C0012", "Hello team,\n\nPlease close out the contract."),
])
def test_a_mail_asking_to_offboard(subject: str, body: str) -> None:
    assert asks_offboarding(subject, body)
    assert named_numbers(subject, body)[0] == "75FCMC27C0012"


@pytest.mark.parametrize(("subject", "body"), [
    ("When does offboarding start?", ""),
    ("Contract extension", "Contract Number: 75FCMC27C0012\nPeriod of Performance: a - b"),
    ("75FCMC27C0012", "We are not offboarding yet, the contract was extended."),
    ("Offboarding", "Please don't start the offboarding of 75FCMC27C0012."),
    ("Jira access", "Please give us Jira for 12 users."),
    # a reply to our notice says only thanks: the subject is ours, not the sender's ask
    ("Re: Contract 75FCMC27C0012: period of performance ends 03 January 2028; offboarding "
     "starts", "Thanks, noted."),
    ("Notice of contract award", "A new contract has been awarded.\nPeriod of Performance: "
     "01/04/2027 - 01/03/2028"),
])
def test_a_mail_not_asking_to_offboard(subject: str, body: str) -> None:
    assert not asks_offboarding(subject, body)
