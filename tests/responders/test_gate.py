"""The one reply gate: who may get an automatic answer, and why not."""

from __future__ import annotations

import pytest

from onboardd.parsers.model import ParsedEmail
from onboardd.responders.gate import may_reply
from onboardd.responders.policy import Policy
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


OURS = "mx.onboard.example.gov"


def trusting(**trust: object) -> Policy:
    """The example policy with our MTA's authserv-id set (and any other trust keys)."""
    base = policy()
    return base.model_copy(
        update={"trust": base.trust.model_copy(update={"authserv_id": OURS, **trust})})


def marked(results: str) -> ParsedEmail:
    return mail(f"Authentication-Results: {OURS}; {results}\n{HUMAN}")


@pytest.mark.parametrize(
    "results",
    ["spf=fail smtp.mailfrom=acmehealth.example.com; dmarc=fail header.from=acmehealth.example.com",
     "dmarc=fail (p=none) header.from=acmehealth.example.com",
     "spf=fail smtp.mailfrom=jane.doe@acmehealth.example.com"],
)
def test_a_sender_our_mta_failed_is_not_answered(results: str) -> None:
    verdict = may_reply(marked(results), trusting(), SenderHistory())
    assert not verdict.allowed and verdict.held_by == "failed-authentication"
    assert may_reply(marked(results), trusting(answer_failed_authentication=True),
                     SenderHistory()).allowed
    # Without an authserv-id nothing says whose header to believe: no holding back.
    assert may_reply(marked(results), policy(), SenderHistory()).allowed


@pytest.mark.parametrize(
    "results",
    ["spf=fail smtp.mailfrom=acmehealth.example.com; dkim=pass header.d=acmehealth.example.com",
     "spf=softfail smtp.mailfrom=acmehealth.example.com",
     "spf=none smtp.helo=[203.0.113.5]",
     "none"],
)
def test_a_sender_our_mta_did_not_fail_is_answered(results: str) -> None:
    """Only a failure our MTA states holds an answer back: a forwarded mail (SPF broken,
    DKIM intact), a soft fail, a header that proves nothing."""
    assert may_reply(marked(results), trusting(), SenderHistory()).allowed


def test_the_hourly_budget_holds_everyone_back_once_spent() -> None:
    budget = policy().limits.replies_per_hour
    person = mail(HUMAN)
    assert may_reply(person, policy(), SenderHistory(answers_last_hour=budget - 1)).allowed
    spent = may_reply(person, policy(), SenderHistory(answers_last_hour=budget))
    assert not spent.allowed and spent.held_by == "reply-budget"
    assert not spent.rate_limited
