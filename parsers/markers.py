"""Where quoted or forwarded mail starts in a body: one table of each client's markers.

Every recogniser answers the same question for a line of a body ("how many lines does
this client's marker take here?", 0 when it is not there), and QUOTE_MARKERS tries them
in order. reply.py cuts the new words above the first one; forward.py reads the mail
below each one. Each row has its own fixture in tests/parsers/test_forward.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

_I = re.IGNORECASE

# "On <date>, <name> wrote:" and its translations; a line may be wrapped in two.
_ATTRIBUTIONS = (
    re.compile(r"^-*\s*On\s.{1,250}\s(wrote|writes|said)\s*:$"),
    re.compile(r"^Am\s.{1,250}\sschrieb.{0,120}:$"),
    re.compile(r"^Le\s.{1,250}\sa\s+écrit\s*:$"),
    re.compile(r"^El\s.{1,250}\sescribió\s*:$"),
    re.compile(r"^Op\s.{1,250}\sschreef.{0,120}:$"),
    re.compile(r"^Il\s.{1,250}\sha\s+scritto\s*:$"),
    re.compile(r"^Em\s.{1,250}\sescreveu\s*:$"),
    re.compile(r"^(Den|På)\s.{1,250}\sskrev.{0,120}:$"),
)
# Any other language: a short line with a date or an address, ending in ":", right
# above ">" quoted lines (Android's Russian "... написал:" is one).
_GENERIC_ATTRIBUTION = re.compile(r"^.{0,250}(\d{1,4}[./:-]\d{1,2}|@).{0,250}:$")
_DATE_OR_ADDRESS = re.compile(r"\d{1,4}[./:-]\d{1,2}|@")

# Outlook's (and AOL's, and older Thunderbird's) line above a quoted or forwarded mail.
_ORIGINAL = re.compile(
    r"^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original"
    r"|Messaggio originale|Oorspronkelijk bericht|Originalmeddelande|Mensagem original)\s*-{2,}$",
    _I,
)
# Gmail's "---------- Forwarded message ---------" and Thunderbird's
# "-------- Forwarded Message --------" differ only in their dashes.
_FORWARDED_SEPARATOR = re.compile(
    r"^-{2,}\s*(Forwarded message|Weitergeleitete Nachricht|Message transféré"
    r"|Mensaje reenviado|Messaggio inoltrato|Doorgestuurd bericht|Mensagem encaminhada)"
    r"\s*-{2,}$",
    _I,
)
_BEGIN_FORWARDED = re.compile(
    r"^(Begin forwarded message|Anfang der weitergeleiteten Nachricht"
    r"|Début du message réexpédié|Inicio del mensaje reenviado)\s*:$",
    _I,
)
# Outlook's header block, as desktop Outlook, OWA and the new Outlook write it in text,
# and as html_to_text renders their HTML (the field names in bold: "*From:*").
_FROM = re.compile(r"^\*?(From|Von|De|Van|Da|Från|Fra)\s*:\*?\s*\S", _I)
_SENT = re.compile(
    r"^\*?(Sent|Date|Gesendet|Datum|Envoyé|Enviado|Fecha|Data|Inviato|Verzonden|Skickat)"
    r"\s*:\*?", _I)
_TO_OR_SUBJECT = re.compile(
    r"^\*?(To|An|À|Para|Aan|A|Till|Til|Subject|Betreff|Objet|Asunto|Oggetto|Onderwerp"
    r"|Ämne|Emne|Cc)\s*:\*?", _I)


# Where the quoted mail's header fields (From, Subject, ...) stand: below the marker
# lines (a separator), in them (Outlook's header block is the fields themselves), or
# nowhere (an attribution names its sender in its own words).
Fields = Literal["below", "here", "none"]


@dataclass(frozen=True)
class QuoteMarker:
    """One client's way of marking where a quoted or forwarded mail begins."""

    name: str
    # How many lines the marker takes at `index` of `lines`; 0 when it is not there.
    length: Callable[[list[str], int], int]
    fields: Fields = "below"


def _line_matches(pattern: re.Pattern[str]) -> Callable[[list[str], int], int]:
    def length(lines: list[str], index: int) -> int:
        return 1 if pattern.match(lines[index].strip()) else 0
    return length


def _header_block_length(lines: list[str], index: int) -> int:
    """"From:" with "Sent:"/"Date:" and "To:"/"Subject:" in the six lines below."""
    if not _FROM.match(lines[index].strip()):
        return 0
    window = [line.strip() for line in lines[index + 1 : index + 7]]
    return int(any(_SENT.match(line) for line in window)
               and any(_TO_OR_SUBJECT.match(line) for line in window))


def attribution_length(lines: list[str], index: int) -> int:
    """How many lines (1 or 2) an attribution starting here takes; 0 when there is none."""
    for size in (1, 2):
        chunk = lines[index : index + size]
        if len(chunk) < size:
            break
        if size == 2 and (chunk[0].rstrip().endswith(":") or _quoted_or_blank(chunk[0])
                          or _quoted_or_blank(chunk[1])):
            break  # a finished line, or two lines that cannot be one attribution
        joined = " ".join(line.strip() for line in chunk)
        if not joined.endswith(":"):
            continue  # every attribution ends in a colon; this keeps long mails cheap
        if any(pattern.match(joined) for pattern in _ATTRIBUTIONS):
            return size
        if (_GENERIC_ATTRIBUTION.match(joined) and _DATE_OR_ADDRESS.search(chunk[0])
                and _quote_follows(lines, index + size)):
            return size
    return 0


# Tried in this order at every line; the first that matches names the marker.
QUOTE_MARKERS: tuple[QuoteMarker, ...] = (
    QuoteMarker("Gmail or Thunderbird forward", _line_matches(_FORWARDED_SEPARATOR)),
    QuoteMarker("Apple Mail forward", _line_matches(_BEGIN_FORWARDED)),
    QuoteMarker("Outlook original message", _line_matches(_ORIGINAL)),
    QuoteMarker("Outlook header block", _header_block_length, fields="here"),
    QuoteMarker("reply attribution", attribution_length, fields="none"),
)


def marker_at(lines: list[str], index: int) -> tuple[QuoteMarker, int] | None:
    """The first client marker that starts at this line, with the lines it takes.

    A line that is itself ">" quoted starts nothing: it is quoted already.
    """
    if lines[index].lstrip().startswith(">") or not _may_start(lines, index):
        return None
    for marker in QUOTE_MARKERS:
        size = marker.length(lines, index)
        if size:
            return marker, size
    return None


def _may_start(lines: list[str], index: int) -> bool:
    """What every marker has: a line ending in ":" or "-" (a separator, an attribution),
    a field name's colon near its start (a header block), or an attribution's second
    line ending in ":" below. Most lines of a mail have none, and are passed at once."""
    line = lines[index].strip()
    if not line:
        return False
    if line.endswith((":", "-")) or ":" in line[:14]:
        return True
    return index + 1 < len(lines) and lines[index + 1].rstrip().endswith(":")


def _quoted_or_blank(line: str) -> bool:
    return not line.strip() or line.lstrip().startswith(">")


def _quote_follows(lines: list[str], index: int) -> bool:
    for line in lines[index : index + 3]:
        if line.strip():
            return line.lstrip().startswith(">")
    return False


def quote_start(lines: list[str], index: int) -> bool:
    """Whether quoted text (of a reply or a forward) begins at this line."""
    return marker_at(lines, index) is not None
