"""Forwarded and quoted mails inside a body, found by the client markers of markers.py."""

from __future__ import annotations

import re

from onboardd.parsers.headers import parse_addresses
from onboardd.parsers.markers import QuoteMarker, marker_at
from onboardd.parsers.model import Address, ForwardedMessage

_FIELD = re.compile(r"^\*?([A-Za-zÀ-ÿ-]{1,20})\s*:\*?\s*(.*)$")
_NAME_ADDR = re.compile(r"^([^<>@]*?)\s*(?:<|\[mailto:)([^<>\s\[\]]+@[^<>\s\[\]]+)[>\]]$",
                        re.IGNORECASE)
_FROM_NAMES = frozenset({"from", "von", "de", "van", "da", "från", "fra"})
_QUOTE = re.compile(r"^\s*> ?")
_SUBJECT_NAMES = frozenset({"subject", "betreff", "objet", "asunto", "oggetto", "onderwerp"})
_HEADER_NAMES = _FROM_NAMES | _SUBJECT_NAMES | frozenset({
    "sent", "date", "to", "cc", "bcc", "reply-to", "gesendet", "datum", "an", "envoyé", "à",
    "enviado", "fecha", "para", "inviato", "data", "a", "verzonden", "aan"})
# "On Mon, Mar 2, 2026 at 4:12 PM Dana Smith <dana@x> wrote:": the address, and the
# capitalised words right before it as the name.
_ATTRIBUTED = re.compile(r"((?:[A-Z][\w'.-]*\s+){0,4}?)[<(\[]*(?:mailto:)?"
                         r"([\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+)")
_NOT_NAME = frozenset({"AM", "PM", "UTC", "GMT", "On", "Am", "Le", "El", "Op", "Il", "Em"})
# Blank lines a separator may stand above its header block (Apple Mail's HTML has four).
_MAX_GAP = 8
# A forward inside a forward inside a forward is read; deeper ones are left in the text.
MAX_DEPTH = 3


def inline_forwards(text: str, source: str = "inline") -> tuple[ForwardedMessage, ...]:
    """Each forwarded or quoted mail in `text`, with its sender, subject and own text.

    Outlook marks a forward exactly as it marks a reply ("-----Original Message-----",
    or a bare "From:/Sent:/To:" block), and people forward a COR's approval under any
    subject ("see my COR's approval below"), so every marked mail is read, whatever the
    subject: what it carries only counts where its sender matters (a COR, for cor.py).
    `source` says where the text was: the body ("inline") or an attached document.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return tuple(_forwards(lines, 0, source))


def _forwards(lines: list[str], depth: int, source: str) -> list[ForwardedMessage]:
    starts = _block_starts(lines)
    if not starts:
        if depth >= MAX_DEPTH or not any(line.lstrip().startswith(">") for line in lines):
            return []
        # HTML quote containers come out of html_to_text as ">" lines, so an HTML
        # forward, or one quoted in a reply, is read one quote level down.
        return _forwards([_QUOTE.sub("", line) for line in lines], depth + 1, source)
    found: list[ForwardedMessage] = []
    for n, (start, marker, size) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        block, body = _block(lines[start:end], marker, size, source)
        found.append(block)
        if depth < MAX_DEPTH:
            found.extend(_forwards(body, depth + 1, source))
    return found


def _block_starts(lines: list[str]) -> list[tuple[int, QuoteMarker, int]]:
    starts: list[tuple[int, QuoteMarker, int]] = []
    for i in range(len(lines)):
        found = marker_at(lines, i)
        if found is None:
            continue
        # A separator is followed by its mail's own header block: one mail, not two.
        if starts and starts[-1][1].fields == "below" and _blank_between(lines, starts[-1], i):
            continue
        starts.append((i, *found))
    return starts


def _blank_between(lines: list[str], start: tuple[int, QuoteMarker, int], index: int) -> bool:
    first = start[0] + start[2]
    return index - first <= _MAX_GAP and not any(line.strip() for line in lines[first:index])


def _block(lines: list[str], marker: QuoteMarker, size: int, source: str
           ) -> tuple[ForwardedMessage, list[str]]:
    """The mail under one marker, and the lines of its own text."""
    body = lines[:size] + _unquote(lines[size:])
    fields: dict[str, str] = {}
    index = 0 if marker.fields == "here" else size
    if marker.fields != "none":
        index = _skip_blank(body, index)
        while index < len(body) and body[index].strip():
            match = _FIELD.match(body[index].strip())
            if not match:
                break
            fields.setdefault(match.group(1).lower(), match.group(2).strip())
            index += 1
            # Apple Mail's HTML puts each field in a block of its own: blank lines
            # between fields, but only before another field of a mail header.
            after = _skip_blank(body, index)
            field = _FIELD.match(body[after].strip()) if after < len(body) else None
            if field and field.group(1).lower() in _HEADER_NAMES:
                index = after
    if marker.fields == "none":
        sender = _attributed(" ".join(line.strip() for line in lines[:size]))
    else:
        sender = _sender(next((v for k, v in fields.items() if k in _FROM_NAMES), ""))
    text = body[index:]
    forwarded = ForwardedMessage(
        sender=sender,
        subject=next((v for k, v in fields.items() if k in _SUBJECT_NAMES), ""),
        text="\n".join(text).strip("\n"),
        source=source,
    )
    return forwarded, text


def _skip_blank(lines: list[str], index: int) -> int:
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index


def _sender(value: str) -> Address | None:
    # Outlook writes "Smith, Dana <dana@x>" unquoted: one mailbox, not two.
    match = _NAME_ADDR.match(value)
    if match:
        return Address(name=match.group(1).strip().strip('"'), email=match.group(2).lower())
    senders = parse_addresses({"from": value}).get("from", ())
    return senders[0] if senders else None


def _attributed(line: str) -> Address | None:
    """The sender an attribution names, when it gives an address."""
    match = _ATTRIBUTED.search(line)
    if not match:
        return None
    words = [w for w in match.group(1).split() if w not in _NOT_NAME]
    return Address(name=" ".join(words), email=match.group(2).lower())


def _unquote(lines: list[str]) -> list[str]:
    """Apple Mail and others quote a forward with ">": take one level off when they do."""
    filled = [line for line in lines if line.strip()]
    if filled and all(line.lstrip().startswith(">") for line in filled):
        return [_QUOTE.sub("", line) for line in lines]
    return lines
