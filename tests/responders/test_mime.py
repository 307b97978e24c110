"""to_mime: what a reader's mail client decodes from the bytes we send.

The expected values are those the EmailMessage-based encoder (policy SMTP/SMTPUTF8,
set_content + add_alternative) decoded to for the same mails, read the same way
(email.policy.default), written out here so that it need not be kept.
"""

from __future__ import annotations

import binascii
import email
import email.policy
import io
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from typing import Any

import pytest

from onboardd.parsers.message import parse_message
from onboardd.parsers.model import Address
from onboardd.responders.mime import to_mime
from onboardd.responders.view import OutgoingMail

NOW = datetime(2026, 11, 23, 14, 0, tzinfo=UTC)
MESSAGE_ID = "onb.2026.0007.5f2a9c@onboard.example.gov"
DESK = Address("IT Services Onboarding", "onboarding@onboard.example.gov")
DESK_REPLY = Address("IT Services Onboarding", "onboarding+5f2a9c@onboard.example.gov")

# CR LF, a lone CR, no final line end, trailing blanks, a line over 76 and a body
# line "From ..." (which an mbox-minded generator would turn into ">From ...").
TEXT = (
    "Hello José Müller,\r\n\r\n"
    "From now on your request ONB-2026-0007 is tracked.\n"
    "A line with a trailing space \n"
    "A tab\tinside, and one at the end\t\n"
    "carriage\rreturn\n" + "a long line " * 30 + "\n"
    ".\n"
    "-- \n"
    "IT Services Onboarding = desk"
)
HTML = (
    '<!DOCTYPE html>\n<html lang="en">\n<body style="margin:0;padding:0;">\n'
    "<p>Grüße, José – 关于您的入职申请</p>\n"
    + '<td align="center" style="padding:24px 12px;">x</td>' * 12
    + "\n</body>\n</html>\n"
)
DECODED_TEXT = (
    "Hello José Müller,\r\n"
    "\r\n"
    "From now on your request ONB-2026-0007 is tracked.\r\n"
    "A line with a trailing space \r\n"
    "A tab\tinside, and one at the end\t\r\n"
    "carriage\r\n"
    "return\r\n" + "a long line " * 30 + "\r\n"
    ".\r\n"
    "-- \r\n"
    "IT Services Onboarding = desk\r\n"
)
DECODED_HTML = (
    '<!DOCTYPE html>\r\n<html lang="en">\r\n<body style="margin:0;padding:0;">\r\n'
    "<p>Grüße, José – 关于您的入职申请</p>\r\n"
    + '<td align="center" style="padding:24px 12px;">x</td>' * 12
    + "\r\n</body>\r\n</html>\r\n"
)
REFERENCES = tuple(f"onb.2026.{i:04d}.7c1e9a@onboard.example.gov" for i in range(40))


@dataclass(frozen=True)
class Case:
    mail: OutgoingMail
    reply_to: Address | None
    # Header name -> decoded value; address fields as (display name, addr-spec) pairs.
    headers: dict[str, Any] = field(default_factory=dict)


def _mail(**changes: Any) -> OutgoingMail:
    fields: dict[str, Any] = {
        "kind": "acknowledgment",
        "to": (Address("Jane Doe", "jane.doe@acmehealth.example.com"),),
        "subject": "[ONB-2026-0007] We received your onboarding request",
        "text": TEXT,
        "html": HTML,
    }
    return OutgoingMail(**{**fields, **changes})


FROM_DESK = [("IT Services Onboarding", "onboarding@onboard.example.gov")]
REPLY_DESK = [("IT Services Onboarding", "onboarding+5f2a9c@onboard.example.gov")]
DATE_AND_ID = {
    "Date": "Mon, 23 Nov 2026 14:00:00 +0000",
    "Message-ID": "<onb.2026.0007.5f2a9c@onboard.example.gov>",
}

