"""A contract's Security Official, SPOC and COR changed by mail, approved by the COR as a
service request is: by the COR's own mail, by the COR's approval forwarded (where
`cor.policy` accepts a forward), or else by the COR's confirmation under a reply token.

A role nobody holds, or more details of the same person, is recorded from the
contractor's word. Replacing or removing someone, or a change of COR, asked by anyone
but the contract's COR, opens a request of kind "contact-change" that holds the
changes until the COR answers; a new SPOC also waits for a HARP user ID. The request
gives the errand what an access request has: a reference, a thread, tokens, status by
mail and an audit trail.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from onboardd.parsers.contract_notice import Contact, ContactsNamed, read_contacts, read_harp_id
from onboardd.parsers.decision import DecisionReading, Verdict
from onboardd.parsers.facts import asks_status
from onboardd.parsers.model import Address, CorEvidence, CorStatus, ParsedEmail
from onboardd.responders.approvals import Review, clarify, decision_in, pick_token, refused
from onboardd.responders.contracts import contacts_still_needed, contract_context
from onboardd.responders.policy import Policy
from onboardd.responders.render import Renderer
from onboardd.responders.state import InvalidTransition, State
from onboardd.responders.trust import Claim, first_refusal
from onboardd.responders.view import (
    AuditEntry,
    ContactChangeView,
    ContractView,
    Grant,
    Outcome,
    OutgoingMail,
    RequestView,
    RoleChange,
    TokenView,
)

CONTACT_CHANGE = "contact-change"

ROLES = {"security_official": "Security Official", "spoc": "Security Point of Contact",
         "cor": "COR"}

# A contact change's own life, apart from an access request's: it waits for the COR
# (awaiting_cor) and then, once the COR approved, for a new SPOC's HARP user ID
# (incomplete); it ends applied (approved), refused by the COR (denied), or withdrawn
# by staff.
TRANSITIONS: dict[State, frozenset[State]] = {
    State.AWAITING_COR: frozenset({State.AWAITING_COR, State.INCOMPLETE, State.APPROVED,
                                   State.DENIED, State.WITHDRAWN}),
    State.INCOMPLETE: frozenset({State.INCOMPLETE, State.APPROVED, State.WITHDRAWN}),
}


def moved(view: RequestView, target: State) -> RequestView:
    if target not in TRANSITIONS.get(view.state, frozenset()):
        raise InvalidTransition(f"contact change {view.state} -> {target} is not a valid move")
    return dataclasses.replace(view, state=target)


@dataclass(frozen=True)
class ContactsMail:
    """A new mail naming a contract's contacts, and what deciding on it needs."""

    mail: ParsedEmail
    named: ContactsNamed
    contract: ContractView
    evidence: CorEvidence  # the COR approval it carries, read as for a service request
    policy: Policy
    renderer: Renderer
    new_reference: str
    now: datetime


