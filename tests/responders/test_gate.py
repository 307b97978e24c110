"""The one reply gate: who may get an automatic answer, and why not."""

from __future__ import annotations

import pytest

from onboardd.responders.gate import may_reply
from onboardd.responders.view import SenderHistory
from tests.parsers.support import mail
from tests.responders.support import policy

HUMAN = "From: Jane Doe <jane.doe@acmehealth.example.com>\nSubject: Access request"


@pytest.mark.parametrize(
    ("head", "reason"),
    [
        (HUMAN + "\nAuto-Submitted: auto-replied", "Auto-Submitted"),
        (HUMAN + "\nX-Auto-Response-Suppress: All", "X-Auto-Response-Suppress"),
        (HUMAN + "\nPrecedence: bulk", "Precedence"),
        (HUMAN + "\nList-Id: <staff.lists.example.com>", "List-Id"),
        ("From: MAILER-DAEMON@mx.example.com\nSubject: Undelivered Mail", "MAILER-DAEMON"),
        ("From: IT Services Onboarding <onboarding@onboard.example.gov>\nSubject: x", "our own"),
        ("From: onboarding+abc@onboard.example.gov\nSubject: x", "our own"),
        ("Subject: no sender at all", "no sender"),
    ],
)
def test_gate_holds_back_answers(head: str, reason: str) -> None:
    verdict = may_reply(mail(head), policy(), SenderHistory())
    assert not verdict.allowed
    assert any(reason.lower() in r.lower() for r in verdict.reasons), verdict.reasons


def test_gate_lets_a_person_through_until_the_hourly_limit() -> None:
    person = mail(HUMAN)
    assert may_reply(person, policy(), SenderHistory(replies_last_hour=4)).allowed
    limited = may_reply(person, policy(), SenderHistory(replies_last_hour=5))
    assert not limited.allowed and limited.rate_limited
