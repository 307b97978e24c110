"""The new words of a reply: its text without quoted mail, forwards and signature."""

from __future__ import annotations

import re

from email_reply_parser import EmailMessage

from onboardd.parsers.markers import attribution_length, quote_start

# Lines that end what the writer typed: the "-- " delimiter and the footers that
# phones and webmail add ("Sent from my iPhone", "Get Outlook for Android", ...).
_SIGNATURE = re.compile(
    r"^(--|-- .*"
    r"|(Sent|Sent from|Sent with|Envoyé|Enviado|Inviato|Verzonden)\s+(from|de|desde|da|van|"
    r"with|via)?\s*(my|mon|mi|meu|il mio|mijn)\s+\S.{0,40}"
    r"|Sent from (Yahoo Mail|Mail for Windows|Outlook|AOL Mobile Mail|Samsung Mobile).{0,40}"
    r"|Sent with Sparrow.{0,80}"
    r"|Get Outlook for \S+.{0,20}"
    r"|Von meinem \S+ gesendet.{0,20})$",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"^[-_=*~\s]*$")


class _Fragments(EmailMessage):
    """email-reply-parser with two of its guesses turned off.

    Its header test ("From:", "To:", "Subject:" anywhere) would hide a request's own
    lines, and its multi-line "On ... wrote:" join can merge label lines; markers.py
    finds both more strictly before this class sees the text.
    """

    HEADER_REGEX = re.compile(r"(?!)")
    MULTI_QUOTE_HDR_REGEX_MULTILINE = re.compile(r"(?!)")
    SIG_REGEX = re.compile(r"(--|__)|(^Sent from my (\w+\s*){1,3})")


def trim_reply(text: str) -> str:
    """The text above the first quote or forward, without quoted lines or signature.

    When nothing stands above an attribution (a bottom-posted or inline answer), the
    unquoted lines below it are the reply instead.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = next((i for i in range(len(lines)) if quote_start(lines, i)), len(lines))
    head = _clean(lines[:cut])
    if head or cut == len(lines):
        return head
    size = attribution_length(lines, cut)
    if not size:
        return ""
    below = lines[cut + size :]
    stop = next((i for i in range(len(below)) if quote_start(below, i)), len(below))
    return _clean([line for line in below[:stop] if not line.lstrip().startswith(">")])


def _clean(lines: list[str]) -> str:
    """Drop quoted lines and the signature, then blank and separator lines at the ends."""
    kept = _Fragments("\n".join(lines)).read().reply.split("\n")
    end = next((i for i, line in enumerate(kept) if _SIGNATURE.match(line.strip())), len(kept))
    kept = kept[:end]
    while kept and _SEPARATOR.match(kept[-1]):
        kept.pop()
    while kept and not kept[0].strip():
        kept.pop(0)
    return "\n".join(line.rstrip() for line in kept)