def contacts_outcome(item: ContactsMail) -> tuple[Outcome, OutgoingMail]:
    """The SO, SPOC and COR named in a mail, applied to its contract as the page allows,
    and the answer to the sender (copying the COR): what is recorded, what waits for
    whom, and what is still needed. A role not named keeps what it had."""
    mail, named, contract = item.mail, item.named, item.contract
    sender = mail.sender
    assert sender is not None
    by_cor = sender.email == contract.cor.email
    added: dict[str, Contact] = {}
    held: list[str] = []
    proposed: list[RoleChange] = []
    for field in ("security_official", "spoc"):
        new: Contact | None = getattr(named, field)
        if new is None:
            continue
        old: Contact | None = getattr(contract, field)
        if old is None or not old.email or _same_person(old, new):
            added[field] = _merged(old, new)
        else:
            proposed.append(RoleChange(field, new, old))
    for removal in named.removals:
        if getattr(named, removal.role) is not None:
            continue  # the mail names the next holder: a replacement, read above
        old = getattr(contract, removal.role)
        role = ROLES[removal.role]
        if old is None:
            held.append(f"nobody is on record as the {role} to remove")
        elif removal.who is not None and not _same_person(old, removal.who):
            held.append(f"{removal.who.name or removal.who.email} is not the {role} on record "
                        f"({_formatted(old)}), so nobody was removed")
        else:
            proposed.append(RoleChange(removal.role, None, old))
    if named.cor is not None and named.cor.email and named.cor.email != contract.cor.email:
        proposed.append(RoleChange("cor", named.cor,
                                   Contact(contract.cor.name, contract.cor.email)))
    updated = dataclasses.replace(
        contract,
        security_official=added.get("security_official", contract.security_official),
        spoc=added.get("spoc", contract.spoc),
    )
    approval = _approval(item, by_cor)
    approved = approval.status is CorStatus.VERIFIED or _forward_counts(approval, item.policy)
    events: list[AuditEntry] = []
    notices: list[OutgoingMail] = []
    vacated: tuple[str, ...] = ()
    request: RequestView | None = None
    changes = tuple(proposed)
    if changes and approved and not _missing_harp(changes):
        updated, vacated, notices = apply_changes(contract, updated, changes, item.policy,
                                                  item.renderer)
        changes = ()
    elif changes:
        request = RequestView(
            reference=item.new_reference,
            state=State.INCOMPLETE if approved else State.AWAITING_COR,
            requester=sender,
            created_at=item.now,
            subject=mail.subject,
            organization=contract.organization,
            cor=approval,
            contract_number=contract.number,
            correspondents=frozenset(a.email for a in mail.recipients
                                     if a.email not in item.policy.own_addresses),
            kind=CONTACT_CHANGE,
        )
        if not approved:
            notices.append(_confirmation(request, contract, changes, item.policy,
                                         item.renderer))
        events.append(AuditEntry("contact-change-requested", sender.email, {
            "reference": request.reference, "contract": contract.number or "",
            "changes": [describe(c) for c in changes], "cor_approval": str(approval.status),
            "waiting_for": list(waiting_for(request, changes))}))
    still_needed = contacts_still_needed(updated)
    copies: list[Address] = [] if by_cor else [contract.cor]
    if request is not None and _missing_harp(changes) and contract.contractor is not None \
            and contract.contractor.email not in {sender.email, *(a.email for a in copies)}:
        copies.append(contract.contractor)  # the contractor knows the new SPOC's HARP ID
    reference = request.reference if request is not None else None
    title = f"Contract {contract.number or ''}: Security Official and SPOC".replace(
        "Contract :", "Contract:")
    reply = item.renderer.mail(
        "contacts-acknowledgment",
        "contractor/contacts_acknowledgment",
        f"[{reference}] {title}" if reference else title,
        contract_context(item.policy, updated, sender.name) | {
            "still_needed": still_needed, "held": tuple(held),
            "pending": tuple(describe(c) for c in changes),
            "waiting": waiting_for(request, changes) if request is not None else (),
            "reference": reference},
        to=(sender,),
        cc=tuple(copies),
        in_reply_to=mail.message_id,
        references=mail.answer_references,
        reference=reference,
    )
    applied = [describe(c) for c in proposed] if not changes else []
    events.insert(0, AuditEntry("contacts-named", sender.email, {
        "contract": contract.number or "",
        "security_official": _described(added.get("security_official")),
        "spoc": _described(added.get("spoc")),
        "changes": applied,
        "approval": approval.detail if applied else "",
        "not_changed": held,
        "still_needed": list(still_needed),
    }))
    verdict = ("contact-change-requested" if request is not None
               else "contacts-named" if added or applied else "contacts-not-changed")
    return Outcome(verdict, request=request, created=request is not None, contract=updated,
                   events=tuple(events), outgoing=tuple(notices),
                   contact_changes=changes if request is not None else None,
                   vacated=vacated), reply


def _approval(item: ContactsMail, by_cor: bool) -> CorEvidence:
    """The COR approval of a contacts mail, held to this contract's COR: another COR's
    approval approves nothing here."""
    cor = item.contract.cor
    if by_cor:
        return CorEvidence(CorStatus.VERIFIED, cor.email, cor.name or None,
                           "sent by the contract's COR")
    evidence = item.evidence
    if evidence.address == cor.email and evidence.status in (CorStatus.FORWARDED,
                                                             CorStatus.STATED):
        return CorEvidence(evidence.status, cor.email, cor.name or None, evidence.detail)
    return CorEvidence(CorStatus.MISSING, cor.email, cor.name or None, "not mentioned")


def _forward_counts(evidence: CorEvidence, policy: Policy) -> bool:
    return evidence.status is CorStatus.FORWARDED and policy.cor.policy == "accept-forwarded"


def _missing_harp(changes: tuple[RoleChange, ...]) -> bool:
    return any(c.role == "spoc" and c.new is not None and not c.new.harp_id for c in changes)


