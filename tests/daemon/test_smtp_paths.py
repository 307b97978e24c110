"""The SMTP envelope's paths: written directly for plain addr-specs, as quoteaddr would."""

from __future__ import annotations

import smtplib
import string

from hypothesis import given
from hypothesis import strategies as st

from onboardd.daemon.smtp import _path

# What an addr-spec's atoms may hold (RFC 5322 atext, dots) and a non-ASCII letter.
ATEXT = string.ascii_letters + string.digits + "!#$%&'*+-/=?^_`{|}~.ü"
atoms = st.text(alphabet=ATEXT, min_size=1, max_size=20)


@given(local=atoms, domain=atoms)
def test_a_plain_addr_spec_is_written_as_quoteaddr_writes_it(local: str, domain: str) -> None:
    address = f"{local}@{domain}"
    assert _path(address) == f"<{address}>" == smtplib.quoteaddr(address)


def test_anything_else_is_left_to_quoteaddr() -> None:
    for address in (
        '"a b"@example.org',
        "Jane Doe <jane@example.org>",
        "jane@[192.0.2.1]",
        "x(comment)@example.org",
        "a,b@example.org",
        "a@b@example.org",
        "",
    ):
        assert _path(address) == smtplib.quoteaddr(address)
