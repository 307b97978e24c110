"""A contract's mail: the COR's solicitation and award, the contractor's call to name
its Security Official and Security Point of Contact when the period starts, the
post-onboarding survey, and the offboarding notice before the period ends. Naming and
changing the contacts themselves is responders/contact_changes.py."""

from __future__ import annotations

from datetime import date

from onboardd.parsers.contract_notice import ContractNotice, Stage
from onboardd.parsers.model import Address, ParsedEmail
from onboardd.responders.context import base_context
from onboardd.responders.letters import security_official
from onboardd.responders.policy import Policy
from onboardd.responders.render import Renderer
from onboardd.responders.view import (
    AuditEntry,
    ContractView,
    Outcome,
    OutgoingMail,
    RequestView,
)

# The page gives the contractor one day after the period starts to name them.
CONTACTS_DUE_DAYS = 1


def notice_outcome(
    mail: ParsedEmail, notice: ContractNotice, policy: Policy, renderer: Renderer
) -> tuple[Outcome, OutgoingMail]:
    """The contract a COR's notice records, and the acknowledgment to the COR (which the
    caller passes through the gate like every answer)."""
    sender = mail.sender
    assert sender is not None
    contract = ContractView(
        stage=str(notice.stage),
        cor=sender,
        number=notice.number,
        organization=notice.organization,
        contractor=notice.contractor,
        starts_on=notice.starts_on,
        ends_on=notice.ends_on,
        award_expected_on=notice.award_expected_on,
    )
    awarded = notice.stage is Stage.AWARDED
    kind = "award-acknowledgment" if awarded else "solicitation-acknowledgment"
    what = notice.organization or notice.number or "a new contract"
    title = (f"Contract extension recorded: {what}" if notice.extension
             else f"Contract award recorded: {what}" if awarded
             else f"Solicitation recorded: {what}")
    reply = renderer.mail(
        kind,
        f"cor/{kind.replace('-', '_')}",
        title,
        contract_context(policy, contract, sender.name) | {"missing": notice.missing,
                                                     "extension": notice.extension},
        to=(sender,),
        in_reply_to=mail.message_id,
        references=mail.answer_references,
    )
    event = AuditEntry(f"contract-{notice.stage}", sender.email,
                       {"contract": notice.number or "", "organization": what,
                        "missing": list(notice.missing)})
    return Outcome(f"contract-{notice.stage}", contract=contract, events=(event,)), reply


def contacts_still_needed(contract: ContractView) -> tuple[str, ...]:
    """What the page requires of the SO and SPOC that the contract does not have yet."""
    needed: list[str] = []
    for role, contact in (("Security Official", contract.security_official),
                          ("Security Point of Contact", contract.spoc)):
        if contact is None:
            needed.append(f"the {role}")
            continue
        if not contact.email:
            needed.append(f"the {role}'s email address")
        if not contact.harp_id:
            needed.append(f"the {role}'s HARP user ID")
    return tuple(needed)


def contacts_request(
    contract: ContractView, policy: Policy, renderer: Renderer, today: date
) -> OutgoingMail:
    """Asks the contractor, as the period of performance starts, to name its SO and
    SPOC with their HARP user IDs, copying the COR to whom the page says they report."""
    assert contract.contractor is not None
    due = contract.starts_on or today
    return renderer.mail(
        "contacts-request",
        "contractor/contacts_request",
        f"Contract {contract.number_shown}: please name your Security Official and Security "
        "Point of Contact",
        contract_context(policy, contract, contract.contractor.name)
        | {"due_days": CONTACTS_DUE_DAYS, "due_from": due},
        to=(contract.contractor,),
        cc=(contract.cor,),
    )


def contacts_reminder(contract: ContractView, policy: Policy, renderer: Renderer
                      ) -> OutgoingMail:
    """The one reminder of a contractor's overdue SO and SPOC, copying the COR."""
    assert contract.contractor is not None
    return renderer.mail(
        "contacts-reminder",
        "contractor/contacts_reminder",
        f"Contract {contract.number_shown}: reminder: your Security Official and SPOC are overdue",
        contract_context(policy, contract, contract.contractor.name) | {
            "still_needed": contacts_still_needed(contract)},
        to=(contract.contractor,),
        cc=(contract.cor,),
    )


def survey_invitation(
    contract: ContractView, request: RequestView, policy: Policy, renderer: Renderer
) -> OutgoingMail:
    """The post-onboarding survey's link, to the Security Official the welcome package
    went to, copying its requester."""
    so = security_official(request, policy)
    copies = () if so.email == request.requester.email else (request.requester,)
    return renderer.mail(
        "survey",
        "contractor/survey",
        "How was your onboarding? A short survey",
        contract_context(policy, contract, so.name) | {"survey_url": policy.survey.url},
        to=(so,),
        cc=copies,
    )


def offboarding_notice(
    contract: ContractView, services: tuple[str, ...], policy: Policy, renderer: Renderer,
    today: date, *, reminder: bool = False,
) -> OutgoingMail:
    """The start of offboarding: to the COR, copying the contract's Security Official
    and contractor contact, with every approved service and what each party does; with
    `reminder`, the same again some weeks later, while nothing has been done."""
    assert contract.ends_on is not None
    copies = [Address(c.name, c.email) for c in (contract.security_official,)
              if c is not None and c.email]
    if contract.contractor and contract.contractor.email not in {a.email for a in copies}:
        copies.append(contract.contractor)
    entries = tuple((name, policy.service(name)) for name in services)
    ends = contract.ends_on.strftime('%d %B %Y')
    return renderer.mail(
        "offboarding-reminder" if reminder else "offboarding-notice",
        "cor/offboarding_notice",
        f"Contract {contract.number_shown}: reminder: period of performance ends {ends}"
        if reminder else
        f"Contract {contract.number_shown}: period of performance ends {ends}; "
        "offboarding starts",
        contract_context(policy, contract, contract.cor.name) | {
            "approved": entries, "days_left": (contract.ends_on - today).days,
            "reminder": reminder},
        to=(contract.cor,),
        cc=tuple(copies),
    )


def contract_context(policy: Policy, contract: ContractView, name: str,
                     view: RequestView | None = None) -> dict[str, object]:
    """What every contract letter's template is given: the contract, and the request it
    is about (an offboarding, a contact change) if any; `name` is whom it greets."""
    return base_context(policy, view, name) | {"contract": contract}

