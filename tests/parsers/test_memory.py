"""parse_message holds a few copies of a large mail at once, not eight; sizes stay exact."""

from __future__ import annotations

import base64
import email
import random
import tracemalloc
from email import policy
from email.message import EmailMessage, Message

import pytest

from onboardd.parsers.message import parse_message
from onboardd.parsers.mime import _size
from tests.mailkit import compose


def _with_attachment(size: int, linesep: bytes) -> bytes:
    raw = compose("Jane Doe <jane.doe@acmehealth.example.com>", "Roster attached.\n")
    message = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(message, EmailMessage)
    data = random.Random(size).randbytes(size)
    message.add_attachment(data, maintype="application", subtype="pdf", filename="roster.pdf")
    return bytes(message).replace(b"\n", linesep)


@pytest.mark.parametrize("linesep", [b"\n", b"\r\n"])
def test_a_large_attachment_is_parsed_without_whole_copies_of_the_mail(linesep: bytes) -> None:
    raw = _with_attachment(3_000_000, linesep)
    tracemalloc.start()
    try:
        mail = parse_message(raw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [(a.filename, a.size) for a in mail.attachments] == [("roster.pdf", 3_000_000)]
    assert mail.text == "Roster attached."
    # message_from_bytes alone peaked at ~7.8x the mail (a str of it, and a StringIO of
    # that str at 4 bytes a character), and the attachment's size another ~4.5x of the
    # attachment; fed in chunks and counted, the parse peaks at ~2.8x.
    assert peak < 4 * len(raw)


def _base64_part(payload: str, encoding: str = "base64") -> Message:
    part = Message()
    part["Content-Type"] = "application/octet-stream"
    part["Content-Transfer-Encoding"] = encoding
    part.set_payload(payload)
    return part


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "QQ==\n",
        "QUI=\r\n",
        "QUJD\n",
        base64.encodebytes(bytes(range(256)) * 40).decode(),
        base64.encodebytes(b"x" * 1000).decode().replace("\n", "\r\n"),
        "QUJD\nRA=\n=\n",  # padding split over lines
        "QUJDRA",  # padding missing: a defect, decoded as before
        "QUJ DRA==",  # a space: not the alphabet, decoded as before
        "QQ==QQ==",  # padding inside: decoded as before
        "QUJDR",  # one character too many
        "Q*UJD",
    ],
)
def test_attachment_size_is_the_decoded_length_whatever_the_base64(payload: str) -> None:
    for encoding in ("base64", "BASE64"):
        part = _base64_part(payload, encoding)
        decoded = part.get_payload(decode=True)
        assert isinstance(decoded, bytes)
        assert _size(_base64_part(payload, encoding)) == len(decoded)
