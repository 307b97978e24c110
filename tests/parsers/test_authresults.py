"""Authentication-Results as real MTAs write them, and the forgeries that must not count."""

from __future__ import annotations

import pytest

from onboardd.parsers.authresults import authserv_id_of, check_authentication
from onboardd.parsers.model import ParsedEmail
from tests.parsers.support import mail

OURS = "mx.onboard.example.gov"


def signed(*results: str, sender: str = "Pat Lead <lead@cms.example.gov>") -> ParsedEmail:
    """A mail whose Authentication-Results headers are `results`, topmost first."""
    head = "".join(f"Authentication-Results: {value}\n" for value in results)
    return mail(f"{head}Received: from mail.cms.example.gov by {OURS}\nFrom: {sender}\n"
                "To: onboarding@onboard.example.gov\nSubject: Re: approval", "Approved.\n")


# What each MTA writes for a sender at cms.example.gov whose domain checks out.
PASSING = {
    "Postfix + OpenDMARC": f"{OURS}; dmarc=pass (p=reject dis=none) header.from=cms.example.gov",
    "Postfix + OpenDKIM": (f"{OURS}; dkim=pass (2048-bit key; unprotected) "
                           "header.d=cms.example.gov header.i=@cms.example.gov "
                           "header.a=rsa-sha256 header.s=sel1 header.b=AbCdEf12"),
    "Exim": (f"{OURS}; iprev=pass (mail.cms.example.gov) smtp.remote-ip=192.0.2.10; "
             "spf=pass smtp.mailfrom=cms.example.gov; dkim=pass header.d=cms.example.gov "
             "header.s=sel1 header.a=rsa-sha256; dmarc=pass header.from=cms.example.gov; "
             "arc=none"),
    "Exim over IPv6": (f"{OURS}; iprev=pass smtp.remote-ip=2001:db8::25; "
                       "dmarc=pass header.from=cms.example.gov"),
    "Gmail-style": (f"{OURS}; dkim=pass header.i=@cms.example.gov header.s=sel1 "
                    "header.b=Ab12Cd34; spf=pass (google.com: domain of lead@cms.example.gov "
                    "designates 192.0.2.10 as permitted sender) "
                    "smtp.mailfrom=lead@cms.example.gov; dmarc=pass (p=NONE sp=NONE "
                    "dis=NONE) header.from=cms.example.gov"),
    "with a version": f"{OURS} 1; dmarc=pass header.from=cms.example.gov",
    "HELO as an address literal": (f"{OURS}; spf=none smtp.helo=[192.0.2.10]; "
                                   "dmarc=pass header.from=cms.example.gov"),
}


@pytest.mark.parametrize("value", PASSING.values(), ids=PASSING.keys())
def test_each_mtas_passing_header_is_read(value: str) -> None:
    check = check_authentication(signed(value), OURS)
    assert check.passed, check.reason


FAILING = {
    "dmarc=fail": (f"{OURS}; spf=fail smtp.mailfrom=cms.example.gov; "
                   "dmarc=fail (p=reject) header.from=cms.example.gov", True),
    "spf=fail, no dkim": (f"{OURS}; spf=fail smtp.mailfrom=lead@cms.example.gov", True),
    "null sender": (f"{OURS}; spf=none smtp.mailfrom=<>", False),
    "unaligned dkim": (f"{OURS}; dkim=pass header.d=evil.example.net", False),
    "dmarc for another domain": (f"{OURS}; dmarc=pass header.from=evil.example.net", False),
    "nothing checked": (f"{OURS}; none", False),
}


@pytest.mark.parametrize(("value", "failed"), FAILING.values(), ids=FAILING.keys())
def test_failing_headers_do_not_pass(value: str, failed: bool) -> None:
    check = check_authentication(signed(value), OURS)
    assert not check.passed
    assert check.failed is failed


FORGED_BELOW = f"{OURS}; dmarc=pass header.from=cms.example.gov"


@pytest.mark.parametrize(
    "ours",
    [
        f"{OURS}; spf=none smtp.helo=[203.0.113.5]",
        f"{OURS}; spf=none smtp.mailfrom=<>",
        f"{OURS}; dkim=pass header.d=cms.example.gov ((broken",
        f"{OURS}; ===",
        f"{OURS}; spf=fail smtp.mailfrom=cms.example.gov",
    ],
)
def test_a_forged_header_below_ours_never_counts(ours: str) -> None:
    """Whatever our MTA's own header says, or if it cannot be read, the one below it
    (which the sender wrote) is never consulted."""
    check = check_authentication(signed(ours, FORGED_BELOW), OURS)
    assert not check.passed


def test_a_header_of_another_authserv_id_is_not_ours() -> None:
    forged = "mx.evil.example.net; dmarc=pass header.from=cms.example.gov"
    assert not check_authentication(signed(forged), OURS).passed
    # Exchange Online writes no authserv-id: it is nobody's, so never ours.
    exchange = ("spf=pass (sender IP is 192.0.2.10) smtp.mailfrom=cms.example.gov; dkim=pass "
                "(signature was verified) header.d=cms.example.gov;dmarc=pass action=none "
                "header.from=cms.example.gov;compauth=pass reason=100")
    assert authserv_id_of(exchange) == ""
    assert not check_authentication(signed(exchange), OURS).passed


def test_the_authserv_id_is_compared_without_case() -> None:
    check = check_authentication(signed(FORGED_BELOW.upper().replace("DMARC=PASS", "dmarc=pass")
                                        .replace("HEADER.FROM", "header.from")), OURS)
    assert check.passed, check.reason
