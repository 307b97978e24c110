"""Recognisers for the lines where quoted or forwarded text starts in a mail body."""

from __future__ import annotations

import re

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

_ORIGINAL = re.compile(
    r"^-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original"
    r"|Messaggio originale|Oorspronkelijk bericht|Originalmeddelande|Mensagem original)\s*-{2,}$",
    _I,
)
_FORWARD = re.compile(
    r"^(-{2,}\s*(Forwarded message|Weitergeleitete Nachricht|Message transféré"
    r"|Mensaje reenviado|Messaggio inoltrato|Doorgestuurd bericht|Mensagem encaminhada)"
    r"\s*-{2,}"
    r"|(Begin forwarded message|Anfang der weitergeleiteten Nachricht"
    r"|Début du message réexpédié|Inicio del mensaje reenviado)\s*:)$",
    _I,
)
_FROM = re.compile(r"^\*?(From|Von|De|Van|Da|Från|Fra)\s*:\*?\s*\S", _I)
_SENT = re.compile(
    r"^\*?(Sent|Date|Gesendet|Datum|Envoyé|Enviado|Fecha|Data|Inviato|Verzonden|Skickat)"
    r"\s*:\*?", _I)
_TO_OR_SUBJECT = re.compile(
    r"^\*?(To|An|À|Para|Aan|A|Till|Til|Subject|Betreff|Objet|Asunto|Oggetto|Onderwerp"
    r"|Ämne|Emne|Cc)\s*:\*?", _I)
FORWARD_SUBJECT = re.compile(r"^\s*((fwd?|fw|wg|tr|rv|enc|doorst|vs|vb)\s*:\s*)+", _I)


def is_forward_marker(line: str) -> bool:
    """A separator that introduces a forwarded mail (Gmail, Thunderbird, Apple Mail)."""
    return bool(_FORWARD.match(line.strip()))


def is_original_marker(line: str) -> bool:
    """Outlook's, AOL's and Thunderbird's "-----Original Message-----" separators."""
    return bool(_ORIGINAL.match(line.strip()))


def is_header_block(lines: list[str], index: int) -> bool:
    """A quoted header block starts here: "From:" with "Sent:"/"Date:" and "To:" below."""
    if not _FROM.match(lines[index].strip()):
        return False
    window = [line.strip() for line in lines[index + 1 : index + 7]]
    return any(_SENT.match(line) for line in window) and any(
        _TO_OR_SUBJECT.match(line) for line in window
    )


def attribution_length(lines: list[str], index: int) -> int:
    """How many lines (1 or 2) an attribution starting here takes; 0 when there is none."""
    for size in (1, 2):
        chunk = lines[index : index + size]
        if len(chunk) < size:
            break
        if size == 2 and (chunk[0].rstrip().endswith(":") or _quoted_or_blank(chunk[1])):
            break  # a finished line, or a second line that cannot be its continuation
        joined = " ".join(line.strip() for line in chunk)
        if not joined.endswith(":"):
            continue  # every attribution ends in a colon; this keeps long mails cheap
        if any(pattern.match(joined) for pattern in _ATTRIBUTIONS):
            return size
        if (_GENERIC_ATTRIBUTION.match(joined) and _DATE_OR_ADDRESS.search(chunk[0])
                and _quote_follows(lines, index + size)):
            return size
    return 0


def _quoted_or_blank(line: str) -> bool:
    return not line.strip() or line.lstrip().startswith(">")


def _quote_follows(lines: list[str], index: int) -> bool:
    for line in lines[index : index + 3]:
        if line.strip():
            return line.lstrip().startswith(">")
    return False


def quote_start(lines: list[str], index: int) -> bool:
    """Whether quoted text (of a reply or a forward) begins at this line.

    A line that is itself ">" quoted never starts anything: it is quoted already.
    """
    line = lines[index]
    if line.lstrip().startswith(">"):
        return False
    return bool(
        is_forward_marker(line)
        or is_original_marker(line)
        or is_header_block(lines, index)
        or attribution_length(lines, index)
    )
