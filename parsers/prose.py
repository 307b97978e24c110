"""Request facts stated in sentences rather than labels, as raw values like labels give.

"We are Acme Health Solutions and need Jira for about 40 staff to track defects; our
COR Dana Smith approved this on 3/2" states four facts without one label. This reader
finds them with a few sentence shapes and hands back the same raw text a label would
have carried, so the numbers, the COR evidence and the echo are read one way whatever
the source. It is only asked for facts the labels left missing, takes a fact only when
a sentence clearly states it, and the acknowledgment says back what it took.
"""

from __future__ import annotations

import re

from onboardd.parsers.decision import approval_in
from onboardd.parsers.numbers import parse_user_count
from onboardd.parsers.wording import plain_text

# A proper name: capitalised words, with "of", "and", "&" between two of them.
_NAME = r"[A-Z][\w&'.-]*(?:\s+(?:(?:of|and|for|the|&)\s+)?[A-Z][\w&'.-]*)*"
_ORGANIZATION = (
    re.compile(rf"\b(?i:we are|we're|this is)\s+(?:the\s+)?(?P<name>{_NAME})"),
    re.compile(rf"\b(?i:on behalf of)\s+(?:the\s+)?(?P<name>{_NAME})"),
    re.compile(rf"\bI (?i:work|am) (?i:at|for|with)\s+(?P<name>{_NAME})"),
    re.compile(rf"(?:^|[.!?]\s+)(?P<name>{_NAME})\s+(?:would like|is requesting|requests"
               rf"|needs|is asking for|wants)\b"),
    re.compile(rf"\b(?i:here at|my team at|our team at|we at)\s+(?P<name>{_NAME})"),
    re.compile(rf"\b(?i:our (?:company|firm|organization|organisation|team))\s*,\s*"
               rf"(?P<name>{_NAME})\s*,"),
    re.compile(rf"\bI(?:'m| am)\s+(?:the|a|an)\s+[a-z][a-z ]{{2,40}}?\s+(?i:at|with|for)\s+"
               rf"(?P<name>{_NAME})"),
)
# Words that begin a sentence but name no organization.
_NOT_A_NAME = frozenset({"we", "i", "our", "the", "this", "it", "please", "hello", "hi",
                         "thanks", "thank", "dear", "team", "jira", "slack", "confluence"})
_PEOPLE = (r"users?|staff|people|persons|team\s+members|members|employees|accounts"
           r"|seats|licen[cs]es|analysts|developers|engineers|testers|contractors"
           r"|reviewers|abstractors|nurses|coders|individuals|folks|personnel")
_AMOUNT = (r"(?:about|around|approximately|approx\.?|roughly|nearly|some|up to|at most"
           r"|no more than|~)?\s*"
           r"(?:\d{1,3}(?:,\d{3})+|\d+|[A-Za-z]+(?:[- ][a-z]+){0,3})"
           r"(?:\s*(?:-|to)\s*\d+)?(?:\s*\(\d+\))?")
_COUNT = (
    re.compile(rf"(?<![\w$#/.:-])(?P<count>{_AMOUNT})\s+(?:{_PEOPLE})\b", re.IGNORECASE),
    re.compile(rf"\b(?:team|group|staff)\s+of\s+(?P<count>{_AMOUNT})\b", re.IGNORECASE),
)
_INLINE_REASON = re.compile(
    r"\b(?:business\s+)?(?:justification|reason|purpose)\s*(?:is|:|-)\s*"
    r"(?P<reason>[^.!?;\n]{6,}[.!?]?)", re.IGNORECASE)
_PURPOSE = re.compile(
    r"\b(?:in order to|so that|so we can|so our|to)\s+(?P<reason>(?!be\b|the\b|a\b|an\b"
    r"|our\b|your\b|you\b|us\b|me\b|it\b|this\b|that\b|access\b|request\b|onboard\b"
    r"|add\b|get\b|use\b|have\b)[a-z]+\b[^.!?;\n]{6,}[.!?]?)"
    # "... so the help desk can triage ...", "... so nurse abstractors can upload ..."
    r"|\bso\s+(?:that\s+)?(?P<so>(?:the|our|we|they|[a-z]+\s+[a-z]+)\b[^.!?;\n]{0,40}?"
    r"\b(?:can|could|will|may)\s+[a-z][^.!?;\n]{6,}[.!?]?)"
    # "... for 25 users for managing user roles ..."
    r"|\bfor\s+(?P<gerund>[a-z]+ing\b[^.!?;\n]{6,}[.!?]?)")
# A sentence that is all purpose: "This is so our analysts can ...", "This is to publish".
_PURPOSE_SENTENCE = re.compile(
    r"^(?:this|it) is (?:so\s+(?:that\s+)?|to\s+|for\s+)(?P<reason>[a-z][^.!?;\n]{6,}[.!?]?)",
    re.IGNORECASE)
_NEED = re.compile(r"\b(?:need|needs|would like|requesting|request|requests|access"
                   r"|use it|use them|use the)\b", re.IGNORECASE)
_COR = re.compile(r"\bCORs?\b|\bcontracting officer", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.!?;])\s+(?=[A-Z(\"'])|\n\s*\n")


def read_sentences(text: str) -> dict[str, str]:
    """Raw values of the facts that sentences of `text` state; label-like keys as
    parsers/labels.py gives them ("organization", "justification", "user_count", "cor")."""
    plain = plain_text(text)
    sentences = [" ".join(s.split()) for s in _SENTENCE.split(plain) if s.strip()]
    found: dict[str, str] = {}
    for sentence in sentences:
        _take(found, "organization", _organization(sentence))
        _take(found, "user_count", _count(sentence))
        _take(found, "justification", _reason(sentence))
        if _COR.search(sentence) and approval_in(sentence) and "cor" not in found:
            found["cor"] = sentence
    return found


def _take(found: dict[str, str], fact: str, value: str | None) -> None:
    if value and fact not in found:
        found[fact] = value


def _organization(sentence: str) -> str | None:
    for pattern in _ORGANIZATION:
        match = pattern.search(sentence)
        if not match:
            continue
        name = re.sub(r"\s+(?:of|and|for|the|&)$", "", match.group("name")).strip(" .,")
        if name.split()[0].lower() not in _NOT_A_NAME and len(name) > 2:
            return name + ("." if match.group("name").endswith("Inc.") else "")
    return None


def _count(sentence: str) -> str | None:
    for pattern in _COUNT:
        for match in pattern.finditer(sentence):
            raw = match.group("count").strip()
            count, _ = parse_user_count(raw)
            if count is not None:
                return raw
    return None


def _reason(sentence: str) -> str | None:
    inline = _INLINE_REASON.search(sentence)
    if inline:
        return inline.group("reason").strip()
    whole = _PURPOSE_SENTENCE.search(sentence)
    if whole:
        return whole.group("reason").strip()
    if _NEED.search(sentence):
        purpose = _PURPOSE.search(sentence)
        if purpose:
            reason = purpose.group("reason") or purpose.group("so") or purpose.group("gerund")
            return reason.strip()
    return None