CASES = {
    "ascii, reply-to, no cc": Case(
        _mail(
            in_reply_to="CAF=x1@mail.acmehealth.example.com",
            references=("a1@acmehealth.example.com", "CAF=x1@mail.acmehealth.example.com"),
            reference="ONB-2026-0007",
        ),
        DESK_REPLY,
        {
            "From": FROM_DESK,
            "To": [("Jane Doe", "jane.doe@acmehealth.example.com")],
            "Reply-To": REPLY_DESK,
            "Subject": "[ONB-2026-0007] We received your onboarding request",
            **DATE_AND_ID,
            "In-Reply-To": "<CAF=x1@mail.acmehealth.example.com>",
            "References": "<a1@acmehealth.example.com> <CAF=x1@mail.acmehealth.example.com>",
            "Auto-Submitted": "auto-replied",
            "X-Auto-Response-Suppress": "All",
            "X-Onboarding-Notice": "acknowledgment",
            "X-Onboarding-Request": "ONB-2026-0007",
            "MIME-Version": "1.0",
        },
    ),
    "non-ASCII names and subject, cc, no reply-to": Case(
        _mail(
            kind="cor-confirmation",
            to=(Address("José Müller", "jose.muller@example.es"),),
            cc=(
                Address("王伟", "wang.wei@example.cn"),
                Address("Doe, Jane", "jane.doe@acmehealth.example.com"),
            ),
            subject="[ONB-2026-0008] 关于您的入职申请",
            auto_submitted="auto-generated",
        ),
        None,
        {
            "From": FROM_DESK,
            "To": [("José Müller", "jose.muller@example.es")],
            "Cc": [
                ("王伟", "wang.wei@example.cn"),
                ("Doe, Jane", "jane.doe@acmehealth.example.com"),
            ],
            "Subject": "[ONB-2026-0008] 关于您的入职申请",
            **DATE_AND_ID,
            "Auto-Submitted": "auto-generated",
            "X-Auto-Response-Suppress": "All",
            "X-Onboarding-Notice": "cor-confirmation",
            "MIME-Version": "1.0",
        },
    ),
    "long name, subject and References": Case(
        _mail(
            to=(
                Address(
                    "José Müller-Lüdenscheidt von und zu Bärenfels-Großmann", "jose@example.es"
                ),
                Address("", "it.lead@cms.example.gov"),
            ),
            cc=(Address("Dana Smith", "dana.smith@cms.example.gov"),),
            subject=(
                "Re: [ONB-2026-0009] Zugang für Müller GmbH – Jira, Confluence und "
                "ServiceNow für 40 Nutzer"
            ),
            in_reply_to=REFERENCES[-1],
            references=REFERENCES,
            reference="ONB-2026-0009",
        ),
        DESK_REPLY,
        {
            "From": FROM_DESK,
            "To": [
                ("José Müller-Lüdenscheidt von und zu Bärenfels-Großmann", "jose@example.es"),
                ("", "it.lead@cms.example.gov"),
            ],
            "Cc": [("Dana Smith", "dana.smith@cms.example.gov")],
            "Reply-To": REPLY_DESK,
            "Subject": (
                "Re: [ONB-2026-0009] Zugang für Müller GmbH – Jira, Confluence und "
                "ServiceNow für 40 Nutzer"
            ),
            **DATE_AND_ID,
            "In-Reply-To": "<onb.2026.0039.7c1e9a@onboard.example.gov>",
            "References": " ".join(
                f"<onb.2026.{i:04d}.7c1e9a@onboard.example.gov>" for i in range(40)
            ),
            "Auto-Submitted": "auto-replied",
            "X-Auto-Response-Suppress": "All",
            "X-Onboarding-Notice": "acknowledgment",
            "X-Onboarding-Request": "ONB-2026-0009",
            "MIME-Version": "1.0",
        },
    ),
    "SMTPUTF8 address": Case(
        _mail(
            to=(Address("José Müller", "josé@example.es"),),
            subject="Zugang für José",
            reference="ONB-2026-0010",
        ),
        DESK_REPLY,
        {
            "From": FROM_DESK,
            "To": [("José Müller", "josé@example.es")],
            "Reply-To": REPLY_DESK,
            "Subject": "Zugang für José",
            **DATE_AND_ID,
            "Auto-Submitted": "auto-replied",
            "X-Auto-Response-Suppress": "All",
            "X-Onboarding-Notice": "acknowledgment",
            "X-Onboarding-Request": "ONB-2026-0010",
            "MIME-Version": "1.0",
        },
    ),
}
ADDRESS_FIELDS = {"From", "To", "Cc", "Reply-To"}


def _raw(case: Case) -> bytes:
    return to_mime(case.mail, message_id=MESSAGE_ID, sender=DESK, reply_to=case.reply_to, date=NOW)


def _read(raw: bytes) -> EmailMessage:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def _utf8(text: str) -> str:
    # The bytes parser hands raw UTF-8 header text (RFC 6532) back surrogate-escaped.
    return text.encode("utf-8", "surrogateescape").decode("utf-8")


