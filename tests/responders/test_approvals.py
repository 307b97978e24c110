"""Lead and COR replies judged in memory: tokens, authentication, first decision wins."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from onboardd.parsers.decision import Verdict
from onboardd.parsers.model import Address, CorEvidence, CorStatus
from onboardd.responders.approvals import DecisionError, Review, decide_manually, review
from onboardd.responders.state import Decision, State
from onboardd.responders.trust import TRUST_RULES
from onboardd.responders.view import Outcome, RequestView, ServiceDecision, TokenView
from tests.parsers.support import mail
from tests.responders.support import NOW, policy, renderer

LEAD = "From: Jira Lead <jira.lead@cms.example.gov>\nSubject: RE: [ONB-2026-0003] Approval"
PASS = "Authentication-Results: mx.onboard.example.gov; dmarc=pass header.from=cms.example.gov"
FAIL = "Authentication-Results: mx.onboard.example.gov; dmarc=fail header.from=cms.example.gov"


def waiting(*services: str) -> RequestView:
    return RequestView(
        reference="ONB-2026-0003",
        state=State.AWAITING_APPROVAL,
        requester=Address("Jane Doe", "jane.doe@acmehealth.example.com"),
        created_at=NOW,
        organization="Acme Health Solutions",
        justification="defect tracking",
        user_count=25,
        services=tuple(ServiceDecision(s) for s in services or ("Jira",)),
        cor=CorEvidence(CorStatus.VERIFIED, "dana.smith@cms.example.gov", "Dana Smith"),
    )


def token(**changes: object) -> TokenView:
    base = TokenView(
        token_id="t1",
        scope="approval",
        address="jira.lead@cms.example.gov",
        service="Jira",
        expired=False,
        spent=False,
        clarified=False,
        via="address",
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def judge(
    head: str,
    body: str,
    view: RequestView | None = None,
    tokens: tuple[TokenView, ...] | None = None,
    strict: bool = False,
) -> Outcome:
    active = policy()
    if strict:
        active = active.model_copy(
            update={
                "trust": active.trust.model_copy(update={"authserv_id": "mx.onboard.example.gov"})
            }
        )
    chosen = (token(),) if tokens is None else tokens
    return review(Review(mail(head, body), view or waiting(), chosen, active, renderer(), NOW))


def test_lead_approval_concludes_with_a_welcome_package_to_the_directory_so() -> None:
    outcome = judge(LEAD, "Approved.")
    assert outcome.request is not None and outcome.request.state is State.APPROVED
    assert outcome.spent_tokens == ("t1",)
    [welcome] = outcome.outgoing
    assert welcome.kind == "welcome-package"
    assert welcome.to == (Address("Sam Lee", "sam.lee@acmehealth.example.com"),)
    assert {a.email for a in welcome.cc} == {
        "jane.doe@acmehealth.example.com",
        "dana.smith@cms.example.gov",
    }
    for duty in (
        "request access",
        "people you do not know",
        "no longer needed",
        "leave",
        "other Security Officials",
    ):
        assert duty in welcome.text


def test_so_named_in_the_request_gets_the_package() -> None:
    view = dataclasses.replace(
        waiting(), security_official=Address("Kim Ro", "kim@acme.example.com")
    )
    [welcome] = judge(LEAD, "Approved.", view).outgoing
    assert welcome.to[0].email == "kim@acme.example.com"


def test_decision_applies_only_to_the_tokens_service() -> None:
    outcome = judge(LEAD, "Approved.", waiting("Jira", "Confluence"))
    assert outcome.request is not None
    decisions = {s.service: s.decision for s in outcome.request.services}
    assert decisions == {"Jira": Decision.APPROVED, "Confluence": Decision.PENDING}
    assert outcome.request.state is State.AWAITING_APPROVAL and outcome.outgoing == ()


@pytest.mark.parametrize(
    ("head", "tokens", "reason"),
    [
        (LEAD.replace("jira.lead", "someone.else"), (token(),), "issued to another address"),
        (LEAD, (), "no reply token"),
        (LEAD, (token(expired=True),), "expired"),
        (LEAD, (token(service="Slack"),), "not a lead of Slack"),
    ],
)
def test_refused_decisions_change_nothing(
    head: str, tokens: tuple[TokenView, ...], reason: str
) -> None:
    outcome = judge(head, "Approved.", tokens=tokens)
    assert outcome.verdict == "decision-refused"
    assert outcome.request == waiting() and outcome.outgoing == ()
    assert reason in outcome.events[0].detail["reason"]


def test_authentication_is_required_when_configured() -> None:
    assert judge(LEAD + "\n" + FAIL, "Approved.", strict=True).verdict == "decision-refused"
    assert judge(LEAD, "Approved.", strict=True).verdict == "decision-refused"
    assert judge(LEAD + "\n" + PASS, "Approved.", strict=True).verdict == "decision"


@pytest.mark.parametrize(
    ("body", "verdict"),
    [
        ("Approved for Acme Health Solutions, all 25 users.", "decision"),
        ("Approve ONB-2026-0003 - Jira Lead", "decision"),
        ("Approved for 250 users.", "unclear-reply"),
        ("Approved for Globex.", "unclear-reply"),
        ("Dana approved this yesterday.", "unclear-reply"),
    ],
)
def test_an_approval_may_name_the_request_and_its_sender_and_nothing_else(
    body: str, verdict: str
) -> None:
    assert judge(LEAD, body).verdict == verdict


def test_unclear_reply_gets_one_clarification_carrying_its_own_grant() -> None:
    first = judge(LEAD, "Can we talk about this on Monday?")
    [clarification] = first.outgoing
    assert clarification.kind == "clarification"
    assert clarification.grant is not None and clarification.grant.clarification
    assert first.clarified_tokens == ("t1",)
    second = judge(LEAD, "Still thinking.", tokens=(token(clarified=True),))
    assert second.outgoing == () and second.events[0].kind == "unclear-reply"


def test_a_later_contrary_decision_on_a_spent_token_is_refused() -> None:
    """The lead's token was spent by the first decision: the one trust table refuses a
    second use, on the lead's path as on the COR's, and names its rule."""
    decided = dataclasses.replace(
        waiting(),
        state=State.APPROVED,
        services=(ServiceDecision("Jira", Decision.APPROVED, "jira.lead@cms.example.gov", NOW),),
    )
    outcome = judge(LEAD, "Denied.", decided, tokens=(token(spent=True),))
    assert outcome.verdict == "decision-refused"
    assert outcome.request == decided
    [event] = outcome.events
    assert (event.detail["rule"], event.detail["reason"]) == (
        "spent-token", "the reply token was already used")


def test_every_refusal_names_its_trust_rule() -> None:
    expired = judge(LEAD, "Approved.", waiting(), tokens=(token(expired=True),))
    stranger = judge("From: Mallory <mallory@evil.example.net>\nSubject: RE: x", "Approved.",
                     waiting(), tokens=(token(),))
    rules = [o.events[0].detail["rule"] for o in (expired, stranger)]
    assert rules == ["expired-token", "token-of-another"]


def test_cor_confirmation_by_reply_then_leads_are_asked() -> None:
    view = dataclasses.replace(
        waiting(),
        state=State.AWAITING_COR,
        cor=CorEvidence(CorStatus.STATED, "dana.smith@cms.example.gov", "Dana Smith"),
    )
    cor = "From: Dana Smith <dana.smith@cms.example.gov>\nSubject: RE: [ONB-2026-0003] confirm"
    outcome = judge(
        cor,
        "I approve.",
        view,
        tokens=(token(scope="cor", service=None, address="dana.smith@cms.example.gov"),),
    )
    assert outcome.request is not None and outcome.request.state is State.AWAITING_APPROVAL
    assert outcome.request.cor.status is CorStatus.VERIFIED
    assert [m.kind for m in outcome.outgoing] == ["approval-request"]


def test_manual_decision_follows_the_same_rules() -> None:
    with pytest.raises(DecisionError, match="not a lead"):
        decide_manually(
            waiting(),
            service="Jira",
            by="x@cms.example.gov",
            verdict=Verdict.APPROVE,
            reason=None,
            policy=policy(),
            renderer=renderer(),
            now=NOW,
        )
    with pytest.raises(DecisionError, match="does not ask for"):
        decide_manually(
            waiting(),
            service="Slack",
            by="collab.lead@cms.example.gov",
            verdict=Verdict.APPROVE,
            reason=None,
            policy=policy(),
            renderer=renderer(),
            now=NOW,
        )
    outcome = decide_manually(
        waiting(),
        service="JIRA",
        by="Jira.Lead@cms.example.gov",
        verdict=Verdict.DENY,
        reason="budget",
        policy=policy(),
        renderer=renderer(),
        now=NOW + timedelta(hours=1),
    )
    assert outcome.request is not None and outcome.request.state is State.DENIED
    assert outcome.events[0].detail["via"] == "manual"
    assert [m.kind for m in outcome.outgoing] == ["denial"]


def test_approval_request_renders_without_a_justification() -> None:
    from onboardd.responders.letters import entry_mails

    view = dataclasses.replace(waiting(), justification=None)
    [ask] = entry_mails(view, policy(), renderer())
    assert "(not given)" in ask.text and "(not given)" in ask.html


COR_HEAD = "From: Dana Smith <dana.smith@cms.example.gov>\nSubject: RE: [ONB-2026-0003] confirm"
# What each trust rule looks at, made bad one flaw at a time (a lead of Slack holding a
# token for Jira is the not-a-lead flaw; the COR's path has no such flaw).
FLAWS = ("not-a-lead", "expired-token", "spent-token", "not-authenticated")


COMBINATIONS = [
    (scope, frozenset(f for i, f in enumerate(FLAWS) if mask >> i & 1))
    for scope in ("approval", "cor") for mask in range(16)
    if scope == "approval" or not mask & 1
]


def test_the_flaws_are_the_trust_rules() -> None:
    assert {rule.name for rule in TRUST_RULES} == set(FLAWS)


@pytest.mark.parametrize(("scope", "flaws"), COMBINATIONS)
def test_both_paths_refuse_every_flaw_with_the_first_rule_in_table_order(
    scope: str, flaws: frozenset[str]
) -> None:
    """Every combination of flaws, on the lead's path and the COR's: a decision counts
    only with none, and the refusal names the first flawed rule in TRUST_RULES order."""
    auth = FAIL if "not-authenticated" in flaws else PASS
    flags = {"expired": "expired-token" in flaws, "spent": "spent-token" in flaws}
    if scope == "approval":
        head, view = LEAD, waiting()
        held = token(service="Slack" if "not-a-lead" in flaws else "Jira", **flags)
        view = waiting("Slack") if "not-a-lead" in flaws else view
    else:
        head = COR_HEAD
        view = dataclasses.replace(
            waiting(), state=State.AWAITING_COR,
            cor=CorEvidence(CorStatus.STATED, "dana.smith@cms.example.gov", "Dana Smith"))
        held = token(scope="cor", service=None, address="dana.smith@cms.example.gov", **flags)
    outcome = judge(f"{head}\n{auth}", "I approve.", view, tokens=(held,), strict=True)
    if not flaws:
        assert outcome.verdict != "decision-refused"
        return
    assert outcome.verdict == "decision-refused" and outcome.outgoing == ()
    order = [rule.name for rule in TRUST_RULES]
    assert outcome.events[0].detail["rule"] == min(flaws, key=order.index)
