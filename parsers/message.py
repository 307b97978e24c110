"""Raw message bytes to a ParsedEmail: headers, body text, reply, forwards, auto verdict."""

from __future__ import annotations

from email.message import Message
from email.parser import BytesFeedParser
from email.policy import compat32

from mailparser.exceptions import MailParserRecursionError

from onboardd.parsers.autogen import detect_auto
from onboardd.parsers.errors import (
    MalformedMessage,
    MessageTooComplex,
    MessageTooLarge,
    ParseError,
)
from onboardd.parsers.forward import inline_forwards
from onboardd.parsers.headers import (
    decoded_headers,
    first,
    message_id,
    message_ids,
    parse_addresses,
    parse_date,
)
from onboardd.parsers.html import html_to_text
from onboardd.parsers.mime import Content, Walker
from onboardd.parsers.model import ForwardedMessage, ParsedEmail
from onboardd.parsers.reply import trim_reply

# Converting HTML grows with its length; no request needs more than the start.
MAX_HTML_CHARS = 1_000_000
# Raw mail goes to the MIME parser this many bytes at a time (see _message).
FEED_CHUNK = 64 * 1024


def parse_message(
    raw: bytes, *, max_bytes: int = 26_214_400, max_parts: int = 500, max_depth: int = 20
) -> ParsedEmail:
    """Parse one message; raise only ParseError subclasses, whatever the input."""
    if len(raw) > max_bytes:
        raise MessageTooLarge(f"{len(raw)} bytes, limit {max_bytes}")
    try:
        return _parse(raw, Walker(max_parts, max_depth))
    except ParseError:
        raise
    except (RecursionError, MailParserRecursionError) as exc:
        raise MessageTooComplex("MIME nesting too deep to parse") from exc
    except Exception as exc:  # the boundary: no library error escapes the parsers
        raise MalformedMessage(f"{type(exc).__name__}: {exc}") from exc


def _message(raw: bytes) -> Message:
    """email.message_from_bytes(raw, policy=compat32), fed in chunks: the same Message.

    message_from_bytes decodes the whole mail to one str and wraps it in a StringIO,
    which holds it as 4 bytes a character: a 6.5 MB mail cost ~50 MB at once. The
    parser decodes each chunk alone (ASCII with surrogateescape maps byte for byte, so
    the text is the same) and joins only the lines of each part: ~18 MB for that mail.
    """
    # compat32 only: the modern policy raises on real mail (group addresses, odd ids).
    parser = BytesFeedParser(policy=compat32)
    for start in range(0, len(raw), FEED_CHUNK):
        parser.feed(raw[start : start + FEED_CHUNK])
    return parser.close()


def _parse(raw: bytes, walker: Walker) -> ParsedEmail:
    message = _message(raw)
    headers = decoded_headers(message)
    content = walker.walk(message)
    addresses = parse_addresses({name: _raw_header(message, name)
                                 for name in ("from", "to", "cc", "reply-to")})
    sender = next(iter(addresses["from"]), None)
    subject = first(headers, "subject")
    text, html_only = _body_text(content)
    forwarded = (_attached(content, walker) + tuple(content.saved_mails)
                 + inline_forwards(text) + _in_documents(content))
    return ParsedEmail(
        message_id=message_id(first(headers, "message-id")),
        subject=subject,
        sender=sender,
        to=addresses["to"],
        cc=addresses["cc"],
        reply_to=addresses["reply-to"],
        date=parse_date(_raw_header(message, "date")),
        in_reply_to=message_ids(first(headers, "in-reply-to")),
        references=message_ids(first(headers, "references")),
        headers=headers,
        text=text,
        reply_text=trim_reply(text),
        html_only=html_only,
        attachments=tuple(content.attachments),
        forwarded=forwarded,
        auto=detect_auto(headers, sender, subject, tuple(content.content_types)),
        size=len(raw),
        defects=tuple(dict.fromkeys(content.defects)),
        alternative_html="" if html_only else _alternative_html(content),
        documents=tuple(content.documents),
    )


def _raw_header(message: Message, name: str) -> str:
    """The first raw value of a header; address parsing wants the undecoded form."""
    try:
        return next((str(v) for k, v in message.raw_items() if k.lower() == name), "")
    except Exception:  # an unreadable header block reads as absent
        return ""


def _body_text(content: Content) -> tuple[str, bool]:
    """The plain text parts, or the HTML parts converted when no plain text is there."""
    plain = "\n\n".join(part.strip("\n") for part in content.plain if part.strip())
    if plain or not any(part.strip() for part in content.html):
        return plain, False
    if any(len(part) > MAX_HTML_CHARS for part in content.html):
        content.defects.append("HtmlTruncatedDefect")
    texts = [html_to_text(part[:MAX_HTML_CHARS]) for part in content.html if part.strip()]
    return "\n\n".join(texts), True


def _alternative_html(content: Content) -> str:
    html = next((part for part in content.html if part.strip()), "")
    return html[:MAX_HTML_CHARS]


def html_reply_text(mail: ParsedEmail) -> str:
    """The sender's own words in the mail's HTML part ("" when it has none besides its
    text): converted, then trimmed of quotes and signature like the plain text."""
    if not mail.alternative_html:
        return ""
    return trim_reply(html_to_text(mail.alternative_html))


def _attached(content: Content, walker: Walker) -> tuple[ForwardedMessage, ...]:
    """Attached message/rfc822 parts, with mails attached inside them, in order."""
    result: list[ForwardedMessage] = []
    for inner, depth in content.enclosed:
        inner_content = walker.walk(inner, depth)
        headers = decoded_headers(inner)
        senders = parse_addresses({"from": _raw_header(inner, "from")})["from"]
        result.append(ForwardedMessage(
            sender=next(iter(senders), None),
            subject=first(headers, "subject"),
            text=_body_text(inner_content)[0],
            source="attachment",
        ))
        result.extend(inner_content.saved_mails)
        result.extend(_attached(inner_content, walker))
    return tuple(result)


def _in_documents(content: Content) -> tuple[ForwardedMessage, ...]:
    """Mails inside attached documents: an approval printed to PDF from Outlook keeps
    its From/Sent/To/Subject block, so it is read as the forwarded mail it is."""
    return tuple(forwarded for document in content.documents
                 for forwarded in inline_forwards(document.text,
                                                  source=f"attachment {document.filename}"))
