"""From a complete request to its outcome: COR confirmation, lead decisions, welcome or denial."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from onboardd.parsers.decision import DecisionReading, Verdict, read_decision
from onboardd.parsers.model import Address, CorEvidence, CorStatus, ParsedEmail
from onboardd.responders.context import base_context
from onboardd.responders.policy import Policy
from onboardd.responders.render import Renderer
from onboardd.responders.state import Decision, State, check_transition
from onboardd.responders.trust import Claim, first_refusal
from onboardd.responders.view import (
    AuditEntry,
    Grant,
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


def entry_mails(view: RequestView, policy: Policy, renderer: Renderer) -> tuple[OutgoingMail, ...]:
    """What entering awaiting_cor or awaiting_approval sends: the COR or each lead is asked."""
    if view.state is State.AWAITING_COR and view.cor.address:
        cor = Address(view.cor.name or "", view.cor.address)
        return (
            renderer.mail(
                "cor-confirmation",
                "cor/confirmation",
                f"[{view.reference}] Please confirm your approval of an onboarding request",
                base_context(policy, view, cor.name),
                to=(cor,),
                reference=view.reference,
                grant=Grant("cor", cor.email),
            ),
        )
    if view.state is State.AWAITING_APPROVAL:
        return tuple(
            _approval_request(view, policy, renderer, decision.service, lead)
            for decision in view.services
            if decision.decision is Decision.PENDING
            for lead in _leads(policy, decision.service)
        )
    return ()


def _approval_request(
    view: RequestView, policy: Policy, renderer: Renderer, service: str, lead: str
) -> OutgoingMail:
    context = base_context(policy, view) | {"service": policy.service(service), "lead": lead}
    return renderer.mail(
        "approval-request",
        "lead/approval_request",
        f"[{view.reference}] Approval needed: {service} for {view.organization}",
        context,
        to=(Address("", lead),),
        reference=view.reference,
        grant=Grant("approval", lead, service),
    )


def _leads(policy: Policy, service: str) -> tuple[str, ...]:
    entry = policy.service(service)
    return entry.leads if entry else ()


def review(item: Review) -> Outcome:
    """A reply on a request that waits for its COR or its leads."""
    if item.view.state is State.AWAITING_COR:
        return _cor_reply(item)
    return _lead_reply(item)


def _refused(
    item: Review, refusal: tuple[str, str], reading: DecisionReading, **detail: str
) -> Outcome:
    """A decision that does not count, audited with the rule that refused it and why."""
    rule, reason = refusal
    sender = item.mail.sender.email if item.mail.sender else None
    event = AuditEntry(
        "decision-refused",
        sender,
        {"reason": reason, "verdict": str(reading.verdict), "rule": rule, **detail},
    )
    return Outcome("decision-refused", request=item.view, events=(event,))


def _pick(item: Review, scope: str) -> tuple[TokenView | None, tuple[str, str]]:
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
    reading = read_decision(item.mail.reply_text)
    token, why = _pick(item, "cor")
    if token is None:
        if reading.verdict is Verdict.UNCLEAR:
            return _joined(item)
        return _refused(item, why, reading)
    refusal = first_refusal(Claim(item.mail, token, item.policy))
    if refusal:
        return _refused(item, refusal, reading)
    if reading.verdict is Verdict.UNCLEAR:
        return _clarify(item, token, None)
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
        mails = (_denial(view, item.policy, item.renderer),)
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
        outgoing=entry_mails(view, item.policy, item.renderer),
        spent_tokens=(token.token_id,),
    )


def _lead_reply(item: Review) -> Outcome:
    reading = read_decision(item.mail.reply_text)
    token, why = _pick(item, "approval")
    if token is None:
        if reading.verdict is Verdict.UNCLEAR:
            return _joined(item)
        return _refused(item, why, reading)
    service = token.service or ""
    sender = item.mail.sender
    assert sender is not None
    refusal = first_refusal(Claim(item.mail, token, item.policy))
    if refusal:
        return _refused(item, refusal, reading, service=service)
    if reading.verdict is Verdict.UNCLEAR:
        return _clarify(item, token, service) if item.view.state.is_open else _joined(item)
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
        mails = (_welcome(view, policy, renderer) if approved else _denial(view, policy, renderer),)
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


def _clarify(item: Review, token: TokenView, service: str | None) -> Outcome:
    sender = item.mail.sender
    assert sender is not None
    if token.clarified:
        event = AuditEntry(
            "unclear-reply",
            sender.email,
            {"service": service or "COR approval", "clarification": "already sent"},
        )
        return Outcome("unclear-reply", item.view, events=(event,))
    context = base_context(item.policy, item.view, sender.name) | {
        "service": item.policy.service(service) if service else None,
    }
    mail = item.renderer.mail(
        "clarification",
        "reviewer/clarification",
        f"[{item.view.reference}] Please reply with approve or deny",
        context,
        to=(sender,),
        in_reply_to=item.mail.message_id,
        references=(
            *item.mail.references,
            *((item.mail.message_id,) if item.mail.message_id else ()),
        ),
        reference=item.view.reference,
        grant=Grant(token.scope, sender.email, service, clarification=True),
    )
    event = AuditEntry("clarification-requested", sender.email, {"service": service or "COR"})
    return Outcome(
        "unclear-reply",
        item.view,
        events=(event,),
        outgoing=(mail,),
        clarified_tokens=(token.token_id,),
    )


def _joined(item: Review) -> Outcome:
    sender = item.mail.sender.email if item.mail.sender else None
    return Outcome("follow-up", item.view, events=(AuditEntry("follow-up", sender),))


def security_official(view: RequestView, policy: Policy) -> Address:
    """Named in the request, else the organization's, else the requester."""
    if view.security_official:
        return view.security_official
    organization = policy.organization(view.organization)
    listed = organization.security_official_address() if organization else None
    return listed or view.requester


def _copies(view: RequestView, *, exclude: str) -> tuple[Address, ...]:
    people = [view.requester]
    if view.cor.address:
        people.append(Address(view.cor.name or "", view.cor.address))
    seen = {exclude}
    unique = []
    for person in people:
        if person.email not in seen:
            seen.add(person.email)
            unique.append(person)
    return tuple(unique)


def _welcome(view: RequestView, policy: Policy, renderer: Renderer) -> OutgoingMail:
    so = security_official(view, policy)
    approved = tuple(
        (policy.service(s.service), s) for s in view.services if s.decision is Decision.APPROVED
    )
    denied = tuple(s for s in view.services if s.decision is Decision.DENIED)
    context = base_context(policy, view, so.name) | {
        "approved": approved,
        "denied": denied,
        "security_official": so,
    }
    return renderer.mail(
        "welcome-package",
        "so/welcome_package",
        f"[{view.reference}] Welcome: access approved for {view.organization}",
        context,
        to=(so,),
        cc=_copies(view, exclude=so.email),
        reference=view.reference,
    )


def _denial(view: RequestView, policy: Policy, renderer: Renderer) -> OutgoingMail:
    denied = tuple(s for s in view.services if s.decision is Decision.DENIED)
    context = base_context(policy, view, view.requester.name) | {"denied": denied}
    return renderer.mail(
        "denial",
        "requester/denial",
        f"[{view.reference}] Your onboarding request was not approved",
        context,
        to=(view.requester,),
        cc=_copies(view, exclude=view.requester.email),
        reference=view.reference,
    )