def waiting_for(view: RequestView | None, changes: tuple[RoleChange, ...]) -> tuple[str, ...]:
    """What an open contact change waits for, and from whom, in the notices' words."""
    if view is None or not view.state.is_open:
        return ()
    waiting = []
    if view.state is State.AWAITING_COR:
        waiting.append(f"the confirmation of the COR, {_cor_name(view)}, whom we have asked")
    for change in changes:
        if change.role == "spoc" and change.new is not None and not change.new.harp_id:
            waiting.append(f"the HARP user ID of the new Security Point of Contact, "
                           f"{change.new.name or change.new.email}: please reply to this "
                           "mail with a line such as \"HARP user ID: ABCD123\"")
    return tuple(waiting)


def describe(change: RoleChange) -> str:
    role = ROLES[change.role]
    new, old = change.new, change.old
    if change.role == "cor":
        assert new is not None
        return f"make {_formatted(new)} the contract's COR in place of {_formatted(old)}"
    if new is None:
        return f"remove {_formatted(old)} as {role}"
    if old is None:
        return f"name {_formatted(new)} as {role}"
    return f"replace the {role}, {_formatted(old)}, with {_formatted(new)}"


def _formatted(contact: Contact | None) -> str:
    if contact is None:
        return "nobody"
    text = contact.name or contact.email or ""
    if contact.name and contact.email:
        text += f" <{contact.email}>"
    if contact.harp_id:
        text += f" (HARP user ID {contact.harp_id})"
    return text


def _cor_name(view: RequestView) -> str:
    return view.cor.name or view.cor.address or "the COR"


def _confirmation(view: RequestView, contract: ContractView, changes: tuple[RoleChange, ...],
                  policy: Policy, renderer: Renderer) -> OutgoingMail:
    """Asks the contract's COR to confirm the change, under a token only they may use."""
    cor = contract.cor
    return renderer.mail(
        "contact-change-confirmation",
        "cor/contact_change_confirmation",
        f"[{view.reference}] Please confirm a change of contacts on contract "
        f"{contract.number or ''}".rstrip(),
        contract_context(policy, contract, cor.name, view) | {
            "changes": tuple(describe(c) for c in changes)},
        to=(cor,),
        reference=view.reference,
        grant=Grant("cor", cor.email),
    )


def apply_changes(
    before: ContractView, contract: ContractView, changes: tuple[RoleChange, ...],
    policy: Policy, renderer: Renderer,
) -> tuple[ContractView, tuple[str, ...], list[OutgoingMail]]:
    """`contract` with the changes made to it as it is now (whoever holds a role then is
    the one replaced), the roles left empty, and the notices to the new and old holders
    (written as of `before`, whose COR approved)."""
    vacated: list[str] = []
    notices: list[OutgoingMail] = []
    for change in changes:
        role = ROLES[change.role]
        if change.role == "cor":
            assert change.new is not None and change.new.email
            if change.new.email == contract.cor.email:
                continue
            old_cor = Contact(contract.cor.name, contract.cor.email)
            contract = dataclasses.replace(contract, cor=Address(change.new.name,
                                                                 change.new.email))
            notices += role_notices(before, role, old_cor, change.new, policy, renderer)
            continue
        current: Contact | None = getattr(contract, change.role)
        if change.new is None:
            if current is not None:
                contract = _holding(contract, change.role, None)
                vacated.append(change.role)
                notices += role_notices(before, role, current, None, policy, renderer)
        elif current is None or not current.email or _same_person(current, change.new):
            contract = _holding(contract, change.role, _merged(current, change.new))
        else:
            contract = _holding(contract, change.role, change.new)
            notices += role_notices(before, role, current, change.new, policy, renderer)
    return contract, tuple(vacated), notices


def _holding(contract: ContractView, role: str, contact: Contact | None) -> ContractView:
    if role == "spoc":
        return dataclasses.replace(contract, spoc=contact)
    return dataclasses.replace(contract, security_official=contact)


def role_notices(contract: ContractView, role: str, old: Contact, new: Contact | None,
                 policy: Policy, renderer: Renderer) -> list[OutgoingMail]:
    """The new holder of a role told what it asks of them, the old one that it ended
    (and, with nobody new, that the role is left empty)."""
    mails = []
    for contact, kind, now in ((new, "role-assigned", "now"), (old, "role-ended", "no longer")):
        if contact is None or not contact.email:
            continue
        mails.append(renderer.mail(
            kind,
            f"contractor/{kind.replace('-', '_')}",
            f"Contract {contract.number_shown}: you are {now} its {role}",
            contract_context(policy, contract, contact.name)
            | {"role": role, "removed": new is None},
            to=(Address(contact.name, contact.email),),
            cc=() if contact.email == contract.cor.email else (contract.cor,),
        ))
    return mails


