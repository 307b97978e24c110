"""Turn an OutgoingMail into the bytes we store in the outbox and send (design §10).

Built on the compat32 side of the stdlib email package (its policy's folding, Header,
Charset) and binascii's quoted-printable encoder; the multipart is laid out here as
compat32's Generator lays out a Message, without building one. Building an
EmailMessage was the largest single cost of a reply: each header assignment parses
the value into a syntax tree and refolds it on output, set_content re-parses
Content-Type for every parameter, and the generator searches the whole body for a
boundary. Here a header value is kept as given and folded by Header only where it
must be, and the boundary needs no search. tests/responders/test_mime.py holds the
bytes to what the stdlib writes, so a change in the library fails loudly.
"""

from __future__ import annotations

import binascii
import random
import re
from collections.abc import Sequence
from datetime import datetime
from email import charset as email_charset
from email import policy as email_policy
from email.header import Header
from email.headerregistry import Address as HeaderAddress
from email.utils import format_datetime

from onboardd.parsers.model import Address
from onboardd.responders.view import OutgoingMail


class _Policy(email_policy.Compat32):
    """compat32 that writes a value needing no folding as it is."""

    def fold(self, name: str, value: str | Header) -> str:
        # Most of our values (date, ids, kind, MIME headers) are short printable ASCII,
        # which Header would hand back unchanged after a costly look at them.
        if (
            isinstance(value, str)
            and value.isascii()
            and value.isprintable()
            and len(name) + len(value) + 2 <= (self.max_line_length or LONGEST_LINE)
        ):
            return f"{name}: {value}{self.linesep}"
        # compat32 folds a Header as well as a str; typeshed only says str.
        return super().fold(name, value)  # type: ignore[arg-type]


# Folded at 998, where the SMTP policy folded: a display name then stays one encoded
# word, as before. Split into several, Python's own parser (policy.default) reads
# the space between them into the name ("Bärenf els"), though RFC 2047 says to drop it.
# CRLF throughout, as before. mangle_from_ is compat32's default and would turn a body
# line "From ..." into ">From ...", which the reader would see.
_POLICY = _Policy(linesep="\r\n", max_line_length=998, mangle_from_=False)
# RFC 6532 (SMTPUTF8): an addr-spec with a non-ASCII local part has no ASCII form, so
# such a message carries its headers as raw UTF-8, as the SMTPUTF8 policy wrote them.
# Header counts characters there, and a character takes up to four bytes.
_SMTPUTF8_POLICY = _POLICY.clone(max_line_length=998 // 4)

# Header text that is not ASCII: UTF-8 encoded words in base64. Header fits an encoded
# word by measuring every prefix of the text; for Q it counts each prefix byte by byte
# in Python, several times slower than B.
_ENCODED = email_charset.Charset("utf-8")
_ENCODED.header_encoding = email_charset.BASE64
# Raw UTF-8 header text: with no header encoding Header folds it at spaces and commas
# as it folds ASCII, and leaves it as it is.
_RAW = email_charset.Charset("utf-8")
_RAW.header_encoding = None  # type: ignore[assignment]  # typeshed: int only; None = as is


def _boundary() -> str:
    # A quoted-printable body never holds "==" (every "=" there is followed by two hex
    # digits or ends a line), so a boundary that does cannot occur in such a part, and
    # a 7bit part is sent so only without it (_fits_7bit): the generator's search of
    # the whole text for a collision is not needed.
    return f"==============={random.randrange(1 << 63):019d}=="


# What ends a header line or has no place in one: CR, LF and the other C0 controls
# but tab, DEL and the C1 controls (NEL among them), and U+2028/U+2029.
_LINE_BREAKING = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029]+")


def _one_line(value: str) -> str:
    """The value with each run of line-breaking or control characters made one space.

    Every header value passes here, so a sender's text can never end a header and start
    another (no injection), and an organization typed with a line separator still gets
    its answer rather than stopping the reply.
    """
    return _LINE_BREAKING.sub(" ", value)


def _header_address(address: Address) -> HeaderAddress:
    # Whitespace runs become one space, as our parser leaves every name it reads: the
    # SMTP policy's folder did the same to the words of a non-ASCII name, and a line
    # break (form feed, U+2028, ...) kept in a name would end the header.
    name = " ".join(address.name.split())
    # Given as parts: parsing an addr_spec rejects a non-ASCII local part outright.
    local, _, domain = _one_line(address.email).rpartition("@")
    return HeaderAddress(display_name=name, username=local, domain=domain)


def _mailboxes(field: str, addresses: Sequence[Address], international: bool) -> str | Header:
    mailboxes = [_header_address(a) for a in addresses]
    # str(HeaderAddress) quotes a name or local part that needs it ("Doe, Jane").
    text = ", ".join(map(str, mailboxes))
    if text.isascii():
        return text
    if international:
        return Header(text, _RAW, header_name=field)
    # Header joins neighbouring chunks of one charset with a space, so ASCII text is
    # gathered into one chunk and only a non-ASCII display name becomes a chunk of
    # its own, to be written as an encoded word.
    header = Header(header_name=field)
    ascii_run: list[str] = []
    for index, mailbox in enumerate(mailboxes):
        if index:
            ascii_run.append(", ")
        if mailbox.display_name.isascii():
            ascii_run.append(str(mailbox))
            continue
        if ascii_run:
            header.append("".join(ascii_run), "us-ascii")
            ascii_run.clear()
        header.append(mailbox.display_name, _ENCODED)
        ascii_run.append(f" <{mailbox.addr_spec}>")
    if ascii_run:
        header.append("".join(ascii_run), "us-ascii")
    return header


