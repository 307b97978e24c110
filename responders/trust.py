"""Whether a reply may decide anything: one ordered table of named checks for every
decision, a COR's confirmation and a Service Lead's approval alike.

A reply reaches this table only with a token of ours that was issued to its sender
(the token names the request, the scope and, for a lead, the service). Each rule
below returns why it refuses, or None; the first refusal wins, and its rule's name is
written into the audit entry beside the reason, so staff see which check held.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from onboardd.parsers.authresults import check_authentication
from onboardd.parsers.model import ParsedEmail
from onboardd.responders.policy import Policy
from onboardd.responders.view import TokenView

# The scopes of the tokens a Service Lead answers: an approval, a removal's confirmation.
LEAD_SCOPES = ("approval", "removal")


@dataclass(frozen=True)
class Claim:
    """A reply that offers a decision under one of our tokens."""

    mail: ParsedEmail
    token: TokenView
    policy: Policy

    @property
    def sender(self) -> str:
        return self.mail.sender.email if self.mail.sender else ""


@dataclass(frozen=True)
class TrustRule:
    name: str
    refuses: Callable[[Claim], str | None]


def _expired(claim: Claim) -> str | None:
    return "the reply token has expired" if claim.token.expired else None


def _spent(claim: Claim) -> str | None:
    if not claim.token.spent:
        return None
    return "the COR already answered" if claim.token.scope == "cor" else \
        "the reply token was already used"


def _not_a_lead(claim: Claim) -> str | None:
    """A lead's token (to approve, or to confirm a removal) names a service; its sender
    must still lead that service."""
    if claim.token.scope not in LEAD_SCOPES:
        return None
    service = claim.token.service or ""
    entry = claim.policy.service(service)
    return None if entry and claim.sender in entry.leads else f"not a lead of {service}"


def _not_authenticated(claim: Claim) -> str | None:
    authserv_id = claim.policy.trust.authserv_id
    if not authserv_id:
        return None
    check = check_authentication(claim.mail, authserv_id)
    return None if check.passed else f"not authenticated: {check.reason}"


TRUST_RULES: tuple[TrustRule, ...] = (
    TrustRule("not-a-lead", _not_a_lead),
    TrustRule("expired-token", _expired),
    TrustRule("spent-token", _spent),
    TrustRule("not-authenticated", _not_authenticated),
)


def first_refusal(claim: Claim) -> tuple[str, str] | None:
    """(rule name, reason) of the first rule that refuses the claim, or None."""
    for rule in TRUST_RULES:
        reason = rule.refuses(claim)
        if reason:
            return rule.name, reason
    return None
