"""Reading approve / deny and the reason from the new text of a reply."""

from __future__ import annotations

import pytest

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
