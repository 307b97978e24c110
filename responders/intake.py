"""The intake workflow: new requests, follow-ups that add facts, help, withdrawal, and
where a request stands for anyone on it who asks."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from onboardd.parsers.contract_notice import read_contacts, read_contract_notice
from onboardd.parsers.facts import asks_status, extract_facts, wants_withdrawal
from onboardd.parsers.model import Address, CorStatus, ParsedEmail, RequestFacts
from onboardd.responders.approvals import Review, review
from onboardd.responders.assess import (
    LABELS,
    assess,
    effective_cor,
    is_complete,
    stronger_cor,
)
from onboardd.responders.contact_changes import (
    ChangeReply,
    ContactsMail,
    contacts_outcome,
    follow_up,
)
from onboardd.responders.context import base_context
from onboardd.responders.contracts import notice_outcome
from onboardd.responders.gate import Verdict, may_reply
from onboardd.responders.letters import entry_mails
from onboardd.responders.offboarding import (
    OFFBOARDING,
    OffboardingTarget,
    offboarding_mail,
    review_removal,
)
from onboardd.responders.policy import Policy
from onboardd.responders.render import Renderer
from onboardd.responders.state import Decision, State, check_transition
from onboardd.responders.view import (
    AuditEntry,
    ContactChangeView,
    ContractView,
    Outcome,
    OutgoingMail,
    RequestView,
    SenderHistory,
    ServiceDecision,
    TokenView,
)


@dataclass(frozen=True)
class Inbound:
    """One inbound message and everything the workflow needs to decide about it."""

    mail: ParsedEmail
    policy: Policy
    renderer: Renderer
    now: datetime
    new_reference: str
    history: SenderHistory = dataclasses.field(default_factory=SenderHistory)
    found: RequestView | None = None
    tokens: tuple[TokenView, ...] = ()
    answer: bool = True  # False for backlog mail on a mailbox's first start
    # The request facts of `mail` as extract_facts reads them with this policy's catalog,
    # COR directory and organizations, where they were read ahead (the daemon's parse
    # worker); None: read here, when they are needed.
    facts: RequestFacts | None = None
    # The awarded contract whose contractor (or COR) sent this mail, when it may name
    # the contract's Security Official and SPOC.
    contract: ContractView | None = None
    # With `found` a contact-change request: its changes and its contract.
    change: ContactChangeView | None = None
    # The contract this mail may offboard (it asks to, naming the contract's number),
    # or the one of the offboarding it follows up.
    offboarding: OffboardingTarget | None = None

    def request_facts(self) -> RequestFacts:
        if self.facts is not None:
            return self.facts
        return extract_facts(self.mail, self.policy.catalog(), self.policy.cor_directory(),
                             self.policy.known_organizations())


def handle_inbound(inbound: Inbound) -> Outcome:
    """Decide what one inbound message does; never sends, never touches storage."""
    mail = inbound.mail
    if mail.auto.generated:
        generated = AuditEntry("auto-generated", _actor(mail),
                               {"reasons": list(mail.auto.reasons)})
        return Outcome("auto-generated", request=inbound.found,
                       events=(generated,) if inbound.found else ())
    if mail.sender is not None and inbound.policy.is_ours(mail.sender.email):
        # Our own mail coming back (a copy, a loop, a test) opens and changes nothing.
        event = AuditEntry("own-mail", mail.sender.email, {})
        return Outcome("own-mail", request=inbound.found,
                       events=(event,) if inbound.found else ())
    found = inbound.found
    events: list[AuditEntry] = []
    if (
        found is not None
        and not inbound.tokens
        and not is_party(found, mail.sender, inbound.policy)
    ):
        # A copied reference grants nothing: the mail is read as if it were new. A mail
        # carrying one of our tokens stays with its request, where review refuses it.
        events.append(AuditEntry("not-a-party", _actor(mail), {"reference": found.reference}))
        found = None
    if found is not None and inbound.change is not None:
        outcome = _contact_change(inbound, found, inbound.change)
    elif found is not None:
        outcome = _follow_up(inbound, found)
    else:
        facts = inbound.request_facts()
        outcome = (_offboarding_ask(inbound, facts) or _contract_mail(inbound, facts)
                   or (_new_request(inbound, facts) if facts.any_fact else _unclassified(inbound)))
    return dataclasses.replace(outcome, events=(*events, *outcome.events))


def _asks_for_a_service(facts: RequestFacts) -> bool:
    """A mail naming a service with a justification or a user count is a request,
    whatever else it says about a contract."""
    return bool(facts.services) and (facts.justification is not None
                                     or facts.user_count is not None)


def _offboarding_ask(inbound: Inbound, facts: RequestFacts) -> Outcome | None:
    """A party to a contract asking to offboard it; None: read the mail otherwise."""
    if inbound.offboarding is None or _asks_for_a_service(facts):
        return None
    found = offboarding_mail(inbound.mail, inbound.offboarding, inbound.new_reference,
                             inbound.policy, inbound.renderer, inbound.now)
    if found is None:
        return None
    outcome, reply = found
    if not inbound.answer:  # backlog: recorded, nobody asked (as for a request)
        outcome = dataclasses.replace(outcome, outgoing=())
    return _answer(inbound, outcome, reply)


def _contract_mail(inbound: Inbound, facts: RequestFacts) -> Outcome | None:
    """A new mail about a contract rather than a request: a COR's solicitation or award
    notice, or the contractor naming its SO and SPOC. None: read it as a request."""
    mail = inbound.mail
    if mail.sender is None:
        return None
    if _asks_for_a_service(facts):
        return None
    # The daemon hands over the sender's contract only for a mail that mentions its
    # contacts (parsers.contract_notice.mentions_contacts).
    if inbound.contract is not None:
        named = read_contacts(mail.reply_text)
        if named.security_official or named.spoc or named.cor or named.removals:
            outcome, reply = contacts_outcome(ContactsMail(
                mail, named, inbound.contract, effective_cor(facts.cor, mail, inbound.policy),
                inbound.policy, inbound.renderer, inbound.new_reference, inbound.now))
            return _answer(inbound, outcome, reply)
    if not inbound.policy.cor_directory().is_cor(mail.sender.email):
        return None
    notice = read_contract_notice(mail)
    if notice is None:
        return None
    outcome, reply = notice_outcome(mail, notice, inbound.policy, inbound.renderer)
    return _answer(inbound, outcome, reply)


def _contact_change(inbound: Inbound, found: RequestView,
                    change: ContactChangeView) -> Outcome:
    outcome, reply = follow_up(ChangeReply(inbound.mail, found, change, inbound.tokens,
                                           inbound.policy, inbound.renderer, inbound.now))
    return outcome if reply is None else _answer(inbound, outcome, reply)


def is_party(view: RequestView, sender: Address | None, policy: Policy) -> bool:
    """The sender may act on this request: requester's side, COR, SO, a lead, or a recipient."""
    if sender is None:
        return False
    email = sender.email
    leads = {lead for name in view.service_names if (s := policy.service(name)) for lead in s.leads}
    known = {view.requester.email, *view.correspondents, *leads}
    if view.cor.address:
        known.add(view.cor.address)
    if view.security_official:
        known.add(view.security_official.email)
    return email in known or same_organization(sender, view.requester)


