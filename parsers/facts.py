"""The five request facts (design §2), and a withdrawal or a question about where a request
stands, read from a mail's own new words."""

from __future__ import annotations

import re

from onboardd.parsers.cor import cor_evidence
from onboardd.parsers.labels import label_line, read_labels
from onboardd.parsers.message import html_reply_text
from onboardd.parsers.model import (
    Address,
    CatalogEntry,
    CorDirectory,
    ForwardedMessage,
    KnownOrganization,
    ParsedEmail,
    RequestFacts,
)
from onboardd.parsers.numbers import parse_user_count
from onboardd.parsers.prose import read_prose
from onboardd.parsers.services import (
    match_services,
    services_listed_with,
    services_named_in,
    writes_in_lower_case,
)

# Where a fact came from, as RequestFacts.sources and the acknowledgment name it.
FROM_OWN_FORWARD = "your own earlier mail, forwarded"
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_WITHDRAW = re.compile(r"\b(cancel|cancell?ed|cancell?ing|withdraw|withdrawn|withdrawing"
                       r"|retract|retracting)\b", re.IGNORECASE)
_KEEP = re.compile(r"\b(do not|don't|dont|not|never|no need to|no reason to|please don't)\s+"
                   r"(\w+\s+){0,2}(cancel|withdraw|retract)", re.IGNORECASE)
# Asking where a request stands: "Status?", "Any update?", "Where does this stand?",
# "Has it been approved yet?", "Just checking in on ONB-2026-0012".
_STATUS = re.compile(
    r"\bstatus\b|\bany\s+(?:updates?|news|progress|word)\b|\b(?:an?\s+)?updates?\s+on\b"
    r"|\bwhere\s+(?:does|do|is|are)\s+(?:this|it|things|we|(?:the|my|our)\s+request)"
    r"(?:\s+\w+){0,2}\s+stand|\bwhere\s+(?:things|we|it)\s+stands?\b"
    r"|\b(?:checking|following)\s+(?:in|up)\b|\bfollow(?:ing)?[- ]up\s+on\b"
    r"|\bhas\s+(?:this|it|(?:the|my|our)\s+request)\s+been\s+(?:approved|reviewed|processed"
    r"|looked\s+at)\b|\bhow\s+(?:is|are)\s+(?:this|it|things|(?:the|my|our)\s+request)\s+"
    r"(?:going|coming|progressing)\b|\bwhat(?:'s|\s+is)\s+happening\s+with\b",
    re.IGNORECASE)
# What an HTML part must hold to state facts its plain part lost: a table or a definition
# list (a request typed into Word's table); anything else reads the same as its text.
_HAS_FORM_MARKUP = re.compile(r"<(?:table|dl)\b", re.IGNORECASE)
# The labelled facts a complete request has; the HTML part is read when one is missing.
_REQUIRED = frozenset({"organization", "services", "justification", "user_count", "cor"})
# The facts a sentence may state when no label gave them (services are found by name).
_SENTENCE_FACTS = frozenset({"organization", "justification", "user_count", "cor"})
_ABBREVIATIONS = frozenset({"inc", "co", "corp", "ltd", "llc", "lp", "llp", "pc", "plc", "sa",
                            "ag", "bv", "jr", "sr"})
_GREETING = re.compile(r"^(hi|hello|hey|dear|good (morning|afternoon|evening)|greetings)\b",
                       re.IGNORECASE)


