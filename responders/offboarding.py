"""A contract's offboarding: opened by its COR's or contractor's mail, or by its end
date passing; each approved service's leads confirm the removal under a token of
their own, the Security Official removes every user's roles, and when every service
is confirmed removed the contract is closed. An extension cancels what is pending.

An offboarding is a request of kind "offboarding" (its reference, thread, tokens and
audit work as an access request's); its services are the contract's approved ones,
each pending until its lead confirms the removal.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, datetime

from onboardd.parsers.model import Address, CorEvidence, CorStatus, ParsedEmail
from onboardd.parsers.removal import Removal, asks_offboarding, read_removal
from onboardd.responders.approvals import Review, joined, pick_token, refused
from onboardd.responders.context import base_context
from onboardd.responders.contracts import contract_context
from onboardd.responders.policy import Policy
from onboardd.responders.render import Renderer
from onboardd.responders.state import Decision, State, check_transition
from onboardd.responders.trust import Claim, first_refusal
from onboardd.responders.view import (
    AuditEntry,
    ContractView,
    Grant,
    Outcome,
    OutgoingMail,
    RequestView,
    ServiceDecision,
)

OFFBOARDING = "offboarding"


@dataclass(frozen=True)
class OffboardingTarget:
    """A contract a mail or the clock may offboard, as the daemon found it."""

    contract: ContractView
    services: tuple[str, ...] = ()  # approved on its access requests
    open_reference: str | None = None  # the offboarding already in progress, if any


def contract_parties(contract: ContractView) -> frozenset[str]:
    """Who may open the contract's offboarding by mail: its COR, its contractor contact,
    its Security Official and its SPOC."""
    people = {contract.cor.email}
    if contract.contractor:
        people.add(contract.contractor.email)
    for contact in (contract.security_official, contract.spoc):
        if contact is not None and contact.email:
            people.add(contact.email)
    return frozenset(people)


@dataclass(frozen=True)
class Opening:
    """A new offboarding: the outcome to record and the acknowledgment to its opener
    (which, for a mail, the caller passes through the gate like every answer)."""

    outcome: Outcome
    acknowledgment: OutgoingMail


def open_offboarding(
    target: OffboardingTarget,
    opener: Address,
    reference: str,
    policy: Policy,
    renderer: Renderer,
    now: datetime,
    mail: ParsedEmail | None = None,
) -> Opening:
    """The offboarding `opener` asked for (or, without `mail`, the end date opened):
    each lead asked to confirm removal, the SO told to remove every role; with no
    approved service there is nothing to remove, and the contract closes at once."""
    contract = target.contract
    so = _security_official(contract)
    view = RequestView(
        reference=reference,
        state=State.AWAITING_REMOVAL,
        requester=opener,
        created_at=now,
        subject=f"Offboarding of contract {contract.number_shown}",
        organization=contract.organization,
        services=tuple(ServiceDecision(name) for name in target.services),
        cor=CorEvidence(CorStatus.VERIFIED, contract.cor.email, contract.cor.name,
                        "the contract's COR"),
        security_official=so,
        contract_number=contract.number,
        kind=OFFBOARDING,
    )
    how = "mail" if mail is not None else "end date passed"
    events = [AuditEntry("offboarding-opened", opener.email if mail else None,
                         {"contract": contract.number or "", "via": how,
                          "services": list(target.services)})]
    mails: list[OutgoingMail] = []
    closed: ContractView | None = None
    if target.services:
        mails += [removal_request(view, policy, renderer, service, lead)
                  for service in target.services for lead in policy.leads_of(service)]
        if (notified := so or contract.contractor) is not None:
            mails.append(_roles_removal(view, contract, notified, policy, renderer))
    else:
        view = dataclasses.replace(view, state=check_transition(view.state, State.OFFBOARDED))
        closed, closing, more = _close(view, contract, policy, renderer, now)
        mails.append(closing)
        events += more
    ack = _acknowledgment(view, contract, opener, policy, renderer, mail, now)
    outcome = Outcome(OFFBOARDING, request=view, created=True, contract=closed,
                      events=tuple(events), outgoing=tuple(mails))
    return Opening(outcome, ack)


def offboarding_mail(mail: ParsedEmail, target: OffboardingTarget, reference: str,
                     policy: Policy, renderer: Renderer, now: datetime
                     ) -> tuple[Outcome, OutgoingMail] | None:
    """A mail that asks to offboard `target`'s contract, from a party to it: the new
    offboarding (or, when one is in progress, its reference) and the answer to the
    sender, which the caller passes through the gate. None when the mail does not ask,
    or its sender is no party to the contract: it is read as any other mail."""
    sender = mail.sender
    if (sender is None or sender.email not in contract_parties(target.contract)
            or not asks_offboarding(mail.subject, mail.reply_text)):
        return None
    if target.open_reference:
        return already_open(target, mail, policy, renderer)
    opening = open_offboarding(target, sender, reference, policy, renderer, now, mail)
    return opening.outcome, opening.acknowledgment


def already_open(target: OffboardingTarget, mail: ParsedEmail, policy: Policy,
                 renderer: Renderer) -> tuple[Outcome, OutgoingMail]:
    """A second ask to offboard a contract whose offboarding is in progress: the sender
    is told its reference, and nothing is opened."""
    sender = mail.sender
    assert sender is not None
    contract = target.contract
    reply = renderer.mail(
        "offboarding-acknowledgment",
        "requester/offboarding_acknowledgment",
        f"[{target.open_reference}] Offboarding of contract {contract.number_shown} is under way",
        contract_context(policy, contract, sender.name) | {"opened_by_date": False,
                                                         "already": target.open_reference,
                                                         "reference": target.open_reference,
                                                         "services": ()},
        to=(sender,),
        in_reply_to=mail.message_id,
        references=mail.answer_references,
        reference=target.open_reference,
    )
    event = AuditEntry("offboarding-already-open", sender.email,
                       {"contract": contract.number or "", "reference": target.open_reference})
    return Outcome("offboarding-already-open", events=(event,)), reply


def review_removal(item: Review, target: OffboardingTarget | None) -> Outcome:
    """A reply on an offboarding: a lead's confirmation under the token that names
    their service counts; anything unclear gets one clarification, and a reply under
    no token of the sender's, or from someone who no longer leads the service,
    changes nothing and is audited."""
    token, why = pick_token(item, "removal")
    # The service in question is the one the token names, the sender's own or not.
    about = token or next((t for t in item.tokens if t.scope == "removal"), None)
    others = _other_names(item.policy, about.service if about else None)
    reading = read_removal(item.mail.reply_text, others)
    if token is None:
        if reading.verdict is Removal.UNCLEAR:
            return joined(item)
        return refused(item, why, str(reading.verdict))
    service = token.service or ""
    refusal = first_refusal(Claim(item.mail, token, item.policy))
    if refusal:
        return refused(item, refusal, str(reading.verdict), service=service)
    sender = item.mail.sender
    assert sender is not None
    if reading.verdict is Removal.UNCLEAR:
        return _clarify(item, token.token_id, token.clarified, service, reading.rule) \
            if item.view.state.is_open else joined(item)
    current = next((s for s in item.view.services if s.service == service), None)
    if not item.view.state.is_open or current is None or current.decision is not Decision.PENDING:
        event = AuditEntry("decision-not-applied", sender.email, {
            "service": service, "verdict": str(reading.verdict),
            "reason": "the removal was already confirmed" if current and current.decision
            is Decision.REMOVED else f"the offboarding is {item.view.state}",
        })
        return Outcome("decision-not-applied", item.view, events=(event,),
                       spent_tokens=(token.token_id,))
    services = tuple(
        ServiceDecision(s.service, Decision.REMOVED, sender.email, item.now) if s.service ==
        service else s for s in item.view.services)
    view = dataclasses.replace(item.view, services=services)
    events = [AuditEntry("removal-confirmed", sender.email,
                         {"service": service, "via": token.via, "rule": reading.rule})]
    mails: tuple[OutgoingMail, ...] = ()
    closed: ContractView | None = None
    if all(s.decision is Decision.REMOVED for s in services):
        view = dataclasses.replace(view, state=check_transition(view.state, State.OFFBOARDED))
        if target is not None:
            closed, closing, more = _close(view, target.contract, item.policy, item.renderer,
                                           item.now)
            mails = (closing,)
            events += more
        else:
            events.append(AuditEntry("offboarding-completed", None, {"contract": ""}))
    return Outcome("removal-confirmed", view, contract=closed, events=tuple(events),
                   outgoing=mails, spent_tokens=(token.token_id,))


def cancel(view: RequestView, token_ids: tuple[str, ...], ends_on: date | None,
           actor: str | None) -> Outcome:
    """An extension of the contract: its offboarding is withdrawn and every token of it
    spent, so a lead's late "done" changes nothing; nobody is mailed (the COR's
    extension is acknowledged as such)."""
    after = dataclasses.replace(view, state=check_transition(view.state, State.WITHDRAWN))
    event = AuditEntry("offboarding-cancelled", actor, {
        "reason": "contract extended", "ends_on": str(ends_on),
        "pending": [s.service for s in view.services if s.decision is Decision.PENDING]})
    return Outcome("offboarding-cancelled", after, events=(event,), spent_tokens=token_ids)


def removal_request(view: RequestView, policy: Policy, renderer: Renderer, service: str,
                    lead: str) -> OutgoingMail:
    """One lead asked to remove the organization's access to one service and to reply
    once it is done; the token names the lead and the service."""
    return renderer.mail(
        "removal-request",
        "lead/removal_request",
        f"[{view.reference}] Removal needed: {service} for {view.organization or 'a contract'}",
        base_context(policy, view) | {"service": policy.service(service), "lead": lead},
        to=(Address("", lead),),
        reference=view.reference,
        grant=Grant("removal", lead, service),
    )


def _roles_removal(view: RequestView, contract: ContractView, to: Address, policy: Policy,
                   renderer: Renderer) -> OutgoingMail:
    copies = tuple(a for a in (contract.contractor,) if a is not None and a.email != to.email)
    return renderer.mail(
        "roles-removal",
        "so/roles_removal",
        f"[{view.reference}] Contract {contract.number_shown}: remove every user's roles",
        contract_context(policy, contract, to.name, view) | {
            "entries": tuple((s.service, policy.service(s.service)) for s in view.services)},
        to=(to,),
        cc=copies,
        reference=view.reference,
    )


def _acknowledgment(view: RequestView, contract: ContractView, opener: Address,
                    policy: Policy, renderer: Renderer, mail: ParsedEmail | None,
                    now: datetime) -> OutgoingMail:
    copies = () if opener.email == contract.cor.email else (contract.cor,)
    if mail is None and contract.contractor and contract.contractor.email != opener.email:
        copies = (*copies, contract.contractor)
    return renderer.mail(
        "offboarding-acknowledgment",
        "requester/offboarding_acknowledgment",
        f"[{view.reference}] Offboarding of contract {contract.number_shown} "
        + ("completed" if view.state is State.OFFBOARDED else "started"),
        contract_context(policy, contract, opener.name, view) | {
            "opened_by_date": mail is None, "already": None, "reference": view.reference,
            "services": tuple((name, policy.leads_of(name)) for name in view.service_names)},
        to=(opener,),
        cc=copies,
        in_reply_to=mail.message_id if mail else None,
        references=(mail.answer_references
                    if mail else ()),
        reference=view.reference,
    )


def _close(view: RequestView, contract: ContractView, policy: Policy, renderer: Renderer,
           now: datetime) -> tuple[ContractView, OutgoingMail, list[AuditEntry]]:
    """The contract closed: the closing notice to its COR, copying the SO and the
    contractor, and the audit of the day it closed."""
    closed = dataclasses.replace(contract, stage="closed")
    copies: list[Address] = []
    for person in (_security_official(contract), contract.contractor):
        if person is not None and person.email not in {contract.cor.email,
                                                       *(c.email for c in copies)}:
            copies.append(person)
    notice = renderer.mail(
        "contract-closed",
        "cor/contract_closed",
        f"[{view.reference}] Contract {contract.number_shown} is closed",
        contract_context(policy, closed, contract.cor.name, view) | {"closed_on": now.date()},
        to=(contract.cor,),
        cc=tuple(copies),
        reference=view.reference,
    )
    events = [AuditEntry("offboarding-completed", None, {"contract": contract.number or ""}),
              AuditEntry("contract-closed", None, {"contract": contract.number or "",
                                                   "closed_on": now.date().isoformat()})]
    return closed, notice, events


def _clarify(item: Review, token_id: str, clarified: bool, service: str,
             rule: str) -> Outcome:
    """One request to say plainly whether the removal is done; a second unclear reply
    is recorded, never answered again."""
    sender = item.mail.sender
    assert sender is not None
    if clarified:
        event = AuditEntry("unclear-reply", sender.email,
                           {"service": service, "clarification": "already sent", "rule": rule})
        return Outcome("unclear-reply", item.view, events=(event,))
    mail = item.mail
    ask = item.renderer.mail(
        "clarification",
        "lead/removal_clarification",
        f"[{item.view.reference}] Please reply Done once {service} access is removed",
        base_context(item.policy, item.view, sender.name) | {
            "service": item.policy.service(service)},
        to=(sender,),
        in_reply_to=mail.message_id,
        references=mail.answer_references,
        reference=item.view.reference,
        grant=Grant("removal", sender.email, service, clarification=True),
    )
    event = AuditEntry("clarification-requested", sender.email, {"service": service,
                                                                 "rule": rule})
    return Outcome("unclear-reply", item.view, events=(event,), outgoing=(ask,),
                   clarified_tokens=(token_id,))


def _security_official(contract: ContractView) -> Address | None:
    so = contract.security_official
    return Address(so.name, so.email) if so is not None and so.email else None


def _other_names(policy: Policy, service: str | None) -> tuple[str, ...]:
    """Every catalog name and alias but those of `service`."""
    mine = policy.service(service) if service else None
    return tuple(name for entry in policy.services if entry != mine
                 for name in (entry.name, *entry.aliases))
