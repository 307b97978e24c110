"""The new words of a reply: its text without quoted mail, forwards and signature."""

from __future__ import annotations

import re

from email_reply_parser import EmailMessage

from onboardd.parsers.markers import attribution_length, quote_start

# Lines that end what the writer typed: the "-- " delimiter and the footers that
# phones and webmail add ("Sent from my iPhone", "Get Outlook for Android", ...).
_SIGNATURE = re.compile(
    r"^(--|-- .*"
    r"|(sent|envoyé|enviado|inviato|verzonden|verstuurd)\s+(from|with|via|de|desde|do|da|dal"
    r"|van|vanaf|met)\s+(my|mon|ma|mi|meu|il mio|mio|mijn)\s+\S.{0,40}"
    r"|sent (from|via|with) (yahoo mail|mail for windows|outlook|aol|samsung|blackberry"
    r"|android|gmail|protonmail|sparrow)\b.{0,80}"
    r"|get outlook for \S+.{0,20}"
    r"|von meinem \S+ gesendet.{0,20})$",
    re.IGNORECASE,
)
_SEPARATOR = re.compile(r"^[-_=*~\s]*$")
# An empty head, or one that only greets ("Hi Dana,"), has the answer below the quote.
_GREETING = re.compile(
    r"^\s*$|^\s*(hi|hello|hey|dear|good (morning|afternoon|evening)|greetings|all|team"
    r"|hallo|bonjour|hola|ciao)\b[^.!?:]{0,40}[,!]?\s*$", re.IGNORECASE)


class _Fragments(EmailMessage):  # type: ignore[misc,unused-ignore]  # an untyped library
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

    When only a greeting stands above an attribution (a bottom-posted or inline
    answer), the unquoted lines below it are the reply too.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = next((i for i in range(len(lines)) if quote_start(lines, i)), len(lines))
    head = _clean(lines[:cut])
    if cut == len(lines) or not all(_GREETING.match(line) for line in head.split("\n")):
        return head
    below = _clean(_answers_below(lines, cut))
    return "\n\n".join(part for part in (head, below) if part)


def _answers_below(lines: list[str], cut: int) -> list[str]:
    """Unquoted lines between and after ">" quotes, up to a block that quotes without ">"."""
    kept: list[str] = []
    i = cut
    while i < len(lines):
        size = attribution_length(lines, i)
        if size:
            i += size
            continue
        if quote_start(lines, i):
            break  # an Outlook header block or a forward: nothing below is new
        if not lines[i].lstrip().startswith(">"):
            kept.append(lines[i])
        i += 1
    return kept


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
