"""Read Authentication-Results (RFC 8601) to tell whether a sender's domain was verified."""

from __future__ import annotations

from dataclasses import dataclass

import authres
import authres.dmarc

from onboardd.parsers.model import ParsedEmail

_CONTEXT = authres.FeatureContext(authres.dmarc)


@dataclass(frozen=True)
class AuthCheck:
    passed: bool
    reason: str


def _aligned(sender_domain: str, signing_domain: str) -> bool:
    """Relaxed alignment: the From domain is the signing domain or below it."""
    signing_domain = signing_domain.lower().strip(".")
    return sender_domain == signing_domain or sender_domain.endswith("." + signing_domain)


def check_authentication(mail: ParsedEmail, authserv_id: str) -> AuthCheck:
    """dmarc=pass, or an aligned dkim=pass, in the topmost header of our own authserv-id.

    Only the first header carrying our authserv-id counts: our border MTA prepends it,
    while anything below it may have been written by the sender.
    """
    if mail.sender is None:
        return AuthCheck(False, "no sender")
    sender_domain = mail.sender.domain
    for value in mail.header_all("authentication-results"):
        try:
            header = _CONTEXT.parse_value(" ".join(value.split()))
        except (authres.core.AuthResError, ValueError, IndexError):
            continue
        if (header.authserv_id or "").lower() != authserv_id.lower():
            continue
        for result in header.results:
            props = {(p.type, p.name): str(p.value or "") for p in result.properties}
            if result.method == "dmarc" and result.result == "pass":
                header_from = props.get(("header", "from"), sender_domain).lower()
                if header_from == sender_domain:
                    return AuthCheck(True, "dmarc=pass")
            if result.method == "dkim" and result.result == "pass":
                signer = props.get(("header", "d"), "")
                if signer and _aligned(sender_domain, signer):
                    return AuthCheck(True, "aligned dkim=pass")
        return AuthCheck(False, f"no dmarc=pass or aligned dkim=pass from {authserv_id}")
    return AuthCheck(False, f"no Authentication-Results from {authserv_id}")
