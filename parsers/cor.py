"""The strongest COR approval evidence in one mail (design §6)."""

from __future__ import annotations

import re

from onboardd.parsers.decision import (
    OBJECTIONS,
    RULES,
    Kind,
    approval_in,
    first_rule,
    refusal_in,
)
from onboardd.parsers.labels import label_line, read_labels
from onboardd.parsers.model import (
    Address,
    CorDirectory,
    CorEvidence,
    CorStatus,
    ParsedEmail,
)
from onboardd.parsers.reply import trim_reply
from onboardd.parsers.wording import plain_text

# Words that also say "approved" in an approval line or a COR's own mail, besides the
# approvers' words (parsers/decision.py): "COR approval: confirmed", "no objection", and
# a form's yes standing alone ("COR Approval: Yes", "COR Approval: \u2713"). A lead's bare
# "Yes" answers our Approve-or-Deny question with neither word; a form's field asks for it.
# A report of the approval may also say it was given or received ("Our COR has given
# her approval", "COR approval: received 2/20 from Priya Raman", "COR ok'd it").
_COR_CONSENT = re.compile(r"\b(?:confirmed|no\s+objections?)\b"
                          r"|^\W*(?:y|yes|true|[\u2713\u2714\u2611\u2705])\W*$"
                          r"|\b(?:gave|given|granted|provided|sent)\s+(?:(?:her|his|their|the|an?"
                          r"|its|written|formal|verbal)\s+){0,2}(?:ap+ro+val|ok|okay|blessing)\b"
                          r"|\bap+ro+val\s+(?:(?:is|was|has\s+been|had\s+been)\s+)?(?:given|done"
                          r"|received|obtained|granted|provided|in\s+hand|on\s+file)\b"
                          r"|^\W*(?:received|obtained|on\s+file|in\s+hand)\b"
                          r"|\bok(?:'d|'ed|ayed)\b", re.IGNORECASE)
# A value that says "not given": at the start ("No", "TBD") or anywhere ("pending").
# "No objection" and its kind are consent, not a refusal.
_NOT_GIVEN = re.compile(
    r"^\W*(no\b(?!\s+(objections?|problems?|concerns?|issues?))|n\b|none\b|n/?a\b|tbd\b"
    r"|tba\b|requested\b|unknown\b|in progress\b)"
    r"|\b(pending|to follow|to be provided|not yet|will send|will follow|will forward"
    r"|awaiting|forthcoming|will be sent|to be sent)\b",
    re.IGNORECASE)
# Consent given on a condition, or with a doubt, is not consent yet.
# The decision reader's doubts, and its conditions and questions (not its contrasts and
# stray negations: a forwarded mail's other sentences have those).
_WITHHELD = tuple(rule for rule in RULES if rule.kind is Kind.DOUBT
                  or rule.name in ("condition", "question"))
# What keeps a COR line or a COR's mail from approving: the approvers' objections but
# for a report of the approval itself, which is what such a line says ("Our COR
# approved it on 3/2").
# The same goes for its receipt ("COR approval: received 2/20 from Priya Raman").
_COR_LINE_OBJECTIONS = tuple(rule for rule in OBJECTIONS
                             if rule.name not in ("hearsay", "receipt only"))
_SENTENCE_END = re.compile(r"(?<=[.!;])\s+|\n")
_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")
# How many closing lines of a document may hold its signature (name, title, address).
_SIGNATURE_LINES = 6
# The facts only a request form states; a letter signed by the COR labels none of them.
_REQUEST_FACTS = frozenset({"organization", "services", "justification", "user_count"})
_NAME_NOISE = re.compile(
    r"\b(approved|approve|approval|yes|by|from|the|cor|granted|confirmed|email|e-mail)\b"
    r"|[<>()\[\],;:\"]|\s[-–—]\s|^[-–—]|[-–—]$", re.IGNORECASE)


def says_approve(text: str) -> bool:
    """Consent in the approvers' words, with nothing that refuses, defers or conditions it.

    The consent must be a sentence that no refusal, doubt or hedge rule of the decision
    reader matches ("Approved, but not for Slack" is not one); the rest may say other
    things, but none of them may refuse, doubt or set a condition.
    """
    plain = plain_text(text)
    sentences = [sentence for sentence in _SENTENCE_END.split(plain) if sentence.strip()]
    if not any(_approves(sentence) for sentence in sentences):
        return False
    if len(sentences) == 1:  # a COR line, mostly: every rule has read it already
        return not _NOT_GIVEN.search(plain)
    return not refuses(plain) and not any(rule.search(plain) for rule in _WITHHELD)


def _approves(sentence: str) -> bool:
    """Consent in the sentence and nothing the approvers' rules read as refusing,
    doubting or hedging. Unlike an approver's reply, a COR line reports an approval,
    so names and dates may stand beside it ("Marcus Bell approved this on 2/26"), and
    so may where to find it ("approved (see the forwarded mail)")."""
    consent = approval_in(sentence) is not None or bool(_COR_CONSENT.search(sentence))
    return consent and first_rule(sentence, _COR_LINE_OBJECTIONS) is None


def refuses(text: str) -> bool:
    """Denied, not approved, or not given yet."""
    plain = plain_text(text)
    return refusal_in(plain) is not None or bool(_NOT_GIVEN.search(plain))


def cor_evidence(mail: ParsedEmail, cor_value: str | None, cors: CorDirectory) -> CorEvidence:
    """Verified beats forwarded beats stated; anything else is missing."""
    sender = mail.sender
    if (sender and cors.is_cor(sender.email)
            and not (cor_value is not None and refuses(cor_value))
            and not refuses(mail.reply_text)):
        return CorEvidence(CorStatus.VERIFIED, sender.email, sender.name or None,
                           "sent by a COR address")
    for forwarded in mail.forwarded:
        own_words = trim_reply(forwarded.text)
        if (forwarded.sender and cors.is_cor(forwarded.sender.email)
                and says_approve(own_words)):
            return CorEvidence(CorStatus.FORWARDED, forwarded.sender.email,
                               forwarded.sender.name or None,
                               f"forwarded approval ({forwarded.source})")
    for document in mail.documents:
        signer = _cor_signature(document.text, cors)
        if signer and says_approve(document.text):
            return CorEvidence(CorStatus.FORWARDED, signer, None,
                               f"approval signed in the attachment {document.filename}")
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


def _cor_signature(text: str, cors: CorDirectory) -> str | None:
    """The COR address that signs a document (a letter of approval): one in its closing
    lines, not in a "COR Approval: ..." line. A filled-in form names the COR too, but
    that is the requester's word, so a document with the request's labelled facts signs
    nothing."""
    closing = [line for line in text.split("\n") if line.strip()][-_SIGNATURE_LINES:]
    found = [m.group(0).lower() for line in closing if not _states_cor(line)
             for m in _EMAIL.finditer(line)]
    signer = next((address for address in found if cors.is_cor(address)), None)
    if signer is None or read_labels(text).keys() & _REQUEST_FACTS:
        return None
    return signer


def _states_cor(line: str) -> bool:
    hit = label_line(line)
    return hit is not None and hit[0] == "cor" and bool(hit[1].strip())


def _cors_copied(mail: ParsedEmail, cors: CorDirectory) -> list[Address]:
    unique = {a.email: a for a in mail.cc if cors.is_cor(a.email)}
    return list(unique.values())