# Mail providers anyone can sign up with: sharing one says nothing about the sender.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "ymail.com",
        "aol.com",
        "icloud.com",
        "me.com",
        "mac.com",
        "proton.me",
        "protonmail.com",
        "gmx.com",
        "gmx.net",
        "mail.com",
        "zoho.com",
        "yandex.com",
    }
)


def same_organization(sender: Address, requester: Address) -> bool:
    """Same mail domain, unless that domain is a public mail provider."""
    return sender.domain == requester.domain and sender.domain not in PUBLIC_MAIL_DOMAINS


def _actor(mail: ParsedEmail) -> str | None:
    return mail.sender.email if mail.sender else None


def _new_request(inbound: Inbound, facts: RequestFacts) -> Outcome:
    mail, policy = inbound.mail, inbound.policy
    if mail.sender is None:
        # Nobody to answer or to hold to the request: kept for a person to read.
        return Outcome("no-sender", events=(AuditEntry("no-sender", None),))
    requester = mail.sender
    view = RequestView(
        reference=inbound.new_reference,
        state=State.INCOMPLETE,
        requester=requester,
        created_at=inbound.now,
        subject=mail.subject,
        correspondents=frozenset(
            a.email for a in mail.recipients if a.email not in policy.own_addresses
        ),
    )
    view = _merge(view, facts, mail, policy)
    created = AuditEntry("request-created", _actor(mail), {"reference": view.reference})
    return _settle(inbound, view, (created,), facts, created=True)


