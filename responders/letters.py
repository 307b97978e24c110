"""The letters a request's decisions send: the COR's confirmation request, each lead's
approval request, a clarification when a reply is unclear, the welcome package and the
denial. Who gets each letter is decided here; what it says is in templates/."""

from __future__ import annotations

from onboardd.parsers.model import Address, ParsedEmail
from onboardd.responders.context import base_context
from onboardd.responders.policy import Policy
from onboardd.responders.render import Renderer
from onboardd.responders.state import Decision, State
from onboardd.responders.view import Grant, OutgoingMail, RequestView


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
            approval_request(view, policy, renderer, decision.service, lead)
            for decision in view.services
            if decision.decision is Decision.PENDING
            for lead in policy.leads_of(decision.service)
        )
    return ()


def approval_request(
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


def clarification(
    mail: ParsedEmail,
    view: RequestView,
    policy: Policy,
    renderer: Renderer,
    scope: str,
    service: str | None,
) -> OutgoingMail:
    """Asks the sender of an unclear reply to answer approve or deny, in the same thread."""
    sender = mail.sender
    assert sender is not None
    context = base_context(policy, view, sender.name) | {
        "service": policy.service(service) if service else None,
    }
    return renderer.mail(
        "clarification",
        "reviewer/clarification",
        f"[{view.reference}] Please reply with approve or deny",
        context,
        to=(sender,),
        in_reply_to=mail.message_id,
        references=mail.answer_references,
        reference=view.reference,
        grant=Grant(scope, sender.email, service, clarification=True),
    )


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


def welcome_package(view: RequestView, policy: Policy, renderer: Renderer) -> OutgoingMail:
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


def denial(view: RequestView, policy: Policy, renderer: Renderer) -> OutgoingMail:
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