def _same_person(old: Contact, new: Contact) -> bool:
    if old.email and new.email:
        return old.email == new.email
    return old.name.casefold() == new.name.casefold()


def _merged(old: Contact | None, new: Contact) -> Contact:
    if old is None:
        return new
    return Contact(new.name or old.name, new.email or old.email, new.harp_id or old.harp_id)


def _described(contact: Contact | None) -> str:
    if contact is None:
        return ""
    return " ".join(part for part in (contact.name, f"<{contact.email}>" if contact.email
                                      else "", f"HARP {contact.harp_id}" if contact.harp_id
                                      else "") if part)


# --- replies on a contact change's thread ---------------------------------------------


@dataclass(frozen=True)
class ChangeReply:
    """A mail on a contact-change request's thread, from one of its parties or with one
    of its tokens."""

    mail: ParsedEmail
    view: RequestView
    change: ContactChangeView
    tokens: tuple[TokenView, ...]
    policy: Policy
    renderer: Renderer
    now: datetime

    @property
    def review(self) -> Review:
        return Review(self.mail, self.view, self.tokens, self.policy, self.renderer, self.now)


def follow_up(item: ChangeReply) -> tuple[Outcome, OutgoingMail | None]:
    """The COR's answer under its token, a new SPOC's HARP user ID, or a question of
    where the change stands. The second value is the answer to the sender, which the
    caller passes through the gate."""
    mail, view = item.mail, item.view
    sender = mail.sender
    if any(t.scope == "cor" for t in item.tokens):
        return _cor_answer(item), None
    if sender is None:
        return Outcome("follow-up", view, events=(AuditEntry("follow-up", None),)), None
    reading = decision_in(mail, view)
    if sender.email == view.cor.address and reading.verdict is not Verdict.UNCLEAR:
        # As for a service request: the COR's decision counts only under its token.
        return refused(item.review, ("no-token", "no reply token and no thread to our "
                                     "request for a decision"), str(reading.verdict)), None
    if not view.state.is_open:
        if asks_status(mail.reply_text):
            return _status(item, "status-asked")
        event = AuditEntry("follow-up-after-close", sender.email)
        return Outcome("after-close", view, events=(event,)), None
    harp_id = _harp_id_given(mail, item.change.changes)
    if harp_id is None:
        return _status(item, "status-asked")
    changes = tuple(
        dataclasses.replace(c, new=dataclasses.replace(c.new, harp_id=harp_id))
        if c.role == "spoc" and c.new is not None and not c.new.harp_id else c
        for c in item.change.changes)
    event = AuditEntry("harp-id-given", sender.email, {"harp_id": harp_id})
    if view.state is State.INCOMPLETE and not _missing_harp(changes):
        outcome = _applied(item, view, changes, (event,))
        reply = _decided(item, outcome, changes, to=sender, kind="contact-change-status")
        return outcome, reply
    given = dataclasses.replace(item, change=ContactChangeView(item.change.contract, changes))
    outcome, status = _status(given, "harp-id-given", event)
    return dataclasses.replace(outcome, contact_changes=changes), status


def _harp_id_given(mail: ParsedEmail, changes: tuple[RoleChange, ...]) -> str | None:
    """The HARP user ID a reply gives for the new SPOC still without one: a line of its
    own, or the SPOC's line naming the same person with an ID."""
    waiting = next((c.new for c in changes if c.role == "spoc" and c.new is not None
                    and not c.new.harp_id), None)
    if waiting is None:
        return None
    spoc = read_contacts(mail.reply_text).spoc
    if spoc is not None and spoc.harp_id and _same_person(waiting, spoc):
        return spoc.harp_id
    return read_harp_id(mail.reply_text)


def _cor_answer(item: ChangeReply) -> Outcome:
    """The COR's answer under the confirmation's token, held to the trust rules."""
    review = item.review
    reading = decision_in(item.mail, item.view)
    token, why = pick_token(review, "cor")
    if token is None:
        return refused(review, why, str(reading.verdict))
    refusal = first_refusal(Claim(item.mail, token, item.policy))
    if refusal:
        return refused(review, refusal, str(reading.verdict))
    sender = item.mail.sender
    assert sender is not None
    view = item.view
    if view.state is not State.AWAITING_COR:
        event = AuditEntry("decision-not-applied", sender.email, {
            "verdict": str(reading.verdict), "reason": f"the contact change is {view.state}"})
        return Outcome("decision-not-applied", view, events=(event,),
                       spent_tokens=(token.token_id,))
    if reading.verdict is Verdict.UNCLEAR:
        return clarify(review, token, None)
    if reading.verdict is Verdict.DENY:
        return _cor_refused(item, reading, token)
    view = dataclasses.replace(view, cor=CorEvidence(
        CorStatus.VERIFIED, sender.email, sender.name or view.cor.name, "confirmed by reply"))
    event = AuditEntry("cor-verified", sender.email, {"via": token.via})
    changes = item.change.changes
    if _missing_harp(changes):
        view = moved(view, State.INCOMPLETE)
        outcome = Outcome("cor-verified", view, events=(event,))
    else:
        outcome = _applied(item, view, changes, (event,))
    requester = view.requester
    letter = _decided(item, outcome, changes, to=requester, kind="contact-change-decided")
    return dataclasses.replace(outcome, outgoing=(*outcome.outgoing, letter),
                               spent_tokens=(token.token_id,))


