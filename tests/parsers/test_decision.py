"""Reading approve / deny and the reason from the new text of a reply."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from onboardd.parsers.decision import Verdict, read_decision


@pytest.mark.parametrize(
    ("text", "verdict", "reason"),
    [
        ("Approved.", Verdict.APPROVE, None),
        ("Approve", Verdict.APPROVE, None),
        ("Yes", Verdict.APPROVE, None),
        ("yes, go ahead", Verdict.APPROVE, "yes, go ahead"),
        ("I concur", Verdict.APPROVE, None),
        ("OK to proceed.\n\nThanks,\nPat", Verdict.APPROVE, "Thanks,\nPat"),
        ("No problem, approved", Verdict.APPROVE, "No problem, approved"),
        ("Not approved - we have no licences left.", Verdict.DENY, "we have no licences left."),
        ("I do not approve this.", Verdict.DENY, "I do not approve this."),
        ("We don't approve of this", Verdict.DENY, "We don't approve of this"),
        ("Denied: the contract ends in December.", Verdict.DENY, "the contract ends in December."),
        ("Rejected", Verdict.DENY, None),
        ("Declined, wrong team", Verdict.DENY, "wrong team"),
        ("No. Budget.", Verdict.DENY, "Budget."),
        (
            "Approved? Not approved. Budget cut.",
            Verdict.DENY,
            "Approved? Not approved. Budget cut.",
        ),
        ("Who are these people?", Verdict.UNCLEAR, None),
        ("", Verdict.UNCLEAR, None),
    ],
)
def test_read_decision(text: str, verdict: Verdict, reason: str | None) -> None:
    reading = read_decision(text)
    assert (reading.verdict, reading.reason) == (verdict, reason)


# Every refusal form the issue tracker saw read as approval, each as typed by a person
# (straight and curly apostrophes), with the reason a requester should be told.
@pytest.mark.parametrize(
    ("text", "verdict", "reason"),
    [
        ("I can't approve this.", Verdict.DENY, "I can't approve this."),
        ("I can\u2019t approve this.", Verdict.DENY, "I can't approve this."),
        ("I don\u2019t approve this request.", Verdict.DENY, "I don't approve this request."),
        ("I won't approve this.", Verdict.DENY, "I won't approve this."),
        ("I cannot approve this", Verdict.DENY, "I cannot approve this"),
        ("Approve? No.", Verdict.DENY, "Approve? No."),
        ("Approved - NOT", Verdict.DENY, None),
        ("Approved \u2013 NOT.  They already have access.", Verdict.DENY,
         "They already have access."),
        ("Unable to approve at this time.", Verdict.DENY, "Unable to approve at this time."),
        ("Not able to approve, no seats left", Verdict.DENY, "no seats left"),
        ("Not at this time, they need to finish training first", Verdict.DENY,
         "they need to finish training first"),
        ("Please hold off until the contract is extended.", Verdict.DENY,
         "Please hold off until the contract is extended."),
        ("Decline.", Verdict.DENY, None),
        ("nope", Verdict.DENY, None),
        ("Hi Onboarding Team,\n\nI can\u2019t approve this one.\n\nRegards,\nPat",
         Verdict.DENY, "I can't approve this one.\nRegards,\nPat"),
    ],
)
def test_refusals_are_denials(text: str, verdict: Verdict, reason: str | None) -> None:
    reading = read_decision(text)
    assert (reading.verdict, reading.reason) == (verdict, reason)


@pytest.mark.parametrize(
    "text",
    [
        "I would approve if they finish training",
        "Approve once the SO is named",
        "Approved, but not for Slack",
        "Approved. Not for the guest accounts though",
        "I'm not sure I can approve this",
        "Let me check with the COR first.",
        "Sounds good",
        "ok",
        "Approved?",
        "Approved.\n\nActually no - deny it, they have no SO yet.",
        "Probably fine, approved",
        "Approved pending the background check",
    ],
)
def test_anything_short_of_a_clear_yes_is_unclear(text: str) -> None:
    assert read_decision(text).verdict is Verdict.UNCLEAR


APPROVALS = ["Approved", "Approve", "I approve this request", "Approved.", "Yes, approved",
             "Concur", "OK to proceed", "Go ahead", "Approval granted", "APPROVED!"]
MARKERS = ["not", "n't", "no", "never", "can't", "cannot", "won't", "don't", "unable to",
           "deny", "denied", "reject", "decline", "refuse", "hold off", "not at this time",
           "if", "but", "unless", "pending", "?", "not yet", "disapprove", "don\u2019t",
           "can\u2019t", "won\u2019t"]


@given(st.sampled_from(APPROVALS), st.sampled_from(MARKERS), st.integers(0, 12),
       st.sampled_from(["", "\n", ". ", " - ", ", "]))
def test_a_refusal_or_condition_anywhere_never_approves(
    approval: str, marker: str, where: int, glue: str
) -> None:
    words = approval.split()
    at = min(where, len(words))
    text = " ".join([*words[:at], glue + marker + glue, *words[at:]])
    assert read_decision(text).verdict is not Verdict.APPROVE
