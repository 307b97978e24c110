"""The strongest COR approval evidence in one mail (DESIGN §2 "COR approval")."""

from __future__ import annotations

import re

from onboardd.parsers.model import (
    Address,
    CorDirectory,
    CorEvidence,
    CorStatus,
    ParsedEmail,
)
from onboardd.parsers.reply import trim_reply

_APPROVE = re.compile(
    r"\b(approve|approved|approves|approval granted|concur|concurs|ok to proceed"
    r"|okay to proceed|yes|granted|confirmed|signed off|no objections?)\b", re.IGNORECASE)
# Negation wins over approval: "not approved" is a refusal, "pending" is not yet.
_REFUSE = re.compile(
    r"\b(not|never|cannot|can't|cant|won't|wont|don't|dont|doesn't|didn't|isn't|isnt"
    r"|wasn't|hasn't|haven't|unable to)\s+(?:\w+\s+){0,2}?(approve|approved|concur|ok|okay)\b"
    r"|\b(deny|denied|denies|reject|rejected|decline|declined|disapprove|disapproved)\b",
    re.IGNORECASE)
# A value that says "not given": at the start ("No", "TBD") or anywhere ("pending").
# "No objection" and its kind are consent, not a refusal.
_NOT_GIVEN = re.compile(
    r"^\W*(no\b(?!\s+(objections?|problems?|concerns?|issues?))|n\b|none\b|n/?a\b|tbd\b"
    r"|tba\b|requested\b|unknown\b|in progress\b)"
    r"|\b(pending|to follow|to be provided|not yet|will send|will follow|will forward"
    r"|awaiting|forthcoming)\b",
    re.IGNORECASE)
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
_NAME_NOISE = re.compile(
    r"\b(approved|approve|approval|yes|by|from|the|cor|granted|confirmed|email|e-mail)\b"
    r"|[<>()\[\],;:\"]|\s[-–—]\s|^[-–—]|[-–—]$", re.IGNORECASE)


def says_approve(text: str) -> bool:
    """The words approve ("approved", "concur", "ok to proceed") with no negation."""
    return bool(_APPROVE.search(text)) and not refuses(text)


def refuses(text: str) -> bool:
    """Denied, not approved, or not given yet."""
    return bool(_REFUSE.search(text) or _NOT_GIVEN.search(text))


def cor_evidence(mail: ParsedEmail, cor_value: str | None, cors: CorDirectory) -> CorEvidence:
    """Verified beats forwarded beats stated; anything else is missing."""
    sender = mail.sender
    negative = cor_value is not None and refuses(cor_value)
    if sender and cors.is_cor(sender.email) and not negative and not refuses(mail.reply_text):
        return CorEvidence(CorStatus.VERIFIED, sender.email, sender.name or None,
                           "sent by a COR address")
    for forwarded in mail.forwarded:
        own_words = trim_reply(forwarded.text)
        if (forwarded.sender and cors.is_cor(forwarded.sender.email)
                and says_approve(own_words)):
            return CorEvidence(CorStatus.FORWARDED, forwarded.sender.email,
                               forwarded.sender.name or None,
                               f"forwarded approval ({forwarded.source})")
    if cor_value is not None and says_approve(cor_value):
        return _stated(cor_value, mail, cors)
    cc_cors = _cors_copied(mail, cors)
    if cor_value is None and len(cc_cors) == 1:
        return CorEvidence(CorStatus.STATED, cc_cors[0].email, cc_cors[0].name or None,
                           "COR on CC")
    return CorEvidence(CorStatus.MISSING, None, None, cor_value or "")


def _stated(value: str, mail: ParsedEmail, cors: CorDirectory) -> CorEvidence:
    """A COR line that says approved: the address it names, else the one COR on CC."""
    found = _EMAIL.search(value)
    name = " ".join(_NAME_NOISE.sub(" ", _EMAIL.sub(" ", value)).split()) or None
    if found:
        return CorEvidence(CorStatus.STATED, found.group(0).lower(), name, "COR approval stated")
    cc_cors = _cors_copied(mail, cors)
    if len(cc_cors) == 1:
        return CorEvidence(CorStatus.STATED, cc_cors[0].email, name or cc_cors[0].name or None,
                           "COR approval stated, COR on CC")
    return CorEvidence(CorStatus.STATED, None, name, "COR approval stated without an address")


def _cors_copied(mail: ParsedEmail, cors: CorDirectory) -> list[Address]:
    unique = {a.email: a for a in mail.cc if cors.is_cor(a.email)}
    return list(unique.values())