def _decoded_headers(message: EmailMessage) -> dict[str, Any]:
    decoded: dict[str, Any] = {}
    for name, value in message.items():
        if name in ADDRESS_FIELDS:
            decoded[name] = [(_utf8(a.display_name), _utf8(a.addr_spec)) for a in value.addresses]
        elif name != "Content-Type":  # its boundary is random; checked on its own
            decoded[name] = _utf8(str(value))
    return decoded


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_headers_decode_as_before_in_the_same_order(case: Case) -> None:
    message = _read(_raw(case))
    assert message.defects == []
    assert _decoded_headers(message) == case.headers
    assert list(message.keys()) == [*case.headers, "Content-Type"]


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_text_then_html_decode_as_before(case: Case) -> None:
    message = _read(_raw(case))
    assert message.get_content_type() == "multipart/alternative"
    assert message.get_boundary()
    parts = [
        (
            part.get_content_type(),
            part.get_content_charset(),
            part["Content-Transfer-Encoding"],
            part.get_content(),
        )
        for part in message.iter_parts()
    ]
    assert parts == [
        ("text/plain", "utf-8", "quoted-printable", DECODED_TEXT),
        ("text/html", "utf-8", "quoted-printable", DECODED_HTML),
    ]


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_lines_end_in_crlf_and_fit_998_bytes(case: Case) -> None:
    raw = _raw(case)
    assert raw.endswith(b"\r\n")
    lines = raw.split(b"\r\n")
    assert all(b"\r" not in line and b"\n" not in line for line in lines)
    assert max(len(line) for line in lines) <= 998
    # Quoted-printable keeps body lines to RFC 2045's 76.
    body = raw.partition(b"\r\n\r\n")[2]
    assert all(len(line) <= 76 for line in body.split(b"\r\n"))


ASCII_TEXT = "Hello Jane,\n\nYour request ONB-2026-0007 is tracked.\n.\nFrom now on = fine\n"
ASCII_HTML = '<p style="margin:0 0 16px 0;">' + "Welcome aboard, ready to go. " * 30 + "</p>\n"


def _parts(text: str, html: str) -> list[tuple[str, str]]:
    raw = to_mime(
        OutgoingMail(kind="acknowledgment", subject="s", text=text, html=html, to=(DESK,)),
        message_id=MESSAGE_ID,
        sender=DESK,
        reply_to=None,
        date=NOW,
    )
    assert max(len(line) for line in raw.split(b"\r\n")) <= 998
    message = _read(raw)
    assert message.defects == []
    return [(p["Content-Transfer-Encoding"], p.get_content()) for p in message.iter_parts()]


def test_ascii_bodies_with_short_lines_go_as_they_are() -> None:
    # One line of the HTML is ~900 characters: 7bit takes it whole, where
    # quoted-printable cut it in twelve and wrote each "=" as "=3D".
    assert _parts(ASCII_TEXT, ASCII_HTML) == [
        ("7bit", ASCII_TEXT.replace("\n", "\r\n")),
        ("7bit", ASCII_HTML.replace("\n", "\r\n")),
    ]


@pytest.mark.parametrize(
    "body",
    ["Grüße, José\n", "a NUL \x00 in it\n", "x" * 999 + "\n", "word " * 250 + "\n"],
    ids=["not-ascii", "nul", "line-over-998", "long-line-of-words"],
)
def test_other_bodies_are_quoted_printable(body: str) -> None:
    [(encoding, decoded), _] = _parts(body, ASCII_HTML)
    assert encoding == "quoted-printable"
    assert decoded == body.replace("\n", "\r\n")


def test_a_body_holding_the_boundary_is_quoted_printable(monkeypatch: pytest.MonkeyPatch) -> None:
    from onboardd.responders import mime

    monkeypatch.setattr(mime, "_boundary", lambda: "===============0000000000000000042==")
    text = "A pasted mail:\n--===============0000000000000000042==\nthe end\n"
    [(encoding, decoded), (html_encoding, _)] = _parts(text, ASCII_HTML)
    assert (encoding, html_encoding) == ("quoted-printable", "7bit")
    assert decoded == text.replace("\n", "\r\n")


def test_a_long_references_list_is_folded() -> None:
    raw = _raw(CASES["long name, subject and References"])
    head = raw.partition(b"\r\n\r\n")[0].decode("ascii")
    references = head[head.index("\r\nReferences: ") + 2 :].split("\r\nAuto-Submitted:")[0]
    assert "\r\n " in references


def test_non_ascii_names_and_subjects_are_encoded_words() -> None:
    raw = _raw(CASES["non-ASCII names and subject, cc, no reply-to"])
    head = raw.partition(b"\r\n\r\n")[0]
    assert head.isascii()
    assert b"=?utf-8?" in head


