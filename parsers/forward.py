"""Forwarded mails quoted inline in a body (Gmail, Outlook, Apple Mail, Thunderbird)."""

from __future__ import annotations

import re

from onboardd.parsers.headers import parse_addresses
from onboardd.parsers.markers import (
    FORWARD_SUBJECT,
    is_forward_marker,
    is_header_block,
    is_original_marker,
)
from onboardd.parsers.model import Address, ForwardedMessage

_FIELD = re.compile(r"^\*?([A-Za-zÀ-ÿ-]{1,20})\s*:\*?\s*(.*)$")
_NAME_ADDR = re.compile(r"^([^<>@]*?)\s*(?:<|\[mailto:)([^<>\s\[\]]+@[^<>\s\[\]]+)[>\]]$",
                        re.IGNORECASE)
_FROM_NAMES = frozenset({"from", "von", "de", "van", "da", "från", "fra"})
_QUOTE = re.compile(r"^\s*> ?")
_SUBJECT_NAMES = frozenset({"subject", "betreff", "objet", "asunto", "oggetto", "onderwerp"})


def inline_forwards(text: str, subject: str) -> tuple[ForwardedMessage, ...]:
    """Each forwarded or quoted mail in `text`, with its sender, subject and own text.

    Outlook marks a forward exactly as it marks a reply ("-----Original Message-----",
    or a bare "From:/Sent:/To:" block), and people forward a COR's approval under any
    subject ("see my COR's approval below"), so every such block is read: what it
    carries only counts where its sender is one that matters (a COR, for cor.py).
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    is_forward = bool(FORWARD_SUBJECT.match(subject))
    starts = _block_starts(lines, True)
    if not starts and is_forward:
        # HTML forwards come through html_to_text inside a quote container, so
        # under a forward subject a ">"-quoted forward is still the forward.
        lines = [_QUOTE.sub("", line) for line in lines]
        starts = _block_starts(lines, is_forward)
    blocks = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        blocks.append(_block(lines[start:end]))
    return tuple(blocks)


def _block_starts(lines: list[str], outlook_too: bool) -> list[int]:
    starts: list[int] = []
    for i in range(len(lines)):
        # A marker line is followed by its own header block: that is one block, not two.
        if _starts_block(lines, i, outlook_too) and not (starts and i - starts[-1] <= 3
                                                        and _is_marker(lines[starts[-1]])):
            starts.append(i)
    return starts


def _is_marker(line: str) -> bool:
    return is_forward_marker(line) or is_original_marker(line)


def _starts_block(lines: list[str], index: int, outlook_too: bool) -> bool:
    if is_forward_marker(lines[index]):
        return True
    return outlook_too and (is_original_marker(lines[index]) or is_header_block(lines, index))


def _block(lines: list[str]) -> ForwardedMessage:
    """Read the header fields under a marker, then keep the rest as the forwarded text."""
    body = _unquote(lines)
    index = 1 if _is_marker(body[0]) else 0
    while index < len(body) and not body[index].strip():
        index += 1
    fields: dict[str, str] = {}
    while index < len(body) and body[index].strip():
        match = _FIELD.match(body[index].strip())
        if not match:
            break
        fields.setdefault(match.group(1).lower(), match.group(2).strip())
        index += 1
    sender_value = next((v for k, v in fields.items() if k in _FROM_NAMES), "")
    subject = next((v for k, v in fields.items() if k in _SUBJECT_NAMES), "")
    return ForwardedMessage(
        sender=_sender(sender_value),
        subject=subject,
        text="\n".join(body[index:]).strip("\n"),
        source="inline",
    )


def _sender(value: str) -> Address | None:
    # Outlook writes "Smith, Dana <dana@x>" unquoted: one mailbox, not two.
    match = _NAME_ADDR.match(value)
    if match:
        return Address(name=match.group(1).strip().strip('"'), email=match.group(2).lower())
    senders = parse_addresses({"from": value}).get("from", ())
    return senders[0] if senders else None


def _unquote(lines: list[str]) -> list[str]:
    """Apple Mail and others quote a forward with ">": take one level off when they do."""
    filled = [line for line in lines[1:] if line.strip()]
    if filled and all(line.lstrip().startswith(">") for line in filled):
        return [lines[0]] + [_QUOTE.sub("", line) for line in lines[1:]]
    return lines
