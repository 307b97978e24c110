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
    "Gmail-style, no DMARC record": (f"{OURS}; dkim=pass header.i=@cms.example.gov "
                                     "header.s=sel1 header.b=Ab/Cd+12; spf=pass "
                                     "smtp.mailfrom=lead@cms.example.gov"),
    "policyd-spf's comment": (f"{OURS}; spf=pass (sender SPF authorized) "
                              "smtp.mailfrom=cms.example.gov (client-ip=192.0.2.10; "
                              "helo=[192.0.2.10]; envelope-from=<lead@cms.example.gov>); "
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
    "unaligned identity": (f"{OURS}; dkim=pass header.i=@evil.example.net header.s=sel1 "
                           "header.b=AbCd; spf=pass smtp.mailfrom=evil.example.net", False),
}


@pytest.mark.parametrize(("value", "failed"), FAILING.values(), ids=FAILING.keys())
def test_failing_headers_do_not_pass(value: str, failed: bool) -> None:
    check = check_authentication(signed(value), OURS)
    assert not check.passed
    assert check.failed is failed


FORGED_BELOW = f"{OURS}; dmarc=pass header.from=cms.example.gov"


# Headers of ours that prove nothing, cannot be read, or say the sender failed.
FORGED_UNDER_OURS = (
    f"{OURS}; spf=none smtp.helo=[203.0.113.5]",
    f"{OURS}; spf=none smtp.mailfrom=<>",
    f"{OURS}; dkim=pass header.d=cms.example.gov ((broken",
    f"{OURS}; ===",
    f"{OURS}; spf=fail smtp.mailfrom=cms.example.gov",
)


@pytest.mark.parametrize("ours", FORGED_UNDER_OURS)
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


def test_the_one_of_ours_counts_wherever_it_sits_among_other_headers() -> None:
    """As a Gmail-like MTA lays a mail out: its Received line and others above its own
    header, and a forged pass of its authserv-id directly below, among the headers the
    mail arrived with. Only the topmost of ours is read."""
    def laid_out(ours: str) -> ParsedEmail:
        head = (
            f"Received: by 2002:a05:6000:1:b0:1 with SMTP id x1; Mon, 2 Nov 2026 09:00:02 -0800\n"
            f"Received: from mail.cms.example.gov (mail.cms.example.gov [192.0.2.10])\n"
            f" by {OURS} with ESMTPS id y2; Mon, 2 Nov 2026 09:00:01 -0800\n"
            "Received-SPF: pass (domain of lead@cms.example.gov designates 192.0.2.10)\n"
            f"Authentication-Results: {ours}\n"
            f"Authentication-Results: {FORGED_BELOW}\n"
            "DKIM-Signature: v=1; a=rsa-sha256; d=cms.example.gov; s=sel1; b=AbCd\n"
            "From: Pat Lead <lead@cms.example.gov>\nSubject: Re: approval"
        )
        return mail(head, "Approved.\n")

    passing = f"{OURS}; dkim=pass header.i=@cms.example.gov header.s=sel1 header.b=AbCd"
    assert check_authentication(laid_out(passing), OURS).passed
    unread = check_authentication(laid_out(f"{OURS}; spf=none smtp.helo=[203.0.113.5]"), OURS)
    assert not unread.passed and not unread.failed



def test_our_mtas_dmarc_fail_is_not_overruled_by_our_own_alignment() -> None:
    """A sender at a subdomain signed by the parent domain, under a strict-alignment
    policy: DMARC fails, though the relaxed alignment read here would pass the DKIM."""
    results = (f"{OURS}; dkim=pass header.d=cms.example.gov header.s=sel1; "
               "dmarc=fail (p=reject adkim=s) header.from=hq.cms.example.gov")
    check = check_authentication(signed(results, sender="Pat <pat@hq.cms.example.gov>"), OURS)
    assert not check.passed and check.failed