# RFC 5322: a line is at most 998 characters besides its CR LF.
LONGEST_LINE = 998


# A text part's own headers, as email.mime's MIMENonMultipart("text", subtype,
# charset="utf-8") writes them, then the transfer encoding.
_PART_HEADERS = 'Content-Type: text/{subtype}; charset="utf-8"{nl}MIME-Version: 1.0{nl}'


def _text_part(body: str, subtype: str, boundary: str, linesep: str) -> str:
    """One part of the multipart, headers and body, as the stdlib generator writes it."""
    # Line ends as set_content left them: CR LF and a lone CR become LF, and the body
    # ends with one, so the decoded text reads as it did.
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    if not body.endswith("\n"):
        body += "\n"
    if _fits_7bit(body, boundary):
        # Sent as it is: most replies are ASCII with short lines. Quoted-printable cut
        # our HTML's long lines at 76 and wrote every "=" of its attributes as "=3D"; a
        # server reads DATA line by line (aiosmtpd's CPU in the bench is mostly that),
        # and the 7bit HTML has a third fewer lines. The reader decodes the same text.
        encoding = "7bit"
    else:
        encoding = "quoted-printable"
        # binascii's quoted-printable encoder (the one quopri uses) is C; email.charset's
        # is Python and several times slower.
        # Its line breaks are the body's, LF only by now.
        body = binascii.b2a_qp(body.encode("utf-8")).decode("ascii")
    return (
        _PART_HEADERS.format(subtype=subtype, nl=linesep)
        + f"Content-Transfer-Encoding: {encoding}{linesep}{linesep}"
        + linesep.join(body.split("\n"))
    )


def multipart(
    headers: Sequence[tuple[str, str | Header]],
    parts: Sequence[str],
    boundary: str,
    policy: email_policy.Compat32,
) -> str:
    """A multipart message from its headers (the multipart's Content-Type last) and its
    parts' text, laid out as email.generator.Generator lays out a compat32 Message
    without preamble or epilogue: each header through the policy's fold, a blank line,
    then each part after a delimiter line and the closing delimiter.

    Building Message objects and walking them with the generator is a large share of a
    reply's cost; this writes the same text (pinned by tests/responders/test_mime.py
    against the generator).
    """
    nl = policy.linesep
    # compat32 folds a Header as well as a str; typeshed only says str.
    out = [policy.fold(name, value) for name, value in headers]  # type: ignore[arg-type]
    out.append(nl)
    out.append(f"--{boundary}{nl}")
    out.append(f"{nl}--{boundary}{nl}".join(parts))
    out.append(f"{nl}--{boundary}--{nl}")
    return "".join(out)


def _fits_7bit(body: str, boundary: str) -> bool:
    """RFC 2045's 7bit: ASCII without NUL, lines of at most 998 characters; and no
    line the multipart's boundary could be mistaken in (quoted-printable needs no
    such check, see _boundary)."""
    return (
        body.isascii()
        and "\x00" not in body
        and boundary not in body
        and max(map(len, body.split("\n"))) <= LONGEST_LINE
    )


def to_mime(
    mail: OutgoingMail,
    *,
    message_id: str,
    sender: Address,
    reply_to: Address | None,
    date: datetime,
) -> bytes:
    """multipart/alternative, text first, with our loop-guard headers."""
    people = (*mail.to, *mail.cc, sender, *((reply_to,) if reply_to else ()))
    international = any(not a.email.isascii() for a in people)
    headers: list[tuple[str, str | Header]] = [
        ("From", _mailboxes("From", (sender,), international)),
        ("To", _mailboxes("To", mail.to, international)),
    ]
    if mail.cc:
        headers.append(("Cc", _mailboxes("Cc", mail.cc, international)))
    if reply_to is not None:
        headers.append(("Reply-To", _mailboxes("Reply-To", (reply_to,), international)))
    # Leading blanks go as the reader's parser drops them from any header value; kept
    # inside an encoded word they would show.
    subject = _one_line(mail.subject).lstrip(" \t")
    headers.append((
        "Subject",
        subject
        if subject.isascii()
        else Header(subject, _RAW if international else _ENCODED, header_name="Subject"),
    ))
    headers.append(("Date", format_datetime(date)))
    headers.append(("Message-ID", _one_line(f"<{message_id}>")))
    if mail.in_reply_to:
        headers.append(("In-Reply-To", _one_line(f"<{mail.in_reply_to}>")))
    if mail.references:
        headers.append(("References", _one_line(" ".join(f"<{r}>" for r in mail.references))))
    headers.append(("Auto-Submitted", _one_line(mail.auto_submitted)))
    headers.append(("X-Auto-Response-Suppress", "All"))
    headers.append(("X-Onboarding-Notice", _one_line(mail.kind)))
    if mail.reference:
        headers.append(("X-Onboarding-Request", _one_line(mail.reference)))
    headers.append(("MIME-Version", "1.0"))
    boundary = _boundary()
    # The boundary has "=", which Content-Type's parameter syntax wants quoted.
    headers.append(("Content-Type", f'multipart/alternative; boundary="{boundary}"'))
    policy = _SMTPUTF8_POLICY if international else _POLICY
    parts = [
        _text_part(mail.text, "plain", boundary, policy.linesep),
        _text_part(mail.html, "html", boundary, policy.linesep),
    ]
    # Encoded once at the end: the raw UTF-8 headers of an SMTPUTF8 message are str
    # here as everything else is ASCII.
    return multipart(headers, parts, boundary, policy).encode("utf-8")