def _follow_up(inbound: Inbound, view: RequestView) -> Outcome:
    mail, policy = inbound.mail, inbound.policy
    actor = _actor(mail)
    if view.kind == OFFBOARDING and not (asks_status(mail.reply_text)
                                         and not _holds_token(inbound)):
        return review_removal(Review(mail, view, inbound.tokens, policy, inbound.renderer,
                                     inbound.now), inbound.offboarding)
    if not view.state.is_open:
        if inbound.tokens:
            # A late answer to one of our requests for a decision: recorded, not applied.
            return review(Review(mail, view, inbound.tokens, policy, inbound.renderer, inbound.now))
        if asks_status(mail.reply_text):
            return _status(inbound, view)
        return Outcome(
            "after-close", request=view, events=(AuditEntry("follow-up-after-close", actor),)
        )
    if wants_withdrawal(mail.reply_text) and _may_withdraw(view, mail.sender):
        return _withdraw(inbound, view)
    if view.state is not State.INCOMPLETE:
        if asks_status(mail.reply_text) and not _holds_token(inbound):
            # The requester's side asking where things stand. A COR or lead who holds a
            # token for this request is reviewed instead: their mail may be a decision.
            return _status(inbound, view)
        return review(Review(mail, view, inbound.tokens, policy, inbound.renderer, inbound.now))
    facts = inbound.request_facts()
    merged = _merge(view, facts, mail, policy)
    updated = AuditEntry("facts-added", actor, {"fields": _changed_fields(view, merged)})
    return _settle(inbound, merged, (updated,), facts, created=False)


def _settle(
    inbound: Inbound,
    view: RequestView,
    events: tuple[AuditEntry, ...],
    facts: RequestFacts,
    *,
    created: bool,
) -> Outcome:
    """Move the request to where its facts put it, and answer the sender."""
    reports = assess(view)
    if is_complete(reports):
        target = _state_when_complete(view, inbound.policy)
        kind, template = "acknowledgment", "requester/acknowledgment"
    else:
        target = State.INCOMPLETE
        kind, template = "missing-fields", "requester/missing_fields"
    view = dataclasses.replace(view, state=check_transition(view.state, target))
    if target is not State.INCOMPLETE:
        events = (*events, AuditEntry("request-complete", None, {"state": str(target)}))
    context = _context(inbound, view) | {"read_from": _read_from(facts)}
    title = {
        "acknowledgment": "We received your onboarding request",
        "missing-fields": "Information needed for your onboarding request",
    }[kind]
    reply = inbound.renderer.mail(
        kind, template, f"[{view.reference}] {title}", context, **_reply_fields(inbound, view)
    )
    verdict = "request-created" if created else "request-updated"
    outcome = _answer(
        inbound, Outcome(verdict, request=view, created=created, events=events), reply
    )
    if inbound.answer and target is not State.INCOMPLETE:
        # The COR or the leads are asked even when the sender's own answer is held back.
        asks = entry_mails(view, inbound.policy, inbound.renderer)
        outcome = dataclasses.replace(outcome, outgoing=(*outcome.outgoing, *asks))
    return outcome


# RequestFacts.sources names facts as the parsers do; the notices name them by label.
_SOURCE_LABELS = {"organization": "organization", "services": "services",
                  "justification": "justification", "user_count": "user_count",
                  "cor": "cor_approval"}


def _read_from(facts: RequestFacts) -> tuple[tuple[str, str], ...]:
    """(label, where) of each fact this mail gave other than as a labelled line, in the
    order the notice lists the facts. The HTML part is a labelled line all the same."""
    places = dict(facts.sources)
    return tuple(
        (LABELS[label], f"from {places[fact]}")
        for fact, label in _SOURCE_LABELS.items()
        if places.get(fact) not in (None, "labels", "the HTML part")
    )


def _state_when_complete(view: RequestView, policy: Policy) -> State:
    status = view.cor.status
    if status is CorStatus.VERIFIED or (
        status is CorStatus.FORWARDED and policy.cor.policy == "accept-forwarded"
    ):
        return State.AWAITING_APPROVAL
    return State.AWAITING_COR


def _may_withdraw(view: RequestView, sender: Address | None) -> bool:
    if sender is None:
        return False
    # Only the requester's side or the request's own COR: a lead's "deny, cancel it"
    # is a decision, not a withdrawal.
    return (
        sender.email == view.requester.email
        or same_organization(sender, view.requester)
        or sender.email == view.cor.address
    )


def _withdraw(inbound: Inbound, view: RequestView) -> Outcome:
    view = dataclasses.replace(view, state=check_transition(view.state, State.WITHDRAWN))
    event = AuditEntry("withdrawn", _actor(inbound.mail))
    reply = inbound.renderer.mail(
        "acknowledgment",
        "requester/withdrawn",
        f"[{view.reference}] Your onboarding request is withdrawn",
        _context(inbound, view),
        **_reply_fields(inbound, view),
    )
    return _answer(inbound, Outcome("withdrawn", request=view, events=(event,)), reply)


def _holds_token(inbound: Inbound) -> bool:
    sender = inbound.mail.sender
    return sender is not None and any(t.address == sender.email for t in inbound.tokens)


