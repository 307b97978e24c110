"""A bounded walk over a message's MIME tree: body texts, attachments, enclosed mails."""

from __future__ import annotations

import base64
import binascii
import email
import quopri
import re
from dataclasses import dataclass, field
from email.message import Message
from email.policy import compat32

from onboardd.parsers.decoding import decode_bytes, decode_header_value
from onboardd.parsers.documents import (
    MAGIC,
    MAX_BYTES,
    DocumentText,
    SavedMail,
    TimeSpent,
    deadline,
    document_text,
    kind_of,
    saved_mail,
)
from onboardd.parsers.errors import MessageTooComplex
from onboardd.parsers.headers import parse_addresses
from onboardd.parsers.model import Attachment, ForwardedMessage

BODY_TYPES = ("text/plain", "text/html")
# Machine-readable report parts: described as attachments, never walked into.
REPORT_TYPES = frozenset({
    "message/delivery-status", "message/global-delivery-status",
    "message/disposition-notification", "message/global-disposition-notification",
    "message/feedback-report", "text/rfc822-headers", "message/global-headers",
})
ENCLOSED_TYPES = frozenset({"message/rfc822", "message/global"})
# Well-formed base64: alphabet and line breaks, then at most two '=' of padding.
_BASE64 = re.compile(r"[A-Za-z0-9+/\r\n]*((?:=[\r\n]*){0,2})")


@dataclass
class Content:
    """What one walk found; enclosed mails are kept whole for the caller to read."""

    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    documents: list[DocumentText] = field(default_factory=list)
    saved_mails: list[ForwardedMessage] = field(default_factory=list)  # .msg files
    enclosed: list[tuple[Message, int]] = field(default_factory=list)  # with its depth
    content_types: list[str] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)


class Walker:
    """Walks MIME trees, counting every part it visits against one shared budget."""

    def __init__(self, max_parts: int, max_depth: int) -> None:
        self.max_parts = max_parts
        self.max_depth = max_depth
        self.parts = 0
        self.until: float | None = None  # when the mail's files must be read by

    def walk(self, message: Message, depth: int = 0) -> Content:
        content = Content()
        self._visit(message, depth, content)
        return content

    def _visit(self, part: Message, depth: int, content: Content) -> None:
        self.parts += 1
        if self.parts > self.max_parts:
            raise MessageTooComplex(f"more than {self.max_parts} MIME parts")
        if depth > self.max_depth:
            raise MessageTooComplex(f"MIME nesting deeper than {self.max_depth}")
        ctype = _content_type(part)
        content.content_types.append(ctype)
        content.defects.extend(type(d).__name__ for d in getattr(part, "defects", ()))
        if ctype in ENCLOSED_TYPES:
            inner = _enclosed(part)
            if inner is not None:
                content.enclosed.append((inner, depth + 1))
                return
        if ctype in REPORT_TYPES or not part.is_multipart():
            self._leaf(part, ctype, content, depth)
            return
        for child in part.get_payload():
            if isinstance(child, Message):
                self._visit(child, depth + 1, content)

    def _leaf(self, part: Message, ctype: str, content: Content, depth: int) -> None:
        disposition = _disposition(part)
        filename = _filename(part)
        # A multipart part with no usable boundary is one blob of text: read it as such.
        readable = ctype in BODY_TYPES or ctype.startswith("multipart/")
        if readable and disposition != "attachment" and (not filename or disposition == "inline"):
            text = part_text(part)
            (content.html if ctype == "text/html" else content.plain).append(text)
            return
        size = _size(part)
        content.attachments.append(Attachment(filename, ctype, size))
        if size <= MAX_BYTES:  # decoded only when small enough to be a form
            self._read_attachment(part, ctype, filename, content, depth)

    def _read_attachment(self, part: Message, ctype: str, filename: str, content: Content,
                         depth: int) -> None:
        if kind_of(filename, ctype) is not None and self.until is None:
            self.until = deadline()  # the clock starts at the mail's first document
        _read_attachment(part, ctype, filename, content, depth, self.until)


def _read_attachment(part: Message, ctype: str, filename: str, content: Content,
                     depth: int, until: float | None) -> None:
    """A form or an approval sent as a file: a Word or PDF document's text, or a mail
    saved as a .eml or Outlook .msg file (read as the attached mail it is)."""
    kind = kind_of(filename, ctype)
    saved_eml = filename.lower().endswith(".eml") and ctype not in ENCLOSED_TYPES
    if kind is None and not saved_eml:
        return
    if kind is not None and not _starts_with(part, MAGIC[kind]):
        content.defects.append("UnreadableDocumentDefect")  # named .pdf, but not one
        return
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes) or not payload:
        return
    if saved_eml:
        content.enclosed.append((email.message_from_bytes(payload, policy=compat32), depth + 1))
        return
    assert kind is not None
    try:
        if kind == "msg":
            content.saved_mails.append(_forwarded(saved_mail(payload, until)))
        else:
            content.documents.append(DocumentText(filename, document_text(kind, payload, until)))
    except TimeSpent:
        content.defects.append("DocumentTimeSpentDefect")
    except ValueError:
        content.defects.append("UnreadableDocumentDefect")


