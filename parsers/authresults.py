"""Read Authentication-Results (RFC 8601) to tell whether a sender's domain was verified.

Only our own MTA's word counts. Anyone can put an Authentication-Results header with
our authserv-id into a mail before sending it; our MTA adds its header above those, so
the topmost header carrying our authserv-id is the one we read, and only that one.
When it cannot be read, the answer is "not verified": we never look further down for
a header we like better, since everything below it came with the mail.

Why one header and not the run of ours at the top: a forged header directly below ours
cannot be told apart from a second one of ours. Gmail writes its header below its own
Received line, directly above the headers the mail arrived with, so neither "stop at
the first header that is not ours" nor "stop at the first Received" keeps a forgery
out there, and an MTA that renames or removes forged headers (RFC 8601 section 5) is
not something a reader of the mailbox can check. An MTA whose milters write one header
each (OpenDKIM, OpenDMARC) must therefore write the verdict that counts in the topmost
one; when it does not, a real decision is refused and audited (staff can apply it at
the command line), which is the safe way to be wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import authres
import authres.dmarc

from onboardd.parsers.model import ParsedEmail

_CONTEXT = authres.FeatureContext(authres.dmarc)
# Property values that MTAs write and authres' grammar refuses: an address literal
# ("smtp.helo=[203.0.113.5]"), a null sender ("smtp.mailfrom=<>"), an IPv6 address.
# They are quoted before parsing, which the grammar allows for any value.
_ODD_VALUE = re.compile(
    r"(\b[a-z]+\.[a-z0-9-]+=)(\[[^\]\s;]*\]|<[^>\s;]*>|[^\s;\"()]*[\[\]<>:][^\s;\"()]*)",
    re.IGNORECASE)
_COMMENT = re.compile(r"\([^()]*\)")


@dataclass(frozen=True)
class AuthCheck:
    """Whether our MTA verified the sender's domain; `failed` when it says it failed."""

    passed: bool
    reason: str
    failed: bool = False


def _aligned(sender_domain: str, signing_domain: str) -> bool:
    """Relaxed alignment: the From domain is the signing domain or below it."""
    signing_domain = signing_domain.lower().strip(".")
    return sender_domain == signing_domain or sender_domain.endswith("." + signing_domain)


def authserv_id_of(value: str) -> str:
    """The authserv-id a header value starts with, lower-cased; "" when it has none
    (Exchange Online writes its results with no authserv-id at all)."""
    head = _COMMENT.sub(" ", value.split(";", 1)[0]).split()
    if not head or "=" in head[0]:
        return ""
    return head[0].lower()


def check_authentication(mail: ParsedEmail, authserv_id: str) -> AuthCheck:
    """dmarc=pass, or an aligned dkim=pass, in the topmost header of our own authserv-id."""
    if mail.sender is None:
        return AuthCheck(False, "no sender")
    wanted = authserv_id.lower()
    ours = next((v for v in mail.header_all("authentication-results")
                 if authserv_id_of(v) == wanted), None)
    if ours is None:
        return AuthCheck(False, f"no Authentication-Results from {authserv_id}")
    try:
        header = _CONTEXT.parse_value(_quoted(" ".join(ours.split())))
    except (authres.core.AuthResError, ValueError, IndexError):
        return AuthCheck(False, f"the Authentication-Results header of {authserv_id} "
                                "cannot be read")
    return _verdict(header.results, mail.sender.domain, authserv_id)


def _verdict(results: list[authres.core.AuthenticationResult], sender_domain: str,
             authserv_id: str) -> AuthCheck:
    """Our MTA's DMARC verdict decides when it gave one; our own relaxed alignment of a
    DKIM pass only stands in where it gave none (a dmarc=fail under a strict-alignment
    policy must not become a pass here). Order within the header does not matter."""
    dmarc_passed = dmarc_failed = spf_failed = dkim_passed = dkim_aligned = False
    for result in results:
        props = {(p.type, p.name): str(p.value or "") for p in result.properties}
        if result.method == "dmarc":
            header_from = props.get(("header", "from"), sender_domain).lower()
            dmarc_passed |= result.result == "pass" and header_from == sender_domain
            dmarc_failed |= result.result == "fail"
        elif result.method == "dkim" and result.result == "pass":
            dkim_passed = True
            # Gmail names the signer by header.i only (an identity at the signing
            # domain or below it), so its domain aligns wherever d= would.
            identity = props.get(("header", "i"), "").rpartition("@")[2]
            signer = props.get(("header", "d"), "") or identity
            dkim_aligned |= bool(signer) and _aligned(sender_domain, signer)
        elif result.method == "spf":
            spf_failed |= result.result == "fail"
    if dmarc_failed or (spf_failed and not dkim_passed):
        failure = "dmarc=fail" if dmarc_failed else "spf=fail"
        return AuthCheck(False, f"{failure} from {authserv_id}", failed=True)
    if dmarc_passed:
        return AuthCheck(True, "dmarc=pass")
    if dkim_aligned:
        return AuthCheck(True, "aligned dkim=pass")
    return AuthCheck(False, f"no dmarc=pass or aligned dkim=pass from {authserv_id}")


def _quoted(value: str) -> str:
    return _ODD_VALUE.sub(lambda m: f'{m.group(1)}"{m.group(2)}"', value)