def _status(inbound: Inbound, view: RequestView) -> Outcome:
    """Where the request stands, and on whom it waits, for the party who asked (an
    incomplete request's answer is the missing-fields notice, which says the same)."""
    mail = inbound.mail
    event = AuditEntry("status-asked", _actor(mail), {"state": str(view.state)})
    waiting = tuple(
        (decision.service, inbound.policy.leads_of(decision.service))
        for decision in view.services
        if decision.decision is Decision.PENDING
    )
    reply = inbound.renderer.mail(
        "status",
        "requester/status",
        f"[{view.reference}] Status of your onboarding request",
        _context(inbound, view) | {"waiting": waiting, "today": inbound.now.date()},
        to=(mail.sender,) if mail.sender else (),
        in_reply_to=mail.message_id,
        references=mail.answer_references,
        reference=view.reference,
    )
    return _answer(inbound, Outcome("status", request=view, events=(event,)), reply)


def _unclassified(inbound: Inbound) -> Outcome:
    mail = inbound.mail
    event = AuditEntry("unclassified", _actor(mail))
    outcome = Outcome("unclassified", events=(event,))
    if inbound.history.help_sent_last_day:
        return outcome
    reply = inbound.renderer.mail(
        "help",
        "sender/help",
        "How to request access to an IT service",
        _context(inbound, None),
        to=(mail.sender,) if mail.sender else (),
        in_reply_to=mail.message_id,
        references=mail.answer_references,
    )
    return _answer(inbound, outcome, reply)


# The audit event of each rule that holds an answer back for staff to see.
_HELD_EVENTS = {"sender-limit": "rate-limited", "reply-budget": "reply-budget-spent",
                "failed-authentication": "failed-authentication"}


def _answer(inbound: Inbound, outcome: Outcome, reply: OutgoingMail) -> Outcome:
    """Attach the reply if the gate lets it out; otherwise record why it was held back."""
    verdict: Verdict = may_reply(inbound.mail, inbound.policy, inbound.history)
    if not inbound.answer:
        verdict = Verdict(False, ("backlog mail from before the mailbox's first start",))
    if verdict.allowed and reply.to:
        return dataclasses.replace(outcome, outgoing=(*outcome.outgoing, reply))
    kind = _HELD_EVENTS.get(verdict.held_by, "reply-withheld")
    event = AuditEntry(
        kind, _actor(inbound.mail), {"kind": reply.kind, "reasons": list(verdict.reasons)}
    )
    return dataclasses.replace(outcome, events=(*outcome.events, event))


def _reply_fields(inbound: Inbound, view: RequestView) -> dict[str, Any]:
    mail = inbound.mail
    to = mail.sender or view.requester
    cc = () if to.email == view.requester.email else (view.requester,)
    return {
        "to": (to,),
        "cc": cc,
        "in_reply_to": mail.message_id,
        "references": mail.answer_references,
        "reference": view.reference,
    }



def _context(inbound: Inbound, view: RequestView | None) -> dict[str, Any]:
    mail = inbound.mail
    return base_context(inbound.policy, view, (mail.sender.name if mail.sender else "") or "")


def _merge(
    view: RequestView, facts: RequestFacts, mail: ParsedEmail, policy: Policy
) -> RequestView:
    """Newer facts replace older ones; a services value replaces the whole list."""
    changes: dict[str, Any] = {}
    if facts.organization:
        org = policy.organization(facts.organization)
        changes["organization"] = org.name if org else facts.organization
    if facts.justification:
        changes["justification"] = facts.justification
    if facts.user_count is not None:
        changes |= {"user_count": facts.user_count, "user_count_invalid": None}
    elif facts.user_count_invalid:
        changes |= {"user_count": None, "user_count_invalid": facts.user_count_invalid}
    if facts.services or facts.unknown_services:
        kept = {s.service: s for s in view.services}
        changes["services"] = tuple(
            kept.get(name, ServiceDecision(name)) for name in facts.services
        )
        changes["unknown_services"] = facts.unknown_services
    if facts.security_official:
        changes["security_official"] = facts.security_official
    if facts.contract_number:
        changes["contract_number"] = facts.contract_number
    changes["cor"] = stronger_cor(view.cor, effective_cor(facts.cor, mail, policy))
    if facts.cor.status is not CorStatus.MISSING or facts.cor_value:
        # Keep the newest reason a stated approval was not accepted, for the notice.
        candidate = effective_cor(facts.cor, mail, policy)
        if candidate.status is CorStatus.MISSING and changes["cor"].status is CorStatus.MISSING:
            changes["cor"] = candidate
    return dataclasses.replace(view, **changes)


def _changed_fields(old: RequestView, new: RequestView) -> list[str]:
    names = ("organization", "justification", "user_count", "services", "cor", "security_official")
    return [name for name in names if getattr(old, name) != getattr(new, name)]