def _forwarded(saved: SavedMail) -> ForwardedMessage:
    senders = parse_addresses({"from": saved.sender}).get("from", ())
    return ForwardedMessage(sender=next(iter(senders), None), subject=saved.subject,
                            text=saved.text, source="attachment")


def _starts_with(part: Message, magic: bytes) -> bool:
    """Whether a part's decoded content starts with `magic`, read from the first few
    characters of a base64 payload, so a file that is not what its name says is not
    decoded whole."""
    try:
        if (part.get("content-transfer-encoding") or "").strip().lower() != "base64":
            return True  # rare for a binary file; decoded and read as usual
        payload = part.get_payload()
        head = "".join(payload[:64].split()) if isinstance(payload, str) else ""
        return base64.b64decode(head[: len(head) // 4 * 4]).startswith(magic)
    except (ValueError, binascii.Error):
        return False


def part_text(part: Message) -> str:
    """A leaf's decoded text: transfer encoding undone, charset read tolerantly."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    try:
        charset = part.get_param("charset")
    except Exception:  # a mangled Content-Type reads as no charset
        charset = None
    text = decode_bytes(payload, charset if isinstance(charset, str) else None)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    try:
        flowed = str(part.get_param("format") or "").lower() == "flowed"
        delsp = str(part.get_param("delsp") or "").lower() == "yes"
    except Exception:  # a mangled Content-Type reads as fixed lines
        flowed = delsp = False
    return unflow(text, delsp=delsp) if flowed and part.get_content_type() == "text/plain" \
        else text


def unflow(text: str, *, delsp: bool = False) -> str:
    """RFC 3676 format=flowed text as the writer typed it: a line ending in a space
    continues on the next (Thunderbird wraps at 72 this way, and a label's value or an
    address wrapped onto a second line would otherwise read as cut short). Quoted
    lines join only lines of their own depth; the "-- " signature line stays."""
    out: list[str] = []
    pending = ""
    pending_depth = -1
    for line in text.split("\n"):
        depth = len(line) - len(line.lstrip(">"))
        body = line[depth:]
        if body.startswith(" "):
            body = body[1:]  # space-stuffing
        if pending and depth != pending_depth:
            out.append(">" * pending_depth + (" " if pending_depth else "") + pending)
            pending = ""
        if body.endswith(" ") and body != "-- ":
            pending += body[:-1] if delsp else body
            pending_depth = depth
            continue
        joined = pending + body
        out.append(">" * depth + (" " if depth and joined else "") + joined)
        pending = ""
    if pending:
        out.append(">" * pending_depth + (" " if pending_depth else "") + pending)
    return "\n".join(out)


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type().lower()
    except Exception:  # RFC 2045: an unreadable type means text/plain
        return "text/plain"


def _disposition(part: Message) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:
        return ""


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or part.get_param("name") or ""
    except Exception:
        return ""
    return decode_header_value(name) if isinstance(name, str) else ""


def _size(part: Message) -> int:
    try:
        counted = _base64_size(part)
        if counted is not None:
            return counted
        payload = part.get_payload(decode=True)
        if isinstance(payload, bytes):
            return len(payload)
        return sum(len(m.as_bytes()) for m in part.get_payload() if isinstance(m, Message))
    except Exception:  # the size is informational only
        return 0


def _base64_size(part: Message) -> int | None:
    """The decoded length of a well-formed base64 part, counted without decoding it.

    get_payload(decode=True) makes four whole copies of the payload and a bytes object
    per line (~30 MB at once for a 6.5 MB attachment) to learn what is only reported.
    The count is exact where it answers: the characters that are neither CR nor LF form
    whole quads, which is what that decode accepts without a defect; anything else
    (None) is decoded as before.
    """
    payload = part.get_payload()
    if not isinstance(payload, str):
        return None
    if str(part.get("content-transfer-encoding", "")).lower() != "base64":
        return None
    matched = _BASE64.fullmatch(payload)
    if matched is None:
        return None
    chars = len(payload) - payload.count("\r") - payload.count("\n")
    if chars % 4:
        return None
    return chars // 4 * 3 - matched.group(1).count("=")


def _enclosed(part: Message) -> Message | None:
    """The mail inside a message/rfc822 part, parsed again if it came transfer-encoded."""
    payload = part.get_payload()
    if not (isinstance(payload, list) and payload and isinstance(payload[0], Message)):
        return None
    encoding = str(part.get("content-transfer-encoding", "")).strip().lower()
    if encoding not in ("base64", "quoted-printable"):
        return payload[0]
    # RFC 2046 forbids encoding message/rfc822, but some mailers do it; the stdlib
    # then parsed the encoded text as if it were the mail, so decode and parse again.
    try:
        encoded = payload[0].as_bytes()
        raw = base64.b64decode(encoded) if encoding == "base64" else quopri.decodestring(encoded)
    except (binascii.Error, ValueError):
        return payload[0]
    return email.message_from_bytes(raw, policy=compat32)
