"""From a complete request to its outcome: the COR's confirmation and the leads' decisions,
each held to the trust rules. The mails these send are written in responders/letters.py."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from onboardd.parsers.decision import DecisionReading, Verdict, read_decision
from onboardd.parsers.model import CorEvidence, CorStatus, ParsedEmail
from onboardd.responders import letters
from onboardd.responders.policy import Policy
from onboardd.responders.render import Renderer
from onboardd.responders.state import Decision, State, check_transition
from onboardd.responders.trust import Claim, first_refusal
from onboardd.responders.view import (
    AuditEntry,
    Outcome,
    OutgoingMail,
    RequestView,
    ServiceDecision,
    TokenView,
)


@dataclass(frozen=True)
class Review:
    """A reply that may carry a decision, with the tokens it carried or threaded to."""

    mail: ParsedEmail
    view: RequestView
    tokens: tuple[TokenView, ...]
    policy: Policy
    renderer: Renderer
    now: datetime


def review(item: Review) -> Outcome:
    """A reply on a request that waits for its COR or its leads."""
    if item.view.state is State.AWAITING_COR:
        return _cor_reply(item)
    return _lead_reply(item)


def refused(item: Review, refusal: tuple[str, str], verdict: str, **detail: str) -> Outcome:
    """A decision that does not count, audited with the rule that refused it and why
    (`verdict`: what its words would have decided)."""
    rule, reason = refusal
    sender = item.mail.sender.email if item.mail.sender else None
    event = AuditEntry(
        "decision-refused",
        sender,
        {"reason": reason, "verdict": verdict, "rule": rule, **detail},
    )
    return Outcome("decision-refused", request=item.view, events=(event,))


def decision_in(mail: ParsedEmail, view: RequestView) -> DecisionReading:
    """The decision a reply about `view` gives. Beside an approval it may name the
    request and its sender, and nothing else the reader does not know to be harmless."""
    own_name = mail.sender.name if mail.sender else ""
    return read_decision(mail.reply_text, (*view.names, own_name))


def pick_token(item: Review, scope: str) -> tuple[TokenView | None, tuple[str, str]]:
    """The sender's own token of this scope, or the refusal that there is none."""
    sender = item.mail.sender.email if item.mail.sender else ""
    tokens = [t for t in item.tokens if t.scope == scope]
    mine = sorted((t for t in tokens if t.address == sender), key=lambda t: t.via != "address")
    if mine:
        return mine[0], ("", "")
    if tokens:
        return None, ("token-of-another", "the reply token was issued to another address")
    return None, ("no-token", "no reply token and no thread to our request for a decision")


def _cor_reply(item: Review) -> Outcome:
    reading = decision_in(item.mail, item.view)
    token, why = pick_token(item, "cor")
    if token is None:
        if reading.verdict is Verdict.UNCLEAR:
            return joined(item)
        return refused(item, why, str(reading.verdict))
    refusal = first_refusal(Claim(item.mail, token, item.policy))
    if refusal:
        return refused(item, refusal, str(reading.verdict))
    if reading.verdict is Verdict.UNCLEAR:
        return clarify(item, token, None)
    sender = item.mail.sender
    assert sender is not None
    if reading.verdict is Verdict.DENY:
        view = dataclasses.replace(
            item.view,
            state=check_transition(item.view.state, State.DENIED),
            services=tuple(
                dataclasses.replace(
                    s,
                    decision=Decision.DENIED,
                    decided_by=sender.email,
                    decided_at=item.now,
                    reason=reading.reason or "not approved by the COR",
                )
                for s in item.view.services
            ),
        )
        event = AuditEntry("cor-denied", sender.email, {"reason": reading.reason or ""})
        mails = (letters.denial(view, item.policy, item.renderer),)
        return Outcome(
            "cor-denied", view, events=(event,), outgoing=mails, spent_tokens=(token.token_id,)
        )
    view = dataclasses.replace(
        item.view,
        state=check_transition(item.view.state, State.AWAITING_APPROVAL),
        cor=CorEvidence(
            CorStatus.VERIFIED,
            sender.email,
            sender.name or item.view.cor.name,
            "confirmed by reply",
        ),
    )
    event = AuditEntry("cor-verified", sender.email, {"via": token.via})
    return Outcome(
        "cor-verified",
        view,
        events=(event,),
        outgoing=letters.entry_mails(view, item.policy, item.renderer),
        spent_tokens=(token.token_id,),
    )