def extract_facts(
    mail: ParsedEmail,
    catalog: tuple[CatalogEntry, ...],
    cors: CorDirectory,
    organizations: tuple[KnownOrganization, ...] = (),
) -> RequestFacts:
    """Facts from the mail's own words: its new text, its HTML part, its attachments and
    the sender's own earlier mail forwarded in it; nobody else's quoted or forwarded
    text supplies a value."""
    values = read_labels(mail.reply_text)
    sources = dict.fromkeys(values, "labels")
    # A value holding a tab is a table row Outlook's plain part cut apart (a label cell
    # of two paragraphs): the HTML part, where the row is whole, says it better.
    unclear = {fact for fact, value in values.items() if "\t" in value}
    if ((_REQUIRED - values.keys() or unclear)
            and _HAS_FORM_MARKUP.search(mail.alternative_html)):
        # The richer part: where the plain text left a fact missing, the HTML part
        # may state it in a table, a definition list or bold labels.
        for fact, value in read_labels(html_reply_text(mail)).items():
            if fact not in values or fact in unclear:
                values[fact], sources[fact] = value, "the HTML part"
    for document in mail.documents:
        # A form filled in as a Word or PDF file and attached.
        if not _REQUIRED - values.keys():
            break
        _fill_missing(values, sources, document.text, f"the attachment {document.filename}")
    for forwarded in _own_forwarded(mail):
        # The sender's own earlier request under a forward ("Forwarding the thread with
        # Hector's approval") is the sender's words; its COR line is what the forwarded
        # COR mail above it answered, so the COR evidence is read from that mail instead.
        _fill_missing(values, sources, forwarded.text, FROM_OWN_FORWARD, but="cor")
    if _SENTENCE_FACTS - values.keys():
        for fact, (value, place) in read_prose(
                mail.reply_text, _SENTENCE_FACTS - values.keys(), sender=mail.sender,
                organizations=organizations).items():
            values[fact], sources[fact] = value, place
    services: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    if "services" in values:
        services, unknown = match_services(values["services"], catalog)
    else:
        # A subject that names services says what the mail asks for, with those the text
        # lists beside them; the text may also name what the sender already has ("we
        # already use Slack", "same users as our Jira group").
        any_case = writes_in_lower_case(mail.reply_text)
        text = _unlabelled(mail.reply_text)
        in_subject = services_named_in(mail.subject, catalog, any_case=any_case)
        services = (services_listed_with(text, in_subject, catalog, any_case=any_case)
                    if in_subject else services_named_in(text, catalog, any_case=any_case))
        if services:
            sources["services"] = "a sentence"
    count, invalid = (None, None)
    if "user_count" in values:
        count, invalid = parse_user_count(values["user_count"])
    cor_value = values.get("cor")
    return RequestFacts(
        organization=_single_line(values.get("organization")),
        services=services,
        unknown_services=unknown,
        justification=values.get("justification"),
        user_count=count,
        user_count_invalid=invalid,
        cor=cor_evidence(mail, cor_value, cors),
        cor_value=cor_value,
        security_official=_person(values.get("security_official")),
        contract_number=_single_line(values.get("contract_number")),
        sources=tuple(sources.items()),
    )


def _fill_missing(
    values: dict[str, str], sources: dict[str, str], text: str, place: str, *, but: str = ""
) -> None:
    """The labelled facts of `text` that `values` still lacks (but `but`), noted as read
    from `place`."""
    for fact, value in read_labels(text).items():
        if fact not in values and fact != but:
            values[fact], sources[fact] = value, place


def _own_forwarded(mail: ParsedEmail) -> list[ForwardedMessage]:
    sender = mail.sender.email if mail.sender else None
    return [f for f in mail.forwarded if sender and f.sender and f.sender.email == sender]


def wants_withdrawal(reply_text: str) -> bool:
    """The reply's opening lines ask to cancel or withdraw, and do not say "do not"."""
    opening = [line for line in reply_text.split("\n")
               if line.strip() and not _GREETING.match(line.strip())][:3]
    text = " ".join(line for line in opening if label_line(line) is None)
    return bool(_WITHDRAW.search(text)) and not _KEEP.search(text)


def asks_status(reply_text: str) -> bool:
    """The reply's opening lines ask where the request stands (a labelled line such as
    a form's "Status:" row asks nothing)."""
    opening = [line for line in reply_text.split("\n")
               if line.strip() and not _GREETING.match(line.strip())][:3]
    text = " ".join(line for line in opening if label_line(line) is None)
    return bool(_STATUS.search(text))


def _single_line(value: str | None) -> str | None:
    if not value:
        return None
    line = value.split("\n")[0].strip().rstrip(";,")
    # A full stop ends a sentence, except after "Inc." and its kind.
    last = line.rsplit(" ", 1)[-1].lower().replace(".", "")
    if line.endswith(".") and last not in _ABBREVIATIONS:
        line = line[:-1].rstrip()
    return line or None


def _person(value: str | None) -> Address | None:
    """"Sam Lee <sam@x>", "Sam Lee (sam@x)", "sam@x" or just "Sam Lee"."""
    if not value:
        return None
    text = " ".join(value.split())
    found = _EMAIL.search(text)
    name = re.sub(r"[<>()\[\],;\"]|\b(e-?mail|email address)\b\s*:?", " ",
                  _EMAIL.sub(" ", text), flags=re.IGNORECASE)
    name = " ".join(name.replace(" - ", " ").split()).strip(" -:")
    if not found and not name:
        return None
    return Address(name=name, email=found.group(0).lower() if found else "")


_HARP_ORGANIZATION = re.compile(r"\bHARP\s+organi[sz]ation(?:al)?\s+name\b", re.IGNORECASE)


def _unlabelled(text: str) -> str:
    """The text with label names cut off, so "HARP organization" names no service; also
    where the label is asked as a question ("Q1. What is your organization (HARP
    organization name preferred)?") or stated in a sentence ("Our HARP organization name
    is ...")."""
    lines = []
    for line in text.split("\n"):
        hit = label_line(line)
        lines.append(_HARP_ORGANIZATION.sub(" ", hit[1] if hit else line))
    return "\n".join(lines)