def test_an_smtputf8_address_is_written_as_raw_utf8() -> None:
    raw = _raw(CASES["SMTPUTF8 address"])
    head = raw.partition(b"\r\n\r\n")[0]
    assert "To: José Müller <josé@example.es>".encode() in head
    assert "Subject: Zugang für José".encode() in head
    assert b"=?" not in head


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_our_parser_reads_it_back(case: Case) -> None:
    mail = case.mail
    parsed = parse_message(_raw(case))
    assert parsed.subject == mail.subject
    assert parsed.sender == DESK
    assert parsed.to == mail.to
    assert parsed.cc == mail.cc
    assert parsed.reply_to == ((case.reply_to,) if case.reply_to else ())
    assert parsed.message_id == MESSAGE_ID
    assert parsed.in_reply_to == ((mail.in_reply_to,) if mail.in_reply_to else ())
    assert parsed.references == mail.references
    assert parsed.header("x-onboarding-request") == mail.reference
    assert parsed.text == DECODED_TEXT.replace("\r\n", "\n").rstrip("\n")
    assert not parsed.html_only and parsed.attachments == ()
    assert parsed.auto.generated and parsed.auto.suppress_reply


@pytest.mark.parametrize(
    "subject",
    ["two\nlines", "two\r\nBcc: evil@example.net", "form\x0cfeed", "vertical\x0btab",
     "line\u2028separator", "paragraph\u2029separator", "next\x85line", "nul\x00byte",
     "esc\x1b[31m", "del\x7fete"],
)
def test_a_line_break_in_a_header_value_becomes_a_space(subject: str) -> None:
    """A sender's text with a line break or control character can neither end the header
    (no injection) nor stop the reply: the characters become one space."""
    raw = to_mime(_mail(subject=subject), message_id=MESSAGE_ID, sender=DESK, reply_to=None,
                  date=NOW)
    head = raw.split(b"\r\n\r\n", 1)[0].decode("ascii", "replace")
    lines = head.split("\r\n")
    assert not any(line.lower().startswith("bcc:") for line in lines)
    assert all(line[:1] in (" ", "\t") or ":" in line for line in lines)
    parsed = parse_message(raw)
    first, _, rest = subject.partition(next(c for c in subject if not c.isprintable()))
    assert first in parsed.subject and parsed.subject.endswith(rest.lstrip("\r\n\x0b\x0c"))
    assert not any(c in parsed.subject for c in "\r\n\x0b\x0c\x85\u2028\u2029\x00")


@pytest.mark.parametrize("seed", range(40))
def test_the_message_is_laid_out_as_the_stdlib_generator_lays_it_out(seed: int) -> None:
    # to_mime writes the multipart itself instead of building Message objects for the
    # generator; the text must be the generator's, for any bodies (7bit or
    # quoted-printable, any line endings) and headers (folded, encoded, raw UTF-8).
    from email.generator import Generator
    from email.header import Header
    from email.message import Message
    from email.mime.nonmultipart import MIMENonMultipart

    from onboardd.responders import mime

    chance = random.Random(seed)
    pieces = ["a", "b c", "\r\n", "\r", "\n", "\n\n", "\r\r\n", "\n\r", "x" * 80, "=",
              "é", "--", "y" * 1000, "\x00"]

    def body() -> str:
        return "".join(chance.choice(pieces) for _ in range(chance.randint(0, 40)))

    policy = chance.choice([mime._POLICY, mime._SMTPUTF8_POLICY])
    boundary = mime._boundary()
    subject: str | Header = "plain"
    if chance.random() < 0.5:
        subject = Header("Grüße " * 20, mime._ENCODED, header_name="Subject")
    headers: list[tuple[str, str | Header]] = [
        ("From", "IT Services Onboarding <onboarding@onboard.example.gov>"),
        ("Subject", subject),
        ("References", " ".join(f"<ref{n}@example.org>" for n in range(chance.randint(1, 60)))),
        ("MIME-Version", "1.0"),
    ]
    texts = [body(), body()]
    ours = mime.multipart(
        [*headers, ("Content-Type", f'multipart/alternative; boundary="{boundary}"')],
        [
            mime._text_part(text, subtype, boundary, policy.linesep)
            for text, subtype in zip(texts, ("plain", "html"), strict=True)
        ],
        boundary,
        policy,
    )

    message = Message(policy=policy)
    for name, value in headers:
        message[name] = value
    message.add_header("Content-Type", "multipart/alternative", boundary=boundary)
    for text, subtype in zip(texts, ("plain", "html"), strict=True):
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        text += "" if text.endswith("\n") else "\n"
        part = MIMENonMultipart("text", subtype, policy=policy, charset="utf-8")
        if mime._fits_7bit(text, boundary):
            part["Content-Transfer-Encoding"] = "7bit"
            part.set_payload(text)
        else:
            part["Content-Transfer-Encoding"] = "quoted-printable"
            part.set_payload(binascii.b2a_qp(text.encode("utf-8")).decode("ascii"))
        message.attach(part)
    out = io.StringIO()
    Generator(out, policy=policy).flatten(message)
    assert ours == out.getvalue()