def _lead_reply(item: Review) -> Outcome:
    reading = decision_in(item.mail, item.view)
    token, why = pick_token(item, "approval")
    if token is None:
        if reading.verdict is Verdict.UNCLEAR:
            return joined(item)
        return refused(item, why, str(reading.verdict))
    service = token.service or ""
    sender = item.mail.sender
    assert sender is not None
    refusal = first_refusal(Claim(item.mail, token, item.policy))
    if refusal:
        return refused(item, refusal, str(reading.verdict), service=service)
    if reading.verdict is Verdict.UNCLEAR:
        return clarify(item, token, service) if item.view.state.is_open else joined(item)
    current = next((s for s in item.view.services if s.service == service), None)
    if current is None or current.decision is not Decision.PENDING:
        event = AuditEntry(
            "decision-not-applied",
            sender.email,
            {
                "service": service,
                "verdict": str(reading.verdict),
                "reason": "the service was already decided",
                "first_decision": str(current.decision) if current else "none",
                "first_by": (current.decided_by or "") if current else "",
            },
        )
        return Outcome(
            "decision-not-applied", item.view, events=(event,), spent_tokens=(token.token_id,)
        )
    outcome = decide(
        item.view,
        service,
        sender.email,
        reading.verdict,
        reading.reason,
        policy=item.policy,
        renderer=item.renderer,
        now=item.now,
        how=token.via,
    )
    return dataclasses.replace(outcome, spent_tokens=(token.token_id,))


def decide(
    view: RequestView,
    service: str,
    by: str,
    verdict: Verdict,
    reason: str | None,
    *,
    policy: Policy,
    renderer: Renderer,
    now: datetime,
    how: str,
) -> Outcome:
    """Apply one lead's decision on one service; conclude when none is pending."""
    decision = Decision.APPROVED if verdict is Verdict.APPROVE else Decision.DENIED
    services = tuple(
        ServiceDecision(s.service, decision, by, now, reason) if s.service == service else s
        for s in view.services
    )
    view = dataclasses.replace(view, services=services)
    events = [
        AuditEntry(
            "decision",
            by,
            {"service": service, "decision": str(decision), "reason": reason or "", "via": how},
        )
    ]
    mails: tuple[OutgoingMail, ...] = ()
    if all(s.decision is not Decision.PENDING for s in services):
        approved = any(s.decision is Decision.APPROVED for s in services)
        target = State.APPROVED if approved else State.DENIED
        view = dataclasses.replace(view, state=check_transition(view.state, target))
        letter = letters.welcome_package if approved else letters.denial
        mails = (letter(view, policy, renderer),)
        events.append(AuditEntry(f"request-{target}", None, {}))
    return Outcome("decision", view, events=tuple(events), outgoing=mails)


class DecisionError(Exception):
    """A manual decision that the request or the catalog does not allow."""


def decide_manually(
    view: RequestView,
    *,
    service: str,
    by: str,
    verdict: Verdict,
    reason: str | None,
    policy: Policy,
    renderer: Renderer,
    now: datetime,
) -> Outcome:
    """A lead's decision given at the command line, held to the same rules as by mail."""
    entry = policy.service(service)
    by = by.strip().lower()
    if entry is None or entry.name not in view.service_names:
        names = ", ".join(view.service_names) or "none"
        raise DecisionError(f"{view.reference} does not ask for {service!r} (it asks for: {names})")
    if view.state is not State.AWAITING_APPROVAL:
        raise DecisionError(
            f"{view.reference} is {view.state}; decisions are taken only while "
            "it is awaiting_approval"
        )
    if by not in entry.leads:
        raise DecisionError(f"{by} is not a lead of {entry.name} (leads: {', '.join(entry.leads)})")
    current = next(s for s in view.services if s.service == entry.name)
    if current.decision is not Decision.PENDING:
        raise DecisionError(f"{entry.name} was already {current.decision} by {current.decided_by}")
    return decide(
        view,
        entry.name,
        by,
        verdict,
        reason,
        policy=policy,
        renderer=renderer,
        now=now,
        how="manual",
    )


def clarify(item: Review, token: TokenView, service: str | None) -> Outcome:
    """One clarification per token (an unclear answer under a token already clarified is
    only recorded), the reply asking the sender to answer plainly."""
    sender = item.mail.sender
    assert sender is not None
    if token.clarified:
        event = AuditEntry(
            "unclear-reply",
            sender.email,
            {"service": service or "COR approval", "clarification": "already sent"},
        )
        return Outcome("unclear-reply", item.view, events=(event,))
    mail = letters.clarification(item.mail, item.view, item.policy, item.renderer,
                                 token.scope, service)
    event = AuditEntry("clarification-requested", sender.email, {"service": service or "COR"})
    return Outcome(
        "unclear-reply",
        item.view,
        events=(event,),
        outgoing=(mail,),
        clarified_tokens=(token.token_id,),
    )


def joined(item: Review) -> Outcome:
    sender = item.mail.sender.email if item.mail.sender else None
    return Outcome("follow-up", item.view, events=(AuditEntry("follow-up", sender),))