def _cor_refused(item: ChangeReply, reading: DecisionReading, token: TokenView) -> Outcome:
    sender = item.mail.sender
    assert sender is not None
    view = moved(item.view, State.DENIED)
    event = AuditEntry("contact-change-refused", sender.email, {"reason": reading.reason or ""})
    outcome = Outcome("contact-change-refused", view, events=(event,),
                      spent_tokens=(token.token_id,))
    letter = _decided(item, outcome, item.change.changes, to=view.requester,
                      kind="contact-change-decided", reason=reading.reason or "")
    return dataclasses.replace(outcome, outgoing=(letter,))


def _applied(item: ChangeReply, view: RequestView, changes: tuple[RoleChange, ...],
             events: tuple[AuditEntry, ...]) -> Outcome:
    contract = item.change.contract
    updated, vacated, notices = apply_changes(contract, contract, changes, item.policy,
                                              item.renderer)
    view = moved(view, State.APPROVED)
    applied = AuditEntry("contact-change-applied", None, {
        "contract": contract.number or "", "changes": [describe(c) for c in changes]})
    return Outcome("contact-change-applied", view, contract=updated,
                   events=(*events, applied), outgoing=tuple(notices),
                   contact_changes=changes, vacated=vacated)


def _decided(item: ChangeReply, outcome: Outcome, changes: tuple[RoleChange, ...], *,
             to: Address, kind: str, reason: str = "") -> OutgoingMail:
    """Where the change stands after a decision or a HARP user ID: made, refused, or
    approved and waiting for the ID."""
    view = outcome.request
    assert view is not None
    contract = outcome.contract or item.change.contract
    copies = () if to.email == view.cor.address or not view.cor.address else (
        Address(view.cor.name or "", view.cor.address),)
    # One letter for both kinds: the answer to the contractor who sent the HARP user ID
    # (an answer, held by the gate) and the notice of the COR's decision (not one).
    return item.renderer.mail(
        kind,
        "contractor/contact_change_status",
        f"[{view.reference}] " + {
            State.APPROVED: "Change of contacts made",
            State.DENIED: "Change of contacts not approved by the COR",
        }.get(view.state, "Change of contacts approved; HARP user ID needed"),
        contract_context(item.policy, contract, to.name, view) | {
            "changes": tuple(describe(c) for c in changes),
            "waiting": waiting_for(view, changes), "reason": reason,
            "still_needed": contacts_still_needed(contract),
            "decided": kind == "contact-change-decided"},
        to=(to,),
        cc=copies,
        in_reply_to=item.mail.message_id if kind == "contact-change-status" else None,
        references=item.mail.answer_references if kind == "contact-change-status" else (),
        reference=view.reference,
    )


def _status(item: ChangeReply, verdict: str, *events: AuditEntry
            ) -> tuple[Outcome, OutgoingMail]:
    """Where the change stands, for the party who wrote on its thread."""
    mail, view = item.mail, item.view
    sender = mail.sender
    assert sender is not None
    asked = AuditEntry("status-asked", sender.email, {"state": str(view.state)})
    outcome = Outcome(verdict, view, events=events or (asked,))
    changes = item.change.changes
    reply = item.renderer.mail(
        "contact-change-status",
        "contractor/contact_change_status",
        f"[{view.reference}] Status of your change of contacts",
        contract_context(item.policy, item.change.contract, sender.name, view) | {
            "changes": tuple(describe(c) for c in changes),
            "waiting": waiting_for(view, changes), "reason": "",
            "still_needed": contacts_still_needed(item.change.contract), "decided": False},
        to=(sender,),
        in_reply_to=mail.message_id,
        references=mail.answer_references,
        reference=view.reference,
    )
    return outcome, reply
