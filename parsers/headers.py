"""Header fields of a parsed message as decoded text, addresses, Message-IDs and a date."""

from __future__ import annotations

import re
from datetime import datetime
from email.message import Message

import mailparser
from mailparser.exceptions import MailParserError

from onboardd.parsers.decoding import decode_header_value, unescape_surrogates
from onboardd.parsers.errors import MessageTooComplex
from onboardd.parsers.model import Address

_ADDRESS_FIELDS = ("from", "to", "cc", "reply-to")
_ANGLE_ID = re.compile(r"<([^<>\s]+)>")
# Outlook's "From: Dana Smith [mailto:dana@x.gov]" in quoted and forwarded headers.
_MAILTO = re.compile(r"\[mailto:([^\]\s]+)\]", re.IGNORECASE)
# Some mailers send an address-book name unquoted: "SMITH, DANA <dana@x.gov>". Read by
# the letter that is two mailboxes, "SMITH" with no address and "DANA"; with one address
# and no other "@" the words before it can only be its name.
_UNQUOTED_COMMA_NAME = re.compile(
    r'^\s*(?P<name>[^"<>@,]+,[^"<>@]+?)\s*(?P<addr><[^<>@]+@[^<>]+>)\s*$')


def decoded_headers(message: Message) -> tuple[tuple[str, str], ...]:
    """Every top-level header as (lower-cased name, decoded unfolded value), in order."""
    result: list[tuple[str, str]] = []
    try:
        items = list(message.raw_items())
    except Exception:  # a broken header block yields no headers, not a crash
        return ()
    for name, value in items:
        try:
            result.append((str(name).strip().lower(), decode_header_value(str(value))))
        except Exception:  # one unreadable field must not cost the others
            continue
    return tuple(result)


def first(headers: tuple[tuple[str, str], ...], name: str) -> str:
    """The first value of a header, or "" when it is absent."""
    return next((value for key, value in headers if key == name), "")


def parse_addresses(fields: dict[str, str]) -> dict[str, tuple[Address, ...]]:
    """Addresses of the given raw address fields, read by mail-parser; garbage is dropped.

    mail-parser copes with group syntax, unbalanced brackets and RFC 2047 names; it
    only reads header fields here, so a header-only message is all it is given.
    """
    carrier = Message()
    for name, value in fields.items():
        if value:
            text = _MAILTO.sub(r"<\1>", unescape_surrogates(value))
            carrier[name] = _UNQUOTED_COMMA_NAME.sub(_quoted_name, text)
    try:
        parser = mailparser.MailParser(carrier)
    except MailParserError as exc:
        raise MessageTooComplex(str(exc)) from exc
    except Exception:  # unreadable address fields read as no addresses
        return {name: () for name in fields}
    result: dict[str, tuple[Address, ...]] = {}
    for name in fields:
        # mail-parser exposes a header as an attribute, "-" spelled "_".
        pairs = getattr(parser, name.replace("-", "_") + "_") if name in _ADDRESS_FIELDS else []
        result[name] = tuple(_address(display, addr) for display, addr in pairs or [] if addr)
    return result


def _quoted_name(match: re.Match[str]) -> str:
    name = match.group("name").replace("\\", "\\\\")
    return f'"{name}" {match.group("addr")}'


def _address(display: object, addr: object) -> Address:
    name = " ".join(str(display or "").split()).strip('"').strip()
    return Address(name=name, email=str(addr).strip().lower())


def parse_date(raw_date: str) -> datetime | None:
    """The Date field as an aware UTC datetime, via mail-parser; None when unreadable."""
    if not raw_date:
        return None
    carrier = Message()
    carrier["date"] = raw_date
    try:
        value = mailparser.MailParser(carrier).date
    except Exception:  # an unreadable date is simply no date
        return None
    return value if isinstance(value, datetime) else None


def message_ids(value: str) -> tuple[str, ...]:
    """Message-IDs in a header value, without angle brackets, in order."""
    found = _ANGLE_ID.findall(value)
    if found:
        return tuple(found)
    # Some mailers drop the brackets; a lone token with an "@" is still an id.
    return tuple(token for token in value.split() if "@" in token)


def message_id(value: str) -> str | None:
    ids = message_ids(value)
    return ids[0] if ids else (value.strip() or None)
